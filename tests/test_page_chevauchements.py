"""Page « Chevauchements » with `streamlit.testing` on the real Hauts-de-France store (read-only):
CA Maubeuge Val de Sambre has the GIP Réussir en Sambre Avesnois and the Centre socio-culturel de
l'Épinette 125 m apart, open together 32 h 30 a week for the same services."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.donnees_reelles
RACINE = Path(__file__).resolve().parents[1]
MAUBEUGE = "200043396"


def test_chevauchements_maubeuge(depot_hdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOSYSTEME_STORE", str(depot_hdf))
    at = AppTest.from_file(str(RACINE / "pages" / "9_Chevauchements.py"), default_timeout=120)
    at.query_params["epci"] = MAUBEUGE
    at.run()
    assert not at.exception, at.exception
    t = at.dataframe[0].value
    certains = t[t["horaires"] == "chevauchement"]
    assert len(certains) >= 1
    ligne = certains[
        certains["acteur A"].str.contains("epinette", case=False)
        | certains["acteur B"].str.contains("epinette", case=False)
    ]
    assert len(ligne) >= 1
    assert ligne["heures communes / semaine"].iloc[0] == pytest.approx(32.5)
    assert ligne["distance (m)"].iloc[0] == pytest.approx(125.1, abs=0.5)
    # at 100 m they are no longer neighbours
    at.select_slider(key="chev_distance").set_value(100).run()
    assert not at.exception
    restants = at.dataframe[0].value if at.dataframe else None
    assert (
        restants is None
        or not (
            restants["acteur A"].str.contains("epinette", case=False)
            | restants["acteur B"].str.contains("epinette", case=False)
        ).any()
    )


def test_chevauchements_du_departement_par_epci(depot_hdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOSYSTEME_STORE", str(depot_hdf))
    at = AppTest.from_file(str(RACINE / "pages" / "9_Chevauchements.py"), default_timeout=120)
    at.query_params["departement"] = "59"
    at.run()
    assert not at.exception, at.exception
    resume = next(df.value for df in at.dataframe if "siren_epci" in df.value.columns)
    assert MAUBEUGE in set(resume["siren_epci"])
