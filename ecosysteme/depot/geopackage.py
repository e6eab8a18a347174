"""The store in one GeoPackage file, written with the standard library's ``sqlite3``.

Why not GDAL for writing: appends failed under concurrency and ``to_file(mode="w")`` lost a
layer when the process was killed (reference/PITFALLS.md, "Writing the store"). Here every write
is exactly one SQLite transaction opened with ``BEGIN IMMEDIATE`` (the write lock is taken
before anything is read), journaled inside that same transaction, then committed or rolled
back: a crash or ``kill -9`` leaves the file as it was before the write. The file is never
rewritten wholesale.

The file is a real GeoPackage 1.3 (``application_id`` 'GPKG', ``user_version`` 10300): QGIS and
GDAL open it, read-only or not. Layers, all in EPSG:4326:

- ``qpv``, ``communes``, ``epci``: MultiPolygon feature tables (codes are TEXT, always);
- ``acteurs``: Point feature table, one column per ``Acteur`` field (lists and stops as JSON
  arrays, dates as ISO text), plus ``version``, ``cree_le``, ``modifie_le``, ``modifie_par`` and
  ``lot_id``; its ``longitude`` / ``latitude`` REAL columns are indexed for bounding-box queries;
- attribute tables ``lots_import``, ``journal`` (audit) and ``meta`` (schema version).

Journal mode: WAL by default (readers never block the writer). WAL must not be used on a
network filesystem (NFS, SMB): open such a store with ``journal="delete"``.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import os
import re
import sqlite3
import struct
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from shapely.geometry import MultiPolygon

from ecosysteme.depot.interface import (
    ActeurExisteDeja,
    Action,
    AnnulationImpossible,
    BBox,
    Codes,
    CoucheInvalide,
    DepotOccupe,
    EntreeHistorique,
    Lot,
)
from ecosysteme.domaine import config, standard
from ecosysteme.domaine.erreurs import (
    ConflitDeVersion,
    DonneeInvalide,
    EcosystemeError,
    IntrouvableError,
    StoreInvalide,
)
from ecosysteme.domaine.modeles import CHAMPS_LISTES, LECTURE, Acteur, Arret, Categorie, Pilier, Statut

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# Constants and schema
# --------------------------------------------------------------------------------------------

#: ``PRAGMA application_id`` of a GeoPackage: the ASCII bytes 'GPKG'.
APPLICATION_ID = 0x47504B47
#: ``PRAGMA user_version``: GeoPackage 1.3.0.
USER_VERSION = 10300
_CLE_META = re.compile(
    r"(qpv_remplace|communes_remplace|epci_remplace|qpv_populations)_(le|par|lignes|source)"
)
#: Version of our own schema, kept in ``meta``; a newer file is refused, an older one migrated.
VERSION_SCHEMA = 3
SRS_WGS84 = 4326

Journal = Literal["wal", "delete"]

_WKT_4326 = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)

_SCHEMA_GPKG = (
    """CREATE TABLE gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
        description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
        srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
)

_SRS = (
    (
        "Undefined cartesian SRS",
        -1,
        "NONE",
        -1,
        "undefined",
        "undefined cartesian coordinate reference system",
    ),
    (
        "Undefined geographic SRS",
        0,
        "NONE",
        0,
        "undefined",
        "undefined geographic coordinate reference system",
    ),
    (
        "WGS 84 geodetic",
        SRS_WGS84,
        "EPSG",
        SRS_WGS84,
        _WKT_4326,
        "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
    ),
)

_ACTIONS_SQL = ", ".join(f"'{a.value}'" for a in Action)

_SCHEMA_ATTRIBUTS = (
    """CREATE TABLE meta (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        cle TEXT NOT NULL UNIQUE, valeur TEXT)""",
    """CREATE TABLE lots_import (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        fichier TEXT NOT NULL, format TEXT NOT NULL, sha256 TEXT NOT NULL, auteur TEXT NOT NULL,
        debut DATETIME NOT NULL, fin DATETIME,
        lignes_lues INTEGER NOT NULL DEFAULT 0, acceptees INTEGER NOT NULL DEFAULT 0,
        rejetees INTEGER NOT NULL DEFAULT 0, crees INTEGER NOT NULL DEFAULT 0,
        mis_a_jour INTEGER NOT NULL DEFAULT 0, inchanges INTEGER NOT NULL DEFAULT 0,
        rapport TEXT NOT NULL DEFAULT '{}', annule_le DATETIME, annule_par TEXT)""",
    f"""CREATE TABLE journal (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        horodatage DATETIME NOT NULL, auteur TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ({_ACTIONS_SQL})),
        acteur_id TEXT, lot_id INTEGER REFERENCES lots_import(id), avant TEXT, apres TEXT)""",
    "CREATE INDEX journal_acteur ON journal (acteur_id, id)",
    "CREATE INDEX journal_lot ON journal (lot_id)",
)

#: Schema 2: merges (an absorbed actor's identifier → the one kept: a re-import of the source
#: does not bring the duplicate back), pairs a person marked « pas un doublon », and the column
#: mappings of the import wizard remembered per source.
_SCHEMA_V2 = (
    """CREATE TABLE fusions (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        absorbe TEXT NOT NULL UNIQUE, garde TEXT NOT NULL, journal_id INTEGER NOT NULL,
        auteur TEXT NOT NULL, horodatage DATETIME NOT NULL)""",
    "CREATE INDEX fusions_garde ON fusions (garde)",
    """CREATE TABLE non_doublons (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        id_a TEXT NOT NULL, id_b TEXT NOT NULL, auteur TEXT NOT NULL, horodatage DATETIME NOT NULL,
        UNIQUE (id_a, id_b), CHECK (id_a < id_b))""",
    """CREATE TABLE correspondances (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        source TEXT NOT NULL UNIQUE, colonnes TEXT NOT NULL, auteur TEXT NOT NULL,
        horodatage DATETIME NOT NULL)""",
)
#: Schema 3: what-if scenarios, saved by name (JSON of ``ecosysteme.analyse.scenarios.Scenario``); the
#: inventory itself is never changed by a scenario.
_SCHEMA_V3 = (
    """CREATE TABLE scenarios (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        nom TEXT NOT NULL UNIQUE, contenu TEXT NOT NULL, auteur TEXT NOT NULL,
        horodatage DATETIME NOT NULL)""",
)
_CONTENUS_V3 = (("scenarios", "attributes", "Scénarios (hypothèses)", None),)
_CONTENUS_V2 = (
    ("fusions", "attributes", "Fusions de doublons", None),
    ("non_doublons", "attributes", "Paires marquées « pas un doublon »", None),
    ("correspondances", "attributes", "Correspondances de colonnes par source", None),
)


# --------------------------------------------------------------------------------------------
# GeoPackage geometry blobs
# --------------------------------------------------------------------------------------------

_MAGIC = b"GP"
_ENTETE = struct.Struct("<2sBBi")
_ENTETE_ENVELOPPE = struct.Struct("<2sBBi4d")
#: Envelope contents indicator (flags bits 1-3) → envelope size in bytes.
_TAILLE_ENVELOPPE = (0, 32, 48, 48, 64)
_LITTLE_ENDIAN = 0b1
_ENVELOPPE_XY = 0b10
_VIDE = 0b10000
_ETENDU = 0b100000
_TYPE_POINT = 0


def encoder_geometries(geometries: Iterable[Any], srs_id: int = SRS_WGS84) -> list[bytes | None]:
    """Encode shapely geometries as GeoPackage binary blobs (``None`` stays ``None``).

    Header: magic ``GP``, version 0, flags (little-endian; envelope [minx, maxx, miny, maxy] for
    everything but points; empty flag), ``srs_id``, then the 2D little-endian WKB.
    """
    tableau = np.asarray(
        list(geometries) if not isinstance(geometries, np.ndarray) else geometries, dtype=object
    )
    wkbs = shapely.to_wkb(tableau, output_dimension=2, byte_order=1, include_srid=False)
    bornes = shapely.bounds(tableau)
    types = shapely.get_type_id(tableau)
    vides = shapely.is_empty(tableau)
    blobs: list[bytes | None] = []
    for wkb, (minx, miny, maxx, maxy), type_id, vide in zip(wkbs, bornes, types, vides, strict=True):
        if wkb is None:
            blobs.append(None)
        elif vide:
            blobs.append(_ENTETE.pack(_MAGIC, 0, _LITTLE_ENDIAN | _VIDE, srs_id) + wkb)
        elif type_id == _TYPE_POINT:
            blobs.append(_ENTETE.pack(_MAGIC, 0, _LITTLE_ENDIAN, srs_id) + wkb)
        else:
            drapeaux = _LITTLE_ENDIAN | _ENVELOPPE_XY
            blobs.append(_ENTETE_ENVELOPPE.pack(_MAGIC, 0, drapeaux, srs_id, minx, maxx, miny, maxy) + wkb)
    return blobs


def _wkb(blob: bytes) -> bytes:
    """The WKB part of one GeoPackage blob (the header is skipped by its envelope size)."""
    if len(blob) < _ENTETE.size or blob[:2] != _MAGIC or blob[2] != 0:
        raise StoreInvalide(
            "Une géométrie du dépôt n'est pas au format binaire GeoPackage (en-tête « GP » attendu)."
        )
    drapeaux = blob[3]
    code = (drapeaux >> 1) & 0b111
    if drapeaux & _ETENDU or code >= len(_TAILLE_ENVELOPPE):
        raise StoreInvalide(
            f"Une géométrie du dépôt a un en-tête GeoPackage non géré (drapeaux {drapeaux:#04x})."
        )
    return blob[_ENTETE.size + _TAILLE_ENVELOPPE[code] :]


def decoder_geometries(blobs: Sequence[bytes | None]) -> NDArray[np.object_]:
    """Decode GeoPackage binary blobs into an array of shapely geometries (``None`` kept)."""
    wkbs = np.array([None if b is None else _wkb(b) for b in blobs], dtype=object)
    resultat: NDArray[np.object_] = shapely.from_wkb(wkbs)
    return resultat


# --------------------------------------------------------------------------------------------
# Actors ↔ rows
# --------------------------------------------------------------------------------------------

#: Every ``Acteur`` field, in the model's order (``version`` included): one column each.
CHAMPS_ACTEUR: tuple[str, ...] = tuple(Acteur.model_fields)
_CHAMPS_JSON = frozenset((*CHAMPS_LISTES, "arrets", "piliers"))
#: JSON columns holding lists of strings (``arrets`` holds objects).
_CHAMPS_LISTES_TEXTE = tuple(c for c in CHAMPS_ACTEUR if c in _CHAMPS_JSON and c != "arrets")
_NOMS_CHAMPS = frozenset(CHAMPS_ACTEUR)
_GESTION = ("cree_le", "modifie_le", "modifie_par", "lot_id")
_COLONNES_LUES = (*CHAMPS_ACTEUR, *_GESTION)
_SELECT_ACTEURS = f"SELECT {', '.join(_COLONNES_LUES)} FROM acteurs"
_I_LON = CHAMPS_ACTEUR.index("longitude")
_I_LAT = CHAMPS_ACTEUR.index("latitude")
_I_ARRETS = CHAMPS_ACTEUR.index("arrets")
_I_ID = CHAMPS_ACTEUR.index("id")
_INSERT_ACTEUR = (
    f"INSERT INTO acteurs (geom, {', '.join(CHAMPS_ACTEUR)}, cree_le, modifie_le, modifie_par, lot_id) "
    f"VALUES ({', '.join('?' * (len(CHAMPS_ACTEUR) + 5))})"
)
_UPDATE_ACTEUR = (
    "UPDATE acteurs SET geom = ?, "
    + ", ".join(f"{c} = ?" for c in CHAMPS_ACTEUR if c != "id")
    + ", modifie_le = ?, modifie_par = ?, lot_id = ? WHERE id = ?"
)
#: Fields left out when deciding whether an imported actor differs from the stored one.
#: Not compared to tell an import's row from the stored one: management fields and where the
#: row came from (the same file re-imported under another name, or by someone else, changes nothing).
_HORS_COMPARAISON = frozenset(("version", "date_import", "provenance_fichier", "provenance_auteur"))
_PAQUET = 500


