"""Geometries for display: simplified in metres, back in EPSG:4326, coordinates rounded.

Pure functions on GeoDataFrames, meant to be cached by the caller (they are the slow part of a
map). Each row is simplified in the metric CRS of its territory (``projection``: Lambert-93 in
metropolitan France, the local projected CRS overseas), with ``preserve_topology=True``; the
coordinates are then rounded to ``decimales`` decimal degrees (5 ≈ 1 m). A simplified geometry
stays within ``tolerance_m`` of the original (plus the rounding, < 1 m at 5 decimals); it may
be slightly invalid after rounding, which a map does not mind (never reuse it for analysis).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecosysteme.domaine import reglages
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.projection import crs_par_qpv, exiger_geographique

#: Default tolerances (metres): QPV keep their shape at street scale; communes and EPCI are a
#: background drawn as thin lines.
TOLERANCE_QPV_M = reglages.TOLERANCE_QPV_M
TOLERANCE_FOND_M = reglages.TOLERANCE_FOND_M
DECIMALES = 5


def arrondir(geoms: np.ndarray, decimales: int = DECIMALES) -> np.ndarray:
    """Coordinates rounded to ``decimales`` decimals (same structure, no validity repair)."""
    arrondies: np.ndarray = shapely.transform(geoms, lambda c: np.round(c, decimales))
    return arrondies


def _non_vides(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    g = gdf.geometry
    return gdf[g.notna().to_numpy() & ~g.is_empty.to_numpy()]


def simplifier(gdf: gpd.GeoDataFrame, tolerance_m: float, decimales: int = DECIMALES) -> gpd.GeoDataFrame:
    """A copy of ``gdf`` (EPSG:4326) with geometries simplified by ``tolerance_m`` metres in
    each row's metric CRS and coordinates rounded; rows without geometry are dropped, the index
    and the other columns are kept."""
    exiger_geographique(gdf, "géométries à simplifier")
    if tolerance_m < 0:
        raise ErreurEcosysteme("la tolérance de simplification doit être positive ou nulle (mètres).")
    out = _non_vides(gdf).copy()
    if out.empty:
        return out
    geoms = out.geometry.to_numpy().copy()
    if tolerance_m > 0:
        epsg = crs_par_qpv(out).to_numpy()
        for code in np.unique(epsg):
            rangs = np.flatnonzero(epsg == code)
            metrique = gpd.GeoSeries(geoms[rangs], crs=4326).to_crs(int(code))
            simples = shapely.simplify(metrique.to_numpy(), tolerance_m, preserve_topology=True)
            geoms[rangs] = gpd.GeoSeries(simples, crs=int(code)).to_crs(4326).to_numpy()
    out = out.set_geometry(gpd.GeoSeries(arrondir(geoms, decimales), index=out.index, crs=4326))
    return _non_vides(out)


def _segments_quart(distance: float, tolerance: float) -> int:
    """Segments per quarter circle so that a buffer's arcs stay within ``tolerance`` of the
    true circle of radius ``distance`` (chord error r(1 - cos(θ/2)))."""
    if tolerance <= 0 or tolerance >= distance:
        return 2
    return max(2, min(16, math.ceil(math.pi / (4 * math.acos(1 - tolerance / distance)))))


def bandes_distance(
    qpv: gpd.GeoDataFrame,
    distances_m: Sequence[float] | None = None,
    tolerance_m: float = TOLERANCE_QPV_M,
    decimales: int = DECIMALES,
) -> gpd.GeoDataFrame:
    """Areas within each distance of the QPV (buffers in metres, merged, simplified, rounded):
    one row per (distance, territory), columns ``distance_m`` and ``geometry`` (EPSG:4326)."""
    exiger_geographique(qpv, "QPV")
    distances_m = reglages.BANDES if distances_m is None else distances_m
    if any(d <= 0 for d in distances_m):
        raise ErreurEcosysteme("les distances des bandes doivent être positives (mètres).")
    qpv = _non_vides(qpv)
    lignes: list[tuple[float, shapely.Geometry]] = []
    if not qpv.empty:
        epsg = crs_par_qpv(qpv).to_numpy()
        for code in np.unique(epsg):
            metrique = qpv.geometry[epsg == code].to_crs(int(code)).to_numpy()
            # simplified first: the buffer of the simplified outline is within tolerance_m of
            # the exact one, and 5-10 times faster to compute
            metrique = shapely.simplify(metrique, tolerance_m, preserve_topology=True)
            for d in sorted(set(distances_m)):
                zone = shapely.union_all(
                    shapely.buffer(metrique, d, quad_segs=_segments_quart(d, tolerance_m))
                )
                zone = shapely.simplify(zone, tolerance_m, preserve_topology=True)
                lignes.append((float(d), gpd.GeoSeries([zone], crs=int(code)).to_crs(4326).iloc[0]))
    geoms = arrondir(np.array([g for _, g in lignes], dtype=object), decimales)
    return gpd.GeoDataFrame(
        {"distance_m": pd.Series([d for d, _ in lignes], dtype=float)},
        geometry=gpd.GeoSeries(geoms, crs=4326),
    )


def lignes_entieres(geoms: np.ndarray, decimales: int = DECIMALES) -> np.ndarray:
    """Outlines of ``geoms`` (rings of polygons, lines) as one flat integer array for the
    browser: per line ``n, x0, y0, dx1, dy1, …`` with coordinates in units of 10^-decimales
    degree (first point absolute, then differences; repeated points dropped). About a third of
    the size of GeoJSON text for the same vertices.
    """
    parts = shapely.get_parts(geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))])
    types = shapely.get_type_id(parts)
    lignes = np.concatenate([shapely.get_rings(parts[types == 3]), parts[(types == 1) | (types == 2)]])
    if len(lignes) == 0:
        return np.zeros(0, dtype=np.int64)
    coords, rang = shapely.get_coordinates(lignes, return_index=True)
    q = np.round(coords * 10.0**decimales).astype(np.int64)
    debut = np.r_[True, rang[1:] != rang[:-1]]
    repete = ~debut & np.all(q == np.roll(q, 1, axis=0), axis=1)
    q, rang, debut = q[~repete], rang[~repete], debut[~repete]
    n = np.bincount(rang, minlength=len(lignes))
    valeurs = np.where(debut[:, None], q, q - np.roll(q, 1, axis=0))
    paires = valeurs.reshape(-1)
    positions = 2 * np.flatnonzero(debut)
    garder = n[rang[debut]] >= 2
    sortie = np.insert(paires, positions, n[rang[debut]])
    if not garder.all():  # lines reduced to one point: dropped
        longueurs = 1 + 2 * n[rang[debut]]
        bornes = np.r_[0, np.cumsum(longueurs)]
        sortie = np.concatenate([sortie[bornes[i] : bornes[i + 1]] for i in np.flatnonzero(garder)])
    return sortie.astype(np.int64)


def nombre_sommets(gdf: gpd.GeoDataFrame) -> int:
    """Vertices of all geometries (to measure a simplification)."""
    return int(shapely.get_num_coordinates(gdf.geometry.to_numpy()).sum())


@dataclass(frozen=True)
class Trace:
    """Outlines ready for the map (:func:`lignes_entieres` as JavaScript array text): build it
    once per territory and pass it instead of the frame (the map is rebuilt at each rerun)."""

    donnees: str
    echelle: str
    lignes: int
    #: ((south, west), (north, east)), None when empty.
    bornes: tuple[tuple[float, float], tuple[float, float]] | None

    def __len__(self) -> int:
        return self.lignes


def tracer(gdf: gpd.GeoDataFrame, decimales: int = DECIMALES) -> Trace:
    """The :class:`Trace` of a frame's geometries (EPSG:4326, already simplified)."""
    geoms = gdf.geometry.to_numpy() if len(gdf) else np.zeros(0, dtype=object)
    entiers = lignes_entieres(geoms, decimales)
    bornes = None
    valides = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))] if len(geoms) else geoms
    if len(valides):
        x0, y0, x1, y1 = shapely.total_bounds(valides)
        bornes = ((float(y0), float(x0)), (float(y1), float(x1)))
    return Trace(
        json.dumps(entiers.tolist(), separators=(",", ":")),
        str(10**decimales),
        len(valides),
        bornes,
    )


#: Tolerance (metres) of the communes' outlines under the small maps.
TOLERANCE_CONTOURS_M = reglages.TOLERANCE_CONTOURS_M


def contours(communes: gpd.GeoDataFrame) -> dict[str, Any] | None:
    """The communes as light GeoJSON outlines (simplified to 30 m); None without communes."""
    if communes.empty:
        return None
    simples = simplifier(communes[["code", "geometry"]], TOLERANCE_CONTOURS_M)
    return dict(json.loads(simples.to_json(drop_id=True)))
