"""Page « Sources des données »."""

from __future__ import annotations

import streamlit as st

from ecosysteme.ui import nav, sources

st.set_page_config(page_title="Sources — ecosysteme", page_icon="🗂️", layout="wide")
nav.barre()
sources.afficher()
