"""A territory read once serves its parts: ``Territoire.partie`` gives, for an EPCI or a
département, the same frames as a fresh read of the store, reuses the coverage already computed,
and the département atlas of ``ecosysteme exporter`` reads the store's actors once for all its
EPCI (same files as one export per EPCI)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from aide_store import DepotCompte
from typer.testing import CliRunner

from ecosysteme.analyse import couverture as module_couverture
from ecosysteme.analyse.couverture import Parametres, filtre
from ecosysteme.analyse.territoire import Territoire, territoire_epci
from ecosysteme.cli import app
from ecosysteme.depot import DepotGeoPackage, ouvrir_depot
from ecosysteme.domaine.erreurs import ErreurEcosysteme

MAUBEUGE = "200043396"


def _meme_cadre(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


# --- by hand ---------------------------------------------------------------------------------
def _carre(x: float, y: float) -> shapely.Polygon:
    return shapely.box(x, y, x + 0.01, y + 0.01)


def _territoire_a_la_main() -> Territoire:
    """Two EPCI (A west, B east) in two départements; QPV « Q3 » straddles A and B."""
    qpv = gpd.GeoDataFrame(
        {
            "code_qp": ["Q1", "Q2", "Q3"],
            "siren_epci": ["A", "B", "A,B"],
            "insee_dep": ["59", "62", "59"],
            "population": [1000, 2000, 3000],
        },
        geometry=[_carre(0, 0), _carre(1, 0), _carre(0.5, 0)],
        crs="EPSG:4326",
    )
    communes = gpd.GeoDataFrame(
        {"code": ["59001", "62001"], "siren_epci": ["A", "B"], "insee_dep": ["59", "62"]},
        geometry=[_carre(0, 0), _carre(1, 0)],
        crs="EPSG:4326",
    )
    epci = gpd.GeoDataFrame(
        {"siren_epci": ["A", "B"], "nom_epci": ["CC A", "CA B"]},
        geometry=[shapely.box(-0.1, -0.1, 0.7, 0.1), shapely.box(0.7, -0.1, 1.1, 0.1)],
        crs="EPSG:4326",
    )
    acteurs = gpd.GeoDataFrame(
        {
            "id": ["a1", "b1"],
            "longitude": [0.005, 1.005],
            "latitude": [0.005, 0.005],
            "statut": ["actif"] * 2,
        },
        geometry=gpd.points_from_xy([0.005, 1.005], [0.005, 0.005]),
        crs="EPSG:4326",
    )
    return Territoire.depuis_cadres(qpv, communes, epci, acteurs)


def test_partie_d_un_epci_a_la_main() -> None:
    tout = _territoire_a_la_main()
    a = tout.partie(siren_epci="A")
    assert list(a.qpv["code_qp"]) == ["Q1", "Q3"]  # the QPV straddling A and B belongs to each
    assert list(a.communes["code"]) == ["59001"] and list(a.epci["nom_epci"]) == ["CC A"]
    assert a.tous is tout.tous and a.siren_epci == ("A",)
    assert list(a.acteurs_epci()["id"]) == ["a1"]
    assert tout.partie(siren_epci="A") is a  # made once
    assert territoire_epci(tout, "A") is a and territoire_epci(a, "A") is a
    assert list(tout.partie(siren_epci="B").qpv["code_qp"]) == ["Q2", "Q3"]
    assert list(tout.partie(insee_dep="62").qpv["code_qp"]) == ["Q2"]
    assert tout.partie(insee_dep=[]).qpv.empty  # an empty selection selects nothing
    assert tout.partie() is tout


def test_partie_reprend_la_couverture_deja_calculee(monkeypatch: pytest.MonkeyPatch) -> None:
    tout = _territoire_a_la_main()
    p = Parametres(filtres=(filtre("tous"),))
    complete = tout.couverture(p)
    appels = []
    origine = module_couverture.couverture
    monkeypatch.setattr(module_couverture, "couverture", lambda *a, **k: appels.append(1) or origine(*a, **k))
    b = tout.partie(siren_epci="B")
    _meme_cadre(b.couverture(p), complete[complete["code_qp"].isin(["Q2", "Q3"])])
    assert appels == []  # taken from the parent's table, not recomputed
    seule = Territoire.depuis_cadres(b.qpv, b.communes, b.epci, b.tous, siren_epci="B")
    _meme_cadre(b.couverture(p), seule.couverture(p))  # and the same as computed on its own


def test_partie_refusee_hors_du_territoire_lu() -> None:
    a = _territoire_a_la_main().partie(siren_epci="A")
    with pytest.raises(ErreurEcosysteme, match="n'y est pas entière"):
        a.partie(siren_epci="B")
    with pytest.raises(ErreurEcosysteme, match="n'y est pas entière"):
        a.partie(insee_dep="59")


# --- on the real Hauts-de-France store ----------------------------------------------------------
@pytest.mark.donnees_reelles
def test_parties_egales_a_une_lecture_du_depot(depot_hdf: Path) -> None:
    with ouvrir_depot(depot_hdf) as depot:
        tout = Territoire.lire(depot)
        sirens = [*sorted(set(depot.epci()["siren_epci"]))[:4], MAUBEUGE]
        for siren in sirens:
            lu, partie = Territoire.lire(depot, siren_epci=siren), tout.partie(siren_epci=siren)
            for couche in ("qpv", "communes", "epci"):
                _meme_cadre(getattr(partie, couche), getattr(lu, couche))
            _meme_cadre(partie.acteurs_epci(), depot.acteurs_gdf(siren_epci=siren))
        for dep in ("59", "80"):
            lu, partie = Territoire.lire(depot, insee_dep=dep), tout.partie(insee_dep=dep)
            _meme_cadre(partie.qpv, lu.qpv)
            _meme_cadre(partie.communes, lu.communes)


def _sirens_du_departement(depot_hdf: Path, dep: str) -> list[str]:
    with ouvrir_depot(depot_hdf) as depot:
        return sorted({s for v in depot.qpv(insee_dep=dep)["siren_epci"] for s in str(v).split(",")})


@pytest.mark.donnees_reelles
def test_atlas_d_un_departement_lit_les_acteurs_une_fois(
    depot_hdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """« exporter --departement 80 » writes the same tables as one « --epci » per EPCI, with one
    read of the store's actors for all of them (was one per EPCI)."""
    sirens = _sirens_du_departement(depot_hdf, "80")
    assert len(sirens) >= 2
    appels: list[str] = []
    origine = DepotGeoPackage.acteurs_gdf

    def compte(self: DepotGeoPackage, *args: object, **kwargs: object) -> gpd.GeoDataFrame:
        appels.append("acteurs_gdf")
        return origine(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DepotGeoPackage, "acteurs_gdf", compte)
    atlas = tmp_path / "atlas"
    args = ["exporter", "--format", "csv", "--store", str(depot_hdf)]
    res = CliRunner().invoke(app, [*args, "--departement", "80", "--sortie", str(atlas)])
    assert res.exit_code == 0, res.output
    assert appels == ["acteurs_gdf"] and f"pour {len(sirens)} EPCI" in res.output
    for siren in sirens:
        seul = tmp_path / siren
        res = CliRunner().invoke(app, [*args, "--epci", siren, "--sortie", str(seul)])
        assert res.exit_code == 0, res.output
        nom = f"lacunes_{siren}.csv"
        assert (atlas / nom).read_bytes() == (seul / nom).read_bytes(), siren


@pytest.mark.donnees_reelles
def test_fiche_d_une_partie_sans_relire_le_depot(depot_hdf: Path, tmp_path: Path) -> None:
    """The exports page's path: the fiche from the whole store's territory (already read by the
    pages) reads nothing more from the store."""
    from ecosysteme.exports.fiche import fiche_territoire

    with ouvrir_depot(depot_hdf) as depot:
        compte = DepotCompte(depot)
        tout = Territoire.lire(compte)  # type: ignore[arg-type]
        avant = dict(compte.appels)
        fiche_territoire(tout, MAUBEUGE, tmp_path / "fiche.docx")
    assert compte.appels == avant
    assert (tmp_path / "fiche.docx").stat().st_size > 10_000
