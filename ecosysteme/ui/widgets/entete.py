"""The preamble a page body starts with: its title and caption, the editor's name (pages that write
to the store), the store's data (or, in French, why there is none) and the territory chosen in the
sidebar (:mod:`ecosysteme.ui.territoire`), whose name is the page's subheading."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from ecosysteme.analyse.selection import Vue
from ecosysteme.analyse.territoire import Territoire
from ecosysteme.ui import donnees, territoire
from ecosysteme.ui.texte import md
from ecosysteme.ui.widgets import editeur


class Entete(NamedTuple):
    """What the preamble gives the page: the store's data, the chosen territory's view and the
    editor's name (« anonyme » on a page that does not ask for it)."""

    data: Territoire
    vue: Vue
    auteur: str


def entete(
    titre: str, legende: str | None = None, *, auteur: bool = False, sous_titre: bool = True
) -> Entete | None:
    """Draw the preamble; None (the reason shown) when the store cannot be read. ``auteur``: ask
    the editor's name in the sidebar; ``sous_titre``: the territory's name as subheading (a page
    that shows something before it draws its own)."""
    st.title(titre)
    if legende is not None:
        st.caption(legende)
    nom = editeur.nom_editeur() if auteur else editeur.ANONYME
    data = donnees.charger_ou_expliquer()
    if data is None:
        return None
    vue = territoire.choisir(data)
    if sous_titre:
        st.subheader(md(vue.libelle))
    return Entete(data, vue, nom)
