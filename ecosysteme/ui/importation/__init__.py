"""Page « Import » : the import wizard, in six steps, nothing written before the last one.

1. « Fichier » : the upload, checked and written into a private temporary folder
   (:mod:`ecosysteme.sources.televersement`: size, ZIP guard, a shapefile layer);
2. « Lecture » : type recognised from the content, encoding, separator, rows, columns, and the
   format (one of the importers') or « format libre »;
3. « Correspondance des colonnes » (free format only): one choice per field of the standard,
   prefilled with the mapping remembered for this source or with suggestions
   (:mod:`ecosysteme.sources.correspondance`);
4. « Aperçu » : the first rows as actors and every row's problems (row, field, message);
5. « Simulation » : ``importer_fichier(..., simulation=True)`` and, against the store read
   only, how many actors would be created, updated or left unchanged;
6. « Import » : one batch, in one transaction, which « Annuler cet import » undoes as a whole.
   Past batches are listed below with their own undo.

Only actors are imported here: a batch of actors can be undone, a territory layer (QPV,
communes, EPCI, populations) is replaced as a whole and is loaded with ``ecosysteme importer``.

The steps' logic is in :mod:`ecosysteme.inventaire.assistant` (no Streamlit: :func:`lire`,
:func:`preparer`, :func:`bilan`, :func:`importer`); :func:`afficher` draws, one module a step
(:mod:`.lecture`, :mod:`.correspondance`, :mod:`.apercu`, :mod:`.simulation`, :mod:`.validation`;
:mod:`.etapes` chains them, :mod:`.lots` lists the past batches). The session keeps only
what the page shows (the file's columns and counts, the first actors, the report); each step
reads the file again, in a child process for a large upload, so that the server gives its memory
back. Caches of the other pages are keyed on the store's modification time
(:func:`ecosysteme.ui.donnees.signature`): an import or an undo changes it, so nothing needs
clearing here.

Streamlit's own upload widget refuses in English: it is given no type list and a size limit
above ours (:data:`TAILLE_NAVIGATEUR_MO`), and our code refuses in French (the extension,
:func:`ecosysteme.sources.televersement.refus_extension`; the size,
:func:`ecosysteme.sources.televersement.recevoir`).
Only a file over :data:`TAILLE_NAVIGATEUR_MO` still gets the widget's English message.
"""

from __future__ import annotations

import streamlit as st

from ecosysteme.inventaire.assistant import (
    APERCU_LIGNES,
    FORMAT_LIBRE,
    LIBELLES_FORMATS,
    Bilan,
    Lecture,
    Preparation,
    bilan,
    importer,
    lire,
    preparer,
    simuler,
)
from ecosysteme.sources import televersement as tv
from ecosysteme.ui.importation.apercu import PROBLEMES_MAX
from ecosysteme.ui.importation.commun import (
    ENV_TELEVERSEMENTS,
    LECTURE,
    MESSAGE,
    PREPARATION,
    SIMULATION,
    TAILLE_NAVIGATEUR_MO,
    dossier_televersements,
    nom_source,
)
from ecosysteme.ui.importation.correspondance import AUCUNE
from ecosysteme.ui.importation.etapes import assistant_import
from ecosysteme.ui.importation.lots import lots_passes
from ecosysteme.ui.texte import md
from ecosysteme.ui.widgets.editeur import nom_editeur

__all__ = [
    "APERCU_LIGNES",
    "AUCUNE",
    "ENV_TELEVERSEMENTS",
    "FORMAT_LIBRE",
    "LIBELLES_FORMATS",
    "PROBLEMES_MAX",
    "TAILLE_NAVIGATEUR_MO",
    "Bilan",
    "Lecture",
    "Preparation",
    "afficher",
    "bilan",
    "dossier_televersements",
    "importer",
    "lire",
    "nom_source",
    "preparer",
    "simuler",
]


def afficher() -> None:
    st.title("Importer des acteurs")
    st.caption(
        "Six étapes : fichier, lecture, correspondance des colonnes, aperçu, simulation, import. "
        "Rien n'est enregistré avant la dernière ; un import s'annule en entier."
    )
    auteur = nom_editeur()
    message = st.session_state.pop(MESSAGE, None)
    if message is not None:
        genre, texte = message
        (st.success if genre == "succes" else st.error)(md(texte))
    st.subheader("1. Fichier")
    # no type list and a limit above ours: the refusals are ours, in French (see the module)
    envoi = st.file_uploader(
        "Fichier à importer",
        max_upload_size=TAILLE_NAVIGATEUR_MO,
        key="import_fichier",
        help="Le format est reconnu d'après le contenu, pas d'après le nom du fichier.",
    )
    st.caption(
        "CSV, XLSX, JSON ou GeoJSON (dont le standard national des lieux de médiation numérique), "
        f"GeoPackage, shapefile zippé (une seule couche) ; {tv.TAILLE_MAX // tv.MIO} Mo au plus, "
        f"{tv.DECOMPRESSE_MAX // tv.MIO} Mo une fois décompressé."
    )
    if envoi is None:
        for cle in (LECTURE, PREPARATION, SIMULATION):
            st.session_state.pop(cle, None)
    else:
        assistant_import(envoi.getvalue(), envoi.name, auteur)
    lots_passes(auteur)
