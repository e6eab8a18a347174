"""Duplicate actors (DESIGN §5): one place recorded twice, by two sources or twice by hand (pure).

The tool proposes, a person decides. :func:`candidats` lists the pairs of actors that may be the
same place, with a score and a French reason; :func:`groupes` joins them into groups to merge;
:func:`semblables` warns, before a new actor is saved, that it may already exist.

How a pair becomes a candidate (blocking: never an all-pairs loop):

(a) the two points are within ``distance_max`` metres, measured in the metric CRS of their
    territory (Lambert-93 in metropolitan France, the local CRS overseas: ``ecosysteme.domaine.projection``),
    found with one KD-tree per territory;
(b) the two normalised addresses (number and street) are equal in the same commune, whatever
    the distance (a geocoding error can put the same place 2 km away); an address shared by more
    than ``_GROUPE_ADRESSE_MAX`` actors of one commune is left to (a);
(c) the two normalised names are equal in the same commune and hold a word that is not a type of
    place (a name shared by more than ``_GROUPE_NOM_MAX`` actors of one commune, such as
    « La Poste » in Paris, is skipped).

Rows with the same ``id`` (one actor, or the stops of one mobile service) are never a pair, nor
two mobile actors of the same parent structure (``structure_parente``). Closed actors take part
(a closed duplicate is still a duplicate) and are flagged (column ``ferme``).

Then each pair is scored (see :func:`score` for the formula and why). Names are compared on their
distinctive words: the type of place (« médiathèque », « mairie », « France Services »…), filler
words (« de », « association », « municipale »…) and the name of the commune both actors are in
say nothing about *which* place it is.

Measured on the conseillers numériques and data·inclusion files (``benchmarks/doublons.py``,
``tests/donnees/doublons_verifies.csv``): 95.9 % of a random sample of 50 proposed cross-source
pairs checked by hand are true duplicates (47 yes, 2 no, 1 uncertain). On all 26,500 national
actors :func:`candidats` takes about one second once its normalisation caches are warm, two to
three seconds in a fresh process (two shared cores).

The finder is split along its concerns: :mod:`~ecosysteme.inventaire.doublons_cles` (names and
addresses brought to comparison keys), :mod:`~ecosysteme.inventaire.doublons_paires` (the table
prepared, the candidate pairs found by blocking), :mod:`~ecosysteme.inventaire.doublons_score`
(how much two actors look like one place); this module assembles them into the public functions.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.modeles import Acteur
from ecosysteme.inventaire.doublons_cles import _commune, normaliser_adresse, normaliser_nom
from ecosysteme.inventaire.doublons_paires import (
    _coordonnees,
    _distances,
    _paires_candidates,
    _Prepare,
    _preparer,
    _textes,
)
from ecosysteme.inventaire.doublons_score import (
    DISTANCE_SURE,
    _accord_adresses,
    _accord_types,
    _communes_compatibles,
    _localisation,
    _mots_commune,
    _raisons,
    _similarite,
    score,
    similarite_noms,
)

#: Default proposal threshold of :func:`candidats` (score 0–100).
SEUIL_PROPOSITION = 70.0
#: Name similarity (0–100) from which :func:`semblables` calls a nearby name « semblable ».
SEUIL_NOM_SEMBLABLE = 70.0

COLONNES = [
    "id_a",
    "id_b",
    "score",
    "distance_m",
    "similarite_nom",
    "meme_adresse",
    "meme_categorie",
    "ferme",
    "raisons",
]

__all__ = [
    "COLONNES",
    "DISTANCE_SURE",
    "SEUIL_NOM_SEMBLABLE",
    "SEUIL_PROPOSITION",
    "candidats",
    "groupes",
    "normaliser_adresse",
    "normaliser_nom",
    "score",
    "semblables",
    "similarite_noms",
]


def _evaluer(p: _Prepare, i: np.ndarray, j: np.ndarray, distance_max: float) -> pd.DataFrame:
    """Every column of the output for the row pairs (i, j), ids not yet ordered."""
    distances = _distances(p, i, j)
    lignes: list[tuple[Any, ...]] = []
    for a, b, d in zip(i.tolist(), j.tolist(), distances.tolist(), strict=True):
        ca, cb = p.communes[a], p.communes[b]
        sim = _similarite(p.noms[a], p.noms[b], _mots_commune(ca, cb, p.noms[a], p.noms[b]))
        aa, ab = p.adresses[a], p.adresses[b]
        etat = _accord_adresses(aa, ab)
        if etat != "inconnue" and not _communes_compatibles(ca, cb, p.codes_postaux[a], p.codes_postaux[b]):
            etat = "autre"
        loc = _localisation(etat, bool(aa.numeros & ab.numeros), d, distance_max)
        typ = _accord_types(p.categories[a], p.categories[b], p.typologies[a], p.typologies[b])
        ferme = bool(p.fermes[a] or p.fermes[b])
        lignes.append(
            (
                round(score(sim, loc, typ), 1),
                d,
                round(sim, 1),
                etat == "meme",
                typ >= 100,
                ferme,
                _raisons(sim, d, etat, typ, (p.categories[a], p.categories[b]), ferme),
            )
        )
    cadre = pd.DataFrame(lignes, columns=COLONNES[2:])  # all but the two ids
    cadre.insert(0, "j", j)
    cadre.insert(0, "i", i)
    return cadre


#: Sort order: score descending, then ids; the rest only breaks ties between several rows of
#: one actor, so that the result does not depend on the order of the rows.
_TRI = ["score", "id_a", "id_b", "distance_m", "similarite_nom", "raisons"]


def _cle_paire(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _finir(
    p: _Prepare, cadre: pd.DataFrame, exclus: Collection[tuple[str, str]], seuil: float
) -> pd.DataFrame:
    """Ids ordered (id_a < id_b), pairs of one actor removed, excluded pairs removed, one row per
    pair of ids (the best when an actor has several rows), threshold, sort."""
    if cadre.empty:
        return _vide()
    ia, ib = p.ids[cadre["i"].to_numpy()], p.ids[cadre["j"].to_numpy()]
    inverse = ia > ib
    cadre["id_a"] = np.where(inverse, ib, ia)
    cadre["id_b"] = np.where(inverse, ia, ib)
    garder = cadre["id_a"] != cadre["id_b"]
    mobiles_freres = (
        p.mobiles[cadre["i"].to_numpy()]
        & p.mobiles[cadre["j"].to_numpy()]
        & np.array(
            [
                bool(p.parents[a]) and p.parents[a] == p.parents[b]
                for a, b in zip(cadre["i"], cadre["j"], strict=True)
            ],
            dtype=bool,
        )
    )
    garder &= ~mobiles_freres
    if exclus:
        refus = {_cle_paire(str(a), str(b)) for a, b in exclus}
        garder &= ~pd.Series(list(zip(cadre["id_a"], cadre["id_b"], strict=True)), index=cadre.index).isin(
            refus
        )
    cadre = cadre[garder & (cadre["score"] >= seuil)]
    cadre = cadre.sort_values(_TRI, ascending=[False, True, True, True, False, True], kind="mergesort")
    cadre = cadre.drop_duplicates(["id_a", "id_b"], keep="first")
    return cadre[COLONNES].reset_index(drop=True)


def _vide() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id_a": pd.Series(dtype=object),
            "id_b": pd.Series(dtype=object),
            "score": pd.Series(dtype=float),
            "distance_m": pd.Series(dtype=float),
            "similarite_nom": pd.Series(dtype=float),
            "meme_adresse": pd.Series(dtype=bool),
            "meme_categorie": pd.Series(dtype=bool),
            "ferme": pd.Series(dtype=bool),
            "raisons": pd.Series(dtype=object),
        }
    )


def candidats(
    acteurs: pd.DataFrame,
    *,
    distance_max: float = 100.0,
    seuil: float = SEUIL_PROPOSITION,
    exclus: Collection[tuple[str, str]] = (),
) -> pd.DataFrame:
    """Candidate duplicate pairs among ``acteurs`` (the store's actor table, or any frame with at
    least ``id`` and ``nom``; ``adresse``, ``code_postal``, ``commune``, ``latitude``/``longitude``
    or a point geometry in EPSG:4326, ``typologie``, ``categorie``, ``statut`` are used when there).

    One row per pair with ``score >= seuil``: ``id_a < id_b``, ``score`` (0–100, :func:`score`),
    ``distance_m`` (NaN when a point is missing), ``similarite_nom`` (:func:`similarite_noms`),
    ``meme_adresse``, ``meme_categorie`` (same typologie code or same category), ``ferme`` (one
    of the two is closed), ``raisons`` (« noms proches (92) à 12 m, même adresse »), sorted by
    score descending then ids. Pairs in ``exclus`` (either order) are never proposed.
    """
    if distance_max < 0:
        raise ErreurEcosysteme(f"Recherche de doublons : distance maximale négative ({distance_max} m).")
    p = _preparer(acteurs)
    paires = _paires_candidates(p, distance_max)
    if len(paires) == 0:
        return _vide()
    cadre = _evaluer(p, paires[:, 0], paires[:, 1], distance_max)
    return _finir(p, cadre, exclus, seuil)


def groupes(paires: pd.DataFrame, seuil: float) -> list[list[str]]:
    """Groups of actors to merge: connected components of the pairs scored at or above
    ``seuil`` (union-find). Each group sorted; the largest groups first, then by first id."""
    parent: dict[str, str] = {}

    def racine(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    retenues = paires[paires["score"] >= seuil]
    for a, b in zip(retenues["id_a"].astype(str), retenues["id_b"].astype(str), strict=True):
        ra, rb = racine(a), racine(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    composantes: dict[str, list[str]] = {}
    for x in list(parent):
        composantes.setdefault(racine(x), []).append(x)
    return sorted((sorted(g) for g in composantes.values() if len(g) > 1), key=lambda g: (-len(g), g[0]))


def _ligne_nouveau(nouveau: Mapping[str, Any] | Acteur) -> dict[str, Any]:
    if isinstance(nouveau, Acteur):
        d: dict[str, Any] = nouveau.model_dump(mode="json")
    else:
        d = dict(nouveau)
    if not isinstance(d.get("nom"), str) or not d["nom"].strip():
        raise ErreurEcosysteme("Recherche de doublons : le nouvel acteur n'a pas de nom.")
    ident = d.get("id")
    d["id"] = str(ident) if ident not in (None, "") else "(nouvel acteur)"
    return d


def _voisins_possibles(d: Mapping[str, Any], acteurs: pd.DataFrame, distance_max: float) -> np.ndarray:
    """Positions of the existing actors worth comparing with the new one (a cheap prefilter):
    those in a box of ``distance_max`` around its point, and those of the same commune or
    postcode (the same address may be anywhere in the commune)."""
    n = len(acteurs)
    garder = np.zeros(n, dtype=bool)
    lon0, lat0 = _coordonnees(
        pd.DataFrame({"longitude": [d.get("longitude")], "latitude": [d.get("latitude")]})
    )
    if np.isfinite(lon0[0]) and np.isfinite(lat0[0]):
        lon, lat = _coordonnees(acteurs)
        marge_lat = (distance_max + 10.0) / 110_000.0
        marge_lon = marge_lat / max(math.cos(math.radians(float(lat0[0]))), 0.01)
        with np.errstate(invalid="ignore"):
            garder |= (np.abs(lat - lat0[0]) <= marge_lat) & (np.abs(lon - lon0[0]) <= marge_lon)
    commune = d.get("commune")
    if isinstance(commune, str) and _commune(commune):
        cle = _commune(commune)
        garder |= np.array(
            [c == cle for c in (_commune(c) if c else "" for c in _textes(acteurs, "commune"))]
        )
    code_postal = d.get("code_postal")
    if isinstance(code_postal, str) and code_postal.strip():
        garder |= np.array([c == code_postal.strip() for c in _textes(acteurs, "code_postal")], dtype=bool)
    return np.flatnonzero(garder)


def semblables(
    nouveau: Mapping[str, Any] | Acteur,
    acteurs: pd.DataFrame,
    *,
    distance_max: float = 100.0,
) -> pd.DataFrame:
    """Existing actors that look like the one being entered (the form's warning): a similar name
    (:func:`similarite_noms` ≥ ``SEUIL_NOM_SEMBLABLE``) within ``distance_max`` metres, or the same
    address (same number and street in the same commune). When the new actor has no position, a
    very similar name (≥ 90) in the same commune counts too.

    Same columns as :func:`candidats`, with ``id_a`` the new actor (its ``id``, or « (nouvel
    acteur) ») and ``id_b`` the existing one, best first. The existing actor with the new one's
    ``id`` (the actor being edited) is left out."""
    d = _ligne_nouveau(nouveau)
    positions = _voisins_possibles(d, acteurs, distance_max) if len(acteurs) else np.empty(0, dtype=np.int64)
    if len(positions) == 0:
        return _vide()
    colonnes = ["id", "nom", "adresse", "code_postal", "commune", "latitude", "longitude", "typologie"]
    colonnes += ["categorie", "statut", "itinerance", "arrets", "structure_parente"]
    sous = acteurs.iloc[positions]
    lon, lat = _coordonnees(sous)
    existants = pd.DataFrame(
        {c: sous[c].tolist() if c in sous.columns else [None] * len(sous) for c in colonnes}
    ).assign(longitude=lon, latitude=lat)
    tout = pd.concat([pd.DataFrame([{c: d.get(c) for c in colonnes}]), existants], ignore_index=True)
    p = _preparer(tout)
    autres = np.arange(1, len(tout))
    autres = autres[p.ids[autres] != p.ids[0]]
    if len(autres) == 0:
        return _vide()
    cadre = _evaluer(p, np.zeros(len(autres), dtype=np.int64), autres, distance_max)
    proche = cadre["distance_m"] <= distance_max
    sans_position = p.zone[0] < 0
    meme_commune = np.array([bool(p.communes[0]) and p.communes[k] == p.communes[0] for k in autres])
    garder = (
        cadre["meme_adresse"]
        | ((cadre["similarite_nom"] >= SEUIL_NOM_SEMBLABLE) & proche)
        | (sans_position & meme_commune & (cadre["similarite_nom"] >= 90.0))
    )
    cadre = cadre[garder].copy()
    if cadre.empty:
        return _vide()
    cadre["id_a"] = p.ids[0]
    cadre["id_b"] = p.ids[cadre["j"].to_numpy()]
    cadre = cadre.sort_values(
        ["score", "id_b", "distance_m"], ascending=[False, True, True], kind="mergesort"
    )
    resultat: pd.DataFrame = cadre.drop_duplicates(["id_b"])[COLONNES].reset_index(drop=True)
    return resultat
