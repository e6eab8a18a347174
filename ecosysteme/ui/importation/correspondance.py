"""Step 3, « Correspondance des colonnes » (free format only): one choice per field of the
standard, prefilled with the mapping remembered for this source or with suggestions
(:mod:`ecosysteme.sources.correspondance`)."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.inventaire.assistant import Lecture
from ecosysteme.sources import correspondance as corr
from ecosysteme.sources import televersement as tv
from ecosysteme.ui import donnees
from ecosysteme.ui.importation.commun import log, nom_source
from ecosysteme.ui.texte import md

AUCUNE = "— aucune colonne —"


def correspondance_colonnes(tel: tv.Televersement, lecture: Lecture) -> tuple[dict[str, str], str] | None:
    """Step 3: the source's name, then one choice per field; ``None`` while not usable."""
    t = lecture.table
    source = " ".join(
        st.text_input(
            "Nom de la source",
            value=nom_source(tel.nom),
            key=f"import_source_{tel.sha256[:12]}",
            max_chars=80,
            help="La correspondance choisie est retenue pour cette source et proposée au prochain import.",
        ).split()
    )
    if not source:
        st.error("Donnez un nom à la source : il préfixe les identifiants et retient la correspondance.")
        return None
    memorisee = _memorisee(source)
    if memorisee:
        absentes = [f"{c} ← {col}" for c, col in memorisee.items() if col not in t.colonnes]
        st.info(md(f"Correspondance retenue pour la source « {source} » reprise."))
        if absentes:
            st.warning(
                md("Colonnes de la correspondance retenue absentes de ce fichier : " + ", ".join(absentes))
            )
    suggestions = corr.suggerer(t.colonnes, memorisee)
    options = [AUCUNE, *t.colonnes]
    suffixe = hashlib.sha256(f"{tel.sha256}\x1f{source}".encode()).hexdigest()[:12]
    choix: dict[str, str] = {}
    principaux = corr.champs()[:13]
    colonnes = st.columns(3)
    for i, champ in enumerate(principaux):
        with colonnes[i % 3]:
            _choisir(champ, options, suggestions.get(champ), suffixe, choix)
    with st.expander("Autres champs du standard"):
        colonnes = st.columns(3)
        for i, champ in enumerate(corr.champs()[13:]):
            with colonnes[i % 3]:
                _choisir(champ, options, suggestions.get(champ), suffixe, choix)
    if suggestions:
        with st.expander("Suggestions et leur confiance"):
            st.dataframe(
                pd.DataFrame(
                    [
                        {"champ": s.champ, "colonne": s.colonne, "confiance": s.confiance, "raison": s.raison}
                        for s in suggestions.values()
                    ]
                ),
                hide_index=True,
                width="stretch",
                column_config={
                    "confiance": st.column_config.ProgressColumn(
                        format="percent", min_value=0.0, max_value=1.0
                    )
                },
            )
    remarques = corr.verifier(choix, t.colonnes, points=lecture.points)
    for r in remarques:
        (st.error if r.bloquante else st.info)(md(r.message[0].upper() + r.message[1:]))
    if any(r.bloquante for r in remarques):
        return None
    return choix, source


def _choisir(
    champ: str, options: list[str], suggestion: corr.Suggestion | None, suffixe: str, choix: dict[str, str]
) -> None:
    index = options.index(suggestion.colonne) if suggestion is not None else 0
    aide = (
        f"Suggestion : « {suggestion.colonne} » ({suggestion.raison}, confiance {suggestion.confiance:.0%})."
        if suggestion is not None
        else "Aucune colonne ne ressemble à ce champ."
    )
    valeur = st.selectbox(
        champ + (" (obligatoire)" if champ == "nom" else ""),
        options,
        index=index,
        key=f"import_champ_{suffixe}_{champ}",
        help=aide,
    )
    if valeur is not None and valeur != AUCUNE:
        choix[champ] = valeur


def _memorisee(source: str) -> dict[str, str] | None:
    pret, _ = donnees.depot_pret()
    if not pret:
        return None
    try:
        with ouvrir_depot(donnees.adresse()) as depot:
            return depot.correspondance(source)
    except ErreurEcosysteme as exc:
        log.warning("correspondance de « %s » illisible : %s", source, exc)
        return None
