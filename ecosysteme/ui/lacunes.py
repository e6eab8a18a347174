"""Page « Lacunes » : the QPV × offer matrix of the territory, QPV without any offer first."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd
import streamlit as st

from ecosysteme.analyse.couverture import filtres_famille
from ecosysteme.analyse.lacunes import matrice
from ecosysteme.domaine import reglages
from ecosysteme.domaine.reglages import LIBELLE_DISTANCE
from ecosysteme.exports.tableaux import csv_octets, xlsx_octets
from ecosysteme.ui import donnees
from ecosysteme.ui.texte import md
from ecosysteme.ui.widgets.entete import entete

#: Filter families offered as matrix columns, by their French name.
FAMILLES_UI: dict[str, str] = {
    "Services": "service",
    "Catégories d'acteurs": "categorie",
    "Publics spécifiquement adressés": "public",
    "Prises en charge spécifiques": "prise_en_charge",
    "Programmes nationaux": "programme",
}
#: Cell colours (ColorBrewer PuOr-like, readable by colour-blind users): covered, near, far, none.
COULEURS = {"couvert": "#d8ecd3", "proche": "#fde0b2", "loin": "#f4a582", "aucun": "#d9d9d9"}


def _couleur_distance(v: object, seuil: float) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return f"background-color: {COULEURS['aucun']}"
    d = float(str(v))
    cle = "couvert" if d <= seuil else "proche" if d <= 2 * seuil else "loin"
    return f"background-color: {COULEURS[cle]}"


def _couleur_compte(v: object) -> str:
    n = 0 if v is None or (isinstance(v, float) and np.isnan(v)) else int(str(v))
    return f"background-color: {COULEURS['couvert' if n > 0 else 'loin']}"


def afficher() -> None:
    e = entete(
        "Lacunes",
        "Pour chaque quartier, ce qui est à portée (distance à vol d'oiseau), offre par offre. "
        "Les quartiers sans aucun acteur à portée viennent en premier, "
        "puis ceux à qui il manque le plus d'offres.",
    )
    if e is None:
        return
    vue = e.vue
    c1, c2, c3 = st.columns(3)
    famille_lib = c1.selectbox("Offres en colonnes", list(FAMILLES_UI), key="lacunes_famille")
    mesure = c2.radio(
        "Valeur des cases",
        ["distance", "nombre"],
        format_func=lambda m: "distance au plus proche (m)" if m == "distance" else "nombre à portée",
        key="lacunes_mesure",
        horizontal=True,
    )
    seuil = c3.select_slider(
        LIBELLE_DISTANCE,
        options=reglages.DISTANCES_PROPOSEES,
        value=int(reglages.DISTANCE_MARCHE),
        key="lacunes_seuil",
    )
    if vue.qpv.empty:
        st.info("Aucun QPV dans ce territoire.")
        return
    filtres = filtres_famille(FAMILLES_UI[famille_lib])
    couv = donnees.couverture_depot(donnees.signature(), float(seuil), reglages.BANDES)
    valeur = "distance_m" if mesure == "distance" else f"n_{float(seuil):g}m"
    m = matrice(couv, vue.qpv, filtres, valeur)
    sans = m[m["sans_offre"]]
    if sans.empty:
        st.success(f"Chaque QPV du territoire a au moins un acteur à moins de {seuil} m.")
    else:
        noms = ", ".join(f"{md(n)} ({md(c)})" for n, c in zip(sans["lib_qp"], sans["code_qp"], strict=True))
        st.error(f"**{len(sans)} QPV sans aucun acteur à moins de {seuil} m** : {noms}.")
    libelles: list[Hashable] = [f.libelle for f in filtres]
    vue_m = m.rename(
        columns={
            "code_qp": "code",
            "lib_qp": "quartier",
            "siren_epci": "EPCI",
            "population": "habitants",
            "couverts": f"offres à portée (sur {len(filtres)})",
            "sans_offre": "aucun acteur à portée",
        }
    )
    style = vue_m.style
    if mesure == "distance":
        style = style.map(lambda v: _couleur_distance(v, float(seuil)), subset=libelles)
        style = style.format("{:,.0f}", subset=libelles, na_rep="aucun", thousands="\u202f")
    else:
        style = style.map(_couleur_compte, subset=libelles)
    style = style.format("{:,.0f}", subset=["habitants"], na_rep="inconnu", thousands="\u202f")
    portee = f"offres à portée (sur {len(filtres)})"
    st.dataframe(
        style,
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(vue_m), 700),
        # the offers right after the neighbourhood, its code and EPCI last
        column_order=[
            "quartier",
            "habitants",
            portee,
            *map(str, libelles),
            "aucun acteur à portée",
            "code",
            "EPCI",
        ],
        column_config={"quartier": st.column_config.TextColumn("quartier", pinned=True, width="medium")},
    )
    st.caption(
        f"Vert : à moins de {seuil} m ; orange : à moins de {2 * seuil} m ; rouge : plus loin ; "
        "gris : aucun dans le territoire. Distance au périmètre du quartier (0 : dans le quartier). "
        "Cliquez un en-tête pour trier."
    )
    export = vue_m.drop(columns=["aucun acteur à portée"]).assign(
        **{"aucun acteur à portée": vue_m["aucun acteur à portée"].map({True: "oui", False: "non"})}
    )
    nom_fichier = (
        f"lacunes_{vue.selection.siren or vue.selection.departement or vue.selection.region}_{seuil}m"
    )
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button(
        "Tableau (XLSX)",
        xlsx_octets(export),
        file_name=f"{nom_fichier}.xlsx",
        key="lacunes_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    c2.download_button(
        "Tableau (CSV)",
        csv_octets(export),
        file_name=f"{nom_fichier}.csv",
        mime="text/csv",
        key="lacunes_csv",
    )
    total = pd.to_numeric(vue_m["habitants"], errors="coerce")
    connus = int(total.sum(skipna=True))
    st.caption(
        f"{len(vue_m)} QPV, {connus:,} habitants connus".replace(",", "\u202f").replace("QPV\u202f", "QPV, ")
        + (f" ; population inconnue pour {int(total.isna().sum())} QPV." if total.isna().any() else ".")
    )
