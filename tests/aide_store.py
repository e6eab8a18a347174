"""Helpers for the store tests, and a command-line child for the multi-process tests.

Run as a script (``python tests/aide_store.py <commande> ...``), it plays one process of a
concurrency test and prints one JSON line with what it did:

- ``ajouter <depot> <prefixe> <n> [--depart T]``: n ``ajouter`` with distinct ids;
- ``modifier <depot> <id> <n> [--depart T]``: n successful ``modifier`` of the same actor,
  re-reading and retrying on conflict (``--depart``: epoch second at which to start writing);
- ``creer <depot>``: ``ouvrir_depot(creer=True)``;
- ``importer <depot> <n> [--signal]``: one ``importer_lot`` of n actors; prints ``PRET`` once
  the actors are built; with ``--signal`` prints ``AVANT_COMMIT`` right before ``COMMIT`` and
  then waits (to be killed).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from ecosysteme.depot import DepotGeoPackage, ouvrir_depot
from ecosysteme.domaine.erreurs import ConflitDeVersion
from ecosysteme.domaine.modeles import LECTURE, Acteur, Categorie

SERVICES = (
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Accès internet et matériel informatique",
)


def acteur(ident: str, **champs: Any) -> Acteur:
    """A small valid actor; ``champs`` override the defaults. Its texts are taken as the store
    reads them (``models.LECTURE``: invisible characters removed, nothing refused), so that the
    tests of outputs can store a name such as ``<img src=x onerror=…>``, as an actor stored
    before the rules of text (``validation``) or written by another tool; the entries refuse it."""
    valeurs: dict[str, Any] = {
        "id": ident,
        "nom": f"Lieu {ident}",
        "commune": "Lille",
        "code_postal": "59000",
        "code_insee": "59350",
        "latitude": 50.63,
        "longitude": 3.06,
        "services": [SERVICES[0]],
        "categorie": Categorie.EPN,
    }
    valeurs.update(champs)
    return Acteur.model_validate(valeurs, context=LECTURE)


def lot_acteurs(n: int, prefixe: str = "L") -> list[Acteur]:
    """n distinct actors spread over a 1° square around Lille."""
    return [
        acteur(
            f"{prefixe}{i:06d}",
            latitude=50.0 + (i % 1000) / 1000,
            longitude=2.5 + (i // 1000 % 1000) / 1000,
            services=list(SERVICES[: i % 3 + 1]),
            courriels=[f"contact{i}@exemple.fr"],
        )
        for i in range(n)
    ]


def instantane(chemin: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the store (GeoPackage or PostGIS): ``aide_postgis.instantane``."""
    from aide_postgis import instantane as lire_tout

    return lire_tout(chemin)


def integrite(chemin: str | Path) -> list[str]:
    """SQLite's integrity check of a GeoPackage store; a PostGIS store: every table readable
    and every index valid (the server keeps its own files consistent)."""
    from aide_postgis import est_postgres

    if est_postgres(chemin):
        import psycopg

        with psycopg.connect(str(chemin)) as pg:
            invalides = pg.execute("SELECT count(*) FROM pg_index WHERE NOT indisvalid").fetchone()
            for table in ("acteurs", "journal", "lots_import", "meta"):
                pg.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[arg-type]
        return ["ok"] if invalides is not None and invalides[0] == 0 else ["index invalide"]
    cx = sqlite3.connect(chemin)
    try:
        return [r[0] for r in cx.execute("PRAGMA integrity_check")]
    finally:
        cx.close()


# --------------------------------------------------------------------------------------------
# Child process commands
# --------------------------------------------------------------------------------------------


# Any other error ends the child with a traceback on stderr and a non-zero status: the test
# asserts status 0 and an empty stderr, so no failure can go unnoticed.


def _attendre(depart: float) -> None:
    """Sleep until the common start time, so that every child writes at the same moment."""
    time.sleep(max(0.0, depart - time.time()))


