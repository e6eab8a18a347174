"""Open a store by its address: a GeoPackage file, or a PostgreSQL database with PostGIS."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ecosysteme.depot.geopackage import DepotGeoPackage, Journal
from ecosysteme.domaine import config

if TYPE_CHECKING:
    from ecosysteme.depot.postgis import DepotPostgis


def ouvrir_depot(
    adresse: str | os.PathLike[str] | None = None,
    *,
    creer: bool = False,
    journal: Journal = "wal",
    delai: float = 10.0,
) -> DepotGeoPackage | DepotPostgis:
    """Open the store at ``adresse``, checking it (and migrating an older schema).

    Parameters
    ----------
    adresse : str or os.PathLike, optional
        A GeoPackage file, or a PostgreSQL database ``postgresql://user@host:port/base`` (the
        password from ``PGPASSWORD`` or ``~/.pgpass``). Default: ``$ECOSYSTEME_STORE``, else
        ``data/ecosysteme.gpkg``.
    creer : bool, default False
        Create the store when absent or empty (safe when several processes do it at once); an
        existing store is never overwritten.
    journal : {"wal", "delete"}, default "wal"
        GeoPackage only: the SQLite journal mode (``"delete"`` on a network filesystem).
    delai : float, default 10.0
        How long, in seconds, a write waits for another writer before giving up with
        :class:`~ecosysteme.domaine.erreurs.DepotOccupe`.

    Returns
    -------
    DepotGeoPackage or DepotPostgis
        The open store (a ``Depot``): use it as a context manager, or call its ``close()``.

    Raises
    ------
    DepotInvalide
        No store there (without ``creer``), a damaged one, not an ecosysteme store, or one made
        by a newer version (French message).
    DepotInjoignable
        The database server cannot be reached (address, server, password).
    DepotOccupe
        Another writer held the store longer than ``delai``.
    ErreurEcosysteme
        ``journal`` is neither ``"wal"`` nor ``"delete"``.
    """
    cible = config.adresse_depot(adresse)
    if isinstance(cible, str):
        from ecosysteme.depot.postgis import DepotPostgis

        return DepotPostgis(cible, creer=creer, delai=delai)
    return DepotGeoPackage(cible, creer=creer, journal=journal, delai=delai)


def version_depot(adresse: str | os.PathLike[str] | None = None) -> int:
    """The data version of the store at ``adresse`` (bumped by every committed data write, by
    any process), read without opening the store whole: the key of the app's caches.

    Raises
    ------
    DepotInvalide
        No readable store there.
    DepotInjoignable
        The database server cannot be reached.
    """
    cible = config.adresse_depot(adresse)
    if isinstance(cible, str):
        from ecosysteme.depot.postgis.connexion import version_base

        return version_base(cible)
    from ecosysteme.depot.geopackage.connexion import version_fichier

    return version_fichier(cible)
