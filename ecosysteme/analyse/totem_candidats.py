"""The candidate sites of the lieu totem (``ecosysteme.analyse.totem``): existing actors that
could be upgraded (:func:`candidats_acteurs`), points the user gives (:func:`candidats_points`,
:func:`candidats_fichier`) and the centres of a regular grid over the communes holding a QPV
(:func:`candidats_grille`); all share the columns ``id``, ``libelle``, ``origine`` (acteur,
point, grille) and a point geometry in EPSG:4326."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from ecosysteme.analyse.couverture import Filtre, filtrer_acteurs
from ecosysteme.domaine import reglages
from ecosysteme.domaine.erreurs import DonneeInvalide, Emplacement, ErreurEcosysteme, FichierInvalide
from ecosysteme.domaine.projection import (
    exiger_geographique,
    territoires_par_qpv,
)

Origine = Literal["acteur", "point", "grille"]

COLONNES_CANDIDATS = ("id", "libelle", "origine", "geometry")


def _cadre_candidats(
    ids: Sequence[str], libelles: Sequence[str], origine: Origine, lon: np.ndarray, lat: np.ndarray
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": pd.Series(list(ids), dtype=object),
            "libelle": pd.Series(list(libelles), dtype=object),
            "origine": pd.Series([origine] * len(ids), dtype=object),
        },
        geometry=gpd.points_from_xy(np.asarray(lon, float), np.asarray(lat, float)),
        crs=4326,
    )


def candidats_acteurs(
    acteurs: gpd.GeoDataFrame | pd.DataFrame, filtres: Sequence[Filtre] = ()
) -> gpd.GeoDataFrame:
    """Existing active actors (any category, or those matching ``filtres``) as candidate sites:
    ``id`` the actor's, ``libelle`` its name, its own point. Actors without coordinates (a
    mobile service known by its stops only) cannot host a fixed site and are left out."""
    actifs = filtrer_acteurs(
        gpd.GeoDataFrame(acteurs) if isinstance(acteurs, pd.DataFrame) else acteurs, filtres
    )
    if "longitude" in actifs.columns and "latitude" in actifs.columns:
        lon = pd.to_numeric(actifs["longitude"], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(actifs["latitude"], errors="coerce").to_numpy(dtype=float)
    elif isinstance(actifs, gpd.GeoDataFrame) and actifs.geometry.name in actifs.columns and len(actifs):
        exiger_geographique(actifs, "acteurs")
        g = actifs.geometry.to_numpy()
        vide = shapely.is_empty(g) | shapely.is_missing(g)
        lon = np.where(vide, np.nan, shapely.get_x(np.where(vide, shapely.Point(0, 0), g)))
        lat = np.where(vide, np.nan, shapely.get_y(np.where(vide, shapely.Point(0, 0), g)))
    else:
        lon = lat = np.full(len(actifs), np.nan)
    ok = np.isfinite(lon) & np.isfinite(lat)
    ids = actifs["id"].astype(str).to_numpy()[ok] if "id" in actifs.columns else np.array([], dtype=object)
    noms = (
        actifs["nom"].fillna("").astype(str).to_numpy()[ok]
        if "nom" in actifs.columns
        else np.full(int(ok.sum()), "", dtype=object)
    )
    return _trier(_cadre_candidats(list(ids), list(noms), "acteur", lon[ok], lat[ok]))


def candidats_points(points: pd.DataFrame, *, fichier: str | None = None) -> gpd.GeoDataFrame:
    """Points or geocoded addresses given by the user: columns ``longitude``, ``latitude``
    (EPSG:4326), ``libelle`` and optionally ``id`` (else ``point-1``, ``point-2``… in row
    order). A missing or impossible coordinate is refused with its row and field."""
    for col in ("longitude", "latitude"):
        if col not in points.columns:
            raise FichierInvalide(
                f"colonne « {col} » absente : longitude et latitude (WGS84) sont attendues.",
                Emplacement(fichier, champ=col),
            )
    lon = pd.to_numeric(points["longitude"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(points["latitude"], errors="coerce").to_numpy(dtype=float)
    for k in range(len(points)):
        for col, v, borne in (("longitude", lon[k], 180.0), ("latitude", lat[k], 90.0)):
            if not np.isfinite(v) or abs(v) > borne:
                brut = points[col].iloc[k]
                raise DonneeInvalide(
                    f"{col} « {brut} » invalide : un nombre entre −{borne:g} et {borne:g} est attendu "
                    "(degrés WGS84).",
                    Emplacement(fichier, k + 1, col),
                )
    if "id" in points.columns:
        ids = [str(v) for v in points["id"]]
    else:
        ids = [f"point-{k + 1}" for k in range(len(points))]
    if len(set(ids)) != len(ids):
        double = next(i for i in ids if ids.count(i) > 1)
        k = ids.index(double, ids.index(double) + 1)
        raise DonneeInvalide(f"identifiant « {double} » en double.", Emplacement(fichier, k + 1, "id"))
    libelles = (
        [v if isinstance(v, str) and v else i for v, i in zip(points["libelle"], ids, strict=True)]
        if "libelle" in points.columns
        else ids
    )
    return _trier(_cadre_candidats(ids, libelles, "point", lon, lat))


def candidats_fichier(chemin: Path) -> gpd.GeoDataFrame:
    """Candidate points read from a file (CSV, XLSX, JSON, GeoJSON, GeoPackage): point
    geometries or ``longitude``/``latitude`` columns; ``libelle`` (else ``nom``, ``adresse``)."""
    from ecosysteme.sources.lecture import lire_table

    table = lire_table(Path(chemin))
    lignes = pd.DataFrame(table.lignes, columns=table.colonnes)
    if table.points is not None and ("longitude" not in lignes.columns or "latitude" not in lignes.columns):
        lignes["longitude"] = [p[0] if p else None for p in table.points]
        lignes["latitude"] = [p[1] if p else None for p in table.points]
    if "libelle" not in lignes.columns:
        for autre in ("nom", "adresse"):
            if autre in lignes.columns:
                lignes["libelle"] = lignes[autre]
                break
    return candidats_points(lignes, fichier=table.fichier)


def candidats_grille(
    communes: gpd.GeoDataFrame, qpv: gpd.GeoDataFrame, pas_m: float = reglages.PAS_GRILLE_TOTEM
) -> gpd.GeoDataFrame:
    """Centres of the cells of a regular grid (``pas_m`` metres, aligned on multiples of the
    step in the territory's metric CRS) lying inside the communes that hold part of a QPV.
    ``id`` is ``grille-EPSG-X-Y`` (the centre in that CRS), ``libelle`` names the commune."""
    if pas_m <= 0:
        raise ErreurEcosysteme("le pas de la grille doit être positif, en mètres.")
    exiger_geographique(communes, "communes")
    exiger_geographique(qpv, "QPV")
    geoms = communes.geometry.to_numpy()
    valides = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not len(qpv) or not valides.any():
        return _trier(_cadre_candidats([], [], "grille", np.array([]), np.array([])))
    arbre = shapely.STRtree(geoms[valides])
    _, touchees = arbre.query(qpv.geometry.to_numpy(), predicate="intersects")
    rangs = np.flatnonzero(valides)[np.unique(touchees)]
    choisies = communes.iloc[rangs]
    noms = choisies["nom"].astype(str).to_numpy() if "nom" in choisies.columns else np.full(len(rangs), "")
    ids: list[str] = []
    libelles: list[str] = []
    lon_l: list[np.ndarray] = []
    lat_l: list[np.ndarray] = []
    for territoire, commune, nom in zip(
        territoires_par_qpv(choisies), choisies.geometry.to_numpy(), noms, strict=True
    ):
        epsg = territoire.epsg
        poly = shapely.transform(commune, _vers_metrique(epsg))
        x0, y0, x1, y1 = shapely.bounds(poly)
        xs = np.arange(math.floor(x0 / pas_m) * pas_m + pas_m / 2, x1, pas_m)
        ys = np.arange(math.floor(y0 / pas_m) * pas_m + pas_m / 2, y1, pas_m)
        gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
        dedans = shapely.contains_xy(poly, gx, gy)
        gx, gy = gx[dedans], gy[dedans]
        lo, la = _vers_wgs84(epsg).transform(gx, gy)
        ids += [f"grille-{epsg}-{x:.0f}-{y:.0f}" for x, y in zip(gx, gy, strict=True)]
        libelles += [f"maille de {pas_m:g} m, {nom}"] * len(gx)
        lon_l.append(np.asarray(lo, float))
        lat_l.append(np.asarray(la, float))
    out = _cadre_candidats(ids, libelles, "grille", np.concatenate(lon_l), np.concatenate(lat_l))
    return _trier(out.drop_duplicates("id"))


def _trier(c: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return c.sort_values("id", kind="stable").reset_index(drop=True)


@lru_cache(maxsize=32)
def _transformateur(de: int, vers: int) -> Transformer:
    return Transformer.from_crs(de, vers, always_xy=True)


def _vers_wgs84(epsg: int) -> Transformer:
    return _transformateur(epsg, 4326)


def _vers_metrique(epsg: int) -> Any:
    tr = _transformateur(4326, epsg)
    return lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))


def _points(c: gpd.GeoDataFrame | pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if "longitude" in c.columns and "latitude" in c.columns:
        return c["longitude"].to_numpy(dtype=float), c["latitude"].to_numpy(dtype=float)
    g = c.geometry.to_numpy()
    return shapely.get_x(g), shapely.get_y(g)
