"""The dashboard's pages with `streamlit.testing` on the real Hauts-de-France store."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pytest
from aide_pdf import taille_pdf, texte_pdf
from aide_store import acteur
from PIL import Image
from streamlit.testing.v1 import AppTest

from ecosysteme.depot import ouvrir_depot
from ecosysteme.exports.cartes import ligne_sources
from ecosysteme.exports.vues import SOURCES_DEFAUT

pytestmark = pytest.mark.donnees_reelles
RACINE = Path(__file__).resolve().parents[1]
MAUBEUGE = "200043396"


def page(nom: str) -> AppTest:
    chemin = RACINE / "app.py" if nom == "app" else RACINE / "pages" / nom
    return AppTest.from_file(str(chemin), default_timeout=90)


@pytest.fixture
def store(depot_hdf: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECOSYSTEME_STORE", str(depot_hdf))
    return depot_hdf


def choisir_maubeuge(at: AppTest) -> AppTest:
    at.sidebar.selectbox(key="departement").select("59").run()
    at.sidebar.selectbox(key="epci").select(MAUBEUGE).run()
    assert not at.exception
    return at


def test_lacunes_region_puis_epci(store: Path) -> None:
    at = page("3_Lacunes.py").run()
    assert not at.exception
    region = at.dataframe[0].value
    assert len(region) == 204
    # QPV without any actor within 1 km come first
    assert region["aucun acteur à portée"].iloc[0]
    assert any("QPV sans aucun acteur à moins de 1000 m" in e.value for e in at.error)
    choisir_maubeuge(at)
    m = at.dataframe[0].value
    assert len(m) == 11 and set(m["EPCI"]) == {MAUBEUGE}
    assert any("Chaque QPV du territoire" in s.value for s in at.success)
    assert "Aide aux démarches administratives" in m.columns
    # the biggest QPV of the EPCI has a France Services inside: 0 m
    grand = m.set_index("code").loc["QN05918M"]
    assert grand["habitants"] == 10_341 and grand["Aide aux démarches administratives"] == 0
    # counts instead of distances, then categories as columns
    at.radio(key="lacunes_mesure").set_value("nombre").run()
    assert at.dataframe[0].value.set_index("code").loc["QN05918M", "Aide aux démarches administratives"] >= 1
    at.selectbox(key="lacunes_famille").set_value("Catégories d'acteurs").run()
    assert "Médiathèque" in at.dataframe[0].value.columns
    # a shorter walk: fewer QPV covered
    at.select_slider(key="lacunes_seuil").set_value(300).run()
    assert not at.exception
    assert any("sans aucun acteur à moins de 300 m" in e.value for e in at.error)


def test_choix_conserve_et_url(store: Path) -> None:
    at = page("3_Lacunes.py")
    at.query_params["epci"] = MAUBEUGE
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key="epci").value == MAUBEUGE
    assert len(at.dataframe[0].value) == 11
    # search by commune narrows the EPCI list
    at.sidebar.text_input(key="recherche_epci").input("Hautmont").run()
    assert at.sidebar.selectbox(key="epci").options == [
        "(tous les EPCI)",
        f"CA Maubeuge Val de Sambre — {MAUBEUGE}",
    ]


def test_epci_sans_acteur_et_avec_un_acteur(
    depot_hdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every actor of CA Maubeuge Val de Sambre closed, then one reopened: the pages still work
    and the figures follow."""
    copie = tmp_path / "store.gpkg"
    shutil.copy(depot_hdf, copie)
    with ouvrir_depot(copie) as depot:
        ids = [a.id for a in depot.lister(siren_epci=MAUBEUGE)]
        for a in depot.lister(siren_epci=MAUBEUGE):
            depot.fermer(a.id, a.version, "test")
    assert ids
    monkeypatch.setenv("ECOSYSTEME_STORE", str(copie))
    at = choisir_maubeuge(page("app").run())
    metriques = {m.label: m.value for m in at.metric}
    assert metriques["Acteurs actifs"] == "0" and metriques["Quartiers prioritaires"] == "11"
    lac = choisir_maubeuge(page("3_Lacunes.py").run())
    m = lac.dataframe[0].value
    assert len(m) == 11
    carte = choisir_maubeuge(page("2_Carte.py").run())
    assert any(c.value.startswith("11 QPV ; 0 acteur affiché sur 0 actif") for c in carte.caption)
    with ouvrir_depot(copie) as depot:
        depot.ajouter(acteur("seul", nom="Seul lieu", latitude=50.2778, longitude=3.9727), "test")
    at = choisir_maubeuge(page("app").run())
    assert {m.label: m.value for m in at.metric}["Acteurs actifs"] == "1"
    carte = choisir_maubeuge(page("2_Carte.py").run())
    assert any(c.value.startswith("11 QPV ; 1 acteur affiché sur 1 actif") for c in carte.caption)
    carte.segmented_control(key="fiche_genre").set_value("Acteur").run()
    carte.selectbox(key="fiche_acteur").set_value("seul").run()
    assert any("Seul lieu" in m.value for m in carte.markdown)


