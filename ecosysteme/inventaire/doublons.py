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
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import Geod, Transformer
from rapidfuzz import fuzz
from scipy.spatial import cKDTree

from ecosysteme.domaine.erreurs import EcosystemeError, Emplacement
from ecosysteme.domaine.modeles import Acteur, Categorie, Statut
from ecosysteme.domaine.normalisation import decouper
from ecosysteme.domaine.projection import TERRITOIRES, crs_utm, territoires_des_points
from ecosysteme.domaine.texte import plier

#: Default proposal threshold of :func:`candidats` (score 0–100).
SEUIL_PROPOSITION = 70.0
#: Name similarity (0–100) from which :func:`semblables` calls a nearby name « semblable ».
SEUIL_NOM_SEMBLABLE = 70.0
#: Below this distance two points are « at the same place » (geocoders differ by a few metres).
DISTANCE_SURE = 20.0
#: Blocking (c) skips a (name, commune) shared by more actors than this.
_GROUPE_NOM_MAX = 4
#: Blocking (b) skips an (address, commune) shared by more actors than this.
_GROUPE_ADRESSE_MAX = 12

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

# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

#: Abbreviations of addresses and names (whole words, after folding).
_ABREVIATIONS: dict[str, str] = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "bd": "boulevard",
    "bld": "boulevard",
    "blvd": "boulevard",
    "boul": "boulevard",
    "av": "avenue",
    "ave": "avenue",
    "avn": "avenue",
    "r": "rue",
    "pl": "place",
    "rte": "route",
    "ch": "chemin",
    "chem": "chemin",
    "imp": "impasse",
    "all": "allee",
    "sq": "square",
    "crs": "cours",
    "fg": "faubourg",
    "fbg": "faubourg",
    "qu": "quai",
    "res": "residence",
    "resid": "residence",
    "esp": "esplanade",
    "espl": "esplanade",
    "prom": "promenade",
    "lot": "lotissement",
    "hab": "habitation",
    "gal": "general",
    "gen": "general",
    "gl": "general",
    "mal": "marechal",
    "pdt": "president",
    "pres": "president",
    "dr": "docteur",
    "prof": "professeur",
    "cdt": "commandant",
    "ctre": "centre",
    "cial": "commercial",
    "mgr": "monseigneur",
    "n": "",
    "no": "",
    "num": "",
}

#: Abbreviations and synonyms of names (« r », « ch », « all »… are not abbreviations there).
_SYNONYMES_NOM: dict[str, str] = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "bd": "boulevard",
    "av": "avenue",
    "pl": "place",
    "dr": "docteur",
    "pdt": "president",
    "gal": "general",
    "gen": "general",
    "mal": "marechal",
    "bibliotheque": "mediatheque",
    "bibliotheques": "mediatheque",
    "mediatheques": "mediatheque",
    "bibli": "mediatheque",
    "commune": "mairie",
    "ville": "mairie",
    "msap": "france services",
    "csc": "centre social",
    "asso": "association",
    "assoc": "association",
    "ass": "association",
    "ctre": "centre",
    "sociale": "social",
    "departemental": "departement",
    "departementale": "departement",
    "cc": "communaute communes",
}

#: Phrases folded to one canonical form before words are looked at (names only).
_PHRASES_NOM: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(motif), remplacement)
    for motif, remplacement in (
        (r"\bhotel de ville\b", "mairie"),
        (r"\bmaisons? (?:de |des )?services? (?:au |aux )?publics?\b", "france services"),
        (r"\b(?:espace|maison|point) france services?\b", "france services"),
        (r"\bfrance service\b", "france services"),
        (r"\bcentres? socio ?culturels?\b", "centre social"),
        (r"\bcentres? sociaux\b", "centre social"),
        (r"\bmaisons? (?:de |des |du )?quartiers?\b", "centre social"),
        (r"\bmaisons? pour tous\b", "mpt"),
        (r"\bcentre communal d action sociale\b", "ccas"),
        (r"\bcentre intercommunal d action sociale\b", "cias"),
        (r"\bespaces? publics? numeriques?\b", "epn"),
        (r"\bfab ?labs?\b", "fablab"),
        (r"\btiers ?lieux?\b", "tiers lieu"),
        (r"\bcyber ?bases?\b", "cyberbase"),
    )
)

