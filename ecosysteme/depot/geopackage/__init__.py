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

Here: ``schema`` (DDL, metadata, migrations), ``geometrie`` (the GeoPackage geometry codec),
``connexion`` (connection, transactions, busy file, ``gpkg_contents``). The concerns —
territories, actors, batches, history, merges, scenarios and column mappings — are written once
for every SQL backend in ``ecosysteme.depot.sql``; what does not depend on a database is in
``ecosysteme.depot.lignes``, ``couches`` and ``journal``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from ecosysteme.depot.couches import SRS_WGS84
from ecosysteme.depot.geopackage.connexion import Journal
from ecosysteme.depot.geopackage.geometrie import decoder_geometries, encoder_geometries
from ecosysteme.depot.geopackage.schema import APPLICATION_ID, USER_VERSION, VERSION_SCHEMA, _Schema
from ecosysteme.depot.sql.acteurs import Acteurs
from ecosysteme.depot.sql.historique import Historique
from ecosysteme.depot.sql.lots import Lots
from ecosysteme.depot.sql.scenarios import Scenarios
from ecosysteme.depot.sql.territoires import Territoires
from ecosysteme.domaine.erreurs import DepotInvalide, ErreurEcosysteme

__all__ = [
    "APPLICATION_ID",
    "SRS_WGS84",
    "USER_VERSION",
    "VERSION_SCHEMA",
    "DepotGeoPackage",
    "Journal",
    "decoder_geometries",
    "encoder_geometries",
]


class DepotGeoPackage(Historique, Territoires, Acteurs, Lots, Scenarios, _Schema):
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
            raise ErreurEcosysteme(f"Mode de journal « {journal} » inconnu : « wal » ou « delete ».")
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
            raise DepotInvalide(
                f"« {self.chemin} » n'est pas un dépôt ecosysteme lisible "
                f"(fichier endommagé ou d'un autre type) : {exc}."
            ) from exc
        finally:
            if not ouvert:
                self.close()

    def __enter__(self) -> DepotGeoPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DepotGeoPackage({str(self.chemin)!r})"
