"""The opening-hours editor of the actor forms.

:func:`editeur_horaires` shows a week grid (7 days, up to 3 intervals a day, « fermé », « copier
lundi sur les jours ouvrés », « fermé les jours fériés ») or, when the value cannot be shown in a
grid, the raw field « Horaires (format OpenStreetMap) » with the reason; either way the result is
checked with the maintained parser. It returns :class:`Horaires`: ``texte`` is the valid OSM
string (None when empty), ``erreur`` the French problem (None when valid). The errors are already
shown inline: the caller only refuses to save when ``erreur`` is set.

The widget keeps its state in ``st.session_state`` under its ``cle`` (:mod:`.etat`). Give each
form its own ``cle``; a new initial value (another actor) reloads the widget. Do not put it
inside ``st.form``: it uses buttons and callbacks. Keys a caller may read: ``{cle}_mode``
(:data:`GRILLE` or :data:`TEXTE`), ``{cle}_brut`` (the raw hours field, in text mode).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ecosysteme.domaine.semaine import (
    EXEMPLE_OSM,
    MAX_PLAGES,
    NOMS_JOURS,
    Semaine,
    SemaineInvalide,
    depuis_osm,
    erreur_osm,
    erreurs_jour,
    hhmm,
    lire_heure,
    raison_hors_grille,
    vers_osm,
)
from ecosysteme.ui.texte import md
from ecosysteme.ui.widgets.etat import etat_widget, semer

#: Label of the raw field.
LIBELLE_BRUT = "Horaires (format OpenStreetMap)"
GRILLE, TEXTE = "grille", "texte"
_MODES_HORAIRES = {GRILLE: "Grille de la semaine", TEXTE: "Texte OpenStreetMap"}
_JOURS_OUVRES = range(1, 5)  # mardi..vendredi, copied from lundi
#: Widget keys (after ``cle + "_"``) of each widget, forgotten when it is reloaded.
_WIDGETS_HORAIRES = (
    "mode",
    "brut",
    "ph",
    "copier",
    *(f"j{j}_ferme" for j in range(7)),
    *(f"j{j}_p{p}_{bout}" for j in range(7) for p in range(MAX_PLAGES) for bout in ("debut", "fin")),
)


@dataclass(frozen=True)
class Horaires:
    """What :func:`editeur_horaires` gives back.

    ``texte``: the OSM string, checked by the parser (None when no hours are given, or when
    invalid). ``erreur``: the French problem shown under the widget, None when valid.
    ``brut``: the text to keep in the field if the caller stores it anyway: what was typed in the
    raw field, or for the grid its valid OSM string, else a French summary of the cells (never a
    valid OSM string when ``erreur`` is set, so a later check refuses it too).
    """

    texte: str | None
    erreur: str | None = None
    brut: str | None = None

    @property
    def valide(self) -> bool:
        return self.erreur is None


def _k(cle: str, j: int, p: int | None = None, bout: str = "") -> str:
    return f"{cle}_j{j}_ferme" if p is None else f"{cle}_j{j}_p{p}_{bout}"


def _cellules(s: Semaine) -> dict[str, Any]:
    """Grid cells (texts and « fermé » boxes) showing ``s``."""
    cellules: dict[str, Any] = {}
    for j in range(7):
        plages = s.jours[j]
        cellules[f"j{j}_ferme"] = not plages and not s.vide
        for p in range(MAX_PLAGES):
            d, f = plages[p] if p < len(plages) else (None, None)
            cellules[f"j{j}_p{p}_debut"] = hhmm(d) if d is not None else ""
            cellules[f"j{j}_p{p}_fin"] = hhmm(f) if f is not None else ""
    cellules["ph"] = s.ph_ferme
    return cellules


def _nouvel_etat_horaires(valeur: str | None) -> dict[str, Any]:
    s = depuis_osm(valeur)
    brut = (valeur or "").strip()
    if s is None:
        return {"mode": TEXTE, "brut": brut, "cellules": _cellules(Semaine())}
    return {"mode": GRILLE, "brut": brut, "cellules": _cellules(s)}


def _poser_cellules(cle: str, etat: dict[str, Any], cellules: Mapping[str, Any]) -> None:
    """Set the grid (remembered values and live widgets); only from a callback or before drawing."""
    etat["cellules"].update(cellules)
    for nom, valeur in cellules.items():
        st.session_state[f"{cle}_{nom}"] = valeur


def _cellules_actuelles(cle: str, etat: dict[str, Any]) -> dict[str, Any]:
    """The grid's cells as the user left them: in a callback, the widgets' new values are in
    ``st.session_state`` while ``etat`` still holds those of the last run."""
    return {nom: st.session_state.get(f"{cle}_{nom}", valeur) for nom, valeur in etat["cellules"].items()}


def _lire_grille(cellules: Mapping[str, Any]) -> tuple[Semaine | None, dict[int, list[str]], str]:
    """(week or None, French errors by day, French summary of the cells) from the grid's cells."""
    erreurs: dict[int, list[str]] = {}
    jours: list[list[tuple[int, int]]] = []
    resume: list[str] = []
    for j, nom in enumerate(NOMS_JOURS):
        plages: list[tuple[int, int]] = []
        problemes: list[str] = []
        if not cellules.get(f"j{j}_ferme"):
            for p in range(MAX_PLAGES):
                d = str(cellules.get(f"j{j}_p{p}_debut") or "").strip()
                f = str(cellules.get(f"j{j}_p{p}_fin") or "").strip()
                if not d and not f:
                    continue
                resume.append(f"{nom} {d or '?'}–{f or '?'}")
                if not d or not f:
                    problemes.append(f"{nom}, plage {p + 1} : indiquez le début et la fin")
                    continue
                bornes: list[int] = []
                for texte, bout in ((d, "début"), (f, "fin")):
                    try:
                        bornes.append(lire_heure(texte, f"{nom}, {bout} de la plage {p + 1}"))
                    except SemaineInvalide as exc:
                        problemes.extend(exc.erreurs)
                if len(bornes) == 2:
                    plages.append((bornes[0], bornes[1]))
        if not problemes:
            problemes = erreurs_jour(j, sorted(plages))
        if problemes:
            erreurs[j] = problemes
        jours.append(plages)
    if erreurs:
        return None, erreurs, " ; ".join(resume)
    return Semaine.creer(jours, bool(cellules.get("ph"))), {}, " ; ".join(resume)


