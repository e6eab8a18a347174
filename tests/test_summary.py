"""Territory summary on hand-made geometries: actors attached by geometry, a QPV straddling two
EPCI counted in each, unknown populations kept unknown."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import MultiPolygon, Point, box

from ecosysteme.store import ouvrir_depot
from ecosysteme.summary import chiffres_cles, qpv_par_epci, rattacher, resume_par_epci


def _carre(x0: float, y0: float, c: float = 0.1) -> MultiPolygon:
    return MultiPolygon([box(x0, y0, x0 + c, y0 + c)])


COMMUNES = gpd.GeoDataFrame(
    {
        "code": ["59001", "59002"],
        "nom": ["A", "B"],
        "insee_dep": ["59", "59"],
        "insee_reg": ["32", "32"],
        "population": [100, 200],
        "codes_postaux": ["59000", "59100"],
        "siren_epci": ["200000001", "200000002"],
    },
    geometry=[_carre(3.0, 50.0), _carre(3.1, 50.0)],
    crs=4326,
)
EPCI = gpd.GeoDataFrame(
    {
        "siren_epci": ["200000001", "200000002"],
        "nom_epci": ["CA Une", "CC Deux"],
        "type_epci": ["CA", "CC"],
        "population": [100, 200],
    },
    geometry=[_carre(3.0, 50.0), _carre(3.1, 50.0)],
    crs=4326,
)
QPV = gpd.GeoDataFrame(
    {
        "code_qp": ["QN05901M", "QN05902M", "QN05903M"],
        "lib_qp": ["Un", "A cheval", "Sans pop"],
        "insee_com": ["59001", "59001,59002", "59002"],
        "lib_com": ["A", "A, B", "B"],
        "insee_dep": ["59"] * 3,
        "insee_reg": ["32"] * 3,
        "siren_epci": ["200000001", "200000001,200000002", "200000002"],
        "population": pd.array([1000, 500, None], dtype="Int64"),
        "millesime": [2024] * 3,
    },
    geometry=[
        _carre(3.02, 50.02, 0.02),
        MultiPolygon([box(3.09, 50.05, 3.11, 50.06)]),
        _carre(3.15, 50.05, 0.02),
    ],
    crs=4326,
)


def _acteurs(
    points: list[tuple[float, float]], categories: list[str], statuts: list[str] | None = None
) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [f"a{i}" for i in range(len(points))],
            "categorie": categories,
            "statut": statuts or ["actif"] * len(points),
        },
        geometry=[Point(p) for p in points],
        crs=4326,
    )


def test_rattacher_par_geometrie_et_tolerance_cote() -> None:
    a = _acteurs(
        [(3.05, 50.05), (3.15, 50.05), (3.25, 50.05), (3.205, 50.05), (5.0, 45.0)],
        ["EPN", "EPN", "EPN", "EPN", "EPN"],
    )
    r = rattacher(a, COMMUNES)
    # inside A; inside B; 5 km east of B: nowhere; 500 m east of B: B (simplified coast); far: nowhere
    assert list(r["commune_geo"]) == ["59001", "59002", None, "59002", None]
    assert list(r["epci_geo"]) == ["200000001", "200000002", None, "200000002", None]


def test_qpv_a_cheval_compte_dans_chaque_epci() -> None:
    paires = qpv_par_epci(QPV)
    assert sorted(paires.loc[paires["code_qp"] == "QN05902M", "siren_epci"]) == ["200000001", "200000002"]
    a = rattacher(
        _acteurs(
            [(3.05, 50.05), (3.15, 50.05), (3.16, 50.05)],
            ["Médiathèque", "EPN", "EPN"],
            ["actif", "actif", "fermé"],
        ),
        COMMUNES,
    )
    df = resume_par_epci(QPV, a, EPCI).set_index("siren_epci")
    assert df.loc["200000001", "qpv"] == 2 and df.loc["200000001", "population_qpv"] == 1500
    assert df.loc["200000002", "qpv"] == 2
    assert df.loc["200000002", "population_qpv"] == 500  # known part only
    assert df.loc["200000002", "qpv_population_inconnue"] == 1  # the other one: unknown, not zero
    assert (
        df.loc["200000001", "Médiathèque"] == 1 and df.loc["200000002", "EPN"] == 1
    )  # closed one not counted
    cles = chiffres_cles(QPV, a)
    assert cles["qpv"] == 3 and cles["population_qpv"] == 1500 and cles["qpv_population_inconnue"] == 1
    assert cles["acteurs"] == 2 and cles["acteurs_fermes"] == 1


def test_epci_sans_acteur_ni_qpv_absent_et_vide(tmp_path: Path) -> None:
    df = resume_par_epci(QPV.iloc[0:0], rattacher(_acteurs([], []), COMMUNES), EPCI)
    assert df.empty


def test_depot_filtre_qpv_a_cheval(tmp_path: Path) -> None:
    with ouvrir_depot(tmp_path / "s.gpkg", creer=True) as depot:
        depot.remplacer_qpv(QPV, "test")
        assert sorted(depot.qpv(siren_epci="200000001")["code_qp"]) == ["QN05901M", "QN05902M"]
        assert sorted(depot.qpv(siren_epci="200000002")["code_qp"]) == ["QN05902M", "QN05903M"]
        assert sorted(depot.qpv(siren_epci=["200000001", "200000002"])["code_qp"]) == [
            "QN05901M",
            "QN05902M",
            "QN05903M",
        ]
        assert depot.qpv(siren_epci="20000000").empty  # a prefix is not a member
