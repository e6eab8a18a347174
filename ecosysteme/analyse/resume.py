"""Territory summary: QPV, QPV residents and actors by category, per EPCI (pure functions).

Actors are attached to a commune, a département and an EPCI by geometry (their point in the
commune polygon), never by the codes they carry; a mobile service belongs to every territory
where it stops (``epcis_geo``, ``deps_geo``), even when it has no point of its own. A QPV may
straddle several EPCI
(``siren_epci`` "200042190,245901160"): it counts in each. An unknown population stays
unknown (counted apart), never zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecosysteme.domaine.modeles import Categorie

CATEGORIES = [c.value for c in Categorie]
#: Tolerance (degrees, about 2 km) for points just outside simplified commune shapes (coasts).
TOLERANCE_DEGRES = 0.02


def sirens(valeur: object) -> list[str]:
    """The EPCI SIREN codes of a QPV's ``siren_epci`` (comma-joined when it straddles several)."""
    if valeur is None or (isinstance(valeur, float) and valeur != valeur):
        return []
    return [s.strip() for s in str(valeur).split(",") if s.strip()]


def qpv_par_epci(qpv: pd.DataFrame) -> pd.DataFrame:
    """One row per (QPV, EPCI) pair: ``code_qp``, ``siren_epci``, ``population``."""
    rows = [
        (code, s, pop)
        for code, val, pop in zip(qpv["code_qp"], qpv["siren_epci"], qpv["population"], strict=True)
        for s in sirens(val)
    ]
    return pd.DataFrame(rows, columns=["code_qp", "siren_epci", "population"])


