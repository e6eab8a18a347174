"""Benchmark: the fiche territoire (DOCX) of CA Maubeuge Val de Sambre (200043396), and the
store calls it makes (``qpv``, ``communes``, ``epci``, ``acteurs_gdf``) and the coverage
computations (``analyse.couverture.couverture``) it runs.

Data: a Hauts-de-France store built from ../shared/data (``ecosysteme preparer --miroir``, in a
temporary folder), or the store given with ``--store``. Median over N runs, in one process.

Run: ``.venv/bin/python benchmarks/fiche.py [--repetitions 5] [--store hdf.gpkg]``. The code
before issue 13's « territory read once » ran side by side from an export of the previous commit
(``git archive HEAD ecosysteme``, ``PYTHONPATH`` pointing to it), on the same store.

Measured on 03/12/2026 (2 shared cores, 6 agents at work: ±30 % noise; median of n runs, s):

| code | store calls (qpv, communes, epci, acteurs_gdf) | couverture calls | runs (s) |
|---|---|---:|---|
| before (one read per consumer) | 3, 2, 2, 5 | 2 | 6.46 (n=3), 10.02 (n=5), 7.22 (n=5) |
| after (``analyse.territoire.Territoire``) | 1, 1, 1, 1 | 1 | 6.26 (n=3), 7.89 (n=5), 7.32 (n=5) |

Reading: 13 store reads become 4 and the two coverage runs one (the map takes the fiche's table,
the lieu totem its actors); the time is within the noise (the saved reads and the second
coverage run weigh about 0.3 s on this 2,083-actor store: the map drawing, its PNG and the lieu
totem dominate). The outputs are identical (fiche contents, map texts, lieu totem tables).

Then, in the same process (03/12/2026, n = 3, one helper running tests beside):

| what | s | ratio |
|---|---:|---:|
| fiche DOCX from the store (one read) | 2.79 | × 1 |
| fiche DOCX from the whole store's territory the pages already hold (no read) | 1.90 | × 0.68 |
| gap tables of the 13 EPCI of the Nord, one read per EPCI (the atlas before) | 2.39 | × 1 |
| the same, one read for all and a part per EPCI (``Territoire.partie``, the atlas now) | 0.73 | × 0.31 |
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ecosysteme.analyse.couverture as module_couverture
from ecosysteme.analyse.couverture import Parametres, filtres_famille
from ecosysteme.analyse.lacunes import matrice
from ecosysteme.analyse.territoire import Territoire
from ecosysteme.cli import preparer_depot
from ecosysteme.depot import ouvrir_depot
from ecosysteme.exports.fiche import fiche_territoire

DONNEES = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SIREN_MAUBEUGE = "200043396"
LECTURES = ("qpv", "communes", "epci", "acteurs_gdf", "lister")


class Compteur:
    """A store wrapper counting the reads of the territory layers and of the actors."""

    def __init__(self, depot: Any) -> None:
        self._depot = depot
        self.appels: collections.Counter[str] = collections.Counter()

    def __getattr__(self, nom: str) -> Any:
        attribut = getattr(self._depot, nom)
        if nom not in LECTURES:
            return attribut

        def compte(*args: Any, **kwargs: Any) -> Any:
            self.appels[nom] += 1
            return attribut(*args, **kwargs)

        return compte


@contextlib.contextmanager
def couvertures_comptees() -> Iterator[list[int]]:
    """Count the calls of ``couverture`` wherever it was imported from."""
    vraie = module_couverture.couverture
    n = [0]

    def comptee(*args: Any, **kwargs: Any) -> Any:
        n[0] += 1
        return vraie(*args, **kwargs)

    modules = [m for m in list(sys.modules.values()) if getattr(m, "couverture", None) is vraie]
    for m in modules:
        m.couverture = comptee  # type: ignore[attr-defined]
    try:
        yield n
    finally:
        for m in modules:
            m.couverture = vraie  # type: ignore[attr-defined]


def mediane(f: Callable[[], Any], n: int) -> float:
    temps = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        temps.append(time.perf_counter() - t)
    return statistics.median(temps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--store", type=Path, default=None)
    args = parser.parse_args()
    n = args.repetitions
    print(f"Python {platform.python_version()}, {platform.processor() or platform.machine()}, n = {n}")
    with tempfile.TemporaryDirectory() as dossier:
        d = Path(dossier)
        store = args.store
        if store is None:
            store = d / "hdf.gpkg"
            with contextlib.redirect_stdout(io.StringIO()):
                preparer_depot(store=store, miroir=str(DONNEES), region="32", auteur="banc-fiche")
        with ouvrir_depot(store) as depot:
            compteur = Compteur(depot)
            with couvertures_comptees() as couvertures:
                fiche_territoire(compteur, SIREN_MAUBEUGE, d / "fiche.docx")  # type: ignore[arg-type]
            appels = ", ".join(f"{nom} {compteur.appels[nom]}" for nom in LECTURES)
            print(f"store calls: {appels}; couverture calls: {couvertures[0]}")
            fiche_territoire(depot, SIREN_MAUBEUGE, d / "fiche.docx")  # warm-up (fonts, caches)
            t = mediane(lambda: fiche_territoire(depot, SIREN_MAUBEUGE, d / "fiche.docx"), n)
            print(f"| fiche territoire DOCX (Maubeuge) | {t:.2f} s |")
            tout = Territoire.lire(depot)
            fiche_territoire(tout, SIREN_MAUBEUGE, d / "fiche.docx")  # warm-up
            t_partie = mediane(lambda: fiche_territoire(tout, SIREN_MAUBEUGE, d / "fiche.docx"), n)
            print(
                f"| fiche from the pages' territory (no store read) | {t_partie:.2f} s "
                f"| × {t_partie / t:.2f} |"
            )
            atlas(depot, n)


def _tables_par_epci(lu: Territoire, siren: str) -> None:
    filtres = filtres_famille("service")
    partie = lu.partie(siren_epci=siren)
    matrice(partie.couverture(Parametres(filtres=filtres)), partie.qpv, filtres)


def atlas(depot: Any, n: int) -> None:
    """The gap tables of every EPCI with a QPV in the Nord (59): one read per EPCI (as
    ``exporter --departement`` did before) against one read for all (``Territoire.partie``)."""
    qpv = depot.qpv(insee_dep="59")
    sirens = sorted({s for v in qpv["siren_epci"] for s in str(v).split(",")})

    def avant() -> None:
        for s in sirens:
            _tables_par_epci(Territoire.lire(depot, siren_epci=s), s)

    def apres() -> None:
        lu = Territoire.lire(depot, siren_epci=sirens)
        for s in sirens:
            _tables_par_epci(lu, s)

    avant()
    t_avant, t_apres = mediane(avant, n), mediane(apres, n)
    print(f"| atlas Nord, {len(sirens)} EPCI, one read per EPCI (before) | {t_avant:.2f} s | × 1 |")
    print(f"| atlas Nord, one read for all (after) | {t_apres:.2f} s | × {t_apres / t_avant:.2f} |")


if __name__ == "__main__":
    main()
