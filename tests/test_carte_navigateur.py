"""The exported coverage map in headless Chromium, offline, with hostile names.

``html_autonome`` of a small map whose actors are named ``<img src=x onerror=alert(1)>``,
``${alert(1)}``… and whose QPV is named ``<script>alert(1)</script>``, opened from a file with
every request other than ``file:`` / ``data:`` aborted. Checked: Leaflet loads, QPV polygons,
background canvas and legend are drawn, no dialog and no page error at load, on hover, on a
cluster click and on marker clicks; the names show as text; the Content-Security-Policy blocks
an injected inline handler; clicks give back what streamlit-folium returns (the QPV feature
with its ``code_qp``, the marker position) and the UI helpers decode them. A screenshot goes to
``tests/artefacts/``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
from navigateur import ARGS_CHROMIUM, ARTEFACTS, CHROMIUM
from shapely.geometry import Point, Polygon

from ecosysteme.cartes import (
    Mesure,
    acteur_clique,
    carte_couverture,
    code_qp_clique,
    html_autonome,
    id_acteur_clique,
)

pytestmark = pytest.mark.lent
ARGUMENTS = ARGS_CHROMIUM

NOM_QPV = "<script>alert(1)</script>"
NOMS_ACTEURS = (
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`${alert(2)}`",
    "</script><script>alert(3)</script>",
    "{{ 7*7 }}",
    "Médiathèque d'Hem",
)

# What streamlit-folium's frontend does (``onLayerClick`` on every layer of ``map._layers``):
# keep the clicked position and ``e.layer.toGeoJSON()`` of the last click.
ECOUTER_COMME_ST_FOLIUM = """
() => {
    const nom = Object.keys(window).find((k) => k.startsWith("map_") && window[k] instanceof L.Map);
    const carte = window[nom];
    window.__clic = {latlng: null, feature: null, n: 0};
    for (const id in carte._layers) {
        const couche = carte._layers[id];
        if (couche && typeof couche.on === "function") {
            couche.on("click", (e) => {
                window.__clic.latlng = e.latlng || null;
                window.__clic.n += 1;
                if (e.layer && typeof e.layer.toGeoJSON === "function") {
                    window.__clic.feature = e.layer.toGeoJSON();
                }
            });
        }
    }
    return nom;
}
"""


def _sync_playwright() -> Any:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium absent : test navigateur impossible")
    module = pytest.importorskip("playwright.sync_api", reason="playwright non installé")
    return module.sync_playwright


def _carte(tmp_path: Path) -> tuple[Path, gpd.GeoDataFrame]:
    carre = lambda x, y: Polygon([(x, y), (x + 0.01, y), (x + 0.01, y + 0.01), (x, y + 0.01)])  # noqa: E731
    qpv = gpd.GeoDataFrame(
        {
            "code_qp": ["QN<1>", "QN05918M"],
            "lib_qp": [NOM_QPV, "Sous-le-Bois"],
            "population": [1234.0, np.nan],
            "distance_m": [0.0, 450.0],
            "insee_dep": ["59", "59"],
        },
        geometry=[carre(3.0, 50.6), carre(3.02, 50.6)],
        crs=4326,
    )
    # one actor alone in the first QPV, the others a tight group (a cluster) beside the second
    points = [Point(3.005, 50.605)] + [Point(3.032 + 0.0003 * i, 50.605 + 0.0002 * i) for i in range(5)]
    acteurs = gpd.GeoDataFrame(
        {
            "id": [f"A{i}" for i in range(6)],
            "nom": list(NOMS_ACTEURS),
            "categorie": ["EPN", "Médiathèque", "France Services", "Fablab", "Autre", "Médiathèque"],
            "adresse": ["<b>1</b> rue ${x}"] * 6,
            "commune": ["Hem"] * 6,
            "date_maj": ["2022-06-01"] * 6,
            "services": [["Aide aux démarches administratives"]] * 6,
        },
        geometry=points,
        crs=4326,
    )
    communes = gpd.GeoDataFrame(
        {"code": ["59299"], "nom": ["<img src=y onerror=alert(4)>"], "insee_dep": ["59"]},
        geometry=[Polygon([(2.99, 50.59), (3.045, 50.59), (3.045, 50.62), (2.99, 50.62)])],
        crs=4326,
    )
    carte = carte_couverture(
        qpv,
        Mesure("distance_m", "Acteur le plus proche ${alert(5)}"),
        acteurs,
        communes=communes,
        epci=communes.rename(columns={"code": "siren_epci", "nom": "nom_epci"}),
        bandes=(300.0,),
    )
    chemin = tmp_path / "carte.html"
    chemin.write_text(html_autonome(carte, titre=NOM_QPV), encoding="utf-8")
    return chemin, acteurs


def test_carte_autonome_dans_chromium(tmp_path: Path) -> None:
    sync_playwright = _sync_playwright()
    chemin, acteurs = _carte(tmp_path)
    dialogues: list[str] = []
    erreurs: list[str] = []
    console: list[str] = []
    bloquees: list[str] = []

    def router(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            bloquees.append(url)
            route.abort()

    with sync_playwright() as p:
        navigateur = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGUMENTS, headless=True)
        try:
            page = navigateur.new_page(viewport={"width": 1000, "height": 720})
            page.set_default_timeout(10_000)
            page.route("**/*", router)
            page.on("dialog", lambda d: (dialogues.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: erreurs.append(str(e)))
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
            page.goto(chemin.as_uri())
            page.wait_for_selector(".ecs-legende", timeout=15_000)
            page.wait_for_timeout(500)
            ARTEFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTEFACTS / "carte_navigateur.png"))

            assert page.evaluate("typeof window.L") == "object"
            assert page.evaluate("L.version") == "1.9.3"
            assert page.evaluate("typeof L.markerClusterGroup") == "function"
            assert page.locator("path.leaflet-interactive").count() == 2  # the two QPV
            assert page.locator(".leaflet-pane canvas").count() >= 1  # communes, EPCI, band
            legende = page.locator(".ecs-legende").inner_text()
            for libelle in (
                "Acteur le plus proche ${alert(5)}",
                "dans le QPV",
                "Acteurs (6)",
                "limite d'EPCI",
            ):
                assert libelle in legende
            assert page.title() == NOM_QPV

            # QPV tooltip: the name shows as text
            page.locator("path.leaflet-interactive").first.hover(position={"x": 8, "y": 8})
            page.wait_for_timeout(200)
            infobulle = page.locator(".leaflet-tooltip").last.inner_text()
            assert NOM_QPV in infobulle and "1\u202f234 habitants" in infobulle

            # the lone marker: hover shows its name as text
            seul = page.locator(".leaflet-marker-icon:has(.ecs-acteur)")
            assert seul.count() == 1
            seul.hover()
            page.wait_for_timeout(200)
            assert NOMS_ACTEURS[0] in page.locator(".leaflet-tooltip").last.inner_text()

            # streamlit-folium's wiring: click a QPV, then the marker
            nom_carte = page.evaluate(ECOUTER_COMME_ST_FOLIUM)
            assert nom_carte.startswith("map_")
            x, y = page.evaluate(
                """(nom) => {
                    const carte = window[nom], boite = carte.getContainer().getBoundingClientRect();
                    const p = carte.latLngToContainerPoint([50.601, 3.021]);  // inside QN05918M
                    return [boite.left + p.x, boite.top + p.y];
                }""",
                nom_carte,
            )
            page.mouse.click(x, y)
            page.wait_for_timeout(200)
            clic = page.evaluate("window.__clic")
            assert code_qp_clique(clic["feature"]) == "QN05918M"
            seul.click()
            page.wait_for_timeout(200)
            clic = page.evaluate("window.__clic")
            assert acteur_clique(acteurs, clic["latlng"]["lat"], clic["latlng"]["lng"]) == "A0"
            assert id_acteur_clique(clic["feature"]) == "A0"

            # the legend folds away (it may hide part of a small map)
            page.locator(".ecs-legende summary").click()
            assert not page.locator(".ecs-legende .ecs-titre").first.is_visible()

            # open the cluster, hover and click every marker that appears
            grappe = page.locator(".leaflet-marker-icon.ecs-grappe")
            assert grappe.count() == 1 and grappe.inner_text().strip() == "5"
            grappe.click()
            page.wait_for_timeout(1200)
            marqueurs = page.locator(".leaflet-marker-icon:has(.ecs-acteur)")
            assert marqueurs.count() >= 5  # the five of the cluster (the lone one may be out of view)
            textes = []
            for i in range(marqueurs.count()):
                marqueurs.nth(i).hover(force=True)
                page.wait_for_timeout(100)
                textes.append(page.locator(".leaflet-tooltip").last.inner_text())
                marqueurs.nth(i).click(force=True)
            vus = " ".join(textes)
            for nom in NOMS_ACTEURS[1:]:
                assert nom in vus, nom
            assert "<b>1</b> rue ${x}" in vus  # the address too, as text
            page.screenshot(path=str(ARTEFACTS / "carte_navigateur_grappe.png"))

            # defence in depth: the CSP refuses an inline handler injected after load
            page.evaluate(
                """() => document.body.insertAdjacentHTML("beforeend",
                    '<img src="data:," onerror="window.__injecte = 1">')"""
            )
            page.wait_for_timeout(300)
            assert page.evaluate("window.__injecte") is None
            assert any("Content Security Policy" in m for m in console)
        finally:
            navigateur.close()

    assert dialogues == []
    assert erreurs == []
    assert bloquees == []
    # nothing but the injected handler was refused: the page's own scripts all ran
    refus = [m for m in console if "Content Security Policy" in m]
    assert all("inline event handler" in m for m in refus), refus


APPLI = """
import geopandas as gpd
import numpy as np
import streamlit as st
from shapely.geometry import Point, box
from streamlit_folium import st_folium

