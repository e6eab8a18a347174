"""Territory summary: QPV, QPV residents and actors by category, per EPCI (pure functions).

Actors are attached to a commune, a département and an EPCI by geometry (their point in the
commune polygon), never by the codes they carry. A QPV may straddle several EPCI
(``siren_epci`` "200042190,245901160"): it counts in each. An unknown population stays
unknown (counted apart), never zero.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecosysteme.models import Categorie

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


def rattacher(acteurs: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``commune_geo``, ``dep_geo`` and ``epci_geo``: the commune whose polygon holds the
    actor's point (else the nearest within about 2 km), its département and its EPCI."""
    out = acteurs.copy()
    n = len(out)
    idx = np.full(n, -1, dtype=np.int64)
    if n and not communes.empty:
        geoms = communes.geometry.values
        arbre = shapely.STRtree(geoms)
        pts = out.geometry.values
        dedans = arbre.query(pts, predicate="within")
        idx[dedans[0]] = dedans[1]
        manquants = np.flatnonzero(idx < 0)
        if len(manquants):
            proches = arbre.query_nearest(
                pts[manquants], max_distance=TOLERANCE_DEGRES, return_distance=False, all_matches=False
            )
            idx[manquants[proches[0]]] = proches[1]
    trouves = idx >= 0
    for dest, src in (("commune_geo", "code"), ("dep_geo", "insee_dep"), ("epci_geo", "siren_epci")):
        valeurs = np.full(n, None, dtype=object)
        if len(communes):
            valeurs[trouves] = communes[src].to_numpy(dtype=object)[idx[trouves]]
        out[dest] = pd.Series(valeurs, index=out.index, dtype=object)
    return out


def resume_par_epci(qpv: gpd.GeoDataFrame, acteurs: gpd.GeoDataFrame, epci: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per EPCI holding QPV or actors: QPV count, residents, active actors by category.

    ``acteurs`` must carry ``epci_geo`` (see :func:`rattacher`).
    """
    actifs = acteurs[acteurs["statut"] != "fermé"] if "statut" in acteurs.columns else acteurs
    paires = qpv_par_epci(qpv) if len(qpv) else pd.DataFrame(columns=["code_qp", "siren_epci", "population"])
    q_grp = paires.groupby("siren_epci").agg(
        qpv=("code_qp", "count"),
        population_qpv=("population", lambda s: s.dropna().sum()),
        qpv_population_inconnue=("population", lambda s: int(s.isna().sum())),
    )
    a = pd.DataFrame(actifs.drop(columns=actifs.geometry.name))
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
