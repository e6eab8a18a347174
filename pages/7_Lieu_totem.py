"""Page « Lieu totem »."""

from __future__ import annotations

import streamlit as st

from ecosysteme.ui import nav, totem

st.set_page_config(page_title="Lieu totem — ecosysteme", page_icon="📍", layout="wide")
nav.barre()
totem.afficher()
