"""Overlaps between distinct actors (DESIGN §5), pure and vectorised.

An **overlap** is two distinct active actors offering the same service to the same public within
the same catchment (``distance_m``) at overlapping hours. It is shown, not removed: it is where a
new offer would duplicate, or where partners should coordinate. It is told apart from a
**duplicate** (one place recorded twice, :func:`ecosysteme.inventaire.doublons.candidats`): a pair that
function proposes is excluded (or flagged ``doublon_probable``), so the two are never confused.

Rules, decided here:

- Places: an actor serves at its own point, a mobile service at each of its stops (its point is
  then only its base). Two actors are in the same catchment when one place of each lies within
  ``distance_m`` metres of the other, measured in the metric CRS of their territory (Lambert-93 in
  metropolitan France, the local projected CRS overseas: :mod:`ecosysteme.domaine.projection`); two places
  of different territories are never compared (no distance across the sea). ``distance_m`` of a
  pair is its closest pair of places; ``lon_a, lat_a, lon_b, lat_b`` are those two places.
- Services: one row per service both offer (``services`` of the standard).
- Publics: an actor that lists no ``publics_specifiquement_adresses`` welcomes everyone. Two such
  actors share the public « tout public »; one that lists publics and one that lists none share
  every public the first lists (the general offer reaches them too); two that list publics share
  the publics both list, and nothing when those lists are disjoint.
- Hours: each place's OSM ``opening_hours`` (a stop's own hours, else its actor's) is read over
  the reference week of :data:`ecosysteme.domaine.semaine.SEMAINE_REFERENCE` (the week of
  ``coverage.creneaux_horaires``) with :func:`ecosysteme.domaine.semaine.intervalles_semaine`, to the
  minute. ``minutes_communes`` is the number of minutes of that week during which both actors are
  open at two places within ``distance_m`` of each other (union over such pairs of places). Hours
  missing or unreadable (invalid syntax, ``unknown``, a comment) are unknown, never closed.
- ``statut_horaires``: « chevauchement » when ``minutes_communes`` > 0; else « horaires
  inconnus » when a pair of nearby places has unknown hours on either side (``minutes_communes``
  is then missing: counted apart, neither overlapping nor not); else « même zone, horaires
  distincts » (0 minutes), listed only on request.
- Only active actors (``statut`` « actif »; all of them when the column is absent).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ecosysteme.domaine import reglages, standard
from ecosysteme.domaine.erreurs import Emplacement, ErreurEcosysteme
from ecosysteme.domaine.modeles import Statut
from ecosysteme.domaine.projection import TERRITOIRES, crs_utm, exiger_geographique, territoires_des_points
from ecosysteme.domaine.semaine import FIN_JOURNEE, intervalles_semaine
from ecosysteme.inventaire.doublons import SEUIL_PROPOSITION, candidats
from ecosysteme.inventaire.doublons import groupes as groupes_doublons

STATUT_CHEVAUCHEMENT = "chevauchement"
STATUT_INCONNU = "horaires inconnus"
STATUT_DISTINCT = "même zone, horaires distincts"
#: The public shared by two actors that restrict none.
TOUT_PUBLIC = "tout public"
#: Default catchment (metres).
DISTANCE_DEFAUT = reglages.DISTANCE_CHEVAUCHEMENT
#: Minutes in the reference week.
MINUTES_SEMAINE = 7 * FIN_JOURNEE

COLONNES = [
    "id_a",
    "id_b",
    "nom_a",
    "nom_b",
    "service",
    "public",
    "distance_m",
    "minutes_communes",
    "heures_communes",
    "statut_horaires",
    "doublon_probable",
    "epci_a",
    "epci_b",
    "lon_a",
    "lat_a",
    "lon_b",
    "lat_b",
]
_ORDRE_STATUTS = {STATUT_CHEVAUCHEMENT: 0, STATUT_INCONNU: 1, STATUT_DISTINCT: 2}


# --- opening hours as minute grids ---------------------------------------------------------------


@lru_cache(maxsize=65536)
def _grille(texte: str) -> np.ndarray | None:
    """The reference week as packed bits (one per minute, Monday 00:00 first); None if unknown."""
    jours = intervalles_semaine(texte)
    if jours is None:
        return None
    minutes = np.zeros(MINUTES_SEMAINE, dtype=bool)
    for jour, plages in enumerate(jours):
        for debut, fin in plages:
            minutes[jour * FIN_JOURNEE + debut : jour * FIN_JOURNEE + fin] = True
    grille = np.packbits(minutes)
    grille.flags.writeable = False
    return grille


def minutes_ouverture(horaires: object) -> int | None:
    """Minutes open during the reference week according to an OSM ``opening_hours`` string; None
    when the hours are missing or unreadable (unknown, not closed)."""
    if not isinstance(horaires, str) or not horaires.strip():
        return None
    grille = _grille(horaires)
    return None if grille is None else int(np.bitwise_count(grille).sum())


# --- actors → places ----------------------------------------------------------------------------


def _liste(v: object) -> frozenset[str]:
    if isinstance(v, str):
        return frozenset((v,)) if v.strip() else frozenset()
    if isinstance(v, list | tuple | np.ndarray | set | frozenset):
        return frozenset(x for x in v if isinstance(x, str) and x)
    return frozenset()


def _colonne(acteurs: pd.DataFrame, col: str) -> np.ndarray:
    if col not in acteurs.columns:
        return np.full(len(acteurs), None, dtype=object)
    return acteurs[col].to_numpy(dtype=object)


def _coordonnees(acteurs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes in EPSG:4326 (NaN when unknown): the ``longitude``/``latitude``
    columns, else the points of a GeoDataFrame's geometry."""
    if {"longitude", "latitude"} <= set(acteurs.columns):
        lon = pd.to_numeric(acteurs["longitude"], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(acteurs["latitude"], errors="coerce").to_numpy(dtype=float)
        return lon, lat
    if isinstance(acteurs, gpd.GeoDataFrame):
        points = acteurs.geometry.to_numpy()
        return np.asarray(shapely.get_x(points), dtype=float), np.asarray(shapely.get_y(points), dtype=float)
    n = len(acteurs)
    return np.full(n, np.nan), np.full(n, np.nan)


def _identifiants(acteurs: pd.DataFrame) -> np.ndarray:
    if "id" not in acteurs.columns:
        raise ErreurEcosysteme("Chevauchements : colonne « id » absente du tableau des acteurs.")
    ids = []
    for k, v in enumerate(acteurs["id"].tolist()):
        if isinstance(v, int | np.integer) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(v, str) or not v.strip():
            raise ErreurEcosysteme(
                "Chevauchements : acteur sans identifiant.", Emplacement(ligne=k + 1, champ="id")
            )
        ids.append(v)
    return np.asarray(ids, dtype=object)


def _lieux(
    lon: np.ndarray, lat: np.ndarray, horaires: np.ndarray, arrets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str | None]]:
    """(actor row, longitude, latitude, hours text) of every place: the point of a fixed actor,
    each stop of a mobile one (its own hours, else its actor's)."""
    acteur: list[int] = []
    x: list[float] = []
    y: list[float] = []
    textes: list[str | None] = []
    for i, (lo, la, h, ar) in enumerate(zip(lon, lat, horaires, arrets, strict=True)):
        propres = h if isinstance(h, str) and h.strip() else None
        if isinstance(ar, list | tuple) and len(ar) > 0:
            for stop in ar:
                d = stop if isinstance(stop, dict) else stop.model_dump()
                slo, sla = d.get("longitude"), d.get("latitude")
                if slo is None or sla is None:
                    continue
                sh = d.get("horaires")
                acteur.append(i)
                x.append(float(slo))
                y.append(float(sla))
                textes.append(sh if isinstance(sh, str) and sh.strip() else propres)
        elif np.isfinite(lo) and np.isfinite(la):
            acteur.append(i)
            x.append(float(lo))
            y.append(float(la))
            textes.append(propres)
    return np.asarray(acteur, dtype=np.int64), np.asarray(x, float), np.asarray(y, float), textes


