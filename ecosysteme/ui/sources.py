"""Page « Sources » : official sources (catalog), what was imported, when and by whom."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.sources import catalogue as catalog
from ecosysteme.ui import donnees

_COUCHES = {
    "qpv": "Périmètres des QPV",
    "qpv_populations": "Populations des QPV",
    "communes": "Communes",
    "epci": "EPCI",
}


def afficher() -> None:
    st.title("Sources des données")
    st.subheader("Sources officielles")
    try:
        sources = catalog.sources()
    except ErreurEcosysteme as exc:
        st.error(f"Catalogue illisible : {exc.message}")
        sources = []
    st.dataframe(
        pd.DataFrame(
            [
                {"source": s.titre, "producteur": s.producteur, "licence": s.licence, "page": s.page or s.url}
                for s in sources
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={"page": st.column_config.LinkColumn("page")},
    )
    pret, raison = donnees.depot_pret()
    if not pret:
        st.info(raison)
        return
    with ouvrir_depot(donnees.adresse()) as depot:
        etat = depot.etat_territoire()
        lots = donnees.charger().tableau_lots
    st.subheader("Territoires enregistrés")
    lignes = [
        {
            "couche": _COUCHES.get(k, k),
            "fichier": (v.get("source") or " ").rsplit(" ", 1)[0],
            "lignes": v.get("lignes"),
            "le": v.get("le"),
            "par": v.get("par"),
        }
        for k, v in etat.items()
    ]
    if lignes:
        st.dataframe(pd.DataFrame(lignes), hide_index=True, width="stretch")
    else:
        st.info("Aucun territoire importé.")
    st.subheader("Lots d'import des acteurs")
    if lots.empty:
        st.info("Aucun import d'acteurs.")
    else:
        st.dataframe(lots, hide_index=True, width="stretch")