def test_carte_region_puis_epci_et_filtres(store: Path) -> None:
    at = page("2_Carte.py").run()
    assert not at.exception
    legende = [c.value for c in at.caption if "acteurs affichés" in c.value]
    assert legende and legende[0].startswith("204 QPV")
    choisir_maubeuge(at)
    texte = next(c.value for c in at.caption if "acteurs affichés" in c.value)
    assert texte.startswith("11 QPV ; 56 acteurs affichés sur 56 actifs")
    # filters on the actors shown: France Services (9), open on Saturday (2 of them: the hours
    # of the other 7 say closed or are unknown), then médiathèques as well (22, hours unknown)
    at.multiselect(key="carte_cat").select("categorie:France Services").run()
    texte = next(c.value for c in at.caption if "acteurs affichés" in c.value)
    assert texte.startswith("11 QPV ; 9 acteurs affichés sur 56 actifs")
    at.multiselect(key="carte_creneaux").select("samedi").run()
    texte = next(c.value for c in at.caption if "acteurs affichés" in c.value)
    assert texte.startswith("11 QPV ; 2 acteurs affichés sur 56 actifs")
    at.multiselect(key="carte_cat").select("categorie:Médiathèque").run()
    texte = next(c.value for c in at.caption if "acteurs affichés" in c.value)
    assert texte.startswith("11 QPV ; 2 acteurs affichés sur 56 actifs")
    at.multiselect(key="carte_creneaux").unselect("samedi").run()
    texte = next(c.value for c in at.caption if "acteurs affichés" in c.value)
    assert texte.startswith("11 QPV ; 31 acteurs affichés sur 56 actifs")
    # another measure and offer: the page still draws
    at.selectbox(key="carte_offre").set_value("service:Aide aux démarches administratives")
    at.radio(key="carte_mesure").set_value("couvert").run()
    at.checkbox(key="carte_bandes").check().run()
    assert not at.exception


def test_carte_fiche_qpv_et_acteur(store: Path) -> None:
    at = page("2_Carte.py")
    at.query_params["epci"] = MAUBEUGE
    at.run()
    assert not at.exception
    at.selectbox(key="fiche_qpv").set_value("QN05918M").run()
    titres = [m.value for m in at.markdown]
    assert any("(QN05918M)" in t and "Sous" in t for t in titres)
    assert any("10\u202f341 habitants" in t for t in titres)
    offres = at.dataframe[0].value.set_index("offre")
    assert offres.loc["Tout acteur", "plus proche (m)"] == 0
    proches = at.dataframe[1].value
    assert len(proches) >= 5 and proches["distance (m)"].is_monotonic_increasing
    at.segmented_control(key="fiche_genre").set_value("Acteur").run()
    ids = at.selectbox(key="fiche_acteur").options
    assert len(ids) == 56
    at.selectbox(key="fiche_acteur").set_value(at.selectbox(key="fiche_acteur").options[0]).run()
    assert not at.exception
    champs = at.dataframe[0].value.set_index("champ")
    assert "Catégorie" in champs.index


