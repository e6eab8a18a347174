"""The run command's path offline: build the store from a mirror folder, summarise, show the app."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from ecosysteme.cli import app
from ecosysteme.depot import ouvrir_depot

pytestmark = pytest.mark.donnees_reelles
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_depot_hdf_complet(depot_hdf: Path) -> None:
    with ouvrir_depot(depot_hdf) as depot:
        qpv = depot.qpv()
        assert len(qpv) == 204
        assert int(qpv["population"].sum()) == 753_115
        assert qpv.loc[qpv["code_qp"] == "QN05918M", "population"].iloc[0] == 10_341
        assert len(depot.epci()) == 92 and len(depot.communes()) == 3782
        assert depot.compter() == 420 + 243 + 189 + 1231
        maubeuge = depot.lister(siren_epci="200043396")
        assert len(maubeuge) > 10


def test_stats_epci(depot_hdf: Path) -> None:
    res = CliRunner().invoke(app, ["stats", "--store", str(depot_hdf), "--epci", "200043396"])
    assert res.exit_code == 0, res.output
    assert "Maubeuge" in res.output and "200043396" in res.output
    res = CliRunner().invoke(app, ["stats", "--store", str(depot_hdf)])
    assert "204 QPV" in res.output and "753 115 habitants" in res.output


def test_stats_epci_inconnu(depot_hdf: Path) -> None:
    res = CliRunner().invoke(app, ["stats", "--store", str(depot_hdf), "--epci", "999999999"])
    assert res.exit_code == 1 and "absent du dépôt" in res.output


def test_app_accueil(depot_hdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOSYSTEME_STORE", str(depot_hdf))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    metriques = {m.label: m.value for m in at.metric}
    assert metriques["Quartiers prioritaires"] == "204"
    assert metriques["Habitants des QPV"] == "753\u202f115"
    # choose CA Maubeuge Val de Sambre: the figures change
    at.sidebar.selectbox(key="departement").select("59").run()
    at.sidebar.selectbox(key="epci").select("200043396").run()
    assert not at.exception
    metriques = {m.label: m.value for m in at.metric}
    assert metriques["Quartiers prioritaires"] == "11"
    assert int(metriques["Acteurs actifs"]) > 10
    couv = at.dataframe[0].value.set_index("offre")
    assert couv.loc["Tout acteur", "QPV couverts"] == "11 / 11"
    aide_1000 = couv.loc["Aide aux démarches administratives", "habitants couverts"]
    at.select_slider(key="seuil").set_value(300).run()
    assert not at.exception
    couv = at.dataframe[0].value.set_index("offre")
    assert couv.loc["Aide aux démarches administratives", "habitants couverts"] < aide_1000
    assert any("sans aucun acteur à moins de 300 m" in m.value for m in at.markdown)


def test_app_sans_depot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOSYSTEME_STORE", str(tmp_path / "absent.gpkg"))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert any("Aucun dépôt" in w.value for w in at.warning)
    assert any("ecosysteme importer" in m.value for m in at.markdown)


def test_page_sources(depot_hdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOSYSTEME_STORE", str(depot_hdf))
    at = AppTest.from_file(str(Path(APP).parent / "pages" / "1_Sources.py"), default_timeout=60).run()
    assert not at.exception
    assert len(at.dataframe) == 3
    couches = at.dataframe[1].value
    assert set(couches["couche"]) == {"Périmètres des QPV", "Populations des QPV", "Communes", "EPCI"}
    assert "qpv2024_indicateurs" in " ".join(couches["fichier"]) or "qpv-population" in " ".join(
        couches["fichier"]
    )
    assert len(at.dataframe[2].value) == 4


# --- serving beyond loopback is refused (no accounts yet) -------------------------------------


@pytest.mark.parametrize("adresse", ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "exemple.fr", ""])
def test_lancer_refuse_une_adresse_hors_de_la_machine(adresse: str, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["lancer", "--adresse", adresse, "--store", str(tmp_path / "d.gpkg")])
    assert res.exit_code == 1
    assert "refusée" in res.output and "127.0.0.1" in res.output
    assert not (tmp_path / "d.gpkg").exists()


@pytest.mark.parametrize("adresse", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_adresses_locales_acceptees(adresse: str) -> None:
    from ecosysteme.domaine.config import refus_adresse

    assert refus_adresse(adresse) is None


def test_module_serveur_refuse_une_adresse_publique() -> None:
    """`python -m ecosysteme.ui.serveur app.py --server.address 0.0.0.0` (what `lancer` starts) stops
    before Streamlit listens; the project's config.toml keeps Streamlit itself on 127.0.0.1."""
    import subprocess
    import sys
    import tomllib

    racine = Path(__file__).resolve().parents[1]
    for args in (["--server.address", "0.0.0.0"], ["--server.address=0.0.0.0"]):
        res = subprocess.run(
            [sys.executable, "-m", "ecosysteme.ui.serveur", "app.py", *args],
            cwd=racine, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert res.returncode == 1 and "refusée" in res.stderr
    config = tomllib.loads((racine / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
