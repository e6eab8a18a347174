"""Move and keep a store: copy it between backends, back it up to a file, restore a backup.

A backup is always a GeoPackage file — QGIS opens it, and it restores into either backend: a
GeoPackage store is copied page by page with SQLite's backup API (consistent even while others
write), a PostGIS store is copied table by table into a new GeoPackage
(:func:`ecosysteme.depot.sql.copie.copier`, checked by counts and checksums). Files are written
to a temp file and renamed.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ecosysteme.depot.geopackage import DepotGeoPackage
from ecosysteme.depot.ouverture import ouvrir_depot
from ecosysteme.depot.sql.copie import Controle, controler, copier
from ecosysteme.domaine.erreurs import DepotInvalide, ErreurEcosysteme
from ecosysteme.domaine.fichiers import ecrire_atomique


def copier_depot(source: str | os.PathLike[str], destination: str | os.PathLike[str]) -> list[Controle]:
    """Copy the store ``source`` into a new (or empty) store ``destination`` — a GeoPackage
    file or a PostGIS database each — and return the per-table checks (all identical, else
    nothing is kept and :class:`ErreurEcosysteme` says which tables differ)."""
    if str(source) == str(destination):
        raise ErreurEcosysteme("la source et la destination sont le même dépôt.")
    with ouvrir_depot(source) as depart, ouvrir_depot(destination, creer=True) as arrivee:
        return copier(depart, arrivee)


def sauvegarder(store: str | os.PathLike[str] | None, fichier: str | os.PathLike[str]) -> list[Controle]:
    """Back the store up into the GeoPackage ``fichier`` (temp file renamed: an existing backup
    is replaced only by a complete one). Returns the per-table checks of the backup."""
    cible = Path(fichier)
    with ouvrir_depot(store) as depot:

        def ecrire(tmp: Path) -> None:
            if isinstance(depot, DepotGeoPackage):
                _copie_sqlite(depot.chemin, tmp)
            else:
                with DepotGeoPackage(tmp, creer=True) as copie:
                    copier(depot, copie)

        ecrire_atomique(cible, ecrire)
        with DepotGeoPackage(cible) as sauvegarde:
            return controler(depot, sauvegarde)


def restaurer(fichier: str | os.PathLike[str], store: str | os.PathLike[str] | None) -> list[Controle]:
    """Replace the whole content of the store by the backup ``fichier``, in one transaction of
    the store (all or nothing), and return the per-table checks."""
    chemin = Path(fichier)
    if not chemin.is_file():
        raise DepotInvalide(f"Sauvegarde « {chemin} » introuvable.")
    with DepotGeoPackage(chemin) as sauvegarde, ouvrir_depot(store, creer=True) as depot:
        return copier(sauvegarde, depot, remplacer=True)


def _copie_sqlite(source: Path, destination: Path) -> None:
    """SQLite's online backup of ``source`` into the new file ``destination``."""
    depart = sqlite3.connect(source.resolve().as_uri() + "?mode=ro", uri=True)
    arrivee = sqlite3.connect(destination)
    try:
        depart.backup(arrivee)
    finally:
        arrivee.close()
        depart.close()
