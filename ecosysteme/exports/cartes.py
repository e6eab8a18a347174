"""Document-quality maps (PDF, PNG) for the feuille de route of an EPCI, drawn with matplotlib.

:func:`carte_document` draws one A4 page (portrait or landscape) in the territory's metric CRS
(Lambert-93 in metropolitan France, the local projected CRS overseas: ``projection``), so that
the scale bar is true at the centre of the map (Lambert-93's scale error stays under 0.1 %):

- QPV filled by a :class:`~ecosysteme.cartes.mesure.Mesure` (its classes, colours and French
  words, as on the interactive map), or plainly when there is no measure, with their short names
  at a point inside each polygon, white halo, placed so that labels do not overlap when possible;
- active actors as symbols by category (the colours of ``carte.construire.SYMBOLES``, plus a
  distinct marker shape per category, so that the map reads in black and white);
- the stops of active mobile services as squares with a thick outline in their category's
  colour, each labelled with its name and schedule in short French (« sam. 09:00–12:00 ») when
  there are few enough to read (``ARRETS_ETIQUETES_MAX``), a service without a point of its own
  included;
- commune boundaries thin grey and the EPCI boundary thicker (no tiles: the page needs no network);
- title, territory, legend (counts per class and per category), scale bar (round length),
  north arrow pointing to true north (meridian convergence of the projection), and a bottom line
  with the sources, the inventory date and the projection.

:func:`exporter_carte` writes the page to .pdf (text kept as text: TrueType fonts, DejaVu Sans,
accents and narrow no-break spaces included) or .png (300 dpi, 2480 × 3508 px portrait),
atomically. :func:`carte_epci` reads a store, computes the coverage and returns the page of one
EPCI. Figures are built without pyplot (no global state, safe in a server thread).
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.patheffects import Stroke, withStroke
from matplotlib.textpath import TextPath
from pyproj import CRS, Transformer

from ecosysteme.analyse.couverture import Parametres, couverture, filtrer_acteurs
from ecosysteme.analyse.couverture import filtre as filtre_offre
from ecosysteme.cartes.arrets import ArretCarte, arrets_acteurs, horaires_fr
from ecosysteme.cartes.construire import SYMBOLES
from ecosysteme.cartes.mesure import NEUTRE, Etats, Mesure, entier_fr
from ecosysteme.depot.interface import Depot
from ecosysteme.domaine.erreurs import EcosystemeError
from ecosysteme.domaine.modeles import Statut
from ecosysteme.domaine.projection import territoire_de_point, territoires_par_qpv
from ecosysteme.domaine.reglages import MESURE_DISTANCE
from ecosysteme.exports.tableaux import ecrire_atomique

Orientation = Literal["paysage", "portrait"]
GenreMesure = Literal["distance", "compte", "couvert"]
GenreCouche = Literal["point", "ligne", "cercle"]

#: Output resolution of PNG files.
DPI = 300
#: A4 in pixels at 300 dpi (portrait); the figure is sized so that Agg gives exactly these.
A4_PX = (2480, 3508)
#: A4 in millimetres (portrait).
A4_MM = (210.0, 297.0)
POLICE = "DejaVu Sans"
#: Marker shape of each category, in the order of ``SYMBOLES`` (colour is not the only cue).
FORMES = ("o", "s", "D", "^", "v", "p", "h", "*", "P", "X")
COULEUR_COMMUNES = "#8c8c8c"
COULEUR_EPCI = "#3a3a3a"
FOND_TERRITOIRE = "#f7f7f4"
#: Up to this many QPV, every name is written even where it overlaps another.
ETIQUETTES_TOUTES_MAX = 30
#: Above this many places in the frame, actors are drawn with smaller symbols.
ACTEURS_SYMBOLES_PLEINS_MAX = 300
#: Up to this many stops of mobile services in the frame, each is labelled with its schedule.
ARRETS_ETIQUETES_MAX = 15
#: Geometric detail below this many millimetres on paper is dropped (simplification).
DETAIL_MM = 0.05
MM_PAR_POUCE = 25.4
POINTS_PAR_MM = 72.0 / MM_PAR_POUCE


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [POLICE],
            "pdf.fonttype": 42,
            "ps.fonttype": 42,
            "svg.fonttype": "none",
            "axes.unicode_minus": False,
        }
    ):
        yield


# --- pure helpers -----------------------------------------------------------------------------


def longueur_echelle(largeur_m: float, part: float = 0.25) -> float:
    """The round length (1, 2 or 5 × 10ⁿ metres) of a scale bar: the largest not longer than
    ``part`` of the map width ``largeur_m``."""
    if not (math.isfinite(largeur_m) and largeur_m > 0) or not 0 < part <= 1:
        raise EcosystemeError("largeur de carte invalide pour la barre d'échelle (mètres positifs attendus).")
    cible = largeur_m * part
    puissance = 10.0 ** math.floor(math.log10(cible))
    for facteur in (5.0, 2.0, 1.0):
        if facteur * puissance <= cible * (1 + 1e-9):
            return facteur * puissance
    return puissance  # pragma: no cover - facteur 1 always fits


def distance_echelle(metres: float) -> str:
    """« 500 m », « 1 km », « 2,5 km », « 10 km » (French decimal comma)."""
    if metres < 1000:
        return f"{entier_fr(metres)} m"
    km = metres / 1000
    if abs(km - round(km)) < 1e-9:
        return f"{entier_fr(km)} km"
    return f"{km:.1f}".replace(".", ",") + " km"


def ligne_sources(sources: Sequence[str], date: dt.date | None) -> str:
    """« Sources : ANCT — QPV 2024 ; inventaire local au 26/11/2026 »."""
    parties = [s.strip() for s in sources if s and s.strip()]
    if date is not None:
        parties.append(f"inventaire local au {date:%d/%m/%Y}")
    if not parties:
        return ""
    return "Sources : " + " ; ".join(parties)


def nom_court(nom: object, largeur: int = 22, lignes: int = 3) -> str:
    """A QPV name for a label: wrapped at ``largeur`` characters, at most ``lignes`` lines, the
    rest replaced by « … »; an empty name gives an empty label."""
    texte = " ".join(str(nom).split()) if isinstance(nom, str) else ""
    if not texte:
        return ""
    morceaux = textwrap.wrap(texte, largeur, break_long_words=True, break_on_hyphens=False)
    if len(morceaux) > lignes:
        dernier = morceaux[lignes - 1]
        morceaux = [*morceaux[: lignes - 1], dernier[: max(largeur - 1, 1)].rstrip() + "…"]
    return "\n".join(morceaux)


def convergence_nord(epsg: int, longitude: float, latitude: float) -> float:
    """Angle in degrees, counter-clockwise, from grid north (the map's up) to true north at a
    point: 0 on Lambert-93's central meridian (3° E), about +2.9° at 7° E, 48° N."""
    t = Transformer.from_crs(4326, epsg, always_xy=True)
    x0, y0 = t.transform(longitude, latitude)
    x1, y1 = t.transform(longitude, min(latitude + 0.01, 89.99))
    return math.degrees(math.atan2(-(x1 - x0), y1 - y0))


Boite = tuple[float, float, float, float]


def _se_chevauchent(a: Boite, b: Boite) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def placer_etiquettes(
    candidats: Sequence[Sequence[Boite]], occupees: Sequence[Boite] = (), cadre: Boite | None = None
) -> list[int | None]:
    """Greedy label placement: for each label in turn (most important first), the index of the
    first of its candidate boxes ``(x0, y0, x1, y1)`` that lies inside ``cadre`` and overlaps
    neither ``occupees`` nor a label already placed; None when no candidate fits."""
    prises: list[Boite] = list(occupees)
    choix: list[int | None] = []
    for boites in candidats:
        retenu: int | None = None
        for k, b in enumerate(boites):
            if cadre is not None and (
                b[0] < cadre[0] or b[1] < cadre[1] or b[2] > cadre[2] or b[3] > cadre[3]
            ):
                continue
            if not any(_se_chevauchent(b, p) for p in prises):
                retenu = k
                prises.append(b)
                break
        choix.append(retenu)
    return choix


def crs_carte(*couches: gpd.GeoDataFrame | None) -> int:
    """The metric CRS (EPSG) of a map: that of the territory of most QPV of the first frame
    holding QPV (``projection.territoires_par_qpv``), else the territory of the centre of the
    first non-empty frame; Lambert-93 when nothing is known."""
    for gdf in couches:
        if gdf is None or gdf.empty:
            continue
        geoms = gdf.geometry.to_numpy()
        valides = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        if not valides.any():
            continue
        if "code_qp" in gdf.columns:
            codes = [t.epsg for t in territoires_par_qpv(gdf[valides])]
            return int(pd.Series(codes).mode().iloc[0])
        x0, y0, x1, y1 = shapely.total_bounds(geoms[valides])
        t = territoire_de_point((x0 + x1) / 2, (y0 + y1) / 2)
        return t.epsg if t is not None else 2154
    return 2154


def _nom_crs(epsg: int) -> str:
    return f"{CRS.from_epsg(epsg).name} (EPSG:{epsg})"


# --- the page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Gabarit:
    """Boxes of the page in millimetres from the lower-left corner: (x, y, width, height)."""

    largeur: float
    hauteur: float
    carte: tuple[float, float, float, float]
    legende: tuple[float, float, float, float]


def _gabarit(orientation: Orientation) -> _Gabarit:
    if orientation == "paysage":
        w, h = A4_MM[1], A4_MM[0]
        return _Gabarit(w, h, (10.0, 16.0, 207.0, 164.0), (222.0, 16.0, 65.0, 164.0))
    if orientation == "portrait":
        w, h = A4_MM
        return _Gabarit(w, h, (10.0, 76.0, 190.0, 190.0), (10.0, 16.0, 190.0, 56.0))
    raise EcosystemeError(f"orientation « {orientation} » inconnue : « paysage » ou « portrait » attendu.")


def _taille_pouces(orientation: Orientation) -> tuple[float, float]:
    """Figure size giving exactly 2480 × 3508 px at 300 dpi (A4 within 0.03 mm)."""
    w, h = ((A4_PX[0] + 0.25) / DPI, (A4_PX[1] + 0.25) / DPI)
    return (w, h) if orientation == "portrait" else (h, w)


def _non_vides(gdf: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    if gdf is None or gdf.empty:
        return None
    g = gdf.geometry.to_numpy()
    garde = ~(shapely.is_missing(g) | shapely.is_empty(g))
    return gdf[garde] if garde.any() else None


def _exiger_wgs84(gdf: gpd.GeoDataFrame | None, nom: str) -> None:
    if gdf is not None and (gdf.crs is None or gdf.crs.to_epsg() != 4326):
        raise EcosystemeError(f"Les {nom} doivent être en EPSG:4326 (reçu : {gdf.crs}).")


def _emprise(
    bornes: np.ndarray, largeur_mm: float, hauteur_mm: float, marge: float = 0.04
) -> tuple[float, float, float, float]:
    """Limits (x0, x1, y0, y1) holding ``bornes`` with a margin, with the box's aspect ratio."""
    x0, y0, x1, y1 = (float(v) for v in bornes)
    w, h = max(x1 - x0, 200.0), max(y1 - y0, 200.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = w * (1 + 2 * marge), h * (1 + 2 * marge)
    rapport = largeur_mm / hauteur_mm
    if w / h < rapport:
        w = h * rapport
    else:
        h = w / rapport
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def _simplifie(gdf: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoSeries:
    geoms = shapely.simplify(gdf.geometry.to_numpy(), tolerance_m, preserve_topology=True)
    return gpd.GeoSeries(geoms, crs=gdf.crs, index=gdf.index)


def _colonne(df: pd.DataFrame, nom: str) -> np.ndarray:
    if nom in df.columns:
        return df[nom].to_numpy(dtype=object)
    return np.full(len(df), None, dtype=object)


@dataclass(frozen=True)
class Couche:
    """A layer drawn over the QPV of a document map, with one line in its legend section:
    ``point`` (a marker), ``ligne`` (lines between places) or ``cercle`` (a dashed circle of
    ``rayon_m`` metres, true on the ground: drawn in the map's metric CRS). ``geometries`` in
    EPSG:4326; ``section``: the legend title it goes under (layers of one section stay together)."""

    geometries: gpd.GeoSeries
    libelle: str
    couleur: str
    genre: GenreCouche = "point"
    section: str = "Sur la carte"
    rayon_m: float = 0.0
    marqueur: str = "o"
    taille: float = 40.0
    #: Count the features in the frame after the legend line (« (3) »).
    compter: bool = True
    #: Point layers: a short text beside each point (« 1 », « 2 »…), in the order of ``geometries``.
    etiquettes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.genre not in ("point", "ligne", "cercle"):
            raise EcosystemeError(f"couche « {self.libelle} » : genre « {self.genre} » inconnu.")
        if self.genre == "cercle" and not (math.isfinite(self.rayon_m) and self.rayon_m > 0):
            raise EcosystemeError(f"couche « {self.libelle} » : rayon en mètres positif attendu.")


def carte_document(
    qpv: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None,
    epci: gpd.GeoDataFrame | None,
    acteurs: gpd.GeoDataFrame | None,
    *,
    titre: str,
    territoire: str,
    mesure: Mesure | Etats | None = None,
    format: str = "A4",
    orientation: Orientation = "paysage",
    date: dt.date | None = None,
    sources: Sequence[str] = ("ANCT — QPV 2024",),
    precision: str | None = None,
    couches: Sequence[Couche] = (),
    titre_acteurs: str = "Acteurs sur la carte",
    emprise: tuple[float, float, float, float] | None = None,
) -> Figure:
    """One A4 page: the QPV of ``qpv`` coloured by ``mesure`` (its column must be in ``qpv``;
    None: plain fill), the active actors of ``acteurs`` by category, ``communes`` and ``epci``
    as background, the extra ``couches`` over them, a legend in French, a scale bar, a north
    arrow, ``titre`` and ``territoire`` at the top (then ``precision``, for example the actor
    filters in force) and the sources line (``ligne_sources(sources, date)``) at the bottom.

    Frames in EPSG:4326 (any may be empty or None, but something must be drawn); the page is
    drawn in the territory's metric CRS (:func:`crs_carte`). The map frames the EPCI and the QPV,
    or ``emprise`` (lon/lat bounds ``(ouest, sud, est, nord)``) when given: a zoom on what matters.
    Save it with :func:`exporter_carte`.
    """
    if format.upper() != "A4":
        raise EcosystemeError(f"format de page « {format} » non pris en charge : seul « A4 » l'est.")
    g = _gabarit(orientation)
    for f, nom in ((qpv, "QPV"), (communes, "communes"), (epci, "EPCI"), (acteurs, "acteurs")):
        _exiger_wgs84(f, nom)
    for couche in couches:
        if couche.geometries.crs is None or couche.geometries.crs.to_epsg() != 4326:
            raise EcosystemeError(f"la couche « {couche.libelle} » doit être en EPSG:4326.")
    if mesure is not None and mesure.colonne not in qpv.columns:
        raise EcosystemeError(f"la colonne de mesure « {mesure.colonne} » manque dans les QPV.")
    qpv_v, communes_v, epci_v = _non_vides(qpv), _non_vides(communes), _non_vides(epci)
    acteurs_v = _non_vides(acteurs)
    arrets = _arrets_actifs(acteurs)
    if acteurs_v is not None and "statut" in acteurs_v.columns:
        acteurs_v = acteurs_v[acteurs_v["statut"].to_numpy(dtype=object) == Statut.ACTIF.value]
    if acteurs_v is not None:
        types = shapely.get_type_id(acteurs_v.geometry.to_numpy())
        acteurs_v = acteurs_v[types == 0] if (types == 0).any() else None
    if qpv_v is None and communes_v is None and epci_v is None:
        raise EcosystemeError("rien à cartographier : ni QPV, ni commune, ni EPCI pour ce territoire.")

    epsg = crs_carte(qpv_v, epci_v, communes_v)
    projeter = {
        nom: (f.to_crs(epsg) if f is not None else None)
        for nom, f in (("qpv", qpv_v), ("communes", communes_v), ("epci", epci_v), ("acteurs", acteurs_v))
    }
    q, c, e, a = (projeter[k] for k in ("qpv", "communes", "epci", "acteurs"))
    reference = next(f for f in (e, q, c) if f is not None)
    bornes = shapely.total_bounds(reference.geometry.to_numpy())
    if q is not None and reference is not q:
        qb = shapely.total_bounds(q.geometry.to_numpy())
        bornes = np.array(
            [min(bornes[0], qb[0]), min(bornes[1], qb[1]), max(bornes[2], qb[2]), max(bornes[3], qb[3])]
        )
    if emprise is not None:
        if not all(math.isfinite(v) for v in emprise) or emprise[0] > emprise[2] or emprise[1] > emprise[3]:
            raise EcosystemeError(f"emprise de carte invalide : {emprise} (ouest, sud, est, nord attendus).")
        xs, ys = Transformer.from_crs(4326, epsg, always_xy=True).transform(
            [emprise[0], emprise[2], emprise[0], emprise[2]], [emprise[1], emprise[1], emprise[3], emprise[3]]
        )
        bornes = np.array([min(xs), min(ys), max(xs), max(ys)])
    x0, x1, y0, y1 = _emprise(bornes, g.carte[2], g.carte[3])
    metres_par_mm = (x1 - x0) / g.carte[2]
    tolerance = DETAIL_MM * metres_par_mm

    with _style():
        fig = Figure(figsize=_taille_pouces(orientation), dpi=DPI)
        FigureCanvasAgg(fig)
        fig.set_facecolor("white")

        def boite(mm: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
            return (mm[0] / g.largeur, mm[1] / g.hauteur, mm[2] / g.largeur, mm[3] / g.hauteur)

        ax = fig.add_axes(boite(g.carte))
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        for cote in ax.spines.values():
            cote.set_linewidth(0.6)
            cote.set_color("#3a3a3a")
        ax.set_facecolor("white")

        if e is not None:
            _simplifie(e, tolerance).plot(ax=ax, color=FOND_TERRITOIRE, linewidth=0, zorder=1)
        if c is not None:
            _simplifie(c, tolerance).boundary.plot(ax=ax, color=COULEUR_COMMUNES, linewidth=0.35, zorder=2)

        comptes_classes = np.zeros(0, dtype=np.int64)
        if q is not None:
            if mesure is not None:
                classes = mesure.classer(q[mesure.colonne])
                couleurs = [k.couleur for k in mesure.classes()]
                comptes_classes = np.bincount(classes, minlength=len(couleurs))
                remplissage = [couleurs[int(k)] for k in classes]
            else:
                remplissage = [NEUTRE] * len(q)
            _simplifie(q, tolerance).plot(
                ax=ax, color=remplissage, edgecolor="#1f1f1f", linewidth=0.5, alpha=0.85, zorder=3
            )
        if e is not None:
            _simplifie(e, tolerance).boundary.plot(ax=ax, color=COULEUR_EPCI, linewidth=1.3, zorder=4)
        comptes_couches = [_dessiner_couche(ax, k, epsg, (x0, x1, y0, y1)) for k in couches]

        comptes_categories = np.zeros(len(SYMBOLES), dtype=np.int64)
        if a is not None:
            xs, ys = shapely.get_x(a.geometry.to_numpy()), shapely.get_y(a.geometry.to_numpy())
            visibles = np.isfinite(xs) & np.isfinite(ys) & (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)
            rangs_cat = {s.categorie: i for i, s in enumerate(SYMBOLES)}
            autre = len(SYMBOLES) - 1
            cats = np.array([rangs_cat.get(str(v), autre) for v in _colonne(a, "categorie")], dtype=np.int64)
            # a région holds thousands of places: smaller symbols, so that they do not hide the QPV
            nombreux = int(visibles.sum()) > ACTEURS_SYMBOLES_PLEINS_MAX
            for k, s in enumerate(SYMBOLES):
                garde = visibles & (cats == k)
                comptes_categories[k] = int(garde.sum())
                if garde.any():
                    ax.scatter(
                        xs[garde], ys[garde], s=8 if nombreux else 22, marker=FORMES[k], c=s.couleur,
                        edgecolors="#1f1f1f", linewidths=0.3 if nombreux else 0.45, zorder=7.3,
                    )  # fmt: skip
        n_arrets, arrets_etiquetes = _dessiner_arrets(ax, arrets, epsg, (x0, x1, y0, y1))

        ax.set_xlabel("")
        ax.set_ylabel("")
        occupees = [
            *_echelle(ax, x0, x1, y0, y1, metres_par_mm),
            *_nord(ax, epsg, x0, x1, y0, y1, metres_par_mm),
        ]
        note_noms = ""
        if q is not None:
            poses, nommes = _etiquettes(
                ax, q, x0, x1, y0, y1, metres_par_mm, occupees, forcer=len(q) <= ETIQUETTES_TOUTES_MAX
            )
            if poses < nommes:
                note_noms = (
                    f" — noms de {entier_fr(poses)} QPV sur {entier_fr(nommes)}"
                    " (les autres se chevaucheraient)"
                )

        # title, territory, sources line
        haut = g.hauteur - 9.0
        fig.text(10.0 / g.largeur, haut / g.hauteur, titre, fontsize=15, fontweight="bold", va="baseline")
        fig.text(10.0 / g.largeur, (haut - 6.5) / g.hauteur, territoire, fontsize=11, color="#333333")
        if precision:
            fig.text(
                10.0 / g.largeur, (haut - 11.5) / g.hauteur,
                textwrap.shorten(precision, 190 if orientation == "paysage" else 130, placeholder=" …"),
                fontsize=8, color="#333333",
            )  # fmt: skip
        fig.text(10.0 / g.largeur, 9.0 / g.hauteur, ligne_sources(sources, date), fontsize=7, color="#333333")
        fig.text(
            (g.largeur - 10.0) / g.largeur, 5.0 / g.hauteur,
            f"Projection : {_nom_crs(epsg)}{note_noms} — carte réalisée avec ecosysteme",
            fontsize=6, color="#555555", ha="right",
        )  # fmt: skip

        axl = fig.add_axes(boite(g.legende))
        axl.set_axis_off()
        sections = _sections_legende(
            mesure,
            comptes_classes,
            0 if q is None else len(q),
            comptes_categories,
            c is not None,
            e is not None,
            list(zip(couches, comptes_couches, strict=True)),
            titre_acteurs,
            n_arrets,
            arrets_etiquetes,
        )
        _dessiner_legende(axl, sections, orientation, 6.0 / g.legende[3])
    return fig


# --- map furniture ---------------------------------------------------------------------------


def _echelle(ax: Axes, x0: float, x1: float, y0: float, y1: float, metres_par_mm: float) -> list[Boite]:
    """A two-segment scale bar in the lower-left corner; returns the box it takes."""
    longueur = longueur_echelle(x1 - x0, 0.22)
    bx, by = x0 + 6 * metres_par_mm, y0 + 6 * metres_par_mm
    epaisseur = 1.2 * metres_par_mm
    fond = (
        bx - 3 * metres_par_mm,
        by - 3 * metres_par_mm,
        bx + longueur + 8 * metres_par_mm,
        by + 8 * metres_par_mm,
    )
    ax.add_patch(
        Rectangle(
            (fond[0], fond[1]), fond[2] - fond[0], fond[3] - fond[1],
            facecolor="white", edgecolor="none", alpha=0.85, zorder=8,
        )
    )  # fmt: skip
    for k in range(2):
        ax.add_patch(
            Rectangle(
                (bx + k * longueur / 2, by), longueur / 2, epaisseur,
                facecolor="#1f1f1f" if k == 0 else "white", edgecolor="#1f1f1f", linewidth=0.6, zorder=9,
            )
        )  # fmt: skip
    for v in (0.0, longueur / 2, longueur):
        texte = "0" if v == 0 else distance_echelle(v)
        ax.text(
            bx + v,
            by + epaisseur + 1.0 * metres_par_mm,
            texte,
            fontsize=6.5,
            ha="center",
            va="bottom",
            zorder=9,
        )
    return [fond]


def _nord(
    ax: Axes, epsg: int, x0: float, x1: float, y0: float, y1: float, metres_par_mm: float
) -> list[Boite]:
    """A north arrow in the upper-right corner, turned towards true north at the map centre."""
    lon, lat = Transformer.from_crs(epsg, 4326, always_xy=True).transform((x0 + x1) / 2, (y0 + y1) / 2)
    angle = math.radians(convergence_nord(epsg, lon, lat))
    cx, cy = x1 - 10 * metres_par_mm, y1 - 14 * metres_par_mm
    longueur, demi = 9 * metres_par_mm, 3 * metres_par_mm
    ux, uy = -math.sin(angle), math.cos(angle)  # towards north
    vx, vy = uy, -ux  # to the right of north

    def p(a: float, b: float) -> tuple[float, float]:
        return cx + a * ux + b * vx, cy + a * uy + b * vy

    pointe, queue = p(longueur / 2, 0), p(-longueur / 2, 0)
    creux = p(-longueur / 4, 0)
    gauche, droite = p(-longueur / 2, -demi), p(-longueur / 2, demi)
    del queue
    fond = (cx - 7 * metres_par_mm, cy - 8 * metres_par_mm, cx + 7 * metres_par_mm, cy + 12 * metres_par_mm)
    ax.add_patch(
        Rectangle(
            (fond[0], fond[1]), fond[2] - fond[0], fond[3] - fond[1],
            facecolor="white", edgecolor="none", alpha=0.85, zorder=8,
        )
    )  # fmt: skip
    ax.add_patch(Polygon([pointe, gauche, creux], closed=True, facecolor="#1f1f1f", edgecolor="#1f1f1f",
                         linewidth=0.6, zorder=9))  # fmt: skip
    ax.add_patch(Polygon([pointe, droite, creux], closed=True, facecolor="white", edgecolor="#1f1f1f",
                         linewidth=0.6, zorder=9))  # fmt: skip
    nx, ny = p(longueur / 2 + 1.0 * metres_par_mm, 0)
    ax.text(nx, ny, "N", fontsize=9, fontweight="bold", ha="center", va="bottom", zorder=9)
    return [fond]


_POLICE_ETIQUETTE = 6.5


def _taille_texte(texte: str, taille_pt: float) -> tuple[float, float]:
    """Width and height (points) of a multi-line text in DejaVu Sans."""
    prop = FontProperties(family=POLICE, size=taille_pt)
    lignes = texte.split("\n")
    largeur = max(TextPath((0, 0), ligne, prop=prop).get_extents().width for ligne in lignes)
    return float(largeur), len(lignes) * taille_pt * 1.2


def _etiquettes(
    ax: Axes,
    q: gpd.GeoDataFrame,
    x0: float,
    x1: float,
    y0: float,
    y1: float,
    metres_par_mm: float,
    occupees: Sequence[Boite],
    *,
    forcer: bool = True,
) -> tuple[int, int]:
    """Short QPV names at a point inside each polygon (largest population first), moved around
    it to avoid overlaps; a label that fits nowhere is drawn at its point anyway when ``forcer``
    (a few QPV: every name matters), left out otherwise (a région: a wall of overlapping names
    is read by no one). Returns (labels drawn without overlap or forced, QPV with a name)."""
    noms = [nom_court(n) for n in _colonne(q, "lib_qp")]
    points = shapely.point_on_surface(q.geometry.to_numpy())
    px, py = shapely.get_x(points), shapely.get_y(points)
    pop = pd.to_numeric(pd.Series(_colonne(q, "population")), errors="coerce").fillna(-1).to_numpy()
    ordre = [i for i in np.argsort(-pop, kind="stable") if noms[i] and np.isfinite(px[i])]
    m_par_pt = metres_par_mm / POINTS_PAR_MM
    candidats: list[list[Boite]] = []
    centres: list[list[tuple[float, float]]] = []
    for i in ordre:
        w_pt, h_pt = _taille_texte(noms[i], _POLICE_ETIQUETTE)
        w, h = (w_pt + 2) * m_par_pt, (h_pt + 1) * m_par_pt
        ecart = 1.5 * metres_par_mm
        positions = [
            (px[i], py[i]),
            (px[i], py[i] + h / 2 + ecart),
            (px[i], py[i] - h / 2 - ecart),
            (px[i] + w / 2 + ecart, py[i]),
            (px[i] - w / 2 - ecart, py[i]),
            (px[i] + w / 2 + ecart, py[i] + h / 2 + ecart),
            (px[i] - w / 2 - ecart, py[i] - h / 2 - ecart),
            (px[i] + w / 2 + ecart, py[i] - h / 2 - ecart),
            (px[i] - w / 2 - ecart, py[i] + h / 2 + ecart),
        ]
        centres.append(positions)
        candidats.append([(x - w / 2, y - h / 2, x + w / 2, y + h / 2) for x, y in positions])
    choix = placer_etiquettes(candidats, occupees, (x0, y0, x1, y1))
    halo = [Stroke(linewidth=2.2, foreground="white")]
    poses = 0
    for i, k, positions in zip(ordre, choix, centres, strict=True):
        if k is None and not forcer:
            continue
        poses += 1
        x, y = positions[k if k is not None else 0]
        if k not in (None, 0):
            ax.plot([px[i], x], [py[i], y], color="#1f1f1f", linewidth=0.4, zorder=6.5)
        # the halo is drawn as a path under a plain text (kept as text in the PDF: searchable)
        for effets, z in ((halo, 7.0), (None, 7.1)):
            ax.text(
                x, y, noms[i], fontsize=_POLICE_ETIQUETTE, ha="center", va="center", multialignment="center",
                color="#111111", path_effects=effets, zorder=z, clip_on=True,
            )  # fmt: skip
    return poses, len(ordre)


# --- stops of mobile services --------------------------------------------------------------


def _arrets_actifs(acteurs: gpd.GeoDataFrame | None) -> list[ArretCarte]:
    """The stops of the active mobile services of ``acteurs`` (with or without a point)."""
    if acteurs is None or acteurs.empty or "arrets" not in acteurs.columns:
        return []
    if "statut" in acteurs.columns:
        acteurs = acteurs[acteurs["statut"].to_numpy(dtype=object) == Statut.ACTIF.value]
    return arrets_acteurs(acteurs)


def etiquette_arret(arret: ArretCarte, largeur: int = 46) -> str:
    """« Place du marché : sam. 09:00–12:00 » (wrapped at ``largeur`` characters, 3 lines at most)."""
    nom = " ".join(arret.nom.split()) or f"arrêt {arret.numero}"
    texte = f"{nom} : {horaires_fr(arret.horaires, court=True)}"
    lignes = textwrap.wrap(texte, largeur, break_long_words=True)
    if len(lignes) > 3:
        lignes = [*lignes[:2], textwrap.shorten(" ".join(lignes[2:]), largeur, placeholder=" …")]
    return "\n".join(lignes)


def _dessiner_arrets(
    ax: Axes, arrets: Sequence[ArretCarte], epsg: int, cadre: tuple[float, float, float, float]
) -> tuple[int, bool]:
    """Draw the stops in the frame (squares with a thick outline in the category's colour), each
    labelled with its name and schedule when there are at most ``ARRETS_ETIQUETES_MAX``; returns
    (stops drawn, whether they are labelled)."""
    if not arrets:
        return 0, False
    x0, x1, y0, y1 = cadre
    xs, ys = Transformer.from_crs(4326, epsg, always_xy=True).transform(
        [a.longitude for a in arrets], [a.latitude for a in arrets]
    )
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    dans = np.isfinite(xs) & np.isfinite(ys) & (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)
    if not dans.any():
        return 0, False
    rangs = {s.categorie: i for i, s in enumerate(SYMBOLES)}
    couleurs = [SYMBOLES[rangs.get(a.categorie, len(SYMBOLES) - 1)].couleur for a in arrets]
    garde = np.flatnonzero(dans)
    ax.scatter(
        xs[garde], ys[garde], s=34, marker="s", c="white", edgecolors=[couleurs[i] for i in garde],
        linewidths=2.2, zorder=7.4,
    )  # fmt: skip
    ax.scatter(xs[garde], ys[garde], s=5, marker="s", c="#1f1f1f", linewidths=0, zorder=7.45)
    etiquetes = len(garde) <= ARRETS_ETIQUETES_MAX
    if etiquetes:
        halo = [Stroke(linewidth=2.0, foreground="white")]
        for i in garde:
            texte = etiquette_arret(arrets[int(i)])
            # the halo as a path under a plain text (kept as text in the PDF: searchable)
            for effets, z in ((halo, 7.6), (None, 7.65)):
                ax.annotate(
                    texte, (xs[i], ys[i]), xytext=(5, -2), textcoords="offset points", fontsize=5.5,
                    color="#1f1f1f", va="top", path_effects=effets, zorder=z, annotation_clip=True,
                )  # fmt: skip
    return len(garde), etiquetes


# --- extra layers ----------------------------------------------------------------------------


def _dessiner_couche(ax: Axes, couche: Couche, epsg: int, cadre: tuple[float, float, float, float]) -> int:
    """Draw one extra layer in the map's CRS; returns how many of its features lie in the frame."""
    x0, x1, y0, y1 = cadre
    geoms = couche.geometries.to_crs(epsg).to_numpy()
    garde = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    geoms = geoms[garde]
    etiquettes = [t for t, g in zip(couche.etiquettes, garde, strict=False) if g]
    if not len(geoms):
        return 0
    dans = shapely.intersects(geoms, shapely.box(x0, y0, x1, y1))
    if couche.genre == "point":
        pts = shapely.point_on_surface(geoms)
        ax.scatter(
            shapely.get_x(pts), shapely.get_y(pts), s=couche.taille, marker=couche.marqueur, c=couche.couleur,
            edgecolors="white", linewidths=1.0, zorder=7.5,
        )  # fmt: skip
        halo = [withStroke(linewidth=2.4, foreground="white")]
        for x, y, texte in zip(shapely.get_x(pts), shapely.get_y(pts), etiquettes, strict=False):
            ax.annotate(
                texte, (x, y), xytext=(5, 4), textcoords="offset points", fontsize=8, fontweight="bold",
                color=couche.couleur, path_effects=halo, zorder=7.6, annotation_clip=True,
            )  # fmt: skip
    elif couche.genre == "ligne":
        gpd.GeoSeries(geoms).plot(ax=ax, color=couche.couleur, linewidth=1.4, zorder=5.5)
    else:
        cercles = shapely.buffer(shapely.point_on_surface(geoms), couche.rayon_m, quad_segs=32)
        gpd.GeoSeries(cercles).boundary.plot(
            ax=ax, color=couche.couleur, linewidth=1.2, linestyle=(0, (4, 2)), zorder=5.6
        )
    return int(dans.sum())


def _poignee(couche: Couche) -> Patch | Line2D:
    if couche.genre == "point":
        return Line2D(
            [], [], linestyle="none", marker=couche.marqueur,
            markersize=min(10.0, max(6.5, couche.taille**0.5)), markerfacecolor=couche.couleur,
            markeredgecolor="white", markeredgewidth=0.8,
        )  # fmt: skip
    if couche.genre == "ligne":
        return Line2D([], [], color=couche.couleur, linewidth=1.4)
    return Line2D([], [], color=couche.couleur, linewidth=1.2, linestyle=(0, (4, 2)))


# --- legend ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Section:
    titre: str
    poignees: list[Patch | Line2D]
    libelles: list[str]


def _sections_legende(
    mesure: Mesure | Etats | None,
    comptes_classes: np.ndarray,
    n_qpv: int,
    comptes_categories: np.ndarray,
    communes: bool,
    epci: bool,
    couches: Sequence[tuple[Couche, int]] = (),
    titre_acteurs: str = "Acteurs sur la carte",
    n_arrets: int = 0,
    arrets_etiquetes: bool = True,
) -> list[_Section]:
    sections: list[_Section] = []
    if mesure is not None:
        poignees: list[Patch | Line2D] = []
        libelles: list[str] = []
        classes = mesure.classes()
        for k, classe in enumerate(classes):
            n = int(comptes_classes[k]) if k < len(comptes_classes) else 0
            if isinstance(mesure, Etats) and k == len(classes) - 1 and n == 0:
                continue  # no QPV of unknown state: no « inconnu (0) » line
            poignees.append(Patch(facecolor=classe.couleur, edgecolor="#1f1f1f", linewidth=0.5))
            libelles.append(f"{classe.libelle} ({entier_fr(n)})")
        sections.append(_Section(f"QPV — {mesure.libelle}", poignees, libelles))
    else:
        sections.append(
            _Section(
                "Quartiers prioritaires",
                [Patch(facecolor=NEUTRE, edgecolor="#1f1f1f", linewidth=0.5, alpha=0.85)],
                [f"Quartier prioritaire (QPV) ({entier_fr(n_qpv)})"],
            )
        )
    total = int(comptes_categories.sum())
    p_acteurs: list[Patch | Line2D] = []
    l_acteurs: list[str] = []
    for k, s in enumerate(SYMBOLES):
        if comptes_categories[k]:
            p_acteurs.append(
                Line2D([], [], linestyle="none", marker=FORMES[k], markersize=5.5, markerfacecolor=s.couleur,
                       markeredgecolor="#1f1f1f", markeredgewidth=0.45)
            )  # fmt: skip
            l_acteurs.append(f"{s.categorie} ({entier_fr(int(comptes_categories[k]))})")
    if not p_acteurs:
        p_acteurs.append(Line2D([], [], linestyle="none"))
        l_acteurs.append("aucun acteur sur la carte")
    sections.append(_Section(f"{titre_acteurs} ({entier_fr(total)})", p_acteurs, l_acteurs))
    if n_arrets:
        carre = Line2D(
            [], [], linestyle="none", marker="s", markersize=6, markerfacecolor="white",
            markeredgecolor="#1f1f1f", markeredgewidth=1.6,
        )  # fmt: skip
        precision = "nom et horaires à côté" if arrets_etiquetes else "horaires sur la carte interactive"
        sections.append(
            _Section(
                "Services itinérants",
                [carre],
                [f"Arrêt (contour : couleur de la catégorie ; {precision}) ({entier_fr(n_arrets)})"],
            )
        )
    par_section: dict[str, _Section] = {}
    for couche, n in couches:
        section = par_section.setdefault(couche.section, _Section(couche.section, [], []))
        section.poignees.append(_poignee(couche))
        section.libelles.append(f"{couche.libelle} ({entier_fr(n)})" if couche.compter else couche.libelle)
    sections.extend(par_section.values())
    reperes: list[Patch | Line2D] = []
    l_reperes: list[str] = []
    if epci:
        reperes.append(Line2D([], [], color=COULEUR_EPCI, linewidth=1.3))
        l_reperes.append("limite d'EPCI")
    if communes:
        reperes.append(Line2D([], [], color=COULEUR_COMMUNES, linewidth=0.5))
        l_reperes.append("limite de commune")
    if reperes:
        sections.append(_Section("Repères", reperes, l_reperes))
    return sections


def _dessiner_legende(
    ax: Axes, sections: Sequence[_Section], orientation: Orientation, sous_titre: float
) -> None:
    """Sections stacked in one column (landscape) or in two columns (portrait: the QPV on the
    left, actors and landmarks on the right)."""
    colonnes: list[list[_Section]] = (
        [list(sections)] if orientation == "paysage" else [list(sections[:1]), list(sections[1:])]
    )
    for k, groupe in enumerate(colonnes):
        poignees: list[Patch | Line2D] = []
        libelles: list[str] = []
        titres: list[int] = []
        for s in groupe:
            if poignees:
                poignees.append(Line2D([], [], linestyle="none"))
                libelles.append("")
            titres.append(len(libelles))
            poignees.append(Line2D([], [], linestyle="none"))
            libelles.append("\n".join(textwrap.wrap(s.titre, 38 if orientation == "paysage" else 48)))
            poignees.extend(s.poignees)
            largeur = 44 if orientation == "paysage" else 60
            libelles.extend("\n".join(textwrap.wrap(x, largeur)) or x for x in s.libelles)
        legende = Legend(
            ax, poignees, libelles, loc="upper left", bbox_to_anchor=(0.5 * k, 1.0 - sous_titre),
            frameon=False,
            fontsize=7, handlelength=1.6, handleheight=1.0, borderaxespad=0.0, labelspacing=0.45,
            alignment="left",
        )  # fmt: skip
        for j in titres:
            legende.get_texts()[j].set_fontweight("bold")
        ax.add_artist(legende)
    ax.text(0.0, 1.0, "Légende", transform=ax.transAxes, fontsize=9, fontweight="bold", va="top")


# --- export ----------------------------------------------------------------------------------


def exporter_carte(fig: Figure, chemin: Path) -> Path:
    """Write the page to ``chemin`` (.pdf, or .png at 300 dpi) through a temp file renamed into
    place; the page keeps its exact size (no tight cropping)."""
    chemin = Path(chemin)
    suffixe = chemin.suffix.lower()
    if suffixe not in (".pdf", ".png"):
        raise EcosystemeError(f"format de carte « {suffixe or chemin.name} » inconnu : .pdf ou .png attendu.")
    titre = fig.texts[0].get_text() if fig.texts else "Carte"

    def ecrire(tmp: Path) -> None:
        with _style():
            if suffixe == ".pdf":
                fig.savefig(
                    tmp,
                    format="pdf",
                    metadata={"Title": titre, "Creator": "ecosysteme", "Producer": "ecosysteme (matplotlib)"},
                )
            else:
                fig.savefig(tmp, format="png", dpi=DPI, metadata={"Title": titre, "Software": "ecosysteme"})

    return ecrire_atomique(chemin, ecrire)


# --- from the store --------------------------------------------------------------------------


def _mesure_qpv(
    qpv: gpd.GeoDataFrame, couv: pd.DataFrame, cle: str, libelle: str, genre: GenreMesure, seuil: float
) -> tuple[gpd.GeoDataFrame, Mesure]:
    lignes = couv[couv["filtre"] == cle].set_index("code_qp")
    out = qpv.copy()
    if genre == "distance":
        out["valeur"] = out["code_qp"].map(lignes["distance_m"])
        return out, Mesure("valeur", f"{libelle} : distance au plus proche", "distance")
    if genre == "compte":
        out["valeur"] = out["code_qp"].map(lignes["n_300m"])
        return out, Mesure("valeur", f"{libelle} : nombre à moins de 300 m", "compte")
    if genre == "couvert":
        out["valeur"] = out["code_qp"].map(lignes["couvert"])
        return out, Mesure(
            "valeur", f"{libelle} : à moins de {entier_fr(seuil)} m {MESURE_DISTANCE}", "couvert"
        )
    raise EcosystemeError(f"mesure « {genre} » inconnue : distance, compte ou couvert.")


def carte_epci(
    depot: Depot,
    siren: str,
    *,
    filtre: str = "tous",
    seuil: float = 1000.0,
    genre: GenreMesure = "distance",
    orientation: Orientation = "paysage",
    titre: str | None = None,
    date: dt.date | None = None,
    sources: Sequence[str] | None = None,
) -> Figure:
    """The page of one EPCI read from the store: its QPV coloured by the coverage of the offer
    ``filtre`` (a key of ``coverage.filtre``: ``tous``, ``categorie:Médiathèque``,
    ``service:…``), as the distance to the nearest matching actor (``genre="distance"``), the
    number within 300 m (``"compte"``) or covered within ``seuil`` metres (``"couvert"``); the
    active matching actors on the map; its communes and outline. The coverage counts every
    stored actor (a médiathèque just across the EPCI's boundary serves its QPV). ``date``: the
    inventory date of the sources line (default: today)."""
    offre = filtre_offre(filtre)
    lignes_epci = depot.epci(siren)
    if lignes_epci.empty:
        raise EcosystemeError(f"EPCI « {siren} » absent du dépôt (SIREN exact ? territoire importé ?).")
    qpv = depot.qpv(siren_epci=siren)
    communes = depot.communes(siren_epci=siren)
    tous = depot.acteurs_gdf()
    p = Parametres(bandes=(300.0, 1000.0), seuil=seuil, filtres=(offre,))
    qpv_mesure, mesure = _mesure_qpv(qpv, couverture(qpv, tous, p), offre.cle, offre.libelle, genre, seuil)
    acteurs = filtrer_acteurs(tous, (offre,)) if offre.famille != "tous" else filtrer_acteurs(tous)
    nom = str(lignes_epci["nom_epci"].iloc[0]) if "nom_epci" in lignes_epci.columns else siren
    return carte_document(
        qpv_mesure,
        communes,
        lignes_epci,
        acteurs,
        titre=titre or "Inclusion numérique : l'offre autour des quartiers prioritaires",
        territoire=f"{nom} (SIREN {siren}) — offre : {offre.libelle}",
        mesure=mesure,
        orientation=orientation,
        date=date or dt.date.today(),
        sources=sources
        if sources is not None
        else ("ANCT — QPV 2024", "INSEE — population des QPV", "IGN / geo.api.gouv.fr — communes et EPCI"),
    )
