"""Every real file of ../shared/data imports: counts add up, reasons given, values normalised."""

from __future__ import annotations

import collections
import csv
import re
from pathlib import Path

import pytest

from ecosysteme.domaine import standard
from ecosysteme.domaine.erreurs import FichierInvalide
from ecosysteme.domaine.modeles import Categorie
from ecosysteme.inventaire.importation import importer_fichier
from ecosysteme.sources.importeurs.acteurs import convertir_table
from ecosysteme.sources.importeurs.base import RapportImport
from ecosysteme.sources.lecture import lire_table

pytestmark = pytest.mark.donnees_reelles

FICHIERS_ACTEURS = {
    "lieux_conseillers_numeriques_2022-06_france.csv": ("conseillers-numeriques", 4930),
    "data_inclusion_structures_2022-07_france.csv": ("data-inclusion", 3811),
    "france_services_2022-12-01_france.csv": ("france-services", 2683),
    "bibliotheques_publiques_france.csv": ("bibliotheques", 15702),
    "lieux_conseillers_numeriques_2022-06_hdf.geojson": ("conseillers-numeriques", 420),
    "data_inclusion_structures_2022-07_hdf.geojson": ("data-inclusion", 243),
    "france_services_2022-12-01_hdf.geojson": ("france-services", 189),
    "bibliotheques_publiques_hdf.geojson": ("bibliotheques", 1231),
}
TEL = re.compile(standard.motif("telephone").pattern)  # type: ignore[union-attr]