def test_carte_sans_depot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOSYSTEME_STORE", str(tmp_path / "absent.gpkg"))
    for nom in ("2_Carte.py", "3_Lacunes.py"):
        at = page(nom).run()
        assert not at.exception
        assert any("Aucun dépôt" in w.value for w in at.warning)


def test_url_epci_inconnu_revient_a_la_region(store: Path) -> None:
    """A shared link to an EPCI absent from the store (typo, other région): no error, the région."""
    for nom in ("app", "2_Carte.py", "3_Lacunes.py"):
        at = page(nom)
        at.query_params["epci"] = "999999999"
        at.run()
        assert not at.exception
        assert at.sidebar.selectbox(key="epci").value == "(tous)"
        assert at.sidebar.selectbox(key="region").value == "32"


def test_fiche_qpv_montre_chaque_offre_au_seuil_choisi(store: Path) -> None:
    """At 1 500 m, an offer whose nearest place is between 1 000 and 1 500 m is covered and still
    listed on the sheet (every offer of the standard is listed, covered or not)."""
    at = page("2_Carte.py")
    at.query_params["epci"] = MAUBEUGE
    at.run()
    at.select_slider(key="carte_seuil").set_value(1500).run()
    at.selectbox(key="fiche_qpv").set_value("QN05919M").run()
    assert not at.exception
    offres = at.dataframe[0].value.set_index("offre")
    assert len(offres) == 44
    # Louvroil centre: nearest conseiller numérique 1 381 m away, none within 1 000 m
    cn = offres.loc["Conseiller numérique"]
    assert cn["plus proche (m)"] == pytest.approx(1381, abs=1)
    assert cn["à 1 000 m"] == 0 and cn["à moins de 1500 m"]


# --- « Exporter cette carte » on the coverage page ----------------------------------------------

EXPORT = "carte_export_"
#: A4 in PostScript points (297 × 210 mm).
A4_PAYSAGE = (841.89, 595.28)


def _telechargements(at: AppTest) -> set[str]:
    """Keys of the export block's download buttons on the page."""
    return {str(b.key) for b in at.download_button if str(b.key).startswith(EXPORT)}


def _mediatheques_maubeuge() -> tuple[AppTest, int]:
    """The coverage page of Maubeuge showing the médiathèques only, and how many it shows."""
    at = page("2_Carte.py")
    at.query_params["epci"] = MAUBEUGE
    at.run()
    at.multiselect(key="carte_cat").select("categorie:Médiathèque").run()
    assert not at.exception
    legende = next(c.value for c in at.caption if "acteurs affichés" in c.value)
    trouve = re.match(r"11 QPV ; (\d+) acteurs affichés", legende)
    assert trouve, legende
    return at, int(trouve.group(1))


