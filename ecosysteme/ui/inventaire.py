"""Page « Inventaire » : the list of actors of the territory, their sheets, the forms to add,
edit, close, reopen or delete one, its history and the undo of its last change.

Every write goes through the store (one transaction each, version-checked): a second editor who
saves a stale copy sees both versions side by side and chooses; nothing is lost.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from ecosysteme.depot import ouvrir_depot
from ecosysteme.depot.interface import Action
from ecosysteme.domaine import standard
from ecosysteme.domaine.dates import CLASSES_FRAICHEUR, fraicheur
from ecosysteme.domaine.erreurs import ConflitDeVersion, EcosystemeError
from ecosysteme.domaine.modeles import Acteur, Categorie, Statut
from ecosysteme.exports.tableaux import csv_octets, xlsx_octets
from ecosysteme.inventaire.tableau import (
    ErreursFormulaire,
    FiltresInventaire,
    acteur_depuis_formulaire,
    compter_fraicheur,
    construire_tableau,
    differences,
    filtrer_tableau,
)
from ecosysteme.ui import donnees, editeur, saisie_acteur, territoire
from ecosysteme.ui.texte import md

#: Session keys.
CLE_ACTEUR = "inventaire_acteur"
CLE_CONFLIT = "inventaire_conflit"
CLE_MESSAGE = "inventaire_message"

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


def afficher() -> None:
    st.title("Inventaire des acteurs")
    st.caption(
        "La liste des lieux et services de l'inclusion numérique du territoire : rechercher, filtrer, "
        "ouvrir une fiche, corriger, fermer, ajouter. Chaque changement est enregistré avec votre nom "
        "et peut être annulé."
    )
    auteur = editeur.nom_editeur()
    data = donnees.charger_ou_expliquer()
    if data is None:
        return
    vue = territoire.choisir(data)
    message = st.session_state.pop(CLE_MESSAGE, None)
    if message:
        st.success(md(message))
    aujourdhui = dt.date.today()
    liste, ajout, fiche = st.tabs(["Liste", "Ajouter un acteur", "Fiche de l'acteur"])
    with liste:
        _liste(vue.acteurs, vue.libelle, aujourdhui, auteur)
    fond = territoire.contours_communes(donnees.signature(donnees.chemin_depot()), vue.selection)
    with ajout:
        _ajout(data["acteurs"], aujourdhui, auteur, fond)
    with fiche:
        _fiche(aujourdhui, auteur, fond)


# --- the list ------------------------------------------------------------------------------


def _liste(acteurs: pd.DataFrame, libelle: str, aujourdhui: dt.date, auteur: str) -> None:
    st.subheader(md(f"{libelle} — {len(acteurs)} acteurs"))
    enum = standard.enumerations()
    c1, c2, c3 = st.columns([2, 1, 1])
    texte = c1.text_input("Rechercher", key="inv_texte", placeholder="nom, adresse, commune, identifiant")
    categories = c2.multiselect(
        "Catégorie", [c.value for c in Categorie], key="inv_categories", placeholder="Choisir…"
    )
    services = c3.multiselect("Service", list(enum["services"]), key="inv_services", placeholder="Choisir…")
    c4, c5, c6, c7 = st.columns(4)
    communes = sorted({str(c) for c in acteurs.get("commune", pd.Series(dtype=object)).dropna() if str(c)})
    choix_communes = c4.multiselect("Commune", communes, key="inv_communes", placeholder="Choisir…")
    fraicheurs = c5.multiselect(
        "Fraîcheur", list(CLASSES_FRAICHEUR), key="inv_fraicheurs", placeholder="Choisir…"
    )
    base = construire_tableau(acteurs, aujourdhui)
    sources = c6.multiselect("Source", sorted(set(base["source"])), key="inv_sources", placeholder="Choisir…")
    statuts = c7.multiselect("Statut", [s.value for s in Statut], key="inv_statuts", placeholder="Choisir…")
    tab = filtrer_tableau(
        base,
        acteurs,
        FiltresInventaire(
            texte=texte,
            categories=tuple(categories),
            services=tuple(services),
            fraicheurs=tuple(fraicheurs),
            sources=tuple(sources),
            statuts=tuple(statuts),
        ),
    )
    if choix_communes:
        tab = tab[tab["commune"].isin(choix_communes)].reset_index(drop=True)
    comptes = compter_fraicheur(tab)
    st.caption(
        md(
            f"{len(tab)} acteur(s) affiché(s) — mise à jour : "
            + " · ".join(f"{classe} : {n}" for classe, n in comptes.items())
        )
    )
    choix = st.dataframe(
        tab.rename(
            columns={
                "nom": "Nom",
                "categorie": "Catégorie",
                "commune": "Commune",
                "code_postal": "Code postal",
                "statut": "Statut",
                "fraicheur": "Fraîcheur",
                "date_maj": "Mise à jour",
                "source": "Source",
                "services": "Services",
                "epci": "EPCI",
            }
        ).drop(columns=["version"]),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="multi-row",
        key="inv_table",
        column_config={"id": st.column_config.TextColumn("Identifiant")},
    )
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button(
        "Liste (XLSX)",
        xlsx_octets(tab),
        file_name="inventaire_acteurs.xlsx",
        key="inv_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    c2.download_button(
        "Liste (CSV)", csv_octets(tab), file_name="inventaire_acteurs.csv", mime="text/csv", key="inv_csv"
    )
    _export_standard(acteurs, libelle, aujourdhui)
    lignes = list(choix.selection.rows) if choix is not None else []
    choisis = tab.iloc[lignes] if lignes else tab.iloc[:0]
    if choisis.empty:
        st.caption("Cochez une ligne pour ouvrir sa fiche, ou plusieurs pour les fermer ensemble.")
        return
    b1, b2 = st.columns(2)
    if len(choisis) == 1 and b1.button("Ouvrir la fiche", key="inv_ouvrir", type="primary"):
        ouvrir(str(choisis.iloc[0]["id"]))
        st.rerun()
    actifs = choisis[choisis["statut"] != Statut.FERME.value]
    if len(actifs) and b2.button(f"Fermer les {len(actifs)} acteur(s) sélectionné(s)", key="inv_fermer_tous"):
        _ecrire(
            lambda d: d.fermer_plusieurs(
                dict(zip(actifs["id"], actifs["version"].astype(int), strict=True)), auteur
            ),
            f"{len(actifs)} acteur(s) fermé(s) (gardés dans l'historique, rouvrables).",
        )


def _export_standard(acteurs: pd.DataFrame, libelle: str, aujourdhui: dt.date) -> None:
    """The territory's active actors as a CSV of the national standard (checked against its
    schema before it is offered); the actors left out, with their reason."""
    import tempfile
    from pathlib import Path

    from ecosysteme.exports.standard import acteurs_exportables, exporter_standard

    with st.expander("Inventaire au standard national des lieux de médiation numérique (CSV)"):
        producteur = st.text_input(
            "SIRET ou SIREN du producteur (votre structure)", key="inv_standard_producteur", max_chars=14
        )
        if not st.button("Préparer le fichier", key="inv_standard", disabled=not producteur.strip()):
            return
        ids = set(acteurs["id"].astype(str))
        try:
            with ouvrir_depot(donnees.chemin_depot()) as depot:
                tous = [a for a in depot.lister() if a.id in ids]
            gardes, raisons = acteurs_exportables(tous)
            with tempfile.TemporaryDirectory() as dossier:
                chemin = exporter_standard(
                    gardes, Path(dossier), producteur=producteur.strip(), date=aujourdhui, territoire=libelle
                )
                st.download_button(
                    f"Télécharger {chemin.name}",
                    chemin.read_bytes(),
                    file_name=chemin.name,
                    mime="text/csv",
                    key="inv_standard_telecharger",
                )
        except EcosystemeError as exc:
            st.error(md(exc.message))
            return
        st.caption(f"{len(gardes)} acteur(s) publiés, conformes au schéma du standard (vérifié).")
        if raisons:
            st.warning(
                md(
                    f"{len(raisons)} acteur(s) non publiés : "
                    + " ; ".join(raisons[:10])
                    + (" ; …" if len(raisons) > 10 else "")
                )
            )


def ouvrir(acteur_id: str) -> None:
    """Show this actor's sheet (read fresh from the store: its version is the one edited)."""
    st.session_state[CLE_ACTEUR] = acteur_id
    st.session_state.pop(CLE_CONFLIT, None)
    with ouvrir_depot(donnees.chemin_depot()) as depot:
        st.session_state[f"inv_base_{acteur_id}"] = depot.obtenir(acteur_id)


