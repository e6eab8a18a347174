"""Territory selection, gap matrix and QPV / actor sheets on tiny hand-made data."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from ecosysteme.analyse.couverture import Parametres, couverture, filtre
from ecosysteme.analyse.fiches import acteurs_proches, couverture_qpv, fiche_acteur
from ecosysteme.analyse.lacunes import matrice
from ecosysteme.analyse.selection import Selection, chercher_epci, filtrer
from ecosysteme.domaine.dates import fraicheur
from ecosysteme.domaine.texte import plier
from ecosysteme.ui.texte import md

# about 1 km = 0.009° of latitude, 0.0141° of longitude at 50°N
LAT, LON = 50.0, 3.0
DLAT, DLON = 0.009, 0.0141


def carre(x0: float, y0: float, cote_km: float = 0.5) -> object:
    return box(LON + x0 * DLON, LAT + y0 * DLAT, LON + (x0 + cote_km) * DLON, LAT + (y0 + cote_km) * DLAT)


@pytest.fixture
def territoire() -> dict[str, gpd.GeoDataFrame]:
    qpv = gpd.GeoDataFrame(
        {
            "code_qp": ["QN05901M", "QN05902M", "QN05903M", "QN06201M"],
            "lib_qp": ["Centre", "Gare", "Loin", "Ailleurs"],
            "siren_epci": ["200000001", "200000001,200000002", "200000002", "200000003"],
            "insee_dep": ["59", "59", "59", "62"],
            "insee_reg": ["32"] * 4,
            "population": [1000.0, 2000.0, np.nan, 500.0],
        },
        geometry=[carre(0, 0), carre(3, 0), carre(30, 0), carre(0, 40)],
        crs=4326,
    )
    communes = gpd.GeoDataFrame(
        {
            "code": ["59001", "59002", "62001"],
            "nom": ["Épinay-sur-Sambre", "Gareville", "Ailleurs-lès-Bois"],
            "insee_dep": ["59", "59", "62"],
            "siren_epci": ["200000001", "200000002", "200000003"],
        },
        geometry=[carre(-1, -1, 3), carre(2.5, -1, 40), carre(-1, 39, 3)],
        crs=4326,
    )
    epci = gpd.GeoDataFrame(
        {
            "siren_epci": ["200000001", "200000002", "200000003"],
            "nom_epci": ["CA du Centre", "CC de la Gare", "CU d'Ailleurs"],
        },
        geometry=[carre(-1, -1, 3), carre(2.5, -1, 40), carre(-1, 39, 3)],
        crs=4326,
    )
    pts = [(0.25, 0.25), (3.25, 0.8), (60, 0)]  # inside Centre; 300 m above Gare; far away
    acteurs = gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c"],
            "nom": ["Médiathèque du Centre", "<img src=x onerror=alert(1)>", "Lointain"],
            "categorie": ["Médiathèque", "France Services", "EPN"],
            "commune": ["Épinay-sur-Sambre", "Gareville", "Gareville"],
            "statut": ["actif"] * 3,
            "services": [
                ["Accès internet et matériel informatique"],
                ["Aide aux démarches administratives"],
                [],
            ],
            "latitude": [LAT + y * DLAT for _, y in pts],
            "longitude": [LON + x * DLON for x, _ in pts],
            "epci_geo": ["200000001", "200000002", "200000002"],
            "dep_geo": ["59", "59", "59"],
            "date_maj": ["2026-10-01", "2025-01-15", None],
        },
        geometry=[Point(LON + x * DLON, LAT + y * DLAT) for x, y in pts],
        crs=4326,
    )
    return {"qpv": qpv, "communes": communes, "epci": epci, "acteurs": acteurs}


def test_filtrer_epci_garde_le_qpv_partage(territoire: dict[str, gpd.GeoDataFrame]) -> None:
    t = territoire
    vue = filtrer(t["qpv"], t["epci"], t["communes"], t["acteurs"], Selection("32", "59", "200000002"))
    assert list(vue.qpv["code_qp"]) == ["QN05902M", "QN05903M"]
    assert list(vue.acteurs["id"]) == ["b", "c"]
    assert list(vue.communes["code"]) == ["59002"]
    assert vue.libelle == "CC de la Gare (200000002)"


def test_filtrer_departement_et_region(territoire: dict[str, gpd.GeoDataFrame]) -> None:
    t = territoire
    vue = filtrer(t["qpv"], t["epci"], t["communes"], t["acteurs"], Selection("32", "59"))
    assert len(vue.qpv) == 3 and set(vue.epci["siren_epci"]) == {"200000001", "200000002"}
    vue = filtrer(t["qpv"], t["epci"], t["communes"], t["acteurs"], Selection("32"))
    assert len(vue.qpv) == 4 and vue.libelle == "Hauts-de-France"


def test_chercher_epci(territoire: dict[str, gpd.GeoDataFrame]) -> None:
    t = territoire
    assert chercher_epci("epinay", t["epci"], t["communes"]) == ["200000001"]
    assert chercher_epci("ÉPINAY SUR", t["epci"], t["communes"]) == ["200000001"]
    assert chercher_epci("gare", t["epci"], t["communes"]) == ["200000002"]
    assert chercher_epci("2000000", t["epci"], t["communes"]) == ["200000001", "200000002", "200000003"]
    assert chercher_epci("62001", t["epci"], t["communes"]) == ["200000003"]
    assert chercher_epci("zzz", t["epci"], t["communes"]) == []
    assert plier("Lès-Œuvres  d’Ici") == "les œuvres d ici"


def test_matrice_sans_offre_en_premier(territoire: dict[str, gpd.GeoDataFrame]) -> None:
    t = territoire
    filtres = (filtre("service:Aide aux démarches administratives"), filtre("tous"))
    couv = couverture(t["qpv"], t["acteurs"], Parametres(filtres=filtres))
    m = matrice(couv, t["qpv"], filtres)
    # Loin (unknown population) and Ailleurs have nothing within 1 km: first, most residents first
    assert list(m["code_qp"]) == ["QN06201M", "QN05903M", "QN05901M", "QN05902M"]
    assert list(m["sans_offre"]) == [True, True, False, False]
    ligne = m.set_index("code_qp").loc["QN05902M"]
    assert ligne["couverts"] == 2
    assert ligne["Aide aux démarches administratives"] == pytest.approx(300, abs=3)
    centre = m.set_index("code_qp").loc["QN05901M"]
    assert centre["couverts"] == 1 and centre["Tout acteur"] == 0
    comptes = matrice(couv, t["qpv"], filtres, "n_300m").set_index("code_qp")
    assert comptes.loc["QN05901M", "Tout acteur"] == 1


def test_fraicheur_bornes() -> None:
    jour = dt.date(2026, 11, 26)
    assert fraicheur("2026-05-27", jour).classe == "moins de 6 mois"
    assert fraicheur("2026-05-26", jour).classe == "6 à 12 mois"
    assert fraicheur("2025-11-27", jour).classe == "6 à 12 mois"
    assert fraicheur("2025-11-26", jour).classe == "12 à 18 mois"
    assert fraicheur("2025-05-26", jour).classe == "18 mois ou plus"
    assert fraicheur(None, jour).classe == "inconnue"
    assert fraicheur("pas une date", jour).classe == "inconnue"
    assert fraicheur("2027-01-01", jour).classe == "inconnue"
    assert (
        fraicheur(dt.datetime(2026, 11, 1, 12), jour).libelle == "mise à jour le 01/11/2026 (moins de 6 mois)"
    )


def test_fiches(territoire: dict[str, gpd.GeoDataFrame]) -> None:
    t = territoire
    proches = acteurs_proches(t["qpv"], "QN05902M", t["acteurs"], 5000)
    assert list(proches["id"]) == ["b", "a"]
    assert proches["distance_m"].iloc[0] == pytest.approx(300, abs=3)
    # 3 km - 0.25 km east of Centre’s actor, same latitude band: 2.75 km (1 km ≈ 1.009 km here)
    assert proches["distance_m"].iloc[1] == pytest.approx(2775, rel=0.01)
    assert acteurs_proches(t["qpv"], "ABSENT", t["acteurs"], 5000).empty
    filtres = (filtre("tous"), filtre("categorie:EPN"))
    couv = couverture(t["qpv"], t["acteurs"], Parametres(filtres=filtres))
    c = couverture_qpv(couv, "QN05901M", filtres).set_index("offre")
    assert c.loc["Tout acteur", "n_interieur"] == 1 and c.loc["Tout acteur", "distance_m"] == 0
    assert bool(c.loc["Tout acteur", "couvert"]) and not bool(c.loc["EPN", "couvert"])
    lignes, fr = fiche_acteur(t["acteurs"].iloc[1], dt.date(2026, 11, 26))
    champs = dict(lignes)
    assert champs["Catégorie"] == "France Services"
    assert champs["Services"] == "Aide aux démarches administratives"
    assert "Services" not in dict(fiche_acteur(t["acteurs"].iloc[2], dt.date(2026, 11, 26))[0])
    assert fr.classe == "18 mois ou plus"


@pytest.mark.parametrize(
    "texte",
    ["![x](http://example.org/x.png)", "[clic](javascript:alert(1))", "<b>gras</b>", "**fort** _i_ `c`"],
)
def test_md_neutralise(texte: str) -> None:
    sortie = md(texte)
    for signe in "[]()<>*_`!":
        assert signe not in sortie.replace(f"\\{signe}", "")
    assert md(None) == ""
    assert pd.isna(np.nan) and md("a\nb") == "a b"


def test_filtrer_acteurs() -> None:
    from ecosysteme.analyse.couverture import filtrer_acteurs
    from ecosysteme.domaine.erreurs import ErreurEcosysteme

    a = gpd.GeoDataFrame(
        {
            "id": ["m", "f", "e", "x"],
            "categorie": ["Médiathèque", "France Services", "EPN", "EPN"],
            "statut": ["actif", "actif", "actif", "fermé"],
            "services": [
                ["Accès internet et matériel informatique"],
                ["Aide aux démarches administratives"],
                [],
                [],
            ],
            "frais_a_charge": [["Gratuit"], ["Gratuit"], ["Payant"], ["Gratuit"]],
            "horaires": ["Sa 10:00-12:00", "Mo-Fr 09:00-19:00", None, "Su 10:00-12:00"],
            "latitude": [50.0] * 4,
            "longitude": [3.0] * 4,
        },
        geometry=[Point(3.0, 50.0)] * 4,
        crs=4326,
    )
    ids = lambda df: list(df["id"])  # noqa: E731
    assert ids(filtrer_acteurs(a)) == ["m", "f", "e"]  # closed: never shown
    two = [filtre("categorie:Médiathèque"), filtre("categorie:France Services")]
    assert ids(filtrer_acteurs(a, two)) == ["m", "f"]  # either category
    assert ids(filtrer_acteurs(a, [*two, filtre("service:Aide aux démarches administratives")])) == ["f"]
    assert ids(filtrer_acteurs(a, [filtre("gratuit")])) == ["m", "f"]
    assert ids(filtrer_acteurs(a, creneaux=["samedi"])) == ["m"]
    assert ids(filtrer_acteurs(a, creneaux=["soir", "samedi"])) == ["m", "f"]
    assert ids(filtrer_acteurs(a, creneaux=["dimanche"])) == []  # unknown hours are not « open »
    with pytest.raises(ErreurEcosysteme, match="créneau inconnu"):
        filtrer_acteurs(a, creneaux=["lundi"])
