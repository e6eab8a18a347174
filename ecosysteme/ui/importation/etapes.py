"""The wizard's steps after the upload, in order; each one stops the page while its input is not
usable (nothing written before the last one)."""

from __future__ import annotations

import streamlit as st

from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.inventaire.assistant import LIBELLES_FORMATS
from ecosysteme.sources import televersement as tv
from ecosysteme.ui import donnees
from ecosysteme.ui.importation.apercu import apercu, preparation
from ecosysteme.ui.importation.commun import cle_import, dossier_televersements, erreur, log
from ecosysteme.ui.importation.correspondance import correspondance_colonnes
from ecosysteme.ui.importation.lecture import lecture_fichier, montrer_lecture
from ecosysteme.ui.importation.simulation import montrer_simulation, simulation
from ecosysteme.ui.importation.validation import valider
from ecosysteme.ui.texte import md


def assistant_import(contenu: bytes, nom_client: str, auteur: str) -> None:
    """Step 1 then the others: the upload checked and written into a private temporary folder
    (:mod:`ecosysteme.sources.televersement`: size, ZIP guard, a shapefile layer), removed after."""
    dossier = dossier_televersements()
    tv.purger(dossier)
    try:
        tv.verifier_extension(nom_client)
        tel = tv.recevoir(contenu, nom_client, dossier)
    except ErreurEcosysteme as exc:
        log.info("import refusé : %s", exc)
        erreur(exc)
        return
    del contenu  # on disk now: the steps read the file
    try:
        _etapes(tel, auteur)
    except ErreurEcosysteme as exc:
        log.info("import refusé : %s", exc)
        erreur(exc)
    finally:
        tv.nettoyer(tel)


def _etapes(tel: tv.Televersement, auteur: str) -> None:
    st.subheader("2. Lecture")
    lecture = lecture_fichier(tel)
    montrer_lecture(tel, lecture)
    if not lecture.acteurs:
        assert lecture.format is not None
        st.info(
            f"« {md(tel.nom)} » contient des {LIBELLES_FORMATS.get(lecture.format, lecture.format)}. "
            "Cette page importe des acteurs (un import d'acteurs s'annule en entier) ; les territoires "
            "remplacent toute leur couche et se chargent avec la commande « ecosysteme importer FICHIER »."
        )
        return
    correspondance: dict[str, str] | None = None
    source: str | None = None
    st.subheader("3. Correspondance des colonnes")
    if lecture.format is None:
        choix = correspondance_colonnes(tel, lecture)
        if choix is None:
            return
        correspondance, source = choix
    else:
        st.caption("Format reconnu : ses colonnes sont connues, pas de correspondance à choisir.")
    st.subheader("4. Aperçu")
    prep = preparation(tel, lecture, auteur, correspondance, source)
    apercu(prep)
    pret, raison = donnees.depot_pret()
    st.subheader("5. Simulation")
    if not pret:
        st.warning(md(raison or "Aucun dépôt."))
        return
    cle = cle_import(tel, prep.format, correspondance, source, auteur)
    resultat = simulation(tel, prep, cle, auteur, correspondance, source)
    if not prep.total:
        st.error(
            md(
                f"Aucune ligne du fichier « {tel.nom} » n'est acceptée : corrigez-le (les problèmes, "
                "ligne par ligne et champ par champ, sont listés ci-dessus). Rien n'a été enregistré."
            )
        )
        return
    montrer_simulation(resultat)
    st.subheader("6. Import")
    valider(tel, prep, cle, resultat, auteur, correspondance, source)