def _changer_mode_horaires(cle: str) -> None:
    """Callback of the mode switch: carry the value from one view to the other."""
    etat = st.session_state[f"{cle}__etat"]
    mode = st.session_state[f"{cle}_mode"]
    if mode == TEXTE:
        s, _, _ = _lire_grille(_cellules_actuelles(cle, etat))
        if s is not None:
            etat["brut"] = vers_osm(s) or ""
        st.session_state[f"{cle}_brut"] = etat["brut"]
    else:
        s = depuis_osm(etat["brut"])
        if s is None:  # the switch is only offered when the text fits; kept for safety
            st.session_state[f"{cle}_mode"] = TEXTE
            mode = TEXTE
        else:
            _poser_cellules(cle, etat, _cellules(s))
    etat["mode"] = mode


def _copier_lundi(cle: str) -> None:
    """Callback: Tuesday to Friday take Monday's intervals and « fermé »."""
    etat = st.session_state[f"{cle}__etat"]
    c = _cellules_actuelles(cle, etat)
    copie: dict[str, Any] = {}
    for j in _JOURS_OUVRES:
        copie[f"j{j}_ferme"] = c["j0_ferme"]
        for p in range(MAX_PLAGES):
            for bout in ("debut", "fin"):
                copie[f"j{j}_p{p}_{bout}"] = c[f"j0_p{p}_{bout}"]
    _poser_cellules(cle, etat, copie)


