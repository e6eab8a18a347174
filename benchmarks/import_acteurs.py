"""Benchmark: importing the four national actor files of ../shared/data.

For each file, in one process, medians over N runs of:
- baseline: ``pandas.read_csv(dtype=str)`` of the same file (parsing only, no checks);
- ecosysteme, simulation: read + every check + conversion to ``Acteur`` (nothing stored);
- ecosysteme, full import into a fresh GeoPackage store (one transaction).
Peak memory: max RSS of a child process doing one full import (``resource.getrusage``).

Run: ``make bench`` or ``.venv/bin/python benchmarks/import_acteurs.py [--repetitions 3]``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from ecosysteme.depot import ouvrir_depot
from ecosysteme.inventaire.importation import importer_fichier

DONNEES = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FICHIERS = [
    "lieux_conseillers_numeriques_2022-06_france.csv",
    "data_inclusion_structures_2022-07_france.csv",
    "france_services_2022-12-01_france.csv",
    "bibliotheques_publiques_france.csv",
]


def _chrono(f: object, n: int) -> float:
    temps = []
    for _ in range(n):
        t = time.perf_counter()
        f()  # type: ignore[operator]
        temps.append(time.perf_counter() - t)
    return statistics.median(temps)


def _import_complet(path: Path) -> None:
    with tempfile.TemporaryDirectory() as d, ouvrir_depot(Path(d) / "b.gpkg", creer=True) as depot:
        importer_fichier(path, depot, auteur="bench")


def _pic_memoire(path: Path, q: mp.Queue) -> None:  # type: ignore[type-arg]
    _import_complet(path)
    q.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repetitions", type=int, default=3)
    n = ap.parse_args().repetitions
    print(
        f"{'fichier':50} {'lignes':>7} {'read_csv s':>10} {'simul. s':>9} {'import s':>9} "
        f"{'lignes/s':>9} {'× read_csv':>10} {'pic Mo':>7}"
    )
    total_lignes = total_t = 0.0
    for nom in FICHIERS:
        path = DONNEES / nom
        base = _chrono(lambda p=path: pd.read_csv(p, dtype=str, keep_default_na=False), n)
        simu = _chrono(lambda p=path: importer_fichier(p, None, simulation=True), n)
        full = _chrono(lambda p=path: _import_complet(p), n)
        lignes = importer_fichier(path, None, simulation=True).lignes_lues
        q: mp.Queue = mp.get_context("spawn").Queue()  # type: ignore[type-arg]
        proc = mp.get_context("spawn").Process(target=_pic_memoire, args=(path, q))
        proc.start()
        pic = q.get()
        proc.join()
        total_lignes += lignes
        total_t += full
        print(
            f"{nom:50} {lignes:7d} {base:10.3f} {simu:9.3f} {full:9.3f} {lignes / full:9.0f} "
            f"{full / base:10.1f} {pic:7.0f}"
        )
    debit = total_lignes / total_t
    print(f"total : {total_lignes:.0f} lignes en {total_t:.2f} s, {debit:.0f} lignes/s (médianes, n={n})")


if __name__ == "__main__":
    main()
