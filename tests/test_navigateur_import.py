"""The upload widget's refusals in a real browser (issue 12, point 14): `streamlit run` on
127.0.0.1, Debian's headless Chromium via Playwright, every request leaving 127.0.0.1 refused.

Streamlit's widget checks the type and the size in the browser, in English (« … files are not
allowed », « File must be … or smaller »), before the server sees anything; ``streamlit.testing``
does not run those checks. Here a macro workbook, a KML file and a file over 100 MB reach the
page, which refuses each in French, naming it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from navigateur import ARTEFACTS, exiger_navigateur, page_hors_ligne, serveur_streamlit

from ecosysteme.depot import ouvrir_depot
from ecosysteme.sources import televersement as tv

pytestmark = [pytest.mark.lent]
ANGLAIS = ("not allowed", "must be", "or smaller", "Error")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    exiger_navigateur()
    chemin = tmp_path / "store.gpkg"
    with ouvrir_depot(chemin, creer=True):
        pass
    return chemin


def test_refus_du_televersement_en_francais(store: Path, tmp_path: Path) -> None:
    gros = tmp_path / "tres_gros.csv"
    with gros.open("wb") as fh:
        fh.write(b"id,nom\n")
        bloc = b"1,a\n" * (1 << 18)  # 1 Mio
        for _ in range(tv.TAILLE_MAX // len(bloc) + 1):
            fh.write(bloc)
    (tmp_path / "lieux.xlsm").write_bytes(b"PK\x03\x04 pas vraiment un classeur")
    (tmp_path / "carte.kml").write_bytes(b'<?xml version="1.0"?><kml></kml>')
    attendus = {
        "lieux.xlsm": "classeur avec macros",
        "carte.kml": "format KML non pris en charge",
        "tres_gros.csv": "trop volumineux",
    }
    env = {"ECOSYSTEME_TELEVERSEMENTS": str(tmp_path / "televersements")}
    with serveur_streamlit(store, env) as url, page_hors_ligne() as (page, refusees, dialogues, erreurs):
        page.goto(f"{url}/Import")
        page.get_by_text("Fichier à importer").first.wait_for(timeout=90_000)
        for nom, motif in attendus.items():
            page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(
                str(tmp_path / nom)
            )
            alerte = page.get_by_text(motif, exact=False).first
            alerte.wait_for(timeout=120_000)
            texte = page.locator("[data-testid='stMain']").inner_text()
            assert nom in texte, texte
            for mot in ANGLAIS:
                assert mot not in texte, (mot, texte)
            page.screenshot(path=str(ARTEFACTS / f"import_refus_{Path(nom).suffix[1:]}.png"), full_page=True)
        assert dialogues == [] and erreurs == [], (dialogues, erreurs)
        assert refusees == [], refusees


def test_gros_fichier_lu_dans_un_processus_enfant_du_serveur(store: Path, tmp_path: Path) -> None:
    """Over 5 Mo the steps run in a child process of the real server (`streamlit run` through
    ``ecosysteme.ui.serveur``, as `ecosysteme lancer` starts it): the preview comes back."""
    from ecosysteme.inventaire.assistant import SEUIL_PROCESSUS

    entete = "id,pivot,nom,commune,code_postal,adresse,latitude,longitude,date_maj,services\n"
    ligne = (
        "lieu-{i},43493312300029,Médiathèque {i},Hem,59510,{i} rue du Général Leclerc,50.6521,3.1862,"
        '2024-05-02,"Aide aux démarches administratives"\n'
    )
    gros = tmp_path / "gros_standard.csv"
    with gros.open("w", encoding="utf-8") as fh:
        fh.write(entete)
        i = 0
        while fh.tell() <= SEUIL_PROCESSUS + 1024:
            fh.write(ligne.format(i=i))
            i += 1
    env = {"ECOSYSTEME_TELEVERSEMENTS": str(tmp_path / "televersements")}
    with serveur_streamlit(store, env) as url, page_hors_ligne() as (page, refusees, dialogues, erreurs):
        page.goto(f"{url}/Import")
        page.get_by_text("Fichier à importer").first.wait_for(timeout=90_000)
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(gros))
        page.get_by_text(f"sur {i})", exact=False).first.wait_for(
            timeout=240_000
        )  # « Premiers acteurs (20 sur N) »
        texte = page.locator("[data-testid='stMain']").inner_text()
        assert "Premiers acteurs" in texte and "gros_standard.csv" in texte, texte
        page.screenshot(path=str(ARTEFACTS / "import_gros_fichier.png"), full_page=True)
        assert dialogues == [] and erreurs == [], (dialogues, erreurs)
