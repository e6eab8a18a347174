"""Territory summary: QPV, QPV residents and actors by category, per EPCI (pure functions).

Actors are attached to an EPCI by geometry (their point covered by the EPCI polygon), never by
commune code. An unknown population stays unknown (counted apart), never zero.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from ecosysteme.models import Categorie

CATEGORIES = [c.value for c in Categorie]


def _epci_des_acteurs(acteurs: gpd.GeoDataFrame, epci: gpd.GeoDataFrame) -> pd.Series:
    """siren_epci of each actor (by geometry), None outside every EPCI."""
    if acteurs.empty or epci.empty:
        return pd.Series([None] * len(acteurs), index=acteurs.index, dtype=object)
    pts = acteurs[acteurs.geometry.notna() & ~acteurs.geometry.is_empty]
    joined = gpd.sjoin(
        pts[[pts.geometry.name]], epci[["siren_epci", epci.geometry.name]], predicate="within", how="left"
    )
    first = joined[~joined.index.duplicated(keep="first")]["siren_epci"]
    out: pd.Series = first.reindex(acteurs.index).astype(object)
    return out.where(out.notna(), None)


def resume_par_epci(qpv: gpd.GeoDataFrame, acteurs: gpd.GeoDataFrame, epci: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per EPCI holding QPV or actors: QPV count, residents, actors (active) by category."""
    actifs = acteurs[acteurs["statut"] != "fermé"] if "statut" in acteurs.columns else acteurs
    actifs = actifs.assign(siren_epci=_epci_des_acteurs(actifs, epci))
    q = (
        pd.DataFrame(qpv.drop(columns=qpv.geometry.name))
        if not qpv.empty
        else pd.DataFrame(columns=["siren_epci", "code_qp", "population"])
    )
    q_grp = q.groupby("siren_epci", dropna=True).agg(
        qpv=("code_qp", "count"),
        population_qpv=("population", lambda s: s.dropna().sum()),
        qpv_population_inconnue=("population", lambda s: int(s.isna().sum())),
    )
    a = pd.DataFrame(actifs.drop(columns=actifs.geometry.name))
    if a.empty:
        a_grp = pd.DataFrame(columns=CATEGORIES)
    else:
        a_grp = pd.crosstab(a["siren_epci"], a["categorie"]).reindex(columns=CATEGORIES, fill_value=0)
    noms = (
        pd.DataFrame(epci.drop(columns=epci.geometry.name)).set_index("siren_epci")[["nom_epci"]]
        if not epci.empty
        else pd.DataFrame(columns=["nom_epci"])
    )
    out = noms.join(q_grp, how="outer").join(a_grp, how="outer")
    out = out[(out["qpv"].fillna(0) > 0) | (out[CATEGORIES].fillna(0).sum(axis=1) > 0)]
    out[CATEGORIES] = out[CATEGORIES].fillna(0).astype(int)
    out["qpv"] = out["qpv"].fillna(0).astype(int)
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
