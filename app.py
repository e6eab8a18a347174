"""ecosysteme — point d'entrée Streamlit (page d'accueil)."""

from __future__ import annotations

import logging

import streamlit as st

from ecosysteme.ui import accueil, nav

st.set_page_config(page_title="ecosysteme — inclusion numérique et QPV", page_icon="🗺️", layout="wide")
logging.basicConfig(level=logging.INFO)
nav.barre()
accueil.afficher()
