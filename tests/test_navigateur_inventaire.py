"""The inventory form in a real browser (what only a browser shows): `streamlit run` on
127.0.0.1, Debian's headless Chromium via Playwright, every request leaving 127.0.0.1 refused.

A new actor is placed by a click on the map (Leaflet served by the app itself), then saved: it is
in the store at the clicked point, and the page shows no error and runs no outside request."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from navigateur import ARTEFACTS, exiger_navigateur, page_hors_ligne, serveur_streamlit

from ecosysteme.depot import ouvrir_depot

pytestmark = [pytest.mark.donnees_reelles, pytest.mark.lent]
MAUBEUGE = "200043396"
IFRAME = "iframe[title='streamlit_folium.st_folium']"


@pytest.fixture
def store(depot_hdf: Path, tmp_path: Path) -> Path:
    exiger_navigateur()
    copie = tmp_path / "store.gpkg"
    shutil.copy(depot_hdf, copie)
    return copie


def test_ajouter_un_acteur_place_sur_la_carte(store: Path) -> None:
    with ouvrir_depot(store) as d:
        avant = d.compter()
    with (
        serveur_streamlit(store) as url,
        page_hors_ligne() as (page, refusees, dialogues, erreurs),
    ):
        page.goto(f"{url}/Inventaire?epci={MAUBEUGE}")
        page.get_by_text("CA Maubeuge Val de Sambre", exact=False).first.wait_for(timeout=90_000)
        page.get_by_role("tab", name="Ajouter un acteur").click()
        nom = page.get_by_label("Nom *").first
        nom.fill("Tiers-lieu de la Sambre")
        nom.press("Tab")
        page.get_by_text("Sur la carte", exact=True).first.click()
        # offline first: the map draws the communes, no tiles unless asked for
        cadre = page.locator(IFRAME).first
        cadre.wait_for(timeout=60_000)
        cadre.scroll_into_view_if_needed()
        time.sleep(2)
        boite = cadre.bounding_box()
        assert boite is not None
        page.mouse.click(boite["x"] + boite["width"] / 2 + 30, boite["y"] + boite["height"] / 2 + 20)
        page.get_by_text("Point retenu", exact=False).first.wait_for(timeout=30_000)
        page.screenshot(path=str(ARTEFACTS / "inventaire_ajout_carte.png"), full_page=True)
        page.get_by_role("button", name="Enregistrer le nouvel acteur").click()
        page.get_by_text("a été ajouté à l'inventaire", exact=False).first.wait_for(timeout=60_000)
        page.screenshot(path=str(ARTEFACTS / "inventaire_ajoute.png"), full_page=True)
        assert dialogues == [] and erreurs == [], (dialogues, erreurs)
        assert refusees == [], refusees
    with ouvrir_depot(store) as d:
        assert d.compter() == avant + 1
        nouveau = next(a for a in d.lister() if a.nom == "Tiers-lieu de la Sambre")
        assert nouveau.latitude is not None and 49.0 < nouveau.latitude < 51.5
        assert nouveau.longitude is not None and 1.5 < nouveau.longitude < 4.5
