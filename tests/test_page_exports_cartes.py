"""« Exporter cette carte » on the « Lieu totem » and « Chevauchements » pages, with
`streamlit.testing` on the real Hauts-de-France store (read-only), CA Maubeuge Val de Sambre.

What the prepared files say is read back: the PDF's text (``pdftotext -raw``) and page size, the
HTML page's title, precision line, Content-Security-Policy and resources; each figure in them is
compared with what the page itself shows (the « Sites proposés » table, the count of overlapping
pairs in the caption). A file prepared with other parameters is no longer offered for download.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aide_pdf import taille_pdf, texte_pdf
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.donnees_reelles
RACINE = Path(__file__).resolve().parents[1]
MAUBEUGE = "200043396"
LIBELLE = "CA Maubeuge Val de Sambre (200043396)"
OFFRE = "Aide aux démarches administratives"
TOTEM = "totem_export_carte_"
CHEV = "chev_export_carte_"
#: A4 in PostScript points (210 × 297 mm).
A4 = (841.89, 595.28)
#: What would make a browser fetch something: an element loading a URL other than ``data:``,
#: a CSS ``url()`` other than ``data:`` or a fragment, an ``@import``.
EXTERNE = re.compile(
    r"""<(?:script|link|img|iframe|embed|object|source|audio|video)\b[^>]*?\s(?:src|href)\s*=\s*["']?(?!data:)"""
    r"""[^"'\s>]|(?<![\w.$])url\(\s*["']?(?!data:|#)[^)"'\s]|@import\b""",
    re.IGNORECASE,
)


def texte_html(page: str) -> str:
    """The HTML with entities decoded and narrow no-break spaces as spaces."""
    return html_lib.unescape(page).replace("\u202f", " ")


def telechargements(at: AppTest, cle: str) -> set[str]:
    """Keys of the export block's download buttons on the page."""
    return {str(b.key) for b in at.download_button if str(b.key).startswith(cle)}


def _page(nom: str) -> AppTest:
    at = AppTest.from_file(str(RACINE / "pages" / nom), default_timeout=180)
    at.query_params["epci"] = MAUBEUGE
    return at


@pytest.fixture(scope="module")
def store(depot_hdf: Path) -> Iterator[Path]:
    """The real store for the whole module (read-only: the pages only read it)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ECOSYSTEME_STORE", str(depot_hdf))
        yield depot_hdf


@dataclass(frozen=True)
class Exports:
    """What a page showed and the files it prepared with its default parameters."""

    page: AppTest
    pdf: bytes
    nom_pdf: str
    html: str


def _preparer(at: AppTest, cle: str) -> Exports:
    at.button(key=cle + "document_bouton").click().run()
    assert not at.exception, at.exception
    at.button(key=cle + "html_bouton").click().run()
    assert not at.exception, at.exception
    assert telechargements(at, cle) == {cle + "html_telecharger", cle + "document_telecharger"}
    (_, orientation, format_), pdf, nom_pdf, mime = at.session_state[cle + "document"]
    assert (orientation, format_, mime) == ("paysage", "pdf", "application/pdf")
    _, octets, _, _ = at.session_state[cle + "html"]
    return Exports(at, pdf, nom_pdf, octets.decode("utf-8"))


# --- lieu totem -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def totem(store: Path) -> Exports:
    """The page with its defaults (1 site, 1 000 m, « Aide aux démarches administratives »), both
    files prepared."""
    at = _page("7_Lieu_totem.py").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="totem_services").value == [OFFRE]
    assert at.number_input(key="totem_sites").value == 1
    assert not telechargements(at, TOTEM)  # nothing prepared yet
    return _preparer(at, TOTEM)


def _annonce(at: AppTest) -> str:
    """« 3 953 » from « 3 953 habitant(s) des QPV nouvellement à portée avec 1 site(s) … »."""
    (succes,) = [s.value for s in at.success]
    trouve = re.match(r"([\d ]+) habitant\(s\) des QPV nouvellement à portée", succes)
    assert trouve, succes
    return trouve.group(1)


def test_totem_pdf_nomme_le_site_du_tableau(totem: Exports, tmp_path: Path) -> None:
    sites, quartiers = totem.page.dataframe[0].value, totem.page.dataframe[1].value
    assert len(sites) == 1
    site = str(sites["site"].iloc[0])
    nouveaux = f"{int(sites['dont nouvellement à portée'].iloc[0]):,}".replace(",", " ")
    annonce = _annonce(totem.page)
    assert nouveaux == annonce  # one site: it brings every newly covered resident
    # « Quartiers atteints »: the QPV newly within reach, as many as the legend counts
    n_nouveaux = int((quartiers["etat"] == "nouvellement couvert").sum())
    assert n_nouveaux >= 1
    assert totem.pdf.startswith(b"%PDF") and totem.nom_pdf == f"lieu_totem_{MAUBEUGE}_paysage.pdf"
    largeur, hauteur = taille_pdf(totem.pdf)
    assert largeur == pytest.approx(A4[0], abs=0.5) and hauteur == pytest.approx(A4[1], abs=0.5)
    texte = texte_pdf(totem.pdf)
    for attendu in (
        "Lieu totem du numérique : où il atteindrait le plus d'habitants",
        LIBELLE,
        f"Offre : {OFFRE} ; distance à vol d'oiseau : 1 000 m ; {annonce} habitant(s) des QPV nouvellement à portée",
        "Légende",
        f"QPV — avec le(s) lieu(x) totem proposé(s) Nouvellement à portée ({n_nouveaux})",
        # the site numbered as on the map, named as in the page's table, then its walking radius
        f"Lieu(x) totem proposé(s) 1. {site} — {nouveaux} hab. nouvellement à portée à moins de 1 000 m à vol d'oiseau",
        "Sources : ANCT — QPV 2024",
    ):
        assert attendu in texte, attendu


def test_totem_html_precision_et_csp(totem: Exports) -> None:
    page = totem.html
    lu = texte_html(page)
    assert f"<title>Lieu totem du numérique — {LIBELLE}</title>" in lu
    annonce = _annonce(totem.page)
    assert f"Offre : {OFFRE} ; distance à vol d'oiseau : 1 000 m ; {annonce} habitant(s) des QPV" in lu
    assert "Sources : ANCT — QPV 2024" in lu
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'' in page
    assert EXTERNE.findall(page) == []


def test_totem_fichiers_perimes_quand_le_nombre_de_sites_change(store: Path) -> None:
    at = _page("7_Lieu_totem.py").run()
    _preparer(at, TOTEM)
    pdf, html = at.session_state[TOTEM + "document"][1], at.session_state[TOTEM + "html"][1]
    at.number_input(key="totem_sites").set_value(2).run()
    assert not at.exception, at.exception
    # the files of one site are kept but no longer offered; the tables' CSV still are
    assert not telechargements(at, TOTEM)
    assert any(str(b.key).startswith("totem_export_sites") for b in at.download_button)
    assert at.session_state[TOTEM + "html"][1] == html
    # prepared again: offered, and made with two sites
    at.button(key=TOTEM + "html_bouton").click().run()
    assert telechargements(at, TOTEM) == {TOTEM + "html_telecharger"}
    parametres, nouveau, _, _ = at.session_state[TOTEM + "html"]
    assert 2 in parametres and nouveau != html
    at.button(key=TOTEM + "document_bouton").click().run()
    assert telechargements(at, TOTEM) == {TOTEM + "html_telecharger", TOTEM + "document_telecharger"}
    assert at.session_state[TOTEM + "document"][1] != pdf


# --- chevauchements ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chevauchements(store: Path) -> Exports:
    """The page at 500 m, both files prepared."""
    at = _page("9_Chevauchements.py").run()
    assert not at.exception, at.exception
    at.select_slider(key="chev_distance").set_value(500).run()
    assert not at.exception, at.exception
    return _preparer(at, CHEV)


def _paires_meme_heures(at: AppTest) -> int:
    """N of the caption « N paire(s) d'acteurs ouverts aux mêmes heures ; … »."""
    for c in at.caption:
        trouve = re.match(r"(\d+) paire\(s\) d'acteurs ouverts aux mêmes heures", c.value)
        if trouve:
            return int(trouve.group(1))
    raise AssertionError("légende des paires absente de la page")