@lru_cache(maxsize=32)
def _transformer(epsg: int) -> Transformer:
    return Transformer.from_crs(4326, epsg, always_xy=True)


def _projeter(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Metric coordinates of each place in its territory's CRS, and its zone (the index in
    ``TERRITOIRES``, the EPSG code of its UTM zone outside them all, -1 when out of range)."""
    valides = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    zone = np.where(valides, territoires_des_points(np.nan_to_num(lon), np.nan_to_num(lat)), -1)
    for k in np.flatnonzero(valides & (zone < 0)):
        zone[k] = crs_utm(float(lon[k]), float(lat[k]))
    zone[~valides] = -1
    xy = np.full((len(lon), 2), np.nan)
    for z in np.unique(zone[zone >= 0]):
        m = zone == z
        epsg = TERRITOIRES[int(z)].epsg if z < len(TERRITOIRES) else int(z)
        xy[m, 0], xy[m, 1] = _transformer(epsg).transform(lon[m], lat[m])
    return xy, zone


def _paires_lieux(xy: np.ndarray, zone: np.ndarray, distance: float) -> tuple[np.ndarray, np.ndarray]:
    """(place, place) pairs within ``distance`` metres in the same zone (one KD-tree per zone)."""
    morceaux = [np.empty((0, 2), dtype=np.int64)]
    for z in np.unique(zone[zone >= 0]):
        lignes = np.flatnonzero(zone == z)
        if len(lignes) < 2:
            continue
        paires = cKDTree(xy[lignes]).query_pairs(distance, output_type="ndarray")
        morceaux.append(lignes[paires])
    toutes = np.concatenate(morceaux)
    return toutes[:, 0], toutes[:, 1]


# --- validation of the parameters ----------------------------------------------------------------


def _verifier_valeurs(
    valeurs: Sequence[str] | None, permises: Sequence[str], quoi: str
) -> frozenset[str] | None:
    if valeurs is None:
        return None
    if isinstance(valeurs, str):
        valeurs = [valeurs]
    inconnues = [v for v in valeurs if v not in permises]
    if inconnues:
        raise ErreurEcosysteme(
            f"Chevauchements : {quoi} « {inconnues[0]} » inconnu ; valeurs possibles : "
            + ", ".join(f"« {p} »" for p in permises)
            + "."
        )
    return frozenset(valeurs)


def _publics_partages(pa: frozenset[str], pb: frozenset[str]) -> frozenset[str]:
    """Publics two actors share (see the module's docstring: none listed means everyone)."""
    if not pa and not pb:
        return frozenset((TOUT_PUBLIC,))
    if not pa:
        return pb
    if not pb:
        return pa
    return pa & pb


# --- the overlaps --------------------------------------------------------------------------------


def _vide() -> pd.DataFrame:
    types: dict[str, str] = {
        "distance_m": "float64",
        "minutes_communes": "Int64",
        "heures_communes": "float64",
        "doublon_probable": "bool",
        "lon_a": "float64",
        "lat_a": "float64",
        "lon_b": "float64",
        "lat_b": "float64",
    }
    return pd.DataFrame({c: pd.Series(dtype=types.get(c, "object")) for c in COLONNES})


def chevauchements(
    acteurs: pd.DataFrame,
    *,
    distance_m: float = DISTANCE_DEFAUT,
    services: Sequence[str] | None = None,
    publics: Sequence[str] | None = None,
    exclure_doublons: bool = True,
    inclure_horaires_distincts: bool = False,
    seuil_doublon: float = SEUIL_PROPOSITION,
    non_doublons: Collection[tuple[str, str]] = (),
) -> pd.DataFrame:
    """Overlapping pairs of distinct active actors (rules in the module's docstring).

    ``acteurs``: the store's actor table (``acteurs_gdf``) or any frame with ``id`` and
    ``longitude``/``latitude`` (or a point geometry in EPSG:4326); ``nom``, ``statut``,
    ``services``, ``publics_specifiquement_adresses``, ``horaires``, ``arrets`` and ``epci_geo``
    (:func:`ecosysteme.analyse.resume.rattacher`) are used when present; ``nom`` is needed to tell
    duplicates apart (:func:`ecosysteme.inventaire.doublons.candidats`, run on the whole table with
    ``seuil_doublon``; pairs in ``non_doublons``, marked « pas un doublon », stay overlaps).

    One row per (pair, shared service, shared public), columns :data:`COLONNES`: ``id_a < id_b``,
    names, ``service``, ``public``, ``distance_m`` (closest places), ``minutes_communes`` (Int64,
    minutes per week both are open nearby; missing when hours are unknown), ``heures_communes``
    (the same in hours), ``statut_horaires``, ``doublon_probable`` (always False when
    ``exclure_doublons``: those pairs are dropped), ``epci_a``/``epci_b`` (``epci_geo``, None
    without it) and the two closest places. Only services in ``services`` and publics in
    ``publics`` (values of the standard, or « tout public ») when given. Rows « même zone,
    horaires distincts » only with ``inclure_horaires_distincts``. Sorted by status, then ids,
    service and public: the result does not depend on the order of the rows.
    """
    if not (isinstance(distance_m, int | float) and np.isfinite(distance_m) and distance_m > 0):
        raise ErreurEcosysteme(
            f"Chevauchements : la distance doit être un nombre de mètres positif (reçu : {distance_m})."
        )
    enum = standard.enumerations()
    services_voulus = _verifier_valeurs(services, enum["services"], "service")
    publics_voulus = _verifier_valeurs(
        publics, (*enum["publics_specifiquement_adresses"], TOUT_PUBLIC), "public"
    )
    if isinstance(acteurs, gpd.GeoDataFrame) and len(acteurs):
        exiger_geographique(acteurs, "acteurs")
    if acteurs.empty:
        return _vide()
    ids_tous = _identifiants(acteurs)
    if "statut" in acteurs.columns:
        actif = acteurs["statut"].to_numpy(dtype=object) == Statut.ACTIF.value
    else:
        actif = np.ones(len(acteurs), dtype=bool)
    table = acteurs[actif]
    ids = ids_tous[actif]
    lon, lat = _coordonnees(table)
    lieu_acteur, llon, llat, textes = _lieux(lon, lat, _colonne(table, "horaires"), _colonne(table, "arrets"))
    if len(lieu_acteur) < 2:
        return _vide()
    xy, zone = _projeter(llon, llat)
    p, q = _paires_lieux(xy, zone, float(distance_m))
    # actors ranked by id: the pair is oriented id_a < id_b, one actor never pairs with itself
    _, rang = np.unique(ids, return_inverse=True)
    ra, rb = rang[lieu_acteur[p]], rang[lieu_acteur[q]]
    inverse = ra > rb
    p, q = np.where(inverse, q, p), np.where(inverse, p, q)
    distinct = ra != rb
    p, q = p[distinct], q[distinct]
    if not len(p):
        return _vide()
    d = np.hypot(*(xy[p] - xy[q]).T)
    ia, ib = lieu_acteur[p], lieu_acteur[q]
    # group the place pairs by actor pair, closest first
    cle = rang[ia].astype(np.int64) * (int(rang.max()) + 1) + rang[ib]
    ordre = np.lexsort((d, cle))
    p, q, d, ia, ib, cle = p[ordre], q[ordre], d[ordre], ia[ordre], ib[ordre], cle[ordre]
    debuts = np.flatnonzero(np.r_[True, cle[1:] != cle[:-1]])
    # shared services and publics of each actor pair (Python sets over the pairs, few thousands)
    serv = [_liste(v) for v in _colonne(table, "services")]
    publ = [_liste(v) for v in _colonne(table, "publics_specifiquement_adresses")]
    a0, b0 = ia[debuts], ib[debuts]
    communs_s: list[list[str]] = []
    communs_p: list[list[str]] = []
    for a, b in zip(a0.tolist(), b0.tolist(), strict=True):
        s = serv[a] & serv[b]
        pu = _publics_partages(publ[a], publ[b])
        if services_voulus is not None:
            s &= services_voulus
        if publics_voulus is not None:
            pu &= publics_voulus
        communs_s.append(sorted(s) if s and pu else [])
        communs_p.append(sorted(pu) if s and pu else [])
    garde_paire = np.fromiter((bool(s) for s in communs_s), dtype=bool, count=len(debuts))
    if not garde_paire.any():
        return _vide()
    minutes, inconnu = _minutes_communes(p, q, textes, debuts, garde_paire)
    statut = np.where(minutes > 0, STATUT_CHEVAUCHEMENT, np.where(inconnu, STATUT_INCONNU, STATUT_DISTINCT))
    garde_paire &= inclure_horaires_distincts | (statut != STATUT_DISTINCT)
    if not garde_paire.any():
        return _vide()
    k = np.flatnonzero(garde_paire)
    noms = _colonne(table, "nom")
    epci = _colonne(table, "epci_geo")
    premiers = debuts[k]
    par_paire = pd.DataFrame(
        {
            "id_a": ids[a0[k]],
            "id_b": ids[b0[k]],
            "nom_a": noms[a0[k]],
            "nom_b": noms[b0[k]],
            "distance_m": d[premiers],
            "minutes_communes": pd.array(
                [None if s == STATUT_INCONNU else int(m) for s, m in zip(statut[k], minutes[k], strict=True)],
                dtype="Int64",
            ),
            "statut_horaires": statut[k],
            "epci_a": [e if isinstance(e, str) else None for e in epci[a0[k]]],
            "epci_b": [e if isinstance(e, str) else None for e in epci[b0[k]]],
            "lon_a": llon[p[premiers]],
            "lat_a": llat[p[premiers]],
            "lon_b": llon[q[premiers]],
            "lat_b": llat[q[premiers]],
        }
    )
    par_paire["service"] = [communs_s[j] for j in k]
    par_paire["public"] = [communs_p[j] for j in k]
    out = par_paire.explode("service").explode("public", ignore_index=True)
    out["heures_communes"] = out["minutes_communes"].astype("Float64").astype(float) / 60.0
    proposes = candidats(acteurs, seuil=seuil_doublon, exclus=non_doublons) if len(out) else out
    out["doublon_probable"] = _doublons(proposes, out)
    out = _un_lieu_une_fois(out, proposes, seuil_doublon)
    if exclure_doublons:
        out = out[~out["doublon_probable"]]
    out = out.assign(_statut=out["statut_horaires"].map(_ORDRE_STATUTS))
    out = out.sort_values(["_statut", "id_a", "id_b", "service", "public"], kind="mergesort")
    return out[COLONNES].reset_index(drop=True)


def _minutes_communes(
    p: np.ndarray, q: np.ndarray, textes: list[str | None], debuts: np.ndarray, garde: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each actor pair (place pairs ``debuts[i]:debuts[i+1]``, the kept ones only): minutes
    of the reference week both are open at nearby places, and whether a nearby pair of places
    has unknown hours. Each distinct couple of hours is intersected once."""
    n = len(debuts)
    minutes = np.zeros(n, dtype=np.int64)
    codes, uniques = pd.factorize(pd.Series(textes, dtype=object), use_na_sentinel=True)
    grilles = [_grille(str(u)) for u in uniques]
    connues = np.array([g is not None for g in grilles] + [False], dtype=bool)  # [-1]: no text
    vide = np.zeros(MINUTES_SEMAINE // 8, np.uint8)
    matrice = np.stack([g if g is not None else vide for g in grilles] + [vide])
    ca, cb = codes[p], codes[q]
    sures = connues[ca] & connues[cb]
    fins = np.r_[debuts[1:], len(p)]
    tailles = fins - debuts
    rang_paire = np.repeat(np.arange(n), tailles)
    inconnu = np.bincount(rang_paire[~sures], minlength=n) > 0
    # actor pairs of one place pair each (fixed actors): one intersection per couple of hours
    simples = garde & (tailles == 1)
    s = debuts[simples]
    ok = sures[s]
    if ok.any():
        couples, inv = np.unique(np.column_stack([ca[s[ok]], cb[s[ok]]]), axis=0, return_inverse=True)
        comptes = np.bitwise_count(matrice[couples[:, 0]] & matrice[couples[:, 1]]).sum(axis=1)
        m = np.zeros(len(s), dtype=np.int64)
        m[ok] = comptes[inv.reshape(-1)]
        minutes[simples] = m
    # mobile services: the union over the nearby pairs of places
    for i in np.flatnonzero(garde & (tailles > 1)):
        lignes = np.arange(debuts[i], fins[i])[sures[debuts[i] : fins[i]]]
        if len(lignes):
            union = np.bitwise_or.reduce(matrice[ca[lignes]] & matrice[cb[lignes]], axis=0)
            minutes[i] = int(np.bitwise_count(union).sum())
    return minutes, inconnu


def _doublons(proposes: pd.DataFrame, paires: pd.DataFrame) -> np.ndarray:
    """Whether each row's pair is one :func:`ecosysteme.inventaire.doublons.candidats` proposes."""
    cles = set(zip(proposes["id_a"].astype(str), proposes["id_b"].astype(str), strict=True))
    return np.fromiter(
        ((a, b) in cles for a, b in zip(paires["id_a"], paires["id_b"], strict=True)),
        dtype=bool,
        count=len(paires),
    )


def _un_lieu_une_fois(paires: pd.DataFrame, proposes: pd.DataFrame, seuil: float) -> pd.DataFrame:
    """A place recorded twice counts once: when several fiches are probable duplicates of one
    another (a group of :func:`ecosysteme.inventaire.doublons.groupes`), an overlap with a third actor is kept
    once per (service, public), under the fiche closest to it, instead of once per fiche. Two fiches
    of one group are themselves flagged ``doublon_probable`` (one place, not an overlap)."""
    if paires.empty or proposes.empty:
        return paires
    representant = {i: groupe[0] for groupe in groupes_doublons(proposes, seuil) for i in groupe}
    ra = paires["id_a"].astype(str).map(lambda i: representant.get(i, i))
    rb = paires["id_b"].astype(str).map(lambda i: representant.get(i, i))
    meme_lieu = (ra == rb).to_numpy()
    paires = paires.assign(doublon_probable=paires["doublon_probable"].to_numpy(bool) | meme_lieu)
    cle = pd.DataFrame(
        {
            "x": np.where(ra < rb, ra, rb),
            "y": np.where(ra < rb, rb, ra),
            "service": paires["service"].to_numpy(),
            "public": paires["public"].to_numpy(),
            "doublon": paires["doublon_probable"].to_numpy(),
            "distance": paires["distance_m"].to_numpy(float),
        },
        index=paires.index,
    )
    premiere = cle.sort_values("distance", kind="mergesort").duplicated(["x", "y", "service", "public"])
    repetee = premiere.reindex(paires.index).to_numpy(bool) & ~cle["doublon"].to_numpy(bool)
    gardees: pd.DataFrame = paires[~repetee]
    return gardees


# --- groups, summary, map layer ------------------------------------------------------------------


def _retenues(paires: pd.DataFrame, statuts: Collection[str]) -> pd.DataFrame:
    garde = paires["statut_horaires"].isin(list(statuts))
    if "doublon_probable" in paires.columns:
        garde &= ~paires["doublon_probable"].astype(bool)
    return paires[garde]


def groupes(paires: pd.DataFrame, statuts: Collection[str] = (STATUT_CHEVAUCHEMENT,)) -> pd.DataFrame:
    """Groups of actors joined by overlaps, per (service, public): connected components of the
    pairs of ``paires`` (from :func:`chevauchements`) whose status is in ``statuts`` (overlaps
    only by default), probable duplicates left out.

    Columns: ``groupe`` (1, 2…, largest groups first, then by service, public and first member),
    ``service``, ``public``, ``membres`` (sorted ids), ``taille``, ``paires`` (pairs inside),
    ``minutes_communes`` (their sum), ``epci`` (sorted distinct ``epci_geo`` of the members:
    usually one; several when the group crosses a border; empty without that column)."""
    colonnes = ["groupe", "service", "public", "membres", "taille", "paires", "minutes_communes", "epci"]
    retenues = _retenues(paires, statuts)
    lignes: list[tuple[str, str, list[str], int, int, int, list[str]]] = []
    for (service, public), sous in retenues.groupby(["service", "public"], sort=True):
        ids, inv = np.unique(
            np.r_[sous["id_a"].to_numpy(dtype=object), sous["id_b"].to_numpy(dtype=object)],
            return_inverse=True,
        )
        n_p = len(sous)
        a, b = inv[:n_p], inv[n_p:]
        graphe = coo_matrix((np.ones(n_p), (a, b)), shape=(len(ids), len(ids)))
        _, etiquette = connected_components(graphe, directed=False)
        epci_de: dict[str, str] = {}
        for col_id, col_e in (("id_a", "epci_a"), ("id_b", "epci_b")):
            if col_e in sous.columns:
                epci_de.update(
                    (i, e) for i, e in zip(sous[col_id], sous[col_e], strict=True) if isinstance(e, str)
                )
        minutes = sous["minutes_communes"].astype("Float64").fillna(0).to_numpy(dtype=float)
        for c in np.unique(etiquette):
            membres = sorted(str(x) for x in ids[etiquette == c])
            dedans = etiquette[a] == c
            lignes.append(
                (
                    str(service),
                    str(public),
                    membres,
                    len(membres),
                    int(dedans.sum()),
                    int(minutes[dedans].sum()),
                    sorted({epci_de[m] for m in membres if m in epci_de}),
                )
            )
    if not lignes:
        return pd.DataFrame(
            {
                c: pd.Series(
                    dtype="int64" if c in ("groupe", "taille", "paires", "minutes_communes") else object
                )
                for c in colonnes
            }
        )
    lignes.sort(key=lambda g: (-g[3], g[0], g[1], g[2][0]))
    out = pd.DataFrame(lignes, columns=colonnes[1:])
    out.insert(0, "groupe", np.arange(1, len(out) + 1))
    return out


def par_epci(paires: pd.DataFrame, acteurs: pd.DataFrame) -> pd.DataFrame:
    """Per EPCI and service: ``paires`` (distinct overlapping pairs, duplicates left out),
    ``acteurs`` (distinct actors of the EPCI in them), ``minutes_communes`` and
    ``heures_communes`` (summed over those pairs, each pair once per service whatever its
    publics), ``paires_horaires_inconnues`` (pairs of that service whose hours are unknown,
    counted apart). The EPCI of an actor is ``epci_geo`` of ``acteurs``
    (:func:`ecosysteme.analyse.resume.rattacher`); a pair whose actors lie in two EPCI counts in both,
    an actor without EPCI in none. Sorted by EPCI then by pairs, most first."""
    if "epci_geo" not in acteurs.columns:
        raise ErreurEcosysteme(
            "Chevauchements par EPCI : colonne « epci_geo » absente des acteurs "
            "(rattachez-les d'abord à leur commune : summary.rattacher)."
        )
    colonnes = [
        "siren_epci",
        "service",
        "paires",
        "acteurs",
        "minutes_communes",
        "heures_communes",
        "paires_horaires_inconnues",
    ]
    epci_de = {
        str(i): e
        for i, e in zip(_identifiants(acteurs), acteurs["epci_geo"].tolist(), strict=True)
        if isinstance(e, str) and e
    }
    retenues = _retenues(paires, (STATUT_CHEVAUCHEMENT, STATUT_INCONNU))
    uniques = retenues.drop_duplicates(["id_a", "id_b", "service"])
    lignes: list[dict[str, object]] = []
    for a, b, service, statut, minutes in zip(
        uniques["id_a"],
        uniques["id_b"],
        uniques["service"],
        uniques["statut_horaires"],
        uniques["minutes_communes"],
        strict=True,
    ):
        ea, eb = epci_de.get(str(a)), epci_de.get(str(b))
        for e in {x for x in (ea, eb) if x is not None}:
            connus = statut == STATUT_CHEVAUCHEMENT
            lignes.append(
                {
                    "siren_epci": e,
                    "service": service,
                    "chevauchement": connus,
                    "inconnu": not connus,
                    "minutes": int(minutes) if connus else 0,
                    "membres": [x for x, ex in ((a, ea), (b, eb)) if ex == e] if connus else [],
                }
            )
    if not lignes:
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c in ("siren_epci", "service") else "int64") for c in colonnes}
        ).astype({"heures_communes": float})
    t = pd.DataFrame(lignes)
    out = (
        t.groupby(["siren_epci", "service"], sort=True)
        .agg(
            paires=("chevauchement", "sum"),
            acteurs=("membres", lambda s: len({m for ms in s for m in ms})),
            minutes_communes=("minutes", "sum"),
            paires_horaires_inconnues=("inconnu", "sum"),
        )
        .reset_index()
    )
    out["heures_communes"] = out["minutes_communes"] / 60.0
    out = out.astype(
        {
            "paires": "int64",
            "acteurs": "int64",
            "minutes_communes": "int64",
            "paires_horaires_inconnues": "int64",
        }
    )
    out = out.sort_values(
        ["siren_epci", "paires", "service"], ascending=[True, False, True], kind="mergesort"
    )
    return out[colonnes].reset_index(drop=True)


