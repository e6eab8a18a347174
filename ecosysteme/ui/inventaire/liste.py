"""The « Liste » tab: the territory's actors, searched and filtered, downloaded (XLSX, CSV, the
national standard), opened or closed together."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine import standard
from ecosysteme.domaine.dates import CLASSES_FRAICHEUR
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.modeles import Categorie, Statut
from ecosysteme.exports.tableaux import csv_octets, xlsx_octets
from ecosysteme.inventaire.tableau import (
    FiltresInventaire,
    compter_fraicheur,
    construire_tableau,
    filtrer_tableau,
)
from ecosysteme.ui import donnees
from ecosysteme.ui.inventaire.ecriture import ecrire, ouvrir
from ecosysteme.ui.texte import md


def onglet_liste(acteurs: pd.DataFrame, libelle: str, aujourdhui: dt.date, auteur: str) -> None:
    """The territory's actors, filtered, downloadable, opened or closed from their rows."""
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
        ecrire(
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
            with ouvrir_depot(donnees.adresse()) as depot:
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
        except ErreurEcosysteme as exc:
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
