"""The « Fiche de l'acteur » tab: the actor's form, close, reopen or delete, the two versions side
by side after a conflict, its history and the undo of its last change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from ecosysteme.depot import ouvrir_depot
from ecosysteme.depot.interface import Action
from ecosysteme.domaine.dates import fraicheur
from ecosysteme.domaine.erreurs import ConflitDeVersion, ErreurEcosysteme
from ecosysteme.domaine.modeles import Acteur, Statut
from ecosysteme.inventaire.tableau import ErreursFormulaire, acteur_depuis_formulaire, differences
from ecosysteme.ui import donnees
from ecosysteme.ui.inventaire.ecriture import CLE_ACTEUR, CLE_CONFLIT, CLE_MESSAGE, ecrire, ouvrir
from ecosysteme.ui.texte import md
from ecosysteme.ui.widgets import formulaire_acteur

ACTIONS = {
    Action.AJOUT: "ajout",
    Action.MODIFICATION: "modification",
    Action.FERMETURE: "fermeture",
    Action.REOUVERTURE: "réouverture",
    Action.SUPPRESSION: "suppression",
    Action.IMPORT: "import",
    Action.ANNULATION: "annulation",
    Action.FUSION: "fusion",
}


def onglet_fiche(aujourdhui: dt.date, auteur: str, fond: dict[str, Any] | None) -> None:
    """The open actor's form, its status buttons and its history."""
    acteur_id = st.session_state.get(CLE_ACTEUR)
    if not acteur_id:
        st.info("Choisissez un acteur dans la liste (cochez sa ligne, puis « Ouvrir la fiche »).")
        return
    try:
        with ouvrir_depot(donnees.adresse()) as depot:
            enregistre = depot.obtenir(acteur_id)
            historique = depot.historique(acteur_id)
    except ErreurEcosysteme as exc:
        st.warning(md(f"{exc.message} (supprimé ou fusionné ?)"))
        with ouvrir_depot(donnees.adresse()) as depot:
            historique = depot.historique(acteur_id)
        _historique(acteur_id, historique, auteur)
        return
    base: Acteur = st.session_state.setdefault(f"inv_base_{acteur_id}", enregistre)
    f = fraicheur(enregistre.date_maj, aujourdhui)
    st.subheader(md(f"{enregistre.nom} — {enregistre.categorie.value}"))
    st.caption(
        md(
            f"{enregistre.statut.value} · {f.libelle} · identifiant {enregistre.id} · "
            f"version {enregistre.version}"
        )
    )
    if base.version != enregistre.version and CLE_CONFLIT not in st.session_state:
        st.info(
            f"Cette fiche a changé depuis que vous l'avez ouverte (version {base.version} → "
            f"{enregistre.version}). « Recharger » montre la version enregistrée."
        )
        if st.button("Recharger", key="inv_recharger"):
            ouvrir(acteur_id)
            st.rerun()
    conflit = st.session_state.get(CLE_CONFLIT)
    if conflit is not None and conflit[0].id == acteur_id:
        _conflit(conflit[0], enregistre, auteur)
    valeurs = formulaire_acteur.formulaire(f"edit_{acteur_id}_{base.version}", base, fond)
    c1, c2, c3, c4 = st.columns(4)
    if c1.button("Enregistrer les modifications", key="inv_modifier", type="primary"):
        try:
            modifie = acteur_depuis_formulaire(valeurs, base, aujourdhui, auteur)
        except ErreursFormulaire as exc:
            formulaire_acteur.montrer_erreurs(exc)
        else:
            _modifier(modifie, auteur)
    if enregistre.statut == Statut.FERME:
        if c2.button("Rouvrir", key="inv_rouvrir"):
            ecrire(
                lambda d: d.rouvrir(acteur_id, base.version, auteur),
                f"« {enregistre.nom} » est rouvert.",
                acteur_id,
            )
    elif c2.button("Fermer (garder dans l'historique)", key="inv_fermer"):
        ecrire(
            lambda d: d.fermer(acteur_id, base.version, auteur), f"« {enregistre.nom} » est fermé.", acteur_id
        )
    confirme = c4.checkbox("Je confirme la suppression", key=f"inv_confirme_{acteur_id}")
    if c3.button("Supprimer", key="inv_supprimer", disabled=not confirme):
        ecrire(
            lambda d: d.supprimer(acteur_id, base.version, auteur),
            f"« {enregistre.nom} » est supprimé (« Annuler la dernière modification » le restaure).",
            acteur_id,
        )
    _historique(acteur_id, historique, auteur)


def _modifier(modifie: Acteur, auteur: str) -> None:
    try:
        with ouvrir_depot(donnees.adresse()) as depot:
            enregistre = depot.modifier(modifie, auteur)
    except ConflitDeVersion:
        st.session_state[CLE_CONFLIT] = (modifie,)
        st.rerun()
    except ErreurEcosysteme as exc:
        st.error(md(exc.message))
    else:
        st.session_state[f"inv_base_{modifie.id}"] = enregistre
        st.session_state[CLE_MESSAGE] = f"« {enregistre.nom} » est enregistré (version {enregistre.version})."
        st.rerun()


def _conflit(mienne: Acteur, enregistree: Acteur, auteur: str) -> None:
    st.error(
        "Conflit : quelqu'un a enregistré cette fiche après que vous l'avez ouverte. Rien n'a été "
        "écrasé. Comparez votre version et la version enregistrée, puis choisissez."
    )
    diff = differences(enregistree.model_dump(mode="json"), mienne.model_dump(mode="json"))
    st.dataframe(
        diff.rename(columns={"avant": "version enregistrée", "après": "votre version"}),
        hide_index=True,
        width="stretch",
    )
    c1, c2 = st.columns(2)
    if c1.button("Garder la version enregistrée (abandonner la mienne)", key="inv_conflit_abandon"):
        st.session_state.pop(CLE_CONFLIT, None)
        ouvrir(mienne.id)
        st.rerun()
    if c2.button("Enregistrer ma version par-dessus", key="inv_conflit_forcer"):
        st.session_state.pop(CLE_CONFLIT, None)
        _modifier(mienne.model_copy(update={"version": enregistree.version}), auteur)


def _historique(acteur_id: str, historique: list[Any], auteur: str) -> None:
    st.markdown("#### Historique")
    if not historique:
        st.caption("Aucun changement enregistré.")
        return
    lignes = []
    for e in historique:
        diff = differences(e.avant, e.apres)
        lignes.append(
            {
                "date": f"{e.horodatage:%d/%m/%Y %H:%M}",
                "par": e.auteur,
                "action": ACTIONS.get(e.action, str(e.action)),
                "lot d'import": e.lot_id,
                "changements": "; ".join(
                    f"{r['champ']} : {r['avant']} → {r['après']}" for _, r in diff.iterrows()
                )[:400],
            }
        )
    st.dataframe(pd.DataFrame(lignes), hide_index=True, width="stretch")
    if st.button("Annuler la dernière modification", key="inv_annuler"):
        ecrire(
            lambda d: d.annuler_derniere_modification(acteur_id, auteur),
            f"Dernière modification de « {acteur_id} » annulée ({ACTIONS.get(historique[0].action, '')}).",
            acteur_id,
        )