from ecosysteme.cartes import Mesure, acteur_clique, carte_couverture, code_qp_clique

qpv = gpd.GeoDataFrame(
    {"code_qp": ["QN<1>", "QN05918M"], "lib_qp": ["<script>alert(1)</script>", "Sous-le-Bois"],
     "population": [1234.0, np.nan], "distance_m": [0.0, 450.0], "insee_dep": ["59", "59"]},
    geometry=[box(3.0, 50.6, 3.01, 50.61), box(3.02, 50.6, 3.03, 50.61)], crs=4326)
acteurs = gpd.GeoDataFrame(
    {"id": ["A0", "A1"], "nom": ["<img src=x onerror=alert(1)>", "${alert(1)}"], "categorie": ["EPN", "Fablab"]},
    geometry=[Point(3.005, 50.605), Point(3.0215, 50.6085)], crs=4326)
carte = carte_couverture(qpv, Mesure("distance_m", "Acteur le plus proche"), acteurs, bandes=(300.0,))
sortie = st_folium(carte, height=480, use_container_width=True, key="carte",
                   returned_objects=["last_active_drawing", "last_object_clicked"])
clic = sortie.get("last_object_clicked") or {}
st.text(f"QPV={code_qp_clique(sortie.get('last_active_drawing'))}")
st.text(f"ACTEUR={acteur_clique(acteurs, clic.get('lat'), clic.get('lng'))}")
"""


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_carte_dans_streamlit_hors_ligne(tmp_path: Path) -> None:
    """The Streamlit path: assets from ``installer`` served by static serving, the map inside
    ``st_folium``'s iframe with no network, clicks decoded by the UI helpers."""
    sync_playwright = _sync_playwright()
    from ecosysteme.cartes import installer

    installer(tmp_path / "static")
    (tmp_path / "app.py").write_text(textwrap.dedent(APPLI), encoding="utf-8")
    port = _port_libre()
    serveur = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.enableStaticServing", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    dialogues: list[str] = []
    erreurs: list[str] = []
    bloquees: list[str] = []

    def router(route: Any) -> None:
        url = route.request.url
        if url.startswith((base, "data:", "blob:")):
            route.continue_()
        else:
            bloquees.append(url)
            route.abort()

    try:
        limite = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if serveur.poll() is not None or time.monotonic() > limite:
                    raise AssertionError(f"streamlit n'a pas démarré : {serveur.stderr}") from None
                time.sleep(0.3)
        with sync_playwright() as p:
            navigateur = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGUMENTS, headless=True)
            try:
                page = navigateur.new_page(viewport={"width": 1000, "height": 900})
                page.set_default_timeout(30_000)
                page.route("**/*", router)
                page.on("dialog", lambda d: (dialogues.append(d.message), d.dismiss()))
                page.on("pageerror", lambda e: erreurs.append(str(e)))
                page.goto(base)
                cadre = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
                cadre.locator(".ecs-legende").wait_for()
                page.wait_for_timeout(1000)
                assert cadre.locator("path.leaflet-interactive").count() == 2
                frame = next(f for f in page.frames if "streamlit_folium" in f.url)
                assert frame.evaluate("typeof L") == "object"
                assert frame.evaluate("L.version") == "1.9.3"

                x, y = frame.evaluate(
                    "() => { const p = map.latLngToContainerPoint([50.601, 3.021]); return [p.x, p.y]; }"
                )
                boite = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
                assert boite is not None
                page.mouse.click(boite["x"] + x, boite["y"] + y)
                page.get_by_text("QPV=QN05918M").wait_for()
                cadre.locator(".leaflet-marker-icon:has(.ecs-cat-1)").click()  # the Fablab, A1
                page.get_by_text("ACTEUR=A1").wait_for()
                ARTEFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTEFACTS / "carte_streamlit.png"))
            finally:
                navigateur.close()
    finally:
        serveur.terminate()
        try:
            serveur.wait(timeout=15)
        except subprocess.TimeoutExpired:
            serveur.kill()
            serveur.wait(timeout=15)
    assert dialogues == [] and erreurs == []
    assert bloquees == [], bloquees
