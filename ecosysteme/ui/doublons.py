"""Page « Doublons » : the same place recorded twice (two sources, or twice by hand), proposed
with a score and its reasons; a person decides: merge field by field, or « pas un doublon »
(remembered, never proposed again). Every merge is in the history and can be undone."""

from __future__ import annotations

from functools import partial
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from ecosysteme.analyse.selection import Selection
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import ConflitDeVersion, ErreurEcosysteme
from ecosysteme.inventaire.doublons import candidats
from ecosysteme.inventaire.fusion import LISTES, Choix, champs_differents, choix_par_defaut, fusionner
from ecosysteme.inventaire.tableau import LIBELLES, differences
from ecosysteme.ui import donnees, territoire
from ecosysteme.ui.texte import md
from ecosysteme.ui.widgets.entete import entete

CLE_MESSAGE = "doublons_message"
#: Lowest score the page can show (the slider's minimum; 70 by default).
SCORE_MIN = 40
LIBELLES_CHOIX: dict[Choix, str] = {"garde": "fiche gardée", "autre": "autre fiche", "les deux": "les deux"}


@st.cache_data(show_spinner="Recherche des doublons…", max_entries=8)
def _paires(sig: tuple[str, int], selection: Selection) -> pd.DataFrame:
    """Candidate pairs of the territory (closed actors included), « pas un doublon » excluded;
    cached by store version and territory."""
    data = donnees.territoire(sig)
    vue = territoire.filtrer_selection(data, selection)
    with ouvrir_depot(donnees.adresse()) as depot:
        exclus = depot.non_doublons()
    return candidats(vue.acteurs, seuil=SCORE_MIN, exclus=exclus)


def afficher() -> None:
    e = entete(
        "Doublons",
        "Un même lieu enregistré deux fois (deux sources, ou deux saisies) : nom proche, même adresse "
        "ou quelques dizaines de mètres. L'outil propose ; vous décidez de fusionner ou non.",
        auteur=True,
        sous_titre=False,
    )
    if e is None:
        return
    vue, auteur = e.vue, e.auteur
    message = st.session_state.pop(CLE_MESSAGE, None)
    if message:
        st.success(md(message))
    paires = _paires(donnees.signature(), vue.selection)
    st.subheader(md(vue.libelle))
    if paires.empty:
        st.info("Aucun doublon probable dans ce territoire.")
        return
    seuil = st.slider("Score minimal", SCORE_MIN, 100, 70, step=5, key="doublons_seuil")
    montrees = paires[paires["score"] >= seuil].reset_index(drop=True)
    st.caption(f"{len(montrees)} paire(s) proposée(s) au score ≥ {seuil}, les plus sûres d'abord.")
    noms = dict(zip(vue.acteurs["id"], vue.acteurs["nom"], strict=True))
    tab = pd.DataFrame(
        {
            "score": montrees["score"].round(0).astype(int),
            "acteur A": [noms.get(i, i) for i in montrees["id_a"]],
            "acteur B": [noms.get(i, i) for i in montrees["id_b"]],
            "distance (m)": montrees["distance_m"].round(0),
            "pourquoi": montrees["raisons"],
            "id A": montrees["id_a"],
            "id B": montrees["id_b"],
        }
    )
    st.dataframe(tab, hide_index=True, width="stretch", key="doublons_table")
    if montrees.empty:
        st.caption("Aucune paire à ce score : baissez le score minimal.")
        return
    rang = st.selectbox(
        "Paire à examiner",
        list(range(len(montrees))),
        format_func=lambda i: (
            f"{tab['score'].iloc[i]} — {tab['acteur A'].iloc[i]} / {tab['acteur B'].iloc[i]}"
        ),
        key="doublons_paire",
    )
    paire = montrees.iloc[int(rang)]
    _comparer(str(paire["id_a"]), str(paire["id_b"]), auteur)


