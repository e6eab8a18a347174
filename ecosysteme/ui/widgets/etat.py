"""The state of a form widget kept across reruns (shared by the opening-hours editor and the place
chooser): each widget keeps its state in ``st.session_state`` under its ``cle`` (the values
survive a switch of mode, which removes the hidden widgets); a new initial value (another actor)
reloads the widget."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st


def etat_widget(
    cle: str, initial: object, nouveau: Callable[[], dict[str, Any]], widgets: Iterable[str]
) -> dict[str, Any]:
    """The widget's own state, rebuilt by ``nouveau()`` (and its ``widgets`` keys forgotten) when
    the caller gives another initial value than the one it was built from or last returned."""
    nom = f"{cle}__etat"
    etat: dict[str, Any] | None = st.session_state.get(nom)
    if etat is None or (etat["initial"] != initial and etat.get("dernier") != initial):
        etat = nouveau()
        etat["initial"] = initial
        st.session_state[nom] = etat
        for suffixe in widgets:
            st.session_state.pop(f"{cle}_{suffixe}", None)
    return etat


def semer(cle_widget: str, valeur: object) -> None:
    """Give a widget its remembered value when Streamlit forgot it (hidden at the last run)."""
    if cle_widget not in st.session_state:
        st.session_state[cle_widget] = valeur
