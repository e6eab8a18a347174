"""The inventory of actors: the table project managers search and filter, and the actor forms.

Pure functions (no Streamlit): the page ``Inventaire`` reads the store, calls these, draws.

- :func:`tableau`: one row per actor with what the list shows (freshness of ``date_maj``, source,
  commune, EPCI), filtered by text (accents and case ignored), category, service, commune, EPCI,
  freshness class, source and status.
- :func:`acteur_depuis_formulaire`: the values typed in a form → a valid :class:`Acteur`, or
  :class:`ErreursFormulaire` holding one French message per wrong field (nothing is stored).
- :func:`differences`: field-by-field comparison of two versions (the conflict screen, the history).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ecosysteme.domaine import normalisation as normalize
from ecosysteme.domaine.dates import CLASSES_FRAICHEUR, fraicheur
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.horaires import ParserError
from ecosysteme.domaine.libelles import CHAMPS_FICHE
from ecosysteme.domaine.modeles import CHAMPS_LISTES, Acteur, Statut
from ecosysteme.domaine.texte import plier
from ecosysteme.domaine.validation import COURRIEL, URL, en_france, sans_controles

#: French label of every field a form or the history can show.
LIBELLES: dict[str, str] = {
    "nom": "Nom",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "date_maj": "Date de mise à jour",
    "code_insee": "Code INSEE",
    "arrets": "Arrêts du service itinérant",
    "itinerance": "Itinérance",
    "autres_formations_labels": "Autres formations et labels",
    "presentation_detail": "Présentation détaillée",
    "fiche_acces_libre": "Fiche Accès libre",
    "piliers": "Piliers",
    "version": "Version",
    **dict(CHAMPS_FICHE),
}

#: Columns of the inventory table, in order.
COLONNES_TABLEAU = (
    "id",
    "nom",
    "categorie",
    "commune",
    "code_postal",
    "statut",
    "fraicheur",
    "date_maj",
    "source",
    "services",
    "epci",
    "version",
)


@dataclass(frozen=True)
class FiltresInventaire:
    """What the user chose above the table (an empty tuple: no filter on that field)."""

    texte: str = ""
    categories: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    epci: tuple[str, ...] = ()
    fraicheurs: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    statuts: tuple[str, ...] = ()


def _colonne(acteurs: pd.DataFrame, col: str) -> np.ndarray:
    if col in acteurs.columns:
        return acteurs[col].to_numpy(dtype=object)
    return np.full(len(acteurs), None, dtype=object)


def _texte(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v)


def source_de(acteur: Mapping[str, Any] | pd.Series) -> str:
    """Where an actor comes from: the importer's format, else its ``source`` field, else « saisie »."""
    for champ in ("provenance_format", "source"):
        t = _texte(acteur.get(champ)).strip()
        if t:
            return t
    return "saisie"


def tableau(acteurs: pd.DataFrame, filtres: FiltresInventaire, aujourdhui: dt.date) -> pd.DataFrame:
    """The inventory rows matching ``filtres`` (columns :data:`COLONNES_TABLEAU`), sorted by name.

    ``commune`` / ``epci`` filters read the commune and EPCI found from the actor's point
    (``commune_geo`` / ``epci_geo`` of ``summary.rattacher``) when present, else ``code_insee``.
    """
    return filtrer_tableau(construire_tableau(acteurs, aujourdhui), acteurs, filtres)


