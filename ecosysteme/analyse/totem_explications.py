"""Why each site of the lieu totem (``ecosysteme.analyse.totem``): per chosen site, the QPV it
reaches (residents, distance, newly or already covered), the residents it newly covers (a QPV
reached by several chosen sites is assigned to the nearest of them, ties by identifier, so the
per-site numbers add up to the objective), the existing matching actors within the radius it
would duplicate, and the best alternatives (:func:`expliquer`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ecosysteme.analyse.totem_candidats import _points, _transformateur
from ecosysteme.domaine.projection import (
    TERRITOIRES,
    territoires_des_points,
)

if TYPE_CHECKING:
    from ecosysteme.analyse.totem import Resultat


@dataclass(frozen=True, eq=False)
class Explication:
    """Why each chosen site: tables ready to export (:meth:`tableaux`)."""

    #: One row per chosen site: id, libelle, origine, longitude, latitude, qpv_atteints,
    #: habitants_atteints, habitants_nouveaux (residents newly covered and assigned to it),
    #: acteurs_en_doublon.
    sites: pd.DataFrame
    #: One row per (site, QPV reached): id_site, code_qp, lib_qp, population,
    #: population_inconnue, distance_m, etat, attribue (counted in this site's habitants_nouveaux).
    qpv: pd.DataFrame
    #: Existing matching actors within the radius of each site: id_site, id_acteur, nom, distance_m.
    doublons: pd.DataFrame
    #: The best other candidates if this site were replaced: id_site, rang, id_candidat,
    #: libelle, origine, objectif (residents newly covered by the set with the swap), difference.
    alternatives: pd.DataFrame
    #: How a QPV reached by several chosen sites is counted.
    regle: str = (
        "un QPV atteint par plusieurs sites retenus est compté une fois, pour le site le plus proche "
        "de son périmètre (à égalité, le premier identifiant)"
    )

    def tableaux(self) -> dict[str, pd.DataFrame]:
        """The tables by name (for CSV/XLSX export)."""
        return {
            "sites": self.sites,
            "qpv": self.qpv,
            "doublons": self.doublons,
            "alternatives": self.alternatives,
        }


ETAT_NOUVEAU = "nouvellement couvert"

ETAT_AUTRE_SITE = "nouvellement couvert, compté pour un site retenu plus proche"

ETAT_DEJA = "déjà couvert par l'offre existante"

ETAT_INCONNU = "population inconnue"


def expliquer(resultat: Resultat, *, alternatives: int = 3) -> Explication:
    """Explain each chosen site of ``resultat`` (see :class:`Explication`); the sites'
    ``habitants_nouveaux`` add up to ``resultat.objectif``."""
    r = resultat
    cands = r.candidats.set_index("id", drop=False)
    choisis = list(r.choisis)
    p = r.paires[r.paires["id"].isin(choisis)].copy()
    infos = r.qpv.set_index("code_qp")
    p["lib_qp"] = infos.loc[p["code_qp"], "lib_qp"].to_numpy()
    p["population"] = infos.loc[p["code_qp"], "population"].to_numpy()
    p["population_inconnue"] = infos.loc[p["code_qp"], "population_inconnue"].to_numpy(dtype=bool)
    deja = infos.loc[p["code_qp"], "deja_couvert"].to_numpy(dtype=bool)
    # each newly covered QPV to its nearest chosen site (ties: smallest id)
    ordre = p.sort_values(["code_qp", "distance_m", "id"], kind="stable")
    premier = ~ordre["code_qp"].duplicated()
    attribue = pd.Series(False, index=p.index)
    attribue[ordre.index[premier.to_numpy()]] = True
    attribue &= ~pd.Series(deja, index=p.index)
    p["attribue"] = attribue
    p["etat"] = np.where(deja, ETAT_DEJA, np.where(p["attribue"], ETAT_NOUVEAU, ETAT_AUTRE_SITE))
    p.loc[p["population_inconnue"].to_numpy() & ~deja, "etat"] = ETAT_INCONNU
    table_qpv = (
        p.rename(columns={"id": "id_site"})[
            [
                "id_site",
                "code_qp",
                "lib_qp",
                "population",
                "population_inconnue",
                "distance_m",
                "etat",
                "attribue",
            ]
        ]
        .sort_values(["id_site", "distance_m", "code_qp"], kind="stable")
        .reset_index(drop=True)
    )
    pop = pd.to_numeric(table_qpv["population"]).fillna(0)
    nouveaux = pop.where(table_qpv["attribue"], 0).groupby(table_qpv["id_site"]).sum()
    atteints = pop.groupby(table_qpv["id_site"]).sum()
    n_qpv = table_qpv.groupby("id_site").size()
    doublons = _doublons(r, choisis)
    n_doublons = doublons.groupby("id_site").size()
    lon, lat = _points(cands.loc[choisis]) if choisis else (np.array([]), np.array([]))
    sites = pd.DataFrame(
        {
            "id": choisis,
            "libelle": cands.loc[choisis, "libelle"].to_numpy() if choisis else [],
            "origine": cands.loc[choisis, "origine"].to_numpy() if choisis else [],
            "longitude": lon,
            "latitude": lat,
            "qpv_atteints": [int(n_qpv.get(s, 0)) for s in choisis],
            "habitants_atteints": [int(atteints.get(s, 0)) for s in choisis],
            "habitants_nouveaux": [int(nouveaux.get(s, 0)) for s in choisis],
            "acteurs_en_doublon": [int(n_doublons.get(s, 0)) for s in choisis],
        }
    )
    return Explication(sites, table_qpv, doublons, _alternatives(r, choisis, alternatives))


def _doublons(r: Resultat, choisis: list[str]) -> pd.DataFrame:
    """Existing matching actors whose point lies within the radius of each chosen site
    (point-to-point, in the metric CRS of the site's territory); the site's own record aside."""
    colonnes = ["id_site", "id_acteur", "nom", "distance_m"]
    ex = r.existants
    if not choisis or ex.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "distance_m" else object) for c in colonnes})
    sel = r.candidats.set_index("id").loc[choisis]
    slon, slat = _points(sel)
    elon, elat = _points(ex)
    ok = np.isfinite(elon) & np.isfinite(elat)
    t_site = territoires_des_points(slon, slat)
    t_ex = np.where(ok, territoires_des_points(np.nan_to_num(elon), np.nan_to_num(elat)), -2)
    ids_ex = ex["id"].astype(str).to_numpy()
    noms = ex["nom"].astype(str).to_numpy() if "nom" in ex.columns else np.full(len(ex), "")
    lignes: list[dict[str, object]] = []
    for k, s in enumerate(choisis):
        if t_site[k] < 0:
            continue
        epsg = TERRITOIRES[t_site[k]].epsg
        tr = _transformateur(4326, epsg)
        memes = np.flatnonzero(t_ex == t_site[k])
        sx, sy = tr.transform(slon[k], slat[k])
        ex_x, ex_y = tr.transform(elon[memes], elat[memes])
        d = np.hypot(np.asarray(ex_x) - sx, np.asarray(ex_y) - sy)
        for m, dist in zip(memes, d, strict=True):
            if dist <= r.rayon and ids_ex[m] != s:
                lignes.append(
                    {"id_site": s, "id_acteur": ids_ex[m], "nom": noms[m], "distance_m": float(dist)}
                )
    if not lignes:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "distance_m" else object) for c in colonnes})
    return (
        pd.DataFrame(lignes)
        .sort_values(["id_site", "distance_m", "id_acteur"], kind="stable")
        .reset_index(drop=True)
    )


def _alternatives(r: Resultat, choisis: list[str], k: int) -> pd.DataFrame:
    """For each chosen site, the k candidates giving the best objective if they replaced it."""
    colonnes = ["id_site", "rang", "id_candidat", "libelle", "origine", "objectif", "difference"]
    if not choisis or k <= 0 or r.matrice is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in colonnes})
    mat = r.matrice.astype(np.float64)
    deja = r.qpv["deja_couvert"].to_numpy(dtype=bool)
    w = pd.to_numeric(r.qpv["population"]).fillna(0).to_numpy(dtype=float)
    ids = r.candidats["id"].astype(str).to_numpy()
    rang = {s: int(np.flatnonzero(ids == s)[0]) for s in choisis}
    lignes: list[dict[str, object]] = []
    for s in choisis:
        autres = [rang[t] for t in choisis if t != s]
        couvert = deja.copy()
        if autres:
            couvert |= np.asarray(mat[:, autres].sum(axis=1)).ravel() > 0
        base = float(w[couvert & ~deja].sum())
        gains = np.asarray(mat.T @ np.where(couvert, 0.0, w)).ravel()
        gains[[rang[t] for t in choisis]] = -np.inf
        ordre = np.lexsort((np.arange(len(ids)), -gains))
        ordre = ordre[np.isfinite(gains[ordre])][:k]
        for n, j in enumerate(ordre, start=1):
            score = int(round(base + gains[j]))
            lignes.append(
                {
                    "id_site": s,
                    "rang": n,
                    "id_candidat": ids[j],
                    "libelle": r.candidats["libelle"].iloc[j],
                    "origine": r.candidats["origine"].iloc[j],
                    "objectif": score,
                    "difference": score - r.objectif,
                }
            )
    if not lignes:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in colonnes})
    return pd.DataFrame(lignes, columns=colonnes)
