"""The coverage map in a real browser: `streamlit run` on 127.0.0.1, Debian's headless Chromium
driven by Playwright, every request leaving 127.0.0.1 refused (no network at all).

CA Maubeuge Val de Sambre from ../shared/data, plus actors whose names and addresses are
script payloads: the map draws (QPV polygons, actor markers, legend), a click on a QPV opens its
sheet, a click on an actor opens its sheet, and no script from data ever runs.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from aide_store import acteur
from navigateur import ARTEFACTS, exiger_navigateur, page_hors_ligne, serveur_streamlit

from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.modeles import Categorie

pytestmark = [pytest.mark.donnees_reelles, pytest.mark.lent]
MAUBEUGE = "200043396"
#: Inside QN05918M (Sous-le-Bois, Maubeuge), where the payload actors are put.
LAT, LON = 50.2818, 3.9524
CHARGES = (
    "<img src=x onerror=alert(1)>",
    "${alert(2)}",
    "</script><script>alert(3)</script>",
    "`+alert(4)+`",
)
IFRAME = "iframe[title='streamlit_folium.st_folium']"


@pytest.fixture(scope="module")
def store_piege(depot_hdf: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    exiger_navigateur()
    copie = tmp_path_factory.mktemp("navigateur") / "store.gpkg"
    shutil.copy(depot_hdf, copie)
    with ouvrir_depot(copie) as depot:
        for k, charge in enumerate(CHARGES):
            depot.ajouter(
                acteur(
                    f"piege{k}",
                    nom=charge,
                    adresse=charge,
                    commune="Maubeuge",
                    code_postal="59600",
                    code_insee="59392",
                    latitude=LAT + k * 0.0004,
                    longitude=LON + k * 0.0004,
                    categorie=Categorie.CENTRE_SOCIAL,
                ),
                "test",
            )
    return copie


# JavaScript run inside the map's iframe (streamlit-folium names the map ``map_div``).
_JS_QPV = """() => {
    const out = [];
    map_div.eachLayer(l => {
        if (!l.feature || !l.feature.properties || !l.feature.properties.code_qp || !l._path) return;
        const r = l._path.getBoundingClientRect();
        for (let i = 1; i < 12; i++) for (let j = 1; j < 12; j++) {
            const x = r.left + r.width * i / 12, y = r.top + r.height * j / 12;
            if (document.elementFromPoint(x, y) === l._path) {
                out.push({code: l.feature.properties.code_qp, x: x - r.left, y: y - r.top,
                          aire: r.width * r.height, i: Array.from(
                              document.querySelectorAll('path.leaflet-interactive')).indexOf(l._path)});
                return;
            }
        }
    });
    out.sort((a, b) => b.aire - a.aire);
    return out;
}"""


_JS_MARQUEUR = """() => {
    for (const el of document.querySelectorAll('.leaflet-marker-icon:not(.ecs-grappe)')) {
        const r = el.getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        const vu = document.elementFromPoint(x, y);
        if (vu && (vu === el || el.contains(vu))) return [x, y];
    }
    return null;
}"""


def _attendre_texte(page: Any, texte: str, delai: float = 60) -> None:
    page.get_by_text(texte, exact=False).first.wait_for(timeout=delai * 1000)


def test_carte_maubeuge_hors_ligne(store_piege: Path) -> None:
    with (
        serveur_streamlit(store_piege) as url,
        page_hors_ligne() as (page, refusees, dialogues, erreurs),
    ):
        page.goto(f"{url}/Carte?epci={MAUBEUGE}")
        cadre = page.frame_locator(IFRAME)
        cadre.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=90_000)
        _attendre_texte(page, "CA Maubeuge Val de Sambre")
        frame = next(f for f in page.frames if "streamlit_folium" in f.url)
        # the map is drawn: 11 QPV polygons, actor markers or clusters, the legend
        assert cadre.locator("path.leaflet-interactive").count() >= 11
        assert cadre.locator(".leaflet-marker-icon").count() > 0
        legende = cadre.locator(".ecs-legende")
        assert legende.count() == 1
        for mot in ("Médiathèque", "France Services", "dans le QPV"):
            assert mot in legende.inner_text()
        assert frame.evaluate("() => typeof L") == "object"
        page.screenshot(path=str(ARTEFACTS / "carte_maubeuge.png"), full_page=True)

        # a click on the largest QPV opens its sheet (the map scrolled into view first: a click
        # while the page scrolls would land on the map's container)
        page.locator(IFRAME).scroll_into_view_if_needed()
        time.sleep(1)
        cibles = frame.evaluate(_JS_QPV)
        assert cibles, "aucun QPV cliquable"
        cible = cibles[0]
        boite = cadre.locator("path.leaflet-interactive").nth(cible["i"]).bounding_box()
        assert boite is not None
        page.mouse.click(boite["x"] + cible["x"], boite["y"] + cible["y"])
        _attendre_texte(page, f"({cible['code']})")
        _attendre_texte(page, "les plus proches d'abord")
        page.screenshot(path=str(ARTEFACTS / "carte_maubeuge_fiche_qpv.png"), full_page=True)

        # zoom on the payload actors, hover and click each marker: tooltips open, nothing runs
        frame = next(f for f in page.frames if "streamlit_folium" in f.url)
        frame.evaluate(f"() => map_div.setView([{LAT + 0.0006}, {LON + 0.0006}], 18, {{animate: false}})")
        time.sleep(1.5)
        marqueurs = cadre.locator(".leaflet-marker-icon")
        assert marqueurs.count() >= len(CHARGES)
        infobulles: list[str] = []
        for k in range(marqueurs.count()):
            marqueurs.nth(k).hover(force=True)
            time.sleep(0.2)
            infobulles += cadre.locator(".leaflet-tooltip").all_inner_texts()
        assert any("<img src=x onerror=alert(1)>" in t for t in infobulles), infobulles
        point = frame.evaluate(_JS_MARQUEUR)
        assert point, "aucun acteur cliquable"
        boite_cadre = page.locator(IFRAME).bounding_box()
        assert boite_cadre is not None
        page.mouse.click(boite_cadre["x"] + point[0], boite_cadre["y"] + point[1])
        _attendre_texte(page, "mise à jour")
        page.screenshot(path=str(ARTEFACTS / "carte_maubeuge_fiche_acteur.png"), full_page=True)
        time.sleep(1)
        assert frame.locator("img[src='x']").count() == 0
        assert page.locator("img[src='x']").count() == 0
        assert dialogues == [], dialogues
        assert erreurs == [], erreurs
        assert refusees == [], refusees
