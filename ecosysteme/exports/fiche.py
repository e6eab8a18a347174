"""The « fiche territoire » of an EPCI for its feuille de route: DOCX (python-docx) and PDF.

:func:`fiche_territoire` gathers, from the store, what the other modules compute — the map of
:func:`~ecosysteme.exports.cartes.carte_epci`, the key figures of
:func:`~ecosysteme.analyse.resume.chiffres_cles`, the gap matrix of
:func:`~ecosysteme.analyse.lacunes.matrice` for the 9 services of the standard, the QPV without
any offer within the threshold
(:func:`~ecosysteme.analyse.lacunes.qpv_sans_offre`), the lieu totem of
:func:`~ecosysteme.analyse.totem.totem_epci` — and writes them atomically as:

- ``.docx``: a title, the headings « Chiffres clés », « Carte », « Lacunes par quartier »,
  « Quartiers sans offre à portée », « Lieu totem », « Sources », the map as a PNG image and
  real Word tables;
- ``.pdf``: page 1 the map, then pages of key figures and tables drawn with matplotlib (text
  kept as text: TrueType fonts, ``pdf.fonttype`` 42).

Every text goes through :func:`typographie` (French typography: no-break spaces before
« : ; ! ? » and inside « » guillemets); numbers through :func:`nombre_fr` (thousands separated
by a narrow no-break space U+202F, decimal comma). Texts from the data are written as text:
invisible characters removed (python-docx refuses a control character), and in the PDF a « $ »
stays a dollar (matplotlib would read ``$…$`` as a formula, and fail on an odd one).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import tempfile
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from ecosysteme.analyse.couverture import Parametres, couverture, filtre, filtres_famille
from ecosysteme.analyse.lacunes import matrice, qpv_sans_offre
from ecosysteme.analyse.resume import chiffres_cles
from ecosysteme.analyse.totem import totem_epci
from ecosysteme.depot.interface import Depot, Lot
from ecosysteme.domaine.erreurs import EcosystemeError
from ecosysteme.domaine.reglages import MESURE_DISTANCE
from ecosysteme.domaine.validation import sans_controles
from ecosysteme.exports.cartes import A4_MM, MM_PAR_POUCE, POLICE, carte_epci, exporter_carte
from ecosysteme.exports.tableaux import ecrire_atomique

if TYPE_CHECKING:
    from docx.document import Document as DocumentDocx

#: No-break space (before « : » and inside guillemets) and narrow no-break space (before
#: « ; ! ? » and between thousands), as in the Lexique des règles typographiques.
ESPACE_INSECABLE = "\u00a0"
ESPACE_FINE = "\u202f"
SERVICE_DEFAUT = "Aide aux démarches administratives"
#: Text font of the DOCX.
POLICE_DOCX = "Arial"
TITRE = "Fiche territoire"
TITRES_SECTIONS = (
    "Chiffres clés",
    "Carte",
    "Lacunes par quartier",
    "Quartiers sans offre à portée",
    "Lieu totem",
    "Sources",
)
#: Names of the territory layers in the sources line.
COUCHES = {
    "qpv": "périmètres des QPV 2024 (ANCT)",
    "qpv_populations": "population des QPV (INSEE)",
    "communes": "communes (IGN, geo.api.gouv.fr)",
    "epci": "EPCI (IGN, geo.api.gouv.fr)",
}
AUCUN = "aucun"
#: Rows of a table per PDF page.
LIGNES_PAR_PAGE = 28

_ESPACES = "[ \u00a0\u202f\t]"
#: A mark ends a word when an ordinary space, a closing sign or the end follows it.
_FIN_DE_MOT = r"(?=[ \t\r\n»)]|$)"


# --- French typography (pure) -------------------------------------------------------------------


def typographie(texte: str) -> str:
    """French typography of a text: a no-break space (U+00A0) before « : » and a narrow
    no-break space (U+202F) before « ; ! ? » when the mark ends a word (spaces before it are
    replaced, one is added when missing; ``https://`` or ``18:30`` are left alone), and no-break
    spaces inside « » guillemets."""
    out = re.sub(_ESPACES + r"*:" + _FIN_DE_MOT, ESPACE_INSECABLE + ":", sans_controles(texte))
    out = re.sub(r"(?<=\S)" + _ESPACES + r"*([;!?])" + _FIN_DE_MOT, ESPACE_FINE + r"\1", out)
    out = re.sub(r"^" + _ESPACES + r"+([;!?:])", r"\1", out)
    out = re.sub("«" + _ESPACES + "*", "«" + ESPACE_INSECABLE, out)
    out = re.sub(_ESPACES + "*»", ESPACE_INSECABLE + "»", out)
    return out


def nombre_fr(valeur: float, decimales: int = 0) -> str:
    """``3953`` → « 3 953 » (U+202F between thousands), ``0.456`` with 1 decimal → « 0,5 »."""
    if not math.isfinite(valeur):
        raise EcosystemeError(f"nombre « {valeur} » non fini : impossible de l'écrire.")
    texte = f"{valeur:,.{decimales}f}" if decimales > 0 else f"{round(valeur):,}"
    return texte.replace(",", ESPACE_FINE).replace(".", ",")


def distance_fr(valeur: object) -> str:
    """A nearest distance in metres: « 0 m », « 1 250 m »; « aucun » when none is known."""
    if valeur is None or isinstance(valeur, bool):
        return AUCUN
    try:
        d = float(valeur)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return AUCUN
    if not math.isfinite(d):
        return AUCUN
    return f"{nombre_fr(d)}{ESPACE_INSECABLE}m"


def habitants_fr(valeur: object) -> str:
    """A population: « 3 953 », « inconnue » when unknown."""
    if valeur is None or isinstance(valeur, bool) or pd.isna(valeur):  # type: ignore[call-overload]
        return "inconnue"
    return nombre_fr(float(valeur))  # type: ignore[arg-type]


def pourcentage_fr(part: float) -> str:
    """``0.4567`` → « 45,7 % » (narrow no-break space before %)."""
    return f"{nombre_fr(100 * part, 1)}{ESPACE_FINE}%"


# --- content --------------------------------------------------------------------------------------


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


def _date_fr(d: dt.date | dt.datetime | None) -> str:
    return "date inconnue" if d is None else f"{d:%d/%m/%Y}"


def ligne_sources_fiche(etat: dict[str, dict[str, str]], lots: Sequence[Lot], date: dt.date) -> str:
    """« Sources : périmètres des QPV 2024 (ANCT), fichier qpv.geojson du 26/11/2026 ; … ;
    inventaire local au 26/11/2026 »: the territory layers (``Depot.etat_territoire``) then the
    actors' import batches still in force (``Depot.lots``), oldest first."""
    parties: list[str] = []
    for cle, libelle in COUCHES.items():
        info = etat.get(cle)
        if not info:
            continue
        fichier = (info.get("source") or "").split(" ")[0]
        le = info.get("le", "")[:10]
        quand = f"{le[8:10]}/{le[5:7]}/{le[0:4]}" if len(le) == 10 else "date inconnue"
        parties.append(f"{libelle}, fichier {fichier or 'inconnu'} du {quand}")
    for lot in sorted(lots, key=lambda x: x.id):
        if lot.annule:
            continue
        parties.append(f"acteurs {lot.format}, fichier {lot.fichier} du {_date_fr(lot.fin or lot.debut)}")
    parties.append(f"inventaire local au {_date_fr(date)}")
    return typographie("Sources : " + " ; ".join(parties))


def _tableau_chiffres(
    chiffres: dict[str, object], couv: pd.DataFrame, qpv: pd.DataFrame, cle: str, service: str, seuil: float
) -> Tableau:
    pop = pd.to_numeric(qpv.set_index("code_qp")["population"], errors="coerce")
    couverts = couv[(couv["filtre"] == cle) & couv["couvert"]]["code_qp"]
    total = float(pop.sum())
    part = float(pop.reindex(couverts).sum()) / total if total > 0 else float("nan")
    sans = couv[(couv["filtre"] == "tous") & ~couv["couvert"]]
    lignes: list[tuple[str, str]] = [
        ("Quartiers prioritaires (QPV)", nombre_fr(float(str(chiffres["qpv"])))),
        ("Habitants des QPV", nombre_fr(float(str(chiffres["population_qpv"])))),
    ]
    if int(str(chiffres["qpv_population_inconnue"])):
        lignes.append(
            ("QPV de population inconnue", nombre_fr(float(str(chiffres["qpv_population_inconnue"]))))
        )
    lignes.append(("Acteurs actifs sur le territoire", nombre_fr(float(str(chiffres["acteurs"])))))
    par_cat = chiffres["acteurs_par_categorie"]
    if isinstance(par_cat, dict):
        for categorie, n in par_cat.items():
            if n:
                lignes.append((f"  dont {categorie}", nombre_fr(float(n))))
    lignes.append(
        (
            f"Habitants des QPV à moins de {distance_fr(seuil)} ({MESURE_DISTANCE}) d'un lieu « {service} »",
            AUCUN if math.isnan(part) else pourcentage_fr(part),
        )
    )
    lignes.append((f"QPV sans aucun acteur à moins de {distance_fr(seuil)}", nombre_fr(float(len(sans)))))
    return Tableau(("Indicateur", "Valeur"), tuple((typographie(a), typographie(b)) for a, b in lignes))


def _tableau_lacunes(couv: pd.DataFrame, qpv: pd.DataFrame) -> Tableau:
    services = filtres_famille("service")
    m = matrice(couv, qpv, services, "distance_m")
    entetes = ("Quartier", "Habitants", *(f.libelle for f in services))
    lignes = tuple(
        (
            typographie(f"{ligne['lib_qp']} ({ligne['code_qp']})"),
            habitants_fr(ligne["population"]),
            *(distance_fr(ligne[f.libelle]) for f in services),
        )
        for _, ligne in m.iterrows()
    )
    return Tableau(tuple(typographie(e) for e in entetes), lignes)


def _tableau_sans_offre(couv: pd.DataFrame, qpv: pd.DataFrame) -> Tableau:
    s = qpv_sans_offre(couv, qpv, "tous")
    lignes = tuple(
        (
            typographie(str(ligne["lib_qp"])),
            str(ligne["code_qp"]),
            habitants_fr(ligne["population"]),
            distance_fr(ligne["distance_m"]),
        )
        for _, ligne in s.iterrows()
    )
    return Tableau(("Quartier", "Code", "Habitants", "Acteur le plus proche"), lignes)


def _totem(depot: Depot, siren: str, service: str, seuil: float) -> tuple[tuple[str, ...], Tableau | None]:
    try:
        res, expl = totem_epci(depot, siren, service=service, rayon=seuil, sites=1)
    except EcosystemeError as exc:
        return (typographie(f"Pas de recommandation : {exc}"),), None
    if not res.choisis or res.objectif <= 0:
        return (
            typographie(
                f"Pas de lieu totem à recommander pour « {service} » : aucun lieu du territoire "
                f"ne couvrirait d'habitants de QPV non encore couverts à moins de {distance_fr(seuil)}."
            ),
        ), None
    site = expl.sites.iloc[0]
    phrases = (
        typographie(
            f"Lieu recommandé pour « {service} » (1 site, rayon de {distance_fr(seuil)} {MESURE_DISTANCE}) : "
            f"{site['libelle']} ({site['id']})."
        ),
        typographie(
            f"Habitants de QPV nouvellement couverts : {nombre_fr(float(res.objectif))} "
            f"({nombre_fr(float(site['qpv_atteints']))} QPV atteints, "
            f"{nombre_fr(float(site['habitants_atteints']))} habitants à portée ; résolution : {res.statut})."
        ),
    )
    q = expl.qpv
    lignes = tuple(
        (
            typographie(f"{ligne['lib_qp']} ({ligne['code_qp']})"),
            habitants_fr(ligne["population"]),
            distance_fr(ligne["distance_m"]),
            typographie(str(ligne["etat"])),
        )
        for _, ligne in q.sort_values("distance_m").iterrows()
    )
    return phrases, Tableau(("Quartier atteint", "Habitants", "Distance", "État"), lignes)


def contenu_fiche(
    depot: Depot,
    siren: str,
    *,
    service: str = SERVICE_DEFAUT,
    seuil: float = 1000.0,
    date: dt.date | None = None,
) -> ContenuFiche:
    """Read the store and compute everything the fiche of the EPCI ``siren`` shows."""
    if not (math.isfinite(seuil) and seuil > 0):
        raise EcosystemeError(f"seuil « {seuil} » invalide : une distance positive en mètres est attendue.")
    offre = filtre(f"service:{service}")
    if offre.famille != "service":
        raise EcosystemeError(f"service « {service} » inconnu : l'un des 9 services du standard est attendu.")
    lignes_epci = depot.epci(siren)
    if lignes_epci.empty:
        raise EcosystemeError(f"EPCI « {siren} » absent du dépôt (SIREN exact ? territoire importé ?).")
    nom = str(lignes_epci["nom_epci"].iloc[0])
    qpv = depot.qpv(siren_epci=siren)
    if qpv.empty:
        raise EcosystemeError(f"aucun QPV pour l'EPCI « {siren} » dans le dépôt : pas de fiche à établir.")
    jour = date or dt.date.today()
    tous = depot.acteurs_gdf()
    filtres = (filtre("tous"), *filtres_famille("service"))
    couv = couverture(qpv, tous, Parametres(bandes=(300.0, seuil), seuil=seuil, filtres=filtres))
    chiffres = chiffres_cles(qpv, depot.acteurs_gdf(siren_epci=siren))
    carte = carte_epci(depot, siren, filtre=offre.cle, seuil=seuil, date=jour)
    phrases, tableau_totem = _totem(depot, siren, service, seuil)
    return ContenuFiche(
        titre=typographie(f"{TITRE} : {nom}"),
        territoire=typographie(f"{nom} (SIREN {siren}) — fiche établie le {_date_fr(jour)}"),
        date=jour,
        chiffres=_tableau_chiffres(chiffres, couv, qpv, offre.cle, service, seuil),
        carte=carte,
        lacunes=_tableau_lacunes(couv, qpv),
        sans_offre=_tableau_sans_offre(couv, qpv),
        totem=phrases,
        totem_tableau=tableau_totem,
        sources=ligne_sources_fiche(depot.etat_territoire(), depot.lots(), jour),
        notes=(
            typographie(
                f"Distance au lieu le plus proche offrant chaque service, mesurée au périmètre du quartier ; "
                f"« {AUCUN} » : aucun lieu connu. Seuil de portée : {distance_fr(seuil)} {MESURE_DISTANCE}."
            ),
        ),
    )


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


# --- DOCX -----------------------------------------------------------------------------------------


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


# --- PDF ------------------------------------------------------------------------------------------


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


# --- entry point ----------------------------------------------------------------------------------


def fiche_territoire(
    depot: Depot,
    siren: str,
    chemin: Path,
    *,
    service: str = SERVICE_DEFAUT,
    seuil: float = 1000.0,
    date: dt.date | None = None,
) -> Path:
    """Write the fiche territoire of the EPCI ``siren`` to ``chemin`` (.docx or .pdf), through a
    temp file renamed into place; returns ``chemin``. ``service``: the offer of the map and of the
    lieu totem; ``seuil``: the walking distance (metres) of coverage and of the lieu totem;
    ``date``: the date printed (default: today)."""
    chemin = Path(chemin)
    suffixe = chemin.suffix.lower()
    if suffixe not in (".docx", ".pdf"):
        raise EcosystemeError(
            f"format de fiche « {suffixe or chemin.name} » inconnu : .docx ou .pdf attendu."
        )
    contenu = contenu_fiche(depot, siren, service=service, seuil=seuil, date=date)
    ecrire = ecrire_docx if suffixe == ".docx" else ecrire_pdf
    return ecrire_atomique(chemin, lambda tmp: ecrire(contenu, tmp))
