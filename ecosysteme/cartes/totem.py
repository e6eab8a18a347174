"""The lieu totem map (pure: a folium map, no Streamlit): QPV coloured by what the chosen sites
change (newly reached, already covered by the existing offer, still out of reach), each chosen
site with its walking radius, the existing matching actors, and a French legend. Offline assets
(Leaflet served by the app or inlined); no text from the data is put in the page unescaped."""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from ecosysteme.analyse.totem import Resultat
from ecosysteme.cartes.actifs import Actifs, carte_sans_tuiles
from ecosysteme.cartes.construire import Legende
from ecosysteme.cartes.geometrie import simplifier
from ecosysteme.cartes.mesure import entier_fr
from ecosysteme.cartes.securite import texte_html

#: QPV states and their colours (colour-blind safe: green / grey-blue / orange).
ETATS: dict[str, tuple[str, str]] = {
    "nouveau": ("#1b9e77", "Nouvellement à portée"),
    "deja": ("#7f9fbf", "Déjà couvert par l'offre existante"),
    "hors": ("#e6550d", "Toujours hors de portée"),
}
COULEUR_SITE = "#6a3d9a"
COULEUR_EXISTANT = "#555555"


def etat_qpv(resultat: Resultat) -> pd.Series:
    """« nouveau », « deja » or « hors » per code_qp."""
    q = resultat.qpv.set_index("code_qp")
    return pd.Series(
        [
            "deja" if bool(d) else "nouveau" if bool(c) else "hors"
            for d, c in zip(q["deja_couvert"], q["couvert"], strict=True)
        ],
        index=q.index,
    )


def carte_totem(
    qpv: gpd.GeoDataFrame, resultat: Resultat, actifs: Actifs, fond: dict[str, Any] | None = None
) -> folium.Map:
    """The map of a siting result over its QPV (EPSG:4326), on the communes' outlines ``fond``
    (``geometrie.contours``: readable offline, without tiles)."""
    etats = etat_qpv(resultat)
    x0, y0, x1, y1 = (float(v) for v in qpv.total_bounds)
    carte = carte_sans_tuiles((x0, y0, x1, y1), actifs, fond)
    simples = simplifier(qpv[["code_qp", "geometry"]], 5.0)
    simples["etat"] = simples["code_qp"].map(etats).fillna("hors")
    for etat, (couleur, _) in ETATS.items():
        part = simples[simples["etat"] == etat]
        if part.empty:
            continue
        folium.GeoJson(
            part[["geometry"]].to_json(drop_id=True),
            style_function=lambda _f, c=couleur: {
                "color": c,
                "weight": 2,
                "fillColor": c,
                "fillOpacity": 0.45,
            },
        ).add_to(carte)
    for _, e in resultat.existants.iterrows():
        if e.geometry is None or e.geometry.is_empty:
            continue
        folium.CircleMarker(
            [e.geometry.y, e.geometry.x],
            radius=4,
            color=COULEUR_EXISTANT,
            fill=True,
            fill_opacity=0.8,
            weight=1,
        ).add_to(carte)
    choisis = resultat.candidats[resultat.candidats["id"].isin(resultat.choisis)]
    for _, s in choisis.iterrows():
        folium.Circle(
            [s.geometry.y, s.geometry.x],
            radius=resultat.rayon,
            color=COULEUR_SITE,
            weight=2,
            fill=False,
            dash_array="6",
        ).add_to(carte)
        folium.CircleMarker(
            [s.geometry.y, s.geometry.x],
            radius=9,
            color="#ffffff",
            weight=2,
            fill=True,
            fill_color=COULEUR_SITE,
            fill_opacity=1.0,
        ).add_to(carte)
    comptes = etats.value_counts()
    items = "".join(
        f'<li><span class="ecs-case" style="background:{c}"></span><span>{texte_html(lib)}</span>'
        f'<span class="ecs-n">{entier_fr(int(comptes.get(k, 0)))}</span></li>'
        for k, (c, lib) in ETATS.items()
    )
    html = (
        '<div class="ecs-titre">Quartiers prioritaires</div><ul>'
        + items
        + "</ul><ul>"
        + f'<li><span class="ecs-case" style="background:{COULEUR_SITE};border-radius:50%"></span>'
        + f"<span>{texte_html(f'Site proposé (à moins de {resultat.rayon:g} m en pointillé)')}</span></li>"
        + f'<li><span class="ecs-case" style="background:{COULEUR_EXISTANT};border-radius:50%"></span>'
        + "<span>Offre existante</span></li></ul>"
    )
    carte.add_child(Legende(html, f"#{carte.get_name()}"))
    return carte