def construire_tableau(acteurs: pd.DataFrame, aujourdhui: dt.date) -> pd.DataFrame:
    """Every actor as an inventory row, in the input's order (built once, filtered many times)."""
    n = len(acteurs)
    classes = [fraicheur(d, aujourdhui).classe for d in _colonne(acteurs, "date_maj")]
    sources = [source_de(r) for r in _lignes(acteurs, ("provenance_format", "source"))]
    services = _colonne(acteurs, "services")
    return pd.DataFrame(
        {
            "id": _colonne(acteurs, "id"),
            "nom": _colonne(acteurs, "nom"),
            "categorie": [_texte(c) for c in _colonne(acteurs, "categorie")],
            "commune": [_texte(c) for c in _colonne(acteurs, "commune")],
            "code_postal": [_texte(c) for c in _colonne(acteurs, "code_postal")],
            "statut": [_texte(s) or Statut.ACTIF.value for s in _colonne(acteurs, "statut")],
            "fraicheur": classes,
            "date_maj": [_date_texte(d) for d in _colonne(acteurs, "date_maj")],
            "source": sources,
            "services": [", ".join(_liste(s)) for s in services],
            "epci": [_texte(e) for e in _colonne(acteurs, "epci_geo")],
            "version": [int(v) if _texte(v) else 0 for v in _colonne(acteurs, "version")],
        },
        index=pd.RangeIndex(n),
    )


def filtrer_tableau(out: pd.DataFrame, acteurs: pd.DataFrame, filtres: FiltresInventaire) -> pd.DataFrame:
    """The rows of ``out`` (:func:`construire_tableau` of ``acteurs``, same rows in the same
    order) that match ``filtres``, sorted by name."""
    n = len(out)
    services = _colonne(acteurs, "services")
    codes = np.array(
        [
            _texte(g) or _texte(c)
            for g, c in zip(_colonne(acteurs, "commune_geo"), _colonne(acteurs, "code_insee"), strict=True)
        ],
        dtype=object,
    )
    garde = np.ones(n, dtype=bool)
    if filtres.texte.strip():
        mots = plier(filtres.texte).split()
        botte = [
            plier(" ".join(_texte(x) for x in ligne))
            for ligne in zip(
                out["nom"],
                _colonne(acteurs, "adresse"),
                out["commune"],
                out["code_postal"],
                out["id"],
                strict=True,
            )
        ]
        garde &= np.array([all(m in b for m in mots) for b in botte], dtype=bool)
    for col, choix in (
        ("categorie", filtres.categories),
        ("fraicheur", filtres.fraicheurs),
        ("source", filtres.sources),
        ("statut", filtres.statuts),
        ("epci", filtres.epci),
    ):
        if choix:
            garde &= out[col].isin(choix).to_numpy()
    if filtres.communes:
        garde &= np.isin(codes, list(filtres.communes))
    if filtres.services:
        voulus = set(filtres.services)
        garde &= np.array([bool(voulus & set(_liste(s))) for s in services], dtype=bool)
    res = out[garde]
    return res.iloc[np.lexsort((res["id"].astype(str), res["nom"].astype(str).str.lower()))].reset_index(
        drop=True
    )


def compter_fraicheur(tab: pd.DataFrame) -> dict[str, int]:
    """Rows per freshness class, in :data:`CLASSES_FRAICHEUR` order (0 included)."""
    vc = tab["fraicheur"].value_counts()
    return {c: int(vc.get(c, 0)) for c in CLASSES_FRAICHEUR}


def _lignes(acteurs: pd.DataFrame, cols: Sequence[str]) -> list[dict[str, Any]]:
    colonnes = {c: _colonne(acteurs, c) for c in cols}
    return [{c: colonnes[c][i] for c in cols} for i in range(len(acteurs))]


def _liste(v: object) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, list | tuple | np.ndarray):
        return [str(x) for x in v]
    return []


def _date_texte(v: object) -> str:
    from ecosysteme.domaine.dates import lire_date

    d = lire_date(v)
    return "" if d is None else d.isoformat()


# --- forms ---------------------------------------------------------------------------------


class ErreursFormulaire(ErreurEcosysteme, ValueError):
    """A form with wrong fields: ``erreurs`` maps each field to its French message."""

    def __init__(self, erreurs: Mapping[str, str]) -> None:
        self.erreurs = dict(erreurs)
        super().__init__(
            "Le formulaire contient des erreurs : "
            + " ; ".join(f"{LIBELLES.get(c, c)} : {m}" for c, m in self.erreurs.items())
            + ". Rien n'a été enregistré."
        )


