"""The fiche territoire written out (``ecosysteme.exports.fiche``): its content as typeset
texts (:class:`ContenuFiche`) and its DOCX (python-docx: A4, French proofing, Arial, real Word
tables, the map as a PNG image) and PDF (the map page, then pages of key figures and tables
drawn with matplotlib, text kept as text) writers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from ecosysteme.domaine import reglages
from ecosysteme.domaine.validation import sans_controles
from ecosysteme.exports.cartes import A4_MM, MM_PAR_POUCE, POLICE, exporter_carte
from ecosysteme.exports.typographie import (
    typographie,
)

if TYPE_CHECKING:
    from docx.document import Document as DocumentDocx


#: Text font of the DOCX.
POLICE_DOCX = "Arial"

TITRES_SECTIONS = (
    "Chiffres clés",
    "Carte",
    "Lacunes par quartier",
    "Quartiers sans offre à portée",
    "Lieu totem",
    "Sources",
)

#: Rows of a table per PDF page.
LIGNES_PAR_PAGE = reglages.LIGNES_PAR_PAGE


@dataclass(frozen=True)
class Tableau:
    """A table of texts: its header and rows (already typeset)."""

    entetes: tuple[str, ...]
    lignes: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ContenuFiche:
    """Everything the fiche shows, as typeset texts, plus the map figure."""

    titre: str
    territoire: str
    date: dt.date
    chiffres: Tableau
    carte: Figure
    lacunes: Tableau
    sans_offre: Tableau
    totem: tuple[str, ...]
    totem_tableau: Tableau | None
    sources: str
    notes: tuple[str, ...] = field(default_factory=tuple)


def _textes(contenu: ContenuFiche, propre: Callable[[str], str]) -> ContenuFiche:
    """The fiche with ``propre`` applied to every text (titles, tables, phrases, sources)."""

    def tableau(t: Tableau) -> Tableau:
        return Tableau(tuple(map(propre, t.entetes)), tuple(tuple(map(propre, ligne)) for ligne in t.lignes))

    return dataclasses.replace(
        contenu,
        titre=propre(contenu.titre),
        territoire=propre(contenu.territoire),
        chiffres=tableau(contenu.chiffres),
        lacunes=tableau(contenu.lacunes),
        sans_offre=tableau(contenu.sans_offre),
        totem=tuple(map(propre, contenu.totem)),
        totem_tableau=None if contenu.totem_tableau is None else tableau(contenu.totem_tableau),
        sources=propre(contenu.sources),
        notes=tuple(map(propre, contenu.notes)),
    )


def _texte_pdf(texte: str) -> str:
    """A text matplotlib draws as it is: no invisible character, « $ » escaped (no mathtext)."""
    return sans_controles(texte).replace("$", r"\$")


def _docx_tableau(
    doc: DocumentDocx, tableau: Tableau, taille_pt: float, largeurs_cm: Sequence[float] | None = None
) -> None:
    """A table whose header row is repeated on each page it runs over; ``largeurs_cm``: the
    columns' widths (else the word processor's), so that long service names are not cut."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    t = doc.add_table(rows=1 + len(tableau.lignes), cols=len(tableau.entetes))
    t.style = "Table Grid"
    if largeurs_cm is not None:
        t.autofit = False
        for colonne, largeur in zip(t.columns, largeurs_cm, strict=True):
            colonne.width = Cm(largeur)  # the table grid (LibreOffice reads it, Word the cells')
    entete = OxmlElement("w:tblHeader")
    entete.set(qn("w:val"), "true")
    t.rows[0]._tr.get_or_add_trPr().append(entete)
    for ligne, valeurs in enumerate((tableau.entetes, *tableau.lignes)):
        for col, texte in enumerate(valeurs):
            cellule = t.cell(ligne, col)
            if largeurs_cm is not None:
                cellule.width = Cm(largeurs_cm[col])
            cellule.text = ""
            run = cellule.paragraphs[0].add_run(texte)
            # headers bold, half a point smaller: « administratives » holds in a service's column
            run.font.size = Pt(taille_pt - 0.5 if ligne == 0 else taille_pt)
            run.bold = ligne == 0