def lignes(paires: pd.DataFrame, acteurs: pd.DataFrame) -> gpd.GeoDataFrame:
    """The map layer: one LineString (EPSG:4326) per pair of actors, between its two closest
    places, with ``id_a``, ``id_b``, ``nom_a``, ``nom_b`` (from ``acteurs``), ``services`` and
    ``publics`` (« ; »-joined), ``distance_m``, ``minutes_communes``, ``heures_communes``,
    ``statut_horaires``, ``doublon_probable``, ``meme_point`` (the two places coincide: the line
    has length 0, is not ``is_valid`` for GEOS and draws nothing; show a marker there). Texts are
    raw data: escape them when drawing."""
    colonnes = [
        "id_a",
        "id_b",
        "nom_a",
        "nom_b",
        "services",
        "publics",
        "distance_m",
        "minutes_communes",
        "heures_communes",
        "statut_horaires",
        "doublon_probable",
        "meme_point",
    ]
    if paires.empty:
        return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in colonnes}, geometry=[], crs=4326)
    noms = dict(zip(_identifiants(acteurs), _colonne(acteurs, "nom"), strict=True))
    if {"lon_a", "lat_a", "lon_b", "lat_b"} <= set(paires.columns):
        bouts = paires
    else:  # pairs from elsewhere: the actors' own points
        lon, lat = _coordonnees(acteurs)
        pos = {i: (x, y) for i, x, y in zip(_identifiants(acteurs), lon, lat, strict=True)}
        bouts = paires.assign(
            lon_a=[pos.get(i, (np.nan, np.nan))[0] for i in paires["id_a"]],
            lat_a=[pos.get(i, (np.nan, np.nan))[1] for i in paires["id_a"]],
            lon_b=[pos.get(i, (np.nan, np.nan))[0] for i in paires["id_b"]],
            lat_b=[pos.get(i, (np.nan, np.nan))[1] for i in paires["id_b"]],
        )
    cle = ["id_a", "id_b"]
    g = bouts.groupby(cle, sort=True)
    out = g.agg(
        services=("service", lambda s: " ; ".join(dict.fromkeys(s))),
        publics=("public", lambda s: " ; ".join(dict.fromkeys(s))),
        distance_m=("distance_m", "first"),
        minutes_communes=("minutes_communes", "first"),
        statut_horaires=("statut_horaires", "first"),
        doublon_probable=("doublon_probable", "first"),
        lon_a=("lon_a", "first"),
        lat_a=("lat_a", "first"),
        lon_b=("lon_b", "first"),
        lat_b=("lat_b", "first"),
    ).reset_index()
    out["nom_a"] = [noms.get(i) for i in out["id_a"]]
    out["nom_b"] = [noms.get(i) for i in out["id_b"]]
    out["heures_communes"] = out["minutes_communes"].astype("Float64").astype(float) / 60.0
    coords = np.stack(
        [out[["lon_a", "lat_a"]].to_numpy(float), out[["lon_b", "lat_b"]].to_numpy(float)], axis=1
    )
    out["meme_point"] = (coords[:, 0] == coords[:, 1]).all(axis=1)
    geometrie = shapely.linestrings(coords)
    return gpd.GeoDataFrame(out[colonnes], geometry=geometrie, crs=4326)