def _ecrire(action: Any, message: str, acteur_id: str | None = None) -> bool:
    """Run one store write; French message on failure (nothing written), success shown after
    rerun. ``acteur_id``: the actor whose sheet is open, read again after the write."""
    try:
        with ouvrir_depot(donnees.chemin_depot()) as depot:
            action(depot)
            if acteur_id is not None:
                st.session_state.pop(f"inv_base_{acteur_id}", None)
    except ConflitDeVersion as exc:
        st.error(
            md(f"{exc.message} Rouvrez la fiche pour voir la version enregistrée ; rien n'a été modifié.")
        )
        return False
    except EcosystemeError as exc:
        st.error(md(exc.message))
        return False
    st.session_state[CLE_MESSAGE] = message
    st.rerun()
    return True


# --- adding --------------------------------------------------------------------------------


def _ajout(tous: pd.DataFrame, aujourdhui: dt.date, auteur: str, fond: dict[str, Any] | None) -> None:
    st.caption("Les champs marqués * sont obligatoires ; tout est vérifié avant l'enregistrement.")
    valeurs = saisie_acteur.formulaire("ajout", None, fond)
    attente: Acteur | None = st.session_state.get("inv_ajout_attente")
    if st.button("Enregistrer le nouvel acteur", key="inv_ajout_ok", type="primary"):
        try:
            nouveau = acteur_depuis_formulaire(valeurs, None, aujourdhui, auteur)
        except ErreursFormulaire as exc:
            saisie_acteur.montrer_erreurs(exc)
            return
        semblables = saisie_acteur.semblables_a(nouveau, tous)
        if not semblables.empty:
            st.session_state["inv_ajout_attente"] = nouveau
            attente = nouveau
        else:
            _enregistrer_nouveau(nouveau, auteur)
            return
    if attente is not None:
        semblables = saisie_acteur.semblables_a(attente, tous)
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

    _ecrire(faire, f"« {nouveau.nom} » a été ajouté à l'inventaire.")


