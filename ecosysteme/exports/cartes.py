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
atomically. :func:`carte_epci` returns the page of one EPCI from its territory
(:class:`~ecosysteme.analyse.territoire.Territoire`, read once from a store when given one) and
its coverage. The scale bar, north arrow and QPV names are drawn by ``exports.habillage``, the
stops and the legend by ``exports.legende``. Figures are built without pyplot (no global state,
safe in a server thread).
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
from matplotlib.patheffects import withStroke
from pyproj import Transformer

from ecosysteme.analyse.couverture import Parametres, colonne_bande, filtrer_acteurs
from ecosysteme.analyse.couverture import filtre as filtre_offre
from ecosysteme.analyse.territoire import Territoire, territoire_epci
from ecosysteme.cartes.construire import SYMBOLES
from ecosysteme.cartes.mesure import NEUTRE, Etats, Mesure, entier_fr
from ecosysteme.depot.interface import Depot
from ecosysteme.domaine import reglages
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.fichiers import ecrire_atomique
from ecosysteme.domaine.modeles import Statut
from ecosysteme.domaine.reglages import MESURE_DISTANCE
from ecosysteme.exports.habillage import (
    COULEUR_COMMUNES,
    COULEUR_EPCI,
    FORMES,
    MM_PAR_POUCE,
    POLICE,
    Orientation,
    _colonne,
    _echelle,
    _etiquettes,
    _nom_crs,
    _nord,
    convergence_nord,
    crs_carte,
    distance_echelle,
    ligne_sources,
    longueur_echelle,
    nom_court,
    placer_etiquettes,
)
from ecosysteme.exports.legende import (
    Couche,
    _arrets_actifs,
    _dessiner_arrets,
    _dessiner_legende,
    _sections_legende,
    etiquette_arret,
)

__all__ = [
    "A4_MM",
    "DPI",
    "MM_PAR_POUCE",
    "POLICE",
    "Couche",
    "Orientation",
    "carte_document",
    "carte_epci",
    "convergence_nord",
    "crs_carte",
    "distance_echelle",
    "etiquette_arret",
    "exporter_carte",
    "ligne_sources",
    "longueur_echelle",
    "nom_court",
    "placer_etiquettes",
]

GenreMesure = Literal["distance", "compte", "couvert"]

#: Output resolution of PNG files.
DPI = 300
#: A4 in pixels at 300 dpi (portrait); the figure is sized so that Agg gives exactly these.
A4_PX = (2480, 3508)
#: A4 in millimetres (portrait).
A4_MM = (210.0, 297.0)
FOND_TERRITOIRE = "#f7f7f4"
#: Up to this many QPV, every name is written even where it overlaps another.
ETIQUETTES_TOUTES_MAX = 30
#: Above this many places in the frame, actors are drawn with smaller symbols.
ACTEURS_SYMBOLES_PLEINS_MAX = 300
#: Geometric detail below this many millimetres on paper is dropped (simplification).
DETAIL_MM = reglages.DETAIL_A4_MM


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
    raise ErreurEcosysteme(f"orientation « {orientation} » inconnue : « paysage » ou « portrait » attendu.")


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
        raise ErreurEcosysteme(f"Les {nom} doivent être en EPSG:4326 (reçu : {gdf.crs}).")


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
        raise ErreurEcosysteme(f"format de page « {format} » non pris en charge : seul « A4 » l'est.")
    g = _gabarit(orientation)
    for f, nom in ((qpv, "QPV"), (communes, "communes"), (epci, "EPCI"), (acteurs, "acteurs")):
        _exiger_wgs84(f, nom)
    for couche in couches:
        if couche.geometries.crs is None or couche.geometries.crs.to_epsg() != 4326:
            raise ErreurEcosysteme(f"la couche « {couche.libelle} » doit être en EPSG:4326.")
    if mesure is not None and mesure.colonne not in qpv.columns:
        raise ErreurEcosysteme(f"la colonne de mesure « {mesure.colonne} » manque dans les QPV.")
    qpv_v, communes_v, epci_v = _non_vides(qpv), _non_vides(communes), _non_vides(epci)
    acteurs_v = _non_vides(acteurs)
    arrets = _arrets_actifs(acteurs)
    if acteurs_v is not None and "statut" in acteurs_v.columns:
        acteurs_v = acteurs_v[acteurs_v["statut"].to_numpy(dtype=object) == Statut.ACTIF.value]
    if acteurs_v is not None:
        types = shapely.get_type_id(acteurs_v.geometry.to_numpy())
        acteurs_v = acteurs_v[types == 0] if (types == 0).any() else None
    if qpv_v is None and communes_v is None and epci_v is None:
        raise ErreurEcosysteme("rien à cartographier : ni QPV, ni commune, ni EPCI pour ce territoire.")

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
            raise ErreurEcosysteme(f"emprise de carte invalide : {emprise} (ouest, sud, est, nord attendus).")
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


