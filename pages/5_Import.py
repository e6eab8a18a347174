"""Page « Import » : l'assistant d'import des acteurs."""

from __future__ import annotations

import streamlit as st

from ecosysteme.ui import importation, nav

st.set_page_config(page_title="Import — ecosysteme", page_icon="📥", layout="wide")
nav.barre()
importation.afficher()
