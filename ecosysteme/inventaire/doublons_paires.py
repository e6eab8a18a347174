"""Duplicate actors (:mod:`ecosysteme.inventaire.doublons`): the actors' table prepared for
comparison, and the candidate pairs found by blocking (never an all-pairs loop).

Blocking, as described in :mod:`ecosysteme.inventaire.doublons`: (a) points within
``distance_max`` metres in the metric CRS of their territory (one KD-tree per territory); (b) the
same normalised address in the same commune; (c) the same normalised name in the same commune.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import shapely
from pyproj import Geod, Transformer
from scipy.spatial import cKDTree

from ecosysteme.domaine.erreurs import Emplacement, ErreurEcosysteme
from ecosysteme.domaine.modeles import Categorie, Statut
from ecosysteme.domaine.normalisation import decouper
from ecosysteme.domaine.projection import TERRITOIRES, crs_utm, territoires_des_points
from ecosysteme.inventaire.doublons_cles import _ADRESSE_VIDE, _Adresse, _adresse, _commune, _Nom, _nom

#: Blocking (c) skips a (name, commune) shared by more actors than this.
_GROUPE_NOM_MAX = 4
#: Blocking (b) skips an (address, commune) shared by more actors than this.
_GROUPE_ADRESSE_MAX = 12


@dataclass
class _Prepare:
    """Column arrays of the actors, ready for blocking and scoring (one entry per row)."""

    ids: np.ndarray
    noms: list[_Nom]
    adresses: list[_Adresse]
    communes: list[str]
    codes_postaux: list[str]
    categories: list[str]
    typologies: list[frozenset[str]]
    fermes: np.ndarray
    mobiles: np.ndarray
    parents: list[str]
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    y: np.ndarray
    zone: np.ndarray  # metric CRS group of each point, -1 when it has no point


def _textes(acteurs: pd.DataFrame, colonne: str) -> list[str]:
    if colonne not in acteurs.columns:
        return [""] * len(acteurs)
    return [v.strip() if isinstance(v, str) else "" for v in acteurs[colonne].tolist()]


def _listes(acteurs: pd.DataFrame, colonne: str) -> list[list[str]]:
    if colonne not in acteurs.columns:
        return [[] for _ in range(len(acteurs))]
    out: list[list[str]] = []
    for v in acteurs[colonne].tolist():
        if isinstance(v, list | tuple | np.ndarray | set | frozenset):
            out.append([str(x) for x in v if isinstance(x, str) and x])
        else:
            out.append(decouper(v))
    return out


def _coordonnees(acteurs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes (EPSG:4326), NaN when unknown: the ``longitude``/``latitude``
    columns, else the points of a GeoDataFrame's geometry (which must be in EPSG:4326)."""
    if {"longitude", "latitude"} <= set(acteurs.columns):
        lon = pd.to_numeric(acteurs["longitude"], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(acteurs["latitude"], errors="coerce").to_numpy(dtype=float)
        return lon, lat
    geometrie = getattr(acteurs, "geometry", None)
    if geometrie is None:
        n = len(acteurs)
        return np.full(n, np.nan), np.full(n, np.nan)
    crs = getattr(acteurs, "crs", None)
    if crs is None or crs.to_epsg() != 4326:
        raise ErreurEcosysteme(f"Les acteurs doivent être en EPSG:4326 (reçu : {crs}).")
    points = np.asarray(geometrie.to_numpy(), dtype=object)
    return np.asarray(shapely.get_x(points), dtype=float), np.asarray(shapely.get_y(points), dtype=float)


@cache
def _transformateur(epsg: int) -> Transformer:
    return Transformer.from_crs(4326, epsg, always_xy=True)


def _projeter(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Metric coordinates of each point in its territory's CRS, and the zone of each point:
    the index in ``TERRITOIRES``, the EPSG code of its UTM zone outside them, -1 without a point."""
    n = len(lon)
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    valides = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    zone = np.where(valides, territoires_des_points(np.nan_to_num(lon), np.nan_to_num(lat)), -1)
    for ligne in np.flatnonzero(valides & (zone < 0)):
        zone[ligne] = crs_utm(float(lon[ligne]), float(lat[ligne]))
    zone[~valides] = -1
    for z in np.unique(zone[zone >= 0]):
        masque = zone == z
        epsg = TERRITOIRES[int(z)].epsg if z < len(TERRITOIRES) else int(z)
        x[masque], y[masque] = _transformateur(epsg).transform(lon[masque], lat[masque])
    return x, y, zone


def _identifiant(valeur: object, ligne: int) -> str:
    if isinstance(valeur, str) and valeur.strip():
        return valeur
    if isinstance(valeur, int | np.integer):
        return str(valeur)
    raise ErreurEcosysteme(
        "Recherche de doublons : acteur sans identifiant.", Emplacement(ligne=ligne + 1, champ="id")
    )


def _preparer(acteurs: pd.DataFrame) -> _Prepare:
    manquantes = [c for c in ("id", "nom") if c not in acteurs.columns]
    if manquantes:
        raise ErreurEcosysteme(
            "Recherche de doublons : colonne(s) absente(s) du tableau des acteurs : "
            + ", ".join(f"« {c} »" for c in manquantes)
            + "."
        )
    ids = np.array([_identifiant(v, k) for k, v in enumerate(acteurs["id"].tolist())], dtype=object)
    noms_bruts = _textes(acteurs, "nom")
    lon, lat = _coordonnees(acteurs)
    x, y, zone = _projeter(lon, lat)
    statuts = _textes(acteurs, "statut")
    itinerance = _listes(acteurs, "itinerance")
    arrets = acteurs["arrets"].tolist() if "arrets" in acteurs.columns else [None] * len(acteurs)
    categories = [
        c.value if isinstance(c, Categorie) else str(c) if isinstance(c, str) else ""
        for c in (acteurs["categorie"].tolist() if "categorie" in acteurs.columns else [""] * len(acteurs))
    ]
    return _Prepare(
        ids=ids,
        noms=[_nom(n) for n in noms_bruts],
        adresses=[_adresse(a) if a else _ADRESSE_VIDE for a in _textes(acteurs, "adresse")],
        communes=[_commune(c) if c else "" for c in _textes(acteurs, "commune")],
        codes_postaux=_textes(acteurs, "code_postal"),
        categories=categories,
        typologies=[frozenset(t) for t in _listes(acteurs, "typologie")],
        fermes=np.array([s == Statut.FERME.value for s in statuts], dtype=bool),
        mobiles=np.array(
            [
                "Itinérant" in it or (isinstance(ar, list) and len(ar) > 0)
                for it, ar in zip(itinerance, arrets, strict=True)
            ],
            dtype=bool,
        ),
        parents=_textes(acteurs, "structure_parente"),
        lon=lon,
        lat=lat,
        x=x,
        y=y,
        zone=zone,
    )


def _paires_spatiales(p: _Prepare, distance_max: float) -> np.ndarray:
    """(i, j) row pairs, i < j, within ``distance_max`` metres in the same zone (KD-tree)."""
    morceaux = [np.empty((0, 2), dtype=np.int64)]
    for z in np.unique(p.zone[p.zone >= 0]):
        lignes = np.flatnonzero(p.zone == z)
        if len(lignes) < 2:
            continue
        arbre = cKDTree(np.column_stack([p.x[lignes], p.y[lignes]]))
        paires = arbre.query_pairs(distance_max, output_type="ndarray")
        morceaux.append(lignes[paires])
    return np.concatenate(morceaux)


def _paires_par_cle(cles: list[str], maximum: int) -> np.ndarray:
    """Row pairs sharing a non-empty key; keys shared by more than ``maximum`` rows are skipped."""
    groupes: dict[str, list[int]] = {}
    for k, cle in enumerate(cles):
        if cle:
            groupes.setdefault(cle, []).append(k)
    paires = [
        (a, b)
        for lignes in groupes.values()
        if 1 < len(lignes) <= maximum
        for n, a in enumerate(lignes)
        for b in lignes[n + 1 :]
    ]
    return np.array(paires, dtype=np.int64).reshape(-1, 2)


def _cles_adresse(p: _Prepare) -> list[str]:
    return [f"{a.voie}|{c}" if a.voie and c else "" for a, c in zip(p.adresses, p.communes, strict=True)]


def _cles_nom(p: _Prepare) -> list[str]:
    return [
        f"{' '.join(n.mots)}|{c}" if n.distinctifs and c else ""
        for n, c in zip(p.noms, p.communes, strict=True)
    ]


def _paires_candidates(p: _Prepare, distance_max: float) -> np.ndarray:
    """Union of the three blockings, as unique (i, j) with i < j."""
    toutes = np.concatenate(
        [
            _paires_spatiales(p, distance_max),
            _paires_par_cle(_cles_adresse(p), _GROUPE_ADRESSE_MAX),
            _paires_par_cle(_cles_nom(p), _GROUPE_NOM_MAX),
        ]
    )
    if len(toutes) == 0:
        return toutes
    toutes = np.sort(toutes, axis=1)
    return np.unique(toutes, axis=0)


_GEOD = Geod(ellps="WGS84")


def _distances(p: _Prepare, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Metres between rows i and j: in the zone's metric CRS when both share one, on the
    ellipsoid otherwise; NaN when a point is missing."""
    d = np.full(len(i), np.nan)
    meme = (p.zone[i] == p.zone[j]) & (p.zone[i] >= 0)
    d[meme] = np.hypot(p.x[i[meme]] - p.x[j[meme]], p.y[i[meme]] - p.y[j[meme]])
    autres = (p.zone[i] >= 0) & (p.zone[j] >= 0) & ~meme
    if autres.any():
        _, _, dist = _GEOD.inv(p.lon[i[autres]], p.lat[i[autres]], p.lon[j[autres]], p.lat[j[autres]])
        d[autres] = dist
    return d
