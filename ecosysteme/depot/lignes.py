"""Stored actor rows ↔ ``Acteur`` objects, independent of any database engine.

The JSON form of an actor as stored and journaled, the decoding of rows (lists parsed once per
distinct text), the fast rebuild of validated rows, the GeoDataFrame of a listing, the
point-in-zone test of the EPCI and bounding-box filters, and the checks of values given to the
store (author, category, status, service, bounding box). Shared by every backend of
:class:`~ecosysteme.depot.interface.Depot`.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecosysteme.depot.couches import SRS_WGS84
from ecosysteme.depot.interface import BBox
from ecosysteme.domaine import standard
from ecosysteme.domaine.erreurs import DepotInvalide, DonneeInvalide, ErreurEcosysteme
from ecosysteme.domaine.modeles import CHAMPS_LISTES, LECTURE, Acteur, Arret, Categorie, Pilier, Statut

#: Every ``Acteur`` field, in the model's order (``version`` included): one column each.
CHAMPS_ACTEUR: tuple[str, ...] = tuple(Acteur.model_fields)


CHAMPS_JSON = frozenset((*CHAMPS_LISTES, "arrets", "piliers"))


#: JSON columns holding lists of strings (``arrets`` holds objects).
_CHAMPS_LISTES_TEXTE = tuple(c for c in CHAMPS_ACTEUR if c in CHAMPS_JSON and c != "arrets")


_NOMS_CHAMPS = frozenset(CHAMPS_ACTEUR)


_GESTION = ("cree_le", "modifie_le", "modifie_par", "lot_id")


COLONNES_LUES = (*CHAMPS_ACTEUR, *_GESTION)


_I_LON = CHAMPS_ACTEUR.index("longitude")


_I_LAT = CHAMPS_ACTEUR.index("latitude")


_I_ARRETS = CHAMPS_ACTEUR.index("arrets")


INDICE_ID = CHAMPS_ACTEUR.index("id")


#: Fields left out when deciding whether an imported actor differs from the stored one.
#: Not compared to tell an import's row from the stored one: management fields and where the
#: row came from (the same file re-imported under another name, or by someone else, changes nothing).
_HORS_COMPARAISON = frozenset(("version", "date_import", "provenance_fichier", "provenance_auteur"))


def _json_texte(valeur: Any) -> str:
    return "[]" if not valeur else json.dumps(valeur, ensure_ascii=False)


def _json_liste(texte: str) -> list[Any]:
    if texte == "[]":
        return []
    valeur = json.loads(texte)
    if not isinstance(valeur, list):
        raise DepotInvalide(f"Une colonne liste du dépôt contient {texte!r} au lieu d'un tableau JSON.")
    return valeur


@dataclass(frozen=True)
class Ligne:
    """One stored actor: its JSON form (``version`` included) and the store's own columns."""

    valeurs: dict[str, Any]
    cree_le: str
    modifie_le: str
    modifie_par: str
    lot_id: int | None

    @property
    def version(self) -> int:
        return int(self.valeurs["version"])


class Decodeur:
    """Decodes rows of ``_SELECT_ACTEURS`` into JSON-form dicts, in the model's field order.

    Many rows share the same list texts (services, publics, typologies…): each distinct text
    is parsed once per decoder and every row gets its own shallow copy. Stops (lists of
    dicts) are parsed for each row, so that no two actors share a mutable object.
    """

    def __init__(self) -> None:
        self._listes: dict[str, list[Any]] = {}

    def liste(self, texte: str) -> list[Any]:
        if texte == "[]":
            return []
        connue = self._listes.get(texte)
        if connue is None:
            connue = self._listes[texte] = _json_liste(texte)
        return list(connue)

    def valeurs(self, ligne: Sequence[Any]) -> dict[str, Any]:
        valeurs = dict(zip(CHAMPS_ACTEUR, ligne, strict=False))
        for champ in _CHAMPS_LISTES_TEXTE:
            valeurs[champ] = self.liste(valeurs[champ])
        valeurs["arrets"] = _json_liste(valeurs["arrets"])
        return valeurs

    def ligne(self, ligne: Sequence[Any]) -> Ligne:
        cree_le, modifie_le, modifie_par, lot_id = ligne[len(CHAMPS_ACTEUR) :]
        return Ligne(self.valeurs(ligne), cree_le, modifie_le, modifie_par, lot_id)


