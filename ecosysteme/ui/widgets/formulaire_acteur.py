"""The actor form shared by « Ajouter » and « Modifier » (page Inventaire): every field of the
national standard, multi-selects with its exact enumerations, the category and typology pickers,
the opening hours (week grid or raw OSM text), the place (address, map or coordinates) and the
stops of a mobile service. Returns the typed values; checking is :func:`acteur_depuis_formulaire`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import streamlit as st

from ecosysteme.domaine import standard
from ecosysteme.domaine.modeles import Acteur, Categorie
from ecosysteme.inventaire.doublons import semblables
from ecosysteme.inventaire.tableau import LIBELLES, ErreursFormulaire
from ecosysteme.ui.texte import md
from ecosysteme.ui.widgets import horaires as saisie_horaires
from ecosysteme.ui.widgets import lieu as saisie_lieu

#: List fields offered as multi-selects, with the standard's enumeration of the same name.
LISTES = (
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "modalites_acces",
    "modalites_accompagnement",
    "dispositif_programmes_nationaux",
    "formations_labels",
)

COLONNES_ARRETS = ("nom", "adresse", "commune", "latitude", "longitude", "horaires")


def formulaire(prefixe: str, base: Acteur | None, fond: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Draw the form (widgets keyed by ``prefixe``, prefilled from ``base``) and return the values.
    ``fond``: GeoJSON outlines (the territory's communes) drawn under the placing map."""
    b: dict[str, Any] = {} if base is None else base.model_dump(mode="json")
    enum = standard.enumerations()
    typos = standard.typologies()
    k = f"inv_{prefixe}_"
    v: dict[str, Any] = {}
    st.markdown("##### Identité")
    c1, c2 = st.columns([2, 1])
    v["nom"] = c1.text_input("Nom *", value=b.get("nom") or "", key=k + "nom", max_chars=200)
    categories = [c.value for c in Categorie]
    v["categorie"] = c2.selectbox(
        "Catégorie *",
        categories,
        index=categories.index(b.get("categorie") or Categorie.AUTRE.value),
        key=k + "categorie",
    )
    v["typologie"] = st.multiselect(
        "Typologie (codes du standard)",
        list(typos),
        default=[t for t in b.get("typologie") or [] if t in typos],
        format_func=lambda t: f"{t} — {typos[t]}",
        key=k + "typologie",
        placeholder="Choisir…",
    )
    c1, c2 = st.columns(2)
    v["pivot"] = (
        c1.text_input(
            "SIRET ou RNA",
            value="" if b.get("pivot") in (None, "00000000000000") else b["pivot"],
            key=k + "pivot",
        )
        or "00000000000000"
    )
    v["structure_parente"] = c2.text_input(
        "Structure parente", value=b.get("structure_parente") or "", key=k + "structure_parente"
    )
    v["presentation_resume"] = st.text_area(
        "Présentation (280 caractères au plus)",
        value=b.get("presentation_resume") or "",
        key=k + "presentation_resume",
        max_chars=280,
    )
    st.markdown("##### Lieu")
    c1, c2, c3 = st.columns([3, 1, 2])
    v["adresse"] = c1.text_input("Adresse", value=b.get("adresse") or "", key=k + "adresse")
    v["code_postal"] = c2.text_input(
        "Code postal", value=b.get("code_postal") or "", key=k + "code_postal", max_chars=5
    )
    v["commune"] = c3.text_input("Commune", value=b.get("commune") or "", key=k + "commune")
    v["complement_adresse"] = st.text_input(
        "Complément d'adresse", value=b.get("complement_adresse") or "", key=k + "complement_adresse"
    )
    lieu = saisie_lieu.choisir_lieu(
        k + "lieu",
        v["adresse"],
        b.get("longitude"),
        b.get("latitude"),
        code_postal=v["code_postal"] or None,
        fond=fond,
    )
    if lieu is not None:
        v["latitude"], v["longitude"] = lieu.latitude, lieu.longitude
        for champ in ("code_postal", "code_insee", "commune"):
            valeur = getattr(lieu, champ, None)
            if valeur and not v.get(champ):
                v[champ] = valeur
    elif st.session_state.get(k + "lieu_mode") == saisie_lieu.COORDONNEES:
        # typed but refused by the widget (message shown there): the form's check refuses it too
        v["latitude"] = st.session_state.get(k + "lieu_lat") or None
        v["longitude"] = st.session_state.get(k + "lieu_lon") or None
    else:
        v["latitude"], v["longitude"] = b.get("latitude"), b.get("longitude")
    st.markdown("##### Contact et horaires")
    c1, c2 = st.columns(2)
    v["telephone"] = c1.text_input("Téléphone", value=b.get("telephone") or "", key=k + "telephone")
    v["prise_rdv"] = c2.text_input(
        "Prise de rendez-vous (lien)", value=b.get("prise_rdv") or "", key=k + "prise_rdv"
    )
    v["courriels"] = c1.text_area(
        "Courriels (un par ligne)", value="\n".join(b.get("courriels") or []), key=k + "courriels", height=68
    )
    v["site_web"] = c2.text_area(
        "Sites web (un par ligne)", value="\n".join(b.get("site_web") or []), key=k + "site_web", height=68
    )
    horaires = saisie_horaires.editeur_horaires(k + "horaires", b.get("horaires"))
    v["horaires"] = horaires.texte
    if horaires.erreur:
        v["horaires"] = horaires.brut
    st.markdown("##### Offre")
    for champ in LISTES:
        valeurs = list(enum.get(champ, ()))
        v[champ] = st.multiselect(
            LIBELLES.get(champ, champ),
            valeurs,
            default=[x for x in b.get(champ) or [] if x in valeurs],
            key=k + champ,
            placeholder="Choisir…",
        )
    st.markdown("##### Service itinérant")
    v["arrets"] = _arrets(k, b.get("arrets") or [])
    return v


