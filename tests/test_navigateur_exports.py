"""The exported HTML maps of the « Lieu totem » and « Chevauchements » pages in a real browser,
offline: each file opened with ``file://`` in headless Chromium, every request other than
``file:`` and ``data:`` aborted and recorded. Checked: Leaflet loads, the map draws (one polygon
per QPV and the proposed site; one line per pair of actors open at the same hours), the
cartouche over the map shows the title, the precision and the sources, nothing was refused (no
request, no Content-Security-Policy refusal), no page error, no dialog. Screenshots go to
``tests/artefacts/``.

The lieu totem page is built the way the page builds it (pure functions); the overlaps page is
taken from the page itself (`streamlit.testing`: its HTML button, then the bytes kept in the
session). Last, the whole way through the running app: the lieu totem page, « Exporter cette
carte », PNG, « Préparer », and the file the browser downloads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from navigateur import (
    ARGS_CHROMIUM,
    ARTEFACTS,
    CHROMIUM,
    exiger_navigateur,
    page_hors_ligne,
    serveur_streamlit,
)
from streamlit.testing.v1 import AppTest

from ecosysteme.analyse.totem import totem_epci
from ecosysteme.cartes.actifs import actifs_statiques, html_autonome
from ecosysteme.cartes.chevauchements import COULEUR_CHEVAUCHEMENT
from ecosysteme.cartes.totem import COULEUR_EXISTANT, COULEUR_SITE, ETATS, carte_totem
from ecosysteme.depot import ouvrir_depot
from ecosysteme.exports.cartes import ligne_sources
from ecosysteme.exports.vues import SOURCES_DEFAUT, precision_totem

pytestmark = [pytest.mark.donnees_reelles, pytest.mark.lent]
RACINE = Path(__file__).resolve().parents[1]
MAUBEUGE = "200043396"
LIBELLE = "CA Maubeuge Val de Sambre (200043396)"
OFFRE = "Aide aux démarches administratives"


@dataclass
class Journal:
    """What the browser did that it should not have: requests refused, dialogs, page errors,
    console messages of Content-Security-Policy refusals."""

    refusees: list[str] = field(default_factory=list)
    dialogues: list[str] = field(default_factory=list)
    erreurs: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)

    def vide(self) -> bool:
        return not (self.refusees or self.dialogues or self.erreurs or self.csp)


@contextlib.contextmanager
def fichier_hors_ligne(chemin: Path) -> Iterator[tuple[Any, Journal]]:
    """``chemin`` opened in headless Chromium where only ``file:`` and ``data:`` may load."""
    exiger_navigateur()
    from playwright.sync_api import sync_playwright

    journal = Journal()

    def filtrer(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            journal.refusees.append(url)
            route.abort()

    def dialogue(d: Any) -> None:
        journal.dialogues.append(f"{d.type}: {d.message}")
        d.dismiss()

    def console(m: Any) -> None:
        if "Content Security Policy" in m.text:
            journal.csp.append(m.text)

    with sync_playwright() as pw:
        navigateur = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS_CHROMIUM, headless=True)
        try:
            contexte = navigateur.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
            contexte.route("**/*", filtrer)
            contexte.on("dialog", dialogue)
            page = contexte.new_page()
            page.set_default_timeout(20_000)
            page.on("pageerror", lambda e: journal.erreurs.append(str(e)))
            page.on("console", console)
            page.goto(chemin.as_uri())
            page.locator("path.leaflet-interactive").first.wait_for(state="attached")
            page.wait_for_timeout(500)
            yield page, journal
        finally:
            navigateur.close()


def _leaflet(page: Any) -> None:
    assert page.evaluate("typeof window.L") == "object"
    assert page.evaluate("L.version") == "1.9.3"


def _cartouche(page: Any) -> str:
    """The text of the box over the map (title, precision, sources), checked to be on top:
    the element at its centre is the box or inside it."""
    boite = page.locator("body > div").first
    assert boite.is_visible()
    dessus = page.evaluate(
        """() => {
            const b = document.body.firstElementChild, r = b.getBoundingClientRect();
            return b.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
        }"""
    )
    assert dessus, "le cartouche est caché par la carte"
    return " ".join(str(boite.inner_text()).replace("\u202f", " ").split())


def _chemins(page: Any, couleurs: set[str], *, attribut: str = "stroke", arcs: bool | None = None) -> int:
    """Interactive SVG paths whose ``attribut`` (stroke or fill) is one of ``couleurs``;
    ``arcs``: only circles (True) or only lines and polygons (False)."""
    return int(
        page.evaluate(
            """([couleurs, attribut, arcs]) => [...document.querySelectorAll("path.leaflet-interactive")]
                .filter((p) => couleurs.includes((p.getAttribute(attribut) || "").toLowerCase())
                    && (arcs === null || /a/i.test(p.getAttribute("d") || "") === arcs)).length""",
            [sorted(c.lower() for c in couleurs), attribut, arcs],
        )
    )


def test_carte_totem_exportee_hors_ligne(depot_hdf: Path, tmp_path: Path) -> None:
    exiger_navigateur()
    with ouvrir_depot(depot_hdf) as depot:
        res, _ = totem_epci(depot, MAUBEUGE, service=[OFFRE], rayon=1000.0, sites=1, candidats="acteurs")
        qpv = depot.qpv(siren_epci=MAUBEUGE)
    assert len(qpv) == 11 and len(res.choisis) == 1
    titre = f"Lieu totem du numérique — {LIBELLE}"
    precision = precision_totem(res, OFFRE)
    sources = ligne_sources(SOURCES_DEFAUT, dt.date.today())
    chemin = tmp_path / "lieu_totem.html"
    chemin.write_text(
        html_autonome(carte_totem(qpv, res, actifs_statiques()), titre, sources, precision), encoding="utf-8"
    )
    with fichier_hors_ligne(chemin) as (page, journal):
        _leaflet(page)
        # each QPV drawn, coloured by its state; the site, its walking radius, the existing offer
        assert _chemins(page, {c for c, _ in ETATS.values()}, arcs=False) == len(qpv)
        assert _chemins(page, {COULEUR_SITE}, arcs=True) == 1
        assert _chemins(page, {COULEUR_SITE}, attribut="fill", arcs=True) == 1
        assert _chemins(page, {COULEUR_EXISTANT}, arcs=True) == len(res.existants) >= 1
        assert page.title() == titre
        cartouche = _cartouche(page)
        for attendu in (titre, precision.replace("\u202f", " "), "Sources : ANCT — QPV 2024"):
            assert attendu in cartouche, attendu
        legende = page.locator(".ecs-legende").inner_text()
        for mot in ("Nouvellement à portée", "Toujours hors de portée", "Site proposé"):
            assert mot in legende, mot
        ARTEFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "export_lieu_totem_maubeuge.png"))
    assert journal.vide(), journal


def _html_chevauchements(depot_hdf: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    """The page's HTML export at 500 m (as the button prepares it) and the page's count of pairs
    open at the same hours."""
    monkeypatch.setenv("ECOSYSTEME_STORE", str(depot_hdf))
    at = AppTest.from_file(str(RACINE / "pages" / "9_Chevauchements.py"), default_timeout=180)
    at.query_params["epci"] = MAUBEUGE
    at.run()
    at.select_slider(key="chev_distance").set_value(500).run()
    at.button(key="chev_export_carte_html_bouton").click().run()
    assert not at.exception, at.exception
    n = next(
        int(m.group(1))
        for c in at.caption
        if (m := re.match(r"(\d+) paire\(s\) d'acteurs ouverts aux mêmes heures", c.value))
    )
    return at.session_state["chev_export_carte_html"][1].decode("utf-8"), n


def test_carte_chevauchements_exportee_hors_ligne(
    depot_hdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exiger_navigateur()
    html, n = _html_chevauchements(depot_hdf, monkeypatch)
    assert n >= 1
    chemin = tmp_path / "chevauchements.html"
    chemin.write_text(html, encoding="utf-8")
    with fichier_hors_ligne(chemin) as (page, journal):
        _leaflet(page)
        # one orange line per pair open at the same hours, and its two ends
        assert _chemins(page, {COULEUR_CHEVAUCHEMENT}, arcs=False) == n
        assert _chemins(page, {COULEUR_CHEVAUCHEMENT}, arcs=True) == 2 * n
        titre = f"Offres qui se chevauchent (à moins de 500 m à vol d'oiseau) — {LIBELLE}"
        assert page.title() == titre
        cartouche = _cartouche(page)
        for attendu in (
            titre,
            f"{n} paire(s) d'acteurs distincts ouverts aux mêmes heures",
            "Sources : ANCT — QPV 2024",
        ):
            assert attendu in cartouche, attendu
        legende = " ".join(page.locator(".ecs-legende").inner_text().split())
        assert f"Ouverts aux mêmes heures {n}" in legende, legende
        ARTEFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "export_chevauchements_maubeuge.png"))
    assert journal.vide(), journal


def test_telecharger_la_carte_a4_depuis_l_application(depot_hdf: Path, tmp_path: Path) -> None:
    from PIL import Image

    exiger_navigateur()
    with serveur_streamlit(depot_hdf) as url, page_hors_ligne() as (page, refusees, dialogues, erreurs):
        page.goto(f"{url}/Lieu_totem?epci={MAUBEUGE}")
        page.get_by_text("nouvellement à portée avec 1 site", exact=False).first.wait_for(timeout=120_000)
        page.get_by_text("Exporter cette carte").click()
        page.get_by_text("PNG (image 300 dpi)").click()
        page.get_by_role("button", name="Préparer la carte A4").click()
        bouton = page.get_by_role("button", name="Télécharger la carte A4 (PNG)")
        bouton.wait_for(timeout=120_000)
        with page.expect_download(timeout=60_000) as attente:
            bouton.click()
        telecharge = attente.value
        assert telecharge.suggested_filename == f"lieu_totem_{MAUBEUGE}_paysage.png"
        chemin = tmp_path / telecharge.suggested_filename
        telecharge.save_as(chemin)
        assert dialogues == [] and erreurs == [] and refusees == [], (dialogues, erreurs, refusees)
    with Image.open(chemin) as image:
        assert image.format == "PNG" and image.size == (3508, 2480)
        assert image.info["dpi"][0] == pytest.approx(300, abs=0.5)
