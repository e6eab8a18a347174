"""Stops of mobile services read from files (issue 12, point 4): an ``arrets`` list in GeoJSON or
JSON, or one row per stop in CSV / XLSX with the service's id; a service known only by its stops
accepted; every stop checked like a point (French messages naming the stop and the field)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import openpyxl
import pytest
from aide_store import acteur

from ecosysteme.analyse.couverture import Parametres, couverture, filtre
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import Emplacement, FichierInvalide
from ecosysteme.domaine.modeles import Arret
from ecosysteme.inventaire.importation import importer_arrets, importer_fichier
from ecosysteme.sources.importeurs.acteurs import convertir_table
from ecosysteme.sources.importeurs.arrets import arrets_de_la_cellule, lire_arrets
from ecosysteme.sources.importeurs.base import RapportImport
from ecosysteme.sources.lecture import lire_table

#: Maubeuge (Sous-le-Bois) and Louvroil: two stops of one bus.
MARCHE = {"nom": "Place du marché", "latitude": 50.2818, "longitude": 3.9524, "horaires": "Sa 09:00-12:00"}
MAIRIE = {
    "nom": "Mairie",
    "adresse": "1 place de la Mairie",
    "commune": "Louvroil",
    "code_insee": "59365",
    "latitude": 50.2645,
    "longitude": 3.9585,
    "horaires": "Tu 14:00-17:00",
}
SERVICE: dict[str, Any] = {
    "id": "bus-fs",
    "pivot": "00000000000000",
    "nom": "France Services itinérante",
    "commune": "Maubeuge",
    "code_postal": "59600",
    "adresse": "Itinérant",
    "date_maj": "2026-10-01",
    "itinerance": "Itinérant",
    "services": "Aide aux démarches administratives",
}


def _geojson(
    chemin: Path, proprietes: list[dict[str, Any]], points: list[tuple[float, float] | None]
) -> Path:
    features = [
        {
            "type": "Feature",
            "properties": p,
            "geometry": None if pt is None else {"type": "Point", "coordinates": list(pt)},
        }
        for p, pt in zip(proprietes, points, strict=True)
    ]
    chemin.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return chemin


def test_geojson_service_connu_par_ses_arrets(tmp_path: Path) -> None:
    fixe = {**SERVICE, "id": "epn", "nom": "EPN", "itinerance": "Fixe", "arrets": None}
    f = _geojson(
        tmp_path / "lieux.geojson", [{**SERVICE, "arrets": [MARCHE, MAIRIE]}, fixe], [None, (3.95, 50.28)]
    )
    with ouvrir_depot(tmp_path / "s.gpkg", creer=True) as depot:
        r = importer_fichier(f, depot)
        assert (r.format, r.acceptees, r.rejetees) == ("standard", 2, 0), r.resume()
        bus = depot.obtenir("bus-fs")
        assert bus.latitude is None and bus.longitude is None  # no point of its own
        assert [(a.nom, a.horaires) for a in bus.arrets] == [
            ("Place du marché", "Sa 09:00-12:00"),
            ("Mairie", "Tu 14:00-17:00"),
        ]
        assert bus.arrets[1].code_insee == "59365" and bus.arrets[1].commune == "Louvroil"
        assert depot.obtenir("epn").arrets == []


def test_json_service_et_arrets(tmp_path: Path) -> None:
    f = tmp_path / "lieux.json"
    f.write_text(json.dumps([{**SERVICE, "arrets": [MARCHE, MAIRIE]}]), encoding="utf-8")
    rapport = RapportImport("lieux.json", "standard")
    (bus,) = convertir_table(lire_table(f), "standard", rapport)
    assert [a.nom for a in bus.arrets] == ["Place du marché", "Mairie"] and not rapport.rejets


def test_arrets_verifies_un_par_un(tmp_path: Path) -> None:
    sans_coord = {"nom": "Nulle part", "horaires": "Sa 09:00-12:00"}
    piege = {**MARCHE, "nom": "<img src=x onerror=alert(1)>"}
    lambert = {**MARCHE, "latitude": 7_000_000.0, "longitude": 700_000.0}
    mauvaises_heures = {**MARCHE, "horaires": "le samedi matin", "nom": None}
    f = _geojson(
        tmp_path / "l.geojson",
        [
            {**SERVICE, "id": "s1", "arrets": [MARCHE, sans_coord]},
            {**SERVICE, "id": "s2", "arrets": [piege]},
            {**SERVICE, "id": "s3", "arrets": [lambert]},
            {**SERVICE, "id": "s4", "arrets": [mauvaises_heures]},
            {**SERVICE, "id": "s5", "arrets": None},  # neither point nor stop: rejected as before
        ],
        [None] * 5,
    )
    r = importer_fichier(f, None, simulation=True)
    rejets = {p.ligne: (p.champ, p.message) for p in r.rejets}
    assert r.acceptees == 1 and sorted(rejets) == [1, 2, 3, 5], r.resume()
    assert (
        rejets[1][0] == "arrets[2].latitude" and "arrêt n° 2" in rejets[1][1] and "absentes" in rejets[1][1]
    )
    assert rejets[2][0] == "arrets[1].nom"
    assert "Lambert-93" in rejets[3][1]
    assert "placé sur la carte" in rejets[5][1]  # no point and no stop
    avertissements = [p for p in r.avertissements if p.ligne == 4]
    assert {p.champ for p in avertissements} == {"arrets[1].nom", "arrets[1].horaires"}
    assert any("horaires inconnus" in p.message for p in avertissements)


def test_cellule_arrets_formes_lues() -> None:
    ou = Emplacement("f", 3)
    json_texte = json.dumps([MARCHE, MAIRIE])
    forme_geojson = str([MARCHE, MAIRIE])  # what the reader makes of a GeoJSON list
    forme_json = "|".join(str(x) for x in (MARCHE, MAIRIE))  # what the JSON reader makes of it
    for brut in (json_texte, forme_geojson, forme_json, [MARCHE, MAIRIE]):
        arrets, avert = arrets_de_la_cellule(brut, ou)
        assert [a.nom for a in arrets] == ["Place du marché", "Mairie"] and avert == [], brut
    assert arrets_de_la_cellule(None, ou) == ([], []) and arrets_de_la_cellule("[]", ou) == ([], [])
    from ecosysteme.domaine.erreurs import DonneeInvalide

    for brut in ("__import__('os').system('true')", "[1, 2]", "pas une liste"):
        with pytest.raises(DonneeInvalide, match="arrêts"):
            arrets_de_la_cellule(brut, ou)


def _csv_arrets(chemin: Path, lignes: list[str]) -> Path:
    chemin.write_text(
        "\n".join(["id_service;nom;latitude;longitude;horaires;commune", *lignes]) + "\n", encoding="utf-8"
    )
    return chemin


def test_fichier_csv_une_ligne_par_arret_dans_le_depot(tmp_path: Path) -> None:
    f = _csv_arrets(
        tmp_path / "arrets.csv",
        [
            "bus;Place du marché;50.2818;3.9524;Sa 09:00-12:00;Maubeuge",
            "inconnu;Ailleurs;50.30;3.95;;Maubeuge",
            "bus;Mairie;50.2645;3.9585;Tu 14:00-17:00;Louvroil",
            "bus;Sans lieu;;;Mo 09:00-10:00;Louvroil",
            ";Orphelin;50.1;3.9;;X",
        ],
    )
    with ouvrir_depot(tmp_path / "s.gpkg", creer=True) as depot:
        depot.ajouter(acteur("bus", nom="Bus numérique", itinerance=["Itinérant"]), "test")
        simulation = importer_arrets(f, depot, simulation=True)
        assert depot.obtenir("bus").arrets == [] and simulation.lot_id is None
        r = importer_arrets(f, depot, auteur="Camille")
        assert r.format == "arrets" and r.lignes_lues == 5 and r.acceptees == 2, r.resume()
        assert {p.ligne for p in r.rejets} == {5, 6}  # no coordinates; no service id
        assert any("« inconnu » absent du dépôt" in p.message for p in r.avertissements)
        bus = depot.obtenir("bus")
        assert [(a.nom, a.horaires, a.commune) for a in bus.arrets] == [
            ("Place du marché", "Sa 09:00-12:00", "Maubeuge"),
            ("Mairie", "Tu 14:00-17:00", "Louvroil"),
        ]
        assert r.lot_id is not None and r.mis_a_jour == 1
        depot.annuler_lot(r.lot_id, "Camille")  # one batch, undoable
        assert depot.obtenir("bus").arrets == []


def test_fichier_xlsx_et_service_sans_point_dans_le_meme_import(tmp_path: Path) -> None:
    """An actor file whose mobile service has no coordinates, imported with its stops file."""
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    assert feuille is not None
    feuille.append(["id_service", "nom_arret", "lat", "lon", "horaires"])
    feuille.append(["bus-fs", "Place du marché", 50.2818, 3.9524, "Sa 09:00-12:00"])
    feuille.append(["bus-fs", "Mairie", 50.2645, 3.9585, "Tu 14:00-17:00"])
    classeur.save(tmp_path / "arrets.xlsx")
    rapport_arrets = RapportImport("arrets.xlsx", "arrets")
    arrets = lire_arrets(lire_table(tmp_path / "arrets.xlsx"), rapport_arrets)
    assert [a.nom for a in arrets["bus-fs"]] == ["Place du marché", "Mairie"]
    entetes = list(SERVICE)
    lieux = tmp_path / "lieux.csv"
    lieux.write_text(
        ";".join(entetes) + "\n" + ";".join(str(SERVICE[c]) for c in entetes) + "\n", encoding="utf-8"
    )
    rapport = RapportImport("lieux.csv", "standard")
    assert convertir_table(lire_table(lieux), "standard", RapportImport("lieux.csv", "standard")) == []
    (bus,) = convertir_table(lire_table(lieux), "standard", rapport, arrets=arrets)
    assert bus.latitude is None and [a.horaires for a in bus.arrets] == ["Sa 09:00-12:00", "Tu 14:00-17:00"]


def test_fichier_arrets_sans_colonne_de_service(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_text("nom;latitude;longitude\nX;50;3\n", encoding="utf-8")
    with pytest.raises(FichierInvalide, match="id_service"):
        lire_arrets(lire_table(f), RapportImport("a.csv", "arrets"))


def test_service_importe_compte_avec_ses_arrets(tmp_path: Path) -> None:
    """End to end: the imported service counts in each QPV with the hours of its stop there."""
    f = _geojson(tmp_path / "l.geojson", [{**SERVICE, "arrets": [MARCHE, MAIRIE]}], [None])
    with ouvrir_depot(tmp_path / "s.gpkg", creer=True) as depot:
        importer_fichier(f, depot)
        acteurs = depot.acteurs_gdf()
    autour = [
        gpd.points_from_xy([a["longitude"]], [a["latitude"]], crs=4326)
        .to_crs(2154)
        .buffer(100)
        .to_crs(4326)[0]
        for a in (MARCHE, MAIRIE)
    ]
    qpv = gpd.GeoDataFrame({"code_qp": ["QA", "QB"], "insee_dep": ["59", "59"]}, geometry=autour, crs=4326)
    c = couverture(qpv, acteurs, Parametres(filtres=(filtre("tous"),))).set_index("code_qp")
    assert c.loc["QA", "n_interieur"] == 1 and c.loc["QB", "n_interieur"] == 1
    assert c.loc["QA", "n_ouvert_samedi"] == 1 and c.loc["QB", "n_ouvert_samedi"] == 0
    assert isinstance(Arret(**MARCHE), Arret)


def test_commande_importer_un_fichier_d_arrets(tmp_path: Path) -> None:
    """`ecosysteme importer arrets.csv` recognises a stops file by its columns (id_service +
    coordinates) and gives the stops to the stored service as one batch; ``--format arrets`` too."""
    from typer.testing import CliRunner

    from ecosysteme.cli import app

    f = _csv_arrets(
        tmp_path / "arrets.csv",
        ["bus;Place du marché;50.2818;3.9524;Sa 09:00-12:00;Maubeuge"],
    )
    chemin = tmp_path / "s.gpkg"
    with ouvrir_depot(chemin, creer=True) as depot:
        depot.ajouter(acteur("bus", nom="Bus numérique", itinerance=["Itinérant"]), "test")
    for options in ([], ["--format", "arrets"]):
        res = CliRunner().invoke(app, ["importer", str(f), "--store", str(chemin), *options])
        assert res.exit_code == 0, res.output
        with ouvrir_depot(chemin) as depot:
            assert [a.nom for a in depot.obtenir("bus").arrets] == ["Place du marché"]
            assert depot.lots()[0].format == "arrets"
