"""Step 4, « Aperçu » : the file's rows converted (once per file and choices), the first rows as
actors and every row's problems (row, field, message)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ecosysteme.inventaire import assistant
from ecosysteme.inventaire.assistant import APERCU_LIGNES, FORMAT_LIBRE, Lecture, Preparation
from ecosysteme.sources import televersement as tv
from ecosysteme.ui.importation.commun import PREPARATION, cle_import, executer
from ecosysteme.ui.texte import md

#: Problems listed at most.
PROBLEMES_MAX = 1000


_COLONNES_APERCU = (
    "id",
    "nom",
    "adresse",
    "code_postal",
    "commune",
    "latitude",
    "longitude",
    "categorie",
    "services",
    "telephone",
    "horaires",
)


def preparation(
    tel: tv.Televersement,
    lecture: Lecture,
    auteur: str,
    correspondance: dict[str, str] | None,
    source: str | None,
) -> Preparation:
    """The rows converted into actors, once per file and choices (kept in the session)."""
    cle = cle_import(tel, lecture.format or FORMAT_LIBRE, correspondance, source, auteur)
    memo = st.session_state.get(PREPARATION)
    if memo is not None and memo[0] == cle:
        prep: Preparation = memo[1]
        return prep
    with st.spinner("Conversion des lignes…"):
        prep = executer(tel, assistant.preparation_page, auteur, correspondance, source)
    st.session_state[PREPARATION] = (cle, prep)
    return prep


def apercu(prep: Preparation) -> None:
    """The counts, the first actors and every row's problems."""
    r = prep.rapport
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Lignes lues", r.lignes_lues)
    c2.metric("Acceptées", r.acceptees)
    c3.metric("Rejetées", r.rejetees)
    c4.metric("Avertissements", len(r.avertissements))
    for info in r.infos:
        st.caption(md(info))
    if prep.acteurs:
        lignes = []
        for a in prep.acteurs[:APERCU_LIGNES]:
            d = a.model_dump(mode="json", include=set(_COLONNES_APERCU))
            d["services"] = " | ".join(d.get("services") or [])
            lignes.append(d)
        st.markdown(f"**Premiers acteurs** ({min(APERCU_LIGNES, len(prep.acteurs))} sur {prep.total})")
        st.dataframe(pd.DataFrame(lignes, columns=list(_COLONNES_APERCU)), hide_index=True, width="stretch")
    problemes = [
        {"ligne": p.ligne, "champ": p.champ, "problème": p.message, "gravité": "rejet"} for p in r.rejets
    ] + [
        {"ligne": p.ligne, "champ": p.champ, "problème": p.message, "gravité": "avertissement"}
        for p in r.avertissements
    ]
    if problemes:
        st.markdown(f"**Problèmes des lignes** ({len(problemes)})")
        tri = sorted(problemes, key=lambda p: (p["ligne"] is not None, p["ligne"] or 0))
        st.dataframe(
            pd.DataFrame(tri[:PROBLEMES_MAX], columns=["ligne", "champ", "problème", "gravité"]).astype(
                {"ligne": "Int64"}
            ),
            hide_index=True,
            width="stretch",
            key="import_problemes",
        )
        if len(problemes) > PROBLEMES_MAX:
            st.caption(f"… et {len(problemes) - PROBLEMES_MAX} autres.")
    else:
        st.success("Aucun problème dans les lignes.")
