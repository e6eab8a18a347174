"""Geodata exports: a GeoPackage in the territory's metric CRS, GeoJSON in EPSG:4326.

The GeoPackage holds four layers: ``qpv`` (perimeters and attributes), ``acteurs`` (every field
of the inventory; lists joined with ``|`` as in the standard, stops of mobile services as JSON,
closed actors included with their ``statut``), ``couverture`` (one row per QPV, its geometry and,
per filter, the counts, nearest distance and coverage flag of
:func:`ecosysteme.analyse.lacunes.tableau_large`) and ``scenarios`` (attribute table: name, author, date,
JSON).

Decision on the CRS: one file, one metric CRS — Lambert-93 (EPSG:2154) in metropolitan France,
the local projected CRS overseas (``ecosysteme.domaine.projection``). A selection spanning several of
them (the mainland and an overseas territory) is refused with a French message: export each
territory on its own, or as GeoJSON (EPSG:4326), which has no such limit.

Files are written to a temp file and renamed (``ecosysteme.domaine.fichiers.ecrire_atomique``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ecosysteme.analyse.territoire import Territoire
from ecosysteme.depot import Codes, Depot
from ecosysteme.domaine.config import CRS_METROPOLE, CRS_WGS84
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.fichiers import ecrire_atomique
from ecosysteme.domaine.projection import TERRITOIRES, territoires_des_points, territoires_par_qpv

COUCHES = ("qpv", "acteurs", "couverture", "scenarios")
_TEXTES_COUVERTURE = ("code_qp", "lib_qp", "siren_epci")


# --- layer contents ---------------------------------------------------------------------------
def _cellule(v: object) -> object:
    """A list or mapping as text a GIS can show: ``|``-joined strings, JSON for structures."""
    if isinstance(v, (list, tuple, np.ndarray)):
        valeurs = list(v)
        if all(isinstance(x, str) for x in valeurs):
            return "|".join(valeurs) if valeurs else None
        return json.dumps(
            [x.model_dump(mode="json") if hasattr(x, "model_dump") else x for x in valeurs],
            ensure_ascii=False,
        )
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def _a_plat(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Object columns holding lists, mappings or dates turned into text (GIS formats have no lists)."""
    out = gdf.copy()
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = out[col].map(_cellule).astype(object)
    return out


def _typer_couverture(large: pd.DataFrame) -> pd.DataFrame:
    """``tableau_large`` returns objects (``None`` for unknown): give each column its real type."""
    out = large.copy()
    for col in out.columns:
        if col in _TEXTES_COUVERTURE:
            continue
        valeurs = out[col].dropna()
        if len(valeurs) and all(isinstance(v, (bool, np.bool_)) for v in valeurs):
            out[col] = out[col].astype("boolean")
        else:
            out[col] = pd.to_numeric(out[col]).astype("Float64" if col.endswith("distance_m") else "Int64")
    return out