def en_dict(acteur: Acteur, version: int) -> dict[str, Any]:
    """The JSON form of an actor as stored and journaled, with the store's ``version``."""
    valeurs = acteur.model_dump(mode="json")
    valeurs["version"] = version
    return valeurs


def valeurs_sql(valeurs: dict[str, Any]) -> list[Any]:
    return [_json_texte(valeurs[c]) if c in CHAMPS_JSON else valeurs[c] for c in CHAMPS_ACTEUR]


def decoder_ligne(ligne: Sequence[Any]) -> Ligne:
    return Decodeur().ligne(ligne)


def valider_acteur(valeurs: dict[str, Any]) -> Acteur:
    """A stored actor, fully validated (as ``obtenir`` returns it; texts cleaned, not refused:
    see ``models.LECTURE``)."""
    try:
        return Acteur.model_validate(valeurs, context=LECTURE)
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        raise DepotInvalide(
            f"L'acteur « {valeurs.get('id')} » enregistré dans le dépôt n'est pas valide "
            f"(modifié hors de l'application ?) : {exc}"
        ) from exc


_CATEGORIES = {c.value: c for c in Categorie}


_STATUTS = {s.value: s for s in Statut}


_PILIERS = {p.value: p for p in Pilier}


def construire_acteur(valeurs: dict[str, Any]) -> Acteur:
    """Rebuild a stored actor fast, for listings of tens of thousands (``valeurs`` is consumed).

    Every stored row went through ``Acteur`` validation on write, so only types are restored
    here (enumerations, dates, stops); field validators are not run again. This is what
    ``BaseModel.model_construct`` does, without its per-field default handling (about 3× faster): all
    fields are present. ``tests/test_store.py`` checks that the result equals ``model_validate``.
    """
    v = valeurs
    try:
        v["categorie"] = _CATEGORIES[v["categorie"]]
        v["statut"] = _STATUTS[v["statut"]]
        if v["piliers"]:
            v["piliers"] = [_PILIERS[p] for p in v["piliers"]]
        if v["arrets"]:
            v["arrets"] = [Arret.model_construct(**a) for a in v["arrets"]]
        if v["date_maj"] is not None:
            v["date_maj"] = dt.date.fromisoformat(v["date_maj"])
        if v["date_import"] is not None:
            v["date_import"] = dt.datetime.fromisoformat(v["date_import"])
    except (KeyError, ValueError, TypeError) as exc:
        raise DepotInvalide(
            f"L'acteur « {v.get('id')} » enregistré dans le dépôt n'est pas valide "
            f"(modifié hors de l'application ?) : valeur {exc} inattendue."
        ) from exc
    acteur = Acteur.__new__(Acteur)
    object.__setattr__(acteur, "__dict__", v)
    object.__setattr__(acteur, "__pydantic_fields_set__", set(_NOMS_CHAMPS))
    object.__setattr__(acteur, "__pydantic_extra__", None)
    object.__setattr__(acteur, "__pydantic_private__", None)
    return acteur


def meme_contenu(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a[c] == b[c] for c in CHAMPS_ACTEUR if c not in _HORS_COMPARAISON)


def exiger_acteur(acteur: object, operation: str) -> None:
    if not isinstance(acteur, Acteur):
        raise DonneeInvalide(f"« {operation} » attend un Acteur (reçu : {type(acteur).__name__}).")


