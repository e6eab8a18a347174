"""Page « Carte de couverture » : QPV coloured by a measure, actors by category, QPV and actor
sheets opened by a click on the map (or from the lists beside it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st
from matplotlib.figure import Figure

from ecosysteme.analyse.couverture import (
    CRENEAUX,
    Filtre,
    filtre,
    filtrer_acteurs,
    filtres_famille,
    tous_les_filtres,
)
from ecosysteme.cartes import LignesActeurs, Mesure, carte_couverture
from ecosysteme.cartes.actifs import actifs_statiques, html_autonome
from ecosysteme.cartes.construire import acteur_clique, code_qp_clique, id_acteur_clique
from ecosysteme.domaine import reglages
from ecosysteme.domaine.reglages import LIBELLE_DISTANCE, MESURE_DISTANCE
from ecosysteme.exports.cartes import Orientation, carte_document, ligne_sources
from ecosysteme.exports.vues import SOURCES_DEFAUT, precision_filtres
from ecosysteme.ui import donnees
from ecosysteme.ui.widgets.entete import entete
from ecosysteme.ui.widgets.export_carte import bloc_export
from ecosysteme.ui.widgets.fiches import fiches
from ecosysteme.ui.widgets.fonds_carte import bandes_vue, fonds_vue, installer_actifs

#: Sources of the interactive map (no population shown there).
SOURCES_HTML = ("ANCT — QPV 2024", "IGN / geo.api.gouv.fr — communes et EPCI")
MESURES = {
    "distance": "distance au plus proche",
    "n_300m": f"nombre à moins de {reglages.BANDE_PROCHE:g} m",
    "couvert": f"à portée ({MESURE_DISTANCE})",
}
LIBELLES_CRENEAUX = {
    "soir": "en soirée (après 18 h, en semaine)",
    "samedi": "le samedi",
    "dimanche": "le dimanche",
}
FAMILLES_LIB = {
    "tous": "Tout acteur",
    "gratuit": "Gratuit",
    "categorie": "Catégorie",
    "service": "Service",
    "public": "Public",
    "prise_en_charge": "Prise en charge",
    "programme": "Programme",
}


def _libelle_filtre(f: Filtre) -> str:
    if f.famille in ("tous", "gratuit"):
        return f.libelle
    return f"{FAMILLES_LIB[f.famille]} : {f.libelle}"


def _pluriel(n: int, un: str, plusieurs: str) -> str:
    return f"{n} {un if n <= 1 else plusieurs}"


def _par_famille(famille: str) -> list[str]:
    return [f.cle for f in filtres_famille(famille)]


def _carte(
    qpv: gpd.GeoDataFrame,
    mesure: Mesure,
    acteurs: LignesActeurs,
    fonds: dict[str, Any],
    bandes: gpd.GeoDataFrame | None,
    tuiles: bool,
) -> Any:
    """The folium map, rebuilt at each run from cached display geometries: streamlit-folium
    must get a fresh map (a folium map rendered twice yields another script, the map frame
    reloads and the click is lost)."""
    return carte_couverture(
        qpv,
        mesure,
        acteurs,
        communes=fonds["communes"],
        epci=fonds["epci"],
        bandes=bandes,
        tuiles=tuiles,
        actifs=actifs_statiques(),
        simplification=None,
    )


def _mesure_qpv(
    qpv: gpd.GeoDataFrame, couv: pd.DataFrame, f: Filtre, genre: str, seuil: int
) -> tuple[gpd.GeoDataFrame, Mesure]:
    c = couv[couv["filtre"] == f.cle].set_index("code_qp")
    out = qpv.copy()
    if genre == "distance":
        out["valeur"] = out["code_qp"].map(c["distance_m"])
        mesure = Mesure("valeur", f"{f.libelle} : distance au plus proche", "distance")
    elif genre == "n_300m":
        out["valeur"] = out["code_qp"].map(c["n_300m"])
        mesure = Mesure("valeur", f"{f.libelle} : nombre à moins de {reglages.BANDE_PROCHE:g} m", "compte")
    else:
        out["valeur"] = out["code_qp"].map(c["couvert"])
        mesure = Mesure("valeur", f"{f.libelle} : à moins de {seuil} m {MESURE_DISTANCE}", "couvert")
    return out, mesure


def _controles() -> tuple[Filtre, str, int, list[Filtre], list[str], bool, bool]:
    c1, c2, c3 = st.columns([2, 2, 1])
    cles = [f.cle for f in tous_les_filtres()]
    cle = c1.selectbox(
        "Offre mesurée",
        cles,
        index=cles.index("tous"),
        format_func=lambda k: _libelle_filtre(filtre(k)),
        key="carte_offre",
    )
    genre = c2.radio(
        "Couleur des QPV", list(MESURES), format_func=MESURES.__getitem__, key="carte_mesure", horizontal=True
    )
    seuil = int(
        c3.select_slider(
            LIBELLE_DISTANCE,
            options=reglages.DISTANCES_PROPOSEES,
            value=int(reglages.DISTANCE_MARCHE),
            key="carte_seuil",
        )
    )
    with st.expander("Acteurs affichés et fond de carte", expanded=False):
        a1, a2, a3 = st.columns(3)
        cats = a1.multiselect(
            "Catégories",
            _par_famille("categorie"),
            format_func=lambda k: filtre(k).libelle,
            key="carte_cat",
            placeholder="Choisir…",
        )
        servs = a2.multiselect(
            "Services",
            _par_famille("service"),
            format_func=lambda k: filtre(k).libelle,
            key="carte_serv",
            placeholder="Choisir…",
        )
        pubs = a3.multiselect(
            "Publics",
            _par_famille("public"),
            format_func=lambda k: filtre(k).libelle,
            key="carte_pub",
            placeholder="Choisir…",
        )
        b1, b2, b3 = st.columns(3)
        progs = b1.multiselect(
            "Programmes nationaux",
            _par_famille("programme"),
            format_func=lambda k: filtre(k).libelle,
            key="carte_prog",
            placeholder="Choisir…",
        )
        creneaux = b2.multiselect(
            "Ouvert",
            list(CRENEAUX),
            format_func=LIBELLES_CRENEAUX.__getitem__,
            key="carte_creneaux",
            placeholder="Choisir…",
        )
        gratuit = b3.checkbox("Gratuit seulement", key="carte_gratuit")
        d1, d2 = st.columns(2)
        metres = f"{reglages.BANDE_PROCHE:,.0f} m et {reglages.DISTANCE_MARCHE:,.0f} m".replace(",", " ")
        bandes = d1.checkbox(f"Tracer les bandes de {metres} autour des QPV", key="carte_bandes")
        tuiles = d2.checkbox(
            "Fond OpenStreetMap (Internet nécessaire)",
            key="carte_tuiles",
            help="Sans Internet, la carte garde les limites des communes et des EPCI comme fond.",
        )
    choisis = [filtre(k) for k in [*cats, *servs, *pubs, *progs]] + ([filtre("gratuit")] if gratuit else [])
    return filtre(cle), genre, seuil, choisis, list(creneaux), bandes, tuiles


def _clic(retour: dict[str, Any] | None, acteurs: gpd.GeoDataFrame) -> tuple[str, str] | None:
    """What the last click on the map designates: ("qpv", code) or ("acteur", id)."""
    if not retour:
        return None
    dessin = retour.get("last_active_drawing")
    ident = id_acteur_clique(dessin)
    if ident:
        return ("acteur", ident)
    objet = retour.get("last_object_clicked") or {}
    ident = acteur_clique(acteurs, objet.get("lat"), objet.get("lng"))
    if ident:
        return ("acteur", ident)
    code = code_qp_clique(dessin)
    return ("qpv", code) if code else None


def afficher() -> None:
    from streamlit_folium import st_folium

    installer_actifs()
    e = entete(
        "Carte de couverture",
    )
    if e is None:
        return
    vue = e.vue
    f, genre, seuil, choisis, creneaux, bandes, tuiles = _controles()
    sig = donnees.signature()
    couv = donnees.couverture_depot(sig, float(seuil), reglages.BANDES)
    fonds = fonds_vue(sig, vue)
    qpv, mesure = _mesure_qpv(fonds["qpv"], couv, f, genre, seuil)
    acteurs = filtrer_acteurs(vue.acteurs, choisis, creneaux)
    if not len(vue.qpv):
        st.info("Aucun QPV dans ce territoire : la carte montre ses communes et ses acteurs.")
    zones = bandes_vue(sig, vue) if bandes else None
    carte = _carte(qpv, mesure, fonds["acteurs"].parmi(acteurs["id"]), fonds, zones, tuiles)
    actifs = int((vue.acteurs["statut"] == "actif").sum()) if "statut" in vue.acteurs.columns else 0
    st.caption(
        f"{len(vue.qpv)} QPV ; {_pluriel(len(acteurs), 'acteur affiché', 'acteurs affichés')} sur "
        f"{_pluriel(actifs, 'actif recensé', 'actifs recensés')} ici. Cliquez un quartier ou un acteur "
        "pour ouvrir sa fiche."
    )
    col_carte, col_fiche = st.columns([2, 1])
    with col_carte:
        retour = st_folium(
            carte,
            key="carte_couverture",
            height=640,
            use_container_width=True,
            returned_objects=["last_object_clicked", "last_active_drawing"],
            # the whole HTML page of the map is not needed, only its parts (one render, not two)
            render=False,
        )
    clic = _clic(retour, acteurs)
    if clic is not None and clic != st.session_state.get("_carte_dernier_clic"):
        st.session_state["_carte_dernier_clic"] = clic
        st.session_state["fiche_genre"] = "QPV" if clic[0] == "qpv" else "Acteur"
        st.session_state["fiche_qpv" if clic[0] == "qpv" else "fiche_acteur"] = clic[1]
    with col_fiche:
        fiches(vue, couv, seuil)
    precision = precision_filtres(choisis, creneaux)
    titre = f"{mesure.libelle} — {vue.libelle}"

    def html() -> str:
        export = _carte(qpv, mesure, fonds["acteurs"].parmi(acteurs["id"]), fonds, zones, tuiles)
        return html_autonome(export, titre, ligne_sources(SOURCES_HTML, dt.date.today()), precision)

    def document(orientation: Orientation) -> Figure:
        # the QPV as they are (the map's are simplified for the screen), measured the same way
        qpv_document, _ = _mesure_qpv(vue.qpv, couv, f, genre, seuil)
        return carte_document(
            qpv_document,
            vue.communes if vue.selection.departement is not None else None,
            vue.epci,
            acteurs,
            titre="Inclusion numérique : l'offre autour des quartiers prioritaires",
            territoire=f"{vue.libelle} — offre : {f.libelle}",
            mesure=mesure,
            orientation=orientation,
            date=dt.date.today(),
            sources=SOURCES_DEFAUT,
            precision=precision,
        )

    parametres = (sig, vue.selection, f.cle, genre, seuil, tuple(c.cle for c in choisis), tuple(creneaux))
    bloc_export(
        "carte_export_",
        f"carte_couverture_{vue.selection.cle_fichier}",
        (*parametres, bandes, tuiles),
        html=html,
        document=document,
    )