def test_carte_export_document_filtre_orientation_png(store: Path, tmp_path: Path) -> None:
    at, n = _mediatheques_maubeuge()
    assert n == 22
    assert not _telechargements(at)  # nothing prepared yet
    at.button(key=EXPORT + "document_bouton").click().run()
    assert not at.exception
    (_, orientation, format_), pdf, nom, mime = at.session_state[EXPORT + "document"]
    assert (orientation, format_, mime) == ("paysage", "pdf", "application/pdf")
    assert nom == f"carte_couverture_{MAUBEUGE}_paysage.pdf"
    assert _telechargements(at) == {EXPORT + "document_telecharger"}
    assert pdf.startswith(b"%PDF")
    largeur, hauteur = taille_pdf(pdf)
    assert largeur == pytest.approx(A4_PAYSAGE[0], abs=0.5) and hauteur == pytest.approx(
        A4_PAYSAGE[1], abs=0.5
    )
    texte = texte_pdf(pdf)
    for attendu in (
        "Inclusion numérique : l'offre autour des quartiers prioritaires",
        "CA Maubeuge Val de Sambre (200043396) — offre : Tout acteur",
        "Acteurs affichés : catégorie Médiathèque",
        "Légende",
        # the page's count of actors shown, and no other category than the one chosen
        f"Acteurs sur la carte ({n}) Médiathèque ({n})",
        ligne_sources(SOURCES_DEFAUT, dt.date.today()),
    ):
        assert attendu in texte, attendu
    assert "France Services (" not in texte

    # portrait: the landscape page is no longer offered until prepared again
    at.radio(key=EXPORT + "orientation").set_value("portrait").run()
    assert not _telechargements(at)
    at.button(key=EXPORT + "document_bouton").click().run()
    assert _telechargements(at) == {EXPORT + "document_telecharger"}
    _, pdf, nom, _ = at.session_state[EXPORT + "document"]
    assert nom.endswith("_portrait.pdf")
    largeur, hauteur = taille_pdf(pdf)
    assert largeur == pytest.approx(A4_PAYSAGE[1], abs=0.5) and hauteur == pytest.approx(
        A4_PAYSAGE[0], abs=0.5
    )
    assert "Acteurs affichés : catégorie Médiathèque" in texte_pdf(pdf)

    # PNG, landscape: 3 508 × 2 480 pixels at 300 dpi
    at.radio(key=EXPORT + "orientation").set_value("paysage")
    at.radio(key=EXPORT + "format").set_value("png").run()
    at.button(key=EXPORT + "document_bouton").click().run()
    assert not at.exception
    (_, orientation, format_), png, nom, mime = at.session_state[EXPORT + "document"]
    assert (orientation, format_, mime, nom) == (
        "paysage",
        "png",
        "image/png",
        f"carte_couverture_{MAUBEUGE}_paysage.png",
    )
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (3508, 2480)
        assert image.info["dpi"] == (pytest.approx(300, abs=0.5), pytest.approx(300, abs=0.5))


def test_carte_export_html_filtre_et_fichiers_perimes(store: Path) -> None:
    at, _ = _mediatheques_maubeuge()
    at.button(key=EXPORT + "html_bouton").click().run()
    at.button(key=EXPORT + "document_bouton").click().run()
    assert not at.exception
    assert _telechargements(at) == {EXPORT + "html_telecharger", EXPORT + "document_telecharger"}
    parametres, octets, _, _ = at.session_state[EXPORT + "html"]
    html = octets.decode("utf-8")
    assert (
        "<title>Tout acteur : distance au plus proche — CA Maubeuge Val de Sambre (200043396)</title>" in html
    )
    assert "Acteurs affichés : catégorie Médiathèque" in html and "Sources : ANCT — QPV 2024" in html
    assert "<script src=" not in html and '<link rel="stylesheet" href=' not in html
    assert "Content-Security-Policy" in html

    # another walking distance: neither file shows what the page shows any more
    at.select_slider(key="carte_seuil").set_value(500).run()
    assert not at.exception
    assert not _telechargements(at)
    assert at.session_state[EXPORT + "html"][1] == octets  # kept, not offered
    at.button(key=EXPORT + "html_bouton").click().run()
    assert _telechargements(at) == {EXPORT + "html_telecharger"}
    assert at.session_state[EXPORT + "html"][0] != parametres and 500 in at.session_state[EXPORT + "html"][0]
    at.button(key=EXPORT + "document_bouton").click().run()
    assert _telechargements(at) == {EXPORT + "html_telecharger", EXPORT + "document_telecharger"}

    # every actor shown again: stale, and once prepared the page has no « Acteurs affichés » line
    at.multiselect(key="carte_cat").unselect("categorie:Médiathèque").run()
    assert not _telechargements(at)
    at.button(key=EXPORT + "html_bouton").click().run()
    assert "Acteurs affichés" not in at.session_state[EXPORT + "html"][1].decode("utf-8")
