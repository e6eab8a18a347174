"""Page « Doublons »."""

from __future__ import annotations

import streamlit as st

from ecosysteme.ui import doublons, nav

st.set_page_config(page_title="Doublons — ecosysteme", page_icon="🔀", layout="wide")
nav.barre()
doublons.afficher()