def _comparer(id_a: str, id_b: str, auteur: str) -> None:
    try:
        with ouvrir_depot(donnees.adresse()) as depot:
            a, b = depot.obtenir(id_a), depot.obtenir(id_b)
    except ErreurEcosysteme as exc:
        st.warning(md(f"{exc.message} (déjà fusionné ou supprimé ?)"))
        return
    st.markdown("#### Comparer et décider")
    garder = st.radio(
        "Fiche à garder (son identifiant reste ; l'autre est absorbée, gardée dans l'historique)",
        [id_a, id_b],
        format_func=lambda i: md(  # radio options are Markdown
            f"{(a if i == id_a else b).nom} — {i} ({(a if i == id_a else b).source or 'saisie'})"
        ),
        key=f"doublons_garde_{id_a}_{id_b}",
        horizontal=True,
    )
    garde, autre = (a, b) if garder == id_a else (b, a)
    proposes = choix_par_defaut(garde, autre)
    gd, au = garde.model_dump(mode="json"), autre.model_dump(mode="json")
    choix: dict[str, Choix] = {}
    for champ in champs_differents(garde, autre):
        options: list[Choix] = ["garde", "autre", "les deux"] if champ in LISTES else ["garde", "autre"]
        c1, c2 = st.columns([1, 3])
        c1.markdown(f"**{LIBELLES.get(champ, champ)}**")
        choix[champ] = c2.radio(
            LIBELLES.get(champ, champ),
            options,
            index=options.index(proposes.get(champ, "garde")),
            format_func=partial(_option, v_garde=gd.get(champ), v_autre=au.get(champ)),
            key=f"doublons_{garde.id}_{autre.id}_{champ}",
            horizontal=True,
            label_visibility="collapsed",
        )
    try:
        fusion = fusionner(garde, autre, choix)
    except ValidationError as exc:  # a value stored before a rule of the text existed
        st.error(
            md(
                "La fiche fusionnée ne serait pas valide : "
                + " ; ".join(
                    f"{LIBELLES.get(str(e['loc'][0]), str(e['loc'][0]))} : "
                    + str(e["msg"]).removeprefix("Value error, ")
                    for e in exc.errors()
                    if e["loc"]
                )
                + ". Corrigez d'abord la fiche concernée (page Inventaire)."
            )
        )
        return
    with st.expander("Fiche obtenue après la fusion (changements de la fiche gardée)"):
        st.dataframe(differences(gd, fusion.model_dump(mode="json")), hide_index=True, width="stretch")
    c1, c2 = st.columns(2)
    if c1.button("Fusionner", key="doublons_fusionner", type="primary"):
        _ecrire(
            lambda d: d.fusionner(fusion, {autre.id: autre.version}, auteur),
            f"« {autre.nom} » fusionné dans « {fusion.nom} » (annulable depuis sa fiche, page Inventaire).",
        )
    if c2.button("Pas un doublon", key="doublons_non"):
        _ecrire(
            lambda d: d.marquer_non_doublon(garde.id, autre.id, auteur),
            f"« {garde.nom} » et « {autre.nom} » ne seront plus proposés ensemble.",
        )


def _option(o: Choix, v_garde: Any, v_autre: Any) -> str:
    valeur = v_garde if o == "garde" else v_autre if o == "autre" else None
    if o == "les deux":
        return LIBELLES_CHOIX[o]
    texte = (
        ", ".join(map(str, valeur)) if isinstance(valeur, list) else ("" if valeur is None else str(valeur))
    )
    return md(f"{LIBELLES_CHOIX[o]} : {(texte or '—')[:80]}")  # radio options are Markdown


def _ecrire(action: Any, message: str) -> None:
    try:
        with ouvrir_depot(donnees.adresse()) as depot:
            action(depot)
    except ConflitDeVersion as exc:
        st.error(md(f"{exc.message} Une des deux fiches a changé : la comparaison est rechargée."))
        return
    except ErreurEcosysteme as exc:
        st.error(md(exc.message))
        return
    _paires.clear()
    st.session_state[CLE_MESSAGE] = message
    st.rerun()
