"""`ecosysteme exporter` on the real Hauts-de-France store (read-only): one file per EPCI, each
opened and checked; bad options refused in French."""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pyogrio
import pytest
from typer.testing import CliRunner

from ecosysteme.cli import app
from ecosysteme.exports.standard import valider

pytestmark = pytest.mark.donnees_reelles
MAUBEUGE = "200043396"


def exporter(depot: Path, sortie: Path, *args: str) -> str:
    res = CliRunner().invoke(app, ["exporter", *args, "--sortie", str(sortie), "--store", str(depot)])
    assert res.exit_code == 0, res.output
    return res.output


def test_exports_d_un_epci(depot_hdf: Path, tmp_path: Path) -> None:
    avant = depot_hdf.read_bytes()
    exporter(depot_hdf, tmp_path, "--format", "xlsx", "--epci", MAUBEUGE)
    ws = openpyxl.load_workbook(tmp_path / f"lacunes_{MAUBEUGE}.xlsx").active
    assert ws is not None and ws.max_row == 12  # header + 11 QPV
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    exporter(depot_hdf, tmp_path, "--format", "standard", "--epci", MAUBEUGE)
    (standard,) = tmp_path.glob("*_lieux-de-mediation-numerique_*.csv")
    assert standard.name.startswith("2") and MAUBEUGE in standard.name
    assert valider(standard) == []
    exporter(depot_hdf, tmp_path, "--format", "gpkg", "--epci", MAUBEUGE)
    couches = {n for n, _ in pyogrio.list_layers(tmp_path / f"ecosysteme_{MAUBEUGE}.gpkg")}
    assert {"qpv", "acteurs", "couverture"} <= couches
    sortie = exporter(depot_hdf, tmp_path, "--format", "pdf", "--epci", MAUBEUGE, "--orientation", "portrait")
    pdf = tmp_path / f"carte_{MAUBEUGE}_portrait.pdf"
    assert pdf.exists() and "1 fichier(s) pour 1 EPCI" in sortie
    if Path("/usr/bin/pdftotext").exists():
        texte = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "CA Maubeuge Val de Sambre" in texte and "Sources" in texte
    exporter(depot_hdf, tmp_path, "--format", "html", "--epci", MAUBEUGE)
    html = (tmp_path / f"carte_{MAUBEUGE}.html").read_text(encoding="utf-8")
    assert "CA Maubeuge Val de Sambre" in html and "Sources : ANCT" in html and "<script src=" not in html
    exporter(depot_hdf, tmp_path, "--format", "docx", "--epci", MAUBEUGE)
    import docx

    document = docx.Document(str(tmp_path / f"fiche_territoire_{MAUBEUGE}.docx"))
    assert any(p.style.name.startswith("Heading") and "Lieu totem" in p.text for p in document.paragraphs)
    assert depot_hdf.read_bytes() == avant  # exports never write the store
    assert not list(tmp_path.glob(".*"))  # no temp file left


def test_cartes_du_lieu_totem_et_des_chevauchements(depot_hdf: Path, tmp_path: Path) -> None:
    from PIL import Image

    sortie = exporter(
        depot_hdf, tmp_path, "--format", "png", "--carte", "totem", "--epci", MAUBEUGE,
        "--service", "Aide aux démarches administratives", "--orientation", "portrait", "--sites", "2",
    )  # fmt: skip
    png = tmp_path / f"lieu_totem_{MAUBEUGE}_portrait.png"
    assert f"Écrit : {png}" in " ".join(sortie.split())
    with Image.open(png) as image:
        assert image.size == (2480, 3508)
    exporter(depot_hdf, tmp_path, "--format", "html", "--carte", "chevauchements", "--epci", MAUBEUGE)
    html = (tmp_path / f"chevauchements_{MAUBEUGE}.html").read_text(encoding="utf-8")
    assert "à moins de 500 m" in html and "<script src=" not in html
    exporter(
        depot_hdf, tmp_path, "--format", "pdf", "--carte", "chevauchements", "--distance", "300",
        "--epci", MAUBEUGE,
    )  # fmt: skip
    pdf = tmp_path / f"chevauchements_{MAUBEUGE}_paysage.pdf"
    if Path("/usr/bin/pdftotext").exists():
        texte = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Chevauchements (à moins de 300 m à vol d'oiseau)" in " ".join(texte.split())
    assert not list(tmp_path.glob(".*"))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--carte", "atlas"], "carte parmi couverture, totem, chevauchements"),
        (["--carte", "totem", "--sites", "9"], "--sites de 1 à 5"),
        (["--distance", "-5"], "--distance en mètres"),
        (["--distance", "nan"], "--distance en mètres"),
    ],
)
def test_options_de_carte_refusees(depot_hdf: Path, tmp_path: Path, options: list[str], message: str) -> None:
    r = CliRunner().invoke(
        app,
        [
            "exporter",
            "--format",
            "pdf",
            "--epci",
            MAUBEUGE,
            "--sortie",
            str(tmp_path),
            "--store",
            str(depot_hdf),
            *options,
        ],
    )
    assert r.exit_code == 2 and message in " ".join(r.output.split()), r.output
    assert not list(tmp_path.iterdir())


def test_options_refusees(depot_hdf: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        app, ["exporter", "--format", "odt", "--epci", MAUBEUGE, "--sortie", str(tmp_path)]
    )
    assert r.exit_code == 2 and "format parmi" in r.output
    r = CliRunner().invoke(
        app, ["exporter", "--format", "pdf", "--sortie", str(tmp_path), "--store", str(depot_hdf)]
    )
    assert r.exit_code == 2 and "--epci ou --departement" in r.output


@pytest.mark.parametrize("carte", ["couverture", "totem", "chevauchements"])
def test_service_inconnu_refuse_sans_rien_ecrire(depot_hdf: Path, tmp_path: Path, carte: str) -> None:
    r = CliRunner().invoke(
        app,
        [
            "exporter", "--format", "pdf", "--carte", carte, "--service", "Boulangerie", "--epci", MAUBEUGE,
            "--sortie", str(tmp_path / "sortie"), "--store", str(depot_hdf),
        ],
    )  # fmt: skip
    sortie = " ".join(r.output.split())
    assert r.exit_code == 1 and "Boulangerie » inconnu" in sortie and "Erreur" in sortie, r.output
    assert not (tmp_path / "sortie").exists()
