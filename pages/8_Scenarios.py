"""Page « Scénarios »."""

from __future__ import annotations

import streamlit as st

from ecosysteme.ui import nav, scenarios

st.set_page_config(page_title="Scénarios — ecosysteme", page_icon="🧪", layout="wide")
nav.barre()
scenarios.afficher()
