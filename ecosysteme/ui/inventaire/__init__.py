"""Page « Inventaire » : the list of actors of the territory, their sheets, the forms to add,
edit, close, reopen or delete one, its history and the undo of its last change.

Every write goes through the store (one transaction each, version-checked): a second editor who
saves a stale copy sees both versions side by side and chooses; nothing is lost.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ecosysteme.ui import donnees, territoire
from ecosysteme.ui.inventaire.ajout import onglet_ajout
from ecosysteme.ui.inventaire.ecriture import CLE_MESSAGE
from ecosysteme.ui.inventaire.fiche import onglet_fiche
from ecosysteme.ui.inventaire.liste import onglet_liste
from ecosysteme.ui.texte import md
from ecosysteme.ui.widgets.entete import entete


def afficher() -> None:
    e = entete(
        "Inventaire des acteurs",
        "La liste des lieux et services de l'inclusion numérique du territoire : rechercher, filtrer, "
        "ouvrir une fiche, corriger, fermer, ajouter. Chaque changement est enregistré avec votre nom "
        "et peut être annulé.",
        auteur=True,
        sous_titre=False,
    )
    if e is None:
        return
    data, vue, auteur = e
    message = st.session_state.pop(CLE_MESSAGE, None)
    if message:
        st.success(md(message))
    aujourdhui = dt.date.today()
    liste, ajout, fiche = st.tabs(["Liste", "Ajouter un acteur", "Fiche de l'acteur"])
    with liste:
        onglet_liste(vue.acteurs, vue.libelle, aujourdhui, auteur)
    fond = territoire.contours_communes(donnees.signature(), vue.selection)
    with ajout:
        onglet_ajout(data.acteurs, aujourdhui, auteur, fond)
    with fiche:
        onglet_fiche(aujourdhui, auteur, fond)