#: The rules of every entry (``validation``); the model checks the rest of the text rules.
_COURRIEL = COURRIEL
_URL = URL


def nouvel_identifiant() -> str:
    """Identifier of an actor entered by hand (random, never reused)."""
    return f"saisie-{uuid.uuid4().hex[:12]}"


def decouper_saisie(texte: object) -> list[str]:
    """Several values typed in one field (one per line, or separated by « , » or « ; »)."""
    return [v.strip() for v in re.split(r"[\n,;]+", _texte(texte)) if v.strip()]


def _nombre(valeur: object) -> float | None:
    t = _texte(valeur).strip().replace(",", ".")
    if not t:
        return None
    return float(t)


def acteur_depuis_formulaire(
    valeurs: Mapping[str, Any], base: Acteur | None, aujourdhui: dt.date, auteur: str
) -> Acteur:
    """The actor described by a form (``base``: the stored actor being edited, None for a new
    one; its version is kept for the store's conflict check). Every field is checked; all the
    errors are raised together in :class:`ErreursFormulaire` (field → French message).

    Texts are trimmed; the phone number is normalised to E.164 as the importers do; e-mails and
    web sites are lists typed one per line (or separated by commas); ``date_maj`` becomes today.
    The text rules of every entry (``validation``: invisible characters removed; formulas, markup,
    addresses that are not ones refused) are the model's own, so the form and the importers agree.
    """
    erreurs: dict[str, str] = {}
    d: dict[str, Any] = {} if base is None else base.model_dump()
    for champ, v in valeurs.items():
        if champ in ("latitude", "longitude"):
            try:
                d[champ] = _nombre(v)
            except ValueError:
                erreurs[champ] = f"« {v} » n'est pas un nombre (exemple : 50.6292)"
        elif champ == "telephone":
            tel, avert = normalize.telephone(
                v, normalize.departement_de(valeurs.get("code_insee"), valeurs.get("code_postal"))
            )
            if avert:
                erreurs[champ] = avert
            d[champ] = tel
        elif champ == "courriels":
            liste = decouper_saisie(v)
            faux = [c for c in liste if not _COURRIEL.fullmatch(c)]
            if faux:
                erreurs[champ] = f"adresse(s) invalide(s) : {', '.join(faux)}"
            d[champ] = liste
        elif champ == "site_web":
            liste = decouper_saisie(v)
            faux = [u for u in liste if not _URL.fullmatch(u)]
            if faux:
                erreurs[champ] = f"adresse(s) web invalide(s) (commencez par https://) : {', '.join(faux)}"
            d[champ] = liste
        elif champ == "horaires":
            d[champ] = _horaires(v, erreurs)
        elif champ == "arrets":
            d[champ] = _arrets(v, erreurs)
        elif champ in CHAMPS_LISTES or champ == "typologie":
            d[champ] = _liste(v) if not isinstance(v, str) else decouper_saisie(v)
        elif isinstance(v, str):
            d[champ] = v.strip() or None
        else:
            d[champ] = v
    if not _texte(d.get("nom")).strip():
        erreurs["nom"] = "obligatoire"
    if d.get("code_postal"):
        d["code_postal"] = normalize.code_postal(d["code_postal"]) or d["code_postal"]
    lat, lon = d.get("latitude"), d.get("longitude")
    if (lat is None) != (lon is None):
        champ = "longitude" if lon is None else "latitude"
        erreurs.setdefault(champ, "latitude et longitude vont ensemble : donnez les deux, ou aucune")
    elif (
        lat is not None
        and lon is not None
        and not {"latitude", "longitude"} & set(erreurs)
        and -90 <= lat <= 90
        and -180 <= lon <= 180
        and not en_france(lon, lat)
    ):
        erreurs["latitude"] = (
            f"le point ({lat}, {lon}) n'est pas en France (latitude et longitude inversées ?)"
        )
    if base is None:
        d["id"] = _texte(d.get("id")).strip() or nouvel_identifiant()
        d.setdefault("source", "saisie")
        d["provenance_auteur"] = auteur
    d["date_maj"] = aujourdhui
    try:  # even with errors already found: every wrong field is named at once
        acteur = Acteur(**{k: v for k, v in d.items() if k in Acteur.model_fields})
    except ValidationError as exc:
        for champ, message in _erreurs_pydantic(exc).items():
            erreurs.setdefault(champ, message)
    else:
        if not erreurs:
            return acteur
    raise ErreursFormulaire(erreurs)


