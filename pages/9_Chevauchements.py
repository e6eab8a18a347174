"""Page « Chevauchements »."""

from __future__ import annotations

import streamlit as st

from ecosysteme.ui import chevauchements, nav

st.set_page_config(page_title="Chevauchements — ecosysteme", page_icon="🔁", layout="wide")
nav.barre()
chevauchements.afficher()
