"""What every SQL backend of the store provides to the concerns of ``ecosysteme.depot.sql``.

The concerns (territories, actors, batches, history, merges, scenarios) are written once, in
the SQL that SQLite and PostgreSQL share, with ``?`` placeholders. A backend (the GeoPackage,
``ecosysteme.depot.geopackage``; PostGIS, ``ecosysteme.depot.postgis``) subclasses
:class:`Connexion` and gives its transactions, its geometry codec and the few SQL fragments
that differ (how a geometry is written and read, how a JSON list is searched, what a write
updates besides the data).
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray


class Curseur(Protocol):
    """The part of a DB-API connection the concerns use (``?`` placeholders)."""

    def execute(self, requete: str, parametres: Sequence[Any] = ..., /) -> Any: ...

    def executemany(self, requete: str, parametres: Iterable[Sequence[Any]], /) -> Any: ...


class Connexion(ABC):
    """One connection to the store, serialised by a lock; the base of every concern."""

    _verrou: threading.RLock

    #: Whether a text may hold the NUL character (SQLite: yes; PostgreSQL: never).
    ACCEPTE_NUL = True
    #: SQL of a geometry parameter (WKB or the backend's binary form) in INSERT / UPDATE.
    GEOMETRIE_ECRITE = "?"
    #: SQL reading the ``geom`` column as the bytes :meth:`_decoder` takes.
    GEOMETRIE_LUE = "geom"
    #: SQL condition: the actor's JSON list ``services`` holds the one parameter.
    CONTIENT_SERVICE = "EXISTS (SELECT 1 FROM json_each(services) WHERE value = ?)"

    @property
    @abstractmethod
    def nom_depot(self) -> str:
        """The store as named in messages (a file's path; a database address, no password)."""

    @abstractmethod
    def _ecriture(self, *, donnees: bool = True) -> AbstractContextManager[Curseur]:
        """One write transaction (writers serialised), rolled back on any error; ``donnees``:
        a data write (the store's version is bumped and :meth:`_avant_validation` called)."""

    @abstractmethod
    def _lecture(self) -> AbstractContextManager[Curseur]:
        """One read transaction: every statement inside sees the same snapshot."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection (idempotent)."""

    @abstractmethod
    def _encoder(self, geometries: NDArray[np.object_]) -> list[Any]:
        """Shapely geometries (EPSG:4326, ``None`` kept) as parameters of :attr:`GEOMETRIE_ECRITE`."""

    @abstractmethod
    def _decoder(self, valeurs: Sequence[Any]) -> NDArray[np.object_]:
        """Values read by :attr:`GEOMETRIE_LUE` as shapely geometries (``None`` kept)."""

    @abstractmethod
    def _toucher(
        self, cx: Curseur, table: str, maintenant: str, etendue: Sequence[float | None] | None = None
    ) -> None:
        """Note inside the transaction that ``table`` changed (and its new extent, for a
        territory layer), where the backend's readers (QGIS) look for it."""

    def _avant_validation(self) -> None:
        """Called inside every data write transaction right before ``COMMIT`` (a hook for tests:
        a subclass may signal, then wait to be killed). Not called when the schema is created."""
        return None

    def _suivre_identifiants(self, cx: Curseur, tables: Sequence[str]) -> None:
        """After identifiers were written explicitly (a copy), let the tables' counters follow
        them (SQLite's AUTOINCREMENT already does)."""
        return None

    def version(self) -> int:
        """The store's data version: bumped by every committed data write, by any process."""
        with self._lecture() as cx:
            ligne = cx.execute("SELECT valeur FROM meta WHERE cle = 'version_donnees'").fetchone()
        return int(ligne[0]) if ligne and str(ligne[0]).isdigit() else 0

    @staticmethod
    def _incrementer_version(cx: Curseur) -> None:
        """Bump the data version inside the current write transaction."""
        cx.execute(
            "UPDATE meta SET valeur = CAST(CAST(valeur AS INTEGER) + 1 AS TEXT) WHERE cle = 'version_donnees'"
        )