#: Words that say nothing of identity: articles, prepositions, legal forms, « municipal ».
_MOTS_VIDES = (
    "a au aux d de des du en et l la le les lez pour par sur sous un une the of "
    "association sarl sas sasu eurl sa scop scic "
    "municipal municipale municipaux municipales communal communale communaux communales "
    "intercommunal intercommunale intercommunaux intercommunales"
)
_VIDES = frozenset(_MOTS_VIDES.split())
#: Words that tell the *type* of a place, not which one (compared apart, see ``similarite``).
_MOTS_TYPES = (
    "mediatheque ludotheque mairie france services service centre social socio culturel ccas cias "
    "epn cyberbase espace maison point numerique numeriques informatique multimedia accueil antenne "
    "annexe agence pole permanence relais bureau fablab tiers lieu mjc mpt departement departemental "
    "departementale conseil communaute agglomeration communes metropole mission locale solidarite "
    "solidarites quartier quartiers jeunesse information mediation site salle inclusion emploi "
    "insertion formation caf cpam msa poste"
)
_TYPES = frozenset(_MOTS_TYPES.split())

_SIGLE = re.compile(r"\b(?:[a-z]\.){2,}")
_SUFFIXE_NUMERO = re.compile(r"(\d)\s*(bis|ter|quater|b|t|q)\b")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NUMERO = re.compile(r"^\d+$")
_ARRONDISSEMENT = re.compile(r"^(?:\d+(?:e|er|eme)?|arrondissement|arr)$")
_LETTRES_NUMERO = {"b": "bis", "t": "ter", "q": "quater"}
_CEDEX = re.compile(r"\b(?:cedex|bp|cs|tsa)\b(?:\s*\d+)?")