def _type_colonne(champ: str) -> str:
    if champ == "id":
        return "TEXT NOT NULL UNIQUE"
    if champ == "nom":
        return "TEXT NOT NULL"
    if champ in _CHAMPS_JSON:
        return "TEXT NOT NULL DEFAULT '[]'"
    if champ in ("latitude", "longitude"):
        return "REAL"
    if champ == "date_maj":
        return "DATE"
    if champ == "version":
        return "INTEGER NOT NULL"
    return "TEXT"


def _schema_acteurs() -> tuple[str, ...]:
    colonnes = ",\n        ".join(f"{c} {_type_colonne(c)}" for c in CHAMPS_ACTEUR)
    return (
        f"""CREATE TABLE acteurs (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom POINT,
        {colonnes},
        cree_le DATETIME NOT NULL, modifie_le DATETIME NOT NULL, modifie_par TEXT NOT NULL,
        lot_id INTEGER REFERENCES lots_import(id))""",
        "CREATE INDEX acteurs_lonlat ON acteurs (longitude, latitude)",
        "CREATE INDEX acteurs_code_insee ON acteurs (code_insee)",
        "CREATE INDEX acteurs_lot ON acteurs (lot_id)",
        "CREATE INDEX acteurs_mobiles ON acteurs (id) WHERE arrets <> '[]'",
    )


def _json_texte(valeur: Any) -> str:
    return "[]" if not valeur else json.dumps(valeur, ensure_ascii=False)


def _json_liste(texte: str) -> list[Any]:
    if texte == "[]":
        return []
    valeur = json.loads(texte)
    if not isinstance(valeur, list):
        raise StoreInvalide(f"Une colonne liste du dépôt contient {texte!r} au lieu d'un tableau JSON.")
    return valeur


@dataclass(frozen=True)
class _Ligne:
    """One stored actor: its JSON form (``version`` included) and the store's own columns."""

    valeurs: dict[str, Any]
    cree_le: str
    modifie_le: str
    modifie_par: str
    lot_id: int | None

    @property
    def version(self) -> int:
        return int(self.valeurs["version"])


class _Decodeur:
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

    def ligne(self, ligne: Sequence[Any]) -> _Ligne:
        cree_le, modifie_le, modifie_par, lot_id = ligne[len(CHAMPS_ACTEUR) :]
        return _Ligne(self.valeurs(ligne), cree_le, modifie_le, modifie_par, lot_id)


def _en_dict(acteur: Acteur, version: int) -> dict[str, Any]:
    """The JSON form of an actor as stored and journaled, with the store's ``version``."""
    valeurs = acteur.model_dump(mode="json")
    valeurs["version"] = version
    return valeurs


def _valeurs_sql(valeurs: dict[str, Any]) -> list[Any]:
    return [_json_texte(valeurs[c]) if c in _CHAMPS_JSON else valeurs[c] for c in CHAMPS_ACTEUR]


def _blobs_points(dicts: Sequence[dict[str, Any]]) -> list[bytes | None]:
    lon = np.array([d["longitude"] for d in dicts], dtype=float)
    lat = np.array([d["latitude"] for d in dicts], dtype=float)
    points = shapely.points(lon, lat)
    points[np.isnan(lon) | np.isnan(lat)] = None
    return encoder_geometries(points)


def _decoder_ligne(ligne: Sequence[Any]) -> _Ligne:
    return _Decodeur().ligne(ligne)


def _valider(valeurs: dict[str, Any]) -> Acteur:
    """A stored actor, fully validated (as ``obtenir`` returns it; texts cleaned, not refused:
    see ``models.LECTURE``)."""
    try:
        return Acteur.model_validate(valeurs, context=LECTURE)
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        raise StoreInvalide(
            f"L'acteur « {valeurs.get('id')} » enregistré dans le dépôt n'est pas valide "
            f"(modifié hors de l'application ?) : {exc}"
        ) from exc


_CATEGORIES = {c.value: c for c in Categorie}
_STATUTS = {s.value: s for s in Statut}
_PILIERS = {p.value: p for p in Pilier}


def _construire(valeurs: dict[str, Any]) -> Acteur:
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
        raise StoreInvalide(
            f"L'acteur « {v.get('id')} » enregistré dans le dépôt n'est pas valide "
            f"(modifié hors de l'application ?) : valeur {exc} inattendue."
        ) from exc
    acteur = Acteur.__new__(Acteur)
    object.__setattr__(acteur, "__dict__", v)
    object.__setattr__(acteur, "__pydantic_fields_set__", set(_NOMS_CHAMPS))
    object.__setattr__(acteur, "__pydantic_extra__", None)
    object.__setattr__(acteur, "__pydantic_private__", None)
    return acteur


def _meme_contenu(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a[c] == b[c] for c in CHAMPS_ACTEUR if c not in _HORS_COMPARAISON)


# --------------------------------------------------------------------------------------------
# Territory layers
# --------------------------------------------------------------------------------------------

Genre = Literal["code", "texte", "entier", "codes", "textes"]


@dataclass(frozen=True)
class _Colonne:
    nom: str
    genre: Genre
    #: Value used when the frame has no such column; ``None``: the column is required.
    defaut: int | None = None

    @property
    def sql(self) -> str:
        return "INTEGER" if self.genre == "entier" else "TEXT"


@dataclass(frozen=True)
class _Couche:
    nom: str
    libelle: str
    cle: str
    colonnes: tuple[_Colonne, ...]
    filtres: tuple[str, ...]
    geometrie_requise: bool

    def schema(self) -> tuple[str, ...]:
        cols = ",\n        ".join(
            f"{c.nom} {c.sql}" + (" NOT NULL UNIQUE" if c.nom == self.cle else "") for c in self.colonnes
        )
        index = tuple(
            f"CREATE INDEX {self.nom}_{f} ON {self.nom} ({f})" for f in self.filtres if f != self.cle
        )
        return (
            f"""CREATE TABLE {self.nom} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        geom MULTIPOLYGON, {cols})""",
            *index,
        )


_QPV = _Couche(
    "qpv",
    "Quartiers prioritaires de la politique de la ville",
    "code_qp",
    (
        _Colonne("code_qp", "code"),
        _Colonne("lib_qp", "texte"),
        _Colonne("insee_com", "codes"),
        _Colonne("lib_com", "textes"),
        _Colonne("insee_dep", "code"),
        _Colonne("insee_reg", "code"),
        _Colonne("siren_epci", "code"),
        _Colonne("population", "entier"),
        _Colonne("millesime", "entier", defaut=2024),
    ),
    ("siren_epci", "insee_dep", "insee_reg"),
    geometrie_requise=True,
)
_COMMUNES = _Couche(
    "communes",
    "Communes",
    "code",
    (
        _Colonne("code", "code"),
        _Colonne("nom", "texte"),
        _Colonne("insee_dep", "code"),
        _Colonne("insee_reg", "code"),
        _Colonne("population", "entier"),
        _Colonne("codes_postaux", "codes"),
        _Colonne("siren_epci", "code"),
    ),
    ("siren_epci", "insee_dep", "insee_reg"),
    geometrie_requise=False,
)
_EPCI = _Couche(
    "epci",
    "Établissements publics de coopération intercommunale",
    "siren_epci",
    (
        _Colonne("siren_epci", "code"),
        _Colonne("nom_epci", "texte"),
        _Colonne("type_epci", "texte"),
        _Colonne("population", "entier"),
    ),
    ("siren_epci",),
    geometrie_requise=True,
)
_COUCHES_TERRITOIRE = (_QPV, _COMMUNES, _EPCI)
_POPULATION = _Colonne("population", "entier")
_TABLES_REQUISES = frozenset(
    (
        "gpkg_spatial_ref_sys",
        "gpkg_contents",
        "gpkg_geometry_columns",
        "meta",
        "lots_import",
        "journal",
        "acteurs",
        "fusions",
        "non_doublons",
        "correspondances",
        "scenarios",
        *(c.nom for c in _COUCHES_TERRITOIRE),
    )
)


def _manquant(valeur: Any) -> bool:
    return valeur is None or (
        not isinstance(valeur, str | list | tuple | np.ndarray) and bool(pd.isna(valeur))
    )


def _convertir(valeur: Any, colonne: _Colonne, couche: _Couche, cle: Any) -> Any:
    """One cell of a territory frame, as stored; a French error names the row and column."""
    if isinstance(valeur, list | tuple | np.ndarray) and colonne.genre in ("codes", "textes"):
        elements = [str(v) if colonne.genre == "textes" else _code(v, colonne, couche, cle) for v in valeur]
        return ("," if colonne.genre == "codes" else ", ").join(elements)
    if _manquant(valeur):
        return None
    if colonne.genre in ("code", "codes"):
        return _code(valeur, colonne, couche, cle)
    if colonne.genre == "entier":
        return _entier(valeur, colonne, couche, cle)
    return str(valeur)


def _code(valeur: Any, colonne: _Colonne, couche: _Couche, cle: Any) -> str:
    if not isinstance(valeur, str):
        raise CoucheInvalide(
            f"Couche « {couche.nom} », ligne « {cle} » : la colonne « {colonne.nom} » contient {valeur!r} "
            "qui n'est pas du texte ; les codes sont toujours du texte (« 01053 », « 2A004 ») : "
            "relisez la source en forçant ces colonnes en texte."
        )
    return valeur


def _entier(valeur: Any, colonne: _Colonne, couche: _Couche, cle: Any) -> int:
    if isinstance(valeur, bool | str) or not isinstance(valeur, int | float | np.integer | np.floating):
        raise CoucheInvalide(
            f"Couche « {couche.nom} », ligne « {cle} » : la colonne « {colonne.nom} » attend un entier, "
            f"elle contient {valeur!r}."
        )
    if float(valeur) != int(valeur):
        raise CoucheInvalide(
            f"Couche « {couche.nom} », ligne « {cle} » : « {colonne.nom} » = {valeur} n'est pas un entier."
        )
    return int(valeur)


def _est_wgs84(crs: CRS) -> bool:
    return crs.to_epsg() == SRS_WGS84 or crs.to_string() == "OGC:CRS84"


