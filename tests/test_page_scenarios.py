"""Page « Scénarios » with `streamlit.testing` on a copy of the real Hauts-de-France store:
closing the France Services of Sous-le-Bois loses coverage, the scenario is saved, reloaded and
compared; the inventory never changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from aide_store import instantane
from streamlit.testing.v1 import AppTest

from ecosysteme.depot import ouvrir_depot

pytestmark = pytest.mark.donnees_reelles
RACINE = Path(__file__).resolve().parents[1]
MAUBEUGE = "200043396"


def tableau(at: AppTest, colonne: str):  # type: ignore[no-untyped-def]
    return next(df.value for df in reversed(at.dataframe) if colonne in df.value.columns)


def test_fermer_tous_les_acteurs_d_aide_fait_perdre_des_quartiers(store_copie: str | Path) -> None:
    at = AppTest.from_file(str(RACINE / "pages" / "8_Scenarios.py"), default_timeout=120)
    at.query_params["epci"] = MAUBEUGE
    at.run()
    assert not at.exception
    avant = instantane(store_copie)["acteurs"]
    with ouvrir_depot(store_copie) as d:
        aide = [
            a.id
            for a in d.lister(siren_epci=MAUBEUGE)
            if "Aide aux démarches administratives" in a.services and a.statut.value == "actif"
        ]
    assert aide
    at.text_input(key="scenario_nouveau_nom").input("Sans aide administrative").run()
    at.multiselect(key="scenario_nouveau_fermes").set_value(aide).run()
    assert not at.exception
    resume = tableau(at, "différence")
    ligne = resume[resume["offre"] == "Aide aux démarches administratives"].iloc[0]
    assert ligne["différence"] < 0 and ligne["couverts dans le scénario"] < ligne["couverts aujourd'hui"]
    quartiers = tableau(at, "changement")
    assert "perd" in set(quartiers["changement"])
    at.button(key="scenario_enregistrer").click().run()
    assert any("enregistré" in s.value for s in at.success)
    assert instantane(store_copie)["acteurs"] == avant  # the inventory never changes
    # reload it and compare it with the inventory
    at.selectbox(key="scenario_charger").set_value("Sans aide administrative").run()
    assert set(at.multiselect(key="scenario_Sans aide administrative_fermes").value) == set(aide)
    at.multiselect(key="scenario_comparer").set_value(["Sans aide administrative"]).run()
    cote = tableau(at, "inventaire actuel").set_index("offre")
    assert (
        cote.loc["Aide aux démarches administratives", "Sans aide administrative"]
        < cote.loc["Aide aux démarches administratives", "inventaire actuel"]
    )