def couche_couverture(couv: pd.DataFrame, qpv: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The tidy coverage table made wide (one row per QPV) on the QPV geometries, in ``qpv``'s CRS."""
    from ecosysteme.analyse.lacunes import tableau_large

    large = _typer_couverture(tableau_large(couv[couv["code_qp"].isin(set(qpv["code_qp"]))], qpv))
    geoms = qpv.set_index("code_qp").geometry
    return gpd.GeoDataFrame(large, geometry=geoms.loc[large["code_qp"]].to_numpy(), crs=qpv.crs)


def _scenarios(territoire: Territoire) -> pd.DataFrame:
    lignes = [(n, a, d.isoformat(), c) for n, c, a, d in territoire.scenarios]
    return pd.DataFrame(lignes, columns=["nom", "auteur", "date", "contenu"], dtype=object)


def _sirens_des_communes(communes: pd.DataFrame) -> list[str]:
    sirens: set[str] = set()
    for v in communes["siren_epci"].dropna():
        sirens.update([v] if isinstance(v, str) else [str(x) for x in v])
    return sorted(sirens)


def selection_geodonnees(
    source: Depot | Territoire, *, siren_epci: Codes = None, insee_dep: Codes = None
) -> Territoire:
    """The territory to export: read once from a store, or the part of a territory already read
    (:meth:`ecosysteme.analyse.territoire.Territoire.partie`)."""
    if isinstance(source, Territoire):
        return source.partie(siren_epci=siren_epci, insee_dep=insee_dep)
    return Territoire.lire(source, siren_epci=siren_epci, insee_dep=insee_dep)


def couches_geodonnees(
    source: Depot | Territoire,
    *,
    siren_epci: Codes = None,
    insee_dep: Codes = None,
    couverture: pd.DataFrame | None = None,
) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """The four layers of a territory, in EPSG:4326 (``scenarios`` without geometry).

    ``source``: a store, or a territory already read (then nothing is read again). Actors: those
    of the EPCI (point or stop inside it); for a département, those of the EPCI that have
    communes in it. Without ``couverture`` (the tidy table of
    :func:`ecosysteme.analyse.couverture.couverture`), it is computed with the default parameters
    against every actor of the store (a place across the border serves the QPV too).
    """
    territoire = selection_geodonnees(source, siren_epci=siren_epci, insee_dep=insee_dep)
    if siren_epci is not None:
        acteurs = territoire.acteurs_epci(siren_epci)
    elif insee_dep is not None:
        voisins = _sirens_des_communes(territoire.communes)
        acteurs = territoire.acteurs_epci(voisins) if voisins else territoire.tous.iloc[0:0]
    else:
        acteurs = territoire.tous
    if couverture is None:
        couverture = territoire.couverture()
    return {
        "qpv": territoire.qpv,
        "acteurs": acteurs,
        "couverture": couche_couverture(couverture, territoire.qpv),
        "scenarios": _scenarios(territoire),
    }


# --- CRS --------------------------------------------------------------------------------------
def crs_metrique(qpv: gpd.GeoDataFrame, acteurs: gpd.GeoDataFrame) -> int:
    """The one metric CRS (EPSG code) of a selection; refused when it spans several."""
    codes: dict[int, set[str]] = {}
    for t in territoires_par_qpv(qpv) if len(qpv) else []:
        codes.setdefault(t.epsg, set()).add(t.nom)
    pts = acteurs.geometry[~acteurs.geometry.isna() & ~acteurs.geometry.is_empty]
    if len(pts):
        for k in set(territoires_des_points(pts.x.to_numpy(), pts.y.to_numpy()).tolist()):
            if k >= 0:
                codes.setdefault(TERRITOIRES[k].epsg, set()).add(TERRITOIRES[k].nom)
    if len(codes) > 1:
        noms = sorted({n for ns in codes.values() for n in ns})
        raise ErreurEcosysteme(
            "export GeoPackage refusé : la sélection s'étend sur plusieurs territoires mesurés dans des "
            f"systèmes différents ({', '.join(noms)}). Exportez chaque territoire à part, ou en GeoJSON "
            "(EPSG:4326)."
        )
    return next(iter(codes)) if codes else CRS_METROPOLE


# --- writers ----------------------------------------------------------------------------------
def _ecrire_couches(couches: Iterable[tuple[str, gpd.GeoDataFrame | pd.DataFrame]], chemin: Path) -> None:
    import pyogrio

    for k, (nom, table) in enumerate(couches):
        pyogrio.write_dataframe(table, chemin, layer=nom, driver="GPKG", append=k > 0)


def exporter_gpkg(
    source: Depot | Territoire,
    chemin: Path | str,
    *,
    siren_epci: Codes = None,
    insee_dep: Codes = None,
    couverture: pd.DataFrame | None = None,
) -> Path:
    """Write the layers ``qpv``, ``acteurs``, ``couverture`` and ``scenarios`` of a territory
    (an EPCI, a département, or the whole store) to one GeoPackage in its metric CRS."""
    couches = couches_geodonnees(source, siren_epci=siren_epci, insee_dep=insee_dep, couverture=couverture)
    qpv, acteurs = couches["qpv"], couches["acteurs"]
    assert isinstance(qpv, gpd.GeoDataFrame) and isinstance(acteurs, gpd.GeoDataFrame)
    epsg = crs_metrique(qpv, acteurs)
    sorties: list[tuple[str, gpd.GeoDataFrame | pd.DataFrame]] = []
    for nom in COUCHES:
        table = couches[nom]
        if isinstance(table, gpd.GeoDataFrame):
            table = _a_plat(table.to_crs(epsg))
        sorties.append((nom, table))
    return ecrire_atomique(Path(chemin), lambda tmp: _ecrire_couches(sorties, tmp))


def exporter_geojson(gdf: gpd.GeoDataFrame, chemin: Path | str) -> Path:
    """One layer to a GeoJSON file (RFC 7946: EPSG:4326, no ``crs`` member, longitude first)."""
    if gdf.crs is None:
        raise ErreurEcosysteme("export GeoJSON impossible : la couche n'a pas de système de coordonnées.")
    plat = _a_plat(gdf.to_crs(CRS_WGS84))

    def ecrire(tmp: Path) -> None:
        import pyogrio

        pyogrio.write_dataframe(plat, tmp, driver="GeoJSON", layer_options={"RFC7946": "YES"})

    return ecrire_atomique(Path(chemin), ecrire)


def exporter_geojson_couches(
    source: Depot | Territoire,
    dossier: Path | str,
    *,
    siren_epci: Codes = None,
    insee_dep: Codes = None,
    couverture: pd.DataFrame | None = None,
    prefixe: str = "",
) -> dict[str, Path]:
    """One GeoJSON per geographic layer (``qpv``, ``acteurs``, ``couverture``) in ``dossier``."""
    couches = couches_geodonnees(source, siren_epci=siren_epci, insee_dep=insee_dep, couverture=couverture)
    out: dict[str, Path] = {}
    for nom, table in couches.items():
        if isinstance(table, gpd.GeoDataFrame):
            out[nom] = exporter_geojson(table, Path(dossier) / f"{prefixe}{nom}.geojson")
    return out
