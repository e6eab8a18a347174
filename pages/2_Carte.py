"""Page « Carte de couverture »."""

from __future__ import annotations

import streamlit as st

from ecosysteme.ui import carte, nav

st.set_page_config(page_title="Carte de couverture — ecosysteme", page_icon="🗺️", layout="wide")
nav.barre()
carte.afficher()
