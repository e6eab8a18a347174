"""Page « Lieu totem » with `streamlit.testing` on the real Hauts-de-France store (read-only):
CA Maubeuge Val de Sambre, one site, 1 000 m, « Aide aux démarches administratives »."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.donnees_reelles
RACINE = Path(__file__).resolve().parents[1]
MAUBEUGE = "200043396"


@pytest.fixture
def store(depot_hdf: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECOSYSTEME_STORE", str(depot_hdf))
    return depot_hdf


def test_lieu_totem_maubeuge(store: Path) -> None:
    at = AppTest.from_file(str(RACINE / "pages" / "7_Lieu_totem.py"), default_timeout=180)
    at.run()
    assert not at.exception
    assert any("Choisissez un EPCI" in i.value for i in at.info)
    at = AppTest.from_file(str(RACINE / "pages" / "7_Lieu_totem.py"), default_timeout=180)
    at.query_params["epci"] = MAUBEUGE
    at.run()
    assert not at.exception, at.exception
    (succes,) = [s.value for s in at.success]
    assert "nouvellement à portée avec 1 site(s)" in succes and "optimal" in succes
    sites = at.dataframe[0].value
    assert len(sites) == 1 and sites["dont nouvellement à portée"].iloc[0] > 0
    # the figure announced is the sum of the sites' newly covered residents
    annonce = int(succes.split(" habitant")[0].replace(" ", ""))
    assert annonce == int(sites["dont nouvellement à portée"].sum())
    # two sites never reach fewer residents
    at.number_input(key="totem_sites").set_value(2).run()
    (succes2,) = [s.value for s in at.success]
    assert int(succes2.split(" habitant")[0].replace(" ", "")) >= annonce