def _verifier_cadre(gdf: gpd.GeoDataFrame, couche: _Couche) -> None:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise CoucheInvalide(
            f"La couche « {couche.nom} » doit être un GeoDataFrame (reçu : {type(gdf).__name__})."
        )
    if gdf.crs is None:
        raise CoucheInvalide(
            f"La couche « {couche.nom} » n'a pas de système de coordonnées : EPSG:4326 (WGS 84) attendu."
        )
    if not _est_wgs84(gdf.crs):
        raise CoucheInvalide(
            f"La couche « {couche.nom} » est en {gdf.crs.to_string()} ({gdf.crs.name}) : EPSG:4326 "
            "(WGS 84, longitude/latitude) attendu ; reprojetez-la avec to_crs(4326) avant de l'enregistrer."
        )
    if gdf.empty:
        raise CoucheInvalide(
            f"La couche « {couche.nom} » reçue est vide : rien n'a été remplacé (un filtre trop strict ?)."
        )
    manquantes = [c.nom for c in couche.colonnes if c.defaut is None and c.nom not in gdf.columns]
    if manquantes:
        raise CoucheInvalide(
            f"La couche « {couche.nom} » n'a pas la ou les colonnes {', '.join(manquantes)} "
            f"(attendues : {', '.join(c.nom for c in couche.colonnes)})."
        )


def _verifier_cles(cles: list[Any], couche: _Couche) -> None:
    absentes = [i for i, c in enumerate(cles) if _manquant(c)]
    if absentes:
        raise CoucheInvalide(f"Couche « {couche.nom} » : « {couche.cle} » vide à la ligne {absentes[0] + 1}.")
    comptes = pd.Series(cles).value_counts()
    doubles = list(comptes[comptes > 1].index)
    if doubles:
        raise CoucheInvalide(
            f"Couche « {couche.nom} » : « {couche.cle} » en double : {', '.join(map(str, doubles[:5]))}."
        )


def _multipolygones(gdf: gpd.GeoDataFrame, couche: _Couche, cles: list[Any]) -> list[Any]:
    """Geometries as MultiPolygons (Polygons promoted; empty ones become ``None``)."""
    geometries: list[Any] = []
    for geom, cle in zip(gdf.geometry.to_numpy(), cles, strict=True):
        if geom is None or geom.is_empty:
            if couche.geometrie_requise:
                raise CoucheInvalide(f"Couche « {couche.nom} », ligne « {cle} » : géométrie absente ou vide.")
            geometries.append(None)
        elif geom.geom_type == "Polygon":
            geometries.append(MultiPolygon([geom]))
        elif geom.geom_type == "MultiPolygon":
            geometries.append(geom)
        else:
            raise CoucheInvalide(
                f"Couche « {couche.nom} », ligne « {cle} » : géométrie {geom.geom_type} ; "
                "Polygon ou MultiPolygon attendu."
            )
    return geometries


def _lignes_couche(gdf: gpd.GeoDataFrame, couche: _Couche) -> tuple[list[tuple[Any, ...]], tuple[float, ...]]:
    """Rows to insert (geometry blob first) and the layer's extent, after every check."""
    _verifier_cadre(gdf, couche)
    cles = list(gdf[couche.cle])
    _verifier_cles(cles, couche)
    geometries = _multipolygones(gdf, couche, cles)
    colonnes: list[list[Any]] = []
    for col in couche.colonnes:
        if col.nom in gdf.columns:
            colonnes.append([_convertir(v, col, couche, k) for v, k in zip(gdf[col.nom], cles, strict=True)])
        else:
            colonnes.append([col.defaut] * len(cles))
    blobs = encoder_geometries(np.array(geometries, dtype=object))
    lignes = [(blob, *vals) for blob, *vals in zip(blobs, *colonnes, strict=True)]
    presentes = [g for g in geometries if g is not None]
    etendue = tuple(float(x) for x in shapely.total_bounds(presentes)) if presentes else ()
    return lignes, etendue


#: Columns holding comma-joined code lists (a QPV may straddle several EPCI): filtered by membership.
_COLONNES_LISTES = {"siren_epci"}


def _condition_codes(colonne: str, codes: Codes, liste_de_codes: bool = False) -> tuple[str, list[str]]:
    if codes is None:
        return "", []
    liste = [codes] if isinstance(codes, str) else list(codes)
    if not liste:
        return "0", []
    if liste_de_codes:
        membre = f"(',' || replace({colonne}, ' ', '') || ',') LIKE '%,' || ? || ',%'"
        return "(" + " OR ".join([membre] * len(liste)) + ")", liste
    return f"{colonne} IN ({', '.join('?' * len(liste))})", liste


