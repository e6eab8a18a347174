"""Step 2, « Lecture » : type recognised from the content, encoding, separator, rows, columns, and
the format (one of the importers') or « format libre »."""

from __future__ import annotations

import streamlit as st

from ecosysteme.inventaire import assistant
from ecosysteme.inventaire.assistant import FORMAT_LIBRE, LIBELLES_FORMATS, Lecture
from ecosysteme.sources import televersement as tv
from ecosysteme.sources.lecture import NOMS_TYPES
from ecosysteme.ui.importation.commun import LECTURE, executer
from ecosysteme.ui.texte import md

_TYPES = NOMS_TYPES
_ENCODAGES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (avec BOM)",
    "cp1252": "Windows-1252 (cp1252)",
    "latin_1": "ISO-8859-1 (Latin-1)",
}


def lecture_fichier(tel: tv.Televersement) -> Lecture:
    """Step 2, read once per file (kept in the session)."""
    memo = st.session_state.get(LECTURE)
    if memo is not None and memo[0] == tel.sha256:
        lecture: Lecture = memo[1]
        return lecture
    with st.spinner("Lecture du fichier…"):
        lecture = executer(tel, assistant.lecture_page)
    st.session_state[LECTURE] = (tel.sha256, lecture)
    return lecture


def montrer_lecture(tel: tv.Televersement, lecture: Lecture) -> None:
    """What was recognised: type, encoding, separator, coordinate system, rows, columns, format."""
    t = lecture.table
    lignes = [
        f"**Fichier** : {md(tel.nom)} ({tv.taille_lisible(tel.taille)})",
        f"**Type reconnu** : {_TYPES.get(t.type, t.type)}"
        + (f", extrait de l'archive ({md(', '.join(tel.membres))})" if tel.archive else ""),
    ]
    if t.encodage:
        lignes.append(f"**Encodage** : {_ENCODAGES.get(t.encodage, md(t.encodage))}")
    if t.separateur:
        lignes.append(f"**Séparateur** : {md(t.nom_separateur)}")
    if t.crs:
        converti = "" if t.crs in ("EPSG:4326", "OGC:CRS84") else " (converti en WGS84)"
        lignes.append(f"**Système de coordonnées** : {md(t.crs)}{converti}")
    lignes.append(
        f"**Lignes** : {lecture.lignes} ; **colonnes** ({len(t.colonnes)}) : {md(', '.join(t.colonnes))}"
    )
    libelle = LIBELLES_FORMATS.get(lecture.format or FORMAT_LIBRE, lecture.format or "")
    lignes.append(f"**Format** : {md(libelle)}")
    st.markdown("  \n".join(lignes))
    if lecture.format is None and lecture.raison:
        st.caption(md(lecture.raison))
    for avert in t.avertissements:
        st.warning(md(avert))
