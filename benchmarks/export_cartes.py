"""Benchmark: one EPCI's document map (``ecosysteme.exports.cartes``), CA Maubeuge Val de Sambre.

Data: a Hauts-de-France store built from ../shared/data (``ecosysteme preparer --miroir``, in a
temporary folder). Medians over N runs, in one process, for each orientation:

- « figure » : ``carte_epci`` (reads the store, coverage « tout acteur » over every stored actor,
  draws the A4 page in Lambert-93);
- « PDF » / « PNG » : ``exporter_carte`` of that figure (.pdf; .png at 300 dpi, 2480 × 3508 px);
- sizes of the files written.

Run: ``.venv/bin/python benchmarks/export_cartes.py [--repetitions 5]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ecosysteme.cli import preparer_depot
from ecosysteme.exports.cartes import carte_epci, exporter_carte
from ecosysteme.store import ouvrir_depot

DONNEES = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SIREN_MAUBEUGE = "200043396"


def mediane(f: Callable[[], Any], n: int) -> tuple[float, Any]:
    temps, resultat = [], None
    for _ in range(n):
        t = time.perf_counter()
        resultat = f()
        temps.append(time.perf_counter() - t)
    return statistics.median(temps), resultat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=5)
    n = parser.parse_args().repetitions
    print(f"Python {platform.python_version()}, {platform.processor() or platform.machine()}, n = {n}")
    with tempfile.TemporaryDirectory() as dossier:
        d = Path(dossier)
        store = d / "hdf.gpkg"
        with contextlib.redirect_stdout(io.StringIO()):
            preparer_depot(store=store, miroir=str(DONNEES), region="32", auteur="banc-export-cartes")
        print("| orientation | figure s | PDF s | PNG s | total PDF s | PDF Kio | PNG Kio |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        with ouvrir_depot(store) as depot:
            for orientation in ("paysage", "portrait"):
                t_fig, fig = mediane(
                    lambda o=orientation: carte_epci(depot, SIREN_MAUBEUGE, orientation=o), n
                )
                pdf, png = d / f"{orientation}.pdf", d / f"{orientation}.png"
                t_pdf, _ = mediane(lambda f=fig, p=pdf: exporter_carte(f, p), n)
                t_png, _ = mediane(lambda f=fig, p=png: exporter_carte(f, p), n)
                print(
                    f"| {orientation} | {t_fig:.2f} | {t_pdf:.2f} | {t_png:.2f} | {t_fig + t_pdf:.2f} "
                    f"| {pdf.stat().st_size / 1024:.0f} | {png.stat().st_size / 1024:.0f} |"
                )


if __name__ == "__main__":
    main()