def _ajouter(depot: str, prefixe: str, n: int, depart: float) -> dict[str, Any]:
    with ouvrir_depot(depot) as d:
        _attendre(depart)
        for i in range(n):
            d.ajouter(acteur(f"{prefixe}-{i:04d}"), f"proc-{prefixe}")
    return {"ajouts": n}


def _modifier(depot: str, ident: str, n: int, depart: float) -> dict[str, Any]:
    succes = conflits = 0
    with ouvrir_depot(depot) as d:
        _attendre(depart)
        while succes < n:
            lu = d.obtenir(ident)
            lu.nom = f"{lu.nom[:40]}+"
            try:
                d.modifier(lu, f"proc-{ident}")
                succes += 1
            except ConflitDeVersion:
                conflits += 1
    return {"succes": succes, "conflits": conflits}


def _classe(depot: str, signal: bool) -> type[Any]:
    """The store's class for ``depot`` (GeoPackage or PostGIS), one that signals before COMMIT
    and waits to be killed when ``signal``."""
    from aide_postgis import est_postgres

    if est_postgres(depot):
        from ecosysteme.depot.postgis import DepotPostgis

        base: type[Any] = DepotPostgis
    else:
        base = DepotGeoPackage
    if not signal:
        return base

    class QuiSignale(base):  # type: ignore[misc, valid-type]
        def _avant_validation(self) -> None:
            print("AVANT_COMMIT", flush=True)
            time.sleep(120)

    return QuiSignale


def _importer(depot: str, n: int, signal: bool) -> dict[str, Any]:
    acteurs = lot_acteurs(n, prefixe="K")
    with _classe(depot, signal)(depot) as d:
        print("PRET", flush=True)
        lot = d.importer_lot(
            acteurs, fichier="gros.csv", format="csv", sha256="f" * 64, auteur="tueur", rapport={}
        )
    return {"lot": lot.id, "crees": lot.crees, "mis_a_jour": lot.mis_a_jour}


class DepotCompte:
    """A store whose reads of the territory layers and of the actors are counted."""

    LECTURES = ("qpv", "communes", "epci", "acteurs_gdf", "lister")

    def __init__(self, depot: object) -> None:
        self._depot = depot
        self.appels: dict[str, int] = dict.fromkeys(self.LECTURES, 0)

    def __getattr__(self, nom: str) -> object:
        attribut = getattr(self._depot, nom)
        if nom not in self.LECTURES:
            return attribut

        def compte(*args: object, **kwargs: object) -> object:
            self.appels[nom] += 1
            return attribut(*args, **kwargs)

        return compte


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    sous = parser.add_subparsers(dest="commande", required=True)
    p = sous.add_parser("ajouter")
    p.add_argument("depot")
    p.add_argument("prefixe")
    p.add_argument("n", type=int)
    p.add_argument("--depart", type=float, default=0.0)
    p = sous.add_parser("modifier")
    p.add_argument("depot")
    p.add_argument("id")
    p.add_argument("n", type=int)
    p.add_argument("--depart", type=float, default=0.0)
    p = sous.add_parser("creer")
    p.add_argument("depot")
    p = sous.add_parser("importer")
    p.add_argument("depot")
    p.add_argument("n", type=int)
    p.add_argument("--signal", action="store_true")
    args = parser.parse_args(argv)
    if args.commande == "ajouter":
        resultat = _ajouter(args.depot, args.prefixe, args.n, args.depart)
    elif args.commande == "modifier":
        resultat = _modifier(args.depot, args.id, args.n, args.depart)
    elif args.commande == "creer":
        ouvrir_depot(args.depot, creer=True).close()
        resultat = {"ok": True}
    else:
        resultat = _importer(args.depot, args.n, args.signal)
    print(json.dumps(resultat), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def classeur_xlsx(lignes: list[list[str]]) -> bytes:
    """An XLSX workbook (one sheet, these rows) as bytes, for the readers' and the page's tests."""
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for ligne in lignes:
        ws.append(ligne)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
