"""Metric CRS per territory (DESIGN §4): Lambert-93 in metropolitan France, the local projected
CRS overseas. Analysis refuses geographic CRSs; maps are drawn in EPSG:4326."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecosysteme.domaine.config import CRS_METROPOLE, CRS_OUTRE_MER
from ecosysteme.domaine.erreurs import ErreurEcosysteme


@dataclass(frozen=True)
class Territoire:
    """A piece of France where distances are measured together, in one metric CRS; a place
    serves the QPV of its own territory only (no distance across the sea)."""

    nom: str
    epsg: int
    #: (lon_min, lat_min, lon_max, lat_max) boxes holding the territory.
    boites: tuple[tuple[float, float, float, float], ...]
    departements: tuple[str, ...]


#: Fixed territories, most specific first (Corsica before the mainland box that holds it).
TERRITOIRES: tuple[Territoire, ...] = (
    Territoire("Corse", CRS_METROPOLE, ((8.3, 41.3, 9.7, 43.1),), ("2A", "2B")),
    Territoire("Guadeloupe", CRS_OUTRE_MER["971"], ((-61.9, 15.8, -60.9, 16.6),), ("971",)),
    Territoire("Martinique", CRS_OUTRE_MER["972"], ((-61.3, 14.3, -60.7, 14.95),), ("972",)),
    Territoire("Saint-Martin", 5490, ((-63.2, 18.0, -62.95, 18.15),), ("978",)),  # RGAF09 / UTM 20N
    Territoire("Saint-Barthélemy", 5490, ((-62.95, 17.85, -62.75, 17.98),), ("977",)),
    Territoire("Guyane", CRS_OUTRE_MER["973"], ((-54.7, 2.0, -51.4, 6.0),), ("973",)),
    Territoire("La Réunion", CRS_OUTRE_MER["974"], ((55.1, -21.5, 56.0, -20.8),), ("974",)),
    Territoire("Mayotte", CRS_OUTRE_MER["976"], ((44.9, -13.1, 45.4, -12.5),), ("976",)),
    Territoire("Saint-Pierre-et-Miquelon", 4467, ((-56.5, 46.7, -56.0, 47.2),), ("975",)),
    Territoire("Wallis-et-Futuna", 8903, ((-178.3, -14.4, -176.1, -13.1),), ("986",)),
    Territoire("Polynésie française", 3297, ((-154.8, -27.7, -134.4, -7.8),), ("987",)),
    Territoire("Nouvelle-Calédonie", 3163, ((163.5, -22.8, 168.2, -19.5),), ("988",)),
    Territoire("France métropolitaine", CRS_METROPOLE, ((-5.8, 41.2, 9.9, 51.2),), ()),
)
_PAR_DEPARTEMENT = {d: t for t in TERRITOIRES for d in t.departements}
_METROPOLE = TERRITOIRES[-1]


def territoire_de_point(longitude: float, latitude: float) -> Territoire | None:
    for t in TERRITOIRES:
        if any(x0 <= longitude <= x1 and y0 <= latitude <= y1 for x0, y0, x1, y1 in t.boites):
            return t
    return None


def territoires_des_points(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Index in ``TERRITOIRES`` of the territory holding each point, -1 outside them all."""
    out = np.full(len(lon), -1, dtype=np.int64)
    for k, t in enumerate(TERRITOIRES):
        libres = out < 0
        for x0, y0, x1, y1 in t.boites:
            out[libres & (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)] = k
    return out


def territoire_de_qpv(insee_dep: str | None, longitude: float, latitude: float) -> Territoire:
    """The territory of a QPV: by its département code, else by its position."""
    if insee_dep and insee_dep in _PAR_DEPARTEMENT:
        return _PAR_DEPARTEMENT[insee_dep]
    t = territoire_de_point(longitude, latitude)
    if t is not None:
        return t
    if insee_dep and not insee_dep.startswith(("97", "98")):
        return _METROPOLE
    return Territoire(
        f"UTM {crs_utm(longitude, latitude)}",
        crs_utm(longitude, latitude),
        ((longitude - 2, latitude - 2, longitude + 2, latitude + 2),),
        (),
    )


def territoires_par_qpv(qpv: gpd.GeoDataFrame) -> list[Territoire]:
    """The territory of each QPV (its metric CRS and the places that may serve it): by its
    département code, else by the centre of its bounding box (``territoire_de_qpv``)."""
    exiger_geographique(qpv, "QPV")
    bornes = shapely.bounds(qpv.geometry.to_numpy())
    cx, cy = (bornes[:, 0] + bornes[:, 2]) / 2, (bornes[:, 1] + bornes[:, 3]) / 2
    deps = qpv["insee_dep"].to_numpy(dtype=object) if "insee_dep" in qpv.columns else [None] * len(qpv)
    par_point = territoires_des_points(cx, cy)
    out: list[Territoire] = []
    for d, k, x, y in zip(deps, par_point, cx, cy, strict=True):
        dep = d if isinstance(d, str) else None
        if dep is not None and dep in _PAR_DEPARTEMENT:
            out.append(_PAR_DEPARTEMENT[dep])
        elif k >= 0:
            out.append(TERRITOIRES[k])
        else:
            out.append(territoire_de_qpv(dep, float(x), float(y)))
    return out


def crs_utm(longitude: float, latitude: float) -> int:
    """The WGS84 UTM zone holding a point (fallback for places without a listed CRS)."""
    zone = int((longitude + 180.0) // 6.0) + 1
    zone = min(max(zone, 1), 60)
    return (32600 if latitude >= 0 else 32700) + zone


def crs_par_qpv(qpv: gpd.GeoDataFrame) -> pd.Series:
    """The metric CRS (EPSG code) of each QPV: that of its territory."""
    return pd.Series([t.epsg for t in territoires_par_qpv(qpv)], index=qpv.index, dtype="int64")


def exiger_geographique(gdf: gpd.GeoDataFrame, nom: str) -> None:
    """Inputs travel in EPSG:4326; anything else is a programming error, said in French."""
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise ErreurEcosysteme(f"Les {nom} doivent être en EPSG:4326 (reçu : {gdf.crs}).")


def exiger_metrique(gdf: gpd.GeoDataFrame, nom: str) -> None:
    """Distances are only computed in a projected CRS in metres."""
    if gdf.crs is None or gdf.crs.is_geographic:
        raise ErreurEcosysteme(
            f"Les {nom} doivent être dans un système projeté en mètres (reçu : {gdf.crs})."
        )
    unite = gdf.crs.axis_info[0].unit_name if gdf.crs.axis_info else ""
    if unite not in ("metre", "meter"):
        raise ErreurEcosysteme(f"Les {nom} doivent être en mètres (unité reçue : {unite}).")