def horodatage_maintenant() -> str:
    """Now, UTC, in the GeoPackage DATETIME form ``YYYY-MM-DDTHH:MM:SS.SSSZ``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _date(texte: str | None) -> dt.datetime | None:
    return None if texte is None else dt.datetime.fromisoformat(texte)


def _lisible(horodatage: str) -> str:
    moment = dt.datetime.fromisoformat(horodatage)
    return moment.strftime("%d/%m/%Y à %H:%M:%S UTC")


def auteur_valide(auteur: str) -> str:
    if not isinstance(auteur, str) or not auteur.strip():
        raise ErreurEcosysteme("Chaque écriture doit indiquer son auteur (pour le journal) : auteur vide.")
    return auteur.strip()


def valeur_enumeree(classe: type[Categorie] | type[Statut], valeur: str, quoi: str) -> str:
    try:
        return classe(valeur).value
    except ValueError:
        permis = ", ".join(f"« {v.value} »" for v in classe)
        raise ErreurEcosysteme(f"{quoi} « {valeur} » inconnu(e) ; valeurs possibles : {permis}.") from None


def service_valide(valeur: str) -> str:
    permis = standard.enumerations()["services"]
    if valeur not in permis:
        liste = ", ".join(f"« {v} »" for v in permis)
        raise ErreurEcosysteme(f"Service « {valeur} » inconnu du standard ; services possibles : {liste}.")
    return valeur


def boite_requete(bbox: BBox) -> Any:
    minx, miny, maxx, maxy = (float(x) for x in bbox)
    if not (minx <= maxx and miny <= maxy):
        raise ErreurEcosysteme(
            f"Emprise {bbox} invalide : (longitude min, latitude min, longitude max, latitude max) attendu."
        )
    return shapely.box(minx, miny, maxx, maxy)


def dans_zones(lignes: list[Any], zones: list[Any]) -> list[Any]:
    """Rows whose own point or one of whose stops is covered by every zone (edges included)."""
    x: list[float] = []
    y: list[float] = []
    proprietaire: list[int] = []
    for i, ligne in enumerate(lignes):
        if ligne[_I_LON] is not None and ligne[_I_LAT] is not None:
            x.append(ligne[_I_LON])
            y.append(ligne[_I_LAT])
            proprietaire.append(i)
        if ligne[_I_ARRETS] != "[]":
            for arret in _json_liste(ligne[_I_ARRETS]):
                x.append(arret["longitude"])
                y.append(arret["latitude"])
                proprietaire.append(i)
    if not x:
        return []
    points = shapely.points(np.array(x), np.array(y))
    dedans = np.ones(len(points), dtype=bool)
    for zone in zones:
        shapely.prepare(zone)
        dedans &= shapely.covers(zone, points)
    gardes = set(np.asarray(proprietaire)[dedans].tolist())
    return [ligne for i, ligne in enumerate(lignes) if i in gardes]


@contextmanager
def sans_ramasse_miettes() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while many small acyclic objects are built.

    Rebuilding 30,000 actors allocates about a million lists and dicts: with the collector on,
    its repeated full passes took longer than the decoding itself (0.85 s against 0.32 s).
    Nothing built here is cyclic, so nothing is leaked; the previous state is restored.
    """
    actif = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if actif:
            gc.enable()


def cadre_acteurs(lignes: list[Any]) -> gpd.GeoDataFrame:
    donnees: dict[str, list[Any]] = {c: [ligne[i] for ligne in lignes] for i, c in enumerate(COLONNES_LUES)}
    decodeur = Decodeur()
    for champ in _CHAMPS_LISTES_TEXTE:
        donnees[champ] = [decodeur.liste(v) for v in donnees[champ]]
    donnees["arrets"] = [_json_liste(v) for v in donnees["arrets"]]
    donnees["date_maj"] = [None if v is None else dt.date.fromisoformat(v) for v in donnees["date_maj"]]
    donnees["date_import"] = [_date(v) for v in donnees["date_import"]]
    lon = np.array(donnees["longitude"], dtype=float)
    lat = np.array(donnees["latitude"], dtype=float)
    points = shapely.points(lon, lat)
    points[np.isnan(lon) | np.isnan(lat)] = None
    cadre = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in donnees.items()})
    for champ in ("latitude", "longitude"):
        cadre[champ] = pd.to_numeric(cadre[champ]).astype(float)
    cadre["version"] = cadre["version"].astype("int64")
    for champ in ("cree_le", "modifie_le"):
        cadre[champ] = pd.to_datetime(cadre[champ], utc=True, format="ISO8601")
    cadre["lot_id"] = pd.array(donnees["lot_id"], dtype="Int64")
    return gpd.GeoDataFrame(cadre, geometry=gpd.GeoSeries(points, crs=SRS_WGS84), crs=SRS_WGS84)
