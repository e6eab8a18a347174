"""Territory summary on hand-made geometries: actors attached by geometry, a QPV straddling two
EPCI counted in each, unknown populations kept unknown."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import MultiPolygon, Point, box

from ecosysteme.analyse.resume import chiffres_cles, qpv_par_epci, rattacher, resume_par_epci
from ecosysteme.depot import ouvrir_depot


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


# --- mobile services: attached to every territory where they stop (issue 12, point 4) -----------


def _bus(
    ident: str, arrets: list[tuple[float, float]], point: tuple[float, float] | None = None
) -> dict[str, object]:
    return {
        "id": ident,
        "categorie": "France Services",
        "statut": "actif",
        "arrets": [{"nom": f"arrêt {k}", "longitude": x, "latitude": y} for k, (x, y) in enumerate(arrets)],
        "geometry": Point(point) if point is not None else None,
    }


def test_service_itinerant_rattache_a_chaque_epci_ou_il_s_arrete() -> None:
    lignes = [
        _bus("bus", [(3.05, 50.05), (3.15, 50.05), (3.16, 50.06)]),  # stops only: A, B, B
        _bus("depot", [(3.15, 50.05)], point=(3.05, 50.02)),  # its point in A, a stop in B
        _bus("loin", [(5.0, 45.0)]),  # a stop nowhere near
        {"id": "fixe", "categorie": "EPN", "statut": "actif", "arrets": [], "geometry": Point(3.05, 50.05)},
    ]
    a = gpd.GeoDataFrame(pd.DataFrame(lignes), geometry="geometry", crs=4326)
    r = rattacher(a, COMMUNES).set_index("id")
    # the commune of its point, else of its first stop in a commune
    assert r.loc["bus", "epci_geo"] == "200000001" and r.loc["bus", "commune_geo"] == "59001"
    assert r.loc["bus", "epcis_geo"] == ("200000001", "200000002")
    assert r.loc["bus", "deps_geo"] == ("59",)
    assert r.loc["depot", "epci_geo"] == "200000001"
    assert r.loc["depot", "epcis_geo"] == ("200000001", "200000002")
    assert r.loc["loin", "epci_geo"] is None and r.loc["loin", "epcis_geo"] == ()
    assert r.loc["fixe", "epcis_geo"] == ("200000001",)
    df = resume_par_epci(QPV, r.reset_index(), EPCI).set_index("siren_epci")
    # the two services count in both EPCI, the fixed place in its own only
    assert df.loc["200000001", "France Services"] == 2 and df.loc["200000002", "France Services"] == 2
    assert df.loc["200000001", "EPN"] == 1 and df.loc["200000002", "EPN"] == 0
    # an EPCI missing from the table gets no row from a stop (only an actor's own EPCI does)
    seul = resume_par_epci(QPV.iloc[:1], r.reset_index(), EPCI.iloc[:1]).set_index("siren_epci")
    assert list(seul.index) == ["200000001"] and seul.loc["200000001", "France Services"] == 2


def test_depot_service_par_ses_arrets_liste_dans_chaque_epci(tmp_path: Path) -> None:
    """From the store: a service known only by its stops (no point of its own) is read for each
    EPCI where it stops, listed there by the selection, and counted in each EPCI's summary."""
    from aide_store import acteur

    from ecosysteme.analyse.selection import Selection, filtrer
    from ecosysteme.domaine.modeles import Arret, Categorie

    with ouvrir_depot(tmp_path / "s.gpkg", creer=True) as depot:
        depot.remplacer_communes(COMMUNES, "test")
        depot.remplacer_epci(EPCI, "test")
        depot.remplacer_qpv(QPV, "test")
        arrets = [
            Arret(nom="Place du marché", latitude=50.05, longitude=3.05, horaires="Sa 09:00-12:00"),
            Arret(nom="Mairie", latitude=50.05, longitude=3.15, horaires="Tu 14:00-17:00"),
        ]
        depot.ajouter(
            acteur(
                "bus",
                nom="France Services itinérante",
                latitude=None,
                longitude=None,
                itinerance=["Itinérant"],
                arrets=arrets,
                categorie=Categorie.FRANCE_SERVICES,
            ),
            "test",
        )
        depot.ajouter(acteur("fixe", latitude=50.05, longitude=3.05), "test")
        communes = depot.communes()
        tous = rattacher(depot.acteurs_gdf(), communes)
        for siren in ("200000001", "200000002"):
            du_depot = rattacher(depot.acteurs_gdf(siren_epci=siren), communes)
            assert "bus" in set(du_depot["id"]), siren
            vue = filtrer(depot.qpv(), depot.epci(), communes, tous, Selection("32", "59", siren))
            assert "bus" in set(vue.acteurs["id"]), siren
            r = resume_par_epci(vue.qpv, vue.acteurs, vue.epci).set_index("siren_epci")
            assert r.loc[siren, "France Services"] == 1
        assert set(
            filtrer(depot.qpv(), depot.epci(), communes, tous, Selection("32", "59")).acteurs["id"]
        ) == {
            "bus",
            "fixe",
        }
