"""The furniture of a document map (``ecosysteme.exports.cartes``): page constants, scale bar
(round length), north arrow (true north: the meridian convergence of the projection) and the QPV
names placed without overlap (white halo); the sources line and the map's metric CRS."""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Sequence
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Polygon, Rectangle
from matplotlib.patheffects import Stroke
from matplotlib.textpath import TextPath
from pyproj import CRS, Transformer

from ecosysteme.cartes.mesure import entier_fr
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.projection import territoire_de_point, territoires_par_qpv

Orientation = Literal["paysage", "portrait"]


GenreCouche = Literal["point", "ligne", "cercle"]


POLICE = "DejaVu Sans"


#: Marker shape of each category, in the order of ``SYMBOLES`` (colour is not the only cue).
FORMES = ("o", "s", "D", "^", "v", "p", "h", "*", "P", "X")


COULEUR_COMMUNES = "#8c8c8c"


COULEUR_EPCI = "#3a3a3a"


#: Up to this many stops of mobile services in the frame, each is labelled with its schedule.
ARRETS_ETIQUETES_MAX = 15


MM_PAR_POUCE = 25.4


POINTS_PAR_MM = 72.0 / MM_PAR_POUCE


def longueur_echelle(largeur_m: float, part: float = 0.25) -> float:
    """The round length (1, 2 or 5 × 10ⁿ metres) of a scale bar: the largest not longer than
    ``part`` of the map width ``largeur_m``."""
    if not (math.isfinite(largeur_m) and largeur_m > 0) or not 0 < part <= 1:
        raise ErreurEcosysteme(
            "largeur de carte invalide pour la barre d'échelle (mètres positifs attendus)."
        )
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


def _colonne(df: pd.DataFrame, nom: str) -> np.ndarray:
    if nom in df.columns:
        return df[nom].to_numpy(dtype=object)
    return np.full(len(df), None, dtype=object)


def ligne_sources(sources: Sequence[str], date: dt.date | None) -> str:
    """« Sources : ANCT — QPV 2024 ; inventaire local au 26/11/2026 »."""
    parties = [s.strip() for s in sources if s and s.strip()]
    if date is not None:
        parties.append(f"inventaire local au {date:%d/%m/%Y}")
    if not parties:
        return ""
    return "Sources : " + " ; ".join(parties)


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
