"""Coverage summaries per EPCI or département, and the QPV left without any offer (pure).

Shares are computed on residents whose population is known; QPV without population are counted
apart (unknown, never zero). A QPV straddling several EPCI counts in each of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ecosysteme.analyse.couverture import Filtre, Parametres, paires, preparer_lieux
from ecosysteme.analyse.resume import sirens


def _groupes(qpv: pd.DataFrame, par: str) -> pd.DataFrame:
    """(code_qp, groupe, population) pairs; ``par`` is ``siren_epci`` or ``insee_dep``."""
    if par == "siren_epci":
        rows = [
            (c, s, p)
            for c, v, p in zip(qpv["code_qp"], qpv["siren_epci"], qpv["population"], strict=True)
            for s in sirens(v)
        ]
    else:
        rows = list(zip(qpv["code_qp"], qpv[par], qpv["population"], strict=True))
    return pd.DataFrame(rows, columns=["code_qp", "groupe", "population"])


def resume_couverture(
    couv: pd.DataFrame,
    qpv: gpd.GeoDataFrame,
    acteurs: gpd.GeoDataFrame | pd.DataFrame,
    parametres: Parametres,
    par: str = "siren_epci",
) -> pd.DataFrame:
    """Summarise coverage per group (EPCI or département) and filter.

    Per group and filter: QPV, QPV covered, residents (known), residents covered, their share,
    QPV of unknown population, and distinct matching actors within the threshold of at least one
    QPV of the group per 10,000 QPV residents. Shares are computed on the residents whose
    population is known; a QPV without population is counted apart (unknown, never zero).

    Parameters
    ----------
    couv : pandas.DataFrame
        The coverage table of :func:`~ecosysteme.analyse.couverture.couverture` (``code_qp``,
        ``filtre``, ``couvert``).
    qpv : geopandas.GeoDataFrame
        The QPV (EPSG:4326) with ``code_qp``, ``population`` (NaN: unknown) and the column
        ``par``.
    acteurs : geopandas.GeoDataFrame or pandas.DataFrame
        The actors, as given to :func:`~ecosysteme.analyse.couverture.couverture`.
    parametres : Parametres
        The parameters of ``couv``: its threshold (metres) and the filters whose actors within
        reach are counted.
    par : str, default "siren_epci"
        The grouping column of ``qpv``: ``"siren_epci"`` (a QPV straddling several EPCI counts
        in each of them) or ``"insee_dep"``.

    Returns
    -------
    pandas.DataFrame
        One row per (group, filter): ``par`` (the group's code), ``filtre``, ``qpv``,
        ``qpv_couverts``, ``population_qpv``, ``population_couverte``,
        ``qpv_population_inconnue``, ``part_population_couverte`` (NaN without known
        residents), ``acteurs_a_portee`` and ``acteurs_pour_10000_habitants``.

    Raises
    ------
    ErreurEcosysteme
        ``qpv``, or ``acteurs`` given as a GeoDataFrame, is not in EPSG:4326.
    """
    g = _groupes(pd.DataFrame(qpv.drop(columns=qpv.geometry.name)), par)
    c = couv[["code_qp", "filtre", "couvert"]].merge(g, on="code_qp")
    c["pop_connue"] = c["population"].astype("Float64")
    c["pop_couverte"] = c["pop_connue"].where(c["couvert"], 0)
    agg = c.groupby(["groupe", "filtre"], sort=True).agg(
        qpv=("code_qp", "count"),
        qpv_couverts=("couvert", "sum"),
        population_qpv=("pop_connue", "sum"),
        population_couverte=("pop_couverte", "sum"),
        qpv_population_inconnue=("pop_connue", lambda s: int(s.isna().sum())),
    )
    agg["part_population_couverte"] = (agg["population_couverte"] / agg["population_qpv"]).where(
        agg["population_qpv"] > 0
    )
    # distinct actors within the threshold of the group's QPV, per filter
    pr = paires(qpv, acteurs, parametres.seuil)
    lieux = preparer_lieux(acteurs, parametres.filtres)
    rang = {i: k for k, i in enumerate(lieux.ids)}
    pr = pr.merge(g[["code_qp", "groupe"]], on="code_qp").drop_duplicates(["groupe", "id"])
    lignes = []
    if len(pr):
        idx = pr["id"].map(rang).to_numpy()
        for j, f in enumerate(parametres.filtres):
            ok = lieux.masques[idx, j]
            n = pr[ok].groupby("groupe")["id"].nunique()
            lignes.append(
                pd.DataFrame({"groupe": n.index, "filtre": f.cle, "acteurs_a_portee": n.to_numpy()})
            )
    portee = pd.concat(lignes) if lignes else pd.DataFrame(columns=["groupe", "filtre", "acteurs_a_portee"])
    out = agg.reset_index().merge(portee, on=["groupe", "filtre"], how="left")
    out["acteurs_a_portee"] = out["acteurs_a_portee"].fillna(0).astype(int)
    out["acteurs_pour_10000_habitants"] = (out["acteurs_a_portee"] / out["population_qpv"] * 10_000).where(
        out["population_qpv"] > 0
    )
    return out.rename(columns={"groupe": par})


def qpv_sans_offre(couv: pd.DataFrame, qpv: gpd.GeoDataFrame, cle_filtre: str = "tous") -> pd.DataFrame:
    """List the QPV with nothing matching the filter within the threshold.

    Parameters
    ----------
    couv : pandas.DataFrame
        The coverage table of :func:`~ecosysteme.analyse.couverture.couverture`.
    qpv : geopandas.GeoDataFrame
        The QPV with ``code_qp``, ``lib_qp``, ``siren_epci`` and ``population``.
    cle_filtre : str, default "tous"
        The key of the filter (:attr:`~ecosysteme.analyse.couverture.Filtre.cle`).

    Returns
    -------
    pandas.DataFrame
        ``code_qp``, ``lib_qp``, ``siren_epci``, ``population`` and ``distance_m`` (metres to
        the nearest matching place, NaN when none in the territory), most residents first
        (unknown population last).
    """
    c = couv[(couv["filtre"] == cle_filtre) & ~couv["couvert"]][["code_qp", "distance_m"]]
    attrs = pd.DataFrame(qpv.drop(columns=qpv.geometry.name))[
        ["code_qp", "lib_qp", "siren_epci", "population"]
    ]
    out = c.merge(attrs, on="code_qp")
    out = out.sort_values(["population", "code_qp"], ascending=[False, True], na_position="last")
    return out[["code_qp", "lib_qp", "siren_epci", "population", "distance_m"]].reset_index(drop=True)


def tableau_large(couv: pd.DataFrame, qpv: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per QPV (``code_qp``, ``lib_qp``, ``siren_epci``, ``population``) and, per filter,
    its counts, nearest distance (metres, rounded to 1 m) and coverage flag."""
    valeurs = [c for c in couv.columns if c not in ("code_qp", "filtre")]
    large = couv.pivot(index="code_qp", columns="filtre", values=valeurs)
    ordre = list(dict.fromkeys(couv["filtre"]))
    large = large.reindex(columns=pd.MultiIndex.from_product([valeurs, ordre]))
    large = large.swaplevel(0, 1, axis=1).reindex(columns=pd.MultiIndex.from_product([ordre, valeurs]))
    large.columns = [f"{paire[0]} | {paire[1]}" for paire in large.columns]
    for col in [c for c in large.columns if c.endswith("| distance_m")]:
        large[col] = large[col].astype(float).round(0)
    attrs = pd.DataFrame(qpv.drop(columns=qpv.geometry.name))[
        ["code_qp", "lib_qp", "siren_epci", "population"]
    ]
    out = attrs.merge(large.reset_index(), on="code_qp", how="left")
    return out.sort_values("code_qp").reset_index(drop=True).replace({np.nan: None})


def matrice(
    couv: pd.DataFrame,
    qpv: gpd.GeoDataFrame | pd.DataFrame,
    filtres: Sequence[Filtre],
    valeur: str = "distance_m",
) -> pd.DataFrame:
    """Build the QPV × filter gap matrix of a territory.

    Parameters
    ----------
    couv : pandas.DataFrame
        The coverage table of :func:`~ecosysteme.analyse.couverture.couverture`; its ``tous``
        filter gives ``sans_offre``.
    qpv : geopandas.GeoDataFrame or pandas.DataFrame
        The QPV of the territory with ``code_qp``, ``lib_qp``, ``siren_epci`` and
        ``population``; rows of ``couv`` for other QPV are ignored.
    filtres : sequence of Filtre
        The filters shown, one column each, in this order.
    valeur : str, default "distance_m"
        The column of ``couv`` shown per filter: ``distance_m`` (metres) or a count column
        (``n_300m``…).

    Returns
    -------
    pandas.DataFrame
        One row per QPV (``code_qp``, ``lib_qp``, ``siren_epci``, ``population``), ``couverts``
        (filters covered within the threshold, of ``len(filtres)``), ``sans_offre`` (nothing at
        all within the threshold), then one column per filter (its label) holding ``valeur``.
        Rows: QPV without any offer within the threshold first, then those missing the most
        filters, most residents first (unknown population last).
    """
    cles = [f.cle for f in filtres]
    attrs = pd.DataFrame(qpv.drop(columns=qpv.geometry.name) if "geometry" in qpv.columns else qpv)[
        ["code_qp", "lib_qp", "siren_epci", "population"]
    ]
    c = couv[couv["code_qp"].isin(set(attrs["code_qp"]))]
    sel = c[c["filtre"].isin(cles)]
    valeurs = sel.pivot(index="code_qp", columns="filtre", values=valeur).reindex(columns=cles)
    couverts = sel.pivot(index="code_qp", columns="filtre", values="couvert").reindex(columns=cles)
    tous = c[c["filtre"] == "tous"].set_index("code_qp")["couvert"]
    out = attrs.set_index("code_qp")
    out["couverts"] = couverts.fillna(False).astype(bool).sum(axis=1).reindex(out.index).fillna(0).astype(int)
    out["sans_offre"] = ~tous.reindex(out.index).fillna(False).astype(bool)
    valeurs.columns = [f.libelle for f in filtres]
    out = out.join(valeurs)
    out["_manques"] = len(filtres) - out["couverts"]
    out = out.reset_index().sort_values(
        ["sans_offre", "_manques", "population", "code_qp"],
        ascending=[False, False, False, True],
        na_position="last",
    )
    return out.drop(columns="_manques").reset_index(drop=True)
