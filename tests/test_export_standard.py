"""Export of the inventory in the national standard v1.0.2: dialect, schema validation with
frictionless, round trip through our own importer, file name, atomic write."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine import standard
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.modeles import LECTURE, Acteur, Arret, Statut
from ecosysteme.exports.standard import (
    acteurs_exportables,
    exporter_standard,
    lignes_standard,
    nom_fichier_standard,
    valider,
)
from ecosysteme.sources.importeurs.acteurs import convertir_table
from ecosysteme.sources.importeurs.base import RapportImport
from ecosysteme.sources.lecture import lire_table

JOUR = dt.date(2026, 11, 26)
NOM = "20261126_200043396_lieux-de-mediation-numerique_CAMaubeugeValDeSambre.csv"


def _base(ident: str, **champs: object) -> Acteur:
    d: dict[str, object] = {
        "id": ident,
        "pivot": "43493312300029",
        "nom": f"Lieu {ident}",
        "commune": "Maubeuge",
        "code_postal": "59600",
        "adresse": "1 rue de la Gare",
        "date_maj": dt.date(2025, 3, 1),
        "latitude": 50.2775,
        "longitude": 3.9734,
    }
    d.update(champs)
    return Acteur(**d)  # type: ignore[arg-type]


def acteurs_main() -> list[Acteur]:
    enum = standard.enumerations()
    return [
        _base(
            "complet",
            nom="Médiathèque « L'Île » ; espace | numérique",
            code_insee="59392",
            complement_adresse="Bâtiment B; 2e étage",
            typologie=["BIB", "MUNI"],
            telephone="+33327000000",
            courriels=["contact@exemple.fr", "accueil@exemple.fr"],
            site_web=["https://exemple.fr/", "https://exemple.fr/agenda?a=1;b=2"],
            horaires="Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00",
            presentation_resume="Ateliers ; accès libre | wifi, « aide » aux démarches.",
            presentation_detail='Première ligne.\nSeconde ligne, avec « guillemets » et "doubles".',
            source="Saisie, CA Maubeuge",
            itinerance=["Fixe"],
            structure_parente="Ville de Maubeuge",
            services=list(enum["services"][:3]),
            publics_specifiquement_adresses=["Jeunes", "Familles et/ou enfants"],
            prise_en_charge_specifique=["Surdité", "Langues étrangères (anglais)"],
            frais_a_charge=["Gratuit"],
            dispositif_programmes_nationaux=["Conseillers numériques", "France Services"],
            formations_labels=["Formé à « Mon Espace Santé »"],
            autres_formations_labels=["QPV", "Label local; deux mots"],
            modalites_acces=["Se présenter", "Téléphoner"],
            modalites_accompagnement=["En autonomie", "Dans un atelier collectif"],
            fiche_acces_libre="https://acceslibre.beta.gouv.fr/app/x/",
            prise_rdv="https://rdv.exemple.fr/",
        ),
        _base("vide", pivot="00000000000000"),
        _base(
            "bus",
            nom="Bus numérique",
            itinerance=["Itinérant"],
            longitude=0.00001,  # near Greenwich: no exponent in the file
            latitude=45.0,
            arrets=[Arret(nom="Place", latitude=50.28, longitude=3.97)],
        ),
        _base("ferme", statut=Statut.FERME),
    ]


def _relire(chemin: Path) -> tuple[list[Acteur], RapportImport]:
    rapport = RapportImport(fichier=chemin.name, format="standard")
    return convertir_table(lire_table(chemin), "standard", rapport), rapport


def _memes(a: Acteur, b: Acteur) -> dict[str, tuple[object, object]]:
    return {
        c: (getattr(a, c), getattr(b, c)) for c in standard.noms_champs() if getattr(a, c) != getattr(b, c)
    }


def _valider_reference(chemin: Path, reference: Path) -> int:
    """Errors with the reference copy of the schema (``../shared/reference``), read apart."""
    from frictionless import Resource, Schema

    descripteur = json.loads((reference / "schema-lieux-mediation-numerique-1.0.2.json").read_text("utf-8"))
    res = Resource(path=chemin.name, basepath=str(chemin.parent), schema=Schema.from_descriptor(descripteur))
    rapport = res.validate()
    assert rapport.stats["tasks"] == 1, rapport.flatten(["type", "note"])
    return int(rapport.stats["errors"])


# --- hand-made actors --------------------------------------------------------------------------
def test_export_valide_et_aller_retour(tmp_path: Path, reference: Path) -> None:
    chemin = exporter_standard(
        acteurs_main(), tmp_path, producteur="200043396", date=JOUR, territoire="CA Maubeuge Val de Sambre"
    )
    assert chemin == tmp_path / NOM
    assert valider(chemin) == []
    assert _valider_reference(chemin, reference) == 0
    relus, rapport = _relire(chemin)
    assert rapport.rejetees == 0, rapport.resume()
    origine = {a.id: a for a in acteurs_main()}
    assert [a.id for a in relus] == ["complet", "vide", "bus"]  # the closed one is not published
    for a in relus:
        assert _memes(a, origine[a.id]) == {}, a.id
    assert sorted(p.name for p in tmp_path.iterdir()) == [NOM]  # no temp file left


def test_dialecte_du_standard(tmp_path: Path) -> None:
    chemin = exporter_standard(acteurs_main(), tmp_path / "lieux.csv", producteur="200043396", date=JOUR)
    brut = chemin.read_bytes()
    assert not brut.startswith(b"\xef\xbb\xbf") and b"\r\n" not in brut
    entete = brut.decode("utf-8").split("\n", 1)[0]
    assert entete == ",".join(f'"{c}"' for c in standard.noms_champs())
    with chemin.open(encoding="utf-8", newline="") as fh:
        lignes = {r["id"]: r for r in csv.DictReader(fh)}
    c = lignes["complet"]
    assert c["typologie"] == "BIB|MUNI"
    assert c["publics_specifiquement_adresses"] == "Jeunes|Familles et/ou enfants"
    assert c["date_maj"] == "2025-03-01" and c["telephone"] == "+33327000000"
    assert c["nom"] == "Médiathèque « L'Île » ; espace | numérique"
    assert lignes["bus"]["longitude"] == "0.00001"
    assert lignes["vide"]["telephone"] == "" and lignes["vide"]["services"] == ""
    assert set(lignes["vide"]) == set(standard.noms_champs())  # no extension column


def test_acteur_sans_coordonnees(tmp_path: Path) -> None:
    """The standard allows a place without coordinates: it is published (empty cells). Our own
    importer rejects such a row (it cannot be placed on the map), so the round trip holds for
    located actors only."""
    chemin = exporter_standard(
        [_base("sans-point", latitude=None, longitude=None)],
        tmp_path / "l.csv",
        producteur="200043396",
        date=JOUR,
    )
    assert valider(chemin) == []
    with chemin.open(encoding="utf-8", newline="") as fh:
        (ligne,) = list(csv.DictReader(fh))
    assert (ligne["latitude"], ligne["longitude"]) == ("", "")


def test_services_dans_l_ordre_du_standard() -> None:
    """Our importer writes services in the standard's order: the file does the same, so that a
    file read back and exported again is identical."""
    enum = standard.enumerations()["services"]
    lignes = lignes_standard([_base("x", services=[enum[4], enum[0], enum[2]])])
    assert lignes.loc[0, "services"] == "|".join([enum[0], enum[2], enum[4]])


def test_fermes_inclus_sur_demande() -> None:
    assert list(lignes_standard(acteurs_main())["id"]) == ["complet", "vide", "bus"]
    tous = lignes_standard(acteurs_main(), statuts=tuple(Statut))
    assert list(tous["id"]) == ["complet", "vide", "bus", "ferme"]
    assert list(tous.columns) == list(standard.noms_champs())


def test_nom_de_fichier() -> None:
    assert nom_fichier_standard("200043396", JOUR, "CA Maubeuge Val de Sambre") == NOM
    assert nom_fichier_standard("200 043 396", JOUR, "CA Maubeuge Val de Sambre") == NOM
    assert nom_fichier_standard("W123456789", JOUR, "Région Sud") == (
        "20261126_W123456789_lieux-de-mediation-numerique_RegionSud.csv"
    )
    assert (
        nom_fichier_standard("20004339600017", JOUR)
        == "20261126_20004339600017_lieux-de-mediation-numerique.csv"
    )
    with pytest.raises(ErreurEcosysteme, match="SIRET, SIREN ou RNA"):
        nom_fichier_standard("../etc", JOUR)


def test_acteurs_non_publiables() -> None:
    sans_date = _base("sans-date", date_maj=None)
    # stored before the entries refused formulas (read back from the store: cleaned, not refused)
    formule = Acteur.model_validate(
        {**_base("formule").model_dump(), "presentation_detail": '=HYPERLINK("http://x")'}, context=LECTURE
    )
    barre = _base("barre", autres_formations_labels=["a|b"])
    gardes, ecartes = acteurs_exportables([*acteurs_main(), sans_date, formule, barre])
    assert [a.id for a in gardes] == ["complet", "vide", "bus"]
    assert len(ecartes) == 3
    assert "« sans-date »" in ecartes[0] and "« date_maj »" in ecartes[0]
    assert "« formule »" in ecartes[1] and "formule" in ecartes[1] and "presentation_detail" in ecartes[1]
    assert "« barre »" in ecartes[2] and "séparateur" in ecartes[2]


def test_refus_sans_ecarter_et_fichier_existant_intact(tmp_path: Path) -> None:
    cible = tmp_path / "lieux.csv"
    cible.write_text("ancien contenu", encoding="utf-8")
    with pytest.raises(ErreurEcosysteme, match="sans-date"):
        exporter_standard(
            [*acteurs_main(), _base("sans-date", date_maj=None)],
            cible,
            producteur="200043396",
            date=JOUR,
            ecarter=False,
        )
    assert cible.read_text(encoding="utf-8") == "ancien contenu"
    assert [p.name for p in tmp_path.iterdir()] == ["lieux.csv"]


def test_export_invalide_refuse_avant_renommage(tmp_path: Path) -> None:
    """Two actors with one identifier: the schema's primary key is broken, frictionless sees it
    in the temp file, nothing is put in place."""
    cible = tmp_path / "lieux.csv"
    cible.write_text("ancien contenu", encoding="utf-8")
    doublon = [_base("meme"), _base("meme", nom="Autre lieu")]
    with pytest.raises(ErreurEcosysteme) as exc:
        exporter_standard(doublon, cible, producteur="200043396", date=JOUR)
    assert "validation du schéma" in exc.value.message and "ligne 3" in exc.value.message
    assert "lieux.csv" in exc.value.message
    assert cible.read_text(encoding="utf-8") == "ancien contenu"
    assert [p.name for p in tmp_path.iterdir()] == ["lieux.csv"]


def test_valider_messages_en_francais(tmp_path: Path, reference: Path) -> None:
    texte = (reference / "exemple-valide-1.0.2.csv").read_text(encoding="utf-8")
    p = tmp_path / "faux.csv"
    p.write_text(
        texte.replace('"+33180059880"', '"01 80 05 98 80"').replace('"2024-04-02"', '"02/04/2024"'),
        encoding="utf-8",
    )
    erreurs = valider(p)
    assert len(erreurs) == 2, erreurs
    assert erreurs[0].startswith("fichier « faux.csv », ligne 2, champ « telephone » :")
    assert "« 01 80 05 98 80 »" in erreurs[0] and "motif" in erreurs[0]
    assert "champ « date_maj »" in erreurs[1] and "attendu : date" in erreurs[1]
    assert valider(reference / "exemple-valide-1.0.2.csv") == []


_texte = (
    st.text(alphabet=st.sampled_from(list("abcéèàçÎ ;,|'\"«»-+=@\n0")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    nom=_texte,
    resume=_texte,
    services=st.lists(st.sampled_from(standard.enumerations()["services"]), unique=True),
    publics=st.lists(
        st.sampled_from(standard.enumerations()["publics_specifiquement_adresses"]), unique=True
    ),
    statut=st.sampled_from(list(Statut)),
)
def test_propriete_aller_retour(
    tmp_path: Path, nom: str, resume: str, services: list[str], publics: list[str], statut: Statut
) -> None:
    """Whatever the texts and lists: either the actor is refused at entry (a formula sign first, or
    nothing left of its name), set aside with a reason, or the file is valid and reads back to the
    same actor; a non-active actor is never published."""
    try:
        a = _base(
            "p",
            nom=nom,
            presentation_resume=resume,
            services=services,
            publics_specifiquement_adresses=publics,
            statut=statut,
        )
    except ValidationError as exc:
        assert "formule" in str(exc) or "string_too_short" in str(exc)
        return
    cible = tmp_path / f"p{abs(hash((nom, resume, statut)))}.csv"
    gardes, ecartes = acteurs_exportables([a])
    chemin = exporter_standard([a], cible, producteur="200043396", date=JOUR)
    assert valider(chemin) == []
    relus, rapport = _relire(chemin) if gardes else ([], None)
    if statut is not Statut.ACTIF:
        assert gardes == [] and ecartes == []
    elif ecartes:
        assert gardes == [] and "formule" in ecartes[0]
    else:
        assert rapport is not None and rapport.rejetees == 0, rapport.resume()
        ordre = standard.enumerations()["services"]  # written in the standard's order
        attendu = a.model_copy(update={"services": sorted(services, key=ordre.index)})
        assert len(relus) == 1 and _memes(relus[0], attendu) == {}


# --- the real store ------------------------------------------------------------------------------
@pytest.mark.donnees_reelles
def test_maubeuge_reel(depot_hdf: Path, tmp_path: Path, reference: Path) -> None:
    with ouvrir_depot(depot_hdf) as depot:
        acteurs = depot.lister(siren_epci="200043396")
    gardes, ecartes = acteurs_exportables(acteurs)
    assert len(acteurs) >= 50 and len(gardes) >= 30
    # every actor left out lacks a field the standard requires (never invented)
    assert all("champ(s) requis" in e for e in ecartes) and len(gardes) + len(ecartes) == len(
        [a for a in acteurs if a.statut is Statut.ACTIF]
    )
    chemin = exporter_standard(
        acteurs, tmp_path, producteur="200043396", date=JOUR, territoire="CA Maubeuge Val de Sambre"
    )
    assert chemin.name == NOM
    assert valider(chemin) == [] and _valider_reference(chemin, reference) == 0
    relus, rapport = _relire(chemin)
    assert (rapport.acceptees, rapport.rejetees) == (len(gardes), 0), rapport.resume()
    origine = {a.id: a for a in gardes}
    assert sorted(origine) == sorted(a.id for a in relus)
    differences = {a.id: _memes(a, origine[a.id]) for a in relus if _memes(a, origine[a.id])}
    assert differences == {}
