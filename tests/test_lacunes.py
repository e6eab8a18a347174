"""Summaries per EPCI / département, QPV without offer, the `couverture` command and its files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box
from test_couverture import AIDE, X0, Y0, acteur, frame, qpv_metrique
from typer.testing import CliRunner

from ecosysteme.analyse.couverture import Parametres, couverture, filtre
from ecosysteme.analyse.lacunes import qpv_sans_offre, resume_couverture, tableau_large
from ecosysteme.cli import app
from ecosysteme.depot import ouvrir_depot

P = Parametres(filtres=(filtre("tous"), filtre(f"service:{AIDE}")))


def _territoire() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    q = qpv_metrique(
        [
            box(X0, Y0, X0 + 1000, Y0 + 1000),
            box(X0 + 5000, Y0, X0 + 5500, Y0 + 500),
            box(X0 + 20_000, Y0, X0 + 20_500, Y0 + 500),
        ]
    )
    q["lib_qp"] = ["Centre", "Est", "Loin"]
    q["siren_epci"] = ["200000001", "200000001,200000002", "200000002"]
    q["population"] = pd.array([4000, 1000, None], dtype="Int64")
    a = frame(
        [
            acteur(X0 + 500, Y0 + 500, id="a1"),
            acteur(X0 + 5200, Y0 + 700, id="a2", services=[]),
            acteur(X0 + 700, Y0 + 200, id="a3"),
        ]
    )
    return q, a


def test_resume_par_epci() -> None:
    q, a = _territoire()
    c = couverture(q, a, P)
    r = resume_couverture(c, q, a, P).set_index(["siren_epci", "filtre"])
    un = r.loc[("200000001", "tous")]
    assert (un.qpv, un.qpv_couverts, un.population_qpv, un.population_couverte) == (2, 2, 5000, 5000)
    assert un.part_population_couverte == 1.0
    assert un.acteurs_a_portee == 3 and un.acteurs_pour_10000_habitants == pytest.approx(6.0)
    aide = r.loc[("200000001", f"service:{AIDE}")]
    assert aide.qpv_couverts == 1 and aide.part_population_couverte == pytest.approx(0.8)
    deux = r.loc[("200000002", "tous")]
    assert deux.qpv == 2 and deux.population_qpv == 1000 and deux.qpv_population_inconnue == 1
    assert deux.population_couverte == 1000  # the unknown one is not counted as zero residents covered


def test_qpv_sans_offre_classes_par_habitants() -> None:
    q, a = _territoire()
    c = couverture(q, a, P)
    s = qpv_sans_offre(c, q, f"service:{AIDE}")
    assert list(s.code_qp) == ["QN08001M", "QN08002M"]  # 1,000 residents first, unknown last
    assert s.distance_m.iloc[0] == pytest.approx(4300, abs=1e-6)  # to a3 at (700, 200)


def test_tableau_large_une_ligne_par_qpv() -> None:
    q, a = _territoire()
    w = tableau_large(couverture(q, a, P), q)
    assert list(w.code_qp) == ["QN08000M", "QN08001M", "QN08002M"]
    assert w.loc[0, "tous | n_interieur"] == 2
    assert w.loc[1, f"service:{AIDE} | distance_m"] == 4300


@pytest.fixture
def depot(tmp_path: Path) -> Path:
    q, a = _territoire()
    q["lib_com"] = "X"
    q["insee_com"] = "80021"
    q["insee_reg"] = "32"
    store = tmp_path / "s.gpkg"
    from ecosysteme.domaine.modeles import Acteur

    with ouvrir_depot(store, creer=True) as d:
        d.remplacer_qpv(q, "test")
        for rec in a.drop(columns="geometry").to_dict("records"):
            d.ajouter(
                Acteur(nom=f"Lieu {rec['id']}", **{k: v for k, v in rec.items() if v is not None}), "test"
            )
    return store


@pytest.mark.parametrize("suffixe", [".csv", ".xlsx", ".gpkg"])
def test_commande_couverture(depot: Path, tmp_path: Path, suffixe: str) -> None:
    sortie = tmp_path / f"couverture{suffixe}"
    res = CliRunner().invoke(
        app,
        [
            "couverture",
            "--departement",
            "80",
            "--service",
            AIDE,
            "--seuil",
            "1000",
            "--store",
            str(depot),
            "--sortie",
            str(sortie),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Aide aux démarches administratives" in res.output and "80 %" in res.output
    assert not list(tmp_path.glob(".couverture*"))  # no temp file left
    if suffixe == ".csv":
        brut = sortie.read_bytes()
        assert brut.startswith(b"\xef\xbb\xbf")
        df = pd.read_csv(sortie, sep=";", encoding="utf-8-sig", dtype={"siren_epci": str})
        assert len(df) == 3 and list(df.columns[:4]) == ["code_qp", "lib_qp", "siren_epci", "population"]
        assert df.loc[0, f"service:{AIDE} | n_interieur"] == 2
    elif suffixe == ".xlsx":
        ws = openpyxl.load_workbook(sortie).active
        assert ws is not None and ws.freeze_panes == "B2" and ws.max_row == 4
    else:
        info = pyogrio.read_info(sortie)
        assert info["features"] == 3 and "4326" in info["crs"]


def test_commande_couverture_sans_territoire(depot: Path) -> None:
    res = CliRunner().invoke(app, ["couverture", "--store", str(depot)])
    assert res.exit_code == 2 and "exactement un territoire" in res.output


def test_commande_couverture_filtre_inconnu(depot: Path) -> None:
    res = CliRunner().invoke(
        app, ["couverture", "--france", "--filtre", "service:Cuisine", "--store", str(depot)]
    )
    assert res.exit_code == 1 and "« service:Cuisine » inconnu" in res.output


def test_territoire_vide_et_sans_acteur() -> None:
    q, a = _territoire()
    vide = couverture(q.iloc[0:0], a, P)
    assert vide.empty and {"code_qp", "filtre", "distance_m", "couvert"} <= set(vide.columns)
    sans_acteur = couverture(q, a.iloc[0:0], P)
    assert len(sans_acteur) == 6 and not sans_acteur["couvert"].any()
    assert sans_acteur["distance_m"].isna().all() and (sans_acteur["n_1000m"] == 0).all()
    r = resume_couverture(sans_acteur, q, a.iloc[0:0], P)
    assert (r["population_couverte"] == 0).all() and (r["acteurs_a_portee"] == 0).all()
    assert list(qpv_sans_offre(sans_acteur, q).code_qp) == ["QN08000M", "QN08001M", "QN08002M"]