def _grille(cle: str, etat: dict[str, Any]) -> Horaires:
    cellules = etat["cellules"]
    for nom, valeur in cellules.items():
        semer(f"{cle}_{nom}", valeur)
    largeurs = [1.3, 0.9] + [1.0] * (2 * MAX_PLAGES)
    entete = st.columns(largeurs)
    entete[0].caption("Jour")
    entete[1].caption("Fermé")
    for p in range(MAX_PLAGES):
        entete[2 + 2 * p].caption(f"Début {p + 1}")
        entete[3 + 2 * p].caption(f"Fin {p + 1}")
    conteneurs = []
    for j, nom in enumerate(NOMS_JOURS):
        cols = st.columns(largeurs, vertical_alignment="center")
        cols[0].markdown(f"**{nom.capitalize()}**")
        ferme = cols[1].checkbox(f"{nom} : fermé", key=_k(cle, j), label_visibility="collapsed")
        cellules[f"j{j}_ferme"] = ferme
        for p in range(MAX_PLAGES):
            for i, bout in enumerate(("debut", "fin")):
                libelle = f"{nom}, {'début' if bout == 'debut' else 'fin'} de la plage {p + 1}"
                cellules[f"j{j}_p{p}_{bout}"] = cols[2 + 2 * p + i].text_input(
                    libelle,
                    key=_k(cle, j, p, bout),
                    placeholder="hh:mm",
                    label_visibility="collapsed",
                    disabled=ferme,
                    max_chars=5,
                )
        conteneurs.append(st.container())
    c1, c2 = st.columns(2)
    c1.button(
        "Copier lundi sur les jours ouvrés",
        key=f"{cle}_copier",
        on_click=_copier_lundi,
        args=(cle,),
        help="Mardi, mercredi, jeudi et vendredi prennent les plages de lundi.",
    )
    cellules["ph"] = c2.checkbox("Fermé les jours fériés", key=f"{cle}_ph")
    s, erreurs, resume = _lire_grille(cellules)
    for j, messages in erreurs.items():
        for message in messages:
            conteneurs[j].error(md(message))
    if s is None:
        erreur = " ; ".join(m for messages in erreurs.values() for m in messages)
        return Horaires(None, erreur, resume or erreur)
    texte = vers_osm(s)
    st.caption(f"{LIBELLE_BRUT} :")
    st.code(texte or "(aucune plage : horaires inconnus)", language=None)
    etat["brut"] = texte or ""
    return Horaires(texte, None, texte)


def _texte_brut(cle: str, etat: dict[str, Any]) -> Horaires:
    semer(f"{cle}_brut", etat["brut"])
    brut = st.text_input(
        LIBELLE_BRUT, key=f"{cle}_brut", placeholder=EXEMPLE_OSM, help=f"Exemple : {EXEMPLE_OSM}"
    )
    etat["brut"] = brut
    texte = brut.strip()
    if not texte:
        return Horaires(None, None, None)
    erreur = erreur_osm(texte)
    if erreur is not None:
        st.error(md(erreur))
        return Horaires(None, erreur, brut)
    if depuis_osm(texte) is None:
        st.info(
            md(
                f"Ces horaires ne peuvent pas être montrés dans la grille : {raison_hors_grille(texte)} "
                "Modifiez-les ici, au format OpenStreetMap."
            )
        )
    return Horaires(texte, None, texte)


def editeur_horaires(cle: str, valeur: str | None) -> Horaires:
    """The opening-hours editor, prefilled with ``valeur`` (an OSM string or None).

    Returns :class:`Horaires`; ``texte`` is the valid OSM string or None when no hours are
    given; when the input is invalid, ``erreur`` holds the French problem (already shown under
    the widget) and ``texte`` is None.
    """
    etat = etat_widget(cle, valeur, lambda: _nouvel_etat_horaires(valeur), _WIDGETS_HORAIRES)
    st.markdown("**Horaires d'ouverture**")
    # the raw field's value of this run (typed since the last run), not the remembered one
    brut = str(st.session_state.get(f"{cle}_brut", etat["brut"])).strip()
    grille_possible = etat["mode"] == GRILLE or (
        bool(brut) and erreur_osm(brut) is None and depuis_osm(brut) is not None
    )
    if grille_possible:
        semer(f"{cle}_mode", etat["mode"])
        st.radio(
            "Saisie des horaires",
            list(_MODES_HORAIRES),
            format_func=_MODES_HORAIRES.__getitem__,
            key=f"{cle}_mode",
            horizontal=True,
            label_visibility="collapsed",
            on_change=_changer_mode_horaires,
            args=(cle,),
        )
    resultat = _grille(cle, etat) if etat["mode"] == GRILLE else _texte_brut(cle, etat)
    etat["dernier"] = resultat.texte
    return resultat
