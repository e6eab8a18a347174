"""The overlaps map (pure: a folium map, no Streamlit): a line between two distinct actors
offering the same service to the same public within the chosen distance — orange when they are
open at the same hours, grey when the hours of one are unknown —, the communes as outlines
(readable offline, without tiles), and a French legend. No text from the data is put in the map
(the table beside it names the actors)."""

from __future__ import annotations

import math
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from ecosysteme.analyse.chevauchements import STATUT_CHEVAUCHEMENT
from ecosysteme.cartes.actifs import Actifs, carte_sans_tuiles
from ecosysteme.cartes.construire import Legende
from ecosysteme.cartes.geometrie import simplifier
from ecosysteme.cartes.mesure import NEUTRE, entier_fr
from ecosysteme.cartes.securite import texte_html
from ecosysteme.domaine.erreurs import ErreurEcosysteme

COULEUR_CHEVAUCHEMENT = "#e6550d"
COULEUR_HORAIRES_INCONNUS = "#969696"
#: Half the smallest extent (metres) the map is framed on.
DEMI_EMPRISE_MIN_M = 500.0


def carte_chevauchements(
    paires: pd.DataFrame,
    fond: dict[str, Any] | None,
    actifs: Actifs,
    qpv: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """The map of ``chevauchements.chevauchements`` rows (a pair with several shared services is
    drawn once), over the outlines ``fond`` (``geometrie.contours``) and the QPV (EPSG:4326,
    drawn plain: where the overlaps stand against the neighbourhoods). Framed on the pairs, or
    on the outlines when there is no pair (the map then says « 0 »: an answer too)."""
    if not paires.empty:
        lons = pd.concat([paires["lon_a"], paires["lon_b"]])
        lats = pd.concat([paires["lat_a"], paires["lat_b"]])
        x0, y0, x1, y1 = float(lons.min()), float(lats.min()), float(lons.max()), float(lats.max())
    elif fond and fond.get("features"):
        x0, y0, x1, y1 = (float(v) for v in gpd.GeoDataFrame.from_features(fond["features"]).total_bounds)
    else:
        raise ErreurEcosysteme("ni paire ni commune à cartographier : pas de carte des chevauchements.")
    # at least ~1 km across: two actors at one address would otherwise zoom to a few metres, with
    # no street or commune outline left to say where they are
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    demi_lat = max((y1 - y0) / 2, DEMI_EMPRISE_MIN_M / 111_320.0)
    demi_lon = max((x1 - x0) / 2, demi_lat / max(math.cos(math.radians(cy)), 0.1))
    carte = carte_sans_tuiles((cx - demi_lon, cy - demi_lat, cx + demi_lon, cy + demi_lat), actifs, fond)
    if qpv is not None and not qpv.empty:
        folium.GeoJson(
            simplifier(qpv[["code_qp", "geometry"]], 5.0)[["geometry"]].to_json(drop_id=True),
            style_function=lambda _f: {
                "color": NEUTRE,
                "weight": 1,
                "fillColor": NEUTRE,
                "fillOpacity": 0.25,
            },
        ).add_to(carte)
    uniques = paires.drop_duplicates(["id_a", "id_b"])
    for _, r in uniques.iterrows():
        couleur = (
            COULEUR_CHEVAUCHEMENT
            if r["statut_horaires"] == STATUT_CHEVAUCHEMENT
            else COULEUR_HORAIRES_INCONNUS
        )
        ligne = folium.PolyLine(  # type: ignore[no-untyped-call]
            [[r["lat_a"], r["lon_a"]], [r["lat_b"], r["lon_b"]]], color=couleur, weight=4
        )
        ligne.add_to(carte)
        for lat, lon in ((r["lat_a"], r["lon_a"]), (r["lat_b"], r["lon_b"])):
            folium.CircleMarker([lat, lon], radius=5, color=couleur, fill=True, fill_opacity=0.9).add_to(
                carte
            )
    n = int((uniques["statut_horaires"] == STATUT_CHEVAUCHEMENT).sum())
    items = "".join(
        f'<li><span class="ecs-case" style="background:{c}"></span><span>{texte_html(lib)}</span>'
        f'<span class="ecs-n">{entier_fr(k)}</span></li>'
        for c, lib, k in (
            (COULEUR_CHEVAUCHEMENT, "Ouverts aux mêmes heures", n),
            (COULEUR_HORAIRES_INCONNUS, "Proches, horaires inconnus", len(uniques) - n),
        )
    )
    html = '<div class="ecs-titre">Paires d\'acteurs (même service, même public)</div><ul>' + items + "</ul>"
    if qpv is not None and not qpv.empty:
        html += (
            f'<ul><li><span class="ecs-case" style="background:{NEUTRE};opacity:.5"></span>'
            "<span>Quartier prioritaire (QPV)</span></li></ul>"
        )
    carte.add_child(Legende(html, f"#{carte.get_name()}"))
    return carte
