"""Geodata exports: GeoPackage layers and metric CRS, GeoJSON in EPSG:4326, atomic writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.exports.geodonnees import (
    couche_couverture,
    crs_metrique,
    exporter_geojson,
    exporter_geojson_couches,
    exporter_gpkg,
)

MAUBEUGE = "200043396"


def _qpv(*centres: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code_qp": [f"Q{k}" for k in range(len(centres))],
            "lib_qp": [f"Quartier {k}" for k in range(len(centres))],
            "siren_epci": [MAUBEUGE] * len(centres),
            "population": pd.array([1000 * (k + 1) for k in range(len(centres))], dtype="Int64"),
        },
        geometry=[shapely.box(x - 0.005, y - 0.005, x + 0.005, y + 0.005) for x, y in centres],
        crs=4326,
    )


def _points(*coords: tuple[float, float]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"a{k}" for k in range(len(coords))]},
        geometry=gpd.points_from_xy([c[0] for c in coords], [c[1] for c in coords]),
        crs=4326,
    )


# --- hand-made --------------------------------------------------------------------------------
def test_crs_metrique_un_seul_systeme() -> None:
    assert crs_metrique(_qpv((3.97, 50.28)), _points((3.98, 50.29))) == 2154
    assert crs_metrique(_qpv((55.45, -20.9)), _points()) == 2975  # La Réunion
    with pytest.raises(ErreurEcosysteme, match="plusieurs territoires") as exc:
        crs_metrique(_qpv((3.97, 50.28)), _points((55.45, -20.9)))
    assert "La Réunion" in exc.value.message and "France métropolitaine" in exc.value.message


def test_couche_couverture_une_ligne_par_qpv() -> None:
    qpv = _qpv((3.97, 50.28), (3.99, 50.30))
    couv = pd.DataFrame(
        {
            "code_qp": ["Q0", "Q0", "Q1", "Q1"],
            "filtre": ["tous", "gratuit", "tous", "gratuit"],
            "n_interieur": [2, 0, 0, 0],
            "distance_m": [0.0, 1234.4, float("nan"), float("nan")],
            "couvert": [True, False, False, False],
        }
    )
    c = couche_couverture(couv, qpv)
    assert list(c["code_qp"]) == ["Q0", "Q1"] and c.crs == qpv.crs
    assert c.loc[0, "tous | n_interieur"] == 2 and c.loc[0, "gratuit | distance_m"] == 1234
    assert pd.isna(c.loc[1, "tous | distance_m"])
    assert c["tous | couvert"].dtype == "boolean" and c["tous | n_interieur"].dtype == "Int64"
    assert c.geometry.iloc[1].equals(qpv.geometry.iloc[1])


def test_geojson_rfc7946(tmp_path: Path) -> None:
    gdf = _points((3.97, 50.28), (2.35, 48.85)).to_crs(2154)
    gdf["liste"] = [["a", "b"], []]
    chemin = exporter_geojson(gdf, tmp_path / "points.geojson")
    doc = json.loads(chemin.read_text(encoding="utf-8"))
    assert "crs" not in doc and len(doc["features"]) == 2
    x, y = doc["features"][0]["geometry"]["coordinates"]
    assert abs(x - 3.97) < 1e-6 and abs(y - 50.28) < 1e-6  # back in degrees, longitude first
    assert doc["features"][0]["properties"]["liste"] == "a|b"
    assert [p.name for p in tmp_path.iterdir()] == ["points.geojson"]


# --- the real store -----------------------------------------------------------------------------
@pytest.mark.donnees_reelles
def test_gpkg_maubeuge(depot_hdf: Path, tmp_path: Path) -> None:
    copie = tmp_path / "store.gpkg"
    shutil.copy(depot_hdf, copie)
    with ouvrir_depot(copie) as depot:
        depot.enregistrer_scenario("Totem Sous-le-Bois", '{"nom": "Totem Sous-le-Bois"}', "Alice")
        n_qpv = len(depot.qpv(siren_epci=MAUBEUGE))
        n_acteurs = len(depot.lister(siren_epci=MAUBEUGE))
        chemin = exporter_gpkg(depot, tmp_path / "sortie" / "maubeuge.gpkg", siren_epci=MAUBEUGE)
    assert [list(c) for c in pyogrio.list_layers(chemin)] == [
        ["qpv", "MultiPolygon"],
        ["acteurs", "Point"],
        ["couverture", "MultiPolygon"],
        ["scenarios", None],
    ]
    assert n_qpv == 11 and n_acteurs >= 50
    for couche, attendu in (("qpv", n_qpv), ("acteurs", n_acteurs), ("couverture", n_qpv)):
        info = pyogrio.read_info(chemin, layer=couche)
        assert info["crs"] == "EPSG:2154" and info["features"] == attendu, couche
    qpv = gpd.read_file(chemin, layer="qpv")
    assert "QN05918M" in set(qpv["code_qp"])
    xmin, ymin, xmax, ymax = qpv.total_bounds  # metres, around Maubeuge in Lambert-93
    assert 740_000 < xmin < xmax < 790_000 and 7_010_000 < ymin < ymax < 7_040_000
    couv = gpd.read_file(chemin, layer="couverture").set_index("code_qp")
    assert couv.loc["QN05918M", "population"] == 10_341
    assert couv["tous | couvert"].dtype == bool and couv["tous | n_1000m"].dtype.kind == "i"
    scen = pyogrio.read_dataframe(chemin, layer="scenarios", read_geometry=False)
    assert list(scen["nom"]) == ["Totem Sous-le-Bois"] and scen["auteur"].iloc[0] == "Alice"
    assert json.loads(scen["contenu"].iloc[0]) == {"nom": "Totem Sous-le-Bois"}
    acteurs = gpd.read_file(chemin, layer="acteurs")
    services = acteurs["services"].dropna()
    assert len(services) and services.map(lambda v: isinstance(v, str)).all()
    assert services.str.contains("|", regex=False).any()  # lists joined as in the standard
    assert [p.name for p in chemin.parent.iterdir()] == ["maubeuge.gpkg"]


@pytest.mark.donnees_reelles
def test_geojson_maubeuge(depot_hdf: Path, tmp_path: Path) -> None:
    with ouvrir_depot(depot_hdf) as depot:
        n_acteurs = len(depot.lister(siren_epci=MAUBEUGE))
        chemins = exporter_geojson_couches(depot, tmp_path, siren_epci=MAUBEUGE, prefixe="maubeuge_")
    assert sorted(chemins) == ["acteurs", "couverture", "qpv"]
    for couche, attendu in (("qpv", 11), ("couverture", 11), ("acteurs", n_acteurs)):
        doc = json.loads(chemins[couche].read_text(encoding="utf-8"))
        assert "crs" not in doc and len(doc["features"]) == attendu, couche
        lon_min, lat_min, lon_max, lat_max = gpd.read_file(chemins[couche]).total_bounds
        assert 3.5 < lon_min < lon_max < 4.5 and 50.0 < lat_min < lat_max < 50.5, couche
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "maubeuge_acteurs.geojson",
        "maubeuge_couverture.geojson",
        "maubeuge_qpv.geojson",
    ]


@pytest.mark.donnees_reelles
def test_gpkg_echec_laisse_le_fichier_existant(
    depot_hdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cible = tmp_path / "maubeuge.gpkg"
    cible.write_bytes(b"ancien")
    vrai = pyogrio.write_dataframe
    appels: list[str] = []

    def casse(table: object, chemin: object, **kw: object) -> None:
        appels.append(str(kw.get("layer")))
        if kw.get("layer") == "couverture":
            raise OSError("disque plein")
        vrai(table, chemin, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pyogrio, "write_dataframe", casse)
    with ouvrir_depot(depot_hdf) as depot, pytest.raises(OSError, match="disque plein"):
        exporter_gpkg(depot, cible, siren_epci=MAUBEUGE)
    assert appels == ["qpv", "acteurs", "couverture"]
    assert cible.read_bytes() == b"ancien" and [p.name for p in tmp_path.iterdir()] == ["maubeuge.gpkg"]
