"""The shared sidebar navigation, with French labels (the file names stay technical)."""

from __future__ import annotations

import logging

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

log = logging.getLogger(__name__)

PAGES: tuple[tuple[str, str, str], ...] = (
    ("app.py", "Accueil", ":material/home:"),
    ("pages/2_Carte.py", "Carte de couverture", ":material/map:"),
    ("pages/3_Lacunes.py", "Lacunes", ":material/grid_on:"),
    ("pages/4_Inventaire.py", "Inventaire des acteurs", ":material/list_alt:"),
    ("pages/5_Import.py", "Importer un fichier", ":material/upload_file:"),
    ("pages/6_Doublons.py", "Doublons", ":material/join_inner:"),
    ("pages/7_Lieu_totem.py", "Lieu totem", ":material/location_on:"),
    ("pages/8_Scenarios.py", "Scénarios", ":material/science:"),
    ("pages/9_Chevauchements.py", "Chevauchements", ":material/join_left:"),
    ("pages/10_Exports.py", "Exports", ":material/download:"),
    ("pages/1_Sources.py", "Sources des données", ":material/folder_open:"),
)


def barre() -> None:
    with st.sidebar:
        for chemin, libelle, icone in PAGES:
            try:
                st.page_link(chemin, label=libelle, icon=icone)
            except StreamlitPageNotFoundError:
                # a page run on its own (tests) does not know the others
                log.debug("page %s inconnue de ce point d'entrée", chemin)
        st.divider()