# --- one actor: sheet, edit, status, history ------------------------------------------------


def _fiche(aujourdhui: dt.date, auteur: str, fond: dict[str, Any] | None) -> None:
    acteur_id = st.session_state.get(CLE_ACTEUR)
    if not acteur_id:
        st.info("Choisissez un acteur dans la liste (cochez sa ligne, puis « Ouvrir la fiche »).")
        return
    try:
        with ouvrir_depot(donnees.chemin_depot()) as depot:
            enregistre = depot.obtenir(acteur_id)
            historique = depot.historique(acteur_id)
    except EcosystemeError as exc:
        st.warning(md(f"{exc.message} (supprimé ou fusionné ?)"))
        with ouvrir_depot(donnees.chemin_depot()) as depot:
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
    valeurs = saisie_acteur.formulaire(f"edit_{acteur_id}_{base.version}", base, fond)
    c1, c2, c3, c4 = st.columns(4)
    if c1.button("Enregistrer les modifications", key="inv_modifier", type="primary"):
        try:
            modifie = acteur_depuis_formulaire(valeurs, base, aujourdhui, auteur)
        except ErreursFormulaire as exc:
            saisie_acteur.montrer_erreurs(exc)
        else:
            _modifier(modifie, auteur)
    if enregistre.statut == Statut.FERME:
        if c2.button("Rouvrir", key="inv_rouvrir"):
            _ecrire(
                lambda d: d.rouvrir(acteur_id, base.version, auteur),
                f"« {enregistre.nom} » est rouvert.",
                acteur_id,
            )
    elif c2.button("Fermer (garder dans l'historique)", key="inv_fermer"):
        _ecrire(
            lambda d: d.fermer(acteur_id, base.version, auteur), f"« {enregistre.nom} » est fermé.", acteur_id
        )
    confirme = c4.checkbox("Je confirme la suppression", key=f"inv_confirme_{acteur_id}")
    if c3.button("Supprimer", key="inv_supprimer", disabled=not confirme):
        _ecrire(
            lambda d: d.supprimer(acteur_id, base.version, auteur),
            f"« {enregistre.nom} » est supprimé (« Annuler la dernière modification » le restaure).",
            acteur_id,
        )
    _historique(acteur_id, historique, auteur)


def _modifier(modifie: Acteur, auteur: str) -> None:
    try:
        with ouvrir_depot(donnees.chemin_depot()) as depot:
            enregistre = depot.modifier(modifie, auteur)
    except ConflitDeVersion:
        st.session_state[CLE_CONFLIT] = (modifie,)
        st.rerun()
    except EcosystemeError as exc:
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
        _ecrire(
            lambda d: d.annuler_derniere_modification(acteur_id, auteur),
            f"Dernière modification de « {acteur_id} » annulée ({ACTIONS.get(historique[0].action, '')}).",
            acteur_id,
        )
