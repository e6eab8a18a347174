"""The national standard in its other shapes: JSON form, spreadsheet, legacy v0 export."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from ecosysteme.domaine.erreurs import FichierInvalide
from ecosysteme.inventaire.importation import importer_fichier


def _exemple(reference: Path) -> dict[str, str]:
    with (reference / "exemple-valide-1.0.2.csv").open(encoding="utf-8", newline="") as fh:
        return next(csv.DictReader(fh))


def test_forme_json_du_standard(tmp_path: Path, reference: Path) -> None:
    ligne = _exemple(reference)
    obj: dict[str, object] = dict(ligne)
    obj["services"] = ligne["services"].split("|")  # lists as JSON arrays
    obj["latitude"], obj["longitude"] = float(ligne["latitude"]), float(ligne["longitude"])
    p = tmp_path / "lieux.json"
    p.write_text(json.dumps([obj], ensure_ascii=False), encoding="utf-8")
    r = importer_fichier(p, None, simulation=True)
    assert (r.format, r.acceptees, r.rejetees) == ("standard", 1, 0), r.resume()


def test_json_tronque(tmp_path: Path) -> None:
    p = tmp_path / "lieux.json"
    p.write_text('[{"id": "a", "nom": "b"', encoding="utf-8")
    with pytest.raises(FichierInvalide) as exc:
        importer_fichier(p, None, simulation=True)
    assert "JSON mal formé" in str(exc.value) and "lieux.json" in str(exc.value)


def test_classeur_xlsx_et_formule_refusee(tmp_path: Path, reference: Path) -> None:
    ligne = _exemple(reference)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(ligne))
    ws.append(list(ligne.values()))
    piege = dict(ligne, id="structure-2", nom='=HYPERLINK("http://x","clic")')
    ws.append(list(piege.values()))
    p = tmp_path / "lieux.xlsx"
    wb.save(p)
    r = importer_fichier(p, None, simulation=True)
    assert r.format == "standard" and r.acceptees == 1 and r.rejetees == 1
    assert r.rejets[0].ligne == 3 and r.rejets[0].champ == "nom" and "formule" in r.rejets[0].message
