"""Page « Lieu totem » : where one (or a few) lieu(x) totem du numérique would reach the most QPV
residents not reached today, for the chosen service, within a walking distance; each proposed
site explained (QPV reached, residents newly covered, offers it would duplicate, alternatives)."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from matplotlib.figure import Figure
from streamlit_folium import st_folium

from ecosysteme.analyse.totem import Explication, Resultat, totem_epci
from ecosysteme.cartes.actifs import actifs_statiques, html_autonome
from ecosysteme.cartes.totem import carte_totem
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine import reglages, standard
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.reglages import LIBELLE_DISTANCE
from ecosysteme.exports.cartes import Orientation, ligne_sources
from ecosysteme.exports.tableaux import csv_octets
from ecosysteme.exports.vues import SOURCES_DEFAUT, carte_totem_document, precision_totem
from ecosysteme.ui import donnees, territoire
from ecosysteme.ui.texte import md
from ecosysteme.ui.widgets.entete import entete
from ecosysteme.ui.widgets.export_carte import bloc_export
from ecosysteme.ui.widgets.fonds_carte import installer_actifs

CLE = "totem_"
CANDIDATS = {
    "acteurs": "Lieux existants du territoire (à transformer en lieu totem)",
    "grille": f"Tout point du territoire (grille de {reglages.PAS_GRILLE_TOTEM:g} m "
    "sur les communes ayant un QPV)",
    "points": "Des emplacements que vous proposez (coordonnées)",
}


@st.cache_resource(show_spinner="Recherche du meilleur emplacement…", max_entries=16)
def _calculer(
    sig: tuple[str, int], siren: str, services: tuple[str, ...], rayon: float, sites: int, candidats: str
) -> tuple[Resultat, Explication]:
    """Cached by store version and parameters (results are read, never modified)."""
    with ouvrir_depot(sig[0]) as depot:
        return totem_epci(
            depot, siren, service=list(services) or None, rayon=rayon, sites=sites, candidats=candidats
        )


def afficher() -> None:
    e = entete(
        "Lieu totem",
        "Où un lieu totem du numérique atteindrait le plus d'habitants des quartiers prioritaires qui "
        "n'ont pas l'offre à portée aujourd'hui, sans doublonner l'existant. Calcul exact (programme en "
        "nombres entiers résolu par HiGHS), chaque proposition expliquée.",
        sous_titre=False,
    )
    if e is None:
        return
    vue = e.vue
    siren = vue.selection.siren
    if siren is None:
        st.info("Choisissez un EPCI dans la barre latérale : le lieu totem se décide à l'échelle d'un EPCI.")
        return
    st.subheader(md(vue.libelle))
    c1, c2, c3 = st.columns([3, 1, 1])
    services = c1.multiselect(
        "Offre du lieu totem (services du standard ; aucun : tout acteur compte comme offre existante)",
        list(standard.enumerations()["services"]),
        default=["Aide aux démarches administratives"],
        key=CLE + "services",
        placeholder="Choisir…",
    )
    rayon = c2.select_slider(
        LIBELLE_DISTANCE,
        list(reglages.DISTANCES_PROPOSEES),
        value=int(reglages.DISTANCE_MARCHE),
        key=CLE + "rayon",
    )
    sites = int(c3.number_input("Nombre de sites", min_value=1, max_value=5, value=1, key=CLE + "sites"))
    candidats = st.radio(
        "Emplacements possibles", list(CANDIDATS), format_func=CANDIDATS.__getitem__, key=CLE + "candidats"
    )
    try:
        res, expl = _calculer(
            donnees.signature(),
            siren,
            tuple(services),
            float(rayon),
            sites,
            str(candidats),
        )
    except ErreurEcosysteme as exc:
        st.error(md(exc.message))
        return
    ecart = f", écart à l'optimum ≤ {100 * res.ecart:.1f} %" if res.ecart > 0 else ""
    st.success(
        f"{res.objectif:,} habitant(s) des QPV nouvellement à portée avec {len(res.choisis)} site(s) "
        f"({res.statut}{ecart}, parmi {len(res.candidats)} emplacements possibles).".replace(",", " ")
    )
    for a in res.avertissements:
        st.warning(md(a))
    installer_actifs()
    fond = territoire.contours_communes(donnees.signature(), vue.selection)
    donnees_carte = carte_totem(vue.qpv, res, actifs_statiques(), fond)
    st_folium(donnees_carte, key=CLE + "carte", height=520, width="stretch", returned_objects=[])
    st.markdown("#### Sites proposés")
    st.dataframe(
        expl.sites.rename(
            columns={
                "libelle": "site",
                "qpv_atteints": "QPV atteints",
                "habitants_atteints": "habitants atteints",
                "habitants_nouveaux": "dont nouvellement à portée",
                "acteurs_en_doublon": "offres existantes à portée",
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(f"Règle : {expl.regle}.")
    st.markdown("#### Quartiers atteints")
    st.dataframe(expl.qpv.round({"distance_m": 0}), hide_index=True, width="stretch")
    if not expl.doublons.empty:
        st.markdown("#### Offres existantes à portée des sites (à coordonner)")
        st.dataframe(expl.doublons, hide_index=True, width="stretch")
    st.markdown("#### Autres emplacements possibles")
    st.dataframe(expl.alternatives, hide_index=True, width="stretch")
    offre = ", ".join(services) or "tout acteur"
    sig = donnees.signature()
    titre = "Lieu totem du numérique — " + vue.libelle

    def html() -> str:
        sources = ligne_sources(SOURCES_DEFAUT, dt.date.today())
        return html_autonome(
            carte_totem(vue.qpv, res, actifs_statiques(), fond), titre, sources, precision_totem(res, offre)
        )

    def document(orientation: Orientation) -> Figure:
        return carte_totem_document(
            vue.qpv,
            vue.communes,
            vue.epci,
            res,
            expl,
            territoire=vue.libelle,
            offre=offre,
            orientation=orientation,
        )

    bloc_export(
        CLE + "export_carte_",
        f"lieu_totem_{siren}",
        (sig, siren, tuple(services), rayon, sites, str(candidats)),
        html=html,
        document=document,
    )
    st.markdown("#### Exporter les tableaux")
    colonnes = st.columns(4)
    for col, (nom, tableau) in zip(colonnes, expl.tableaux().items(), strict=True):
        col.download_button(
            f"Tableau « {nom} » (CSV)",
            csv_octets(tableau),
            file_name=f"lieu_totem_{siren}_{nom}.csv",
            mime="text/csv",
            key=CLE + "export_" + nom,
        )
