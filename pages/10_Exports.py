"""Page « Exports »."""

from __future__ import annotations

import streamlit as st

from ecosysteme.ui import exports, nav

st.set_page_config(page_title="Exports — ecosysteme", page_icon="📦", layout="wide")
nav.barre()
exports.afficher()
