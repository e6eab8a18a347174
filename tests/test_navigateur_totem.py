"""The lieu totem map in a real browser, offline (what only a browser shows): the QPV of CA Maubeuge
Val de Sambre coloured by what the proposed site changes, its walking radius drawn, the legend."""

from __future__ import annotations

from pathlib import Path

import pytest
from navigateur import ARTEFACTS, exiger_navigateur, page_hors_ligne, serveur_streamlit

pytestmark = [pytest.mark.donnees_reelles, pytest.mark.lent]
MAUBEUGE = "200043396"
IFRAME = "iframe[title='streamlit_folium.st_folium']"


def test_carte_du_lieu_totem(depot_hdf: Path) -> None:
    exiger_navigateur()
    with serveur_streamlit(depot_hdf) as url, page_hors_ligne() as (page, refusees, dialogues, erreurs):
        page.goto(f"{url}/Lieu_totem?epci={MAUBEUGE}")
        cadre = page.frame_locator(IFRAME)
        cadre.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=120_000)
        page.get_by_text("nouvellement à portée avec 1 site", exact=False).first.wait_for(timeout=60_000)
        # 11 QPV polygons + the radius circle + the site + existing actors
        assert cadre.locator("path.leaflet-interactive").count() >= 13
        legende = cadre.locator(".ecs-legende").inner_text()
        for mot in ("Nouvellement à portée", "Déjà couvert", "Toujours hors de portée", "Site proposé"):
            assert mot in legende
        page.screenshot(path=str(ARTEFACTS / "lieu_totem_maubeuge.png"), full_page=True)
        assert dialogues == [] and erreurs == [] and refusees == [], (dialogues, erreurs, refusees)
