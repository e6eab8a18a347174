"""Who is editing: the name written in the history for each change made from the pages.

The tool has no accounts (it runs on an EPCI's own machine); each editor types a name once, kept
for the session and shown in the sidebar. Without one, the changes are signed « anonyme ».
"""

from __future__ import annotations

import streamlit as st

from ecosysteme.domaine.validation import sans_controles

CLE = "editeur_nom"
ANONYME = "anonyme"


def nom_editeur() -> str:
    """The name of the person editing, asked in the sidebar (kept across pages)."""
    with st.sidebar:
        nom = st.text_input(
            "Votre nom (pour l'historique)",
            value=st.session_state.get(CLE, ""),
            key=f"{CLE}_champ",
            max_chars=80,
            help="Chaque modification de l'inventaire est enregistrée avec ce nom, la date "
            "et l'état avant/après.",
        )
    nom = " ".join(sans_controles(nom, lignes=False).split())
    st.session_state[CLE] = nom
    return nom or ANONYME