def _langue_francaise(doc: DocumentDocx) -> None:
    """French (fr-FR) as the language of the default text style (spelling, hyphenation and
    quotes in Word and LibreOffice), in Arial."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    normal = doc.styles["Normal"]
    # Arial: on every office computer, and metric-compatible Liberation Sans where it is not
    # (the template's theme font fell back to a wide serif in LibreOffice)
    normal.font.name = POLICE_DOCX
    rpr = normal.element.get_or_add_rPr()
    polices = rpr.find(qn("w:rFonts"))
    if polices is not None:
        for attribut in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            polices.set(qn(attribut), POLICE_DOCX)
    langue = rpr.find(qn("w:lang"))
    if langue is None:
        langue = OxmlElement("w:lang")
        rpr.append(langue)
    langue.set(qn("w:val"), "fr-FR")
    langue.set(qn("w:eastAsia"), "fr-FR")


def ecrire_docx(contenu: ContenuFiche, chemin: Path) -> None:
    """Write the fiche to ``chemin`` (.docx), not atomically (see :func:`fiche_territoire`)."""
    from docx import Document

    contenu = _textes(contenu, sans_controles)
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Cm, Mm

    doc = Document()
    doc.core_properties.title = contenu.titre
    doc.core_properties.author = "ecosysteme"
    doc.core_properties.language = "fr-FR"
    # python-docx's template is US Letter in English: A4 with 2 cm margins, French proofing
    premiere = doc.sections[0]
    premiere.page_width, premiere.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
    for cote in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(premiere, cote, Cm(2))
    _langue_francaise(doc)
    doc.add_heading(contenu.titre, 0)
    doc.add_paragraph(contenu.territoire)
    doc.add_heading(TITRES_SECTIONS[0], 1)
    _docx_tableau(doc, contenu.chiffres, 10)
    doc.add_heading(TITRES_SECTIONS[1], 1)
    with tempfile.TemporaryDirectory(prefix="ecosysteme-fiche-") as dossier:
        png = exporter_carte(contenu.carte, Path(dossier) / "carte.png")
        doc.add_picture(str(png), width=Cm(17))
    # the gap matrix has 11 columns: a landscape section
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    doc.add_heading(TITRES_SECTIONS[2], 1)
    for note in contenu.notes:
        doc.add_paragraph(note)
    # landscape A4 less 2 × 2 cm: the quartier's name, its residents, then the 9 services
    services = len(contenu.lacunes.entetes) - 2
    _docx_tableau(doc, contenu.lacunes, 7, [3.2, 1.7, *([(25.7 - 4.9) / services] * services)])
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = section.page_height, section.page_width
    doc.add_heading(TITRES_SECTIONS[3], 1)
    if contenu.sans_offre.lignes:
        _docx_tableau(doc, contenu.sans_offre, 9)
    else:
        doc.add_paragraph(typographie("Aucun : chaque quartier a au moins un acteur à portée."))
    doc.add_heading(TITRES_SECTIONS[4], 1)
    for phrase in contenu.totem:
        doc.add_paragraph(phrase)
    if contenu.totem_tableau is not None:
        _docx_tableau(doc, contenu.totem_tableau, 9)
    doc.add_heading(TITRES_SECTIONS[5], 1)
    doc.add_paragraph(contenu.sources)
    doc.save(str(chemin))


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [POLICE],
            "pdf.fonttype": 42,
            "axes.unicode_minus": False,
        }
    ):
        yield


def _page() -> Figure:
    return Figure(figsize=(A4_MM[0] / MM_PAR_POUCE, A4_MM[1] / MM_PAR_POUCE))


def _couper(texte: str, largeur: int) -> str:
    return "\n".join(textwrap.wrap(texte, largeur, break_long_words=False, break_on_hyphens=False)) or texte


@dataclass
class _Curseur:
    """Pages of text and tables laid out top to bottom (y in figure fraction)."""

    pages: list[Figure] = field(default_factory=list)
    y: float = 0.0

    def page(self) -> Figure:
        fig = _page()
        self.pages.append(fig)
        self.y = 0.95
        return fig

    def courante(self, besoin: float) -> Figure:
        if not self.pages or self.y - besoin < 0.05:
            return self.page()
        return self.pages[-1]

    def texte(self, texte: str, taille: float = 9, gras: bool = False, largeur: int = 100) -> None:
        """A paragraph; a bold one (a heading) is kept with what follows (room for 4 lines)."""
        contenu = _couper(texte, largeur)
        hauteur = (contenu.count("\n") + 1) * taille * 1.35 / 72 / (A4_MM[1] / MM_PAR_POUCE)
        fig = self.courante(hauteur + (0.08 if gras else 0.0))
        fig.text(0.07, self.y, contenu, fontsize=taille, fontweight="bold" if gras else "normal", va="top")
        self.y -= hauteur + 0.008

    def tableau(
        self, tableau: Tableau, taille: float, largeurs: Sequence[float], coupe: Sequence[int]
    ) -> None:
        lignes = list(tableau.lignes) or [tuple("" for _ in tableau.entetes)]
        for debut in range(0, len(lignes), LIGNES_PAR_PAGE):
            morceau = lignes[debut : debut + LIGNES_PAR_PAGE]
            entetes = [_couper(e, c) for e, c in zip(tableau.entetes, coupe, strict=True)]
            cellules = [[_couper(v, c) for v, c in zip(ligne, coupe, strict=True)] for ligne in morceau]
            lignes_texte = [max(v.count("\n") + 1 for v in rangee) for rangee in (entetes, *cellules)]
            hauteurs = [n * taille * 1.5 / 72 / (A4_MM[1] / MM_PAR_POUCE) for n in lignes_texte]
            total = sum(hauteurs)
            fig = self.courante(total)
            ax = fig.add_axes((0.07, self.y - total, 0.86, total))
            ax.set_axis_off()
            t = ax.table(cellText=cellules, colLabels=entetes, colWidths=list(largeurs), loc="upper left",
                         cellLoc="left", bbox=Bbox.from_bounds(0.0, 0.0, 1.0, 1.0))  # fmt: skip
            t.auto_set_font_size(False)
            t.set_fontsize(taille)
            for (r, _c), cellule in t.get_celld().items():
                cellule.set_height(hauteurs[r] / total)
                cellule.set_linewidth(0.4)
                if r == 0:
                    cellule.set_text_props(fontweight="bold")
                    cellule.set_facecolor("#eeeeea")
            self.y -= total + 0.02


def pages_pdf(contenu: ContenuFiche) -> list[Figure]:
    """The pages after the map: key figures, gap matrix, QPV without offer, lieu totem, sources."""
    contenu = _textes(contenu, _texte_pdf)
    c = _Curseur()
    c.page()
    c.texte(contenu.titre, 14, gras=True, largeur=70)
    c.texte(contenu.territoire, 9)
    c.texte(TITRES_SECTIONS[0], 12, gras=True)
    c.tableau(contenu.chiffres, 8, (0.8, 0.2), (80, 20))
    c.texte(TITRES_SECTIONS[2], 12, gras=True)
    for note in contenu.notes:
        c.texte(note, 7.5, largeur=120)
    services = len(contenu.lacunes.entetes) - 2
    c.tableau(
        contenu.lacunes,
        5.5,
        (0.2, 0.07, *([0.73 / max(services, 1)] * services)),
        (30, 9, *([11] * services)),
    )
    c.texte(TITRES_SECTIONS[3], 12, gras=True)
    if contenu.sans_offre.lignes:
        c.tableau(contenu.sans_offre, 7.5, (0.5, 0.15, 0.15, 0.2), (60, 12, 12, 22))
    else:
        c.texte(typographie("Aucun : chaque quartier a au moins un acteur à portée."), 9)
    c.texte(TITRES_SECTIONS[4], 12, gras=True)
    for phrase in contenu.totem:
        c.texte(phrase, 9)
    if contenu.totem_tableau is not None:
        c.tableau(contenu.totem_tableau, 7.5, (0.45, 0.12, 0.12, 0.31), (55, 12, 12, 40))
    c.texte(TITRES_SECTIONS[5], 12, gras=True)
    c.texte(contenu.sources, 7.5, largeur=125)
    return c.pages


def ecrire_pdf(contenu: ContenuFiche, chemin: Path) -> None:
    """Write the fiche to ``chemin`` (.pdf): the map, then the pages of :func:`pages_pdf`."""
    with _style():
        pages = pages_pdf(contenu)
        metadonnees = {
            "Title": sans_controles(contenu.titre),
            "Creator": "ecosysteme",
            "Producer": "ecosysteme (matplotlib)",
        }
        with PdfPages(chemin, metadata=metadonnees) as pdf:
            pdf.savefig(contenu.carte)
            for page in pages:
                pdf.savefig(page)
