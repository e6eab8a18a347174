"""Hostile text in a real browser (issue 12): `streamlit run` on 127.0.0.1, Debian's headless
Chromium via Playwright, every request leaving 127.0.0.1 refused and recorded.

The store holds the corpus of ``test_texte_hostile`` twice in CA Maubeuge Val de Sambre — through
the importer (cleaned, or refused) and written raw as records stored before the rules of text —
plus a duplicate pair and a saved scenario with hostile names, and an import batch with a hostile
file name. Every page is opened; the Inventaire form adds, shows and closes a hostile actor and
lists a refused one's errors; the Doublons page shows the « Fiche à garder » of the hostile pair
and merges it; the Scénarios page loads the hostile scenario. Everywhere: no dialog (``alert``),
no page error, no request to another address (the corpus points to ``piege.invalid``), no element
from the data (link, image, script, emphasis, heading…).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from navigateur import ARTEFACTS, exiger_navigateur, page_hors_ligne, serveur_streamlit
from test_texte_hostile import CORPUS, anciens, fichier_json

from ecosysteme.analyse.scenarios import Scenario
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.modeles import Acteur
from ecosysteme.inventaire.importation import importer_fichier

pytestmark = [pytest.mark.donnees_reelles, pytest.mark.lent]
MAUBEUGE = "200043396"
TERRITOIRE = "CA Maubeuge Val de Sambre"
NOM_DOUBLON = CORPUS["md_lien_image"]
#: Each page and a text it shows once drawn.
PAGES = {
    "": TERRITOIRE,
    "Sources": "Sources des données",
    "Carte": TERRITOIRE,
    "Lacunes": TERRITOIRE,
    "Inventaire": TERRITOIRE,
    "Import": "Importer des acteurs",
    "Doublons": TERRITOIRE,
    "Lieu_totem": TERRITOIRE,
    "Scenarios": TERRITOIRE,
    "Chevauchements": TERRITOIRE,
    "Exports": TERRITOIRE,
}

#: Elements that the corpus must never become, in the page and in each of its frames.
_JS_INJECTIONS = r"""() => {
    const trouves = [];
    const voir = (el) => trouves.push(el.outerHTML.slice(0, 200));
    for (const el of document.querySelectorAll('a, img, script, svg, iframe, object, embed, video, audio, source')) {
        const u = (el.getAttribute('src') || el.getAttribute('href') || el.getAttribute('data') || '').trim();
        if (u.startsWith('#')) continue;  // Streamlit's own anchors (headings, skip link)
        if (u.includes('piege') || /^(javascript|vbscript|data:text)/i.test(u) || u === 'x') voir(el);
        if (el.tagName === 'A' && !u.startsWith('#') && /piege|clic|alert|lien/.test(el.textContent)) voir(el);
        // a script made of a payload (the map's own scripts carry the names as escaped strings)
        if (el.tagName === 'SCRIPT' && /^\s*alert\(/.test(el.textContent)) voir(el);
    }
    // Markdown of the corpus become elements: **gras**, _it_, ~~barré~~, # Titre, - puce, > citation
    const regles = [['strong, b', /gras/], ['em, i', /^\s*it\s*$/], ['del, s', /barré/],
                    ['h1, h2, h3, h4, h5, h6', /^\s*Titre/], ['li', /puce/], ['blockquote', /citation/],
                    ['code, pre', /^\s*code\s*$|alert/]];
    for (const [sel, motif] of regles) for (const el of document.querySelectorAll(sel)) {
        if (motif.test(el.textContent)) voir(el);
    }
    for (const el of document.querySelectorAll('*')) {
        for (const a of el.getAttributeNames()) {
            if (a.startsWith('on') && /alert/.test(el.getAttribute(a) || '')) voir(el);
        }
    }
    return trouves;
}"""


@pytest.fixture(scope="module")
def store_hostile(depot_hdf: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    exiger_navigateur()
    dossier = tmp_path_factory.mktemp("navigateur_hostile")
    copie = dossier / "store.gpkg"
    shutil.copy(depot_hdf, copie)
    with ouvrir_depot(copie) as depot:
        importer_fichier(
            fichier_json(dossier / "h.json", "entree", sorted(CORPUS)),
            depot,
            auteur="test",
            nom="lieux <img src=http://piege.invalid/lot.png> [/].json",
        )
        for a in anciens():
            depot.ajouter(a, "ancien")
        for ident, dlat in (("dbl-a", 0.0), ("dbl-b", 0.0001)):
            depot.ajouter(
                Acteur(id=ident, nom=NOM_DOUBLON, adresse="3 rue de la Paix", commune="Maubeuge",
                       code_postal="59600", latitude=50.2775 + dlat, longitude=3.9734),
                "test",
            )  # fmt: skip
        depot.enregistrer_scenario(
            "piège",
            Scenario(nom="piège", horaires=(("dbl-a", "[x](http://piege.invalid/h) 25:00"),)).en_json(),
            "test",
        )
    return copie


def attendre(page: Any, texte: str, delai: float = 90) -> None:
    page.get_by_text(texte, exact=False).first.wait_for(timeout=delai * 1000)


def choisir(page: Any, libelle: str, texte: str) -> None:
    """Choose the option holding ``texte`` in a select box (typed to filter its list)."""
    page.get_by_label(libelle).first.click()
    page.keyboard.type(texte)
    page.get_by_role("option").filter(has_text=texte).first.click()
    stable(page)


def stable(page: Any) -> None:
    """Let the script run end (Streamlit shows its « Running » widget meanwhile)."""
    page.wait_for_function(
        '() => !document.querySelector(\'[data-testid="stStatusWidget"], [data-testid="stSkeleton"]\')',
        timeout=120_000,
    )
    time.sleep(1.5)


def injections(page: Any) -> list[str]:
    from playwright.sync_api import Error as ErreurPlaywright

    trouves: list[str] = []
    for cadre in page.frames:
        try:
            trouves += cadre.evaluate(_JS_INJECTIONS)
        except ErreurPlaywright as exc:  # a frame torn down by a rerun: nothing left to inspect
            if "detached" not in str(exc) and "destroyed" not in str(exc):
                raise
    return trouves


def verifier(page: Any, nom: str, refusees: list[str], dialogues: list[str], erreurs: list[str]) -> None:
    page.screenshot(path=str(ARTEFACTS / f"texte_hostile_{nom}.png"), full_page=True)
    trouvees = injections(page)
    assert trouvees == [], (nom, trouvees)
    assert dialogues == [], (nom, dialogues)
    assert refusees == [], (nom, refusees)
    assert erreurs == [], (nom, erreurs)
    assert page.get_by_text("Traceback").count() == 0, nom


def test_chaque_page(store_hostile: Path) -> None:
    with serveur_streamlit(store_hostile) as url, page_hors_ligne() as (page, refusees, dialogues, erreurs):
        for nom, texte in PAGES.items():
            page.goto(f"{url}/{nom}?epci={MAUBEUGE}")
            attendre(page, texte)
            stable(page)
            verifier(page, nom or "Accueil", refusees, dialogues, erreurs)


def test_inventaire_ajouter_fermer_et_erreurs(store_hostile: Path) -> None:
    valeur = CORPUS["md_lien_image"] + " " + CORPUS["gabarit_js"] + " " + CORPUS["bidi_rlo"]
    with serveur_streamlit(store_hostile) as url, page_hors_ligne() as (page, refusees, dialogues, erreurs):
        page.goto(f"{url}/Inventaire?epci={MAUBEUGE}")
        attendre(page, TERRITOIRE)
        page.get_by_role("tab", name="Ajouter un acteur").click()
        nom = page.get_by_label("Nom *").first
        nom.fill(valeur)
        nom.press("Tab")
        page.get_by_role("button", name="Enregistrer le nouvel acteur").click()
        attendre(page, "a été ajouté à l'inventaire")
        stable(page)
        verifier(page, "inventaire_ajout", refusees, dialogues, erreurs)
        assert page.get_by_text("[clic](javascript:alert(6))", exact=False).count() >= 1  # as text
        page.get_by_role("tab", name="Fiche de l'acteur").click()
        page.get_by_role("button", name="Fermer (garder dans l'historique)").click()
        attendre(page, "est fermé")
        stable(page)
        verifier(page, "inventaire_fermeture", refusees, dialogues, erreurs)
        # a refused actor: the error list shows each value as text
        page.goto(f"{url}/Inventaire?epci={MAUBEUGE}")
        attendre(page, TERRITOIRE)
        stable(page)
        page.get_by_role("tab", name="Ajouter un acteur").click()
        nom = page.get_by_label("Nom *").first
        nom.fill(CORPUS["html_img"])
        nom.press("Tab")
        rdv = page.get_by_label("Prise de rendez-vous (lien)").first
        rdv.fill(CORPUS["md_lien_image"])
        rdv.press("Tab")
        page.get_by_role("button", name="Enregistrer le nouvel acteur").click()
        attendre(page, "Rien n'a été enregistré")
        stable(page)
        verifier(page, "inventaire_erreurs", refusees, dialogues, erreurs)
    with ouvrir_depot(store_hostile) as d:
        assert not [a for a in d.lister() if "img" in a.nom and not a.id.startswith("ancien-")]


def test_doublons_et_scenarios(store_hostile: Path) -> None:
    with serveur_streamlit(store_hostile) as url, page_hors_ligne() as (page, refusees, dialogues, erreurs):
        page.goto(f"{url}/Doublons?epci={MAUBEUGE}")
        attendre(page, "Paire à examiner")
        stable(page)
        choisir(page, "Paire à examiner", "[clic](javascript")
        attendre(page, "Fiche à garder")
        stable(page)
        verifier(page, "doublons", refusees, dialogues, erreurs)
        assert page.get_by_text("[clic](javascript:alert(6))", exact=False).count() >= 1
        page.get_by_role("button", name="Fusionner").click()
        attendre(page, "fusionné dans")
        stable(page)
        verifier(page, "doublons_fusion", refusees, dialogues, erreurs)
        page.goto(f"{url}/Scenarios?epci={MAUBEUGE}")
        attendre(page, "Partir d'un scénario enregistré")
        stable(page)
        choisir(page, "Partir d'un scénario enregistré", "piège")
        attendre(page, "horaires comptés comme inconnus")
        stable(page)
        verifier(page, "scenarios", refusees, dialogues, erreurs)