def _points_arrets(acteurs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(points, row of each point) of the stops of the mobile services (column ``arrets``: lists
    of dicts or of ``Arret``; a stop without readable coordinates is skipped)."""
    if "arrets" not in acteurs.columns:
        return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    lon: list[float] = []
    lat: list[float] = []
    rangs: list[int] = []
    valeurs = acteurs["arrets"].tolist()
    for i in [i for i, v in enumerate(valeurs) if v and isinstance(v, list | tuple)]:
        for a in valeurs[i]:
            x = a.get("longitude") if isinstance(a, dict) else getattr(a, "longitude", None)
            y = a.get("latitude") if isinstance(a, dict) else getattr(a, "latitude", None)
            if isinstance(x, int | float) and isinstance(y, int | float) and math.isfinite(x + y):
                lon.append(float(x))
                lat.append(float(y))
                rangs.append(i)
    return shapely.points(np.asarray(lon, float), np.asarray(lat, float)), np.asarray(rangs, np.int64)


def _communes_des_points(pts: np.ndarray, communes: gpd.GeoDataFrame) -> np.ndarray:
    """Row in ``communes`` of the polygon holding each point (else the nearest within about
    2 km); -1 when none."""
    idx = np.full(len(pts), -1, dtype=np.int64)
    if not len(pts) or communes.empty:
        return idx
    arbre = shapely.STRtree(communes.geometry.values)
    dedans = arbre.query(pts, predicate="within")
    idx[dedans[0]] = dedans[1]
    manquants = np.flatnonzero(idx < 0)
    if len(manquants):
        proches = arbre.query_nearest(
            pts[manquants], max_distance=TOLERANCE_DEGRES, return_distance=False, all_matches=False
        )
        idx[manquants[proches[0]]] = proches[1]
    return idx


def rattacher(acteurs: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Attach each actor to its commune, département and EPCI by geometry.

    Adds ``commune_geo``, ``dep_geo`` and ``epci_geo``: the commune whose polygon holds the
    actor's point (else the nearest within about 2 km, ``TOLERANCE_DEGRES``; a mobile service
    without a point of its own: its first stop that lies in a commune), its département and its
    EPCI; and ``deps_geo``, ``epcis_geo``: every département and EPCI where the actor is, its
    point and each of its stops (tuples, in that order, without repeats): a mobile service is
    listed in each territory where it stops. The codes the actors carry are not read.

    Parameters
    ----------
    acteurs : geopandas.GeoDataFrame
        The actors (EPSG:4326, like ``communes``): a point each (none for a mobile service known
        by its stops only) and optionally ``arrets``, the stops of a mobile service (lists of
        dicts or of ``Arret`` with ``longitude``, ``latitude``; a stop without readable
        coordinates is skipped).
    communes : geopandas.GeoDataFrame
        The commune polygons (EPSG:4326) with ``code`` (INSEE), ``insee_dep`` and ``siren_epci``.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``acteurs`` with the five columns added (None, or an empty tuple, for an
        actor in no commune).
    """
    out = acteurs.copy()
    n = len(out)
    arrets, proprietaires = _points_arrets(out)
    tous = np.concatenate([out.geometry.to_numpy(), arrets])
    idx_tous = _communes_des_points(tous, communes)
    idx, idx_arrets = idx_tous[:n].copy(), idx_tous[n:]
    # a service known only by its stops takes the commune of its first located stop
    sans = idx < 0
    for rang, k in zip(proprietaires[::-1], idx_arrets[::-1], strict=True):
        if sans[rang] and k >= 0:
            idx[rang] = k
    trouves = idx >= 0
    for dest, src in (("commune_geo", "code"), ("dep_geo", "insee_dep"), ("epci_geo", "siren_epci")):
        valeurs = np.full(n, None, dtype=object)
        if len(communes):
            valeurs[trouves] = communes[src].to_numpy(dtype=object)[idx[trouves]]
        out[dest] = pd.Series(valeurs, index=out.index, dtype=object)
    for dest, propre, src in (("deps_geo", "dep_geo", "insee_dep"), ("epcis_geo", "epci_geo", "siren_epci")):
        # one shared tuple per code (vectorised) for the actors of one place; those with stops below
        rangs_codes, uniques = pd.factorize(out[propre].to_numpy(dtype=object))
        table = np.empty(len(uniques) + 1, dtype=object)
        for k, code in enumerate(uniques):
            table[k] = (code,)
        table[-1] = ()
        tuples = table[rangs_codes]
        codes = communes[src].to_numpy(dtype=object) if len(communes) else np.empty(0, dtype=object)
        par_acteur: dict[int, list[str]] = {}
        for rang, k in zip(proprietaires.tolist(), idx_arrets.tolist(), strict=True):
            if k >= 0 and isinstance(codes[k], str):
                par_acteur.setdefault(rang, list(tuples[rang])).append(codes[k])
        for rang, liste in par_acteur.items():
            tuples[rang] = tuple(dict.fromkeys(liste))
        out[dest] = pd.Series(tuples, index=out.index, dtype=object)
    return out


def dans_les_territoires(acteurs: pd.DataFrame, colonne: str, codes: Iterable[str]) -> np.ndarray:
    """Which actors lie in one of the territories ``codes``: by ``epcis_geo`` / ``deps_geo`` (every
    territory where the actor is, its stops included: :func:`rattacher`) when ``colonne`` is
    ``epci_geo`` / ``dep_geo`` and the plural column is there, else by ``colonne`` itself."""
    voulus = set(codes)
    pluriel = {"epci_geo": "epcis_geo", "dep_geo": "deps_geo"}.get(colonne)
    if pluriel is not None and pluriel in acteurs.columns:
        return np.array(
            [isinstance(v, tuple | list) and not voulus.isdisjoint(v) for v in acteurs[pluriel]], dtype=bool
        ).reshape(len(acteurs))
    if colonne not in acteurs.columns:
        return np.zeros(len(acteurs), dtype=bool)
    return acteurs[colonne].isin(voulus).to_numpy(dtype=bool)


def resume_par_epci(qpv: gpd.GeoDataFrame, acteurs: gpd.GeoDataFrame, epci: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per EPCI holding QPV or actors: QPV count, residents, active actors by category.

    ``acteurs`` must carry ``epci_geo`` (see :func:`rattacher`); with ``epcis_geo``, an actor
    counts in every EPCI where it is (a mobile service in each EPCI where it stops).
    """
    actifs = acteurs[acteurs["statut"] != "fermé"] if "statut" in acteurs.columns else acteurs
    paires = qpv_par_epci(qpv) if len(qpv) else pd.DataFrame(columns=["code_qp", "siren_epci", "population"])
    q_grp = paires.groupby("siren_epci").agg(
        qpv=("code_qp", "count"),
        population_qpv=("population", lambda s: s.dropna().sum()),
        qpv_population_inconnue=("population", lambda s: int(s.isna().sum())),
    )
    a = pd.DataFrame(actifs.drop(columns=actifs.geometry.name))
    if len(a) and "epcis_geo" in a.columns:
        # an actor counts in each EPCI where it is (a mobile service: where it stops), among the
        # EPCI of the table (its own EPCI always)
        a = a.assign(
            epci_propre=a["epci_geo"],
            epci_geo=a["epcis_geo"].map(lambda v: list(v) if isinstance(v, tuple | list) else []),
        ).explode("epci_geo")
        a = a[a["epci_geo"].eq(a["epci_propre"]) | a["epci_geo"].isin(set(epci["siren_epci"]))]
    a = a[a["epci_geo"].notna()] if len(a) else a
    if a.empty:
        a_grp = pd.DataFrame(columns=CATEGORIES)
    else:
        a_grp = pd.crosstab(a["epci_geo"], a["categorie"]).reindex(columns=CATEGORIES, fill_value=0)
    noms = (
        pd.DataFrame(epci.drop(columns=epci.geometry.name)).set_index("siren_epci")[["nom_epci"]]
        if not epci.empty
        else pd.DataFrame(columns=["nom_epci"])
    )
    out = noms.join(q_grp, how="outer").join(a_grp, how="outer")
    out[CATEGORIES] = out[CATEGORIES].fillna(0).astype(int)
    out["qpv"] = out["qpv"].fillna(0).astype(int)
    out = out[(out["qpv"] > 0) | (out[CATEGORIES].sum(axis=1) > 0)]
    out["qpv_population_inconnue"] = out["qpv_population_inconnue"].fillna(0).astype(int)
    out["population_qpv"] = out["population_qpv"].astype("Int64")
    out["acteurs"] = out[CATEGORIES].sum(axis=1)
    out.index.name = "siren_epci"
    return out.reset_index().sort_values(
        ["population_qpv", "siren_epci"], ascending=[False, True], na_position="last"
    )


def chiffres_cles(qpv: gpd.GeoDataFrame, acteurs: gpd.GeoDataFrame) -> dict[str, object]:
    """Key figures of a territory: QPV, residents (known), actors by category."""
    actifs = acteurs[acteurs["statut"] != "fermé"] if "statut" in acteurs.columns else acteurs
    pops = qpv["population"] if "population" in qpv.columns else pd.Series(dtype=float)
    par_cat = (
        actifs["categorie"].value_counts().reindex(CATEGORIES, fill_value=0)
        if len(actifs)
        else pd.Series(0, index=CATEGORIES)
    )
    return {
        "qpv": int(len(qpv)),
        "population_qpv": int(pops.dropna().sum()),
        "qpv_population_inconnue": int(pops.isna().sum()),
        "acteurs": int(len(actifs)),
        "acteurs_fermes": int(len(acteurs) - len(actifs)),
        "acteurs_par_categorie": {str(k): int(v) for k, v in par_cat.items()},
    }
