"""The past batches of actors, each with its own undo."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.ui import donnees
from ecosysteme.ui.importation.commun import erreur
from ecosysteme.ui.importation.validation import annuler
from ecosysteme.ui.texte import md


def lots_passes(auteur: str) -> None:
    """The past batches of actors, and the undo of one of them."""
    st.subheader("Imports précédents")
    pret, raison = donnees.depot_pret()
    if not pret:
        st.info(md(raison or "Aucun dépôt."))
        return
    try:
        with ouvrir_depot(donnees.adresse()) as depot:
            lots = depot.lots()
    except ErreurEcosysteme as exc:
        erreur(exc)
        return
    if not lots:
        st.info("Aucun import d'acteurs pour l'instant.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "n°": lot.id,
                    "fichier": lot.fichier,
                    "format": lot.format,
                    "importé le": lot.debut,
                    "par": lot.auteur,
                    "créés": lot.crees,
                    "mis à jour": lot.mis_a_jour,
                    "inchangés": lot.inchanges,
                    "rejetées": lot.rejetees,
                    "annulé le": lot.annule_le,
                }
                for lot in lots
            ]
        ),
        hide_index=True,
        width="stretch",
        key="import_lots",
    )
    annulables = [lot for lot in lots if not lot.annule]
    if not annulables:
        return
    libelles = {lot.id: f"n° {lot.id} — {lot.fichier} ({lot.debut:%d/%m/%Y %H:%M})" for lot in annulables}
    choisi = st.selectbox(
        "Lot à annuler", list(libelles), format_func=lambda i: libelles[i], key="import_lot_a_annuler"
    )
    if choisi is not None:
        st.button(
            "Annuler ce lot",
            key="import_annuler_lot",
            on_click=annuler,
            args=(choisi, auteur),
            help="Retire les acteurs créés par ce lot et remet les autres dans leur état précédent ; "
            "refusé si l'un d'eux a été modifié depuis.",
        )
