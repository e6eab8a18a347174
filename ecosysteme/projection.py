"""Metric CRS per territory (DESIGN §4): Lambert-93 in metropolitan France, the local projected
CRS overseas. Analysis refuses geographic CRSs; maps are drawn in EPSG:4326."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from ecosysteme.config import CRS_METROPOLE, CRS_OUTRE_MER
from ecosysteme.errors import EcosystemeError

#: Further territories with QPV in the national file, by département / collectivité code.
CRS_AUTRES: dict[str, int] = {
    "977": 5490,  # Saint-Barthélemy (RGAF09 / UTM 20N)
    "978": 5490,  # Saint-Martin
    "975": 4467,  # Saint-Pierre-et-Miquelon (RGSPM06 / UTM 21N)
    "986": 8903,  # Wallis-et-Futuna (RGWF96 / UTM 1S)
    "987": 3297,  # Polynésie française (RGPF / UTM 6S)
    "988": 3163,  # Nouvelle-Calédonie (RGNC91-93 / Lambert NC)
}


def crs_utm(longitude: float, latitude: float) -> int:
    """The WGS84 UTM zone holding a point (fallback for places without a listed CRS)."""
    zone = int((longitude + 180.0) // 6.0) + 1
    zone = min(max(zone, 1), 60)
    return (32600 if latitude >= 0 else 32700) + zone


def crs_metrique(insee_dep: str | None, longitude: float, latitude: float) -> int:
    """EPSG code of the metric CRS for a place: by its département code, else by its position."""
    if insee_dep:
        if insee_dep in CRS_OUTRE_MER:
            return CRS_OUTRE_MER[insee_dep]
        if insee_dep in CRS_AUTRES:
            return CRS_AUTRES[insee_dep]
        if not insee_dep.startswith("97") and not insee_dep.startswith("98"):
            return CRS_METROPOLE
    if -5.8 <= longitude <= 9.9 and 41.2 <= latitude <= 51.2:
        return CRS_METROPOLE
    return crs_utm(longitude, latitude)


def crs_par_qpv(qpv: gpd.GeoDataFrame) -> pd.Series:
    """The metric CRS (EPSG code) of each QPV, from ``insee_dep`` and its position."""
    exiger_geographique(qpv, "QPV")
    pts = qpv.geometry.representative_point()
    deps = qpv["insee_dep"] if "insee_dep" in qpv.columns else pd.Series([None] * len(qpv), index=qpv.index)
    return pd.Series(
        [crs_metrique(d if isinstance(d, str) else None, p.x, p.y) for d, p in zip(deps, pts, strict=True)],
        index=qpv.index,
        dtype="int64",
    )


def exiger_geographique(gdf: gpd.GeoDataFrame, nom: str) -> None:
    """Inputs travel in EPSG:4326; anything else is a programming error, said in French."""
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise EcosystemeError(f"Les {nom} doivent être en EPSG:4326 (reçu : {gdf.crs}).")


def exiger_metrique(gdf: gpd.GeoDataFrame, nom: str) -> None:
    """Distances are only computed in a projected CRS in metres."""
    if gdf.crs is None or gdf.crs.is_geographic:
        raise EcosystemeError(f"Les {nom} doivent être dans un système projeté en mètres (reçu : {gdf.crs}).")
    unite = gdf.crs.axis_info[0].unit_name if gdf.crs.axis_info else ""
    if unite not in ("metre", "meter"):
        raise EcosystemeError(f"Les {nom} doivent être en mètres (unité reçue : {unite}).")
