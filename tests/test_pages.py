"""The dashboard's pages with `streamlit.testing` on the real Hauts-de-France store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aide_store import acteur
from streamlit.testing.v1 import AppTest

from ecosysteme.store import ouvrir_depot

pytestmark = pytest.mark.donnees_reelles
RACINE = Path(__file__).resolve().parents[1]
MAUBEUGE = "200043396"


def page(nom: str) -> AppTest:
    chemin = RACINE / "app.py" if nom == "app" else RACINE / "pages" / nom
    return AppTest.from_file(str(chemin), default_timeout=90)


@pytest.fixture
def store(depot_hdf: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECOSYSTEME_STORE", str(depot_hdf))
    return depot_hdf


def choisir_maubeuge(at: AppTest) -> AppTest:
    at.sidebar.selectbox(key="departement").select("59").run()
    at.sidebar.selectbox(key="epci").select(MAUBEUGE).run()
    assert not at.exception
    return at


def test_lacunes_region_puis_epci(store: Path) -> None:
    at = page("3_Lacunes.py").run()
    assert not at.exception
    region = at.dataframe[0].value
    assert len(region) == 204
    # QPV without any actor within 1 km come first
    assert region["aucun acteur à portée"].iloc[0]
    assert any("QPV sans aucun acteur à moins de 1000 m" in e.value for e in at.error)
    choisir_maubeuge(at)
    m = at.dataframe[0].value
    assert len(m) == 11 and set(m["EPCI"]) == {MAUBEUGE}
    assert any("Chaque QPV du territoire" in s.value for s in at.success)
    assert "Aide aux démarches administratives" in m.columns
    # the biggest QPV of the EPCI has a France Services inside: 0 m
    grand = m.set_index("code").loc["QN05918M"]
    assert grand["habitants"] == 10_341 and grand["Aide aux démarches administratives"] == 0
    # counts instead of distances, then categories as columns
    at.radio(key="lacunes_mesure").set_value("nombre").run()
    assert at.dataframe[0].value.set_index("code").loc["QN05918M", "Aide aux démarches administratives"] >= 1
    at.selectbox(key="lacunes_famille").set_value("Catégories d'acteurs").run()
    assert "Médiathèque" in at.dataframe[0].value.columns
    # a shorter walk: fewer QPV covered
    at.select_slider(key="lacunes_seuil").set_value(300).run()
    assert not at.exception
    assert any("sans aucun acteur à moins de 300 m" in e.value for e in at.error)


def test_choix_conserve_et_url(store: Path) -> None:
    at = page("3_Lacunes.py")
    at.query_params["epci"] = MAUBEUGE
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key="epci").value == MAUBEUGE
    assert len(at.dataframe[0].value) == 11
    # search by commune narrows the EPCI list
    at.sidebar.text_input(key="recherche_epci").input("Hautmont").run()
    assert at.sidebar.selectbox(key="epci").options == [
        "(tous les EPCI)",
        f"CA Maubeuge Val de Sambre — {MAUBEUGE}",
    ]


def test_epci_sans_acteur_et_avec_un_acteur(
    depot_hdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every actor of CA Maubeuge Val de Sambre closed, then one reopened: the pages still work
    and the figures follow."""
    copie = tmp_path / "store.gpkg"
    shutil.copy(depot_hdf, copie)
    with ouvrir_depot(copie) as depot:
        ids = [a.id for a in depot.lister(siren_epci=MAUBEUGE)]
        for a in depot.lister(siren_epci=MAUBEUGE):
            depot.fermer(a.id, a.version, "test")
    assert ids
    monkeypatch.setenv("ECOSYSTEME_STORE", str(copie))
    at = choisir_maubeuge(page("app").run())
    metriques = {m.label: m.value for m in at.metric}
    assert metriques["Acteurs actifs"] == "0" and metriques["Quartiers prioritaires"] == "11"
    lac = choisir_maubeuge(page("3_Lacunes.py").run())
    m = lac.dataframe[0].value
    assert len(m) == 11
    with ouvrir_depot(copie) as depot:
        depot.ajouter(acteur("seul", nom="Seul lieu", latitude=50.2778, longitude=3.9727), "test")
    at = choisir_maubeuge(page("app").run())
    assert {m.label: m.value for m in at.metric}["Acteurs actifs"] == "1"
