"""Benchmark: the shared store (PostGIS) against the GeoPackage, in one process, same data.

1. Import of the four national actor files (``ecosysteme importer``'s path: read, check,
   convert, one batch) into a new GeoPackage and into a new PostGIS database.
2. The national QPV (1,584) imported the same way; then the national coverage: the territory
   read from each store (every QPV, every actor) and the coverage computed from it; the two
   tables must be equal (every cell).
3. The regional map page's data on each store: the Hauts-de-France store copied into PostGIS
   (``copier_depot``), then the reads a rerun of the map page makes when the store changed
   (its version, the whole territory), the coverage and the map's layers.
4. ``--tuer N``: kill -9 of the national libraries import on PostGIS at N random instants
   (uniform over the import's measured duration): the store is as before or holds the whole
   batch, never part of it.

Needs a PostgreSQL with PostGIS: ``--admin postgresql://postgres@127.0.0.1:5432/postgres`` (or
``ECOSYSTEME_TEST_PG``); the databases made are dropped at the end.

Run: ``.venv/bin/python benchmarks/postgis.py [--repetitions 3] [--tuer 25]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import psycopg
from mesure import mediane

from ecosysteme.analyse.couverture import Parametres
from ecosysteme.analyse.territoire import Territoire
from ecosysteme.cli import preparer_depot
from ecosysteme.depot import ouvrir_depot, version_depot
from ecosysteme.depot.sauvegarde import copier_depot
from ecosysteme.inventaire.importation import importer_fichier

RACINE = Path(__file__).resolve().parents[1]
DONNEES = RACINE.parent / "shared" / "data"
NATIONAUX = (
    "lieux_conseillers_numeriques_2022-06_france.csv",
    "data_inclusion_structures_2022-07_france.csv",
    "france_services_2022-12-01_france.csv",
    "bibliotheques_publiques_france.csv",
)


@contextlib.contextmanager
def base(admin: str, nom: str) -> Iterator[str]:
    with psycopg.connect(admin, autocommit=True) as cx:
        cx.execute(f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)")  # type: ignore[arg-type]
        cx.execute(f"CREATE DATABASE {nom}")  # type: ignore[arg-type]
    try:
        yield urlunsplit(urlsplit(admin)._replace(path=f"/{nom}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as cx:
            cx.execute(f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)")  # type: ignore[arg-type]


def importer(adresse: str | Path, fichiers: tuple[str, ...], format_: str = "auto") -> float:
    debut = time.perf_counter()
    with ouvrir_depot(adresse, creer=True) as d:
        for nom in fichiers:
            rapport = importer_fichier(DONNEES / nom, d, format=format_, auteur="banc", nom=nom)
            assert rapport.acceptees > 0, nom
    return time.perf_counter() - debut


def couverture_nationale(adresse: str | Path) -> tuple[float, float, pd.DataFrame]:
    debut = time.perf_counter()
    with ouvrir_depot(adresse) as d:
        lu = Territoire.lire(d)
    lecture = time.perf_counter() - debut
    table = lu.couverture(Parametres())
    return lecture, time.perf_counter() - debut - lecture, table


def page_carte(adresse: str | Path) -> float:
    """What a rerun of the map page reads when the store changed: its version, the territory,
    the coverage of the region (the pages' cache is empty: a new version)."""
    debut = time.perf_counter()
    version_depot(adresse)
    with ouvrir_depot(adresse) as d:
        lu = Territoire.lire(d)
    lu.couverture(Parametres())
    lu.acteurs  # noqa: B018 - attached to the communes, as the map's layers need
    return time.perf_counter() - debut


#: The child: imports the national libraries into the store, saying « PRET » once connected and
#: « ECRITURE » when the store's write transaction begins (rows checked and converted by then).
ENFANT = """
import contextlib, sys
from pathlib import Path
from ecosysteme.depot.postgis import DepotPostgis
from ecosysteme.inventaire.importation import importer_fichier

class Signale(DepotPostgis):
    @contextlib.contextmanager
    def _ecriture(self, *, donnees=True):
        print("ECRITURE", flush=True)
        with super()._ecriture(donnees=donnees) as cx:
            yield cx

d = Signale(sys.argv[1])
print("PRET", flush=True)
importer_fichier(Path(sys.argv[2]), d, auteur="tueur", nom="bibliotheques")
"""


def tuer(adresse: str, n: int, graine: int = 20261203) -> list[str]:
    """Kill the national libraries import at ``n`` random instants of its write transaction
    (uniform from its BEGIN to 1.2 × its measured length, so that some land after COMMIT);
    the store must be as before or hold the whole batch."""
    fichier = DONNEES / "bibliotheques_publiques_france.csv"

    def etat() -> tuple[int, int]:
        """Actors stored, batches in force (an undone batch stays listed, undone)."""
        with ouvrir_depot(adresse) as d:
            return d.compter(), sum(1 for lot in d.lots() if lot.annule_le is None)

    def jusqu_a_l_ecriture() -> subprocess.Popen[str]:
        p = subprocess.Popen(
            [sys.executable, "-c", ENFANT, adresse, str(fichier)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=RACINE,
        )
        assert p.stdout is not None
        for ligne in p.stdout:
            if ligne.strip() == "ECRITURE":
                return p
        raise AssertionError("l'import n'a pas commencé à écrire")

    def revenir() -> None:
        with ouvrir_depot(adresse) as d:  # back to « before »: undo the batch if it landed
            dernier = d.lots()[0]
            if dernier.annule_le is None and dernier.auteur == "tueur":
                d.annuler_lot(dernier.id, "banc")

    avant = etat()
    premier = jusqu_a_l_ecriture()
    debut = time.monotonic()
    assert premier.wait() == 0
    duree = time.monotonic() - debut
    complet = etat()
    hasard = random.Random(graine)
    issues = []
    for _ in range(n):
        revenir()
        p = jusqu_a_l_ecriture()
        time.sleep(hasard.uniform(0.0, 1.2 * duree))
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        compte, lots = etat()
        if lots == avant[1]:
            assert compte == avant[0], (compte, avant)
            issues.append("avant")
        else:
            assert (compte, lots) == complet, (compte, lots, complet)
            issues.append("complet")
    print(
        f"écriture de l'import des bibliothèques : {duree:.1f} s ; {n} kill -9 pendant celle-ci : "
        f"{issues.count('avant')} « avant », {issues.count('complet')} « complet », 0 partiel"
    )
    return issues


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument(
        "--admin",
        default=os.environ.get("ECOSYSTEME_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    ap.add_argument("--tuer", type=int, default=0)
    ap.add_argument("--tuer-seulement", action="store_true", help="only the kill -9 runs")
    args = ap.parse_args()
    n = args.repetitions
    print(f"Python {platform.python_version()}, {os.cpu_count()} cœurs, n = {n}")
    with (
        tempfile.TemporaryDirectory() as tmp,
        base(args.admin, "banc_pg_national") as pg,
        base(args.admin, "banc_pg_hdf") as pg_hdf,
    ):
        if not args.tuer_seulement:
            mesurer(Path(tmp), pg, n)
        hdf = Path(tmp) / "hdf.gpkg"
        with contextlib.redirect_stdout(io.StringIO()):
            preparer_depot(store=hdf, miroir=str(DONNEES), region="32", auteur="banc")
        copier_depot(hdf, pg_hdf)
        if not args.tuer_seulement:
            t_g, _ = mediane(lambda: page_carte(hdf), n)
            t_p, _ = mediane(lambda: page_carte(pg_hdf), n)
            print("| page carte, données régionales après un changement | GeoPackage s | PostGIS s | × |")
            print(f"| Hauts-de-France | {t_g:.2f} | {t_p:.2f} | {t_p / t_g:.2f} |")
        if args.tuer:
            tuer(pg_hdf, args.tuer)


def mesurer(tmp: Path, pg: str, n: int) -> None:
    """Imports of the national files and national coverage on both stores."""
    gpkg = tmp / "national.gpkg"
    t_gpkg = importer(gpkg, NATIONAUX)
    t_pg = importer(pg, NATIONAUX)
    print("| import des 4 fichiers nationaux | GeoPackage s | PostGIS s | × |")
    print(f"| 26 000 lieux, un lot par fichier | {t_gpkg:.1f} | {t_pg:.1f} | {t_pg / t_gpkg:.2f} |")
    importer(gpkg, ("qpv2024_france.geojson",), "qpv")
    importer(pg, ("qpv2024_france.geojson",), "qpv")
    mesures = {}
    for nom, adresse in (("GeoPackage", gpkg), ("PostGIS", pg)):
        lectures, calculs, tables = [], [], []
        for _ in range(n):
            lecture, calcul, table = couverture_nationale(adresse)
            lectures.append(lecture)
            calculs.append(calcul)
            tables.append(table)
        mesures[nom] = (statistics.median(lectures), statistics.median(calculs), tables[-1])
    pd.testing.assert_frame_equal(mesures["GeoPackage"][2], mesures["PostGIS"][2])
    g, p = mesures["GeoPackage"], mesures["PostGIS"]
    print("| couverture nationale (1 584 QPV) | lecture s | calcul s | lecture × |")
    print(f"| GeoPackage | {g[0]:.2f} | {g[1]:.2f} | 1 |")
    print(f"| PostGIS | {p[0]:.2f} | {p[1]:.2f} | {p[0] / g[0]:.2f} |")
    print(f"tables identiques : {len(g[2])} lignes × {len(g[2].columns)} colonnes")


if __name__ == "__main__":
    main()
