"""The layers and legend of a document map (``ecosysteme.exports.cartes``): extra layers
(:class:`Couche`), the stops of active mobile services with their schedules, and the legend
(counts per class and per category, boundaries, extra layers)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from matplotlib.axes import Axes
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.patheffects import Stroke
from pyproj import Transformer

from ecosysteme.cartes.arrets import ArretCarte, arrets_acteurs, horaires_fr
from ecosysteme.cartes.construire import SYMBOLES
from ecosysteme.cartes.mesure import NEUTRE, Etats, Mesure, entier_fr
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.modeles import Statut
from ecosysteme.exports.habillage import (
    ARRETS_ETIQUETES_MAX,
    COULEUR_COMMUNES,
    COULEUR_EPCI,
    FORMES,
    GenreCouche,
    Orientation,
)


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
            raise ErreurEcosysteme(f"couche « {self.libelle} » : genre « {self.genre} » inconnu.")
        if self.genre == "cercle" and not (math.isfinite(self.rayon_m) and self.rayon_m > 0):
            raise ErreurEcosysteme(f"couche « {self.libelle} » : rayon en mètres positif attendu.")


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
