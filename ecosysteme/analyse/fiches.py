"""QPV and actor sheets (pure): what the dashboard shows when a QPV or an actor is opened.

A QPV sheet: its figures (residents, communes, EPCI), per filter its coverage (nearest
distance, counts per band), and its actors by distance. An actor sheet: the fields of the
national standard in French, and the freshness of ``date_maj``.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from ecosysteme.analyse.couverture import Filtre, paires
from ecosysteme.domaine.dates import Fraicheur, fraicheur
from ecosysteme.domaine.libelles import CHAMPS_FICHE


def _texte(valeur: object) -> str | None:
    if valeur is None or (isinstance(valeur, float) and valeur != valeur):
        return None
    if isinstance(valeur, list | tuple):
        vals = [str(v) for v in valeur if v is not None and str(v).strip()]
        return " ; ".join(vals) if vals else None
    if hasattr(valeur, "tolist") and not isinstance(valeur, str):
        return _texte(valeur.tolist())
    texte = str(valeur).strip()
    return texte or None


def fiche_acteur(acteur: pd.Series, aujourdhui: dt.date) -> tuple[list[tuple[str, str]], Fraicheur]:
    """The filled fields of an actor, labelled in French, and the freshness of ``date_maj``."""
    lignes = []
    for champ, libelle in CHAMPS_FICHE:
        texte = _texte(acteur.get(champ))
        if texte is not None:
            lignes.append((libelle, texte))
    arrets = acteur.get("arrets")
    if isinstance(arrets, list | tuple) and arrets:
        lignes.append(("Service itinérant", f"{len(arrets)} arrêts"))
    return lignes, fraicheur(acteur.get("date_maj"), aujourdhui)


def couverture_qpv(couv: pd.DataFrame, code_qp: str, filtres: tuple[Filtre, ...]) -> pd.DataFrame:
    """One row per filter for a QPV: label, counts per band and per opening slot, nearest
    distance (m, None when there is none in the territory), covered."""
    c = couv[couv["code_qp"] == code_qp]
    par_cle = {str(r["filtre"]): r for _, r in c.iterrows()}
    lignes = []
    for f in filtres:
        r = par_cle.get(f.cle)
        if r is None:
            continue
        ligne: dict[str, object] = {"offre": f.libelle}
        for col in [k for k in c.columns if k.startswith("n_")]:
            ligne[col] = int(r[col])
        ligne["distance_m"] = None if pd.isna(r["distance_m"]) else round(float(r["distance_m"]))
        ligne["couvert"] = bool(r["couvert"])
        lignes.append(ligne)
    return pd.DataFrame(lignes)


def acteurs_proches(
    qpv: gpd.GeoDataFrame, code_qp: str, acteurs: gpd.GeoDataFrame, distance: float
) -> pd.DataFrame:
    """The active actors within ``distance`` metres of one QPV, nearest first: ``id``, ``nom``,
    ``categorie``, ``commune``, ``distance_m`` (0 inside, rounded to the metre)."""
    un = qpv[qpv["code_qp"] == code_qp]
    colonnes = ["id", "nom", "categorie", "commune", "distance_m"]
    if un.empty or acteurs.empty:
        return pd.DataFrame(columns=colonnes)
    pr = paires(un, acteurs, distance)
    attrs = pd.DataFrame(acteurs.drop(columns=acteurs.geometry.name))[["id", "nom", "categorie", "commune"]]
    out = pr.merge(attrs.drop_duplicates("id"), on="id", how="left")
    out["distance_m"] = out["distance_m"].round(0)
    return out[colonnes].reset_index(drop=True)
