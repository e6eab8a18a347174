"""Benchmark: one EPCI's document map (``ecosysteme.exports.cartes``), CA Maubeuge Val de Sambre.

Data: a Hauts-de-France store built from ../shared/data (``ecosysteme preparer --miroir``, in a
temporary folder). Medians over N runs, in one process, for each orientation:

- « figure » : ``carte_epci`` (reads the store, coverage « tout acteur » over every stored actor,
  draws the A4 page in Lambert-93);
- « PDF » / « PNG » : ``exporter_carte`` of that figure (.pdf; .png at 300 dpi, 2480 × 3508 px);
- sizes of the files written;
- the three map views of the same EPCI through ``exports.vues.vue_epci`` (coverage, lieu totem
  « Aide aux démarches administratives » 1 000 m, overlaps 500 m): A4 page + PDF, and the
  self-contained HTML page, with the ratio to the coverage view measured in the same run;
- the fiche territoire (DOCX, PDF) and, when LibreOffice is installed, its DOCX laid out to PDF
  by LibreOffice (what a word processor does on opening it).

Run: ``.venv/bin/python benchmarks/export_cartes.py [--repetitions 5]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

from mesure import mediane

from ecosysteme.cli import preparer_depot
from ecosysteme.depot import ouvrir_depot
from ecosysteme.exports.cartes import carte_epci, exporter_carte
from ecosysteme.exports.fiche import fiche_territoire
from ecosysteme.exports.vues import VUES, vue_epci

DONNEES = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SIREN_MAUBEUGE = "200043396"


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
            print()
            print("| vue (A4 paysage) | page + PDF s | × couverture | HTML s | PDF Kio | HTML Kio |")
            print("|---|---:|---:|---:|---:|---:|")
            base = 0.0
            for carte in VUES:
                services = ["Aide aux démarches administratives"] if carte == "totem" else []
                distance = 500.0 if carte == "chevauchements" else 1000.0

                def page(c: str = carte, sv: list[str] = services, m: float = distance) -> Path:
                    vue = vue_epci(depot, SIREN_MAUBEUGE, c, services=sv, distance_m=m)
                    return exporter_carte(vue.document("paysage"), d / f"{vue.nom}.pdf")

                def html(c: str = carte, sv: list[str] = services, m: float = distance) -> str:
                    return vue_epci(depot, SIREN_MAUBEUGE, c, services=sv, distance_m=m).html()

                t_page, chemin = mediane(page, n)
                t_html, texte = mediane(html, n)
                base = base or t_page
                print(
                    f"| {carte} | {t_page:.2f} | {t_page / base:.2f} | {t_html:.2f} "
                    f"| {chemin.stat().st_size / 1024:.0f} | {len(texte.encode()) / 1024:.0f} |"
                )
            print()
            print("| fiche territoire | s | Kio |")
            print("|---|---:|---:|")
            for suffixe in ("docx", "pdf"):
                t, chemin = mediane(
                    lambda x=suffixe: fiche_territoire(depot, SIREN_MAUBEUGE, d / f"fiche.{x}"), n
                )
                print(f"| {suffixe.upper()} | {t:.2f} | {chemin.stat().st_size / 1024:.0f} |")
            soffice = shutil.which("soffice")
            if soffice:
                profil = (d / "profil").as_uri()

                def rendu() -> None:
                    subprocess.run(
                        [soffice, f"-env:UserInstallation={profil}", "--headless", "--norestore",
                         "--convert-to", "pdf", "--outdir", str(d / "lo"), str(d / "fiche.docx")],
                        check=True, capture_output=True,
                    )  # fmt: skip

                t, _ = mediane(rendu, n)
                print(f"| DOCX mis en page par LibreOffice (PDF) | {t:.2f} | |")


if __name__ == "__main__":
    main()
