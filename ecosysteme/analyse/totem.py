"""The lieu totem (DESIGN §5): where p new sites would newly cover the most QPV residents.

Maximal covering location problem, exact. A QPV is covered by a site when the distance from the
site's point to the QPV polygon (holes respected, boundary inside, 0 inside) is at most the
radius, measured in the territory's metric CRS (``coverage.paires``). Existing active actors
matching the chosen service(s) count as already covering: a QPV they reach adds nothing. The
objective is the number of residents (``population``) of the QPV newly covered, each QPV counted
once; a QPV without population counts 0 and is reported (« population inconnue »).

Candidates are existing actors that could be upgraded (:func:`candidats_acteurs`), points the
user gives (:func:`candidats_points`, :func:`candidats_fichier`) and the centres of a regular grid
over the communes holding a QPV (:func:`candidats_grille`); all share the columns ``id``,
``libelle``, ``origine`` (acteur, point, grille) and a point geometry in EPSG:4326.

Model (:func:`implanter`): one sparse integer program for HiGHS (``highspy``), after reduction
(QPV already covered, without residents or out of reach dropped; candidates reaching nothing,
identical columns and dominated columns dropped — an optimal set can always swap a dominated
candidate for the one dominating it). Binary ``x_j`` per candidate, ``y_i`` in [0, 1] per QPV
still to cover (integral at the optimum since the ``x`` are), maximise Σ w_i y_i subject to
y_i ≤ Σ_{j reaches i} x_j and Σ x_j ≤ p (« ≤ »: a site that adds no resident is not proposed).
Ties between optimal sets are broken by candidate identifier: each candidate costs ε·rank in
the objective (rank in identifier order, ε·Σ ranks < 1/2, so the residents are never traded),
and the solver must close the gap below ε/2.

Explanations (:func:`expliquer`): per chosen site, the QPV it reaches (residents, distance,
newly or already covered), the residents it newly covers (a QPV reached by several chosen sites
is assigned to the nearest of them, ties by identifier, so the per-site numbers add up to the
objective), the existing matching actors within the radius it would duplicate, and the best
alternatives (the objective if this site were replaced by another candidate).

The candidates live in ``analyse.totem_candidats``, the explanations in
``analyse.totem_explications``; :func:`totem_epci` takes an EPCI's
:class:`~ecosysteme.analyse.territoire.Territoire` (read once from a store when given one).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import highspy
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csc_matrix, csr_matrix, hstack, vstack
from scipy.sparse import eye as speye

from ecosysteme.analyse.couverture import Filtre, filtre, filtrer_acteurs, paires
from ecosysteme.analyse.resume import rattacher
from ecosysteme.analyse.territoire import Territoire, territoire_epci
from ecosysteme.analyse.totem_candidats import (
    COLONNES_CANDIDATS,
    Origine,
    _points,
    _trier,
    candidats_acteurs,
    candidats_fichier,
    candidats_grille,
    candidats_points,
)
from ecosysteme.analyse.totem_explications import (
    ETAT_AUTRE_SITE,
    ETAT_DEJA,
    ETAT_INCONNU,
    ETAT_NOUVEAU,
    Explication,
    expliquer,
)
from ecosysteme.depot.interface import Depot
from ecosysteme.domaine import reglages
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.projection import (
    exiger_geographique,
)

__all__ = [
    "COLONNES_CANDIDATS",
    "ETAT_AUTRE_SITE",
    "ETAT_DEJA",
    "ETAT_INCONNU",
    "ETAT_NOUVEAU",
    "NNZ_EXACT_MAX",
    "Explication",
    "Origine",
    "Resultat",
    "candidats_acteurs",
    "candidats_fichier",
    "candidats_grille",
    "candidats_points",
    "expliquer",
    "implanter",
    "matrice_couverture",
    "reduire",
    "resoudre",
    "totem_epci",
]

#: Above this many non-zeros in the reduced model (QPV × candidate pairs left after reduction),
#: :func:`implanter` answers with the greedy pass and its gap to the LP bound instead of the
#: integer program. Measured on this 2-core machine (26/11/2026, HiGHS 1.15, p = 3 and 10):
#: geographic instances reduce a lot (dominated candidates go) — 1,584 QPV × 120,000 candidates
#: within 2.5 km (576,388 pairs) reduce to 19,894 non-zeros, solved to optimality in 0.6–0.8 s;
#: unstructured worst cases (random sets of 8–10 QPV per candidate, nothing dominated): 40,000
#: non-zeros 1.6–3.1 s, 160,000 non-zeros 8–14 s, 500,000 non-zeros still open after 60 s. Hence
#: exact up to 200,000 non-zeros (≤ ≈ 15 s in the worst case), greedy above; ``delai_s`` also
#: bounds any exact solve, whose gap is then reported.
NNZ_EXACT_MAX = 200_000


# --- coverage matrix ----------------------------------------------------------------------------


def _verifier_candidats(candidats: gpd.GeoDataFrame) -> None:
    manque = [c for c in ("id", "libelle", "origine") if c not in candidats.columns]
    if manque:
        raise ErreurEcosysteme(f"candidats : colonne(s) absente(s) : {', '.join(manque)}.")
    exiger_geographique(candidats, "candidats")
    ids = candidats["id"].astype(str)
    if ids.duplicated().any():
        raise ErreurEcosysteme(f"candidats : identifiant « {ids[ids.duplicated()].iloc[0]} » en double.")
    g = candidats.geometry.to_numpy()
    mauvais = shapely.is_missing(g) | shapely.is_empty(g) | (shapely.get_type_id(g) != 0)
    if mauvais.any():
        raise ErreurEcosysteme(f"candidat « {ids[mauvais].iloc[0]} » : un point est attendu.")


def matrice_couverture(
    qpv: gpd.GeoDataFrame, candidats: gpd.GeoDataFrame, rayon: float
) -> tuple[csr_matrix, pd.DataFrame]:
    """Which candidate reaches which QPV within ``rayon`` metres of its polygon.

    Returns the QPV × candidate boolean matrix (rows in ``qpv`` order, columns in ``candidats``
    order) and its pairs: ``i`` (row), ``j`` (column), ``code_qp``, ``id``, ``distance_m``
    (exact distance to the polygon, 0 inside; measured by ``coverage.paires`` in the metric CRS
    of the QPV's territory, one STRtree query, a candidate serving its own territory only).
    """
    if rayon <= 0:
        raise ErreurEcosysteme("le rayon doit être positif, en mètres.")
    exiger_geographique(qpv, "QPV")
    _verifier_candidats(candidats)
    codes = qpv["code_qp"].astype(str)
    if codes.duplicated().any():
        raise ErreurEcosysteme(f"QPV « {codes[codes.duplicated()].iloc[0]} » en double.")
    lon, lat = _points(candidats)
    ids = candidats["id"].astype(str).to_numpy(dtype=object)
    p = paires(qpv, pd.DataFrame({"id": ids, "longitude": lon, "latitude": lat}), rayon)
    i = pd.Index(codes.to_numpy()).get_indexer(p["code_qp"].to_numpy())
    j = pd.Index(ids).get_indexer(p["id"].to_numpy())
    p.insert(0, "j", j)
    p.insert(0, "i", i)
    mat = csr_matrix(
        (np.ones(len(p), dtype=np.int8), (i, j)), shape=(len(qpv), len(candidats)), dtype=np.int8
    )
    return mat, p


# --- the model ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Resultat:
    """The answer of :func:`implanter`.

    ``objectif``: residents newly covered by the chosen sites; ``borne``: an upper bound of the
    best possible (the solver's dual bound, or the LP bound for the greedy answer); ``ecart``:
    (borne − objectif) / borne (0 when proven optimal); ``statut``: « optimal », « limite de
    temps » (best found when the time ran out) or « glouton » (model above ``NNZ_EXACT_MAX``).
    """

    choisis: tuple[str, ...]
    objectif: int
    borne: float
    ecart: float
    statut: str
    methode: str
    rayon: float
    sites: int
    #: One row per QPV: code_qp, lib_qp, population (Int64), population_inconnue,
    #: deja_couvert (by an existing matching actor), couvert (after the chosen sites).
    qpv: pd.DataFrame
    #: The candidates (id, libelle, origine, geometry 4326, habitants_seul: residents newly
    #: covered by this candidate alone), sorted by id.
    candidats: gpd.GeoDataFrame
    #: Candidate pairs within the radius: i, j, code_qp, id, distance_m.
    paires: pd.DataFrame
    #: Existing active actors matching the filter (the offer already there).
    existants: gpd.GeoDataFrame
    #: Their pairs within the radius: code_qp, id, distance_m.
    paires_existants: pd.DataFrame
    avertissements: tuple[str, ...] = ()
    #: Size of the reduced model: QPV rows, candidate columns, non-zeros; seconds per phase.
    taille: dict[str, int] = field(default_factory=dict)
    durees: dict[str, float] = field(default_factory=dict)
    matrice: csr_matrix | None = None


def _population(qpv: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    if "population" not in qpv.columns:
        raise ErreurEcosysteme("QPV : colonne « population » absente (importez les populations des QPV).")
    pop = pd.to_numeric(qpv["population"], errors="coerce")
    inconnue = pop.isna().to_numpy()
    w = pop.fillna(0).to_numpy(dtype=float)
    if (w < 0).any():
        raise ErreurEcosysteme(f"QPV « {qpv['code_qp'].iloc[int(np.argmax(w < 0))]} » : population négative.")
    return w, inconnue


def implanter(
    qpv: gpd.GeoDataFrame,
    candidats: gpd.GeoDataFrame,
    existants: gpd.GeoDataFrame | pd.DataFrame,
    *,
    rayon: float | None = None,
    sites: int = reglages.SITES_TOTEM,
    filtres: Sequence[Filtre] = (),
    delai_s: float = 60.0,
    nnz_exact_max: int = NNZ_EXACT_MAX,
) -> Resultat:
    """Choose the sites that newly cover the most QPV residents (the lieu totem).

    At most ``sites`` candidates maximising the residents of QPV newly covered within ``rayon``
    metres of the QPV's polygon; ``existants`` matching ``filtres`` (active only) already cover,
    so a QPV they reach adds nothing. A QPV without population counts 0 and is reported.

    Exact (HiGHS, proven optimal, ties by candidate id) when the reduced model holds at most
    ``nnz_exact_max`` non-zeros (see ``NNZ_EXACT_MAX`` for the measured sizes); above, the
    greedy pass (largest gain first, ties by id) with its gap to the LP bound. A solve stopped
    by ``delai_s`` returns the better of the solver's best and the greedy set, with the gap.

    Parameters
    ----------
    qpv : geopandas.GeoDataFrame
        The QPV (EPSG:4326) with ``code_qp`` (unique), ``population`` (residents; NaN: unknown)
        and optionally ``lib_qp``.
    candidats : geopandas.GeoDataFrame
        The possible sites (EPSG:4326 points) with ``id`` (unique), ``libelle`` and ``origine``,
        as made by ``candidats_acteurs``, ``candidats_points``, ``candidats_fichier`` or
        ``candidats_grille``.
    existants : geopandas.GeoDataFrame or pandas.DataFrame
        The existing actors, with ``longitude``, ``latitude`` (EPSG:4326: the points measured),
        ``statut`` and the fields ``filtres`` read; a GeoDataFrame or a plain table.
    rayon : float, optional
        The radius in metres (straight line) from a site to a QPV's polygon; default
        ``reglages.DISTANCE_MARCHE``.
    sites : int, default reglages.SITES_TOTEM
        The most sites to choose (at least 1); fewer are chosen when one more adds no resident.
    filtres : sequence of Filtre, default ()
        The offer an existing actor must match to count as already covering (any value within a
        family, every family); empty: every active actor.
    delai_s : float, default 60.0
        Time limit of the solver, in seconds.
    nnz_exact_max : int, default NNZ_EXACT_MAX
        Above this many non-zeros in the reduced model, the greedy pass answers.

    Returns
    -------
    Resultat
        The chosen candidates' ids (``choisis``), the residents newly covered (``objectif``), the
        upper bound (``borne``) and gap (``ecart``), the ``statut`` (« optimal », « limite de
        temps », « glouton »), the tables per QPV and per candidate, the pairs within the radius
        and the warnings (``avertissements``).

    Raises
    ------
    ErreurEcosysteme
        ``sites`` < 1 or ``rayon`` ≤ 0; a frame not in EPSG:4326; ``qpv`` without
        ``population``, with a negative one or a ``code_qp`` twice; candidates without ``id``,
        ``libelle`` or ``origine``, with an id twice or a geometry that is not a point; the
        solver failing.
    """
    if sites < 1:
        raise ErreurEcosysteme("le nombre de sites doit être au moins 1.")
    rayon = reglages.DISTANCE_MARCHE if rayon is None else rayon
    debut = time.perf_counter()
    candidats = _trier(candidats)
    w, inconnue = _population(qpv)
    offre = filtrer_acteurs(
        existants if isinstance(existants, gpd.GeoDataFrame) else gpd.GeoDataFrame(existants), filtres
    )
    p_exist = paires(qpv, offre, rayon)
    deja = qpv["code_qp"].astype(str).isin(p_exist["code_qp"]).to_numpy()
    mat, p_cand = matrice_couverture(qpv, candidats, rayon)
    t_mat = time.perf_counter()
    poids = np.where(deja, 0.0, w)
    choix, statut, borne, taille, methode = resoudre(
        mat, poids, sites, delai_s=delai_s, nnz_exact_max=nnz_exact_max
    )
    t_sol = time.perf_counter()
    ids = candidats["id"].astype(str).to_numpy()
    couvert = deja.copy()
    if len(choix):
        couvert |= np.asarray(mat[:, choix].sum(axis=1)).ravel() > 0
    objectif = int(round(float(poids[couvert & ~deja].sum())))
    ecart = 0.0 if borne <= 0 else max(0.0, (borne - objectif) / borne)
    seul = np.asarray(mat.T.astype(np.float64) @ poids).ravel()
    cands = candidats.copy()
    cands["habitants_seul"] = np.rint(seul).astype(np.int64)
    avert: list[str] = []
    if inconnue.any():
        codes_inc = ", ".join(qpv["code_qp"].astype(str).to_numpy()[inconnue])
        avert.append(f"population inconnue, comptée 0 habitant : {codes_inc}.")
    if len(choix) < sites:
        avert.append(
            f"{len(choix)} site(s) retenu(s) sur {sites} demandés : "
            "un site de plus n'ajouterait aucun habitant."
        )
    if statut != "optimal":
        avert.append(
            f"solution {statut} : au plus {ecart:.1%} sous l'optimum (borne {borne:,.0f} habitants)."
        )
    lib = qpv["lib_qp"].astype(str).to_numpy() if "lib_qp" in qpv.columns else np.full(len(qpv), "")
    table_qpv = pd.DataFrame(
        {
            "code_qp": qpv["code_qp"].astype(str).to_numpy(),
            "lib_qp": lib,
            "population": pd.Series(np.rint(w).astype(np.int64), dtype="Int64").mask(inconnue).array,
            "population_inconnue": inconnue,
            "deja_couvert": deja,
            "couvert": couvert,
        }
    )
    return Resultat(
        choisis=tuple(ids[choix]),
        objectif=objectif,
        borne=float(borne),
        ecart=ecart,
        statut=statut,
        methode=methode,
        rayon=float(rayon),
        sites=sites,
        qpv=table_qpv,
        candidats=cands,
        paires=p_cand,
        existants=offre,
        paires_existants=p_exist,
        avertissements=tuple(avert),
        taille=taille,
        durees={"matrice_s": t_mat - debut, "resolution_s": t_sol - t_mat},
        matrice=mat,
    )


def reduire(mat: csr_matrix, poids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows (QPV with residents to gain) and columns (candidates, in index order) worth keeping:
    columns reaching none of those rows, columns identical to an earlier one and columns whose
    rows are strictly contained in another's are dropped (an optimal set keeps its value when a
    dropped column is swapped for the one kept)."""
    lignes = np.flatnonzero(poids > 0)
    sous = csc_matrix(mat[lignes])
    colonnes = np.flatnonzero(np.diff(sous.indptr) > 0)
    lignes_utiles = np.flatnonzero(np.asarray(sous[:, colonnes].sum(axis=1)).ravel() > 0)
    lignes = lignes[lignes_utiles]
    sous = csc_matrix(sous[lignes_utiles][:, colonnes])
    sous.sort_indices()
    vus: set[bytes] = set()
    uniques: list[int] = []
    for k in range(sous.shape[1]):
        cle = sous.indices[sous.indptr[k] : sous.indptr[k + 1]].tobytes()
        if cle not in vus:
            vus.add(cle)
            uniques.append(k)
    sous = csc_matrix(sous[:, uniques])
    colonnes = colonnes[uniques]
    # dominance: |rows(j) ∩ rows(k)| = |rows(j)| with k ≠ j (columns are now distinct)
    degres = np.diff(csr_matrix(sous).indptr).astype(np.int64)
    if len(colonnes) > 1 and int((degres**2).sum()) <= 20_000_000:
        s = sous.astype(np.int32)
        inter = (s.T @ s).tocoo()
        tailles = np.diff(sous.indptr)
        domine = (inter.row != inter.col) & (inter.data == tailles[inter.row])
        garde = np.ones(len(colonnes), dtype=bool)
        garde[np.unique(inter.row[domine])] = False
        colonnes = colonnes[garde]
    return lignes, colonnes


def resoudre(
    mat: csr_matrix,
    poids: np.ndarray,
    sites: int,
    *,
    delai_s: float = 60.0,
    nnz_exact_max: int = NNZ_EXACT_MAX,
) -> tuple[np.ndarray, str, float, dict[str, int], str]:
    """The maximal covering set on a QPV × candidate matrix with row weights (0: nothing to
    gain): (chosen column indices sorted, statut, upper bound, reduced size, method)."""
    lignes, colonnes = reduire(mat, poids)
    a = csc_matrix(mat[lignes][:, colonnes]).astype(np.float64)
    w = poids[lignes]
    taille = {"qpv": len(lignes), "candidats": len(colonnes), "non_zeros": int(a.nnz)}
    if not len(colonnes):
        return np.array([], dtype=np.int64), "optimal", 0.0, taille, "aucun calcul"
    if len(colonnes) <= sites:
        return np.sort(colonnes), "optimal", float(w.sum()), taille, "tous les candidats utiles"
    glouton = _glouton(a, w, sites)
    v_glouton = float(w[np.asarray(a[:, glouton].sum(axis=1)).ravel() > 0].sum())
    if a.nnz > nnz_exact_max:
        borne, _ = _highs(a, w, sites, delai_s=delai_s, entier=False)
        statut = "optimal" if v_glouton >= borne - 0.5 else "glouton"
        return np.sort(colonnes[glouton]), statut, max(borne, v_glouton), taille, "glouton"
    borne, x = _highs(a, w, sites, delai_s=delai_s, entier=True)
    choix = np.flatnonzero(x > 0.5)
    valeur = float(w[np.asarray(a[:, choix].sum(axis=1)).ravel() > 0].sum())
    statut = "optimal" if valeur >= borne - 0.5 else "limite de temps"
    if v_glouton > valeur:
        choix, valeur = glouton, v_glouton
    return np.sort(colonnes[choix]), statut, max(borne, valeur), taille, "highs"


def _glouton(a: csc_matrix, w: np.ndarray, sites: int) -> np.ndarray:
    """Largest marginal gain first, ties by the smallest index (= identifier order)."""
    reste = w.copy()
    choix: list[int] = []
    ar = csr_matrix(a)
    gains = np.asarray(a.T @ reste).ravel()
    for _ in range(sites):
        j = int(np.argmax(gains))
        if gains[j] <= 0:
            break
        choix.append(j)
        rangs = a.indices[a.indptr[j] : a.indptr[j + 1]]
        nouveaux = rangs[reste[rangs] > 0]
        if len(nouveaux):
            delta = np.zeros_like(reste)
            delta[nouveaux] = reste[nouveaux]
            gains -= np.asarray(ar.T @ delta).ravel()
            reste[nouveaux] = 0.0
        gains[j] = -1.0
    return np.asarray(choix, dtype=np.int64)


def _highs(
    a: csc_matrix, w: np.ndarray, sites: int, *, delai_s: float, entier: bool
) -> tuple[float, np.ndarray]:
    """Solve max Σ w_i y_i, y_i ≤ Σ_j a_ij x_j, Σ x_j ≤ p, x binary (or in [0, 1] for the LP
    bound), y in [0, 1]. Returns (upper bound on Σ w_i y_i, x)."""
    nq, nc = a.shape
    # tie-break by index: each column costs eps·(rank+1); the p chosen cost < 1/2 in all
    eps = 0.5 / (sites * (nc + 1)) if entier else 0.0
    contraintes = vstack(
        [
            hstack([-a, speye(nq, format="csc")]),
            hstack([csc_matrix(np.ones((1, nc))), csc_matrix((1, nq))]),
        ]
    ).tocsc()
    contraintes.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_ = nc + nq
    lp.num_row_ = nq + 1
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.concatenate([-eps * np.arange(1, nc + 1), w]).astype(np.float64)
    lp.col_lower_ = np.zeros(nc + nq)
    lp.col_upper_ = np.ones(nc + nq)
    lp.row_lower_ = np.full(nq + 1, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([np.zeros(nq), [float(sites)]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = contraintes.indptr.astype(np.int32)
    lp.a_matrix_.index_ = contraintes.indices.astype(np.int32)
    lp.a_matrix_.value_ = contraintes.data.astype(np.float64)
    lp.a_matrix_.num_col_ = nc + nq
    lp.a_matrix_.num_row_ = nq + 1
    if entier:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * nc + [highspy.HighsVarType.kContinuous] * nq
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(delai_s))
    h.setOptionValue("random_seed", 0)
    if entier:
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", eps / 2)
    h.passModel(lp)
    h.run()
    etat = h.getModelStatus()
    ok = {highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kTimeLimit}
    if etat not in ok:
        raise ErreurEcosysteme(f"le solveur HiGHS a échoué : {h.modelStatusToString(etat)}.")
    info = h.getInfo()
    x = np.asarray(h.getSolution().col_value[:nc], dtype=float)
    if entier:
        if etat == highspy.HighsModelStatus.kTimeLimit and info.primal_solution_status == 0:
            x = np.zeros(nc)
        borne = float(info.mip_dual_bound) + eps * sites * (nc + 1)
        if etat == highspy.HighsModelStatus.kOptimal:
            borne = float(np.floor(info.mip_dual_bound + eps * sites * (nc + 1) + 1e-6))
    else:
        borne = float(info.objective_function_value)
    return borne, x


# --- one EPCI from the store ----------------------------------------------------------------


def totem_epci(
    depot: Depot | Territoire,
    siren: str,
    *,
    service: str | Sequence[str] | None = None,
    rayon: float | None = None,
    sites: int = reglages.SITES_TOTEM,
    candidats: str | Path | gpd.GeoDataFrame = "acteurs",
    pas_m: float = reglages.PAS_GRILLE_TOTEM,
    delai_s: float = 60.0,
    alternatives: int = 3,
) -> tuple[Resultat, Explication]:
    """Find the lieu totem of one EPCI, with the explanation of each chosen site.

    QPV: those of the EPCI. Existing offer: active actors matching ``service`` (any of them;
    all active actors when None) wherever they are, QPV reached by geometry. The sites are
    chosen by :func:`implanter` and explained by :func:`expliquer`.

    Parameters
    ----------
    depot : Depot or Territoire
        The EPCI's :class:`~ecosysteme.analyse.territoire.Territoire`, or a store from which it
        is read once.
    siren : str
        SIREN of the EPCI (9 digits).
    service : str or sequence of str, optional
        The service(s) of the standard an existing actor must offer (any of them) to count as
        already covering; None: every active actor.
    rayon : float, optional
        The radius in metres (straight line) from a site to a QPV's polygon; default
        ``reglages.DISTANCE_MARCHE``.
    sites : int, default reglages.SITES_TOTEM
        The most sites to choose, from 1 to 10.
    candidats : str or pathlib.Path or geopandas.GeoDataFrame, default "acteurs"
        ``"acteurs"`` (active actors of the EPCI's communes, any category), ``"grille"`` (cells
        of ``pas_m`` metres over the EPCI's communes holding a QPV), the path of a file of
        points (CSV, XLSX, JSON, GeoJSON, GeoPackage), or the frame of
        :func:`candidats_points` (points entered by the user).
    pas_m : float, default reglages.PAS_GRILLE_TOTEM
        The grid step in metres, for ``candidats="grille"``.
    delai_s : float, default 60.0
        Time limit of the solver, in seconds.
    alternatives : int, default 3
        How many best alternatives to list per chosen site.

    Returns
    -------
    tuple of (Resultat, Explication)
        The answer of :func:`implanter` and its explanation (:func:`expliquer`).

    Raises
    ------
    ErreurEcosysteme
        ``sites`` outside 1–10; no QPV for the EPCI in the store; a territory of another EPCI;
        an unknown service; ``candidats`` neither « acteurs », « grille », a frame nor an
        existing file; no candidate; ``pas_m`` ≤ 0; the errors of :func:`implanter`.
    FichierInvalide
        The file of points cannot be read, or has no ``longitude`` / ``latitude``.
    FormatInconnu
        The format of the file of points is not recognised (a ZIP archive, XML or HTML).
    DonneeInvalide
        A point of the file has an impossible coordinate or an identifier used twice.
    """
    if sites < 1 or sites > 10:
        raise ErreurEcosysteme("le nombre de sites doit être compris entre 1 et 10.")
    rayon = reglages.DISTANCE_MARCHE if rayon is None else rayon
    territoire = territoire_epci(depot, siren)
    qpv = territoire.qpv
    if qpv.empty:
        raise ErreurEcosysteme(f"aucun QPV pour l'EPCI « {siren} » dans le dépôt (SIREN à 9 chiffres ?).")
    services = [service] if isinstance(service, str) else list(service or [])
    filtres = tuple(filtre(f"service:{s}") for s in services)
    x0, y0, x1, y1 = shapely.total_bounds(qpv.geometry.to_numpy())
    marge_lat = rayon / 111_000.0 * 1.1
    marge_lon = marge_lat / max(math.cos(math.radians(max(abs(y0), abs(y1)))), 0.1)
    existants = territoire.acteurs_dans((x0 - marge_lon, y0 - marge_lat, x1 + marge_lon, y1 + marge_lat))
    if isinstance(candidats, str) and candidats == "acteurs":
        du_territoire = rattacher(territoire.acteurs_epci(siren), territoire.communes)
        cands = candidats_acteurs(du_territoire[du_territoire["epci_geo"] == siren])
    elif isinstance(candidats, str) and candidats == "grille":
        cands = candidats_grille(territoire.communes, qpv, pas_m=pas_m)
    elif isinstance(candidats, gpd.GeoDataFrame):
        cands = candidats
    elif isinstance(candidats, Path) or (isinstance(candidats, str) and Path(candidats).exists()):
        cands = candidats_fichier(Path(candidats))
    else:
        raise ErreurEcosysteme(
            f"candidats « {candidats} » : « acteurs », « grille » ou un fichier de points existant attendu."
        )
    if cands.empty:
        raise ErreurEcosysteme("aucun candidat : aucun lieu possible pour le lieu totem.")
    res = implanter(qpv, cands, existants, rayon=rayon, sites=sites, filtres=filtres, delai_s=delai_s)
    return res, expliquer(res, alternatives=alternatives)
