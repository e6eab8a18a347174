"""Stops of a mobile service on the coverage map, in a real browser (issue 12, point 4).

CA Maubeuge Val de Sambre and CC du Pays de Mormal from ../shared/data, plus a France Services
bus known only by its stops: one in Sous-le-Bois (Maubeuge, Saturday), one in Cœur d'Étoile
(Pays de Mormal, Tuesday). Each EPCI's map draws the stop(s) in it, with the stop's schedule in
its tooltip; a click on a stop opens the service's sheet; no script from data runs.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from aide_store import acteur
from navigateur import ARTEFACTS, exiger_navigateur, page_hors_ligne, serveur_streamlit

from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.modeles import Arret, Categorie

pytestmark = [pytest.mark.donnees_reelles, pytest.mark.lent]
MAUBEUGE, MORMAL = "200043396", "200043321"
IFRAME = "iframe[title='streamlit_folium.st_folium']"
CHARGE = "${alert(7)} {{ 7*7 }} `+alert(8)+`"


@pytest.fixture(scope="module")
def store_bus(depot_hdf: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    exiger_navigateur()
    copie = tmp_path_factory.mktemp("navigateur_arrets") / "store.gpkg"
    shutil.copy(depot_hdf, copie)
    with ouvrir_depot(copie) as depot:
        qpv = depot.qpv()
        # a point inside Sous-le-Bois (Maubeuge) and inside the Pays de Mormal's QPV
        sous_le_bois = qpv[qpv["code_qp"] == "QN05918M"]
        mormal = qpv[qpv["siren_epci"].astype(str).str.contains(MORMAL)].iloc[:1]
        points = []
        for ligne in (sous_le_bois, mormal):
            assert len(ligne) == 1
            p = (
                gpd.GeoSeries(ligne.geometry, crs=4326)
                .to_crs(2154)
                .representative_point()
                .to_crs(4326)
                .iloc[0]
            )
            points.append((str(ligne["code_qp"].iloc[0]), p.y, p.x))
        (code_a, lat_a, lon_a), (code_b, lat_b, lon_b) = points
        arrets = [
            Arret(
                nom="Place du marché",
                adresse=CHARGE,
                latitude=lat_a,
                longitude=lon_a,
                horaires="Sa 09:00-12:00",
            ),
            Arret(nom="Mairie de Landrecies", latitude=lat_b, longitude=lon_b, horaires="Tu 14:00-17:00"),
        ]
        depot.ajouter(
            acteur(
                "bus-fs",
                nom="France Services itinérante de la Sambre",
                latitude=None,
                longitude=None,
                itinerance=["Itinérant"],
                arrets=arrets,
                categorie=Categorie.FRANCE_SERVICES,
                date_maj=None,
            ),
            "test",
        )
    return copie, {"a": (code_a, lat_a, lon_a), "b": (code_b, lat_b, lon_b)}


def _survoler_arret(page: Any, lat: float, lon: float, numero: int) -> str:
    """Centre the map on a stop, hover its square (its number in the round), return the
    tooltip's text."""
    frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    # the stop near the upper-left corner, below the zoom buttons: its tooltip opens to the right,
    # above the legend
    frame.evaluate(
        f"() => {{ map_div.setView([{lat}, {lon}], 17, {{animate: false}});"
        " const t = map_div.getSize();"
        " map_div.panBy([t.x / 2 - 55, t.y / 2 - 110], {animate: false}); }"
    )
    time.sleep(1.5)
    cadre = page.frame_locator(IFRAME)
    carre = cadre.locator(".leaflet-marker-pane .ecs-arret", has_text=re.compile(f"^{numero}$"))
    assert carre.count() == 1
    carre.hover(force=True)
    cadre.locator(".leaflet-tooltip").first.wait_for(timeout=10_000)
    return " ".join(cadre.locator(".leaflet-tooltip").all_inner_texts())


def test_arrets_dessines_sur_la_carte_de_chaque_epci(store_bus: tuple[Path, dict[str, Any]]) -> None:
    store, lieux = store_bus
    _, lat_a, lon_a = lieux["a"]
    _, lat_b, lon_b = lieux["b"]
    with (
        serveur_streamlit(store) as url,
        page_hors_ligne() as (page, refusees, dialogues, erreurs),
    ):
        page.goto(f"{url}/Carte?epci={MAUBEUGE}")
        cadre = page.frame_locator(IFRAME)
        cadre.locator(".ecs-arret").first.wait_for(state="attached", timeout=90_000)
        page.get_by_text("CA Maubeuge Val de Sambre").first.wait_for(timeout=60_000)
        assert "Services itinérants" in cadre.locator(".ecs-legende").inner_text()
        page.locator(IFRAME).scroll_into_view_if_needed()
        time.sleep(1)
        texte = _survoler_arret(page, lat_a, lon_a, 1)
        assert "Place du marché" in texte and "Horaires : samedi 09:00–12:00" in texte, texte
        assert "France Services itinérante de la Sambre" in texte and CHARGE in texte, texte
        page.screenshot(path=str(ARTEFACTS / "carte_arrets_maubeuge.png"), full_page=True)
        # a click on the stop opens the service's sheet
        boite = cadre.locator(".leaflet-marker-pane .ecs-arret", has_text=re.compile("^1$")).bounding_box()
        assert boite is not None
        page.mouse.click(boite["x"] + boite["width"] / 2, boite["y"] + boite["height"] / 2)
        # the sheet's table (« Service itinérant : 2 arrêts ») is drawn on a canvas: its cell is in
        # the page's accessible copy of the table
        page.get_by_text("Service itinérant").first.wait_for(state="attached", timeout=60_000)
        time.sleep(1)
        page.screenshot(path=str(ARTEFACTS / "carte_arrets_maubeuge_fiche.png"), full_page=True)

        # the neighbouring EPCI lists the same service: its stop there is drawn, with its hours
        page.goto(f"{url}/Carte?epci={MORMAL}")
        cadre = page.frame_locator(IFRAME)
        cadre.locator(".ecs-arret").first.wait_for(state="attached", timeout=90_000)
        page.get_by_text("CC du Pays de Mormal").first.wait_for(timeout=60_000)
        page.locator(IFRAME).scroll_into_view_if_needed()
        time.sleep(1)
        texte = _survoler_arret(page, lat_b, lon_b, 2)
        assert "Mairie de Landrecies" in texte and "Horaires : mardi 14:00–17:00" in texte, texte
        page.screenshot(path=str(ARTEFACTS / "carte_arrets_mormal.png"), full_page=True)
        frame = next(f for f in page.frames if "streamlit_folium" in f.url)
        assert frame.locator("img[src='x']").count() == 0
        assert dialogues == [], dialogues
        assert erreurs == [], erreurs
        assert refusees == [], refusees