# --- export ----------------------------------------------------------------------------------


def exporter_carte(fig: Figure, chemin: Path) -> Path:
    """Write the page to ``chemin`` (.pdf, or .png at 300 dpi) through a temp file renamed into
    place; the page keeps its exact size (no tight cropping)."""
    chemin = Path(chemin)
    suffixe = chemin.suffix.lower()
    if suffixe not in (".pdf", ".png"):
        raise ErreurEcosysteme(
            f"format de carte « {suffixe or chemin.name} » inconnu : .pdf ou .png attendu."
        )
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
        proche = colonne_bande(reglages.BANDE_PROCHE)
        out["valeur"] = out["code_qp"].map(lignes[proche])
        libelle_compte = f"{libelle} : nombre à moins de {entier_fr(reglages.BANDE_PROCHE)} m"
        return out, Mesure("valeur", libelle_compte, "compte")
    if genre == "couvert":
        out["valeur"] = out["code_qp"].map(lignes["couvert"])
        return out, Mesure(
            "valeur", f"{libelle} : à moins de {entier_fr(seuil)} m {MESURE_DISTANCE}", "couvert"
        )
    raise ErreurEcosysteme(f"mesure « {genre} » inconnue : distance, compte ou couvert.")


def carte_epci(
    depot: Depot | Territoire,
    siren: str,
    *,
    filtre: str = "tous",
    seuil: float | None = None,
    genre: GenreMesure = "distance",
    orientation: Orientation = "paysage",
    titre: str | None = None,
    date: dt.date | None = None,
    sources: Sequence[str] | None = None,
) -> Figure:
    """Draw the A4 map page of one EPCI read from the store.

    Its QPV coloured by the coverage of the offer ``filtre``; the active matching actors on the
    map; its communes and outline. The coverage counts every stored actor (a médiathèque just
    across the EPCI's boundary serves its QPV). The page is drawn in the territory's metric CRS
    (Lambert-93 in metropolitan France, the local projected CRS overseas).

    Parameters
    ----------
    depot : Depot or Territoire
        The EPCI's :class:`~ecosysteme.analyse.territoire.Territoire`, or a store from which it
        is read once.
    siren : str
        SIREN of the EPCI (9 digits).
    filtre : str, default "tous"
        The offer: a key of :func:`~ecosysteme.analyse.couverture.filtre` (``tous``,
        ``categorie:Médiathèque``, ``service:…``).
    seuil : float, optional
        The walking distance in metres of coverage; default ``reglages.DISTANCE_MARCHE``.
    genre : {"distance", "compte", "couvert"}, default "distance"
        What colours the QPV: the distance to the nearest matching actor, the number within
        300 m (``reglages.BANDE_PROCHE``), or covered within ``seuil`` metres.
    orientation : {"paysage", "portrait"}, default "paysage"
        The orientation of the A4 page.
    titre : str, optional
        The title; default « Inclusion numérique : l'offre autour des quartiers prioritaires ».
    date : datetime.date, optional
        The inventory date of the sources line (default: today).
    sources : sequence of str, optional
        The sources named on the bottom line; default the ANCT QPV, the INSEE populations and
        IGN / geo.api.gouv.fr for communes and EPCI.

    Returns
    -------
    matplotlib.figure.Figure
        The page, to write with :func:`exporter_carte` (.pdf or .png).

    Raises
    ------
    ErreurEcosysteme
        An unknown ``filtre``, ``genre`` or ``orientation``; a ``seuil`` that is not positive;
        the EPCI absent from the store; a territory of another EPCI; nothing to map.
    """
    offre = filtre_offre(filtre)
    territoire = territoire_epci(depot, siren)
    territoire.exiger_epci()
    lignes_epci, qpv, communes, tous = territoire.epci, territoire.qpv, territoire.communes, territoire.tous
    seuil = reglages.DISTANCE_MARCHE if seuil is None else seuil
    p = Parametres(bandes=reglages.BANDES, seuil=seuil, filtres=(offre,))
    qpv_mesure, mesure = _mesure_qpv(qpv, territoire.couverture(p), offre.cle, offre.libelle, genre, seuil)
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
