"""Page « Doublons » with `streamlit.testing` on a copy of the real Hauts-de-France store:
pairs proposed, merge field by field (one actor left, the other in the history), « pas un
doublon » remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ecosysteme.depot import ouvrir_depot
from ecosysteme.depot.interface import Action

pytestmark = pytest.mark.donnees_reelles
RACINE = Path(__file__).resolve().parents[1]
MAUBEUGE = "200043396"


def page() -> AppTest:
    at = AppTest.from_file(str(RACINE / "pages" / "6_Doublons.py"), default_timeout=120)
    at.query_params["epci"] = MAUBEUGE
    return at.run()


def paire_choisie(at: AppTest) -> tuple[str, str]:
    tab = at.dataframe[0].value
    rang = at.selectbox(key="doublons_paire").value
    return str(tab["id A"].iloc[rang]), str(tab["id B"].iloc[rang])


def test_fusion_d_une_paire(store_copie: str | Path) -> None:
    at = page()
    assert not at.exception
    tab = at.dataframe[0].value
    assert len(tab) >= 1 and (tab["score"] >= 70).all()
    id_a, id_b = paire_choisie(at)
    with ouvrir_depot(store_copie) as d:
        avant = d.compter()
    at.button(key="doublons_fusionner").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("fusionné" in s.value for s in at.success)
    with ouvrir_depot(store_copie) as d:
        assert d.compter() == avant - 1
        assert d.fusions() == {id_b: id_a}  # the first record is kept by default
        assert d.historique(id_b)[0].action == Action.FUSION
    # the merged pair is no longer proposed
    assert (id_a, id_b) not in set(
        zip(at.dataframe[0].value["id A"], at.dataframe[0].value["id B"], strict=True)
    )


def test_pas_un_doublon_est_retenu(store_copie: str | Path) -> None:
    at = page()
    id_a, id_b = paire_choisie(at)
    at.button(key="doublons_non").click().run()
    assert not at.exception
    with ouvrir_depot(store_copie) as d:
        assert d.non_doublons() == {tuple(sorted((id_a, id_b)))}
        assert d.fusions() == {}
    paires = set(zip(at.dataframe[0].value["id A"], at.dataframe[0].value["id B"], strict=True))
    assert (id_a, id_b) not in paires