def test_chevauchements_pdf_compte_les_paires_de_la_page(chevauchements: Exports, tmp_path: Path) -> None:
    n = _paires_meme_heures(chevauchements.page)
    assert n >= 1  # Maubeuge has some: the count below means something
    assert chevauchements.nom_pdf == f"chevauchements_{MAUBEUGE}_paysage.pdf"
    largeur, hauteur = taille_pdf(chevauchements.pdf)
    assert largeur == pytest.approx(A4[0], abs=0.5) and hauteur == pytest.approx(A4[1], abs=0.5)
    texte = texte_pdf(chevauchements.pdf)
    for attendu in (
        "Offres qui se chevauchent",
        LIBELLE,
        f"{n} paire(s) d'acteurs distincts ouverts aux mêmes heures",
        "Légende",
        "Chevauchements (à moins de 500 m à vol d'oiseau)",
        f"ouverts aux mêmes heures ({n})",
        "Acteurs concernés (",
        "Sources : ANCT — QPV 2024",
    ):
        assert attendu in texte, attendu


def test_chevauchements_html_sans_ressource_externe(chevauchements: Exports) -> None:
    page = chevauchements.html
    n = _paires_meme_heures(chevauchements.page)
    lu = texte_html(page)
    assert f"<title>Offres qui se chevauchent (à moins de 500 m à vol d'oiseau) — {LIBELLE}</title>" in lu
    assert f"{n} paire(s) d'acteurs distincts ouverts aux mêmes heures" in lu
    assert "Content-Security-Policy" in page
    assert EXTERNE.findall(page) == []
    # no tiles: the CSP lets images come from data: only
    assert re.search(r"img-src data:;", page)


def test_ressources_externes_reconnues() -> None:
    """The detector of external resources is not blind (the tests above rely on it)."""
    for morceau in (
        '<script src="https://unpkg.com/leaflet.js"></script>',
        '<link rel="stylesheet" href="leaflet.css"/>',
        "<img src=http://a.tile.openstreetmap.org/1/1/1.png>",
        "<style>.x{background:url(https://cdn.example.org/i.png)}</style>",
        '<style>@import "https://cdn.example.org/x.css";</style>',
    ):
        assert EXTERNE.search(morceau), morceau
    for morceau in (
        '<img src="data:image/png;base64,AAAA">',
        "<style>.x{background:url(data:image/png;base64,AAAA)}</style>",
        '<a href="https://leafletjs.com">Leaflet</a>',
        "<script>L.TileLayer.prototype.getTileUrl(t)</script>",
    ):
        assert not EXTERNE.search(morceau), morceau
