"""Column mapping of free-format files: suggestions on hand-made headers, checks of a mapping,
and the mapped table through the standard converter to actors with per-row problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecosysteme.domaine.erreurs import FichierInvalide
from ecosysteme.sources import correspondance as corr
from ecosysteme.sources.importeurs.acteurs import convertir_table
from ecosysteme.sources.importeurs.base import RapportImport
from ecosysteme.sources.lecture import Table, lire_table

ENTETES = [
    "Nom de la structure",
    "CP",
    "Ville",
    "Lat",
    "Lng",
    "Téléphone",
    "Mail",
    "Horaires d'ouverture",
    "Adresse",
    "Commentaire",
]


def table(colonnes: list[str], lignes: list[list[str | None]], **kw: object) -> Table:
    return Table(
        "partenaire.csv",
        "csv",
        colonnes,
        [dict(zip(colonnes, ligne, strict=True)) for ligne in lignes],
        list(range(2, len(lignes) + 2)),
        **kw,  # type: ignore[arg-type]
    )


def choisis(colonnes: list[str], memorisee: dict[str, str] | None = None) -> dict[str, str]:
    return {c: s.colonne for c, s in corr.suggerer(colonnes, memorisee).items()}


# --------------------------------------------------------------------------------------------
# suggestions
# --------------------------------------------------------------------------------------------


def test_suggestions_sur_des_entetes_francais() -> None:
    sugg = corr.suggerer(ENTETES)
    assert {c: s.colonne for c, s in sugg.items()} == {
        "nom": "Nom de la structure",
        "adresse": "Adresse",
        "code_postal": "CP",
        "commune": "Ville",
        "latitude": "Lat",
        "longitude": "Lng",
        "telephone": "Téléphone",
        "courriels": "Mail",
        "horaires": "Horaires d'ouverture",
    }
    assert sugg["telephone"].confiance == corr.CONFIANCE_NOM  # same name once accents are gone
    assert sugg["code_postal"].confiance == corr.CONFIANCE_SYNONYME
    assert "Commentaire" not in {s.colonne for s in sugg.values()}


@pytest.mark.parametrize(
    ("colonnes", "attendu"),
    [
        (["Raison sociale", "X", "Y"], {"nom": "Raison sociale", "longitude": "X", "latitude": "Y"}),
        (["NOM", "code_postal", "commune", "LATITUDE", "longitude"], None),
        (
            ["Dénomination", "Adresse mail", "Adresse postale"],
            {"nom": "Dénomination", "courriels": "Adresse mail", "adresse": "Adresse postale"},
        ),
        (
            ["E-mail", "Site internet", "SIRET", "Type"],
            {"courriels": "E-mail", "site_web": "Site internet", "pivot": "SIRET", "categorie": "Type"},
        ),
        (["Nom commune", "Nom du lieu"], {"commune": "Nom commune", "nom": "Nom du lieu"}),
        (["Commentaire", "Remarques", "Z"], {}),
    ],
)
def test_synonymes(colonnes: list[str], attendu: dict[str, str] | None) -> None:
    if attendu is None:
        attendu = {
            "nom": "NOM",
            "code_postal": "code_postal",
            "commune": "commune",
            "latitude": "LATITUDE",
            "longitude": "longitude",
        }
    assert choisis(colonnes) == attendu


def test_ressemblances_rapidfuzz_moins_sures() -> None:
    sugg = corr.suggerer(["Telephonne", "Adress", "Horaire d ouvertures", "Code postl"])
    assert {c: s.colonne for c, s in sugg.items()} == {
        "telephone": "Telephonne",
        "adresse": "Adress",
        "horaires": "Horaire d ouvertures",
        "code_postal": "Code postl",
    }
    for s in sugg.values():
        assert 0.6 <= s.confiance < corr.CONFIANCE_SYNONYME and "ressemble" in s.raison


def test_prefixe_le_moins_sur() -> None:
    sugg = corr.suggerer(["Téléphone accueil public", "Adresse complète du lieu"])
    assert sugg["telephone"].colonne == "Téléphone accueil public"
    assert sugg["adresse"].confiance == corr.CONFIANCE_PREFIXE


def test_la_plus_sure_l_emporte_et_une_colonne_ne_sert_qu_une_fois() -> None:
    # « Raison sociale » and « Nom de la structure » both mean nom: the first column wins;
    # « Ville » is commune, never also nom
    assert choisis(["Raison sociale", "Nom de la structure", "Ville"]) == {
        "nom": "Raison sociale",
        "commune": "Ville",
    }


def test_correspondance_memorisee_prioritaire() -> None:
    memo = {"nom": "Nom de la structure", "commune": "Commentaire", "site_web": "Absente"}
    sugg = corr.suggerer(ENTETES, memo)
    assert sugg["commune"].colonne == "Commentaire"
    assert sugg["commune"].confiance == corr.CONFIANCE_MEMORISEE and "mémorisée" in sugg["commune"].raison
    assert "site_web" not in sugg  # its column is not in this file
    # « Ville » is free again but commune is taken: it stays unused
    assert "Ville" not in {s.colonne for s in sugg.values()}


@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [*ENTETES, "Raison sociale", "X", "Y", "code_postal", "Type", "SIRET", "Nom commune"]
            ),
            st.text(max_size=20),
        ),
        max_size=25,
        unique=True,
    )
)
def test_propriete_suggestions_coherentes(colonnes: list[str]) -> None:
    sugg = corr.suggerer(colonnes)
    utilisees = [s.colonne for s in sugg.values()]
    assert len(utilisees) == len(set(utilisees))
    assert set(utilisees) <= set(colonnes)
    assert set(sugg) <= set(corr.champs())
    for champ, s in sugg.items():
        assert s.champ == champ and 0 < s.confiance <= 1 and s.raison


def test_champs_du_standard_plus_les_notres() -> None:
    from ecosysteme.domaine import standard

    assert set(corr.champs()) == set(standard.noms_champs()) | {"categorie", "statut"}
    assert corr.champs()[0] == "nom" and len(corr.champs()) == len(set(corr.champs())) == 34


# --------------------------------------------------------------------------------------------
# checking a mapping
# --------------------------------------------------------------------------------------------


def _messages(
    correspondance: dict[str, str], colonnes: list[str], points: bool = False
) -> list[tuple[bool, str]]:
    return [(r.bloquante, r.message) for r in corr.verifier(correspondance, colonnes, points=points)]


def test_mapping_valide() -> None:
    m = choisis(ENTETES)
    assert [b for b, _ in _messages(m, ENTETES)] == [False]  # only « no identifier column »
    assert not any(r.bloquante for r in corr.verifier({**m, "id": "Commentaire"}, ENTETES))
    assert corr.verifier({**m, "id": "Commentaire"}, ENTETES) == []


@pytest.mark.parametrize(
    ("mapping", "motif"),
    [
        ({"adresse": "Adresse"}, "« nom » est obligatoire"),
        ({"nom": "Nom de la structure", "latitude": "Lat"}, "sans « longitude »"),
        ({"nom": "Nom de la structure", "longitude": "Lng", "adresse": "Adresse"}, "sans « latitude »"),
        ({"nom": "Nom de la structure", "commune": "Ville"}, "ni coordonnées"),
        ({"nom": "Nom de la structure", "adresse": "Adresse", "commune": "Adresse"}, "plusieurs champs"),
        (
            {"nom": "Nom de la structure", "adresse": "Adresse", "couleur": "Ville"},
            "« couleur » n'est pas un champ",
        ),
        ({"nom": "Nom de la structure", "adresse": "Rue"}, "« Rue »"),
    ],
)
def test_mappings_invalides(mapping: dict[str, str], motif: str) -> None:
    bloquants = [m for b, m in _messages(mapping, ENTETES) if b]
    assert any(motif in m for m in bloquants), bloquants
    t = table(ENTETES, [["Lieu", "59000", "Lille", "50.6", "3.0", None, None, None, "1 rue", None]])
    with pytest.raises(corr.CorrespondanceInvalide) as exc:
        corr.appliquer(t, mapping)
    assert motif in str(exc.value) and "partenaire.csv" in str(exc.value)


def test_adresse_sans_coordonnees_averti_mais_permis() -> None:
    msgs = _messages({"nom": "Nom de la structure", "adresse": "Adresse"}, ENTETES)
    assert any(not b and "adresse sans coordonnées" in m for b, m in msgs)
    assert not any(b for b, _ in msgs)


def test_geometrie_ponctuelle_tient_lieu_de_coordonnees() -> None:
    assert not any(b for b, _ in _messages({"nom": "Nom de la structure"}, ENTETES, points=True))
    assert any(b for b, _ in _messages({"nom": "Nom de la structure"}, ENTETES, points=False))


# --------------------------------------------------------------------------------------------
# applying a mapping, then the standard converter
# --------------------------------------------------------------------------------------------

LIGNES: list[list[str | None]] = [
    [
        "Cœur de quartier",
        "59510",
        "Hem",
        "50,6521",
        "3,1862",
        "03 20 00 00 00",
        "contact@coeur.fr",
        "Mo-Fr 09:00-12:00",
        "2 rue Jean Macé",
        "x",
    ],
    ["EPN du Centre", "59100", "Roubaix", "50.69", "3.17", None, None, None, "1 place de l'Église", None],
    ['=HYPERLINK("http://x")', "59000", "Lille", "50.63", "3.06", None, None, None, "3 rue", None],
    ["Sans lieu", "59000", "Lille", None, None, None, None, None, "4 rue", None],
    ["EPN du Centre", "59100", "Roubaix", "50.691", "3.171", None, None, None, "1 place de l'Église", None],
]


def convertir(t: Table) -> tuple[list, RapportImport]:  # type: ignore[type-arg]
    rapport = RapportImport(t.fichier, "libre")
    return convertir_table(t, "standard", rapport, strict=False), rapport


def test_appliquer_puis_convertir() -> None:
    t = table(ENTETES, LIGNES)
    m = choisis(ENTETES)
    std = corr.appliquer(t, m, source="Ville de Hem")
    assert std.colonnes[:7] == ["id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj"]
    assert "Commentaire" not in std.colonnes and "Ville" not in std.colonnes
    assert std.numeros == t.numeros and std.encodage == t.encodage
    acteurs, rapport = convertir(std)
    assert rapport.lignes_lues == 5 and rapport.acceptees == 3 and rapport.rejetees == 2
    par_nom = {a.nom: a for a in acteurs}
    coeur = par_nom["Cœur de quartier"]
    assert (coeur.code_postal, coeur.commune, coeur.latitude, coeur.longitude) == (
        "59510",
        "Hem",
        50.6521,
        3.1862,
    )
    assert coeur.telephone == "+33320000000" and coeur.courriels == ["contact@coeur.fr"]
    assert coeur.horaires == "Mo-Fr 09:00-12:00" and coeur.adresse == "2 rue Jean Macé"
    # problems point at the rows of the original file: the formula (row 4), no coordinates (row 5)
    rejets = {p.ligne: (p.champ, p.message) for p in rapport.rejets}
    assert rejets[4][0] == "nom" and "formule" in rejets[4][1]
    assert rejets[5][0] == "latitude" and "coordonnées absentes" in rejets[5][1]
    # generated identifiers: prefixed by the source, repeats numbered
    ids = [a.id for a in acteurs]
    assert all(i.startswith("ville-de-hem-") for i in ids)
    assert ids[2] == ids[1] + "-2"


def test_identifiants_deterministes_quel_que_soit_l_ordre() -> None:
    m = choisis(ENTETES)
    a = corr.appliquer(table(ENTETES, LIGNES[:2]), m, source="hem")
    b = corr.appliquer(table(ENTETES, LIGNES[:2][::-1]), m, source="hem")
    assert {r["nom"]: r["id"] for r in a.lignes} == {r["nom"]: r["id"] for r in b.lignes}
    c = corr.appliquer(table(ENTETES, LIGNES[:2]), m, source="autre partenaire")
    assert {r["id"] for r in a.lignes}.isdisjoint({r["id"] for r in c.lignes})
    assert (
        corr.identifiant("hem", "Cœur  de QUARTIER", "2 rue Jean Macé", "59510", "Hem") == a.lignes[0]["id"]
    )
    # default source: the file name without extension
    assert corr.appliquer(table(ENTETES, LIGNES[:1]), m).lignes[0]["id"].startswith("partenaire-")


def test_identifiant_de_la_source_prefixe() -> None:
    colonnes = ["Réf", "Nom", "Adresse", "Lat", "Lon"]
    t = table(colonnes, [["12", "A", "1 rue", "50.6", "3.0"], [None, "B", "2 rue", "50.6", "3.1"]])
    m = {"id": "Réf", "nom": "Nom", "adresse": "Adresse", "latitude": "Lat", "longitude": "Lon"}
    std = corr.appliquer(t, m, source="Médiathèques de Lille")
    assert std.lignes[0]["id"] == "mediatheques-de-lille-12"
    assert std.lignes[1]["id"] == corr.identifiant("Médiathèques de Lille", "B", "2 rue", None, None)
    acteurs, rapport = convertir(std)
    assert [a.id for a in acteurs] == ["mediatheques-de-lille-12", std.lignes[1]["id"]] and not rapport.rejets


def test_identifiants_en_double_du_fichier_refuses() -> None:
    colonnes = ["Réf", "Nom", "Lat", "Lon"]
    t = table(colonnes, [["1", "A", "50.6", "3.0"], ["1", "B", "50.6", "3.1"]])
    std = corr.appliquer(t, {"id": "Réf", "nom": "Nom", "latitude": "Lat", "longitude": "Lon"}, source="s")
    with pytest.raises(FichierInvalide, match="en double"):
        convertir(std)


def test_valeurs_hors_standard_ignorees_avec_avertissement() -> None:
    colonnes = ["Nom", "Lat", "Lon", "Services", "Catégorie"]
    t = table(
        colonnes, [["A", "50.6", "3.0", "Aide aux démarches administratives|Cours de cuisine", "Médiathèque"]]
    )
    m = choisis(colonnes)
    assert m["services"] == "Services" and m["categorie"] == "Catégorie"
    acteurs, rapport = convertir(corr.appliquer(t, m, source="s"))
    assert acteurs[0].services == ["Aide aux démarches administratives"]
    assert acteurs[0].categorie.value == "Médiathèque"
    assert any("Cours de cuisine" in p.message and p.champ == "services" for p in rapport.avertissements)


def test_points_d_un_fichier_geographique(tmp_path: Path) -> None:
    p = tmp_path / "lieux.geojson"
    p.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"Libellé": "Tiers-lieu", "Rue": "5 rue"},'
        ' "geometry": {"type": "Point", "coordinates": [3.06, 50.63]}}]}',
        encoding="utf-8",
    )
    t = lire_table(p)
    m = {"nom": "Libellé", "adresse": "Rue"}
    assert not any(r.bloquante for r in corr.verifier(m, t.colonnes, points=True))
    acteurs, rapport = convertir(corr.appliquer(t, m, source="geo"))
    assert (acteurs[0].longitude, acteurs[0].latitude) == (3.06, 50.63) and not rapport.rejets


def test_cp1252_point_virgule_de_bout_en_bout(tmp_path: Path) -> None:
    p = tmp_path / "partenaire.csv"
    p.write_bytes(
        (
            "Raison sociale;Adresse;CP;Ville;Y;X\nCœur de ville;1 place de l'Église;59510;Hem;50,65;3,18\n"
        ).encode("cp1252")
    )
    t = lire_table(p)
    assert t.encodage == "cp1252" and t.separateur == ";"
    acteurs, _ = convertir(corr.appliquer(t, choisis(t.colonnes), source="p"))
    assert acteurs[0].nom == "Cœur de ville" and (acteurs[0].longitude, acteurs[0].latitude) == (3.18, 50.65)


def test_prefixe_source() -> None:
    assert corr.prefixe_source("Ville de Hem — EPN") == "ville-de-hem-epn"
    assert corr.prefixe_source("   ") == "import"
    assert corr.prefixe_source("../../etc") == "etc"
