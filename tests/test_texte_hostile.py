"""Hostile text (issue 12, points 7 to 12 and 14): one corpus — HTML, Markdown, templates,
spreadsheet formulas in every OWASP form, control characters, NUL, lone surrogates, right-to-left
override, Rich markup, terminal escapes, 100 kB values — through every entry (the command line
with a CSV and a JSON file, the upload page, the actor form) and out through every output (the
pages' messages and labels, XLSX, CSV, the standard CSV, the fiche in DOCX and PDF, the terminal).

What must hold:

- **one rule for every entry** (``validation``, applied by the model ``Acteur``): a value is
  refused by each entry, or stored by each entry as the same cleaned text (no invisible
  character, no formula sign first, no markup);
- **no output runs, loads or breaks on it**: no live formula and no cell beginning with a formula
  sign in a table, a valid standard CSV, a DOCX and a PDF written, a terminal output without escape
  sequences nor Rich markup errors, Markdown that renders as the literal text.

Actors stored *before* the rules (« anciens ») are written straight to the store (read with
``models.LECTURE``) to prove that the outputs hold even then. The browser part (pages in Chromium:
no dialog, no outside request, no injected element) is ``test_navigateur_texte_hostile.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aide_postgis import est_postgres
from aide_store import instantane
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from ecosysteme.cli import app
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import DonneeInvalide, Emplacement, ErreurEcosysteme
from ecosysteme.domaine.modeles import LECTURE, Acteur
from ecosysteme.domaine.validation import (
    SIGNES_FORMULE,
    probleme_texte,
    sans_controles,
    texte_propre,
    texte_sur,
)
from ecosysteme.exports.fiche import fiche_territoire
from ecosysteme.exports.standard import acteurs_exportables, exporter_standard, valider
from ecosysteme.exports.tableaux import csv_octets, neutraliser, xlsx_octets
from ecosysteme.inventaire.importation import importer_fichier
from ecosysteme.inventaire.tableau import ErreursFormulaire, acteur_depuis_formulaire, construire_tableau
from ecosysteme.ui.importation import ENV_TELEVERSEMENTS
from ecosysteme.ui.texte import JOINTURE, md

RACINE = Path(__file__).resolve().parents[1]
MAUBEUGE = "200043396"
AUJOURDHUI = dt.date(2026, 12, 3)
#: Every outside address in the corpus is on this host: a browser that fetched it would show it.
PIEGE = "piege.invalid"

CORPUS: dict[str, str] = {
    "html_script": "<script>alert('html')</script>Lieu",
    "html_img": f'Lieu <img src="http://{PIEGE}/html.png" onerror="alert(1)">',
    "html_svg": "<svg onload=alert(2)>",
    "html_entites": "Lieu &lt;b&gt; &#x3C;i&#x3E; &amp;",
    "md_lien_image": f"[clic](javascript:alert(6)) ![i](http://{PIEGE}/md.png) **gras**",
    "md_autolien": f"Voir http://{PIEGE}/auto, www.{PIEGE} ou contact@{PIEGE}",
    "md_blocs": "# Titre\n- puce\n> citation\n```code```",
    "md_directives": ":red[rouge] :material/warning: $x^2$ ~~barré~~ _it_",
    "gabarit_js": "Lieu ${alert(7)} `${alert(8)}`",
    "gabarit_moustache": "Lieu {{7*7}} {% if x %}",
    "formule_egal": "=1+1",
    "formule_lien": f'=HYPERLINK("http://{PIEGE}/f";"clic")',
    "formule_dde": "=cmd|' /C calc'!A0",
    "formule_plus": "+1+1",
    "formule_moins": "-1+1",
    "formule_moins_dde": "-2+3+cmd|' /C calc'!A0",
    "formule_arobase": "@SUM(1+1)",
    "formule_tab": "\t=1+1",
    "formule_cr": "\r=1+1",
    "formule_pleine_chasse": "\uff1d1+1",
    "controle_nul": "Lieu\x00nul",
    "controle_tab_vertical": "Lieu\x0bvertical",
    "controle_c1": "Lieu\x85\x9b31mC1",
    "controle_del_cloche": "Lieu\x7f\x07cloche",
    "surrogat": "Lieu \ud800 seul",
    "bidi_rlo": "abc\u202egnp.exe",
    "bidi_isolats": "\u2067Lieu\u2069 \u200fisolé",
    "rich_fermeture": "[/]",
    "rich_balises": f"[bold red]Lieu[/] [link=http://{PIEGE}/r]lien[/link]",
    "terminal_couleur": "\x1b[31mLieu rouge\x1b[0m",
    "terminal_titre": "\x1b]0;piège\x07Lieu \x1b[2J",
    "long_100k": "L" * 100_000,
}
#: Cases a UTF-8 CSV cannot carry (a NUL makes the reader refuse the whole file, with its reason).
HORS_CSV = ("controle_nul", "surrogat")
REFUS = None


def attendu(valeur: str) -> str | None:
    """What every entry does with ``valeur`` in a one-line field: the stored text, or REFUS."""
    texte = texte_propre(valeur)
    return texte if texte and probleme_texte(texte) is None else REFUS


def propre(texte: str) -> bool:
    """A stored text obeys the rules: nothing invisible, no formula sign first, no markup."""
    return (
        sans_controles(texte, lignes=False) == texte
        and texte == texte.strip()
        and not texte.startswith(SIGNES_FORMULE)
        and probleme_texte(texte) is None
    )


def test_le_corpus_couvre_chaque_famille() -> None:
    familles = {c.split("_")[0] for c in CORPUS}
    assert familles == {
        "html",
        "md",
        "gabarit",
        "formule",
        "controle",
        "surrogat",
        "bidi",
        "rich",
        "terminal",
        "long",
    }
    refuses = sorted(c for c, v in CORPUS.items() if attendu(v) is REFUS)
    # markup, every formula form and the 100 kB name are refused; everything else is cleaned and kept
    assert refuses == sorted(
        ["html_script", "html_img", "html_svg", "long_100k"] + [c for c in CORPUS if c.startswith("formule")]
    )
    assert attendu(CORPUS["bidi_rlo"]) == "abcgnp.exe"
    assert attendu(CORPUS["controle_tab_vertical"]) == "Lieu vertical"
    assert attendu(CORPUS["terminal_couleur"]) == "[31mLieu rouge[0m"


# --- Markdown: what the pages show ----------------------------------------------------------------

_MD = MarkdownIt("commonmark").enable("strikethrough")
#: The patterns of mdast-util-gfm-autolink-literal (``http(s)://``, ``www.``, an e-mail address).
_AUTOLIEN = re.compile(r"https?://|www\.|[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.IGNORECASE)


@pytest.mark.parametrize("cas", sorted(CORPUS))
def test_md_rend_le_texte_litteral(cas: str) -> None:
    """Whatever the text, Streamlit's Markdown of ``md(texte)`` is one paragraph of the literal
    text: no link, image, emphasis, heading, list, code or HTML."""
    texte = " ".join(sans_controles(CORPUS[cas], lignes=False).split())
    brut = _MD.render(md(CORPUS[cas]))
    # what Streamlit's GitHub Markdown turns into links after parsing, on the rendered text itself
    assert not _AUTOLIEN.search(html.unescape(brut)), brut[:300]
    rendu = brut.replace(JOINTURE, "")  # the invisible word joiner that breaks those patterns
    if texte:
        assert rendu.startswith("<p>") and rendu.endswith("</p>\n"), rendu[:300]
        interieur = rendu[3:-5]
        assert "<" not in interieur and " ".join(html.unescape(interieur).split()) == texte, rendu[:300]


def sans_injection(source: str) -> None:
    """A Markdown source holds no live element from the corpus (rendered by CommonMark)."""
    rendu = _MD.render(source)
    assert not re.search(r"<(a|img|script|svg|iframe|h[1-6]|blockquote|code|pre|del)\b", rendu), rendu[:500]
    assert "<strong>gras</strong>" not in rendu and "<em>it</em>" not in rendu


# --- one rule for every entry ---------------------------------------------------------------------

LIGNE = {
    "pivot": "43493312300029",
    "commune": "Maubeuge",
    "code_postal": "59600",
    "date_maj": "2025-03-01",
    "latitude": 50.2775,
    "longitude": 3.9734,
    "services": "Aide aux démarches administratives",
}


def lignes(prefixe: str, cas: list[str]) -> list[dict[str, Any]]:
    """One standard row per case, the hostile value as name and address, the hours, the web site
    and the appointment link (positions shift a little so that no two rows are duplicates)."""
    return [
        {
            "id": f"{prefixe}-{c}",
            **LIGNE,
            "latitude": 50.2775 + i * 0.001,
            "nom": CORPUS[c],
            "adresse": CORPUS[c],
            "horaires": CORPUS[c],
            "site_web": CORPUS[c],
            "prise_rdv": CORPUS[c],
        }
        for i, c in enumerate(cas)
    ]


def fichier_json(chemin: Path, prefixe: str, cas: list[str]) -> Path:
    chemin.write_text(json.dumps(lignes(prefixe, cas)), encoding="ascii")  # \u escapes: NUL, surrogates
    return chemin


def fichier_csv(chemin: Path, prefixe: str, cas: list[str]) -> Path:
    tampon = io.StringIO()
    ecrivain = csv.DictWriter(tampon, fieldnames=list(lignes(prefixe, cas)[0]), quoting=csv.QUOTE_ALL)
    ecrivain.writeheader()
    ecrivain.writerows(lignes(prefixe, cas))
    chemin.write_bytes(tampon.getvalue().encode("utf-8"))
    return chemin


def resultat_formulaire(valeur: str) -> str | None:
    try:
        a = acteur_depuis_formulaire({"nom": valeur, "adresse": valeur}, None, AUJOURDHUI, "test")
    except ErreursFormulaire as exc:
        assert set(exc.erreurs) == {"nom", "adresse"}, exc.erreurs
        return REFUS
    assert a.nom == a.adresse
    return a.nom


def resultat_importeur(depot: Any, ident: str) -> str | None:
    try:
        a = depot.obtenir(ident)
    except ErreurEcosysteme:
        return REFUS
    assert a.nom == a.adresse
    return str(a.nom)


def test_une_regle_pour_chaque_entree(tmp_path: Path) -> None:
    """Importer (JSON and CSV), the form's library function, the model itself and ``texte_sur``:
    the same decision and the same stored text for every case; what is stored obeys the rules;
    a web address that is not one is never kept (dropped with a warning by an importer, refused
    by the form); the hours are checked by their parser."""
    cas = sorted(CORPUS)
    cas_csv = [c for c in cas if c not in HORS_CSV]
    with ouvrir_depot(tmp_path / "d.gpkg", creer=True) as depot:
        r_json = importer_fichier(fichier_json(tmp_path / "h.json", "j", cas), depot, auteur="test")
        r_csv = importer_fichier(fichier_csv(tmp_path / "h.csv", "c", cas_csv), depot, auteur="test")
        assert r_json.format == r_csv.format == "standard"
        refuses = [c for c in cas if attendu(CORPUS[c]) is REFUS]
        for rapport, n in ((r_json, len(refuses)), (r_csv, len(set(refuses) - set(HORS_CSV)))):
            assert rapport.rejetees == n, rapport.resume()
            assert {p.champ for p in rapport.rejets} <= {"nom", "adresse"}  # each with its reason
        for c in cas:
            voulu = attendu(CORPUS[c])
            assert resultat_importeur(depot, f"j-{c}") == voulu, c
            if c in cas_csv:
                assert resultat_importeur(depot, f"c-{c}") == voulu, c
            assert resultat_formulaire(CORPUS[c]) == voulu, c
            try:
                modele: str | None = Acteur(id="m", nom=CORPUS[c]).nom
            except ValueError:
                modele = REFUS
            assert modele == voulu, c
            try:
                assert texte_sur(CORPUS[c], Emplacement()) == voulu, c
            except DonneeInvalide:
                assert voulu is REFUS, c
        stockes = depot.lister()
    assert len(stockes) == r_json.acceptees + r_csv.acceptees > 0
    for a in stockes:
        for valeur in (a.nom, a.adresse, a.horaires, a.prise_rdv, *a.site_web):
            assert valeur is None or propre(valeur), (a.id, valeur)
        assert a.site_web == [] and a.prise_rdv is None and a.horaires is None  # none is an address
    # a NUL in a CSV: the whole file refused, in French, nothing stored
    avant = instantane(tmp_path / "d.gpkg")
    with ouvrir_depot(tmp_path / "d.gpkg") as depot, pytest.raises(ErreurEcosysteme) as exc:
        importer_fichier(fichier_csv(tmp_path / "nul.csv", "n", ["controle_nul"]), depot)
    assert "NUL" in str(exc.value) and "nul.csv" in str(exc.value)
    assert instantane(tmp_path / "d.gpkg") == avant


def test_le_formulaire_refuse_les_adresses_que_l_importeur_ecarte() -> None:
    """Web site, appointment link, « Fiche Accès libre » and e-mails: the form refuses what the
    importers drop (``javascript:``, formulas, markup); a ``javascript:`` site can no longer be
    stored by an import and then block the form."""
    for champ, faux in (
        ("site_web", "javascript:alert(1)"),
        ("prise_rdv", "javascript:alert(1)"),
        ("fiche_acces_libre", f'=HYPERLINK("http://{PIEGE}")'),
        ("courriels", "=cmd@exemple.fr"),
        ("prise_rdv", f"https://{PIEGE}/<script>"),
    ):
        with pytest.raises(ErreursFormulaire) as exc:
            acteur_depuis_formulaire({"nom": "Lieu", champ: faux}, None, AUJOURDHUI, "test")
        assert champ in exc.value.erreurs, (champ, exc.value.erreurs)
    ok = acteur_depuis_formulaire(
        {"nom": "Lieu", "prise_rdv": "https://rdv.exemple.fr/", "site_web": "https://exemple.fr"},
        None,
        AUJOURDHUI,
        "test",
    )
    assert ok.prise_rdv == "https://rdv.exemple.fr/" and ok.site_web == ["https://exemple.fr"]


# --- the command line: data printed as text -------------------------------------------------------


def sortie_terminal_propre(texte: str) -> None:
    assert "\x1b" not in texte and "\x07" not in texte and "\u202e" not in texte, repr(texte[:300])
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", texte), repr(texte[:300])


def test_ligne_de_commande(tmp_path: Path) -> None:
    """`importer` (Rich markup and escapes in the data: printed as text, exit 0), then `lots`
    with a hostile file name: nothing raw reaches the terminal."""
    store = tmp_path / "d.gpkg"
    runner = CliRunner()
    fichier = fichier_json(tmp_path / "[bold]lieux[red].json", "t", sorted(CORPUS))
    res = runner.invoke(app, ["importer", "--store", str(store), str(fichier)])
    assert res.exit_code == 0, res.output
    assert "[bold]lieux[red].json" in res.output  # shown, not interpreted
    assert "lot d'import n° 1" in res.output
    sortie_terminal_propre(res.output)
    # the case: hours « [/] » alone
    seul = tmp_path / "seul.json"
    seul.write_text(json.dumps([{**LIGNE, "id": "h", "nom": "Lieu", "adresse": "1 rue", "horaires": "[/]"}]))
    res = runner.invoke(app, ["importer", "--store", str(store), str(seul)])
    assert res.exit_code == 0 and "« [/] »" in res.output, res.output
    with ouvrir_depot(store) as depot:
        depot.importer_lot(
            [Acteur(id="x", nom="Lieu x")],
            fichier="\x1b[31m[/]\u202eevil.csv",
            format="standard",
            sha256="0",
            auteur="[b]",
            rapport={},
        )
    res = runner.invoke(app, ["lots", "--store", str(store)])
    assert res.exit_code == 0, res.output
    assert "[/]" in res.output and "evil" in res.output  # the file name as text (the table may wrap it)
    sortie_terminal_propre(res.output)
    res = runner.invoke(app, ["importer", "--format", "[/]", str(seul)])
    assert res.exit_code == 2 and "« [/] » inconnu" in res.output


# --- the stores the outputs read ------------------------------------------------------------------


def anciens() -> list[Acteur]:
    """The corpus as stored before the rules existed (written raw; a lone surrogate cannot be
    stored at all: SQLite refuses it), in Maubeuge: name, address, presentation."""
    return [
        Acteur.model_validate(
            {
                "id": f"ancien-{c}",
                **{k: v for k, v in LIGNE.items() if k not in ("services", "date_maj")},
                "latitude": 50.2775 + i * 0.0003,
                "date_maj": dt.date(2025, 3, 1),
                "nom": CORPUS[c],
                "adresse": CORPUS[c],
                "presentation_detail": CORPUS[c],
                "services": ["Aide aux démarches administratives"],
            },
            context=LECTURE,
        ).model_copy(update={"nom": CORPUS[c], "adresse": CORPUS[c], "presentation_detail": CORPUS[c]})
        for i, c in enumerate(sorted(CORPUS))
        if c != "surrogat"
    ]


def _a_nul(a: Acteur) -> bool:
    return any("\x00" in str(v) for v in a.model_dump().values())


def anciens_stockables(store: str | Path) -> list[Acteur]:
    """The old raw records that the store can hold: PostgreSQL never stores a NUL character, so a
    PostGIS store cannot hold those (it refuses them in French: checked here)."""
    if not est_postgres(store):
        return anciens()
    with ouvrir_depot(store) as depot:
        for a in filter(_a_nul, anciens()):
            with pytest.raises(DonneeInvalide, match="caractère NUL"):
                depot.ajouter(a, "ancien")
    return [a for a in anciens() if not _a_nul(a)]


@pytest.fixture
def store_hostile(store_copie: str | Path, tmp_path: Path) -> str | Path:
    """The HdF store with the corpus imported through the command line (JSON) and the old raw
    records, both in Maubeuge, and an import batch whose file name is hostile."""
    nul = "" if est_postgres(store_copie) else "\x00"
    with ouvrir_depot(store_copie) as depot:
        importer_fichier(
            fichier_json(tmp_path / "h.json", "entree", sorted(CORPUS)),
            depot,
            auteur="test",
            nom=f"lieux <b>$x$</b> [/] {nul}\u202e.json",
        )
    stockables = anciens_stockables(store_copie)
    with ouvrir_depot(store_copie) as depot:
        for a in stockables:
            depot.ajouter(a, f"ancien{nul}[/]")
    return store_copie


def cellules_tableur(valeurs: list[object]) -> None:
    for v in valeurs:
        if isinstance(v, str):
            assert not v.startswith(SIGNES_FORMULE), repr(v[:80])
            assert sans_controles(v) == v, repr(v[:80])


@pytest.mark.donnees_reelles
def test_sorties_tableaux_standard_fiche(store_hostile: Path, tmp_path: Path) -> None:
    """XLSX and CSV of the inventory list, the standard CSV, the fiche (DOCX and PDF): written,
    no live formula, no cell beginning with a formula sign, no invisible character."""
    with ouvrir_depot(store_hostile) as depot:
        gdf = depot.acteurs_gdf(siren_epci=MAUBEUGE)
        acteurs = depot.lister(siren_epci=MAUBEUGE)
    assert {a.id for a in acteurs} >= {
        a.id for a in anciens() if not (est_postgres(store_hostile) and _a_nul(a))
    }
    tab = construire_tableau(gdf, AUJOURDHUI)
    # XLSX
    classeur = openpyxl.load_workbook(io.BytesIO(xlsx_octets(tab)))
    feuille = classeur.active
    assert feuille is not None
    cellules = [c for ligne in feuille.iter_rows() for c in ligne]
    assert all(c.data_type != "f" for c in cellules)
    cellules_tableur([c.value for c in cellules])
    assert "'=1+1" in {c.value for c in cellules}  # the old formula, neutralised
    assert max(len(str(c.value or "")) for c in cellules) <= 32_767
    # CSV
    texte = csv_octets(tab).decode("utf-8-sig")
    cellules_tableur([v for ligne in csv.reader(io.StringIO(texte), delimiter=";") for v in ligne])
    assert neutraliser("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    # the national standard: valid, faithful, the old formulas left out with their reason
    gardes, ecartes = acteurs_exportables(acteurs)
    chemin = exporter_standard(acteurs, tmp_path, producteur=MAUBEUGE, date=AUJOURDHUI, territoire="Maubeuge")
    assert valider(chemin) == []
    with chemin.open(encoding="utf-8", newline="") as fh:
        lignes_std = list(csv.DictReader(fh))
    assert len(lignes_std) == len(gardes) and len(ecartes) >= 10
    for ligne in lignes_std:
        for champ, valeur in ligne.items():
            if champ != "telephone":
                cellules_tableur([valeur])
    assert any("ancien-formule_moins_dde" in e and "formule" in e for e in ecartes)
    assert any("ancien-html_svg" in e and "balisage HTML" in e for e in ecartes)
    assert not any(re.search(r"<\s*/?\s*[a-zA-Z!]", v) for ligne in lignes_std for v in ligne.values())
    # the fiche: its sources line names the hostile batch file; DOCX and PDF are written
    docx_ = fiche_territoire_ou_echec(store_hostile, tmp_path / "fiche.docx")
    with zipfile.ZipFile(docx_) as z:
        document = z.read("word/document.xml").decode("utf-8")
    assert "lieux &lt;b&gt;$x$&lt;/b&gt; [/]" in document and "\u202e" not in document
    pdf = fiche_territoire_ou_echec(store_hostile, tmp_path / "fiche.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        texte_pdf = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "$x$" in texte_pdf.replace("\n", " ")


def fiche_territoire_ou_echec(store: Path, chemin: Path) -> Path:
    with ouvrir_depot(store) as depot:
        return fiche_territoire(depot, MAUBEUGE, chemin, date=AUJOURDHUI)


# --- the pages (Streamlit's test runner): every message and label fed by data --------------------


def page(nom: str) -> AppTest:
    at = AppTest.from_file(str(RACINE / "pages" / nom), default_timeout=120)
    at.query_params["epci"] = MAUBEUGE
    return at.run()


def sources(elements: Any) -> list[str]:
    return [str(e.value) for e in elements]


@pytest.mark.donnees_reelles
def test_page_inventaire_messages(store_copie: str | Path) -> None:
    """The success message after saving a new actor and after closing it (issue: « [clic](…) »
    became a link and an image), and the form's error list: the data as literal text. Nothing
    is stored on a refusal."""
    valeur = CORPUS["md_lien_image"] + " " + CORPUS["bidi_rlo"]
    at = page("4_Inventaire.py")
    at.text_input(key="inv_ajout_nom").input(valeur)
    at.button(key="inv_ajout_ok").click().run()
    assert not at.exception and not at.error, sources(at.error)
    (succes,) = [s for s in sources(at.success) if "a été ajouté" in s]
    sans_injection(succes)
    assert "\u202e" not in succes and md(attendu(valeur)) in succes
    with ouvrir_depot(store_copie) as d:
        (nouveau,) = [a for a in d.lister() if a.nom == attendu(valeur)]
    at.session_state["inventaire_acteur"] = nouveau.id
    at.run()
    at.button(key="inv_fermer").click().run()
    assert not at.exception
    (ferme,) = [s for s in sources(at.success) if "est fermé" in s]
    sans_injection(ferme)
    # the form's error list: each refused value shown as text, nothing stored
    avant = instantane(store_copie)
    at = page("4_Inventaire.py")
    at.text_input(key="inv_ajout_nom").input(CORPUS["html_img"])
    at.text_input(key="inv_ajout_prise_rdv").input(CORPUS["md_lien_image"])
    at.text_area(key="inv_ajout_courriels").input(f"[x](http://{PIEGE}/c)@a.fr")
    at.button(key="inv_ajout_ok").click().run()
    assert not at.exception
    (erreurs,) = [e for e in sources(at.error) if "Rien n'a été enregistré" in e]
    sans_injection(erreurs)
    assert "balisage HTML" in erreurs and "adresse web" in erreurs and "Courriels" in erreurs
    assert instantane(store_copie) == avant


@pytest.mark.donnees_reelles
def test_page_inventaire_acteur_ancien_s_affiche_et_se_ferme(store_copie: str | Path) -> None:
    """An actor stored before the rules with a vertical tab and a NUL in its name (issue: the page
    crashed in openpyxl at every display, the actor could not be removed): the list, its XLSX
    and its sheet show, and it can be closed."""
    stockables = anciens_stockables(store_copie)
    with ouvrir_depot(store_copie) as d:
        for a in stockables:
            if a.id in ("ancien-controle_tab_vertical", "ancien-controle_nul", "ancien-formule_lien"):
                d.ajouter(a, "ancien")
    vise = "ancien-controle_tab_vertical" if est_postgres(store_copie) else "ancien-controle_nul"
    at = page("4_Inventaire.py")
    assert not at.exception, at.exception
    at.session_state["inventaire_acteur"] = vise
    at.run()
    assert not at.exception
    at.button(key="inv_fermer").click().run()
    assert not at.exception and any("est fermé" in s for s in sources(at.success))
    with ouvrir_depot(store_copie) as d:
        assert d.obtenir(vise).statut.value == "fermé"


@pytest.mark.donnees_reelles
def test_page_doublons_fiche_a_garder(store_copie: str | Path) -> None:
    """Two records of one hostile place: the « Fiche à garder » options and the merge message are
    literal text."""
    nom = CORPUS["md_lien_image"]
    with ouvrir_depot(store_copie) as d:
        for ident, dlat in (("dbl-a", 0.0), ("dbl-b", 0.0001)):
            d.ajouter(
                Acteur(id=ident, nom=nom, adresse="3 rue de la Paix", commune="Maubeuge", code_postal="59600",
                       latitude=50.2775 + dlat, longitude=3.9734, source=CORPUS["rich_balises"]),
                "test",
            )  # fmt: skip
    at = page("6_Doublons.py")
    tab = at.dataframe[0].value
    rang = next(
        i
        for i, (a, b) in enumerate(zip(tab["id A"], tab["id B"], strict=True))
        if {a, b} == {"dbl-a", "dbl-b"}
    )
    at.selectbox(key="doublons_paire").set_value(rang).run()
    assert not at.exception
    (garde,) = [r for r in at.radio if str(r.key).startswith("doublons_garde_")]
    libelles = [garde.format_func(o) for o in garde.options] if callable(garde.format_func) else garde.options
    for libelle in libelles:
        sans_injection(str(libelle))
        assert "\\[clic\\]" in str(libelle)
    at.button(key="doublons_fusionner").click().run()
    assert not at.exception
    (succes,) = [s for s in sources(at.success) if "fusionné" in s]
    sans_injection(succes)


@pytest.mark.donnees_reelles
def test_page_scenarios_avertissement_horaires(store_copie: str | Path) -> None:
    """A saved scenario changing the hours of a hostile actor to unreadable hours: the warning
    names the actor as literal text."""
    from ecosysteme.analyse.scenarios import Scenario

    with ouvrir_depot(store_copie) as d:
        d.ajouter(
            Acteur(id="scn", nom=CORPUS["md_lien_image"], latitude=50.2775, longitude=3.9734,
                   commune="Maubeuge", code_postal="59600"),
            "test",
        )  # fmt: skip
        d.enregistrer_scenario(
            "piège",
            Scenario(nom="piège", horaires=(("scn", "[x](http://piege.invalid) 25:00"),)).en_json(),
            "t",
        )
    at = page("8_Scenarios.py")
    at.selectbox(key="scenario_charger").set_value("piège").run()
    assert not at.exception
    (alerte,) = [w for w in sources(at.warning) if "horaires comptés comme inconnus" in w]
    sans_injection(alerte)
    assert "\\[clic\\]" in alerte


# --- the upload page: the same rule as the command line ---------------------------------------------


@pytest.fixture
def televersements(
    store_copie: str | Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    dossier = tmp_path / "televersements"
    monkeypatch.setenv(ENV_TELEVERSEMENTS, str(dossier))
    yield store_copie
    assert not dossier.exists() or list(dossier.iterdir()) == []


@pytest.mark.donnees_reelles
@pytest.mark.parametrize("genre", ["json", "csv"])
def test_page_import_meme_regle(televersements: Path, tmp_path: Path, genre: str) -> None:
    """The corpus uploaded (JSON: every case; CSV: all but NUL and surrogate), dry run, commit:
    no crash box, and exactly the command line's decisions (stored texts included)."""
    cas = sorted(CORPUS) if genre == "json" else [c for c in sorted(CORPUS) if c not in HORS_CSV]
    fabrique = fichier_json if genre == "json" else fichier_csv
    fichier = fabrique(tmp_path / f"corpus.{genre}", "page", cas)
    at = AppTest.from_file(str(RACINE / "pages" / "5_Import.py"), default_timeout=180).run()
    at.file_uploader(key="import_fichier").set_value(
        (fichier.name, fichier.read_bytes(), "application/octet-stream")
    ).run()
    assert not at.exception, at.exception
    at.button(key="import_simuler").click().run()
    assert not at.exception, at.exception
    at.button(key="import_valider").click().run()
    assert not at.exception and not at.error, sources(at.error)
    for element in (*at.markdown, *at.success, *at.warning, *at.info, *at.caption):
        sans_injection(str(element.value))
    with ouvrir_depot(televersements) as d:
        stockes = {a.id.split("page-", 1)[-1]: a.nom for a in d.lister() if "page-" in a.id}
    assert stockes == {c: attendu(CORPUS[c]) for c in cas if attendu(CORPUS[c]) is not REFUS}