def _where(conditions: Iterable[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    textes: list[str] = []
    params: list[Any] = []
    for texte, valeurs in conditions:
        if texte:
            textes.append(texte)
            params.extend(valeurs)
    return (" WHERE " + " AND ".join(textes) if textes else ""), params


def _cadre_couche(couche: _Couche, lignes: list[tuple[Any, ...]]) -> gpd.GeoDataFrame:
    donnees: dict[str, Any] = {}
    for i, col in enumerate(couche.colonnes, start=1):
        valeurs = [ligne[i] for ligne in lignes]
        donnees[col.nom] = (
            pd.array(valeurs, dtype="Int64") if col.genre == "entier" else pd.Series(valeurs, dtype=object)
        )
    geometrie = gpd.GeoSeries(decoder_geometries([ligne[0] for ligne in lignes]), crs=SRS_WGS84)
    return gpd.GeoDataFrame(pd.DataFrame(donnees), geometry=geometrie, crs=SRS_WGS84)


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _maintenant() -> str:
    """Now, UTC, in the GeoPackage DATETIME form ``YYYY-MM-DDTHH:MM:SS.SSSZ``."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _date(texte: str | None) -> dt.datetime | None:
    return None if texte is None else dt.datetime.fromisoformat(texte)


def _lisible(horodatage: str) -> str:
    moment = dt.datetime.fromisoformat(horodatage)
    return moment.strftime("%d/%m/%Y à %H:%M:%S UTC")


def _auteur(auteur: str) -> str:
    if not isinstance(auteur, str) or not auteur.strip():
        raise EcosystemeError("Chaque écriture doit indiquer son auteur (pour le journal) : auteur vide.")
    return auteur.strip()


def _est_verrou(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def _json_ou_none(valeur: dict[str, Any] | None) -> str | None:
    return None if valeur is None else json.dumps(valeur, ensure_ascii=False)


def _charger_json(texte: str | None) -> dict[str, Any] | None:
    if texte is None:
        return None
    valeur: dict[str, Any] = json.loads(texte)
    return valeur


def _enumeration(classe: type[Categorie] | type[Statut], valeur: str, quoi: str) -> str:
    try:
        return classe(valeur).value
    except ValueError:
        permis = ", ".join(f"« {v.value} »" for v in classe)
        raise EcosystemeError(f"{quoi} « {valeur} » inconnu(e) ; valeurs possibles : {permis}.") from None


def _service(valeur: str) -> str:
    permis = standard.enumerations()["services"]
    if valeur not in permis:
        liste = ", ".join(f"« {v} »" for v in permis)
        raise EcosystemeError(f"Service « {valeur} » inconnu du standard ; services possibles : {liste}.")
    return valeur


def _boite(bbox: BBox) -> Any:
    minx, miny, maxx, maxy = (float(x) for x in bbox)
    if not (minx <= maxx and miny <= maxy):
        raise EcosystemeError(
            f"Emprise {bbox} invalide : (longitude min, latitude min, longitude max, latitude max) attendu."
        )
    return shapely.box(minx, miny, maxx, maxy)


def _dans_zones(lignes: list[Any], zones: list[Any]) -> list[Any]:
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
def _sans_ramasse_miettes() -> Iterator[None]:
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


def _cadre_acteurs(lignes: list[Any]) -> gpd.GeoDataFrame:
    donnees: dict[str, list[Any]] = {c: [ligne[i] for ligne in lignes] for i, c in enumerate(_COLONNES_LUES)}
    decodeur = _Decodeur()
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


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------


class DepotGeoPackage:
    """The :class:`~ecosysteme.depot.interface.Depot` in one GeoPackage file (see module docstring).

    One object holds one SQLite connection; it may be shared between threads (calls are
    serialised by a lock) and any number of processes may open the same file. Use it as a
    context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        chemin: str | os.PathLike[str],
        *,
        creer: bool = False,
        journal: Journal = "wal",
        delai: float = 10.0,
    ) -> None:
        """Open (``creer=True``: create if absent or empty) and check the store at ``chemin``.

        ``delai`` is how long, in seconds, a write waits for another writer before giving up
        with :class:`DepotOccupe`. ``journal="delete"`` for a store on a network filesystem.
        """
        if journal not in ("wal", "delete"):
            raise EcosystemeError(f"Mode de journal « {journal} » inconnu : « wal » ou « delete ».")
        self.chemin = Path(chemin)
        self._delai = float(delai)
        self._verrou = threading.RLock()
        self._cx: sqlite3.Connection | None = None
        self._cx = self._connecter(creer)
        ouvert = False
        try:
            if creer:
                self._creer_si_vide()
            self._verifier()
            self._regler_journal(journal)
            ouvert = True
        except sqlite3.DatabaseError as exc:
            raise StoreInvalide(
                f"« {self.chemin} » n'est pas un dépôt ecosysteme lisible "
                f"(fichier endommagé ou d'un autre type) : {exc}."
            ) from exc
        finally:
            if not ouvert:
                self.close()

    # --- connection ---------------------------------------------------------------------------

    def _connecter(self, creer: bool) -> sqlite3.Connection:
        if self.chemin.is_dir():
            raise StoreInvalide(f"« {self.chemin} » est un dossier, pas un dépôt.")
        vide = not self.chemin.exists() or self.chemin.stat().st_size == 0
        if vide and not creer:
            raise StoreInvalide(
                f"Le dépôt « {self.chemin} » n'existe pas (ou est vide) : "
                "créez-le avec ouvrir_depot(chemin, creer=True)."
            )
        if creer:
            self.chemin.parent.mkdir(parents=True, exist_ok=True)
        uri = self.chemin.resolve().as_uri() + ("?mode=rwc" if creer else "?mode=rw")
        try:
            cx = sqlite3.connect(
                uri, uri=True, timeout=self._delai, isolation_level=None, check_same_thread=False
            )
        except sqlite3.OperationalError as exc:
            raise StoreInvalide(f"Impossible d'ouvrir le dépôt « {self.chemin} » : {exc}.") from exc
        cx.execute(f"PRAGMA busy_timeout = {int(self._delai * 1000)}")
        cx.execute("PRAGMA foreign_keys = ON")
        return cx

    def _connexion(self) -> sqlite3.Connection:
        if self._cx is None:
            raise EcosystemeError(f"Le dépôt « {self.chemin} » a été fermé : rouvrez-le.")
        return self._cx

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._verrou:
            if self._cx is not None:
                self._cx.close()
                self._cx = None

    def __enter__(self) -> DepotGeoPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DepotGeoPackage({str(self.chemin)!r})"

    # --- transactions ---------------------------------------------------------------------

    @contextmanager
    def _ecriture(self, *, donnees: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

        ``donnees=False`` (the schema's creation) skips the :meth:`_avant_validation` hook.
        """
        with self._verrou:
            cx = self._connexion()
            self._commencer(cx, "BEGIN IMMEDIATE")
            valide = False
            try:
                yield cx
                if donnees:
                    self._avant_validation()
                cx.execute("COMMIT")
                valide = True
            except sqlite3.OperationalError as exc:
                if _est_verrou(exc):
                    raise self._occupe() from exc
                raise
            finally:
                if not valide and cx.in_transaction:
                    cx.execute("ROLLBACK")

    @contextmanager
    def _lecture(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every statement inside sees the same snapshot."""
        with self._verrou:
            cx = self._connexion()
            self._commencer(cx, "BEGIN")
            try:
                yield cx
            finally:
                if cx.in_transaction:
                    cx.execute("ROLLBACK")

    def _commencer(self, cx: sqlite3.Connection, instruction: str) -> None:
        try:
            cx.execute(instruction)
        except sqlite3.OperationalError as exc:
            if _est_verrou(exc):
                raise self._occupe() from exc
            raise

    def _occupe(self) -> DepotOccupe:
        return DepotOccupe(
            f"Le dépôt « {self.chemin} » est occupé par une autre écriture depuis plus de "
            f"{self._delai:g} s : rien n'a été enregistré, réessayez dans un instant."
        )

    def _avant_validation(self) -> None:
        """Called inside every data write transaction right before ``COMMIT`` (a hook for tests:
        a subclass may signal, then wait to be killed). Not called when the schema is created."""

    # --- creation and checks ---------------------------------------------------------------

    def _creer_si_vide(self) -> None:
        """Create the schema in one transaction unless someone already did (race-safe).

        An existing file is only read here; an empty one is filled under the write lock, after
        checking again that no other process filled it in the meantime.
        """
        if self._connexion().execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            return
        with self._ecriture(donnees=False) as cx:
            if cx.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                return
            cx.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            cx.execute(f"PRAGMA user_version = {USER_VERSION}")
            for instruction in (
                *_SCHEMA_GPKG,
                *_SCHEMA_ATTRIBUTS,
                *_schema_acteurs(),
                *_SCHEMA_V2,
                *_SCHEMA_V3,
            ):
                cx.execute(instruction)
            for couche in _COUCHES_TERRITOIRE:
                for instruction in couche.schema():
                    cx.execute(instruction)
            self._remplir_metadonnees(cx)

    def _remplir_metadonnees(self, cx: sqlite3.Connection) -> None:
        maintenant = _maintenant()
        cx.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", _SRS)
        contenus = [
            *((c.nom, "features", c.libelle, SRS_WGS84) for c in _COUCHES_TERRITOIRE),
            ("acteurs", "features", "Acteurs de l'inclusion numérique", SRS_WGS84),
            ("lots_import", "attributes", "Lots d'import", None),
            ("journal", "attributes", "Journal des modifications", None),
            ("meta", "attributes", "Métadonnées du dépôt ecosysteme", None),
            *_CONTENUS_V2,
            *_CONTENUS_V3,
        ]
        cx.executemany(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(nom, genre, nom, libelle, maintenant, srs) for nom, genre, libelle, srs in contenus],
        )
        geometries = [(c.nom, "MULTIPOLYGON") for c in _COUCHES_TERRITOIRE] + [("acteurs", "POINT")]
        cx.executemany(
            "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
            [(nom, type_geom, SRS_WGS84) for nom, type_geom in geometries],
        )
        cx.executemany(
            "INSERT INTO meta (cle, valeur) VALUES (?, ?)",
            [("application", "ecosysteme"), ("version_schema", str(VERSION_SCHEMA)), ("cree_le", maintenant)],
        )

    def _verifier(self) -> None:
        """Refuse anything that is not an intact ecosysteme store of our schema version."""
        cx = self._connexion()
        application = cx.execute("PRAGMA application_id").fetchone()[0]
        if application != APPLICATION_ID:
            raise StoreInvalide(
                f"« {self.chemin} » n'est pas un GeoPackage (application_id {application:#x}) : "
                "ce n'est pas un dépôt ecosysteme."
            )
        controle = [r[0] for r in cx.execute("PRAGMA quick_check").fetchall()]
        if controle != ["ok"]:
            raise StoreInvalide(f"Le dépôt « {self.chemin} » est endommagé : {'; '.join(controle[:3])}.")
        tables = {r[0] for r in cx.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            raise StoreInvalide(
                f"« {self.chemin} » est un GeoPackage mais pas un dépôt ecosysteme "
                "(table « meta » absente) : "
                "importez ses couches dans un dépôt plutôt que de l'ouvrir comme dépôt."
            )
        self._verifier_version_schema(cx)  # may migrate an older store: tables read again
        tables = {r[0] for r in cx.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        manquantes = sorted(_TABLES_REQUISES - tables)
        if manquantes:
            raise StoreInvalide(
                f"Le dépôt « {self.chemin} » est incomplet : table(s) {', '.join(manquantes)} absente(s)."
            )

    def _verifier_version_schema(self, cx: sqlite3.Connection) -> None:
        ligne = cx.execute("SELECT valeur FROM meta WHERE cle = 'version_schema'").fetchone()
        version = ligne[0] if ligne else None
        if version is None or not str(version).isdigit():
            raise StoreInvalide(
                f"Le dépôt « {self.chemin} » n'indique pas sa version de schéma (table meta)."
            )
        if int(version) > VERSION_SCHEMA:
            raise StoreInvalide(
                f"Le dépôt « {self.chemin} » a été créé par une version plus récente d'ecosysteme "
                f"(schéma {version}, celui-ci lit le {VERSION_SCHEMA}) : mettez l'application à jour."
            )
        if int(version) < VERSION_SCHEMA:
            self._migrer()

    def _migrer(self) -> None:
        """Bring an older store to :data:`VERSION_SCHEMA` in ONE transaction (all steps or none;
        safe when several processes open the same old store at once: the version is read again
        under the write lock)."""
        with self._ecriture(donnees=False) as cx:
            ligne = cx.execute("SELECT valeur FROM meta WHERE cle = 'version_schema'").fetchone()
            version = int(ligne[0])
            for cible, schema, contenus in ((2, _SCHEMA_V2, _CONTENUS_V2), (3, _SCHEMA_V3, _CONTENUS_V3)):
                if version >= cible:
                    continue
                for instruction in schema:
                    cx.execute(instruction)
                cx.executemany(
                    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                    "last_change, srs_id) VALUES (?, ?, ?, ?, ?, ?)",
                    [(nom, genre, nom, libelle, _maintenant(), srs) for nom, genre, libelle, srs in contenus],
                )
            cx.execute("UPDATE meta SET valeur = ? WHERE cle = 'version_schema'", (str(VERSION_SCHEMA),))
            log.info("dépôt %s migré du schéma %s au %s", self.chemin, version, VERSION_SCHEMA)

    def _regler_journal(self, journal: Journal) -> None:
        """Switch the journal mode if needed (retried: it needs a moment alone with the file)."""
        cx = self._connexion()
        limite = time.monotonic() + self._delai
        while True:
            try:
                mode = cx.execute(f"PRAGMA journal_mode = {journal}").fetchone()[0]
            except sqlite3.OperationalError as exc:
                if not _est_verrou(exc) or time.monotonic() > limite:
                    raise
                mode = None
            if mode == journal:
                break
            if time.monotonic() > limite:
                raise self._occupe()
            time.sleep(0.05)
        cx.execute("PRAGMA synchronous = NORMAL" if journal == "wal" else "PRAGMA synchronous = FULL")

    # --- shared write helpers --------------------------------------------------------------

    def _ecrire_journal(
        self,
        cx: sqlite3.Connection,
        entrees: Iterable[
            tuple[str, str, Action, str | None, int | None, dict[str, Any] | None, dict[str, Any] | None]
        ],
    ) -> None:
        """Append audit entries (horodatage, auteur, action, acteur_id, lot_id, avant, apres)."""
        cx.executemany(
            "INSERT INTO journal (horodatage, auteur, action, acteur_id, lot_id, avant, apres) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (quand, qui, action.value, acteur_id, lot_id, _json_ou_none(avant), _json_ou_none(apres))
                for quand, qui, action, acteur_id, lot_id, avant, apres in entrees
            ),
        )

    @staticmethod
    def _toucher(cx: sqlite3.Connection, table: str, maintenant: str) -> None:
        cx.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (maintenant, table))

    @staticmethod
    def _inserer(
        cx: sqlite3.Connection,
        dicts: Sequence[dict[str, Any]],
        maintenant: str,
        auteur: str,
        lot_id: int | None,
    ) -> None:
        blobs = _blobs_points(dicts) if dicts else []
        cx.executemany(
            _INSERT_ACTEUR,
            (
                [blob, *_valeurs_sql(d), maintenant, maintenant, auteur, lot_id]
                for blob, d in zip(blobs, dicts, strict=True)
            ),
        )

    @staticmethod
    def _mettre_a_jour(
        cx: sqlite3.Connection,
        dicts: Sequence[dict[str, Any]],
        maintenant: str,
        auteur: str,
        lot_id: int | None,
    ) -> None:
        blobs = _blobs_points(dicts) if dicts else []
        cx.executemany(
            _UPDATE_ACTEUR,
            (
                [blob, *_valeurs_sql(d)[1:], maintenant, auteur, lot_id, d["id"]]
                for blob, d in zip(blobs, dicts, strict=True)
            ),
        )

    @staticmethod
    def _lire(cx: sqlite3.Connection, acteur_id: str) -> _Ligne | None:
        ligne = cx.execute(f"{_SELECT_ACTEURS} WHERE id = ?", (acteur_id,)).fetchone()
        return None if ligne is None else _decoder_ligne(ligne)

    def _exiger(self, cx: sqlite3.Connection, acteur_id: str) -> _Ligne:
        ligne = self._lire(cx, acteur_id)
        if ligne is None:
            raise IntrouvableError(f"Aucun acteur d'identifiant « {acteur_id} » dans le dépôt.")
        return ligne

    @staticmethod
    def _lire_plusieurs(cx: sqlite3.Connection, ids: Sequence[str]) -> dict[str, _Ligne]:
        lignes: dict[str, _Ligne] = {}
        for debut in range(0, len(ids), _PAQUET):
            paquet = ids[debut : debut + _PAQUET]
            requete = f"{_SELECT_ACTEURS} WHERE id IN ({', '.join('?' * len(paquet))})"
            for brute in cx.execute(requete, paquet):
                ligne = _decoder_ligne(brute)
                lignes[ligne.valeurs["id"]] = ligne
        return lignes

    @staticmethod
    def _verifier_version(actuel: _Ligne, version_lue: int, propose: dict[str, Any]) -> None:
        if actuel.version == version_lue:
            return
        nom, ident = actuel.valeurs["nom"], actuel.valeurs["id"]
        raise ConflitDeVersion(
            f"L'acteur « {nom} » ({ident}) a été modifié par {actuel.modifie_par} le "
            f"{_lisible(actuel.modifie_le)} pendant que vous l'éditiez : la version enregistrée est la "
            f"{actuel.version}, vous aviez lu la {version_lue}. Vos changements n'ont pas été enregistrés ; "
            "comparez les deux versions puis réessayez.",
            actuel=dict(actuel.valeurs),
            propose=propose,
        )

    # --- territories -----------------------------------------------------------------------

    def remplacer_qpv(self, gdf: gpd.GeoDataFrame, auteur: str, source: str | None = None) -> int:
        """Replace every QPV by those of ``gdf`` in one transaction; returns the rows written.

        ``gdf``: EPSG:4326, columns ``code_qp`` (unique), ``lib_qp``, ``insee_com`` (comma-joined
        text or a list), ``lib_com``, ``insee_dep``, ``insee_reg``, ``siren_epci`` (codes as text),
        ``population`` (integer or missing), optional ``millesime`` (2024), Polygon/MultiPolygon
        geometries. Other columns are ignored.
        """
        return self._remplacer(_QPV, gdf, auteur, source)

    def remplacer_communes(self, gdf: gpd.GeoDataFrame, auteur: str, source: str | None = None) -> int:
        """Replace every commune (``code``, ``nom``, ``insee_dep``, ``insee_reg``, ``population``,
        ``codes_postaux``, ``siren_epci``; geometry may be missing) in one transaction."""
        return self._remplacer(_COMMUNES, gdf, auteur, source)

    def remplacer_epci(self, gdf: gpd.GeoDataFrame, auteur: str, source: str | None = None) -> int:
        """Replace every EPCI (``siren_epci``, ``nom_epci``, ``type_epci``, ``population``;
        polygons required: the EPCI filter of :meth:`lister` uses them) in one transaction."""
        return self._remplacer(_EPCI, gdf, auteur, source)

    def _remplacer(self, couche: _Couche, gdf: gpd.GeoDataFrame, auteur: str, source: str | None) -> int:
        auteur = _auteur(auteur)
        lignes, etendue = _lignes_couche(gdf, couche)
        colonnes = ", ".join(("geom", *(c.nom for c in couche.colonnes)))
        marques = ", ".join("?" * (len(couche.colonnes) + 1))
        with self._ecriture() as cx:
            maintenant = _maintenant()
            cx.execute(f"DELETE FROM {couche.nom}")
            cx.executemany(f"INSERT INTO {couche.nom} ({colonnes}) VALUES ({marques})", lignes)
            bornes = etendue or (None, None, None, None)
            cx.execute(
                "UPDATE gpkg_contents SET last_change = ?, min_x = ?, min_y = ?, max_x = ?, max_y = ? "
                "WHERE table_name = ?",
                (maintenant, *bornes, couche.nom),
            )
            self._noter(cx, f"{couche.nom}_remplace", maintenant, auteur, len(lignes), source)
        return len(lignes)

    @staticmethod
    def _noter(
        cx: sqlite3.Connection,
        quoi: str,
        maintenant: str,
        auteur: str,
        lignes: int,
        source: str | None = None,
    ) -> None:
        """Record in ``meta`` when, by whom, from which source and how many rows a territory
        layer was last written."""
        cx.executemany(
            "INSERT INTO meta (cle, valeur) VALUES (?, ?) "
            "ON CONFLICT (cle) DO UPDATE SET valeur = excluded.valeur",
            [
                (f"{quoi}_le", maintenant),
                (f"{quoi}_par", auteur),
                (f"{quoi}_lignes", str(lignes)),
                (f"{quoi}_source", source or ""),
            ],
        )

    def etat_territoire(self) -> dict[str, dict[str, str]]:
        """When, by whom, from which source (``fichier sha256``) and how many rows each territory
        layer (``qpv``, ``communes``, ``epci``, ``qpv_populations``) was last written."""
        with self._lecture() as cx:
            rows = cx.execute("SELECT cle, valeur FROM meta").fetchall()
        out: dict[str, dict[str, str]] = {}
        for cle, valeur in rows:
            m = re.fullmatch(
                r"(qpv_remplace|communes_remplace|epci_remplace|qpv_populations)_(le|par|lignes|source)", cle
            )
            if m:
                out.setdefault(m.group(1).removesuffix("_remplace"), {})[m.group(2)] = valeur
        return out

    def definir_populations(
        self, populations: Mapping[str, int | None], auteur: str, source: str | None = None
    ) -> list[str]:
        """Set ``population`` of the stored QPV by ``code_qp`` (INSEE figures) in one transaction.

        Returns the codes absent from the ``qpv`` layer, sorted; they are left aside.
        """
        auteur = _auteur(auteur)
        valeurs = [
            (None if v is None else _entier(v, _POPULATION, _QPV, code), code)
            for code, v in populations.items()
        ]
        with self._ecriture() as cx:
            connus = {r[0] for r in cx.execute("SELECT code_qp FROM qpv")}
            cx.executemany(
                "UPDATE qpv SET population = ? WHERE code_qp = ?", [v for v in valeurs if v[1] in connus]
            )
            maintenant = _maintenant()
            self._toucher(cx, "qpv", maintenant)
            self._noter(cx, "qpv_populations", maintenant, auteur, len(connus & set(populations)), source)
        return sorted(set(populations) - connus)

    def qpv(
        self, siren_epci: Codes = None, insee_dep: Codes = None, insee_reg: Codes = None
    ) -> gpd.GeoDataFrame:
        """QPV (MultiPolygon, EPSG:4326, codes as text, ``population`` Int64), by ``code_qp``.

        ``insee_com`` stays comma-joined text, as in the official file. Each filter takes one
        code or a sequence of codes (any of them).
        """
        return self._lire_couche(
            _QPV, {"siren_epci": siren_epci, "insee_dep": insee_dep, "insee_reg": insee_reg}
        )

    def communes(
        self, siren_epci: Codes = None, insee_dep: Codes = None, insee_reg: Codes = None
    ) -> gpd.GeoDataFrame:
        """Communes (MultiPolygon or ``None``, EPSG:4326), by ``code``."""
        return self._lire_couche(
            _COMMUNES, {"siren_epci": siren_epci, "insee_dep": insee_dep, "insee_reg": insee_reg}
        )

    def epci(self, siren_epci: Codes = None) -> gpd.GeoDataFrame:
        """EPCI (MultiPolygon, EPSG:4326), by ``siren_epci``."""
        return self._lire_couche(_EPCI, {"siren_epci": siren_epci})

    def _lire_couche(self, couche: _Couche, filtres: dict[str, Codes]) -> gpd.GeoDataFrame:
        where, params = _where(
            _condition_codes(col, codes, couche is _QPV and col in _COLONNES_LISTES)
            for col, codes in filtres.items()
        )
        colonnes = ", ".join(("geom", *(c.nom for c in couche.colonnes)))
        with self._lecture() as cx:
            lignes = cx.execute(
                f"SELECT {colonnes} FROM {couche.nom}{where} ORDER BY {couche.cle}", params
            ).fetchall()
        return _cadre_couche(couche, lignes)

    # --- actors: single writes -------------------------------------------------------------

    def ajouter(self, acteur: Acteur, auteur: str) -> Acteur:
        """Store a new actor with version 1 (its own ``version`` is ignored).

        Raises :class:`ActeurExisteDeja` if the identifier is already stored.
        """
        auteur = _auteur(auteur)
        _exiger_acteur(acteur, "ajouter")
        apres = _en_dict(acteur, version=1)
        with self._ecriture() as cx:
            existant = self._lire(cx, acteur.id)
            if existant is not None:
                raise ActeurExisteDeja(
                    f"Un acteur d'identifiant « {acteur.id} » existe déjà (« {existant.valeurs['nom']} ») : "
                    "modifiez-le plutôt que de l'ajouter."
                )
            maintenant = _maintenant()
            self._inserer(cx, [apres], maintenant, auteur, None)
            self._ecrire_journal(cx, [(maintenant, auteur, Action.AJOUT, acteur.id, None, None, apres)])
            self._toucher(cx, "acteurs", maintenant)
        return _valider(apres)

    def obtenir(self, acteur_id: str) -> Acteur:
        """The stored actor, fully validated; :class:`IntrouvableError` if absent."""
        with self._lecture() as cx:
            ligne = self._exiger(cx, acteur_id)
        return _valider(ligne.valeurs)

    def modifier(self, acteur: Acteur, auteur: str) -> Acteur:
        """Save ``acteur``; ``acteur.version`` must be the version its editor read.

        If someone saved in between, raises :class:`ConflitDeVersion` (``actuel``: the stored
        state, ``propose``: this one) and changes nothing; else stores version + 1.
        """
        auteur = _auteur(auteur)
        _exiger_acteur(acteur, "modifier")
        propose = acteur.model_dump(mode="json")
        with self._ecriture() as cx:
            actuel = self._exiger(cx, acteur.id)
            self._verifier_version(actuel, acteur.version, propose)
            apres = _en_dict(acteur, actuel.version + 1)
            maintenant = _maintenant()
            self._mettre_a_jour(cx, [apres], maintenant, auteur, None)
            self._ecrire_journal(
                cx, [(maintenant, auteur, Action.MODIFICATION, acteur.id, None, actuel.valeurs, apres)]
            )
            self._toucher(cx, "acteurs", maintenant)
        return _valider(apres)

    def fermer(self, acteur_id: str, version: int, auteur: str) -> Acteur:
        """Mark the actor « fermé » (it stays in the store and on maps of closed places).

        Already closed: nothing is written and the stored actor is returned.
        """
        return self._changer_statut(acteur_id, version, auteur, Statut.FERME, Action.FERMETURE)

    def rouvrir(self, acteur_id: str, version: int, auteur: str) -> Acteur:
        """Mark the actor « actif » again (already active: nothing is written)."""
        return self._changer_statut(acteur_id, version, auteur, Statut.ACTIF, Action.REOUVERTURE)

    def _changer_statut(
        self, acteur_id: str, version: int, auteur: str, statut: Statut, action: Action
    ) -> Acteur:
        auteur = _auteur(auteur)
        with self._ecriture() as cx:
            actuel = self._exiger(cx, acteur_id)
            propose = {**actuel.valeurs, "statut": statut.value, "version": version}
            self._verifier_version(actuel, version, propose)
            if actuel.valeurs["statut"] == statut.value:
                return _valider(actuel.valeurs)
            apres = {**actuel.valeurs, "statut": statut.value, "version": actuel.version + 1}
            maintenant = _maintenant()
            self._mettre_a_jour(cx, [apres], maintenant, auteur, None)
            self._ecrire_journal(cx, [(maintenant, auteur, action, acteur_id, None, actuel.valeurs, apres)])
            self._toucher(cx, "acteurs", maintenant)
        return _valider(apres)

    def fermer_plusieurs(self, acteurs: Mapping[str, int], auteur: str) -> int:
        """Close several actors (identifier → version read) in ONE transaction: all or none (a
        stale version raises :class:`ConflitDeVersion`, nothing changed). Returns how many were
        closed (those already closed are left as they are)."""
        auteur = _auteur(auteur)
        with self._ecriture() as cx:
            maintenant = _maintenant()
            changes: list[tuple[dict[str, Any], dict[str, Any]]] = []
            for ident, version in acteurs.items():
                actuel = self._exiger(cx, ident)
                self._verifier_version(actuel, version, {**actuel.valeurs, "statut": Statut.FERME.value})
                if actuel.valeurs["statut"] != Statut.FERME.value:
                    apres = {**actuel.valeurs, "statut": Statut.FERME.value, "version": actuel.version + 1}
                    changes.append((actuel.valeurs, apres))
            self._mettre_a_jour(cx, [apres for _, apres in changes], maintenant, auteur, None)
            self._ecrire_journal(
                cx,
                [
                    (maintenant, auteur, Action.FERMETURE, apres["id"], None, avant, apres)
                    for avant, apres in changes
                ],
            )
            if changes:
                self._toucher(cx, "acteurs", maintenant)
        return len(changes)

    def supprimer(self, acteur_id: str, version: int, auteur: str) -> None:
        """Remove the actor; its journal stays (and :meth:`annuler_derniere_modification` restores it)."""
        auteur = _auteur(auteur)
        with self._ecriture() as cx:
            actuel = self._exiger(cx, acteur_id)
            self._verifier_version(actuel, version, {"id": acteur_id, "version": version, "supprime": True})
            maintenant = _maintenant()
            cx.execute("DELETE FROM acteurs WHERE id = ?", (acteur_id,))
            self._ecrire_journal(
                cx, [(maintenant, auteur, Action.SUPPRESSION, acteur_id, None, actuel.valeurs, None)]
            )
            self._toucher(cx, "acteurs", maintenant)

    # --- actors: reading -------------------------------------------------------------------

    def lister(
        self,
        siren_epci: Codes = None,
        bbox: BBox | None = None,
        categorie: Categorie | str | None = None,
        service: str | None = None,
        statut: Statut | str | None = None,
        code_insee: str | None = None,
        inclure_fermes: bool = True,
    ) -> list[Acteur]:
        """Actors matching every filter given, ordered by ``id``.

        ``siren_epci`` (one SIREN or several): actors whose point, or one of whose stops, is
        covered by the EPCI's polygon in the ``epci`` layer (edges included) — by geometry,
        never by commune code; an actor with neither coordinates nor stops is in no EPCI.
        ``bbox``: (lon min, lat min, lon max, lat max), the same rule. ``service``: one of the
        standard's services. Stored rows are rebuilt without re-running validators (they ran
        when written): see :func:`_construire`.
        """
        decodeur = _Decodeur()
        with _sans_ramasse_miettes():
            lignes = self._selectionner(
                siren_epci, bbox, categorie, service, statut, code_insee, inclure_fermes
            )
            return [_construire(decodeur.valeurs(ligne)) for ligne in lignes]

    def acteurs_gdf(
        self,
        siren_epci: Codes = None,
        bbox: BBox | None = None,
        categorie: Categorie | str | None = None,
        service: str | None = None,
        statut: Statut | str | None = None,
        code_insee: str | None = None,
        inclure_fermes: bool = True,
    ) -> gpd.GeoDataFrame:
        """The actors of :meth:`lister` as a GeoDataFrame (Point or ``None``, EPSG:4326).

        One column per ``Acteur`` field (lists as Python lists, ``arrets`` as lists of dicts,
        ``date_maj`` as ``datetime.date``) plus ``cree_le``, ``modifie_le``, ``modifie_par``,
        ``lot_id``.
        """
        with _sans_ramasse_miettes():
            lignes = self._selectionner(
                siren_epci, bbox, categorie, service, statut, code_insee, inclure_fermes
            )
            return _cadre_acteurs(lignes)

    def compter(self, *, inclure_fermes: bool = True) -> int:
        """Number of stored actors (closed ones included unless ``inclure_fermes=False``)."""
        where = "" if inclure_fermes else " WHERE statut <> ?"
        params = () if inclure_fermes else (Statut.FERME.value,)
        with self._lecture() as cx:
            nombre: int = cx.execute(f"SELECT count(*) FROM acteurs{where}", params).fetchone()[0]
        return nombre

    def _selectionner(
        self,
        siren_epci: Codes,
        bbox: BBox | None,
        categorie: Categorie | str | None,
        service: str | None,
        statut: Statut | str | None,
        code_insee: str | None,
        inclure_fermes: bool,
    ) -> list[Any]:
        """Raw rows (``_SELECT_ACTEURS`` order) matching the filters, sorted by ``id``."""
        conditions = _conditions_acteurs(categorie, service, statut, code_insee, inclure_fermes)
        zones = [] if bbox is None else [_boite(bbox)]
        with self._lecture() as cx:
            if siren_epci is not None:
                zones.append(self._zone_epci(cx, siren_epci))
            if not zones:
                where, params = _where(conditions)
                lignes: list[Any] = cx.execute(f"{_SELECT_ACTEURS}{where} ORDER BY id", params).fetchall()
                return lignes
            if any(zone.is_empty for zone in zones):
                return []
            return _dans_zones(self._candidats(cx, conditions, zones), zones)

    @staticmethod
    def _candidats(
        cx: sqlite3.Connection, conditions: list[tuple[str, list[Any]]], zones: list[Any]
    ) -> list[Any]:
        """Rows whose own point lies in the zones' common bounding box (indexed lon/lat search),
        plus every mobile actor (few; partial index), sorted by ``id``: the exact test follows."""
        where, params = _where([*conditions, _prefiltre(zones)])
        dans_boite = cx.execute(f"{_SELECT_ACTEURS}{where}", params).fetchall()
        where, params = _where([*conditions, ("arrets <> '[]'", [])])
        mobiles = cx.execute(f"{_SELECT_ACTEURS}{where}", params).fetchall()
        uniques = {ligne[_I_ID]: ligne for ligne in (*dans_boite, *mobiles)}
        return [uniques[cle] for cle in sorted(uniques)]

    @staticmethod
    def _zone_epci(cx: sqlite3.Connection, siren_epci: Codes) -> Any:
        condition, params = _condition_codes("siren_epci", siren_epci)
        lignes = cx.execute(f"SELECT siren_epci, geom FROM epci WHERE {condition or '1'}", params).fetchall()
        demandes = [siren_epci] if isinstance(siren_epci, str) else list(siren_epci or [])
        absents = sorted(set(demandes) - {ligne[0] for ligne in lignes})
        if absents:
            raise IntrouvableError(
                f"EPCI {', '.join(absents)} absent(s) de la couche « epci » du dépôt : "
                "chargez les EPCI (remplacer_epci) ou vérifiez le SIREN."
            )
        geometries = [g for g in decoder_geometries([ligne[1] for ligne in lignes]) if g is not None]
        return shapely.union_all(geometries) if geometries else shapely.Polygon()

    # --- import batches --------------------------------------------------------------------

    def importer_lot(
        self,
        acteurs: Sequence[Acteur],
        *,
        fichier: str,
        format: str,
        sha256: str,
        auteur: str,
        rapport: dict[str, Any],
        lignes_lues: int | None = None,
        rejetees: int | None = None,
    ) -> Lot:
        """Upsert ``acteurs`` as one batch, in ONE transaction, and return the ``Lot``.

        New identifiers are inserted with version 1; stored ones are updated (version + 1)
        unless their content is identical (``date_import`` aside), in which case they are left
        untouched and counted in ``inchanges``. A closed actor stays closed (its other fields
        are updated), and an identifier absorbed by a merge (:meth:`fusionner`) is skipped
        (counted in ``inchanges``): an import never undoes a person's decision. Each change
        gets a journal entry (``import``, before / after, lot id). Two actors with the same
        identifier, or an element that is not an ``Acteur``, refuse the whole batch (nothing
        written). ``rejetees`` / ``lignes_lues``
        default to ``rapport["rejetees"]`` / ``rapport["lignes_lues"]`` when those are integers,
        else 0 / accepted + rejected.
        """
        auteur = _auteur(auteur)
        rapport_json = json.dumps(rapport, ensure_ascii=False, default=str)
        with self._ecriture() as cx:
            maintenant = _maintenant()
            curseur = cx.execute(
                "INSERT INTO lots_import (fichier, format, sha256, auteur, debut, rapport) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (fichier, format, sha256, auteur, maintenant, rapport_json),
            )
            lot_id = curseur.lastrowid
            assert lot_id is not None
            nouveaux, modifies, inchanges = self._trier_lot(cx, acteurs)
            self._inserer(cx, [apres for _, apres in nouveaux], maintenant, auteur, lot_id)
            self._mettre_a_jour(cx, [apres for _, apres in modifies], maintenant, auteur, lot_id)
            self._ecrire_journal(
                cx,
                (
                    (maintenant, auteur, Action.IMPORT, apres["id"], lot_id, avant, apres)
                    for avant, apres in (*nouveaux, *modifies)
                ),
            )
            rejets = _entier_rapport(rejetees, rapport, "rejetees", 0)
            lues = _entier_rapport(lignes_lues, rapport, "lignes_lues", len(acteurs) + rejets)
            cx.execute(
                "UPDATE lots_import SET fin = ?, lignes_lues = ?, acceptees = ?, rejetees = ?, crees = ?, "
                "mis_a_jour = ?, inchanges = ? WHERE id = ?",
                (_maintenant(), lues, len(acteurs), rejets, len(nouveaux), len(modifies), inchanges, lot_id),
            )
            self._toucher(cx, "acteurs", maintenant)
            return self._lot(cx, lot_id)

    def simuler_lot(self, acteurs: Sequence[Acteur]) -> tuple[int, int, int]:
        """(created, updated, unchanged) if ``acteurs`` were imported by :meth:`importer_lot` now,
        by the same rules; nothing is written."""
        with self._lecture() as cx:
            nouveaux, modifies, inchanges = self._trier_lot(cx, acteurs)
        return len(nouveaux), len(modifies), inchanges

    def _trier_lot(
        self, cx: sqlite3.Connection, acteurs: Sequence[Acteur]
    ) -> tuple[list[tuple[None, dict[str, Any]]], list[tuple[dict[str, Any], dict[str, Any]]], int]:
        """Split a batch into (new), (before, after) updates and the count of unchanged ones."""
        dicts: list[dict[str, Any]] = []
        vus: set[str] = set()
        for rang, acteur in enumerate(acteurs, start=1):
            if not isinstance(acteur, Acteur):
                raise DonneeInvalide(
                    f"L'élément n° {rang} du lot n'est pas un acteur ({type(acteur).__name__}) : "
                    "lot refusé, rien n'a été enregistré."
                )
            if acteur.id in vus:
                raise DonneeInvalide(
                    f"L'identifiant « {acteur.id} » apparaît deux fois dans le lot (élément n° {rang}) : "
                    "lot refusé, rien n'a été enregistré."
                )
            vus.add(acteur.id)
            dicts.append(acteur.model_dump(mode="json"))
        existants = self._lire_plusieurs(cx, [d["id"] for d in dicts])
        absorbes = {r[0] for r in cx.execute("SELECT absorbe FROM fusions")}
        nouveaux: list[tuple[None, dict[str, Any]]] = []
        modifies: list[tuple[dict[str, Any], dict[str, Any]]] = []
        inchanges = 0
        for d in dicts:
            existant = existants.get(d["id"])
            if d["id"] in absorbes:  # merged into another actor by a person: not brought back
                inchanges += 1
                continue
            if existant is not None and existant.valeurs["statut"] == Statut.FERME.value:
                d["statut"] = Statut.FERME.value  # closed by a person: an import does not reopen it
            if existant is None:
                nouveaux.append((None, {**d, "version": 1}))
            elif _meme_contenu(existant.valeurs, d):
                inchanges += 1
            else:
                modifies.append((existant.valeurs, {**d, "version": existant.version + 1}))
        return nouveaux, modifies, inchanges

    def annuler_lot(self, lot_id: int, auteur: str) -> Lot:
        """Undo a batch in ONE transaction: remove the actors it created, restore those it updated.

        Refused with :class:`AnnulationImpossible` (nothing changed) if the batch is already
        undone or if any of its actors changed after it; the message names them. Restored
        actors get a new version (versions never go back) and ``lot_id`` NULL.
        """
        auteur = _auteur(auteur)
        with self._ecriture() as cx:
            lot = self._lot(cx, lot_id)
            if lot.annule_le is not None:
                raise AnnulationImpossible(
                    f"Le lot n° {lot_id} (« {lot.fichier} ») a déjà été annulé le "
                    f"{lot.annule_le:%d/%m/%Y à %H:%M} par {lot.annule_par}."
                )
            entrees = cx.execute(
                "SELECT id, acteur_id, avant, apres FROM journal WHERE lot_id = ? AND action = ? ORDER BY id",
                (lot_id, Action.IMPORT.value),
            ).fetchall()
            actuels = self._lire_plusieurs(cx, [e[1] for e in entrees])
            self._refuser_si_change(cx, lot, entrees, actuels)
            maintenant = _maintenant()
            journal = self._restaurer_lot(cx, entrees, actuels, maintenant, auteur)
            self._ecrire_journal(
                cx, ((maintenant, auteur, Action.ANNULATION, aid, lot_id, av, ap) for aid, av, ap in journal)
            )
            cx.execute(
                "UPDATE lots_import SET annule_le = ?, annule_par = ? WHERE id = ?",
                (maintenant, auteur, lot_id),
            )
            self._toucher(cx, "acteurs", maintenant)
            return self._lot(cx, lot_id)

    def _refuser_si_change(
        self, cx: sqlite3.Connection, lot: Lot, entrees: list[Any], actuels: dict[str, _Ligne]
    ) -> None:
        """Refuse the undo if an actor of the batch was written (or removed) after it."""
        if not entrees:
            return
        ulterieurs: dict[str, tuple[str, str, str]] = {}
        requete = (
            "SELECT acteur_id, auteur, horodatage, action FROM journal WHERE id > ? AND acteur_id IN "
            "(SELECT acteur_id FROM journal WHERE lot_id = ? AND action = ?) ORDER BY id"
        )
        for aid, qui, quand, action in cx.execute(requete, (entrees[-1][0], lot.id, Action.IMPORT.value)):
            ulterieurs.setdefault(aid, (qui, quand, action))
        for _, aid, _, apres in entrees:
            actuel = actuels.get(aid)
            version = json.loads(apres)["version"]
            if aid not in ulterieurs and (actuel is None or actuel.version != version):
                ulterieurs[aid] = ("une écriture hors de l'application", "", "modification")
        if ulterieurs:
            raise AnnulationImpossible(
                f"Le lot n° {lot.id} (« {lot.fichier} ») ne peut pas être annulé : "
                f"{len(ulterieurs)} acteur(s) "
                f"ont changé depuis — {_details(ulterieurs, actuels)}. Annulez ou reprenez d'abord ces "
                "changements ; rien n'a été modifié."
            )

    def _restaurer_lot(
        self,
        cx: sqlite3.Connection,
        entrees: list[Any],
        actuels: dict[str, _Ligne],
        maintenant: str,
        auteur: str,
    ) -> list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
        """Delete what the batch created, rewrite what it updated; returns journal material."""
        crees = [aid for _, aid, avant, _ in entrees if avant is None]
        restaures: list[dict[str, Any]] = []
        for _, aid, avant, _ in entrees:
            if avant is not None:
                ancien = _valider(json.loads(avant))
                restaures.append(_en_dict(ancien, actuels[aid].version + 1))
        cx.executemany("DELETE FROM acteurs WHERE id = ?", ((aid,) for aid in crees))
        self._mettre_a_jour(cx, restaures, maintenant, auteur, None)
        return [(aid, actuels[aid].valeurs, None) for aid in crees] + [
            (d["id"], actuels[d["id"]].valeurs, d) for d in restaures
        ]

    def lots(self) -> list[Lot]:
        """Every import batch, newest first."""
        with self._lecture() as cx:
            lignes = cx.execute(f"SELECT {_COLONNES_LOT} FROM lots_import ORDER BY id DESC").fetchall()
        return [_lot_depuis_ligne(ligne) for ligne in lignes]

    @staticmethod
    def _lot(cx: sqlite3.Connection, lot_id: int) -> Lot:
        ligne = cx.execute(f"SELECT {_COLONNES_LOT} FROM lots_import WHERE id = ?", (lot_id,)).fetchone()
        if ligne is None:
            raise IntrouvableError(f"Aucun lot d'import n° {lot_id} dans le dépôt.")
        return _lot_depuis_ligne(ligne)

    # --- history ---------------------------------------------------------------------------

    def historique(self, acteur_id: str) -> list[EntreeHistorique]:
        """Journal entries of one actor, newest first (empty if it never existed)."""
        with self._lecture() as cx:
            lignes = cx.execute(
                f"SELECT {_COLONNES_JOURNAL} FROM journal WHERE acteur_id = ? ORDER BY id DESC", (acteur_id,)
            ).fetchall()
        return [_entree(ligne) for ligne in lignes]

    def annuler_derniere_modification(self, acteur_id: str, auteur: str) -> Acteur | None:
        """Restore the state before the actor's last journaled change, in one transaction.

        Undoing a creation removes the actor (returns ``None``); undoing a removal restores it.
        The undo is itself journaled (``annulation``), so undoing twice redoes. Restored states
        get a new version. Refused if the stored actor is not the state that entry left.
        """
        auteur = _auteur(auteur)
        with self._ecriture() as cx:
            ligne = cx.execute(
                f"SELECT {_COLONNES_JOURNAL} FROM journal WHERE acteur_id = ? ORDER BY id DESC LIMIT 1",
                (acteur_id,),
            ).fetchone()
            if ligne is None:
                raise IntrouvableError(f"Aucun changement journalisé pour l'acteur « {acteur_id} ».")
            entree = _entree(ligne)
            if entree.action == Action.FUSION:  # a merge is undone whole (kept + absorbed actors)
                garde = self._annuler_fusion(cx, self._journal_fusion(cx, entree), auteur)
                return None if garde is None or garde["id"] != acteur_id else _valider(garde)
            actuel = self._lire(cx, acteur_id)
            _exiger_etat(entree, actuel)
            maintenant = _maintenant()
            restaure = self._restaurer(cx, entree, actuel, maintenant, auteur)
            avant = None if actuel is None else actuel.valeurs
            self._ecrire_journal(
                cx, [(maintenant, auteur, Action.ANNULATION, acteur_id, entree.lot_id, avant, restaure)]
            )
            self._toucher(cx, "acteurs", maintenant)
        return None if restaure is None else _valider(restaure)

    def _restaurer(
        self,
        cx: sqlite3.Connection,
        entree: EntreeHistorique,
        actuel: _Ligne | None,
        maintenant: str,
        auteur: str,
    ) -> dict[str, Any] | None:
        if entree.avant is None:
            cx.execute("DELETE FROM acteurs WHERE id = ?", (entree.acteur_id,))
            return None
        ancien = _valider(entree.avant)
        if actuel is None:
            restaure = _en_dict(ancien, int(entree.avant["version"]) + 1)
            self._inserer(cx, [restaure], maintenant, auteur, None)
        else:
            restaure = _en_dict(ancien, actuel.version + 1)
            self._mettre_a_jour(cx, [restaure], maintenant, auteur, None)
        return restaure

    # --- duplicates: merges, « not a duplicate » ----------------------------------------------

    def fusionner(self, garde: Acteur, absorbes: Mapping[str, int], auteur: str) -> Acteur:
        """Merge duplicates in ONE transaction: ``garde`` (its fields as chosen, field by field,
        by the person merging; ``garde.version`` the version they read) is saved, each absorbed
        actor (identifier → version read) is removed; the journal keeps every absorbed record
        whole (provenance), and :meth:`fusions` maps each absorbed identifier to the kept one, so
        that re-importing its source does not bring the duplicate back. A stale version raises
        :class:`ConflitDeVersion` and nothing changes. Undo: :meth:`annuler_derniere_modification`
        on the kept actor restores all of them."""
        auteur = _auteur(auteur)
        _exiger_acteur(garde, "fusionner")
        if not absorbes:
            raise DonneeInvalide("Fusion : choisissez au moins un doublon à absorber.")
        if garde.id in absorbes:
            raise DonneeInvalide(f"Fusion : l'acteur gardé « {garde.id} » ne peut pas s'absorber lui-même.")
        with self._ecriture() as cx:
            actuel = self._exiger(cx, garde.id)
            self._verifier_version(actuel, garde.version, garde.model_dump(mode="json"))
            autres = []
            for ident, version in absorbes.items():
                ligne = self._exiger(cx, ident)
                self._verifier_version(ligne, version, {"id": ident, "version": version, "fusion": garde.id})
                autres.append(ligne)
            apres = _en_dict(garde, actuel.version + 1)
            maintenant = _maintenant()
            self._mettre_a_jour(cx, [apres], maintenant, auteur, None)
            curseur = cx.execute(
                "INSERT INTO journal (horodatage, auteur, action, acteur_id, lot_id, avant, apres) "
                "VALUES (?, ?, ?, ?, NULL, ?, ?)",
                (
                    maintenant,
                    auteur,
                    Action.FUSION.value,
                    garde.id,
                    _json_ou_none(actuel.valeurs),
                    _json_ou_none(apres),
                ),
            )
            journal_id = curseur.lastrowid
            cx.executemany("DELETE FROM acteurs WHERE id = ?", [(a.valeurs["id"],) for a in autres])
            self._ecrire_journal(
                cx,
                [(maintenant, auteur, Action.FUSION, a.valeurs["id"], None, a.valeurs, None) for a in autres],
            )
            # an actor absorbed earlier into one now absorbed follows it to the kept one
            cx.executemany(
                "UPDATE fusions SET garde = ? WHERE garde = ?", [(garde.id, a.valeurs["id"]) for a in autres]
            )
            cx.executemany(
                "INSERT INTO fusions (absorbe, garde, journal_id, auteur, horodatage) VALUES (?, ?, ?, ?, ?)",
                [(a.valeurs["id"], garde.id, journal_id, auteur, maintenant) for a in autres],
            )
            self._toucher(cx, "acteurs", maintenant)
        return _valider(apres)

    def fusions(self) -> dict[str, str]:
        """Absorbed actor identifier → identifier of the actor kept in its place."""
        with self._lecture() as cx:
            return dict(cx.execute("SELECT absorbe, garde FROM fusions ORDER BY fid").fetchall())

    @staticmethod
    def _journal_fusion(cx: sqlite3.Connection, entree: EntreeHistorique) -> int:
        """The journal id of the merge an entry belongs to (kept actor's entry or an absorbed one's)."""
        ligne = cx.execute(
            "SELECT journal_id FROM fusions WHERE journal_id = ? OR (absorbe = ? AND ? IS NULL) LIMIT 1",
            (entree.id, entree.acteur_id, None if entree.apres is None else 1),
        ).fetchone()
        if ligne is None:
            raise AnnulationImpossible(
                f"La fusion qui a touché « {entree.acteur_id} » a déjà été annulée ou remplacée : "
                "rien n'a été modifié."
            )
        return int(ligne[0])

    def _annuler_fusion(self, cx: sqlite3.Connection, journal_id: int, auteur: str) -> dict[str, Any] | None:
        """Restore the kept actor and every absorbed one of the merge ``journal_id``, provided
        none of them changed since (else :class:`AnnulationImpossible`, nothing changed)."""
        entree = _entree(
            cx.execute(f"SELECT {_COLONNES_JOURNAL} FROM journal WHERE id = ?", (journal_id,)).fetchone()
        )
        garde_id = str(entree.acteur_id)
        derniere = cx.execute("SELECT max(id) FROM journal WHERE acteur_id = ?", (garde_id,)).fetchone()[0]
        actuel = self._lire(cx, garde_id)
        if derniere != journal_id:
            raise AnnulationImpossible(
                f"« {garde_id} » a été modifié après la fusion : annulez d'abord ces changements. "
                "Rien n'a été modifié."
            )
        _exiger_etat(entree, actuel)
        absorbes = [
            r[0] for r in cx.execute("SELECT absorbe FROM fusions WHERE journal_id = ?", (journal_id,))
        ]
        maintenant = _maintenant()
        restaures: list[tuple[str, dict[str, Any] | None, dict[str, Any]]] = []
        for ident in absorbes:
            ligne = cx.execute(
                f"SELECT {_COLONNES_JOURNAL} FROM journal WHERE acteur_id = ? ORDER BY id DESC LIMIT 1",
                (ident,),
            ).fetchone()
            sienne = _entree(ligne)
            if sienne.action != Action.FUSION or self._lire(cx, ident) is not None:
                raise AnnulationImpossible(
                    f"« {ident} », absorbé par la fusion, a été recréé ou modifié depuis : "
                    "rien n'a été modifié."
                )
            assert sienne.avant is not None
            restaure = _en_dict(_valider(sienne.avant), int(sienne.avant["version"]) + 1)
            self._inserer(cx, [restaure], maintenant, auteur, None)
            restaures.append((ident, None, restaure))
        garde = self._restaurer(cx, entree, actuel, maintenant, auteur)
        restaures.append((garde_id, None if actuel is None else actuel.valeurs, garde or {}))
        cx.execute("DELETE FROM fusions WHERE journal_id = ?", (journal_id,))
        self._ecrire_journal(
            cx,
            [
                (maintenant, auteur, Action.ANNULATION, ident, None, avant, apres)
                for ident, avant, apres in restaures
            ],
        )
        self._toucher(cx, "acteurs", maintenant)
        return garde

    def marquer_non_doublon(self, id_a: str, id_b: str, auteur: str) -> None:
        """Remember that two actors are not the same place (never proposed again as a pair)."""
        auteur = _auteur(auteur)
        if id_a == id_b:
            raise DonneeInvalide("Un acteur ne peut pas être marqué « pas un doublon » de lui-même.")
        a, b = sorted((id_a, id_b))
        with self._ecriture() as cx:
            cx.execute(
                "INSERT OR IGNORE INTO non_doublons (id_a, id_b, auteur, horodatage) VALUES (?, ?, ?, ?)",
                (a, b, auteur, _maintenant()),
            )

    def non_doublons(self) -> set[tuple[str, str]]:
        """Pairs (smaller id, larger id) marked « pas un doublon »."""
        with self._lecture() as cx:
            return {(a, b) for a, b in cx.execute("SELECT id_a, id_b FROM non_doublons")}

    # --- what-if scenarios ------------------------------------------------------------------

    def enregistrer_scenario(self, nom: str, contenu: str, auteur: str) -> None:
        """Save (or replace) a named scenario (``contenu``: its JSON), in one transaction."""
        auteur = _auteur(auteur)
        nom = " ".join(str(nom).split())
        if not nom:
            raise DonneeInvalide("Un scénario doit avoir un nom pour être enregistré.")
        try:  # refuse anything that is not JSON before writing
            json.loads(contenu)
        except json.JSONDecodeError as exc:
            raise DonneeInvalide(
                f"Scénario « {nom} » : contenu illisible ({exc.msg}), rien n'a été enregistré."
            ) from exc
        with self._ecriture() as cx:
            cx.execute(
                "INSERT INTO scenarios (nom, contenu, auteur, horodatage) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (nom) DO UPDATE SET contenu = excluded.contenu, auteur = excluded.auteur, "
                "horodatage = excluded.horodatage",
                (nom, contenu, auteur, _maintenant()),
            )

    def scenarios(self) -> list[tuple[str, str, str, dt.datetime]]:
        """Saved scenarios: (name, JSON, author, saved at), newest first."""
        with self._lecture() as cx:
            lignes = cx.execute(
                "SELECT nom, contenu, auteur, horodatage FROM scenarios ORDER BY horodatage DESC, nom"
            ).fetchall()
        return [(n, c, a, dt.datetime.fromisoformat(h)) for n, c, a, h in lignes]

    def supprimer_scenario(self, nom: str) -> None:
        """Forget a saved scenario (nothing else changes)."""
        with self._ecriture() as cx:
            if cx.execute("DELETE FROM scenarios WHERE nom = ?", (" ".join(str(nom).split()),)).rowcount == 0:
                raise IntrouvableError(f"Aucun scénario nommé « {nom} ».")

    # --- import wizard: column mappings per source ----------------------------------------------

    def correspondance(self, source: str) -> dict[str, str] | None:
        """The column mapping (standard field → column of the file) remembered for a source."""
        with self._lecture() as cx:
            ligne = cx.execute(
                "SELECT colonnes FROM correspondances WHERE source = ?", (" ".join(str(source).split()),)
            ).fetchone()
        return None if ligne is None else {str(k): str(v) for k, v in json.loads(ligne[0]).items()}

    def memoriser_correspondance(self, source: str, correspondance: Mapping[str, str], auteur: str) -> None:
        """Remember (or replace) the column mapping of a source, in one transaction."""
        auteur = _auteur(auteur)
        source = " ".join(str(source).split())
        if not source:
            raise DonneeInvalide(
                "Nom de source vide : donnez un nom à cette source pour retrouver sa correspondance."
            )
        colonnes = json.dumps({str(k): str(v) for k, v in correspondance.items()}, ensure_ascii=False)
        with self._ecriture() as cx:
            cx.execute(
                "INSERT INTO correspondances (source, colonnes, auteur, horodatage) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (source) DO UPDATE SET colonnes = excluded.colonnes, auteur = excluded.auteur, "
                "horodatage = excluded.horodatage",
                (source, colonnes, auteur, _maintenant()),
            )


# --------------------------------------------------------------------------------------------
# Rows of lots_import and journal
# --------------------------------------------------------------------------------------------

_CHAMPS_LOT = tuple(f.name for f in fields(Lot))
_COLONNES_LOT = ", ".join(_CHAMPS_LOT)
_COLONNES_JOURNAL = "id, horodatage, auteur, action, acteur_id, lot_id, avant, apres"


def _lot_depuis_ligne(ligne: Sequence[Any]) -> Lot:
    valeurs = dict(zip(_CHAMPS_LOT, ligne, strict=True))
    valeurs["debut"] = dt.datetime.fromisoformat(valeurs["debut"])
    valeurs["fin"] = _date(valeurs["fin"])
    valeurs["annule_le"] = _date(valeurs["annule_le"])
    valeurs["rapport"] = json.loads(valeurs["rapport"])
    return Lot(**valeurs)


def _entree(ligne: Sequence[Any]) -> EntreeHistorique:
    ident, horodatage, auteur, action, acteur_id, lot_id, avant, apres = ligne
    moment = _date(horodatage)
    assert moment is not None
    return EntreeHistorique(
        id=ident,
        horodatage=moment,
        auteur=auteur,
        action=Action(action),
        acteur_id=acteur_id,
        lot_id=lot_id,
        avant=_charger_json(avant),
        apres=_charger_json(apres),
    )


def _exiger_acteur(acteur: object, operation: str) -> None:
    if not isinstance(acteur, Acteur):
        raise DonneeInvalide(f"« {operation} » attend un Acteur (reçu : {type(acteur).__name__}).")


def _exiger_etat(entree: EntreeHistorique, actuel: _Ligne | None) -> None:
    """The stored actor must be the state the last journal entry left, else the undo is refused."""
    attendu = None if entree.apres is None else int(entree.apres["version"])
    present = None if actuel is None else actuel.version
    if attendu != present:
        raise AnnulationImpossible(
            f"Impossible d'annuler le dernier changement de l'acteur « {entree.acteur_id} » : "
            "l'état enregistré "
            f"(version {present}) n'est pas celui que ce changement a laissé (version {attendu}) — "
            "modifié hors de l'application ? Rien n'a été modifié."
        )


def _details(ulterieurs: dict[str, tuple[str, str, str]], actuels: dict[str, _Ligne]) -> str:
    morceaux = []
    for aid, (qui, quand, action) in list(ulterieurs.items())[:5]:
        nom = actuels[aid].valeurs["nom"] if aid in actuels else aid
        moment = f" le {_lisible(quand)}" if quand else ""
        morceaux.append(f"« {nom} » ({aid}) : {action} par {qui}{moment}")
    reste = len(ulterieurs) - len(morceaux)
    return "; ".join(morceaux) + (f" ; et {reste} autre(s)" if reste > 0 else "")


def _entier_rapport(explicite: int | None, rapport: dict[str, Any], cle: str, defaut: int) -> int:
    if explicite is not None:
        return int(explicite)
    valeur = rapport.get(cle)
    return valeur if isinstance(valeur, int) and not isinstance(valeur, bool) else defaut


def _prefiltre(zones: list[Any]) -> tuple[str, list[Any]]:
    """SQL condition: own point inside the zones' common bounding box (uses ``acteurs_lonlat``)."""
    minx, miny, maxx, maxy = zones[0].bounds
    for zone in zones[1:]:
        zx0, zy0, zx1, zy1 = zone.bounds
        minx, miny, maxx, maxy = max(minx, zx0), max(miny, zy0), min(maxx, zx1), min(maxy, zy1)
    return "longitude BETWEEN ? AND ? AND latitude BETWEEN ? AND ?", [minx, maxx, miny, maxy]


def _conditions_acteurs(
    categorie: Categorie | str | None,
    service: str | None,
    statut: Statut | str | None,
    code_insee: str | None,
    inclure_fermes: bool,
) -> list[tuple[str, list[Any]]]:
    """SQL conditions of the attribute filters of ``lister`` (values checked, French errors)."""
    conditions: list[tuple[str, list[Any]]] = []
    if categorie is not None:
        conditions.append(("categorie = ?", [_enumeration(Categorie, categorie, "Catégorie")]))
    if statut is not None:
        conditions.append(("statut = ?", [_enumeration(Statut, statut, "Statut")]))
    if not inclure_fermes:
        conditions.append(("statut <> ?", [Statut.FERME.value]))
    if code_insee is not None:
        conditions.append(("code_insee = ?", [code_insee]))
    if service is not None:
        conditions.append(("EXISTS (SELECT 1 FROM json_each(services) WHERE value = ?)", [_service(service)]))
    return conditions


def ouvrir_depot(
    chemin: str | os.PathLike[str] | None = None,
    *,
    creer: bool = False,
    journal: Journal = "wal",
    delai: float = 10.0,
) -> DepotGeoPackage:
    """Open the store at ``chemin`` (default: ``config.store_path()``), checking it.

    ``creer=True`` creates it when absent or empty (safe if several processes do it at once);
    an existing file is never overwritten. Raises :class:`StoreInvalide` (French message) for a
    missing, corrupt or foreign file.
    """
    return DepotGeoPackage(config.store_path(chemin), creer=creer, journal=journal, delai=delai)