@lru_cache(maxsize=131072)
def _plier(texte: str) -> str:
    """Lower case, no accents, ``œ`` → ``oe``, acronyms' dots dropped, punctuation as spaces."""
    t = plier(texte.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE"))
    t = _SIGLE.sub(lambda m: m.group(0).replace(".", ""), t)
    t = _NON_ALNUM.sub(" ", t.replace("@", "a"))
    # after punctuation became spaces, so that « 0.B », « 0 b » and « 0b » give the same key
    return " ".join(_suffixe_numero(t).split())


def _suffixe_numero(texte: str) -> str:
    """« 55b », « 55 b » → « 55 bis » (also « t » → « ter », « q » → « quater »)."""
    return _SUFFIXE_NUMERO.sub(lambda m: f"{m.group(1)} {_LETTRES_NUMERO.get(m.group(2), m.group(2))}", texte)


@lru_cache(maxsize=131072)
def normaliser_nom(nom: str) -> str:
    """Comparison key of a name: folded (``_plier``), abbreviations expanded (« st » → « saint »),
    synonyms of a type of place brought to one word (« bibliothèque » → « mediatheque », « hôtel de
    ville », « commune », « ville » → « mairie », « MSAP », « espace France Services » → « france
    services », « centre socioculturel » → « centre social »), filler words dropped (articles,
    « association », « municipale », legal forms). Numbers are kept.

    « Médiathèque municipale de Hem » → « mediatheque hem »; « C.C.A.S. de St-Omer » → « ccas saint omer ».
    """
    t = _plier(nom)
    for motif, remplacement in _PHRASES_NOM:
        t = motif.sub(remplacement, t)
    mots = " ".join(_SYNONYMES_NOM.get(m, m) for m in t.split()).split()
    # dropping a filler word may bring a number next to a letter (« 0 d b » → « 0 b »): expand
    # it too, so that the key of a key is the key itself
    return _suffixe_numero(" ".join(m for m in mots if m not in _VIDES))


@lru_cache(maxsize=131072)
def _voie(adresse: str) -> str:
    """Number and street, folded, abbreviations expanded, articles and postal boxes dropped."""
    t = _CEDEX.sub(" ", _plier(adresse))
    mots = [_ABREVIATIONS.get(m, m) for m in t.split()]
    return " ".join(m for m in mots if m and m not in _VIDES)


@lru_cache(maxsize=65536)
def _commune(commune: str) -> str:
    """Commune key: folded, « st » → « saint », « cedex » and arrondissements dropped (« Paris 19e
    Arrondissement » → « paris »)."""
    t = _CEDEX.sub(" ", _plier(commune))
    mots = [_ABREVIATIONS.get(m, m) if m in {"st", "ste"} else m for m in t.split()]
    return " ".join(m for m in mots if m and not _ARRONDISSEMENT.match(m))


def normaliser_adresse(
    adresse: str | None, code_postal: str | None = None, commune: str | None = None
) -> str:
    """Comparison key of an address: « 4 R. du Gal de Gaulle », « 59000 », « LILLE CEDEX » →
    « 4 rue general gaulle 59000 lille ». Folded like names, street abbreviations expanded
    (« bd », « av », « r », « pl », « st »…), « 55bis » → « 55 bis », articles, « cedex » and
    postal boxes dropped; numbers kept. Empty when the street part is empty: a postcode and a
    commune alone do not make an address."""
    voie = _voie(adresse) if isinstance(adresse, str) else ""
    if not voie:
        return ""
    cp = code_postal.strip() if isinstance(code_postal, str) else ""
    parts = [voie, cp, _commune(commune) if isinstance(commune, str) else ""]
    return " ".join(p for p in parts if p)


# --------------------------------------------------------------------------------------------
# Preparation of the actors
# --------------------------------------------------------------------------------------------

#: Categories that say what a place is; the others (« Conseiller numérique », « Association »,
#: « Autre ») come from the source or the legal form and neither confirm nor contradict.
_CATEGORIES_INFORMATIVES = frozenset(
    {
        Categorie.EPN.value,
        Categorie.FABLAB.value,
        Categorie.TIERS_LIEU.value,
        Categorie.MEDIATHEQUE.value,
        Categorie.CCAS.value,
        Categorie.FRANCE_SERVICES.value,
        Categorie.CENTRE_SOCIAL.value,
    }
)


@dataclass(frozen=True)
class _Nom:
    """A normalised name split into distinctive words and type words."""

    mots: tuple[str, ...]
    distinctifs: tuple[str, ...]
    types: frozenset[str]


@lru_cache(maxsize=131072)
def _nom(nom: str) -> _Nom:
    mots = tuple(normaliser_nom(nom).split())
    return _Nom(mots, tuple(m for m in mots if m not in _TYPES), frozenset(m for m in mots if m in _TYPES))


@dataclass(frozen=True)
class _Adresse:
    voie: str
    numeros: frozenset[str]
    rue: str


@lru_cache(maxsize=131072)
def _adresse(adresse: str) -> _Adresse:
    voie = _voie(adresse)
    mots = voie.split()
    numeros = frozenset(m for m in mots if _NUMERO.match(m))
    rue = " ".join(m for m in mots if not _NUMERO.match(m) and m not in {"bis", "ter", "quater"})
    return _Adresse(voie, numeros, rue)


_ADRESSE_VIDE = _Adresse("", frozenset(), "")


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
        raise EcosystemeError(f"Les acteurs doivent être en EPSG:4326 (reçu : {crs}).")
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
    raise EcosystemeError(
        "Recherche de doublons : acteur sans identifiant.", Emplacement(ligne=ligne + 1, champ="id")
    )


def _preparer(acteurs: pd.DataFrame) -> _Prepare:
    manquantes = [c for c in ("id", "nom") if c not in acteurs.columns]
    if manquantes:
        raise EcosystemeError(
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


# --------------------------------------------------------------------------------------------
# Blocking
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------

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


def _ratio_mots(a: Iterable[str], b: Iterable[str]) -> float:
    """RapidFuzz similarity of two word lists: the mean of ``token_set_ratio`` (one name may hold
    the other) and ``token_sort_ratio`` (but a longer name is less sure)."""
    sa, sb = " ".join(a), " ".join(b)
    return (fuzz.token_set_ratio(sa, sb) + fuzz.token_sort_ratio(sa, sb)) / 2.0


def _similarite(a: _Nom, b: _Nom, mots_commune: Collection[str] = ()) -> float:
    """Name similarity (0–100), RapidFuzz on the distinctive words.

    Words of the shared commune (« Hem » in two names of Hem) are not distinctive. Then:
    - both names keep distinctive words: their similarity ``d``; if both also name a type of
      place, it is weighted by the agreement of the types ``t`` (0–1, the share of the shorter
      list of type words found in the other): ``d × (0.6 + 0.4 t)``;
    - only one keeps distinctive words: 80 × ``t`` when both name a type (« Médiathèque » and
      « Médiathèque Jean Macé »), 50 otherwise (nothing to compare);
    - neither: the agreement of the types (« Mairie de Hem » / « Médiathèque de Hem »: low),
      or plain similarity of what is left.
    """
    retires = set(mots_commune)
    da = [m for m in a.distinctifs if m not in retires]
    db = [m for m in b.distinctifs if m not in retires]
    types = bool(a.types) and bool(b.types)
    t = len(a.types & b.types) / min(len(a.types), len(b.types)) if types else 1.0
    if da and db:
        d = _ratio_mots(da, db)
        return d * (0.6 + 0.4 * t) if types else d
    if da or db:
        return 80.0 * t if types else 50.0
    if types:
        return 100.0 * t
    return float(fuzz.ratio(" ".join(a.mots), " ".join(b.mots)))


def _communes_compatibles(ca: str, cb: str, cpa: str, cpb: str) -> bool:
    """Two commune names that may be one commune (« Marennes » in « Marennes-Hiers-Brouage »);
    with a name missing, the postcodes decide (unknown: compatible)."""
    if ca and cb:
        return ca == cb or fuzz.token_set_ratio(ca, cb) >= 90.0
    return not (cpa and cpb) or cpa == cpb


def _accord_adresses(a: _Adresse, b: _Adresse) -> str:
    """How two addresses (of compatible communes) agree:
    « meme » same street and a common number, or the same text;
    « rue » same street, a number on one side only, or on neither;
    « numero » same street, different numbers; « autre » different streets;
    « inconnue » an address is missing. Streets are the same from a RapidFuzz
    ``token_set_ratio`` of 90 (« rue Victor Hugo » / « rue Hugo », not « avenue Jean Jaurès » /
    « rue Jean Jaurès »)."""
    if not a.voie or not b.voie:
        return "inconnue"
    if a.voie == b.voie:
        return "meme"
    if not (a.rue and b.rue) or fuzz.token_set_ratio(a.rue, b.rue) < 90.0:
        return "autre"
    if a.numeros and b.numeros:
        return "meme" if a.numeros & b.numeros else "numero"
    return "rue"


def _proximite(distance: float, distance_max: float) -> float:
    """100 under ``DISTANCE_SURE``, falling linearly to 0 at ``distance_max``; 0 when unknown."""
    if not math.isfinite(distance):
        return 0.0
    if distance <= DISTANCE_SURE:
        return 100.0
    haut = max(distance_max, DISTANCE_SURE + 1.0)
    return max(0.0, 100.0 * (haut - distance) / (haut - DISTANCE_SURE))


def _localisation(etat: str, numerotee: bool, distance: float, distance_max: float) -> float:
    """Agreement of the two locations (0–100) from the address state and the distance: the same
    numbered address is sure whatever the distance (geocoding errors); the same street without
    numbers is good evidence; a different number or street weakens what the distance says."""
    prox = _proximite(distance, distance_max)
    if etat == "meme":
        return 100.0 if numerotee else max(prox, 80.0)
    if etat == "rue":
        return max(prox, 70.0)
    if etat == "numero":
        return min(prox, 60.0)
    if etat == "autre":
        return 0.8 * prox
    return prox


def _mots_commune(ca: str, cb: str, na: _Nom, nb: _Nom) -> set[str]:
    """Words of the commune that say nothing of identity: all the words of the commune when
    both actors are in the same one, else those of either commune found in both names."""
    if ca and ca == cb:
        return set(ca.split())
    return (set(ca.split()) | set(cb.split())) & set(na.mots) & set(nb.mots)


def similarite_noms(
    nom_a: str, nom_b: str, commune_a: str | None = None, commune_b: str | None = None
) -> float:
    """Similarity (0–100) of two names as :func:`candidats` measures it (see ``_similarite``):
    « Médiathèque de Hem » / « Médiathèque municipale de Hem » → 100, « Médiathèque de Hem » /
    « Médiathèque de Lille » → low, « Mairie de Hem » / « Médiathèque de Hem » in Hem → low."""
    na, nb = _nom(nom_a), _nom(nom_b)
    ca = _commune(commune_a) if commune_a else ""
    cb = _commune(commune_b) if commune_b else ""
    return _similarite(na, nb, _mots_commune(ca, cb, na, nb))


def _accord_types(cat_a: str, cat_b: str, typo_a: frozenset[str], typo_b: frozenset[str]) -> float:
    """100 when the typologie codes overlap or the categories agree, 0 when two informative
    categories differ, 50 when nothing tells (« Conseiller numérique », « Autre »…)."""
    if typo_a & typo_b:
        return 100.0
    if cat_a in _CATEGORIES_INFORMATIVES and cat_b in _CATEGORIES_INFORMATIVES:
        return 100.0 if cat_a == cat_b else 0.0
    return 50.0


def score(similarite_nom: float, localisation: float, types: float) -> float:
    """The pair's score (0–100): ``identite × (0.4 + 0.6 × localisation / 100)`` where
    ``identite = similarite_nom + 0.3 × (types − 50)``, kept within 0–100.

    - ``similarite_nom``: name similarity (:func:`similarite_noms`), on distinctive words only;
    - ``types``: 100 for the same typologie code or category (up to +15), 0 for two different
      categories (a médiathèque is not a France Services: −15), 50 when a category says nothing
      (« Conseiller numérique », « Autre », « Association »: no change);
    - ``localisation``: 100 for the same numbered address in the same commune whatever the
      distance (geocoding errors), otherwise from the distance (100 under 20 m, 0 at
      ``distance_max``), lowered when the addresses name different numbers or streets.

    Why this shape: ``identite`` says « the same place by its name and kind », the second factor
    « at the same place ». A duplicate needs both, so they multiply: two places of one structure
    at different addresses (the conseillers numériques file names places after their employer:
    « COMMUNE DE X » at the town hall and at the library) keep at most 40 % of their name score
    (about 40–60), and two different offers in one building (the France Services and the
    médiathèque of the same town hall) get a full location factor but almost nothing in
    ``identite`` (different types of place and nothing else in common once the commune's name is
    set aside): below 25. The same place listed by two sources agrees on name and place and
    scores 85–100, whatever the source made of its category.
    """
    identite = min(100.0, max(0.0, similarite_nom + 0.3 * (types - 50.0)))
    return identite * (0.4 + 0.6 * localisation / 100.0)


def _km(distance: float) -> str:
    if not math.isfinite(distance):
        return "position inconnue"
    if distance < 1000:
        return f"à {distance:.0f} m"
    return f"à {distance / 1000:.1f} km".replace(".", ",")


def _raisons(sim: float, distance: float, etat: str, types: float, cats: tuple[str, str], ferme: bool) -> str:
    if sim >= 99.5:
        nom = "noms identiques"
    elif sim >= 80:
        nom = f"noms proches ({sim:.0f})"
    elif sim >= 60:
        nom = f"noms assez proches ({sim:.0f})"
    else:
        nom = f"noms différents ({sim:.0f})"
    parts = [f"{nom} {_km(distance)}" if math.isfinite(distance) else f"{nom}, {_km(distance)}"]
    parts.append(
        {
            "meme": "même adresse",
            "rue": "même rue",
            "numero": "même rue, autre numéro",
            "autre": "adresses différentes",
        }.get(etat, "adresse inconnue")
    )
    if types >= 100:
        parts.append("même catégorie")
    elif types <= 0:
        parts.append(f"catégories différentes ({' / '.join(sorted(cats))})")
    if ferme:
        parts.append("un acteur fermé")
    return ", ".join(parts)


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


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


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
        raise EcosystemeError(f"Recherche de doublons : distance maximale négative ({distance_max} m).")
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
        raise EcosystemeError("Recherche de doublons : le nouvel acteur n'a pas de nom.")
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