def _arrets(k: str, arrets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stops of a mobile service, edited as a table (one row per stop)."""
    depart = pd.DataFrame(
        [{c: a.get(c) for c in COLONNES_ARRETS} for a in arrets], columns=list(COLONNES_ARRETS)
    ).astype({"latitude": float, "longitude": float})
    tab = st.data_editor(
        depart,
        num_rows="dynamic",
        key=k + "arrets",
        hide_index=True,
        width="stretch",
        column_config={
            "nom": st.column_config.TextColumn("Nom de l'arrêt", required=True),
            "adresse": "Adresse",
            "commune": "Commune",
            "latitude": st.column_config.NumberColumn("Latitude", format="%.6f", min_value=-90, max_value=90),
            "longitude": st.column_config.NumberColumn(
                "Longitude", format="%.6f", min_value=-180, max_value=180
            ),
            "horaires": st.column_config.TextColumn("Horaires de l'arrêt (OSM)"),
        },
    )
    st.caption("Un service itinérant compte à chacun de ses arrêts ; laissez vide pour un lieu fixe.")
    return [
        {c: (None if pd.isna(r[c]) or r[c] == "" else r[c]) for c in COLONNES_ARRETS}
        for _, r in tab.iterrows()
        if not all(pd.isna(r[c]) or r[c] == "" for c in COLONNES_ARRETS)
    ]


def montrer_erreurs(exc: ErreursFormulaire) -> None:
    """Each wrong field with its French message; nothing was stored."""
    st.error(
        "Rien n'a été enregistré. À corriger :\n\n"
        + "\n".join(f"- **{md(LIBELLES.get(c, c))}** : {md(m)}" for c, m in exc.erreurs.items())
    )


def semblables_a(nouveau: Acteur, tous: pd.DataFrame) -> pd.DataFrame:
    """Existing actors that look like ``nouveau`` (similar name within 100 m, or same address)."""
    trouves = semblables(nouveau, tous)
    if trouves.empty:
        return trouves
    noms = dict(zip(tous["id"], tous["nom"], strict=True))
    communes = dict(zip(tous["id"], tous.get("commune", pd.Series([None] * len(tous))), strict=True))
    return pd.DataFrame(
        {
            "id": trouves["id_b"],
            "nom": [noms.get(i) for i in trouves["id_b"]],
            "commune": [communes.get(i) for i in trouves["id_b"]],
            "pourquoi": trouves["raisons"],
        }
    )
