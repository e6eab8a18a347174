"""Page « Inventaire des acteurs »."""

from __future__ import annotations

import streamlit as st

from ecosysteme.ui import inventaire, nav

st.set_page_config(page_title="Inventaire — ecosysteme", page_icon="📇", layout="wide")
nav.barre()
inventaire.afficher()
