"""What the tabs of the page share: its session keys, opening an actor's sheet and running one
write to the store (a stale version is refused: nothing is lost)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import ConflitDeVersion, ErreurEcosysteme
from ecosysteme.ui import donnees
from ecosysteme.ui.texte import md

#: Session keys.
CLE_ACTEUR = "inventaire_acteur"
CLE_CONFLIT = "inventaire_conflit"
CLE_MESSAGE = "inventaire_message"


def ouvrir(acteur_id: str) -> None:
    """Show this actor's sheet (read fresh from the store: its version is the one edited)."""
    st.session_state[CLE_ACTEUR] = acteur_id
    st.session_state.pop(CLE_CONFLIT, None)
    with ouvrir_depot(donnees.adresse()) as depot:
        st.session_state[f"inv_base_{acteur_id}"] = depot.obtenir(acteur_id)


def ecrire(action: Any, message: str, acteur_id: str | None = None) -> bool:
    """Run one store write; French message on failure (nothing written), success shown after
    rerun. ``acteur_id``: the actor whose sheet is open, read again after the write."""
    try:
        with ouvrir_depot(donnees.adresse()) as depot:
            action(depot)
            if acteur_id is not None:
                st.session_state.pop(f"inv_base_{acteur_id}", None)
    except ConflitDeVersion as exc:
        st.error(
            md(f"{exc.message} Rouvrez la fiche pour voir la version enregistrée ; rien n'a été modifié.")
        )
        return False
    except ErreurEcosysteme as exc:
        st.error(md(exc.message))
        return False
    st.session_state[CLE_MESSAGE] = message
    st.rerun()
    return True
