"""Reading exported PDF files back in tests (poppler's pdftotext; skipped with the reason when
poppler-utils is missing)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def texte_pdf(pdf: bytes | Path, option: str = "-raw") -> str:
    """The PDF's text, lines joined, narrow no-break spaces read as spaces. ``-raw``: content
    order (each label whole, map labels apart from the legend); ``-layout``: as laid out."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext absent (apt-get install poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="ecosysteme-test-pdf-") as dossier:
        if isinstance(pdf, bytes):
            chemin = Path(dossier) / "carte.pdf"
            chemin.write_bytes(pdf)
        else:
            chemin = pdf
        sortie = subprocess.run(["pdftotext", option, str(chemin), "-"], capture_output=True, check=True)
    return " ".join(sortie.stdout.decode("utf-8").replace("\u202f", " ").split())


def taille_pdf(pdf: bytes | Path) -> tuple[float, float]:
    """Width and height (points) of the first page's MediaBox."""
    octets = pdf if isinstance(pdf, bytes) else pdf.read_bytes()
    trouve = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", octets)
    assert trouve, "MediaBox absente du PDF"
    return float(trouve.group(1)), float(trouve.group(2))
