"""Step 5, « Simulation » : ``importer_fichier(..., simulation=True)`` and, against the store read
only, how many actors would be created, updated or left unchanged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from ecosysteme.inventaire import assistant
from ecosysteme.inventaire.assistant import Bilan, Preparation
from ecosysteme.sources import televersement as tv
from ecosysteme.ui import donnees
from ecosysteme.ui.importation.commun import SIMULATION, executer


def simulation(
    tel: tv.Televersement,
    prep: Preparation,
    cle: tuple[Any, ...],
    auteur: str,
    correspondance: Mapping[str, str] | None,
    source: str | None,
) -> Bilan | None:
    """The dry run's button; its result for this file and these choices (kept in the session),
    None until it ran."""
    if st.button("Lancer la simulation", key="import_simuler", disabled=not prep.total):
        with st.spinner("Simulation…"):
            resultats = executer(
                tel, assistant.simulation_page, auteur, correspondance, source, donnees.adresse()
            )
        st.session_state[SIMULATION] = (cle, *resultats)
    sim = st.session_state.get(SIMULATION)
    resultat: Bilan | None = sim[1] if sim is not None and sim[0] == cle else None
    return resultat


def montrer_simulation(resultat: Bilan | None) -> None:
    if resultat is None:
        st.caption("La simulation lit le dépôt sans rien y écrire.")
    else:
        montrer_bilan(resultat)


def montrer_bilan(b: Bilan) -> None:
    st.info("Simulation : rien n'a été enregistré.")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("À créer", b.crees)
    c2.metric("À mettre à jour", b.mis_a_jour)
    c3.metric("Inchangés", b.inchanges)
    c4.metric("Lignes rejetées", b.rejetees)
