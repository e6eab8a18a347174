"""Accueil: choose a territory, read its key figures and the summary per EPCI."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from ecosysteme.analyse.resume import CATEGORIES, chiffres_cles, resume_par_epci, sirens
from ecosysteme.domaine import reglages
from ecosysteme.domaine.reglages import MESURE_DISTANCE
from ecosysteme.ui import donnees, territoire
from ecosysteme.ui.texte import md


def _nombre(n: int | float | None) -> str:
    if n is None or (isinstance(n, float) and n != n):
        return "inconnu"
    return f"{int(n):,}".replace(",", "\u202f")


def _couverture(qpv: gpd.GeoDataFrame, noms_epci: dict[str, str]) -> None:
    """Share of the territory's QPV residents with each service within walking distance."""
    from ecosysteme.analyse.couverture import tous_les_filtres
    from ecosysteme.analyse.lacunes import qpv_sans_offre

    st.subheader("Ce qui est à portée des habitants des QPV")
    seuil = st.select_slider(
        f"Distance au quartier, {MESURE_DISTANCE} (m)",
        options=reglages.DISTANCES_PROPOSEES,
        value=int(reglages.DISTANCE_MARCHE),
        key="seuil",
        help="Distance au périmètre du QPV (un acteur dans le quartier est à 0 m).",
    )
    if qpv.empty:
        st.info("Aucun QPV dans ce territoire.")
        return
    couv = donnees.couverture_depot(donnees.signature(), float(seuil), reglages.BANDES)
    couv = couv[couv["code_qp"].isin(set(qpv["code_qp"]))]
    pops = qpv.set_index("code_qp")["population"]
    lignes = []
    for f in tous_les_filtres():
        if f.famille not in ("tous", "service", "gratuit"):
            continue
        c = couv[couv["filtre"] == f.cle]
        pop = c["code_qp"].map(pops)
        connue = pop.notna()
        total = float(pop[connue].sum())
        couverte = float(pop[connue & c["couvert"].to_numpy()].sum())
        lignes.append(
            {
                "offre": f.libelle,
                "QPV couverts": f"{int(c['couvert'].sum())} / {len(c)}",
                "habitants couverts": int(couverte),
                "part des habitants": (couverte / total) if total else None,
            }
        )
    st.dataframe(
        pd.DataFrame(lignes),
        hide_index=True,
        width="stretch",
        column_config={
            "habitants couverts": st.column_config.NumberColumn("habitants couverts", format="localized"),
            "part des habitants": st.column_config.ProgressColumn(
                "part des habitants", format="percent", min_value=0.0, max_value=1.0
            ),
        },
    )
    sans = qpv_sans_offre(couv, qpv, "tous")
    if sans.empty:
        st.success(f"Chaque QPV a au moins un acteur à moins de {seuil} m.")
    else:
        st.markdown(
            f"**QPV sans aucun acteur à moins de {seuil} m** ({len(sans)}), les plus peuplés d'abord :"
        )
        vue = sans.rename(
            columns={
                "code_qp": "code",
                "lib_qp": "quartier",
                "siren_epci": "EPCI",
                "population": "habitants",
                "distance_m": "acteur le plus proche (m)",
            }
        )
        vue["acteur le plus proche (m)"] = vue["acteur le plus proche (m)"].round(0)
        vue["EPCI"] = vue["EPCI"].map(lambda v: ", ".join(noms_epci.get(s, s) for s in sirens(v)))
        st.dataframe(vue, hide_index=True, width="stretch")


def afficher() -> None:
    st.title("Inclusion numérique dans les quartiers prioritaires")
    st.caption("Qui offre quoi autour de chaque QPV : l'existant recensé, pour ne créer que là où il manque.")
    data = donnees.charger_ou_expliquer()
    if data is None:
        return
    qpv_all: gpd.GeoDataFrame = data.qpv
    if qpv_all.empty:
        donnees.aide_import("Le dépôt ne contient encore aucun quartier prioritaire.")
        return
    vue = territoire.choisir(data)
    qpv, acteurs = vue.qpv, vue.acteurs
    st.subheader(md(vue.libelle))
    cles = chiffres_cles(qpv, acteurs)
    c1, c2, c3 = st.columns(3)
    c1.metric("Quartiers prioritaires", _nombre(int(str(cles["qpv"]))))
    pop_txt = _nombre(int(str(cles["population_qpv"])))
    c2.metric(
        "Habitants des QPV",
        pop_txt,
        help=f"Population municipale ; inconnue pour {cles['qpv_population_inconnue']} QPV."
        if cles["qpv_population_inconnue"]
        else None,
    )
    c3.metric("Acteurs actifs", _nombre(int(str(cles["acteurs"]))))
    st.subheader("Acteurs par catégorie")
    par_cat = pd.Series(cles["acteurs_par_categorie"], name="acteurs")
    st.bar_chart(par_cat, horizontal=True)
    _couverture(qpv, dict(zip(data.epci["siren_epci"], data.epci["nom_epci"], strict=True)))
    st.subheader("Par EPCI")
    df = resume_par_epci(qpv, acteurs, vue.epci)
    tableau = df.rename(
        columns={
            "siren_epci": "SIREN",
            "nom_epci": "EPCI",
            "qpv": "QPV",
            "population_qpv": "Habitants QPV",
            "qpv_population_inconnue": "QPV sans population",
            "acteurs": "Acteurs",
        }
    )
    st.dataframe(
        tableau[["EPCI", "SIREN", "QPV", "Habitants QPV", "Acteurs", *CATEGORIES]],
        hide_index=True,
        width="stretch",
    )
    st.subheader("Sources et dates des données")
    lots = data.tableau_lots
    if lots.empty:
        st.info("Aucun import enregistré.")
    else:
        st.dataframe(lots, hide_index=True, width="stretch")
