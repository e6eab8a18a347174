"""Page « Lacunes »."""

from __future__ import annotations

import streamlit as st

from ecosysteme.ui import lacunes, nav

st.set_page_config(page_title="Lacunes — ecosysteme", page_icon="🧩", layout="wide")
nav.barre()
lacunes.afficher()
