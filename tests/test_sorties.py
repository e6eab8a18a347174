"""Whole-file outputs: CSV for French spreadsheets, XLSX, GeoPackage; written atomically; any text a
spreadsheet would read as a formula is neutralised."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.exports.tableaux import csv_octets, ecrire_tableau, neutraliser, xlsx_octets

PIEGES = ['=HYPERLINK("http://x")', "+33 3 20", "-1+2", "@SUM(A1)", "Médiathèque ; Hem"]


def cadre() -> pd.DataFrame:
    return pd.DataFrame({"code_qp": ["QN05918M"] * len(PIEGES), "nom": PIEGES, "n": range(len(PIEGES))})


def test_neutraliser() -> None:
    assert [neutraliser(v) for v in PIEGES] == ["'" + v for v in PIEGES[:4]] + [PIEGES[4]]
    assert neutraliser(3) == 3 and neutraliser(None) is None


def test_csv_octets_bom_point_virgule_formules_neutralisees() -> None:
    b = csv_octets(cadre())
    assert b.startswith(b"\xef\xbb\xbf")
    lignes = b.decode("utf-8-sig").splitlines()
    assert lignes[0] == "code_qp;nom;n"
    cellules = [c for ligne in csv.reader(lignes[1:], delimiter=";") for c in ligne]
    assert '\'=HYPERLINK("http://x")' in cellules and "Médiathèque ; Hem" in cellules
    assert not any(
        c.startswith(("=", "+", "@")) or (c.startswith("-") and not c[1:].isdigit()) for c in cellules
    )


def test_xlsx_sans_formule_et_csv_ecrits_sans_fichier_temporaire(tmp_path: Path) -> None:
    x = ecrire_tableau(cadre(), tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(x).active
    assert ws is not None and ws.freeze_panes == "B2" and ws.auto_filter.ref
    valeurs = [c.value for c in ws["B"][1:]]
    assert all(c.data_type != "f" for c in ws["B"][1:])
    assert valeurs[0] == '\'=HYPERLINK("http://x")'
    c = ecrire_tableau(cadre(), tmp_path / "t.csv")
    assert c.read_bytes().startswith(b"\xef\xbb\xbf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.xlsx"]


def test_geopackage_et_format_inconnu(tmp_path: Path) -> None:
    qpv = gpd.GeoDataFrame({"code_qp": ["QN05918M"]}, geometry=[box(3.9, 50.2, 4.0, 50.3)], crs=4326)
    g = ecrire_tableau(cadre().head(1), tmp_path / "t.gpkg", gdf=qpv)
    assert [n for n, _ in pyogrio.list_layers(g)] == ["couverture"]
    assert pyogrio.read_info(g)["crs"] == "EPSG:4326"
    with pytest.raises(ErreurEcosysteme, match="inconnu"):
        ecrire_tableau(cadre(), tmp_path / "t.ods")
    with pytest.raises(ErreurEcosysteme, match="géométries"):
        ecrire_tableau(cadre(), tmp_path / "u.gpkg")
    assert not (tmp_path / "u.gpkg").exists()


def test_xlsx_octets_pour_un_telechargement() -> None:
    import io

    ws = openpyxl.load_workbook(io.BytesIO(xlsx_octets(cadre()))).active
    assert ws is not None and ws["B2"].value == '\'=HYPERLINK("http://x")' and ws["B2"].data_type == "s"
    assert ws.freeze_panes == "B2"
