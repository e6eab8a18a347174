"""Page « Chevauchements » : distinct actors offering the same service to the same public within
walking distance of each other at overlapping hours — where partners should coordinate, or where
a new offer would duplicate. Not to be confused with duplicates (one place recorded twice: page
« Doublons »), which are left out here."""

from __future__ import annotations

from typing import Any

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from ecosysteme import standard
from ecosysteme.carte.actifs import NOMS_CSS_CARTE, NOMS_JS_CARTE, actifs_statiques
from ecosysteme.chevauchements import STATUT_CHEVAUCHEMENT, chevauchements, groupes, par_epci
from ecosysteme.selection import Selection
from ecosysteme.store import ouvrir_depot
from ecosysteme.ui import donnees, territoire
from ecosysteme.ui.carte import installer_actifs
from ecosysteme.ui.texte import md

CLE = "chev_"
DISTANCES = (100, 200, 300, 500, 1000)


@st.cache_data(show_spinner="Recherche des chevauchements…", max_entries=16)
def _paires(sig: tuple[str, float], selection: Selection, distance: float) -> pd.DataFrame:
    vue = territoire.filtrer_selection(donnees.territoire(sig), selection)
    with ouvrir_depot(sig[0]) as depot:
        exclus = depot.non_doublons()
    return chevauchements(vue.acteurs, distance_m=distance, non_doublons=exclus)


def afficher() -> None:
    st.title("Chevauchements")
    st.caption(
        "Des acteurs distincts qui offrent le même service au même public, à quelques pas l'un de "
        "l'autre, aux mêmes heures : à coordonner, ou à éviter pour une nouvelle offre. Les doublons "
        "(un même lieu enregistré deux fois) sont traités à part, page « Doublons »."
    )
    data = donnees.charger_ou_expliquer()
    if data is None:
        return
    vue = territoire.choisir(data)
    st.subheader(md(vue.libelle))
    c1, c2 = st.columns([1, 3])
    distance = c1.select_slider("Distance entre eux (m)", list(DISTANCES), value=500, key=CLE + "distance")
    services = c2.multiselect(
        "Services", list(standard.enumerations()["services"]), key=CLE + "services", placeholder="Choisir…"
    )
    paires = _paires(donnees.signature(donnees.chemin_depot()), vue.selection, float(distance))
    if services:
        paires = paires[paires["service"].isin(services)]
    certains = paires[paires["statut_horaires"] == STATUT_CHEVAUCHEMENT]
    inconnus = paires[paires["statut_horaires"] != STATUT_CHEVAUCHEMENT]
    n_certains = certains[["id_a", "id_b"]].drop_duplicates().shape[0]
    n_inconnus = inconnus[["id_a", "id_b"]].drop_duplicates().shape[0]
    st.caption(
        f"{n_certains} paire(s) d'acteurs ouverts aux mêmes heures ; {n_inconnus} autre(s) paire(s) "
        "proches dont les horaires sont inconnus (comptées à part)."
    )
    if paires.empty:
        st.info("Aucun chevauchement à cette distance dans ce territoire.")
        return
    installer_actifs()
    fond = territoire.contours_communes(donnees.signature(donnees.chemin_depot()), vue.selection)
    st_folium(_carte(paires, fond), key=CLE + "carte", height=460, width="stretch", returned_objects=[])
    st.markdown("#### Paires")
    st.dataframe(
        paires[
            ["nom_a", "nom_b", "service", "public", "distance_m", "heures_communes", "statut_horaires"]
        ].rename(
            columns={
                "nom_a": "acteur A",
                "nom_b": "acteur B",
                "distance_m": "distance (m)",
                "heures_communes": "heures communes / semaine",
                "statut_horaires": "horaires",
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"distance (m)": st.column_config.NumberColumn(format="%.0f")},
    )
    if vue.selection.siren is None:
        st.markdown("#### Par EPCI et par service")
        st.dataframe(par_epci(paires, vue.acteurs), hide_index=True, width="stretch")
    g = groupes(paires)
    if not g.empty:
        st.markdown("#### Groupes (même service, même public)")
        st.dataframe(g, hide_index=True, width="stretch")


def _carte(paires: pd.DataFrame, fond: dict[str, Any] | None) -> folium.Map:
    """Lines between overlapping actors (orange) or actors with unknown hours (grey); no text
    from the data in the map (the table names them)."""
    lons = pd.concat([paires["lon_a"], paires["lon_b"]])
    lats = pd.concat([paires["lat_a"], paires["lat_b"]])
    x0, y0, x1, y1 = float(lons.min()), float(lats.min()), float(lons.max()), float(lats.max())
    carte = folium.Map(location=[(y0 + y1) / 2, (x0 + x1) / 2], tiles=None, zoom_start=13, max_zoom=19)
    actifs_statiques().appliquer(carte, NOMS_JS_CARTE, NOMS_CSS_CARTE)
    carte.fit_bounds([[y0, x0], [y1, x1]])
    if fond:  # the communes as outlines: readable offline, without tiles
        folium.GeoJson(
            fond, style_function=lambda _f: {"color": "#888888", "weight": 1, "fill": False}
        ).add_to(carte)
    for _, r in paires.drop_duplicates(["id_a", "id_b"]).iterrows():
        couleur = "#e6550d" if r["statut_horaires"] == STATUT_CHEVAUCHEMENT else "#999999"
        ligne = folium.PolyLine(  # type: ignore[no-untyped-call]
            [[r["lat_a"], r["lon_a"]], [r["lat_b"], r["lon_b"]]], color=couleur, weight=4
        )
        ligne.add_to(carte)
        for lat, lon in ((r["lat_a"], r["lon_a"]), (r["lat_b"], r["lon_b"])):
            folium.CircleMarker([lat, lon], radius=5, color=couleur, fill=True, fill_opacity=0.9).add_to(
                carte
            )
    return carte
