"""Catalogs of official sources: loading, validation, and agreement with the mirror files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ecosysteme.domaine.erreurs import FichierInvalide, Introuvable
from ecosysteme.sources import catalogue as catalog
from ecosysteme.sources.catalogue import Source, charger_catalogue, slug_region, source, sources

DONNEES = Path(__file__).resolve().parents[1].parent / "shared" / "data"
besoin_donnees = pytest.mark.skipif(
    not DONNEES.is_dir(), reason=f"données réelles absentes : {DONNEES} (../shared/data à côté du dépôt)"
)

IDS_ATTENDUS = {
    "qpv-perimetres",
    "qpv-population",
    "communes",
    "epci",
    "france-services",
    "conseillers-numeriques",
    "data-inclusion",
    "bibliotheques",
    "lieux-mediation-numerique",
}

#: Mirror names for région 32, in the order they must be tried (from the mirror's README).
MIROIR_HDF = {
    "qpv-perimetres": ["qpv2024_hdf.geojson", "qpv2024_france.geojson"],
    "qpv-population": ["qpv2024_indicateurs_hdf.csv", "qpv2024_indicateurs_france.csv"],
    "communes": ["communes_hdf_2026.geojson"],
    "epci": ["epci_hdf_2026.geojson"],
    "france-services": ["france_services_2022-12-01_hdf.geojson", "france_services_2022-12-01_france.csv"],
    "conseillers-numeriques": [
        "lieux_conseillers_numeriques_2022-06_hdf.geojson",
        "lieux_conseillers_numeriques_2022-06_france.csv",
    ],
    "data-inclusion": [
        "data_inclusion_structures_2022-07_hdf.geojson",
        "data_inclusion_structures_2022-07_france.csv",
    ],
    "bibliotheques": ["bibliotheques_publiques_hdf.geojson", "bibliotheques_publiques_france.csv"],
    "lieux-mediation-numerique": [],
}


# -- the project's catalogs ---------------------------------------------------------------------


def test_les_catalogues_du_projet_se_chargent() -> None:
    toutes = sources()
    assert {s.id for s in toutes} == IDS_ATTENDUS
    assert len(toutes) == len(IDS_ATTENDUS)
    assert {s.id for s in sources("qpv")} == {"qpv-perimetres", "qpv-population", "communes", "epci"}
    assert all(s.theme == "acteurs" for s in sources("acteurs"))
    for s in toutes:
        assert s.url is None or s.url.startswith("https://"), s.id
        assert s.page is None or s.page.startswith("https://"), s.id
        assert s.importeur in catalog.IMPORTEURS


def test_source_par_identifiant() -> None:
    qpv = source("qpv-perimetres")
    assert qpv.format == "zip"
    assert qpv.membre == "GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson"
    assert qpv.format_fichier == "geojson"
    assert qpv.importeur == "qpv"
    assert qpv.licence.startswith("Licence Ouverte")
    assert qpv.url == "https://www.data.gouv.fr/api/1/datasets/r/942d4ee8-8142-4556-8ea1-335537ce1119"


def test_source_inconnue_message_francais() -> None:
    with pytest.raises(Introuvable) as exc:
        source("nexiste-pas")
    assert "Source « nexiste-pas » inconnue" in exc.value.message
    assert "qpv-perimetres" in exc.value.message


def test_theme_inconnu() -> None:
    with pytest.raises(Introuvable, match="Thème « bidon » inconnu"):
        sources("bidon")


def test_url_des_communes_par_region() -> None:
    communes = source("communes")
    assert communes.url_regionale
    url = communes.url_pour("32")
    assert url is not None
    assert url.startswith("https://geo.api.gouv.fr/communes?")
    assert "codeRegion=32" in url
    assert "format=geojson" in url
    with pytest.raises(Introuvable, match="région par région"):
        communes.url_pour(None)
    assert not source("qpv-perimetres").url_regionale


def test_noms_miroir_region_32_regional_d_abord() -> None:
    for s in sources():
        assert [nom for nom, _ in s.noms_miroir("32")] == MIROIR_HDF[s.id], s.id
    qpv = source("qpv-perimetres")
    assert qpv.noms_miroir("32") == [("qpv2024_hdf.geojson", True), ("qpv2024_france.geojson", False)]
    assert qpv.noms_miroir(None) == [("qpv2024_france.geojson", False)]
    assert qpv.noms_miroir("11")[0] == ("qpv2024_idf.geojson", True)


def test_region_inconnue() -> None:
    assert slug_region("32") == "hdf"
    with pytest.raises(Introuvable, match="Code région « 99 » inconnu"):
        slug_region("99")


# -- agreement with the real mirror files ----------------------------------------------------------


def _entete(chemin: Path, src: Source) -> set[str]:
    """Column names of a mirror file: CSV header, or union of GeoJSON property keys."""
    if chemin.suffix == ".csv":
        assert src.encodage is not None and src.separateur is not None
        with chemin.open(encoding=src.encodage, newline="") as fichier:
            return set(next(csv.reader(fichier, delimiter=src.separateur)))
    donnees = json.loads(chemin.read_text(encoding="utf-8"))
    assert donnees["type"] == "FeatureCollection"
    cles: set[str] = set()
    for entite in donnees["features"]:
        cles.update(entite["properties"] or {})
    return cles


@besoin_donnees
@pytest.mark.donnees_reelles
@pytest.mark.parametrize("id_source", sorted(IDS_ATTENDUS - {"lieux-mediation-numerique"}))
def test_colonnes_attendues_presentes_dans_le_miroir(id_source: str) -> None:
    src = source(id_source)
    noms = [nom for nom, _ in src.noms_miroir("32")]
    assert noms, "au moins un fichier de miroir attendu"
    for nom in noms:
        chemin = DONNEES / nom
        assert chemin.is_file(), f"fichier de miroir absent : {chemin}"
        manquantes = set(src.colonnes) - _entete(chemin, src)
        assert not manquantes, f"{nom} : colonnes absentes {sorted(manquantes)}"


def test_la_mediation_numerique_n_a_pas_de_fichier_miroir() -> None:
    src = source("lieux-mediation-numerique")
    assert src.miroir == ()
    assert src.importeur == "standard"
    schema = json.loads(
        (
            Path(__file__).resolve().parents[1]
            / "ecosysteme"
            / "domaine"
            / "standard"
            / "schema-lieux-mediation-numerique-1.0.2.json"
        ).read_text(encoding="utf-8")
    )
    assert list(src.colonnes) == [champ["name"] for champ in schema["fields"]]


# -- malformed catalogs ----------------------------------------------------------------------------

_VALIDE = """
[[source]]
id = "essai"
titre = "Essai"
producteur = "Moi"
licence = "Licence Ouverte 2.0"
url = "https://exemple.fr/essai.geojson"
format = "geojson"
importeur = "qpv"
colonnes = ["code_qp"]
miroir = ["essai_{region_slug}.geojson", "essai_france.geojson"]
"""


def _ecrire(dossier: Path, texte: str, theme: str = "qpv") -> Path:
    chemin = dossier / theme / "catalogue.toml"
    chemin.parent.mkdir(parents=True, exist_ok=True)
    chemin.write_text(texte, encoding="utf-8")
    return chemin


def test_catalogue_minimal_valide(tmp_path: Path) -> None:
    (src,) = charger_catalogue(_ecrire(tmp_path, _VALIDE))
    assert src.theme == "qpv"
    assert src.sha256 is None
    assert src.taille_max == catalog.TAILLE_MAX_DEFAUT


def test_sha256_normalise(tmp_path: Path) -> None:
    texte = _VALIDE + f'sha256 = "{"AB" * 32}"\n'
    (src,) = charger_catalogue(_ecrire(tmp_path, texte))
    assert src.sha256 == "ab" * 32


@pytest.mark.parametrize(
    ("remplacer", "par", "attendu"),
    [
        ('url = "https://exemple.fr/essai.geojson"', 'url = "file:///etc/passwd"', "les autres schémas"),
        ('url = "https://exemple.fr/essai.geojson"', 'url = "ftp://exemple.fr/x.geojson"', "http://"),
        ('url = "https://exemple.fr/essai.geojson"', 'url = "https://exemple.fr/{dep}.geojson"', "dep"),
        ('format = "geojson"', 'format = "shp"', "valeur « shp » non autorisée"),
        ('format = "geojson"', 'format = "zip"', "membre à extraire"),
        ('format = "geojson"', 'format = "csv"', "« encodage » et « separateur »"),
        ('importeur = "qpv"', 'importeur = "inconnu"', "champ « importeur »"),
        ('titre = "Essai"\n', "", "champ obligatoire absent"),
        ('colonnes = ["code_qp"]', "colonnes = []", "valeur vide"),
        ('colonnes = ["code_qp"]', 'colonnes = ["a", "a"]', "colonne(s) en double"),
        ('id = "essai"', 'id = "Essai Majuscule"', "minuscules"),
        ('licence = "Licence Ouverte 2.0"', 'licence = "LO"\nlicense = "x"', "champ inconnu"),
        ('"essai_france.geojson"', '"../essai_france.geojson"', "« .. »"),
        ('"essai_france.geojson"', '"sous/essai_france.geojson"', "sans dossier"),
        ('"essai_france.geojson"', '"essai_{departement}.geojson"', "departement"),
        ('"essai_france.geojson"', '"essai_france.shp"', ".geojson ou .csv"),
        ('importeur = "qpv"', 'importeur = "qpv"\nsha256 = "1234"', "64 caractères"),
        ('importeur = "qpv"', 'importeur = "qpv"\ntaille_max = 0', "strictement positif"),
    ],
)
def test_catalogue_mal_forme(tmp_path: Path, remplacer: str, par: str, attendu: str) -> None:
    assert remplacer in _VALIDE
    chemin = _ecrire(tmp_path, _VALIDE.replace(remplacer, par, 1))
    with pytest.raises(FichierInvalide) as exc:
        charger_catalogue(chemin)
    assert attendu in exc.value.message
    assert "Catalogue invalide" in exc.value.message
    assert str(chemin) in str(exc.value)


def test_zip_membre_dangereux(tmp_path: Path) -> None:
    texte = _VALIDE.replace('format = "geojson"', 'format = "zip"\nmembre = "../../etc/x.geojson"')
    with pytest.raises(FichierInvalide, match="« .. »"):
        charger_catalogue(_ecrire(tmp_path, texte))
    texte = _VALIDE.replace('format = "geojson"', 'format = "zip"\nmembre = "/abs/x.geojson"')
    with pytest.raises(FichierInvalide, match="chemin absolu"):
        charger_catalogue(_ecrire(tmp_path, texte))


def test_membre_hors_zip_refuse(tmp_path: Path) -> None:
    texte = _VALIDE.replace('format = "geojson"', 'format = "geojson"\nmembre = "a/b.geojson"')
    with pytest.raises(FichierInvalide, match="n'a de sens que pour une source « zip »"):
        charger_catalogue(_ecrire(tmp_path, texte))


def test_tous_les_problemes_sont_listes(tmp_path: Path) -> None:
    texte = _VALIDE.replace('format = "geojson"', 'format = "shp"').replace(
        'url = "https://exemple.fr/essai.geojson"', 'url = "file:///x"'
    )
    texte += texte.replace('id = "essai"', 'id = "autre"')
    with pytest.raises(FichierInvalide) as exc:
        charger_catalogue(_ecrire(tmp_path, texte))
    assert "(4 problème(s))" in exc.value.message
    assert "source n° 2 (« autre »)" in exc.value.message


def test_syntaxe_toml_invalide(tmp_path: Path) -> None:
    with pytest.raises(FichierInvalide, match="syntaxe TOML invalide"):
        charger_catalogue(_ecrire(tmp_path, "[[source]\nid = "))


def test_catalogue_absent(tmp_path: Path) -> None:
    with pytest.raises(FichierInvalide, match="Catalogue introuvable"):
        charger_catalogue(tmp_path / "qpv" / "catalogue.toml")


def test_identifiant_en_double(tmp_path: Path) -> None:
    with pytest.raises(FichierInvalide, match="déjà utilisé par la source n° 1"):
        charger_catalogue(_ecrire(tmp_path, _VALIDE + _VALIDE))
    _ecrire(tmp_path, _VALIDE, "qpv")
    _ecrire(tmp_path, _VALIDE, "acteurs")
    with pytest.raises(FichierInvalide, match="déclaré deux fois"):
        sources(dossier=tmp_path)


def test_cle_de_premier_niveau_inconnue(tmp_path: Path) -> None:
    with pytest.raises(FichierInvalide, match="premier niveau inconnue"):
        charger_catalogue(_ecrire(tmp_path, "version = 2\n" + _VALIDE))
