"""A file that declares its coordinate system is read in it and converted (issue 12, point 3):
a GeoJSON with the pre-RFC 7946 ``crs`` member (what QGIS and many French tools still write), a
GeoPackage in Lambert-93, a GeoJSON in Web Mercator. Maubeuge's town hall, written in each, is
stored where it is. The guard against metres in degrees stays for files that declare nothing,
and its message names no system it cannot know."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyproj
import pytest
from typer.testing import CliRunner

from ecosysteme.cli import app
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import FichierInvalide
from ecosysteme.inventaire.importation import importer_fichier

#: Hôtel de ville de Maubeuge, place du Docteur Pierre Forest (WGS84).
MAIRIE = (3.9736, 50.2776)
PROPRIETES = {
    "id": "mairie-maubeuge",
    "pivot": "21590392700017",
    "nom": "Hôtel de ville de Maubeuge",
    "commune": "Maubeuge",
    "code_postal": "59600",
    "adresse": "Place du Docteur Pierre Forest",
    "date_maj": "2024-05-02",
    "services": "Aide aux démarches administratives",
}
GEOD = pyproj.Geod(ellps="WGS84")


def _en(epsg: int, lon: float, lat: float) -> tuple[float, float]:
    x, y = pyproj.Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)
    return float(x), float(y)


def _geojson(points: list[tuple[float, float]], crs: str | None) -> bytes:
    fc: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {**PROPRIETES, "id": f"{PROPRIETES['id']}-{i}" if i else PROPRIETES["id"]},
                "geometry": {"type": "Point", "coordinates": list(p)},
            }
            for i, p in enumerate(points)
        ],
    }
    if crs is not None:
        fc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(fc, ensure_ascii=False).encode()


def _ecart_m(lon: float, lat: float) -> float:
    return float(GEOD.inv(lon, lat, *MAIRIE)[2])


def _importe_et_place(chemin: Path, store: Path) -> str:
    res = CliRunner().invoke(app, ["importer", str(chemin), "--store", str(store)])
    assert res.exit_code == 0, res.output
    with ouvrir_depot(store) as depot:
        a = depot.obtenir(PROPRIETES["id"])
    assert a.longitude is not None and a.latitude is not None
    assert _ecart_m(a.longitude, a.latitude) < 2.0, (a.longitude, a.latitude)
    return " ".join(res.output.split())


@pytest.mark.parametrize(
    ("crs", "epsg"),
    [
        ("urn:ogc:def:crs:EPSG::2154", 2154),  # what QGIS writes
        ("EPSG:2154", 2154),
        ("urn:ogc:def:crs:EPSG::3857", 3857),  # Web Mercator
        ("urn:ogc:def:crs:EPSG::32631", 32631),  # UTM 31N
    ],
)
def test_geojson_qui_declare_son_systeme_place_la_mairie_de_maubeuge(
    tmp_path: Path, crs: str, epsg: int
) -> None:
    chemin = tmp_path / "mairie.geojson"
    chemin.write_bytes(_geojson([_en(epsg, *MAIRIE)], crs))
    sortie = _importe_et_place(chemin, tmp_path / "store.gpkg")
    assert "coordonnées converties de" in sortie and f"EPSG:{epsg}" in sortie
    assert "(degrés)" not in sortie


def test_geopackage_en_lambert93_place_la_mairie_de_maubeuge(tmp_path: Path) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    gdf = gpd.GeoDataFrame({k: [v] for k, v in PROPRIETES.items()}, geometry=[Point(*MAIRIE)], crs=4326)
    chemin = tmp_path / "mairie.gpkg"
    gdf.to_crs(2154).to_file(chemin, engine="pyogrio")
    sortie = _importe_et_place(chemin, tmp_path / "store.gpkg")
    assert "Lambert-93 (EPSG:2154)" in sortie


def test_plusieurs_lieux_en_lambert93_declare_passent_le_controle_du_fichier(tmp_path: Path) -> None:
    """The file-level guard (most points in metres) looks at the converted points."""
    lon, lat = MAIRIE
    points = [_en(2154, lon + i * 0.001, lat) for i in range(5)]
    chemin = tmp_path / "lieux.geojson"
    chemin.write_bytes(_geojson(points, "urn:ogc:def:crs:EPSG::2154"))
    r = importer_fichier(chemin, None, simulation=True)
    assert r.acceptees == 5, r.resume()


def test_metres_sans_declaration_refuses_sans_nommer_un_systeme_au_hasard(tmp_path: Path) -> None:
    """Web Mercator metres of Maubeuge, nothing declared: the guard stays, and its message names
    both Lambert-93 and Web Mercator (it cannot know which), never « déclaré en … (degrés) »."""
    lon, lat = MAIRIE
    chemin = tmp_path / "lieux.geojson"
    chemin.write_bytes(_geojson([_en(3857, lon + i * 0.001, lat) for i in range(4)], None))
    with pytest.raises(FichierInvalide) as exc:
        importer_fichier(chemin, None, simulation=True)
    message = str(exc.value)
    assert "Lambert-93" in message and "Web Mercator" in message and "en mètres" in message
    assert "(degrés)" not in message and "« lieux.geojson »" in message
    # one row alone: rejected with the same words
    chemin.write_bytes(_geojson([_en(3857, lon, lat)], None))
    r = importer_fichier(chemin, None, simulation=True)
    (rejet,) = r.rejets
    assert rejet.champ == "geometry" and "Web Mercator" in rejet.message and "Lambert-93" in rejet.message


def test_declaration_fausse_refusee(tmp_path: Path) -> None:
    """Degrees in a file that declares Lambert-93: the declaration is wrong, said so."""
    chemin = tmp_path / "lieux.geojson"
    chemin.write_bytes(_geojson([MAIRIE], "urn:ogc:def:crs:EPSG::2154"))
    with pytest.raises(FichierInvalide, match="déclare le système RGF93 v1 / Lambert-93"):
        importer_fichier(chemin, None, simulation=True)


def test_qpv_en_lambert93_declare_converti(tmp_path: Path) -> None:
    """Territory imports honour the declaration too (and refuse metres declared as nothing)."""
    lon, lat = MAIRIE
    anneau = [
        _en(2154, lon + dx, lat + dy) for dx, dy in ((0, 0), (0.01, 0), (0.01, 0.01), (0, 0.01), (0, 0))
    ]
    fc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"code_qp": "QN05999M", "lib_qp": "Essai"},
                "geometry": {"type": "Polygon", "coordinates": [[list(p) for p in anneau]]},
            }
        ],
    }
    chemin = tmp_path / "qpv.geojson"
    chemin.write_text(json.dumps(fc), encoding="utf-8")
    with ouvrir_depot(tmp_path / "store.gpkg", creer=True) as depot:
        r = importer_fichier(chemin, depot, auteur="test")
        assert r.acceptees == 1
        x0, y0, _, _ = depot.qpv().geometry.iloc[0].bounds
    assert _ecart_m(x0, y0) < 2.0
    del fc["crs"]
    chemin.write_text(json.dumps(fc), encoding="utf-8")
    with pytest.raises(FichierInvalide, match="en mètres"):
        importer_fichier(chemin, None, simulation=True)
