"""Page « Exports » with `streamlit.testing` on the real Hauts-de-France store (read-only): the
fiche territoire of CA Maubeuge Val de Sambre (DOCX, PDF) and the geodata (GeoPackage, GeoJSON
zip), each file opened and read back; a file made for one territory is not offered for another."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pyogrio
import pytest
from aide_pdf import taille_pdf, texte_pdf
from streamlit.testing.v1 import AppTest

from ecosysteme.exports.fiche import TITRES_SECTIONS

pytestmark = pytest.mark.donnees_reelles
RACINE = Path(__file__).resolve().parents[1]
MAUBEUGE = "200043396"
CLE = "exports_"


@pytest.fixture
def store(depot_hdf: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECOSYSTEME_STORE", str(depot_hdf))
    return depot_hdf


def _page(epci: str | None = MAUBEUGE) -> AppTest:
    at = AppTest.from_file(str(RACINE / "pages" / "10_Exports.py"), default_timeout=180)
    if epci:
        at.query_params["epci"] = epci
    at.run()
    assert not at.exception, at.exception
    return at


def _preparer(at: AppTest, cle: str) -> tuple[bytes, str, str]:
    at.button(key=CLE + cle + "_bouton").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    _, octets, nom, mime = at.session_state[CLE + cle]
    assert CLE + cle + "_telecharger" in {str(b.key) for b in at.download_button}
    return octets, nom, mime


def test_fiche_territoire_docx_et_pdf(store: Path) -> None:
    from docx import Document

    at = _page()
    octets, nom, mime = _preparer(at, "fiche_docx")
    assert nom == f"fiche_territoire_{MAUBEUGE}.docx" and "wordprocessingml" in mime
    document = Document(io.BytesIO(octets))
    titres = [
        p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert titres == list(TITRES_SECTIONS)
    assert len(document.inline_shapes) == 1 and len(document.tables) >= 3
    pdf, nom, mime = _preparer(at, "fiche_pdf")
    assert nom == f"fiche_territoire_{MAUBEUGE}.pdf" and mime == "application/pdf"
    assert sorted(taille_pdf(pdf)) == [pytest.approx(595.3, abs=0.5), pytest.approx(841.9, abs=0.5)]  # A4
    texte = texte_pdf(pdf)
    assert "CA Maubeuge Val de Sambre" in texte and "Aide aux démarches administratives" in texte
    # another offer: the files made for the first one are no longer offered
    at.selectbox(key=CLE + "service").set_value("Accès internet et matériel informatique").run()
    assert not {str(b.key) for b in at.download_button} & {
        CLE + "fiche_docx_telecharger",
        CLE + "fiche_pdf_telecharger",
    }
    pdf, _, _ = _preparer(at, "fiche_pdf")
    assert "Accès internet et matériel informatique" in texte_pdf(pdf)


def test_geodonnees_d_un_epci(store: Path, tmp_path: Path) -> None:
    at = _page()
    octets, nom, mime = _preparer(at, "gpkg")
    assert nom == f"ecosysteme_{MAUBEUGE}.gpkg" and octets.startswith(b"SQLite format 3")
    chemin = tmp_path / nom
    chemin.write_bytes(octets)
    couches = {n for n, _ in pyogrio.list_layers(chemin)}
    assert {"qpv", "acteurs", "couverture", "scenarios"} <= couches
    qpv = pyogrio.read_dataframe(chemin, layer="qpv")
    assert len(qpv) == 11 and qpv.crs is not None and qpv.crs.to_epsg() == 2154
    octets, nom, mime = _preparer(at, "geojson")
    assert nom == f"ecosysteme_{MAUBEUGE}_geojson.zip" and mime == "application/zip"
    with zipfile.ZipFile(io.BytesIO(octets)) as z:
        noms = sorted(z.namelist())
        assert noms == sorted(f"{MAUBEUGE}_{c}.geojson" for c in ("qpv", "acteurs", "couverture"))
        donnees_qpv = json.loads(z.read(f"{MAUBEUGE}_qpv.geojson"))
    assert len(donnees_qpv["features"]) == 11
    x, y = donnees_qpv["features"][0]["geometry"]["coordinates"][0][0][0]
    assert 3.5 < x < 4.5 and 50.0 < y < 50.5  # longitude, latitude (EPSG:4326)


def test_departement_sans_fiche_mais_geodonnees(store: Path, tmp_path: Path) -> None:
    at = _page(None)
    at.sidebar.selectbox(key="departement").select("80").run()
    assert not at.exception
    assert any("choisissez-le" in i.value for i in at.info)
    assert not [b for b in at.button if str(b.key).startswith(CLE + "fiche")]
    octets, nom, _ = _preparer(at, "gpkg")
    assert nom == "ecosysteme_dep80.gpkg"
    chemin = tmp_path / nom
    chemin.write_bytes(octets)
    qpv = pyogrio.read_dataframe(chemin, layer="qpv")
    assert len(qpv) > 0 and set(qpv["insee_dep"]) == {"80"}


def test_chaque_page_est_dans_la_navigation() -> None:
    from ecosysteme.ui.nav import PAGES

    fichiers = {"app.py"} | {f"pages/{p.name}" for p in (RACINE / "pages").glob("*.py")}
    assert {chemin for chemin, _, _ in PAGES} == fichiers