def _horaires(v: object, erreurs: dict[str, str]) -> str | None:
    from opening_hours import OpeningHours

    t = sans_controles(_texte(v), lignes=False).strip()
    if not t:
        return None
    try:
        OpeningHours(t)
    except ParserError as exc:
        erreurs["horaires"] = (
            f"« {t} » n'est pas au format OpenStreetMap opening_hours ({str(exc).splitlines()[0]})"
        )
    return t


def _arrets(arrets: object, erreurs: dict[str, str]) -> list[dict[str, Any]]:
    """The stops of a mobile service: each needs a name and a place; hours checked like the actor's."""
    out: list[dict[str, Any]] = []
    problemes: list[str] = []
    for i, a in enumerate(arrets if isinstance(arrets, list | tuple) else [], start=1):
        arret = {c: (v.strip() or None) if isinstance(v, str) else v for c, v in dict(a).items()}
        if not arret.get("nom"):
            problemes.append(f"arrêt n° {i} : nom manquant")
        try:
            lat, lon = _nombre(arret.get("latitude")), _nombre(arret.get("longitude"))
        except ValueError:
            lat = lon = None
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            problemes.append(f"arrêt n° {i} : latitude et longitude obligatoires (en degrés)")
        arret["latitude"], arret["longitude"] = lat, lon
        sous: dict[str, str] = {}
        arret["horaires"] = _horaires(arret.get("horaires"), sous)
        if sous:
            problemes.append(f"arrêt n° {i} : {sous['horaires']}")
        out.append(arret)
    if problemes:
        erreurs["arrets"] = " ; ".join(problemes)
    return out


_MESSAGES_PYDANTIC = {
    "missing": "obligatoire",
    "string_too_short": "obligatoire",
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "enum": "valeur hors de la liste proposée",
    "list_type": "liste attendue",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "date_parsing": "date attendue (AAAA-MM-JJ)",
}


def _erreurs_pydantic(exc: ValidationError) -> dict[str, str]:
    """Pydantic's errors as field → French message (our validators already speak French)."""
    out: dict[str, str] = {}
    for e in exc.errors():
        champ = str(e["loc"][0]) if e["loc"] else "latitude"
        if e["type"] == "value_error":
            message = str(e["msg"]).removeprefix("Value error, ")
        else:
            message = _MESSAGES_PYDANTIC.get(e["type"], f"valeur refusée ({e['msg']})")
        out.setdefault(champ, message)
    return out


def differences(avant: Mapping[str, Any] | None, apres: Mapping[str, Any] | None) -> pd.DataFrame:
    """Fields that differ between two states of an actor: champ (French label), avant, après."""
    ignores = {"version", "date_import", "provenance_auteur"}
    a, b = dict(avant or {}), dict(apres or {})
    lignes = []
    for champ in dict.fromkeys([*a, *b]):
        if champ in ignores:
            continue
        va, vb = _lisible(a.get(champ)), _lisible(b.get(champ))
        if va != vb:
            lignes.append({"champ": LIBELLES.get(champ, champ), "avant": va, "après": vb})
    return pd.DataFrame(lignes, columns=["champ", "avant", "après"])


def _lisible(v: object) -> str:
    if isinstance(v, list | tuple):
        return ", ".join(_lisible(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{k} : {_lisible(x)}" for k, x in v.items() if x not in (None, "", []))
    if isinstance(v, dt.date):
        return v.isoformat()
    return _texte(v)
