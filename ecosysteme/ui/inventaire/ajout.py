"""The « Ajouter un acteur » tab: the form, checked field by field, and a warning when a similar
actor exists (close name within 100 m, or same address)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from ecosysteme.domaine.modeles import Acteur
from ecosysteme.inventaire.tableau import ErreursFormulaire, acteur_depuis_formulaire
from ecosysteme.ui.inventaire.ecriture import CLE_ACTEUR, ecrire, ouvrir
from ecosysteme.ui.texte import md
from ecosysteme.ui.widgets import formulaire_acteur


def onglet_ajout(tous: pd.DataFrame, aujourdhui: dt.date, auteur: str, fond: dict[str, Any] | None) -> None:
    """The empty form; a similar actor found first is shown before anything is saved."""
    st.caption("Les champs marqués * sont obligatoires ; tout est vérifié avant l'enregistrement.")
    valeurs = formulaire_acteur.formulaire("ajout", None, fond)
    attente: Acteur | None = st.session_state.get("inv_ajout_attente")
    if st.button("Enregistrer le nouvel acteur", key="inv_ajout_ok", type="primary"):
        try:
            nouveau = acteur_depuis_formulaire(valeurs, None, aujourdhui, auteur)
        except ErreursFormulaire as exc:
            formulaire_acteur.montrer_erreurs(exc)
            return
        semblables = formulaire_acteur.semblables_a(nouveau, tous)
        if not semblables.empty:
            st.session_state["inv_ajout_attente"] = nouveau
            attente = nouveau
        else:
            _enregistrer_nouveau(nouveau, auteur)
            return
    if attente is not None:
        semblables = formulaire_acteur.semblables_a(attente, tous)
        st.warning(
            md(
                f"Attention : {len(semblables)} acteur(s) ressemblant à « {attente.nom} » existe(nt) déjà "
                "(nom proche à moins de 100 m, ou même adresse). Vérifiez avant d'enregistrer un doublon."
            )
        )
        st.dataframe(semblables, hide_index=True, width="stretch")
        c1, c2, c3 = st.columns(3)
        if c1.button("Enregistrer quand même", key="inv_ajout_force"):
            st.session_state.pop("inv_ajout_attente", None)
            _enregistrer_nouveau(attente, auteur)
        existant = c2.selectbox(
            "Acteur existant", list(semblables["id"]), key="inv_ajout_existant", label_visibility="collapsed"
        )
        if c2.button("Ouvrir l'acteur existant", key="inv_ajout_ouvrir"):
            st.session_state.pop("inv_ajout_attente", None)
            ouvrir(str(existant))
            st.rerun()
        if c3.button("Abandonner cette saisie", key="inv_ajout_abandon"):
            st.session_state.pop("inv_ajout_attente", None)
            st.rerun()


def _enregistrer_nouveau(nouveau: Acteur, auteur: str) -> None:
    def faire(depot: Any) -> None:
        depot.ajouter(nouveau, auteur)
        st.session_state[CLE_ACTEUR] = nouveau.id

    ecrire(faire, f"« {nouveau.nom} » a été ajouté à l'inventaire.")
