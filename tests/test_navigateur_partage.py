"""Two app processes on one PostGIS database, each driven by its own browser session: an edit
saved in one shows in the other, and the other's edit made on the stale copy is refused, both
versions shown, nothing lost (what only two real servers and real browsers show)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aide_postgis
import pytest
from navigateur import ARGS_CHROMIUM, ARTEFACTS, CHROMIUM, exiger_navigateur, serveur_streamlit

from ecosysteme.depot import ouvrir_depot

pytestmark = [pytest.mark.donnees_reelles, pytest.mark.lent]
MAUBEUGE = "200043396"


@contextlib.contextmanager
def deux_pages() -> Iterator[tuple[Any, Any, list[str]]]:
    """Two pages in two separate browser contexts (two people), every request leaving
    127.0.0.1 refused; yields them and the page errors of both."""
    from playwright.sync_api import sync_playwright

    erreurs: list[str] = []
    with sync_playwright() as pw:
        navigateur = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS_CHROMIUM)
        pages = []
        for _ in range(2):
            contexte = navigateur.new_context(viewport={"width": 1400, "height": 1800}, locale="fr-FR")
            contexte.route(
                "**/*",
                lambda r: (
                    r.continue_()
                    if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))
                    else r.abort()
                ),
            )
            page = contexte.new_page()
            page.on("pageerror", lambda e: erreurs.append(str(e)))
            pages.append(page)
        try:
            yield pages[0], pages[1], erreurs
        finally:
            navigateur.close()


def ouvrir_fiche(page: Any, url: str, ident: str) -> None:
    """Inventory of Maubeuge, search the actor by its identifier, tick its row, open its sheet."""
    page.goto(f"{url}/Inventaire?epci={MAUBEUGE}")
    page.get_by_text("CA Maubeuge Val de Sambre", exact=False).first.wait_for(timeout=90_000)
    recherche = page.get_by_label("Rechercher", exact=True).first
    recherche.fill(ident)
    recherche.press("Enter")
    grille = page.locator("[data-testid='stDataFrame']").first
    grille.wait_for(timeout=60_000)
    time.sleep(2)
    boite = grille.bounding_box()
    assert boite is not None
    page.mouse.click(boite["x"] + 18, boite["y"] + 35 + 17)  # the first row's tick box
    page.get_by_role("button", name="Ouvrir la fiche").click(timeout=30_000)
    page.get_by_role("tab", name="Fiche de l'acteur").click()
    page.get_by_text(f"identifiant {ident}", exact=False).first.wait_for(timeout=60_000)


def enregistrer_nom(page: Any, nom: str) -> None:
    champ = page.locator("input[aria-label='Nom *']:visible").first
    champ.fill(nom)
    champ.press("Tab")
    page.get_by_role("button", name="Enregistrer les modifications").click()


def test_deux_serveurs_une_base_modification_perimee_refusee(depot_hdf: Path) -> None:
    exiger_navigateur()
    with aide_postgis.base_copie_de(depot_hdf) as base:
        with ouvrir_depot(base) as d:
            acteur = d.lister(siren_epci=MAUBEUGE)[0]
        ident, version = acteur.id, acteur.version
        with (
            serveur_streamlit(base) as url_a,  # type: ignore[arg-type]
            serveur_streamlit(base) as url_b,  # type: ignore[arg-type]
            deux_pages() as (alice, bruno, erreurs),
        ):
            ouvrir_fiche(alice, url_a, ident)
            ouvrir_fiche(bruno, url_b, ident)
            enregistrer_nom(alice, "Version d'Alice")
            alice.get_by_text("est enregistré", exact=False).first.wait_for(timeout=60_000)
            alice.screenshot(path=str(ARTEFACTS / "partage_alice.png"), full_page=True)
            # Bruno, on the other server, still edits the copy he opened: refused, both shown
            enregistrer_nom(bruno, "Version de Bruno")
            garder = bruno.get_by_role("button", name="Garder la version enregistrée (abandonner la mienne)")
            garder.wait_for(timeout=60_000)
            bruno.get_by_text("Conflit : quelqu", exact=False).first.scroll_into_view_if_needed()
            bruno.screenshot(path=str(ARTEFACTS / "partage_bruno_conflit.png"))
            assert bruno.get_by_text("Version d'Alice", exact=False).count() >= 1
            assert erreurs == [], erreurs
        with ouvrir_depot(base) as d:
            relu = d.obtenir(ident)
            assert (relu.nom, relu.version) == ("Version d'Alice", version + 1)
            assert [e.auteur for e in d.historique(ident)][:1] != []
