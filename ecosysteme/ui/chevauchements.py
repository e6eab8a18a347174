"""Page « Chevauchements » : distinct actors offering the same service to the same public within
walking distance of each other at overlapping hours — where partners should coordinate, or where
a new offer would duplicate. Not to be confused with duplicates (one place recorded twice: page
« Doublons »), which are left out here."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from matplotlib.figure import Figure
from streamlit_folium import st_folium

from ecosysteme.analyse.chevauchements import STATUT_CHEVAUCHEMENT, chevauchements, groupes, par_epci
from ecosysteme.analyse.selection import Selection
from ecosysteme.cartes.actifs import actifs_statiques, html_autonome
from ecosysteme.cartes.chevauchements import carte_chevauchements
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine import reglages, standard
from ecosysteme.domaine.reglages import MESURE_DISTANCE
from ecosysteme.exports.cartes import Orientation, ligne_sources
from ecosysteme.exports.vues import SOURCES_DEFAUT, carte_chevauchements_document, precision_chevauchements
from ecosysteme.ui import donnees, territoire
from ecosysteme.ui.widgets.entete import entete
from ecosysteme.ui.widgets.export_carte import bloc_export
from ecosysteme.ui.widgets.fonds_carte import installer_actifs

CLE = "chev_"


@st.cache_data(show_spinner="Recherche des chevauchements…", max_entries=16)
def _paires(sig: tuple[str, int], selection: Selection, distance: float) -> pd.DataFrame:
    vue = territoire.filtrer_selection(donnees.territoire(sig), selection)
    with ouvrir_depot(sig[0]) as depot:
        exclus = depot.non_doublons()
    return chevauchements(vue.acteurs, distance_m=distance, non_doublons=exclus)


def afficher() -> None:
    e = entete(
        "Chevauchements",
        "Des acteurs distincts qui offrent le même service au même public, à quelques pas l'un de "
        "l'autre, aux mêmes heures : à coordonner, ou à éviter pour une nouvelle offre. Les doublons "
        "(un même lieu enregistré deux fois) sont traités à part, page « Doublons ».",
    )
    if e is None:
        return
    vue = e.vue
    c1, c2 = st.columns([1, 3])
    distance = c1.select_slider(
        "Distance entre eux (m)",
        list(reglages.DISTANCES_CHEVAUCHEMENT),
        value=int(reglages.DISTANCE_CHEVAUCHEMENT),
        key=CLE + "distance",
    )
    services = c2.multiselect(
        "Services", list(standard.enumerations()["services"]), key=CLE + "services", placeholder="Choisir…"
    )
    paires = _paires(donnees.signature(), vue.selection, float(distance))
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
    sig = donnees.signature()
    fond = territoire.contours_communes(sig, vue.selection)
    st_folium(
        carte_chevauchements(paires, fond, actifs_statiques(), vue.qpv),
        key=CLE + "carte",
        height=460,
        width="stretch",
        returned_objects=[],
    )

    def html() -> str:
        sources = ligne_sources(SOURCES_DEFAUT[:1] + SOURCES_DEFAUT[2:], dt.date.today())
        titre = f"Offres qui se chevauchent (à moins de {distance} m {MESURE_DISTANCE}) — {vue.libelle}"
        return html_autonome(
            carte_chevauchements(paires, fond, actifs_statiques(), vue.qpv),
            titre,
            sources,
            precision_chevauchements(paires),
        )

    def document(orientation: Orientation) -> Figure:
        return carte_chevauchements_document(
            vue.qpv,
            vue.communes if vue.selection.departement is not None else None,
            vue.epci,
            vue.acteurs,
            paires,
            territoire=vue.libelle,
            distance_m=float(distance),
            orientation=orientation,
        )

    bloc_export(
        CLE + "export_carte_",
        f"chevauchements_{vue.selection.cle_fichier}",
        (sig, vue.selection, distance, tuple(services)),
        html=html,
        document=document,
    )
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
