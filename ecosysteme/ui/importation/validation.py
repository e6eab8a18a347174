"""Step 6, « Import » : one batch, in one transaction, which « Annuler cet import » undoes as a
whole (nothing is written before this step)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.inventaire import assistant
from ecosysteme.inventaire.assistant import Bilan, Preparation
from ecosysteme.sources import televersement as tv
from ecosysteme.ui import donnees
from ecosysteme.ui.importation.commun import FAIT, MESSAGE, SIMULATION, executer, log
from ecosysteme.ui.texte import md


def valider(
    tel: tv.Televersement,
    prep: Preparation,
    cle: tuple[Any, ...],
    resultat: Bilan | None,
    auteur: str,
    correspondance: Mapping[str, str] | None,
    source: str | None,
) -> None:
    """The « Importer » button (after the dry run), or the undo of the batch just imported."""
    fait = st.session_state.get(FAIT)
    lot_fait: int | None = fait[1] if fait is not None and fait[0] == cle else None
    if lot_fait is not None and not _lot_annule(lot_fait):
        st.success(f"Ce fichier a été importé : lot n° {lot_fait}.")
        st.button(
            "Annuler cet import", key="import_annuler_dernier", on_click=annuler, args=(lot_fait, auteur)
        )
        return
    if resultat is None:
        st.caption("Lancez d'abord la simulation.")
    if not st.button("Importer", key="import_valider", type="primary", disabled=resultat is None):
        return
    try:
        with st.spinner("Import…"):
            lot = executer(
                tel,
                assistant.import_page,
                auteur,
                correspondance,
                source,
                donnees.adresse(),
                prep.format,
            )
        if correspondance is not None and source:
            with ouvrir_depot(donnees.adresse()) as depot:
                try:
                    depot.memoriser_correspondance(source, correspondance, auteur)
                except ErreurEcosysteme as exc:
                    st.warning(md(f"Import enregistré, mais la correspondance n'a pas été retenue : {exc}"))
    except ErreurEcosysteme as exc:
        log.info("import refusé : %s", exc)
        st.error(md(f"Import refusé, rien n'a été enregistré : {exc}"))
        return
    st.session_state[FAIT] = (cle, lot.id)
    st.session_state.pop(SIMULATION, None)  # the store changed: a new dry run is needed
    st.success(
        f"Import enregistré : lot n° {lot.id} — {lot.crees} créés, {lot.mis_a_jour} mis à jour, "
        f"{lot.inchanges} inchangés, {lot.rejetees} lignes rejetées."
    )
    st.button("Annuler cet import", key="import_annuler_dernier", on_click=annuler, args=(lot.id, auteur))


def _lot_annule(lot_id: int) -> bool:
    with ouvrir_depot(donnees.adresse()) as depot:
        return any(lot.annule for lot in depot.lots() if lot.id == lot_id)


def annuler(lot_id: int, auteur: str) -> None:
    """Undo a batch (button callback: runs before the page is drawn again)."""
    st.session_state.pop(SIMULATION, None)
    try:
        with ouvrir_depot(donnees.adresse()) as depot:
            lot = depot.annuler_lot(lot_id, auteur)
    except ErreurEcosysteme as exc:
        st.session_state[MESSAGE] = ("erreur", f"Annulation refusée : {exc.message}")
        return
    st.session_state[MESSAGE] = (
        "succes",
        f"Lot n° {lot.id} (« {lot.fichier} ») annulé : {lot.crees} acteurs créés retirés, "
        f"{lot.mis_a_jour} remis dans leur état précédent.",
    )
