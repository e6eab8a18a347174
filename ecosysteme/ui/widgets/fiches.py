"""The sheets beside a map: a QPV's (its figures, its coverage offer by offer, the actors by
distance) and an actor's (the fields of the standard, the freshness of ``date_maj``), chosen by a
click on the map or from a list kept in step with the clicks."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import geopandas as gpd
import pandas as pd
import streamlit as st

from ecosysteme.analyse.couverture import colonne_bande, tous_les_filtres
from ecosysteme.analyse.fiches import acteurs_proches, couverture_qpv, fiche_acteur
from ecosysteme.analyse.selection import Vue
from ecosysteme.domaine import reglages
from ecosysteme.ui.texte import md

#: Badge colour of each freshness class of ``date_maj``.
COULEURS_FRAICHEUR: dict[str, Literal["green", "blue", "orange", "red"]] = {
    "moins de 6 mois": "green",
    "6 à 12 mois": "blue",
    "12 à 18 mois": "orange",
    "18 mois ou plus": "red",
    "inconnue": "red",
}


def _fiche_qpv(vue: Vue, code: str, couv: pd.DataFrame, seuil: int) -> None:
    ligne = vue.qpv[vue.qpv["code_qp"] == code]
    if ligne.empty:
        st.info("Ce QPV n'est pas dans le territoire choisi.")
        return
    q = ligne.iloc[0]
    st.markdown(f"#### {md(q['lib_qp'])} ({md(code)})")
    pop = q["population"]
    st.markdown(
        f"{md(q.get('lib_com') or '')} — "
        + ("population inconnue" if pd.isna(pop) else f"{int(pop):,} habitants".replace(",", "\u202f"))
    )
    tableau = couverture_qpv(couv, code, tous_les_filtres())
    st.dataframe(
        tableau.rename(
            columns={
                "n_interieur": "dans le QPV",
                colonne_bande(reglages.BANDE_PROCHE): f"à {reglages.BANDE_PROCHE:,.0f} m".replace(",", " "),
                colonne_bande(reglages.DISTANCE_MARCHE): (
                    f"à {reglages.DISTANCE_MARCHE:,.0f} m".replace(",", " ")
                ),
                "distance_m": "plus proche (m)",
                "couvert": f"à moins de {seuil} m",
                "n_ouvert_soir": "ouverts le soir",
                "n_ouvert_samedi": "le samedi",
                "n_ouvert_dimanche": "le dimanche",
                "n_horaires_inconnus": "horaires inconnus",
            }
        ),
        hide_index=True,
        width="stretch",
        height=300,
    )
    proches = acteurs_proches(vue.qpv, code, vue.acteurs, float(max(seuil, reglages.DISTANCE_MARCHE)))
    rayon = max(seuil, int(reglages.DISTANCE_MARCHE))
    st.markdown(f"**Acteurs à moins de {rayon} m** ({len(proches)}), les plus proches d'abord :")
    if proches.empty:
        st.caption("Aucun.")
    else:
        st.dataframe(
            proches.rename(columns={"distance_m": "distance (m)"}).drop(columns="id"),
            hide_index=True,
            width="stretch",
        )


def _fiche_acteur(acteurs: gpd.GeoDataFrame, ident: str) -> None:
    ligne = acteurs[acteurs["id"] == ident]
    if ligne.empty:
        st.info("Cet acteur n'est pas dans le territoire choisi.")
        return
    a = ligne.iloc[0]
    st.markdown(f"#### {md(a['nom'])}")
    champs, fr = fiche_acteur(a, dt.date.today())
    st.badge(fr.libelle, color=COULEURS_FRAICHEUR.get(fr.classe, "red"))
    st.dataframe(pd.DataFrame(champs, columns=["champ", "valeur"]), hide_index=True, width="stretch")


def _choix_fiche(libelle: str, options: list[str], noms: dict[str, str], cle: str, aide: str) -> str | None:
    """A picker of the QPV or actor whose sheet is shown, kept in step with map clicks (a value
    that left the territory is dropped)."""
    if st.session_state.get(cle) not in options:
        st.session_state[cle] = None
    choix = st.selectbox(
        libelle, options, format_func=lambda v: noms.get(v, v), key=cle, index=None, placeholder=aide
    )
    return str(choix) if choix else None


def fiches(vue: Vue, couv: pd.DataFrame, seuil: int) -> None:
    genre = st.segmented_control("Fiche", ["QPV", "Acteur"], key="fiche_genre", default="QPV")
    if genre == "Acteur":
        a = vue.acteurs
        noms = {str(i): str(n) for i, n in zip(a["id"], a["nom"], strict=True)} if len(a) else {}
        ident = _choix_fiche(
            "Acteur", list(noms), noms, "fiche_acteur", "Cliquez un acteur sur la carte ou choisissez-le ici"
        )
        if ident:
            _fiche_acteur(a, ident)
        return
    q = vue.qpv.sort_values("lib_qp")
    noms_q = {str(c): f"{n} ({c})" for c, n in zip(q["code_qp"], q["lib_qp"], strict=True)}
    code = _choix_fiche(
        "Quartier", list(noms_q), noms_q, "fiche_qpv", "Cliquez un QPV sur la carte ou choisissez-le ici"
    )
    if code:
        _fiche_qpv(vue, code, couv, seuil)
