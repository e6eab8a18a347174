"""Coverage of each QPV by the actors (DESIGN §4), exact and vectorised.

For every QPV q, every filter f (a category, a service, a public, a specific support, a national
programme, free of charge, any actor) and every distance band r:

- ``n(q, f, r)``: distinct actors matching f with a place within r metres of q's polygon
  (distance to the polygon, holes respected, boundary inside; a mobile service counts at each
  stop, once per QPV);
- opening slots (evening, Saturday, Sunday, hours unknown) among the actors within the threshold:
  each actor with the hours of its places within the threshold (a mobile service with those of
  its stops within reach of q, never those of a stop elsewhere);
- ``d(q, f)``: metres from q's polygon to the nearest matching place (0 inside);
- covered when ``d(q, f)`` ≤ the walking threshold.

Only active actors count (closed ones and those « en projet » do not serve anyone yet;
scenarios add planned sites). Distances are computed in the metric CRS of each territory
(Lambert-93 in metropolitan France, the local projected CRS overseas); the nearest place is
searched among the places of the same fixed territory (the mainland, Corsica, each overseas
département or collectivité: ``projection.TERRITOIRES``), whatever other QPV are computed in
the same run; a territory with no matching actor gets no distance (« aucun », NaN), never a
distance across the sea.

Method: one STRtree ``dwithin`` query gives every (QPV, place) pair within the largest band,
with exact polygon distances; counts for every filter and band are sparse products of that pair
table with the actor × filter matrix. Nearest places beyond the largest band come from a
KD-tree on each filter's places, bounded exactly: with c a point inside the QPV and R the
largest distance from c to its vertices, any place p satisfies d(p, q) ≤ |p − c| ≤ d(p, q) + R;
so with D the distance from c to its nearest place, the nearest place to the polygon lies in
the ball of radius D + R around c, and only the places in that ball are measured exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, repeat

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from opening_hours import OpeningHours, State
from pyproj import Transformer
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

from ecosysteme.domaine import reglages, standard
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.horaires import ParserError
from ecosysteme.domaine.modeles import Categorie, Statut
from ecosysteme.domaine.projection import (
    TERRITOIRES,
    Territoire,
    exiger_geographique,
    territoires_des_points,
    territoires_par_qpv,
)


@dataclass(frozen=True)
class Filtre:
    """What an actor must offer to count: ``famille`` is the field, ``valeur`` the value.

    Get one from its key with :func:`filtre`, or every one with :func:`tous_les_filtres`.

    Parameters
    ----------
    famille : str
        ``"tous"`` (any actor), ``"gratuit"`` (free of charge: ``frais_a_charge`` holds
        « Gratuit »), or the family of a field of the standard: ``"categorie"``, ``"service"``,
        ``"public"``, ``"prise_en_charge"``, ``"programme"`` (the fields read: ``FAMILLES``).
    valeur : str or None
        The value the actor's field must hold (``"Médiathèque"``, a service of the standard…);
        None for ``tous`` and ``gratuit``.
    libelle : str
        The French label shown to the user (« Tout acteur », « Gratuit », else the value).

    Attributes
    ----------
    cle : str
        The key: ``famille`` alone when there is no value, else ``famille:valeur``
        (``service:Aide aux démarches administratives``); the ``filtre`` column of
        :func:`couverture`.
    """

    famille: str
    valeur: str | None
    libelle: str

    @property
    def cle(self) -> str:
        """``famille`` alone when there is no value, else ``famille:valeur``."""
        return self.famille if self.valeur is None else f"{self.famille}:{self.valeur}"


#: Filter families and the actor field they read (a list field, except ``categorie``).
FAMILLES: dict[str, str] = {
    "categorie": "categorie",
    "service": "services",
    "public": "publics_specifiquement_adresses",
    "prise_en_charge": "prise_en_charge_specifique",
    "programme": "dispositif_programmes_nationaux",
}


def tous_les_filtres() -> tuple[Filtre, ...]:
    """List every filter offered, in the standard's order.

    Returns
    -------
    tuple of Filtre
        « Tout acteur », free of charge, each category, each of the 9 services, each public,
        each specific support and each national programme of the standard.
    """
    enum = standard.enumerations()
    out = [Filtre("tous", None, "Tout acteur"), Filtre("gratuit", None, "Gratuit")]
    out += [Filtre("categorie", c.value, c.value) for c in Categorie]
    out += [Filtre("service", s, s) for s in enum["services"]]
    out += [Filtre("public", p, p) for p in enum["publics_specifiquement_adresses"]]
    out += [Filtre("prise_en_charge", p, p) for p in enum["prise_en_charge_specifique"]]
    out += [Filtre("programme", p, p) for p in enum["dispositif_programmes_nationaux"]]
    return tuple(out)


def filtres_famille(famille: str) -> tuple[Filtre, ...]:
    """The filters of one family (``categorie``, ``service``, ``public``…), in standard order."""
    return tuple(f for f in tous_les_filtres() if f.famille == famille)


def filtre(cle: str) -> Filtre:
    """Find the filter of a key such as ``service:Aide aux démarches administratives`` or ``tous``.

    Parameters
    ----------
    cle : str
        The key (:attr:`Filtre.cle`: ``tous``, ``gratuit``, ``categorie:Médiathèque``…), or a
        value alone (``Médiathèque``), case ignored.

    Returns
    -------
    Filtre
        The first filter of :func:`tous_les_filtres` with that key or value.

    Raises
    ------
    ErreurEcosysteme
        No filter has that key or value (the French message gives examples).
    """
    for f in tous_les_filtres():
        if f.cle == cle or (f.valeur is not None and f.valeur.lower() == cle.lower()):
            return f
    raise ErreurEcosysteme(
        f"filtre « {cle} » inconnu ; exemples : tous, gratuit, categorie:Médiathèque, "
        "service:Aide aux démarches administratives, public:Seniors."
    )


@dataclass(frozen=True)
class Parametres:
    """Distance bands (metres), walking threshold and filters of a coverage run.

    Distances are straight lines (« à vol d'oiseau ») from a QPV's polygon to a place. The
    defaults are read from ``ecosysteme.domaine.reglages`` when the object is made.

    Parameters
    ----------
    bandes : tuple of float, default reglages.BANDES
        Distances in metres at which matching actors are counted (columns ``n_300m``…): by
        default the near band and the default walking distance.
    seuil : float, default reglages.DISTANCE_MARCHE
        The walking threshold in metres: a QPV is covered (« couvert ») for a filter when its
        nearest matching place is at most this far.
    filtres : tuple of Filtre, default tous_les_filtres()
        The offers measured, in the order of the coverage table.

    Attributes
    ----------
    distances : tuple of float
        Every distance for which counts are computed: 0 (inside), the bands, the threshold.

    Raises
    ------
    ErreurEcosysteme
        A band or the threshold is not positive, or ``filtres`` is empty.
    """

    bandes: tuple[float, ...] = field(default_factory=lambda: reglages.BANDES)
    seuil: float = field(default_factory=lambda: reglages.DISTANCE_MARCHE)
    filtres: tuple[Filtre, ...] = field(default_factory=tous_les_filtres)

    def __post_init__(self) -> None:
        if any(b <= 0 for b in self.bandes) or self.seuil <= 0:
            raise ErreurEcosysteme("les distances (bandes, seuil) doivent être positives, en mètres.")
        if not self.filtres:
            raise ErreurEcosysteme("au moins un filtre est nécessaire.")

    @property
    def distances(self) -> tuple[float, ...]:
        """Every distance for which counts are computed: 0 (inside), the bands, the threshold."""
        return tuple(sorted({0.0, *self.bandes, self.seuil}))


def colonne_bande(r: float) -> str:
    return "n_interieur" if r == 0 else f"n_{r:g}m"


# --- actors → places -------------------------------------------------------------------------


@dataclass(frozen=True)
class Lieux:
    """Places where active actors serve: one row per actor point or per stop of a mobile one."""

    lon: np.ndarray
    lat: np.ndarray
    #: Index (0..n_acteurs-1) of the actor of each place.
    acteur: np.ndarray
    ids: np.ndarray
    #: n_acteurs × n_filtres boolean matrix.
    masques: np.ndarray
    #: n_acteurs × 4: open on weekday evening, Saturday, Sunday, hours unknown (a mobile
    #: service: open when one of its stops is, unknown when no stop's hours can be read).
    creneaux: np.ndarray
    #: Index in ``projection.TERRITOIRES`` of each place's territory (-1: outside them all).
    territoire: np.ndarray
    #: n_lieux × 4: the same flags for each place (a stop: its own hours, else the service's).
    creneaux_lieux: np.ndarray
    #: n_acteurs: whether the actor has more than one place (a mobile service with stops).
    plusieurs: np.ndarray


def _colonne(actifs: pd.DataFrame, col: str, defaut: object) -> pd.Series:
    if col in actifs.columns:
        return pd.Series(actifs[col].to_numpy(dtype=object), dtype=object)
    return pd.Series([defaut] * len(actifs), dtype=object)


def _valeurs(table: pd.DataFrame, col: str, garde: np.ndarray | None = None) -> np.ndarray:
    """A column as an object array (the rows of ``garde`` only); None everywhere when missing."""
    if col not in table.columns:
        n = len(table) if garde is None else int(garde.sum())
        return np.full(n, None, dtype=object)
    v = table[col].to_numpy(dtype=object)
    return v if garde is None else v[garde]


def _masques(actifs: pd.DataFrame, filtres: Sequence[Filtre], garde: np.ndarray | None = None) -> np.ndarray:
    """n × n_filtres: whether each actor (each row of ``garde`` when given) matches each filter
    (each list column flattened once, its values looked up among the filters' values)."""
    n = len(actifs) if garde is None else int(garde.sum())
    masques = np.zeros((n, len(filtres)), dtype=bool)
    familles: dict[str, dict[str, int]] = {}
    for j, f in enumerate(filtres):
        if f.famille == "tous":
            masques[:, j] = True
        elif f.famille == "gratuit":
            familles.setdefault("frais_a_charge", {})["Gratuit"] = j
        elif f.famille == "categorie":
            familles.setdefault("categorie", {})[str(f.valeur)] = j
        else:
            familles.setdefault(FAMILLES[f.famille], {})[str(f.valeur)] = j
    for col, colonnes in familles.items():
        if col not in actifs.columns or not n:
            continue
        listes = [v if type(v) is list else _valeurs_liste(v) for v in _valeurs(actifs, col, garde)]
        longueurs = np.fromiter(map(len, listes), dtype=np.int64, count=n)
        plat = list(chain.from_iterable(listes))
        rangs = np.fromiter(map(colonnes.get, plat, repeat(-1)), dtype=np.int64, count=len(plat))
        lignes = np.repeat(np.arange(n), longueurs)
        trouve = rangs >= 0
        masques[lignes[trouve], rangs[trouve]] = True
    return masques


def _valeurs_liste(v: object) -> Sequence[str]:
    """The values of a list field (a lone string counts as one value; anything else, none)."""
    if isinstance(v, str):
        return (v,)
    if isinstance(v, list | tuple | np.ndarray):
        return [x for x in v if isinstance(x, str)]
    return ()


def preparer_lieux(acteurs: gpd.GeoDataFrame | pd.DataFrame, filtres: Sequence[Filtre]) -> Lieux:
    """Active actors, their places (stops of mobile services included) and filter matrix."""
    if isinstance(acteurs, gpd.GeoDataFrame) and len(acteurs):
        exiger_geographique(acteurs, "acteurs")
    if "statut" in acteurs.columns:
        garde = acteurs["statut"].to_numpy(dtype=object) == Statut.ACTIF.value
    else:
        garde = np.ones(len(acteurs), dtype=bool)
    n = int(garde.sum())
    masques = _masques(acteurs, filtres, garde)
    horaires = _valeurs(acteurs, "horaires", garde)
    arrets = _valeurs(acteurs, "arrets", garde)
    la, lo = (
        acteurs[c].to_numpy(dtype=float)[garde] if c in acteurs.columns else np.full(n, np.nan)
        for c in ("latitude", "longitude")
    )
    # fixed places: the actor's own point (vectorised); mobile ones: each stop
    mobiles = np.array([isinstance(v, list | tuple) and len(v) > 0 for v in arrets], dtype=bool).reshape(n)
    fixes = np.flatnonzero(~mobiles & ~np.isnan(la) & ~np.isnan(lo))
    creneaux = np.zeros((n, 4), dtype=bool)
    # one reading per distinct opening-hours text
    textes_fixes = [h if isinstance(h, str) else "" for h in horaires[~mobiles]]
    codes, uniques = pd.factorize(np.asarray(textes_fixes, dtype=object))
    flags = np.array([_creneaux_union((u or None,)) for u in uniques], dtype=bool).reshape(-1, 4)
    creneaux[~mobiles] = flags[codes] if len(codes) else np.zeros((0, 4), dtype=bool)
    lon: list[float] = []
    lat: list[float] = []
    idx: list[int] = []
    drapeaux_arrets: list[tuple[bool, bool, bool, bool]] = []
    for i in np.flatnonzero(mobiles):
        h = horaires[i]
        for stop in arrets[i]:
            d = stop if isinstance(stop, dict) else stop.model_dump()
            lon.append(float(d["longitude"]))
            lat.append(float(d["latitude"]))
            idx.append(int(i))
            # each stop keeps its own hours (the service's when it has none)
            drapeaux_arrets.append(
                _creneaux_union((d.get("horaires") or (h if isinstance(h, str) else None),))
            )
    acteur_arrets = np.asarray(idx, np.int64)
    par_arret = np.array(drapeaux_arrets, dtype=bool).reshape(-1, 4)
    if len(acteur_arrets):
        # the service as a whole: open when one stop is; unknown when no stop's hours are known
        ouverts = np.zeros((n, 3), dtype=np.int64)
        connus = np.bincount(acteur_arrets, weights=~par_arret[:, 3], minlength=n)
        for k in range(3):
            ouverts[:, k] = np.bincount(acteur_arrets, weights=par_arret[:, k], minlength=n)
        creneaux[mobiles, :3] = ouverts[mobiles] > 0
        creneaux[mobiles, 3] = connus[mobiles] == 0
    lon_tous = np.concatenate([lo[fixes], np.asarray(lon, float)])
    lat_tous = np.concatenate([la[fixes], np.asarray(lat, float)])
    acteur_lieux = np.concatenate([fixes.astype(np.int64), acteur_arrets])
    return Lieux(
        lon_tous,
        lat_tous,
        acteur_lieux,
        _valeurs(acteurs, "id", garde),
        masques,
        creneaux,
        territoires_des_points(lon_tous, lat_tous),
        np.concatenate([creneaux[fixes], par_arret]),
        np.bincount(acteur_lieux, minlength=n) > 1,
    )


@lru_cache(maxsize=65536)
def _creneaux_union(textes: tuple[str | None, ...]) -> tuple[bool, bool, bool, bool]:
    vals = [creneaux_horaires(t) for t in textes]
    connus = [v for v in vals if v is not None]
    if not connus:
        return (False, False, False, True)
    return (any(v[0] for v in connus), any(v[1] for v in connus), any(v[2] for v in connus), False)


#: A week without public holidays, used to read opening hours (Monday 12 January 2026).
_SEMAINE = dt.datetime(2026, 1, 12)
_JOUR = 86_400.0
#: Weekday evenings (18:00–24:00, Monday to Friday), Saturday, Sunday: seconds from Monday 0:00.
_SOIRS = tuple((d * _JOUR + 18 * 3600.0, (d + 1) * _JOUR) for d in range(5))
_SAMEDI = (5 * _JOUR, 6 * _JOUR)
_DIMANCHE = (6 * _JOUR, 7 * _JOUR)


@lru_cache(maxsize=65536)
def creneaux_horaires(horaires: str | None) -> tuple[bool, bool, bool] | None:
    """(open on a weekday after 18:00, open on Saturday, open on Sunday) from OSM
    ``opening_hours``; None when the hours are missing or unreadable (unknown, not closed)."""
    if not horaires:
        return None
    try:
        oh = OpeningHours(horaires)
    except ParserError:
        return None
    soir = samedi = dimanche = False
    for debut, fin, etat, _ in oh.intervals(_SEMAINE, _SEMAINE + dt.timedelta(days=7)):
        if etat != State.OPEN:
            continue
        a, b = (debut - _SEMAINE).total_seconds(), (fin - _SEMAINE).total_seconds()
        soir = soir or any(a < s1 and b > s0 for s0, s1 in _SOIRS)
        samedi = samedi or (a < _SAMEDI[1] and b > _SAMEDI[0])
        dimanche = dimanche or (a < _DIMANCHE[1] and b > _DIMANCHE[0])
    return soir, samedi, dimanche


# --- geometry helpers ---------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _transformer(epsg: int) -> Transformer:
    return Transformer.from_crs(4326, epsg, always_xy=True)


@dataclass(frozen=True)
class _Projection:
    """QPV polygons in a metric CRS with what the nearest search needs (cached by input)."""

    polys: np.ndarray
    #: A point inside each polygon, the largest distance from it to the vertices, the boxes.
    cxy: np.ndarray
    rayons: np.ndarray
    boites: np.ndarray


#: Projected polygons by (CRS, number of polygons, number of vertices), with the coordinates and
#: structure they were made from (compared exactly on a hit: no hashing of megabytes).
_PROJECTIONS: dict[tuple[int, int, int], tuple[np.ndarray, np.ndarray, _Projection]] = {}


def _projeter(epsg: int, geoms4326: np.ndarray) -> _Projection:
    """Project polygons once per (CRS, exact geometries): a rerun on the same QPV (the app, a
    filter change) reuses them."""
    coords = shapely.get_coordinates(geoms4326)
    structure = np.concatenate(
        [
            shapely.get_type_id(geoms4326),
            shapely.get_num_geometries(geoms4326),
            shapely.get_num_interior_rings(geoms4326),
            shapely.get_num_coordinates(geoms4326),
        ]
    )
    cle = (epsg, len(geoms4326), len(coords))
    deja = _PROJECTIONS.get(cle)
    if deja is not None and np.array_equal(deja[0], coords) and np.array_equal(deja[1], structure):
        return deja[2]
    tr = _transformer(epsg)
    polys = shapely.transform(geoms4326, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    shapely.prepare(polys)
    # a point inside each polygon: the distance to it bounds the distance to the polygon
    centres = shapely.point_on_surface(polys)
    proj = _Projection(
        polys, shapely.get_coordinates(centres), _rayons(polys, centres), shapely.bounds(polys)
    )
    if len(_PROJECTIONS) >= 16:
        _PROJECTIONS.pop(next(iter(_PROJECTIONS)))
    _PROJECTIONS[cle] = (coords, structure, proj)
    return proj


def _distance_boite(boites: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Distance from each point to its polygon's bounding box: a lower bound of the distance
    to the polygon."""
    dx = np.maximum(np.maximum(boites[:, 0] - xy[:, 0], 0.0), xy[:, 0] - boites[:, 2])
    dy = np.maximum(np.maximum(boites[:, 1] - xy[:, 1], 0.0), xy[:, 1] - boites[:, 3])
    return np.asarray(np.hypot(dx, dy), dtype=float)


def _rayons(polys: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Largest distance from each polygon's centre to its vertices (its bounding radius)."""
    coords, ix = shapely.get_coordinates(polys, return_index=True)
    cx, cy = shapely.get_coordinates(centres).T
    d = np.hypot(coords[:, 0] - cx[ix], coords[:, 1] - cy[ix])
    out = np.zeros(len(polys))
    np.maximum.at(out, ix, d)
    return out


# --- the engine -----------------------------------------------------------------------------


COLONNES_CRENEAUX = ("n_ouvert_soir", "n_ouvert_samedi", "n_ouvert_dimanche", "n_horaires_inconnus")


def couverture(
    qpv: gpd.GeoDataFrame, acteurs: gpd.GeoDataFrame | pd.DataFrame, parametres: Parametres | None = None
) -> pd.DataFrame:
    """Compute the tidy coverage table: one row per (``code_qp``, ``filtre``).

    Only active actors count. Distances are measured from the QPV's polygon (holes respected,
    boundary inside, 0 inside) to each place of an actor (a mobile service counts at each stop,
    once per QPV), in the metric CRS of each territory (Lambert-93 in metropolitan France, the
    local projected CRS overseas); the nearest place is searched among the places of the QPV's
    own territory (the mainland, Corsica, each overseas département or collectivité), never
    across the sea. Same inputs, same output.

    Parameters
    ----------
    qpv : geopandas.GeoDataFrame
        The QPV polygons (EPSG:4326) with ``code_qp`` and, to place each in its territory,
        ``insee_dep`` (else the centre of its bounding box decides).
    acteurs : geopandas.GeoDataFrame or pandas.DataFrame
        The actors (a GeoDataFrame in EPSG:4326): ``id``, ``longitude`` and ``latitude``
        (WGS84 degrees), ``statut`` (only « actif » counts; all when absent), the fields the
        filters read (``categorie``, ``services``, ``frais_a_charge``…), ``horaires`` (OSM
        ``opening_hours``) and ``arrets`` (the stops of a mobile service, with their own
        coordinates and hours).
    parametres : Parametres or None, default None
        Distance bands, walking threshold (metres) and filters; None: ``Parametres()``.

    Returns
    -------
    pandas.DataFrame
        Columns: ``code_qp``, ``filtre`` (key), one count per distance (``n_interieur``,
        ``n_300m``, ``n_1000m``… distinct actors), ``distance_m`` (nearest matching place, 0
        inside, NaN when none in the territory), ``couvert`` (distance ≤ threshold), and, within
        the threshold, the matching actors open on weekday evenings (after 18:00), on Saturday,
        on Sunday, and those whose hours are unknown (``n_ouvert_soir``, ``n_ouvert_samedi``,
        ``n_ouvert_dimanche``, ``n_horaires_inconnus``) — a mobile service with the hours of its
        stops within the threshold of that QPV only. Rows sorted by ``code_qp``, filters in the
        order of ``parametres.filtres``.

    Raises
    ------
    ErreurEcosysteme
        ``qpv``, or ``acteurs`` given as a GeoDataFrame, is not in EPSG:4326.
    """
    p = parametres or Parametres()
    exiger_geographique(qpv, "QPV")
    lieux = preparer_lieux(acteurs, p.filtres)
    nq, nf = len(qpv), len(p.filtres)
    distances = p.distances
    comptes = np.zeros((len(distances), nq, nf), dtype=np.int32)
    creneaux = np.zeros((4, nq, nf), dtype=np.int32)
    plus_proche = np.full((nq, nf), np.nan)
    if nq:
        geoms = qpv.geometry.to_numpy()
        for territoire, rangs in _par_territoire(qpv):
            _groupe(territoire, rangs, geoms[rangs], lieux, p, comptes, creneaux, plus_proche)
    out = pd.DataFrame(
        {
            "code_qp": np.repeat(qpv["code_qp"].astype(str).to_numpy(), nf),
            "filtre": np.tile(np.array([f.cle for f in p.filtres], dtype=object), nq),
        }
    )
    for k, r in enumerate(distances):
        out[colonne_bande(r)] = comptes[k].reshape(-1)
    out["distance_m"] = plus_proche.reshape(-1)
    out["couvert"] = out["distance_m"].le(p.seuil).to_numpy()
    for k, nom in enumerate(COLONNES_CRENEAUX):
        out[nom] = creneaux[k].reshape(-1)
    # QPV by code, filters in the order of the parameters: same inputs, same table
    return out.sort_values("code_qp", kind="stable").reset_index(drop=True)


#: Above this many places, a filter uses the shared tree of all places (building a KD-tree per
#: filter would cost more than it saves).
_DENSE = 3000
#: Nearest places examined around a QPV's centre to find one matching a dense filter.
_K_DENSE = 32
#: Places fetched as arrays per ball, in growing rounds; a fuller ball falls back to a
#: (slower) list query.
_K_BOULE = (8, 64)


class _Arbre:
    """A KD-tree over places (``rangs``: their indices among all places of the territory)."""

    def __init__(self, xy: np.ndarray, rangs: np.ndarray | None = None) -> None:
        self.kd = cKDTree(xy, balanced_tree=False, compact_nodes=False)
        self.rangs = rangs if rangs is not None else np.arange(len(xy))

    def candidats(
        self, centres: np.ndarray, rayons: np.ndarray, lignes: np.ndarray, masque: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, place) pairs holding each row's nearest matching place, and the bound D (distance
        from the centre to its nearest matching place; inf when none among those examined).

        One k-nearest query gives D and, for most rows, every place of the ball of radius
        D + R (R: the polygon's radius) where the nearest place to the polygon lies; the rows
        whose ball holds more places than were fetched get a ball query of their own."""
        k = min(_K_DENSE if masque is not None else _K_BOULE[0], self.kd.n)
        d, i = self.kd.query(centres, k=k)
        d, i = d.reshape(len(centres), k), i.reshape(len(centres), k)
        places = self.rangs[np.minimum(i, self.kd.n - 1)]
        ok = np.isfinite(d) if masque is None else masque[places] & np.isfinite(d)
        trouve = ok.any(axis=1)
        borne = np.where(trouve, d[np.arange(len(centres)), ok.argmax(axis=1)], np.inf)
        rayon = borne + rayons + 1e-6
        complet = trouve & ((d[:, -1] > rayon) | (k == self.kd.n))
        r_idx, c_idx = np.nonzero(ok & complet[:, None] & (d <= rayon[:, None]))
        qq, pp = lignes[r_idx], places[r_idx, c_idx]
        reste = np.flatnonzero(trouve & ~complet)
        if len(reste):
            q2, p2 = self.boule(centres[reste], rayon[reste], lignes[reste])
            if masque is not None:
                q2, p2 = q2[masque[p2]], p2[masque[p2]]
            qq, pp = np.concatenate([qq, q2]), np.concatenate([pp, p2])
        return qq, pp, borne

    def boule(
        self, centres: np.ndarray, rayons: np.ndarray, lignes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(row, place) pairs of every place within each centre's radius: a bounded k-nearest
        query (arrays), and a ball query only for the centres whose ball holds more places."""
        if not len(centres) or self.kd.n == 0:
            return lignes[:0], self.rangs[:0]
        morceaux_q: list[np.ndarray] = []
        morceaux_p: list[np.ndarray] = []
        restants = np.arange(len(centres))
        for k_voulu in _K_BOULE:
            if not len(restants):
                break
            k = min(k_voulu, self.kd.n)
            # rows by increasing radius, in slices: each slice's query is bounded by its own max
            ordre = restants[np.argsort(rayons[restants], kind="stable")]
            pleins_tous: list[np.ndarray] = []
            for tranche in np.array_split(ordre, max(1, min(8, len(ordre) // 64))):
                r = rayons[tranche]
                d, i = self.kd.query(centres[tranche], k=k, distance_upper_bound=float(r.max()))
                d, i = d.reshape(len(tranche), k), i.reshape(len(tranche), k)
                dedans = d <= r[:, None]
                pleins = dedans[:, -1] if k < self.kd.n else np.zeros(len(tranche), dtype=bool)
                r_idx, c_idx = np.nonzero(dedans & ~pleins[:, None])
                morceaux_q.append(lignes[tranche[r_idx]])
                morceaux_p.append(self.rangs[i[r_idx, c_idx]])
                pleins_tous.append(tranche[pleins])
            restants = np.concatenate(pleins_tous) if pleins_tous else restants[:0]
        if len(restants):
            q2, p2 = self._boule_complete(centres[restants], rayons[restants], lignes[restants])
            morceaux_q.append(q2)
            morceaux_p.append(p2)
        return np.concatenate(morceaux_q), np.concatenate(morceaux_p)

    def _boule_complete(
        self, centres: np.ndarray, rayons: np.ndarray, lignes: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        voisins = self.kd.query_ball_point(centres, r=rayons)
        longueurs = np.fromiter((len(v) for v in voisins), dtype=np.int64, count=len(voisins))
        if not longueurs.sum():
            return lignes[:0], self.rangs[:0]
        pp = self.rangs[np.concatenate([np.asarray(v, dtype=np.int64) for v in voisins])]
        return np.repeat(lignes, longueurs), pp


_Paires = tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None
]


def _paires_groupe(
    territoire: Territoire, proj: _Projection, lieux: Lieux, dmax: float, seuil: float | None = None
) -> _Paires | None:
    """Project one territory; every (QPV, actor) pair within ``dmax`` with its exact distance
    (the actor's closest place of that territory). Returns (polygons, places, place
    coordinates, actor of each place, pair QPV rows, pair actors, pair distances, pair slots),
    or None when the territory has no place.

    Pair slots (with ``seuil``; None otherwise): for each pair, the opening flags of the actor's
    places within ``seuil`` of the QPV (open in a slot when one of them is, unknown when none of
    them has known hours): a mobile service counts with the hours of its stops within reach,
    not with those of a stop elsewhere."""
    tr = _transformer(territoire.epsg)
    polys = proj.polys
    sel = _lieux_du_territoire(territoire, lieux)
    if not len(sel):
        return None
    px, py = tr.transform(lieux.lon[sel], lieux.lat[sel])
    pts = shapely.points(px, py)
    acteur = lieux.acteur[sel]
    arbre = shapely.STRtree(pts)
    # candidates in each polygon's box widened by dmax, then one exact distance per candidate
    # (a ``dwithin`` predicate would measure each pair once more)
    b = proj.boites
    qi, pi = arbre.query(shapely.box(b[:, 0] - dmax, b[:, 1] - dmax, b[:, 2] + dmax, b[:, 3] + dmax))
    xy = np.column_stack([px, py])
    boite = _distance_boite(b[qi], xy[pi]) <= dmax  # the box's corners are farther than dmax
    qi, pi = qi[boite], pi[boite]
    # inside (boundary included): 0 by the prepared polygon, the exact distance for the others
    d = np.zeros(len(qi))
    dehors = ~shapely.intersects(polys[qi], pts[pi])
    d[dehors] = shapely.distance(polys[qi[dehors]], pts[pi[dehors]])
    proches = d <= dmax
    qi, pi, d = qi[proches], pi[proches], d[proches]
    act = acteur[pi]
    # one pair per (QPV, actor): the actor's closest place (a mobile service counts once)
    ordre = np.lexsort((d, act, qi))
    qi, act, d, pi = qi[ordre], act[ordre], d[ordre], pi[ordre]
    garde = np.ones(len(qi), dtype=bool)
    garde[1:] = (qi[1:] != qi[:-1]) | (act[1:] != act[:-1])
    creneaux = None if seuil is None else _creneaux_paires(lieux, sel, pi, act, d, garde, seuil)
    return polys, pts, xy, acteur, qi[garde], act[garde], d[garde], creneaux


def _creneaux_paires(
    lieux: Lieux,
    sel: np.ndarray,
    pi: np.ndarray,
    act: np.ndarray,
    d: np.ndarray,
    garde: np.ndarray,
    seuil: float,
) -> np.ndarray:
    """Opening flags of each kept (QPV, actor) pair from its places within ``seuil`` (pairs
    sorted by QPV, actor and distance; ``garde``: the first, closest place of each pair).

    An actor with one place takes that place's flags; for an actor with several (a mobile
    service), every place within ``seuil`` counts: open in a slot when one of them is, hours
    unknown when none of them has known hours."""
    creneaux: np.ndarray = lieux.creneaux_lieux[sel[pi[garde]]]
    multiples = lieux.plusieurs[act] & (d <= seuil)
    if multiples.any():
        groupe = np.cumsum(garde)[multiples] - 1
        drapeaux = lieux.creneaux_lieux[sel[pi[multiples]]]
        n = int(garde.sum())
        for k in range(3):
            creneaux[:, k] |= np.bincount(groupe, weights=drapeaux[:, k], minlength=n) > 0
        connus = np.bincount(groupe, weights=~drapeaux[:, 3], minlength=n) > 0
        creneaux[:, 3] &= ~connus
    return creneaux


def paires(qpv: gpd.GeoDataFrame, acteurs: gpd.GeoDataFrame | pd.DataFrame, distance: float) -> pd.DataFrame:
    """Every (``code_qp``, actor ``id``) with the actor's closest active place within
    ``distance`` metres of the QPV polygon, and that distance (``distance_m``, 0 inside)."""
    exiger_geographique(qpv, "QPV")
    lieux = preparer_lieux(acteurs, (Filtre("tous", None, "Tout acteur"),))
    codes = qpv["code_qp"].astype(str).to_numpy()
    morceaux: list[pd.DataFrame] = []
    if len(qpv):
        geoms = qpv.geometry.to_numpy()
        for territoire, rangs in _par_territoire(qpv):
            g = _paires_groupe(territoire, _projeter(territoire.epsg, geoms[rangs]), lieux, distance)
            if g is None:
                continue
            qi, act, d = g[4], g[5], g[6]
            morceaux.append(
                pd.DataFrame({"code_qp": codes[rangs][qi], "id": lieux.ids[act], "distance_m": d})
            )
    if not morceaux:
        return pd.DataFrame(
            {
                "code_qp": pd.Series(dtype=object),
                "id": pd.Series(dtype=object),
                "distance_m": pd.Series(dtype=float),
            }
        )
    out = pd.concat(morceaux, ignore_index=True)
    return out.sort_values(["code_qp", "distance_m", "id"], kind="stable").reset_index(drop=True)


def _lieux_du_territoire(territoire: Territoire, lieux: Lieux) -> np.ndarray:
    """Indices of the places lying in the territory (fixed boxes, whatever the QPV asked for)."""
    if territoire in TERRITOIRES:
        return np.flatnonzero(lieux.territoire == TERRITOIRES.index(territoire))
    dans = np.zeros(len(lieux.lon), dtype=bool)
    for x0, y0, x1, y1 in territoire.boites:
        dans |= (lieux.lon >= x0) & (lieux.lon <= x1) & (lieux.lat >= y0) & (lieux.lat <= y1)
    return np.flatnonzero(dans)


def _par_territoire(qpv: gpd.GeoDataFrame) -> list[tuple[Territoire, np.ndarray]]:
    """QPV rows grouped by territory, in a fixed order."""
    terr = territoires_par_qpv(qpv)
    groupes: dict[Territoire, list[int]] = {}
    for i, t in enumerate(terr):
        groupes.setdefault(t, []).append(i)
    return sorted(((t, np.asarray(r)) for t, r in groupes.items()), key=lambda x: x[0].nom)


def _groupe(
    territoire: Territoire,
    rangs: np.ndarray,
    geoms4326: np.ndarray,
    lieux: Lieux,
    p: Parametres,
    comptes: np.ndarray,
    creneaux: np.ndarray,
    plus_proche: np.ndarray,
) -> None:
    """Coverage of the QPV of one territory (one metric CRS), written into the output arrays."""
    proj = _projeter(territoire.epsg, geoms4326)
    g = _paires_groupe(territoire, proj, lieux, max(p.distances), p.seuil)
    if g is None:
        return
    polys, pts, xy, acteur, qi, act, d, ouverts = g
    assert ouverts is not None
    na = len(lieux.ids)
    nq = len(polys)
    masques = lieux.masques.astype(np.int32)
    for k, r in enumerate(p.distances):
        s = d <= r
        mat = csr_matrix((np.ones(int(s.sum()), np.int32), (qi[s], act[s])), shape=(nq, na))
        comptes[k, rangs] = np.asarray(mat @ masques)
    # opening slots: each pair with the hours of the actor's places within the threshold
    s = d <= p.seuil
    for k in range(4):
        ouvert = ouverts[s, k]
        mat = csr_matrix(
            (np.ones(int(ouvert.sum()), np.int32), (qi[s][ouvert], act[s][ouvert])), shape=(nq, na)
        )
        creneaux[k, rangs] = np.asarray(mat @ masques)
    # 2. nearest within the largest band, per filter: pairs sorted by distance, first per QPV
    tri = np.argsort(d, kind="stable")
    qs, acs, ds = qi[tri], act[tri], d[tri]
    proche = np.full((nq, len(p.filtres)), np.nan)
    for j in range(len(p.filtres)):
        ok = lieux.masques[acs, j]
        if not ok.any():
            continue
        q_ok, d_ok = qs[ok], ds[ok]
        premiers, pos = np.unique(q_ok, return_index=True)
        proche[premiers, j] = d_ok[pos]
    # 3. beyond the largest band: bounded KD-tree search per filter
    # a point inside each polygon: the distance to it bounds the distance to the polygon
    rayons, cxy = proj.rayons, proj.cxy
    masques_lieux = lieux.masques[acteur]
    boites = proj.boites
    tous = _Arbre(xy)
    # candidates of every filter first, then each (QPV, place) distance computed once
    morceaux: list[tuple[int, np.ndarray, np.ndarray]] = []
    for j in range(len(p.filtres)):
        manquants = np.flatnonzero(np.isnan(proche[:, j]))
        if not len(manquants):
            continue
        masque = masques_lieux[:, j]
        cand = np.flatnonzero(masque)
        if not len(cand):
            continue
        # dense filters share the tree of every place; sparse ones get a small tree of their own
        if len(cand) > _DENSE:
            qq, pp, borne = tous.candidats(cxy[manquants], rayons[manquants], manquants, masque)
            sans = np.flatnonzero(~np.isfinite(borne))
            if len(sans):  # no matching place among the centre's nearest: the filter's own tree
                q2, p2, borne[sans] = _Arbre(xy[cand], cand).candidats(
                    cxy[manquants[sans]], rayons[manquants[sans]], manquants[sans], None
                )
                qq, pp = np.concatenate([qq, q2]), np.concatenate([pp, p2])
        else:
            qq, pp, borne = _Arbre(xy[cand], cand).candidats(
                cxy[manquants], rayons[manquants], manquants, None
            )
        # a place farther from the polygon's box than the bound cannot be the nearest
        plafond = np.full(nq, np.inf)
        plafond[manquants] = borne
        garde = _distance_boite(boites[qq], xy[pp]) <= plafond[qq] + 1e-6
        morceaux.append((j, qq[garde], pp[garde]))
    if morceaux:
        tous_qq = np.concatenate([m[1] for m in morceaux])
        tous_pp = np.concatenate([m[2] for m in morceaux])
        cles, inverse = np.unique(tous_qq * len(pts) + tous_pp, return_inverse=True)
        distances_uniques = shapely.distance(polys[cles // len(pts)], pts[cles % len(pts)])
        toutes = distances_uniques[inverse]
        debut = 0
        for j, qq, _pp in morceaux:
            dd = toutes[debut : debut + len(qq)]
            debut += len(qq)
            res = np.full(nq, np.inf)
            np.minimum.at(res, qq, dd)
            manquants = np.flatnonzero(np.isnan(proche[:, j]))
            proche[manquants, j] = res[manquants]
    plus_proche[rangs] = proche


#: Opening slots an actor can be filtered on (columns of ``Lieux.creneaux``).
CRENEAUX = ("soir", "samedi", "dimanche")


def filtrer_acteurs(
    acteurs: gpd.GeoDataFrame,
    filtres: Sequence[Filtre] = (),
    creneaux: Sequence[str] = (),
) -> gpd.GeoDataFrame:
    """The active actors matching the filters: any of the chosen values within a family (two
    categories: either), every family chosen (a category and a service: both), and open in at
    least one of the chosen slots (``soir``, ``samedi``, ``dimanche``; hours unknown: excluded
    once a slot is asked for). A mobile service is open in a slot when one of its stops is."""
    inconnus = [c for c in creneaux if c not in CRENEAUX]
    if inconnus:
        raise ErreurEcosysteme(f"créneau inconnu : {inconnus[0]} (soir, samedi ou dimanche).")
    statut = _colonne(acteurs, "statut", Statut.ACTIF.value).to_numpy()
    actifs = acteurs[statut == Statut.ACTIF.value]
    if actifs.empty or (not filtres and not creneaux):
        return actifs
    garde = np.ones(len(actifs), dtype=bool)
    if filtres:
        masques = _masques(pd.DataFrame(actifs), filtres)
        familles = np.array([f.famille for f in filtres])
        for famille in dict.fromkeys(familles):
            garde &= masques[:, familles == famille].any(axis=1)
    if creneaux:
        lieux = preparer_lieux(actifs, (Filtre("tous", None, "Tout acteur"),))
        cols = [CRENEAUX.index(c) for c in creneaux]
        garde &= lieux.creneaux[:, cols].any(axis=1)
    return actifs[garde]
