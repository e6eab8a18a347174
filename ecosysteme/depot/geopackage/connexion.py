"""The SQLite connection of a GeoPackage store and its transactions (``BEGIN IMMEDIATE`` …
``COMMIT``, rolled back on any error; a busy file becomes :class:`DepotOccupe` after the delay),
with the GeoPackage geometry codec and ``gpkg_contents`` kept up to date.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ecosysteme.depot.geopackage.geometrie import decoder_geometries, encoder_geometries
from ecosysteme.depot.sql.connexion import Connexion, Curseur
from ecosysteme.domaine.erreurs import DepotInvalide, DepotOccupe, ErreurEcosysteme

Journal = Literal["wal", "delete"]


def _est_verrou(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


class ConnexionSqlite(Connexion):
    """One SQLite connection, serialised by a lock."""

    chemin: Path
    _delai: float
    _verrou: threading.RLock
    _cx: sqlite3.Connection | None

    @property
    def nom_depot(self) -> str:
        return str(self.chemin)

    def _encoder(self, geometries: NDArray[np.object_]) -> list[Any]:
        return encoder_geometries(geometries)

    def _decoder(self, valeurs: Sequence[Any]) -> NDArray[np.object_]:
        return decoder_geometries(valeurs)

    def _toucher(
        self, cx: Curseur, table: str, maintenant: str, etendue: Sequence[float | None] | None = None
    ) -> None:
        if etendue is None:
            cx.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (maintenant, table))
        else:
            cx.execute(
                "UPDATE gpkg_contents SET last_change = ?, min_x = ?, min_y = ?, max_x = ?, max_y = ? "
                "WHERE table_name = ?",
                (maintenant, *etendue, table),
            )

    def _connecter(self, creer: bool) -> sqlite3.Connection:
        if self.chemin.is_dir():
            raise DepotInvalide(f"« {self.chemin} » est un dossier, pas un dépôt.")
        vide = not self.chemin.exists() or self.chemin.stat().st_size == 0
        if vide and not creer:
            raise DepotInvalide(
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
            raise DepotInvalide(f"Impossible d'ouvrir le dépôt « {self.chemin} » : {exc}.") from exc
        cx.execute(f"PRAGMA busy_timeout = {int(self._delai * 1000)}")
        cx.execute("PRAGMA foreign_keys = ON")
        return cx

    def _connexion(self) -> sqlite3.Connection:
        if self._cx is None:
            raise ErreurEcosysteme(f"Le dépôt « {self.chemin} » a été fermé : rouvrez-le.")
        return self._cx

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._verrou:
            if self._cx is not None:
                self._cx.close()
                self._cx = None

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
                    self._incrementer_version(cx)
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


def version_fichier(chemin: Path) -> int:
    """The data version kept in the file's ``meta`` (read-only, one query; a store of an older
    schema, not migrated yet, reads as its modification time in nanoseconds)."""
    if not chemin.is_file():
        raise DepotInvalide(f"Le dépôt « {chemin} » n'existe pas.")
    try:
        cx = sqlite3.connect(chemin.resolve().as_uri() + "?mode=ro", uri=True, timeout=10)
        try:
            ligne = cx.execute("SELECT valeur FROM meta WHERE cle = 'version_donnees'").fetchone()
        finally:
            cx.close()
    except sqlite3.DatabaseError as exc:
        raise DepotInvalide(f"Le dépôt « {chemin} » est illisible : {exc}.") from exc
    if ligne is None or not str(ligne[0]).isdigit():
        return chemin.stat().st_mtime_ns
    return int(ligne[0])