def _lignes_csv(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


@pytest.mark.parametrize("nom", sorted(FICHIERS_ACTEURS))
def test_fichier_acteurs_compte_juste(donnees: Path, nom: str) -> None:
    fmt, n = FICHIERS_ACTEURS[nom]
    r = importer_fichier(donnees / nom, None, simulation=True)
    assert r.format == fmt
    assert r.lignes_lues == n
    if nom.endswith(".csv"):
        assert _lignes_csv(donnees / nom) == n
    assert r.acceptees + r.rejetees == r.lignes_lues, r.resume()
    assert all(p.message and p.ligne is not None for p in r.rejets)


@pytest.mark.parametrize(
    ("nom", "sans_coordonnees"),
    [
        ("lieux_conseillers_numeriques_2022-06_france.csv", 22),
        ("data_inclusion_structures_2022-07_france.csv", 439),
        ("france_services_2022-12-01_france.csv", 30),
        ("bibliotheques_publiques_france.csv", 164),
    ],
)
def test_sans_coordonnees_rejetees_avec_raison(donnees: Path, nom: str, sans_coordonnees: int) -> None:
    r = importer_fichier(donnees / nom, None, simulation=True)
    raisons = collections.Counter(p.message for p in r.rejets)
    assert raisons["coordonnées absentes : le lieu ne peut pas être placé sur la carte."] == sans_coordonnees
    assert r.rejetees == sans_coordonnees


def _acteurs(donnees: Path, nom: str) -> list:  # type: ignore[type-arg]
    fmt, _ = FICHIERS_ACTEURS[nom]
    r = RapportImport(nom, fmt)
    return convertir_table(lire_table(donnees / nom), fmt, r)


def test_categories_attribuees(donnees: Path) -> None:
    fs = _acteurs(donnees, "france_services_2022-12-01_hdf.geojson")
    assert {a.categorie for a in fs} == {Categorie.FRANCE_SERVICES}
    bib = _acteurs(donnees, "bibliotheques_publiques_hdf.geojson")
    assert {a.categorie for a in bib} == {Categorie.MEDIATHEQUE}
    cn = collections.Counter(
        a.categorie for a in _acteurs(donnees, "lieux_conseillers_numeriques_2022-06_france.csv")
    )
    assert cn[Categorie.CONSEILLER_NUMERIQUE] > 1000
    assert cn[Categorie.FRANCE_SERVICES] > 500  # places labelled France Services
    assert cn[Categorie.MEDIATHEQUE] > 100  # named "médiathèque"
    di = collections.Counter(
        a.categorie for a in _acteurs(donnees, "data_inclusion_structures_2022-07_france.csv")
    )
    assert di[Categorie.CCAS] >= 32 and di[Categorie.ASSOCIATION] >= 75
    assert len(di) >= 8


def test_telephones_normalises(donnees: Path) -> None:
    for nom in (
        "lieux_conseillers_numeriques_2022-06_france.csv",
        "data_inclusion_structures_2022-07_france.csv",
        "france_services_2022-12-01_france.csv",
    ):
        acteurs = _acteurs(donnees, nom)
        tels = [a.telephone for a in acteurs if a.telephone]
        assert len(tels) > len(acteurs) / 3
        assert all(TEL.fullmatch(t) for t in tels)
    fs = {a.id: a for a in _acteurs(donnees, "france_services_2022-12-01_france.csv")}
    assert fs["fs-1"].telephone == "+33450568749"  # "04 50 56 87 49"
    outre_mer = [
        a.telephone for a in fs.values() if a.code_postal and a.code_postal.startswith("97") and a.telephone
    ]
    assert outre_mer and all(t.startswith(("+590", "+594", "+262", "+596", "+269")) for t in outre_mer)


def test_services_anciens_convertis(donnees: Path) -> None:
    cn = _acteurs(donnees, "lieux_conseillers_numeriques_2022-06_hdf.geojson")
    assert all(
        a.services == ["Maîtrise des outils numériques du quotidien", "Compréhension du monde numérique"]
        for a in cn
    )
    assert all("Conseillers numériques" in a.dispositif_programmes_nationaux for a in cn)
    assert all(a.frais_a_charge == ["Gratuit"] for a in cn)


def test_pivot_placeholder_conserve(donnees: Path) -> None:
    cn = _acteurs(donnees, "lieux_conseillers_numeriques_2022-06_hdf.geojson")
    assert any(a.pivot == "00000000000000" for a in cn)


def test_france_services_horaires_et_itinerance(donnees: Path) -> None:
    fs = {a.id: a for a in _acteurs(donnees, "france_services_2022-12-01_france.csv")}
    assert fs["fs-1"].horaires == "Mo-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00"
    assert fs["fs-3"].itinerance == ["Itinérant"]  # "Bus France services Thiérache…", itinerance Oui
    assert sum(1 for a in fs.values() if a.horaires) > 2400


def test_qpv_hdf(donnees: Path) -> None:
    for nom in ("qpv2024_hdf.geojson", "qpv2024_hdf.gpkg"):
        r = importer_fichier(donnees / nom, None, simulation=True)
        assert (r.format, r.lignes_lues, r.acceptees, r.rejetees) == ("qpv", 204, 204, 0)


def test_qpv_france(donnees: Path) -> None:
    r = importer_fichier(donnees / "qpv2024_france.geojson", None, simulation=True)
    assert (r.format, r.lignes_lues, r.acceptees) == ("qpv", 1584, 1584)


def test_population_premiere_valeur_jamais_la_somme(donnees: Path) -> None:
    from ecosysteme.sources.importeurs.territoire import lire_population

    r = RapportImport("qpv2024_indicateurs_hdf.csv", "population")
    pops = lire_population(donnees / "qpv2024_indicateurs_hdf.csv", r)
    assert len(pops) == 204
    assert sum(pops.values()) == 753_115
    assert pops["QN05918M"] == 10_341
    assert pops["QN05969M"] == 9_726
    r = RapportImport("qpv2024_indicateurs_france.csv", "population")
    assert r.lignes_lues == 0
    pops = lire_population(donnees / "qpv2024_indicateurs_france.csv", r)
    assert r.lignes_lues == 1713 and r.acceptees == 1713


def test_communes_epci(donnees: Path) -> None:
    r = importer_fichier(donnees / "communes_hdf_2026.geojson", None, simulation=True)
    assert (r.format, r.acceptees) == ("communes", 3782)
    r = importer_fichier(donnees / "epci_hdf_2026.geojson", None, simulation=True)
    assert (r.format, r.acceptees) == ("epci", 92)


def test_un_fichier_de_departements_ne_remplace_pas_les_communes(donnees: Path) -> None:
    with pytest.raises(FichierInvalide, match="départements, pas des communes"):
        importer_fichier(donnees / "departements_hdf.geojson", None, simulation=True)


def test_indicateurs_format_reconnu(donnees: Path) -> None:
    r = importer_fichier(donnees / "qpv2024_indicateurs_hdf.csv", None, simulation=True)
    assert r.format == "population"
