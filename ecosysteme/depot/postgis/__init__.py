"""The store in a PostgreSQL database with PostGIS, shared by a team (several app processes,
several machines): the same :class:`~ecosysteme.depot.interface.Depot` as the GeoPackage, the
same concerns (``ecosysteme.depot.sql``), typed columns and constraints checked by the server.

Address: ``postgresql://user@host:port/base`` (libpq's; the password comes from ``PGPASSWORD``
or ``~/.pgpass``, never from a log: messages show the address without it).
"""

from __future__ import annotations

import threading

from ecosysteme.depot.postgis.connexion import adresse_lisible
from ecosysteme.depot.postgis.schema import VERSION_SCHEMA, SchemaPostgres
from ecosysteme.depot.sql.acteurs import Acteurs
from ecosysteme.depot.sql.historique import Historique
from ecosysteme.depot.sql.lots import Lots
from ecosysteme.depot.sql.scenarios import Scenarios
from ecosysteme.depot.sql.territoires import Territoires

__all__ = ["VERSION_SCHEMA", "DepotPostgis", "adresse_lisible"]


class DepotPostgis(Historique, Territoires, Acteurs, Lots, Scenarios, SchemaPostgres):
    """The :class:`~ecosysteme.depot.interface.Depot` in a PostGIS database (see module docstring).

    One object holds one connection; it may be shared between threads (calls are serialised by
    a lock). Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, adresse: str, *, creer: bool = False, delai: float = 10.0) -> None:
        self.adresse = adresse.strip()
        self._delai = float(delai)
        self._verrou = threading.RLock()
        self._pg = None
        self._ferme = False
        ouvert = False
        try:
            self._preparer_schema(creer)
            ouvert = True
        finally:
            if not ouvert:
                self.close()

    def __enter__(self) -> DepotPostgis:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DepotPostgis({self.nom_depot!r})"
