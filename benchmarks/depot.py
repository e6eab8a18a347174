"""Benchmark: reading a store of 30,000 actors (medians), beside GDAL reading the same layer.

Baseline, same process: ``pyogrio.read_dataframe`` of the ``acteurs`` layer (raw columns, no
model). ecosysteme: ``lister()`` (validated ``Acteur`` objects), ``acteurs_gdf()``, and
``lister(bbox=…)``. Run: ``.venv/bin/python benchmarks/depot.py [--repetitions 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyogrio

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from aide_store import lot_acteurs  # noqa: E402

from ecosysteme.depot import ouvrir_depot  # noqa: E402


def mediane(f: Callable[[], object], n: int) -> float:
    temps = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        temps.append(time.perf_counter() - t)
    return statistics.median(temps)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repetitions", type=int, default=5)
    n = ap.parse_args().repetitions
    with tempfile.TemporaryDirectory() as d:
        chemin = Path(d) / "b.gpkg"
        with ouvrir_depot(chemin, creer=True) as depot:
            t = time.perf_counter()
            depot.importer_lot(
                lot_acteurs(30_000), fichier="b.csv", format="csv", sha256="0", auteur="b", rapport={}
            )
            ecriture = time.perf_counter() - t
            base = mediane(lambda: pyogrio.read_dataframe(f"GPKG:{chemin}", layer="acteurs"), n)
            lister = mediane(depot.lister, n)
            gdf = mediane(depot.acteurs_gdf, n)
            bbox = mediane(lambda: depot.lister(bbox=(2.5, 50.0, 2.6, 50.1)), n)
    print(f"importer_lot 30 000 : {ecriture:.2f} s (une fois)")
    print(f"référence pyogrio.read_dataframe : {base:.3f} s")
    for nom, v in (("lister()", lister), ("acteurs_gdf()", gdf), ("lister(bbox)", bbox)):
        print(f"{nom:16} {v:.3f} s  × référence {v / base:.1f}")


if __name__ == "__main__":
    main()
