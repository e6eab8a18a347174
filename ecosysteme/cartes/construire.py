"""The coverage map of a territory: QPV coloured by a measure, actors by category, background.

:func:`carte_couverture` returns a ``folium.Map`` that works with no network (Leaflet and
MarkerCluster only, see ``actifs``), escapes every text from data (``securite``) and stays small:

- QPV: one ``folium.GeoJson`` (SVG, clickable); each feature's properties hold ``code_qp``
  (streamlit-folium's ``last_active_drawing`` gives it back: :func:`code_qp_clique`), its
  class and a pre-escaped tooltip; colours come from a small JavaScript style function, not
  from a per-feature style map;
- actors: one MarkerCluster filled in the browser from compact rows ``[lat, lon, category,
  id, name, details…]`` (coordinates to 5 decimals), each a small DivIcon with the category's colour
  and two letters; a click gives back the marker's position (``last_object_clicked``:
  :func:`acteur_clique`) and its feature carries the actor id (:func:`id_acteur_clique`);
- stops of mobile services: one layer of small squares (category colour, stop number) with the
  stop's schedule in French in its tooltip (``carte.arrets``); a click gives the service's id;
- background: communes (thin grey) and EPCI (darker) outlines, and optional distance bands
  (dashed), always drawn, on a canvas in a pane that lets clicks through to the QPV; OSM
  tiles only when ``tuiles=True`` (otherwise the page requests nothing);
- a legend in French (measure classes with QPV counts, categories with symbols and counts,
  background lines) and a layer control.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.map import Layer
from folium.plugins import MarkerCluster
from folium.template import Template
from folium.utilities import JsCode

from ecosysteme.cartes.actifs import (
    NOMS_CSS_CARTE,
    NOMS_CSS_CLUSTER,
    NOMS_JS_CARTE,
    NOMS_JS_CLUSTER,
    Actifs,
    actifs_statiques,
)
from ecosysteme.cartes.arrets import GroupeArrets, arrets_acteurs, lignes_arrets
from ecosysteme.cartes.geometrie import (
    DECIMALES,
    TOLERANCE_FOND_M,
    TOLERANCE_QPV_M,
    Trace,
    bandes_distance,
    simplifier,
    tracer,
)
from ecosysteme.cartes.mesure import NEUTRE, Mesure, entier_fr, habitants
from ecosysteme.cartes.securite import SansSecondePasse, json_script, texte_brut, texte_html
from ecosysteme.domaine.dates import lire_date
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.modeles import Categorie
from ecosysteme.domaine.projection import exiger_geographique

# --- symbols --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Symbole:
    """How an actor category is drawn: a disc of ``couleur`` with ``lettres`` in ``texte``."""

    categorie: str
    lettres: str
    couleur: str
    texte: str


#: One symbol per category (Paul Tol's « muted » palette, colour-blind safe, grey for « Autre »),
#: in the order of ``Categorie``; the letters tell them apart without colour.
SYMBOLES: tuple[Symbole, ...] = (
    Symbole(Categorie.EPN.value, "EP", "#332288", "#ffffff"),
    Symbole(Categorie.FABLAB.value, "FL", "#88ccee", "#000000"),
    Symbole(Categorie.TIERS_LIEU.value, "TL", "#44aa99", "#000000"),
    Symbole(Categorie.MEDIATHEQUE.value, "MD", "#117733", "#ffffff"),
    Symbole(Categorie.CCAS.value, "CC", "#999933", "#000000"),
    Symbole(Categorie.FRANCE_SERVICES.value, "FS", "#ddcc77", "#000000"),
    Symbole(Categorie.CENTRE_SOCIAL.value, "CS", "#cc6677", "#000000"),
    Symbole(Categorie.CONSEILLER_NUMERIQUE.value, "CN", "#882255", "#ffffff"),
    Symbole(Categorie.ASSOCIATION.value, "AS", "#aa4499", "#ffffff"),
    Symbole(Categorie.AUTRE.value, "AU", "#dddddd", "#000000"),
)
_RANG_CATEGORIE = {s.categorie: i for i, s in enumerate(SYMBOLES)}
_RANG_AUTRE = _RANG_CATEGORIE[Categorie.AUTRE.value]

#: Line styles (Leaflet path options).
STYLE_COMMUNES = {"color": "#8c8c8c", "weight": 0.6, "opacity": 0.9, "fill": False}
STYLE_EPCI = {"color": "#3a3a3a", "weight": 1.8, "opacity": 0.9, "fill": False}
STYLE_BANDE = {"color": "#3a3a3a", "weight": 1.2, "opacity": 0.8, "fill": False}
TIRETS = ("2 4", "8 5", "14 6", "3 6 10 6")
CONTOUR_QPV = {"color": "#1f1f1f", "weight": 1.2, "opacity": 1.0, "fillOpacity": 0.75}
#: France métropolitaine, when there is nothing to fit the view to.
EMPRISE_FRANCE = ((41.3, -5.2), (51.1, 9.6))
_PANE_FOND = "ecsFond"
ZOOM_MAX = 19


@dataclass(frozen=True)
class Simplification:
    """Display tolerances (metres) and decimals of :func:`carte_couverture`."""

    qpv_m: float = TOLERANCE_QPV_M
    fond_m: float = TOLERANCE_FOND_M
    decimales: int = DECIMALES


# --- folium elements ----------------------------------------------------------------------------


_CSS = """
<style>
    {{ this.selecteur_carte }} { background: #f7f7f4; }
    .ecs-legende { background: rgba(255, 255, 255, 0.94); padding: 6px 9px; border-radius: 4px;
        box-shadow: 0 1px 4px rgba(0, 0, 0, 0.35); font: 12px/1.35 system-ui, sans-serif;
        color: #1f1f1f; max-height: 60vh; overflow-y: auto; max-width: 260px; }
    .ecs-legende summary { cursor: pointer; font-weight: 600; }
    .ecs-legende .ecs-titre { font-weight: 600; margin: 4px 0 2px; }
    .ecs-legende ul { list-style: none; margin: 0; padding: 0; }
    .ecs-legende li { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
    .ecs-legende .ecs-n { color: #555; margin-left: auto; padding-left: 6px; }
    .ecs-case { display: inline-block; width: 16px; height: 12px; border: 1px solid #1f1f1f;
        flex: none; }
    .ecs-trait { display: inline-block; width: 22px; height: 0; border-top: 1px solid #8c8c8c;
        flex: none; }
    .ecs-trait-epci { border-top: 2px solid #3a3a3a; }
    .ecs-tirets { flex: none; }
    .ecs-acteur { display: flex; align-items: center; justify-content: center; width: 20px;
        height: 20px; border-radius: 50%; border: 1.5px solid #1f1f1f; font: 700 9px/1 system-ui,
        sans-serif; box-sizing: border-box; flex: none; }
    .ecs-legende .ecs-acteur { width: 18px; height: 18px; }
    .ecs-arret { display: flex; align-items: center; justify-content: center; width: 18px;
        height: 18px; border-radius: 3px; border: 2px solid #1f1f1f; font: 700 9px/1 system-ui,
        sans-serif; box-sizing: border-box; flex: none; box-shadow: 0 0 0 1px #ffffff; }
    .ecs-legende .ecs-arret { width: 16px; height: 16px; background: #ffffff; color: #1f1f1f; }
    .ecs-grappe { display: flex; align-items: center; justify-content: center; border-radius: 50%;
        background: rgba(40, 40, 40, 0.85); color: #ffffff; border: 2px solid #ffffff;
        font: 700 12px/1 system-ui, sans-serif; box-shadow: 0 0 3px rgba(0, 0, 0, 0.6); }
    {{ this.css_symboles }}
</style>
"""


class Legende(SansSecondePasse):
    """The French legend (a Leaflet control) and the page's CSS; ``html`` is built from
    escaped text only and travels as a JSON string (:func:`json_script`)."""

    _template = Template(
        "{% macro header(this, kwargs) %}"
        + _CSS
        + """{% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var legende = L.control({position: "bottomright"});
            legende.onAdd = function () {
                var div = L.DomUtil.create("div", "ecs-legende");
                div.innerHTML = {{ this.html_json }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legende.addTo({{ this._parent.get_name() }});
            L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, selecteur_carte: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legende"
        self.html_json = json_script(html)
        self.selecteur_carte = selecteur_carte
        self.css_symboles = "\n    ".join(
            f".ecs-cat-{i} {{ background: {s.couleur}; color: {s.texte}; }}" for i, s in enumerate(SYMBOLES)
        )


class GroupeActeurs(MarkerCluster, SansSecondePasse):
    """Actors as DivIcon markers in a MarkerCluster, built in the browser from compact rows
    ``[lat, lon, category index, id, name, detail lines…]`` (texts escaped): the tooltip is
    the name in bold, the category, then one line per detail."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var symboles = {{ this.symboles_json }};
            var icones = symboles.map(function (s, i) {
                return L.divIcon({className: "", html: '<div class="ecs-acteur ecs-cat-' + i + '">'
                    + s + "</div>", iconSize: [20, 20], iconAnchor: [10, 10], tooltipAnchor: [10, 0]});
            });
            var lignes = {{ this.lignes_json }};
            var groupe = L.markerClusterGroup({{ this.options|tojavascript }});
            groupe.options.iconCreateFunction = function (grappe) {
                var n = grappe.getChildCount();
                var taille = n < 10 ? 28 : (n < 100 ? 34 : 40);
                return L.divIcon({html: "<span>" + n + "</span>", className: "ecs-grappe",
                    iconSize: L.point(taille, taille)});
            };
            var categories = {{ this.categories_json }};
            var marqueurs = [];
            for (var i = 0; i < lignes.length; i++) {
                var r = lignes[i];
                var m = L.marker([r[0], r[1]], {icon: icones[r[2]], riseOnHover: true});
                var texte = "<b>" + r[4] + "</b><br>" + categories[r[2]];
                for (var j = 5; j < r.length; j++) texte += "<br>" + r[j];
                m.bindTooltip(texte, {direction: "right"});
                m.feature = {type: "Feature", properties: {id: r[3], categorie: r[2]}};
                marqueurs.push(m);
            }
            groupe.addLayers(marqueurs);
            return groupe;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, lignes: list[list[Any]], nom: str, actifs: Actifs) -> None:
        super().__init__(  # type: ignore[no-untyped-call]
            name=nom,
            options={"showCoverageOnHover": False, "maxClusterRadius": 50, "chunkedLoading": True},
        )
        self._name = "GroupeActeurs"
        actifs.appliquer(self, NOMS_JS_CLUSTER, NOMS_CSS_CLUSTER)
        self.lignes_json = json_script(lignes)
        self.symboles_json = json_script([texte_html(s.lettres) for s in SYMBOLES])
        self.categories_json = json_script([texte_html(s.categorie) for s in SYMBOLES])
        self.nombre = len(lignes)


class Contours(Layer, SansSecondePasse):
    """Outlines drawn as one Leaflet polyline (no fill, not interactive) from the compact
    integers of :func:`lignes_entieres`, decoded in the browser."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var t = {{ this.donnees }}, e = {{ this.echelle }}, lignes = [], i = 0;
            while (i < t.length) {
                var n = t[i++], x = t[i++], y = t[i++], l = [[y / e, x / e]];
                for (var k = 1; k < n; k++) {
                    x += t[i++];
                    y += t[i++];
                    l.push([y / e, x / e]);
                }
                lignes.push(l);
            }
            return L.polyline(lignes, {{ this.options|tojavascript }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, trace: Trace, nom: str, style: Mapping[str, object]) -> None:
        super().__init__(name=nom, overlay=True, control=True, show=True)
        self._name = "Contours"
        self.donnees = trace.donnees
        self.echelle = trace.echelle
        self.options = {
            **style,
            "interactive": False,
            "pane": _PANE_FOND,
            "renderer": JsCode(f'L.canvas({{pane: "{_PANE_FOND}", padding: 0.3}})'),
        }


class GeoJsonQPV(folium.GeoJson, SansSecondePasse):
    """The QPV layer: folium's GeoJson, rendered without the second Jinja pass."""


# --- data → features ------------------------------------------------------------------------------


def _colonne(df: pd.DataFrame, nom: str) -> np.ndarray:
    if nom in df.columns:
        return df[nom].to_numpy(dtype=object)
    return np.full(len(df), None, dtype=object)


def _geojson(geoms: np.ndarray, proprietes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A FeatureCollection of (already rounded) geometries, with the given properties."""
    geometries = shapely.to_geojson(geoms) if len(geoms) else []
    features = [
        {
            "type": "Feature",
            "properties": proprietes[i] if proprietes is not None else {},
            "geometry": json.loads(g),
        }
        for i, g in enumerate(geometries)
    ]
    return {"type": "FeatureCollection", "features": features}


def _infobulle_qpv(
    code: object, nom: object, population: object, mesure: Mesure | None, valeur: object
) -> str:
    lignes = [f"<b>{texte_html(nom)}</b> ({texte_html(code)})", texte_html(habitants(population))]
    if mesure is not None:
        lignes.append(f"{texte_html(mesure.libelle)} : <b>{texte_html(mesure.formater(valeur))}</b>")
    return "<br>".join(lignes)


def _date_fr(v: object) -> str | None:
    d = lire_date(v)
    return None if d is None else d.strftime("%d/%m/%Y")


def _liste(v: object) -> list[object]:
    if isinstance(v, list | tuple | np.ndarray):
        return list(v)
    return []


def _details_acteur(adresse: object, commune: object, date_maj: object, services: object) -> list[str]:
    """Tooltip lines after the name and the category (escaped text)."""
    lignes = []
    lieu = ", ".join(texte_html(x) for x in (adresse, commune) if texte_html(x))
    if lieu:
        lignes.append(lieu)
    n = len(_liste(services))
    if n:
        lignes.append(f"{n} service{'s' if n > 1 else ''} déclaré{'s' if n > 1 else ''}")
    date = _date_fr(date_maj)
    if date:
        lignes.append(f"mis à jour le {date}")
    return lignes


def _points_acteurs(acteurs: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, row mask) of the actors that have a point."""
    geoms = acteurs.geometry.to_numpy()
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    ok &= shapely.get_type_id(geoms) == 0
    lon = np.full(len(geoms), np.nan)
    lat = np.full(len(geoms), np.nan)
    if ok.any():
        lon[ok] = shapely.get_x(geoms[ok])
        lat[ok] = shapely.get_y(geoms[ok])
    ok &= np.isfinite(lon) & np.isfinite(lat)
    return lat, lon, ok


def lignes_acteurs(
    acteurs: gpd.GeoDataFrame, decimales: int = DECIMALES
) -> tuple[list[list[Any]], np.ndarray]:
    """Compact marker rows ``[lat, lon, category index, id, name, detail lines…]`` (texts
    escaped) and the count of each category (in the order of :data:`SYMBOLES`); actors without
    a point are skipped."""
    lat, lon, ok = _points_acteurs(acteurs)
    categories = [str(c) if c is not None else "" for c in _colonne(acteurs, "categorie")]
    rangs = np.array([_RANG_CATEGORIE.get(c, _RANG_AUTRE) for c in categories], dtype=np.int64)
    colonnes = [_colonne(acteurs, c) for c in ("id", "nom", "adresse", "commune", "date_maj", "services")]
    lignes: list[list[Any]] = []
    for i in np.flatnonzero(ok):
        ident, nom, adresse, commune, date_maj, services = (c[i] for c in colonnes)
        k = int(rangs[i])
        lignes.append(
            [
                round(float(lat[i]), decimales),
                round(float(lon[i]), decimales),
                k,
                texte_html(ident),
                texte_html(nom),
                *_details_acteur(adresse, commune, date_maj, services),
            ]
        )
    comptes = np.bincount(rangs[ok], minlength=len(SYMBOLES)) if ok.any() else np.zeros(len(SYMBOLES), int)
    return lignes, comptes


def lignes_arrets_acteurs(acteurs: pd.DataFrame, decimales: int = DECIMALES) -> list[list[Any]]:
    """Rows of every stop of the mobile services of ``acteurs`` (see
    :func:`ecosysteme.cartes.arrets.lignes_arrets`), coloured by the service's category."""
    return lignes_arrets(arrets_acteurs(acteurs), _RANG_CATEGORIE, _RANG_AUTRE, decimales)


def _emprise(
    *couches: gpd.GeoDataFrame | LignesActeurs | Trace | None,
) -> tuple[tuple[float, float], tuple[float, float]]:
    """[[south, west], [north, east]] of the first non-empty layer."""
    for f in couches:
        if isinstance(f, Trace):
            if f.bornes is not None:
                return f.bornes
        elif isinstance(f, LignesActeurs):
            if f.lignes or f.arrets:
                lat = [r[0] for r in (*f.lignes, *f.arrets)]
                lon = [r[1] for r in (*f.lignes, *f.arrets)]
                return (min(lat), min(lon)), (max(lat), max(lon))
        elif f is not None and len(f):
            geoms = f.geometry.to_numpy()
            geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
            if len(geoms):
                x0, y0, x1, y1 = shapely.total_bounds(geoms)
                if all(math.isfinite(v) for v in (x0, y0, x1, y1)):
                    return (float(y0), float(x0)), (float(y1), float(x1))
    return EMPRISE_FRANCE


def _legende_html(
    mesure: Mesure | None,
    comptes_classes: np.ndarray,
    n_qpv: int,
    comptes_categories: np.ndarray | None,
    communes: bool,
    epci: bool,
    bandes: Sequence[float],
    n_arrets: int = 0,
) -> str:
    def item(symbole: str, libelle: str, n: int | None = None) -> str:
        compte = f'<span class="ecs-n">{entier_fr(n)}</span>' if n is not None else ""
        return f"<li>{symbole}<span>{texte_html(libelle)}</span>{compte}</li>"

    parties = []
    if mesure is not None:
        parties.append(f'<div class="ecs-titre">{texte_html(mesure.libelle)}</div><ul>')
        for k, c in enumerate(mesure.classes()):
            case = f'<span class="ecs-case" style="background:{c.couleur}"></span>'
            parties.append(item(case, c.libelle, int(comptes_classes[k])))
        parties.append("</ul>")
    else:
        case = f'<span class="ecs-case" style="background:{NEUTRE}"></span>'
        parties.append(f"<ul>{item(case, 'Quartier prioritaire (QPV)', n_qpv)}</ul>")
    if comptes_categories is not None:
        total = int(comptes_categories.sum())
        parties.append(f'<div class="ecs-titre">Acteurs ({texte_html(entier_fr(total))})</div><ul>')
        if total == 0:
            parties.append("<li>aucun acteur sur ce territoire</li>")
        for k, s in enumerate(SYMBOLES):
            if comptes_categories[k]:
                glyphe = f'<span class="ecs-acteur ecs-cat-{k}">{texte_html(s.lettres)}</span>'
                parties.append(item(glyphe, s.categorie, int(comptes_categories[k])))
        parties.append("</ul>")
    if n_arrets:
        glyphe = '<span class="ecs-arret">1</span>'
        parties.append('<div class="ecs-titre">Services itinérants</div><ul>')
        parties.append(item(glyphe, "arrêt (couleur de la catégorie, n° dans la tournée)", n_arrets))
        parties.append("</ul>")
    reperes = []
    if epci:
        reperes.append(item('<span class="ecs-trait ecs-trait-epci"></span>', "limite d'EPCI"))
    if communes:
        reperes.append(item('<span class="ecs-trait"></span>', "limite de commune"))
    for k, d in enumerate(bandes):
        tirets = TIRETS[k % len(TIRETS)]
        trait = (
            '<svg class="ecs-tirets" width="22" height="4" aria-hidden="true">'
            '<line x1="0" y1="2" x2="22" y2="2"'
            f' stroke="{STYLE_BANDE["color"]}" stroke-width="1.6" stroke-dasharray="{tirets}"/></svg>'
        )
        reperes.append(item(trait, f"à {entier_fr(d)} m d'un QPV"))
    if reperes:
        parties.append('<div class="ecs-titre">Repères</div><ul>' + "".join(reperes) + "</ul>")
    return "<details open><summary>Légende</summary>" + "".join(parties) + "</details>"


def _fond(
    fond: gpd.GeoDataFrame | Trace,
    nom: str,
    style: Mapping[str, object],
    tolerance: float | None,
    decimales: int,
) -> Contours:
    if isinstance(fond, gpd.GeoDataFrame):
        fond = tracer(simplifier(fond, tolerance, decimales) if tolerance is not None else fond, decimales)
    return Contours(fond, texte_html(nom), style)


@dataclass(frozen=True)
class LignesActeurs:
    """Actor marker rows of :func:`lignes_acteurs` and stop rows of mobile services
    (:func:`ecosysteme.cartes.arrets.lignes_arrets`), built once per territory; :meth:`parmi`
    keeps those of some actors (a filter change then costs no escaping again)."""

    lignes: list[list[Any]]
    comptes: np.ndarray
    arrets: list[list[Any]] = field(default_factory=list)

    @staticmethod
    def depuis(acteurs: gpd.GeoDataFrame, decimales: int = DECIMALES) -> LignesActeurs:
        return LignesActeurs(*lignes_acteurs(acteurs, decimales), lignes_arrets_acteurs(acteurs, decimales))

    def parmi(self, ids: Iterable[object]) -> LignesActeurs:
        garde = {texte_html(i) for i in ids}
        lignes = [r for r in self.lignes if r[3] in garde]
        rangs = np.array([r[2] for r in lignes], dtype=np.int64)
        arrets = [r for r in self.arrets if r[3] in garde]
        return LignesActeurs(lignes, np.bincount(rangs, minlength=len(SYMBOLES)), arrets)

    def __len__(self) -> int:
        return len(self.lignes)


# --- the map --------------------------------------------------------------------------------------


def carte_couverture(
    qpv: gpd.GeoDataFrame,
    mesure: Mesure | None = None,
    acteurs: gpd.GeoDataFrame | LignesActeurs | None = None,
    *,
    communes: gpd.GeoDataFrame | Trace | None = None,
    epci: gpd.GeoDataFrame | Trace | None = None,
    bandes: Sequence[float] | gpd.GeoDataFrame | None = None,
    tuiles: bool = False,
    actifs: Actifs | None = None,
    simplification: Simplification | None = Simplification(),
) -> folium.Map:
    """Draw the coverage map of the territory given (pass only the visible territory's rows).

    All frames in EPSG:4326. A caller that rebuilds the map often passes the actors as
    :class:`LignesActeurs` and the outlines as :class:`~ecosysteme.cartes.geometrie.Trace`,
    prepared once per territory. Any frame may be empty or absent: the map is still valid.

    Parameters
    ----------
    qpv : geopandas.GeoDataFrame
        The QPV with ``code_qp``, ``lib_qp``, ``population`` (NaN = unknown) and
        ``mesure.colonne``.
    mesure : Mesure or None, default None
        The column that colours the QPV, its French label and its kind; None: one neutral
        colour.
    acteurs : geopandas.GeoDataFrame or LignesActeurs or None, default None
        Points with ``id``, ``nom``, ``categorie`` and optionally ``adresse``, ``commune``,
        ``date_maj``, ``services``, ``horaires`` and ``arrets`` (each stop of a mobile service
        drawn with its schedule, even for a service without a point of its own).
    communes : geopandas.GeoDataFrame or Trace or None, default None
        Commune polygons, drawn as thin outlines.
    epci : geopandas.GeoDataFrame or Trace or None, default None
        EPCI polygons, drawn as darker outlines.
    bandes : sequence of float or geopandas.GeoDataFrame or None, default None
        Distance bands around the QPV: distances in metres (buffers computed here) or the frame
        of :func:`bandes_distance` (cached by the caller).
    tuiles : bool, default False
        Add OpenStreetMap tiles; without them the page requests nothing from the network.
    actifs : Actifs or None, default None
        Where the browser finds Leaflet (default: Streamlit's static serving,
        :func:`actifs_statiques`; :func:`html_autonome` inlines them).
    simplification : Simplification or None, default Simplification()
        Display tolerances (metres) of the QPV and of the background, and decimals kept;
        None: geometries are used as given (already passed through :func:`simplifier`).

    Returns
    -------
    folium.Map
        The map: QPV coloured by ``mesure``, actors by category, outlines, bands, a legend in
        French and a layer control.

    Raises
    ------
    ErreurEcosysteme
        A frame is not in EPSG:4326, ``mesure.colonne`` is not in ``qpv``, a band distance is
        not positive or a simplification tolerance is negative.
    """
    exiger_geographique(qpv, "QPV")
    for f, nom in ((acteurs, "acteurs"), (communes, "communes"), (epci, "EPCI")):
        if isinstance(f, gpd.GeoDataFrame):
            exiger_geographique(f, nom)
    if mesure is not None and mesure.colonne not in qpv.columns:
        raise ErreurEcosysteme(f"la colonne de mesure « {mesure.colonne} » manque dans les QPV.")
    actifs = actifs or actifs_statiques()
    tol_qpv = simplification.qpv_m if simplification is not None else None
    tol_fond = simplification.fond_m if simplification is not None else None
    decimales = simplification.decimales if simplification is not None else DECIMALES

    qpv_carte = simplifier(qpv, tol_qpv, decimales) if tol_qpv is not None else qpv
    (s, w), (n, e) = _emprise(qpv_carte, acteurs, communes, epci)
    carte = folium.Map(location=[(s + n) / 2, (w + e) / 2], zoom_start=9, tiles=None)
    carte.options["maxZoom"] = ZOOM_MAX  # MarkerCluster needs it; without tiles, nobody sets it
    actifs.appliquer(carte, NOMS_JS_CARTE, NOMS_CSS_CARTE)
    if tuiles:
        folium.TileLayer("OpenStreetMap", control=False, max_zoom=ZOOM_MAX).add_to(carte)
    folium.map.CustomPane(_PANE_FOND, z_index=350, pointer_events=False).add_to(carte)

    if communes is not None and len(communes):
        _fond(communes, "Communes", STYLE_COMMUNES, tol_fond, decimales).add_to(carte)
    if epci is not None and len(epci):
        _fond(epci, "EPCI", STYLE_EPCI, tol_fond, decimales).add_to(carte)

    distances_bandes: list[float] = []
    if bandes is not None:
        zones = (
            bandes
            if isinstance(bandes, gpd.GeoDataFrame)
            else bandes_distance(qpv, tuple(bandes), tol_qpv or TOLERANCE_QPV_M, decimales)
        )
        distances_bandes = sorted({float(d) for d in zones["distance_m"]}) if len(zones) else []
        for k, d in enumerate(distances_bandes):
            style = {**STYLE_BANDE, "dashArray": TIRETS[k % len(TIRETS)]}
            zone = zones[zones["distance_m"] == d]
            _fond(zone, f"À {entier_fr(d)} m des QPV", style, None, decimales).add_to(carte)

    classes = (
        mesure.classer(qpv_carte[mesure.colonne])
        if mesure is not None
        else np.zeros(len(qpv_carte), dtype=np.int64)
    )
    couleurs = [c.couleur for c in mesure.classes()] if mesure is not None else [NEUTRE]
    codes, noms, pops = (_colonne(qpv_carte, c) for c in ("code_qp", "lib_qp", "population"))
    valeurs = _colonne(qpv_carte, mesure.colonne) if mesure is not None else codes
    proprietes = [
        {
            "code_qp": texte_html(codes[i]),
            "lib_qp": texte_html(noms[i]),
            "classe": int(classes[i]),
            "infobulle": _infobulle_qpv(codes[i], noms[i], pops[i], mesure, valeurs[i]),
        }
        for i in range(len(qpv_carte))
    ]
    styles = [{**CONTOUR_QPV, "fillColor": c} for c in couleurs]
    poids = CONTOUR_QPV["weight"]
    GeoJsonQPV(
        _geojson(qpv_carte.geometry.to_numpy(), proprietes),
        name=texte_html("Quartiers prioritaires (QPV)"),
        style=JsCode(f"function (f) {{ return {json_script(styles)}[f.properties.classe]; }}"),
        on_each_feature=JsCode(
            "function (f, couche) {"
            ' couche.bindTooltip(f.properties.infobulle, {sticky: true, direction: "top"});'
            ' couche.on("mouseover", function () { couche.setStyle({weight: 3}); });'
            f' couche.on("mouseout", function () {{ couche.setStyle({{weight: {poids}}}); }});'
            " }"
        ),
    ).add_to(carte)

    comptes_categories = None
    n_arrets = 0
    if acteurs is not None:
        prets = acteurs if isinstance(acteurs, LignesActeurs) else LignesActeurs.depuis(acteurs, decimales)
        lignes, comptes_categories = prets.lignes, prets.comptes
        if lignes:
            GroupeActeurs(lignes, texte_html("Acteurs"), actifs).add_to(carte)
        n_arrets = len(prets.arrets)
        if prets.arrets:
            GroupeArrets(prets.arrets, texte_html("Arrêts des services itinérants")).add_to(carte)

    comptes_classes = np.bincount(classes, minlength=len(couleurs))
    html = _legende_html(
        mesure,
        comptes_classes,
        len(qpv_carte),
        comptes_categories,
        communes is not None and len(communes) > 0,
        epci is not None and len(epci) > 0,
        distances_bandes,
        n_arrets,
    )
    carte.add_child(Legende(html, f"#{carte.get_name()}"))
    folium.LayerControl(collapsed=True).add_to(carte)
    carte.fit_bounds([[s, w], [n, e]], padding=(12, 12), max_zoom=16)
    return carte


# --- clicks (pure helpers for the UI) ----------------------------------------------------------


def _proprietes(feature: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if not isinstance(feature, Mapping):
        return None
    props = feature.get("properties")
    return props if isinstance(props, Mapping) else None


def code_qp_clique(feature: Mapping[str, Any] | None) -> str | None:
    """The ``code_qp`` of the QPV clicked, from streamlit-folium's ``last_active_drawing``
    (None when the last click was not on a QPV)."""
    props = _proprietes(feature)
    code = props.get("code_qp") if props is not None else None
    return texte_brut(code) if isinstance(code, str) and code else None


def id_acteur_clique(feature: Mapping[str, Any] | None) -> str | None:
    """The id of the actor marker clicked, from ``last_active_drawing`` (None otherwise)."""
    props = _proprietes(feature)
    if props is None or "code_qp" in props:
        return None
    ident = props.get("id")
    return texte_brut(ident) if isinstance(ident, str) and ident else None


_RAYON_TERRE_M = 6_371_008.8


def acteur_clique(
    acteurs: gpd.GeoDataFrame, lat: float | None, lng: float | None, tolerance_m: float = 5.0
) -> str | None:
    """The id of the actor nearest to a clicked marker position (streamlit-folium's
    ``last_object_clicked``), if within ``tolerance_m`` metres (markers sit at coordinates
    rounded to about 1 m); None otherwise."""
    if lat is None or lng is None or acteurs is None or len(acteurs) == 0 or "id" not in acteurs.columns:
        return None
    if not (math.isfinite(lat) and math.isfinite(lng)):
        return None
    plat, plon, ok = _points_acteurs(acteurs)
    if not ok.any():
        return None
    p1, p2 = np.radians(lat), np.radians(plat[ok])
    dp, dl = p2 - p1, np.radians(plon[ok] - lng)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    d = 2 * _RAYON_TERRE_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    k = int(np.argmin(d))
    if d[k] > tolerance_m:
        return None
    return str(acteurs["id"].to_numpy(dtype=object)[np.flatnonzero(ok)[k]])
