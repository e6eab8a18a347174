"""Normalisation of values on input: phones, lists, legacy values, SIRET, labels.

Pure functions; each returns the normalised value and, where something was dropped or
changed in a way the user should know, a French warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache, lru_cache

import phonenumbers

from ecosysteme.domaine import standard
from ecosysteme.domaine.texte import sans_accents

PIVOT_INCONNU = "00000000000000"

# Where a phone number without an international prefix is tried, by département code.
_REGION_PAR_DEPARTEMENT = {
    "971": "GP",
    "972": "MQ",
    "973": "GF",
    "974": "RE",
    "975": "PM",
    "976": "YT",
    "977": "BL",
    "978": "MF",
    "986": "WF",
    "987": "PF",
    "988": "NC",
}
#: National prefixes reserved for overseas départements (plan de numérotation ARCEP).
_PREFIXES_DOM = {
    "0590": "GP",
    "0690": "GP",
    "0691": "GP",
    "0594": "GF",
    "0694": "GF",
    "0596": "MQ",
    "0696": "MQ",
    "0697": "MQ",
    "0262": "RE",
    "0692": "RE",
    "0693": "RE",
    "0269": "YT",
    "0639": "YT",
    "0508": "PM",
}
_REGIONS_ESSAYEES = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "NC", "PF", "WF")
_PREFIXES_STANDARD = ("+33", "+590", "+594", "+262", "+596", "+269", "+687", "+689", "+508", "+681")

#: The 15 services of the former "v0" hub exports and of the 2022 files, mapped to the 9
#: services of the standard v1.0.2 (a legacy service may map to nothing: absent here).
SERVICES_ANCIENS: dict[str, tuple[str, ...]] = {
    "Prendre en main un smartphone ou une tablette": ("Maîtrise des outils numériques du quotidien",),
    "Prendre en main un ordinateur": ("Maîtrise des outils numériques du quotidien",),
    "Utiliser le numérique au quotidien": ("Maîtrise des outils numériques du quotidien",),
    "Approfondir ma culture numérique": ("Compréhension du monde numérique",),
    "Promouvoir la citoyenneté numérique": ("Compréhension du monde numérique",),
    "Devenir autonome dans les démarches administratives": ("Aide aux démarches administratives",),
    "Réaliser des démarches administratives avec un accompagnement": ("Aide aux démarches administratives",),
    "Accompagner les démarches de santé": ("Aide aux démarches administratives",),
    "Favoriser mon insertion professionnelle": ("Insertion professionnelle via le numérique",),
    "Créer et développer mon entreprise": ("Insertion professionnelle via le numérique",),
    "Accéder à une connexion internet": ("Accès internet et matériel informatique",),
    "Accéder à du matériel": ("Accès internet et matériel informatique",),
    "S'équiper en matériel informatique": ("Acquisition de matériel informatique à prix solidaire",),
    "Créer avec le numérique": ("Loisirs et créations numériques",),
    "Soutenir la parentalité et l'éducation avec le numérique": (
        "Parentalité et éducation avec le numérique",
    ),
}

#: Former ``publics_accueillis`` values: to ``publics_specifiquement_adresses`` (P) or
#: ``prise_en_charge_specifique`` (S); "Adultes" addresses no specific public.
PUBLICS_ANCIENS: dict[str, tuple[str, str | None]] = {
    "Jeunes (16-26 ans)": ("P", "Jeunes"),
    "Jeunes": ("P", "Jeunes"),
    "Étudiants": ("P", "Étudiants"),
    "Familles/enfants": ("P", "Familles et/ou enfants"),
    "Seniors (+ 65 ans)": ("P", "Seniors"),
    "Seniors": ("P", "Seniors"),
    "Femmes": ("P", "Femmes"),
    "Adultes": ("P", None),
    "Surdité": ("S", "Surdité"),
    "Handicaps moteurs": ("S", "Handicaps moteurs"),
    "Handicaps mentaux : déficiences limitant les activités d'une personne": ("S", "Handicaps mentaux"),
    "Handicaps psychiques : troubles psychiatriques donnant lieu à des atteintes comportementales": (
        "S",
        "Handicaps mentaux",
    ),
    "Personnes en situation d'illettrisme": ("S", "Illettrisme"),
    "Déficience visuelle": ("S", "Déficience visuelle"),
    "Public langues étrangères": ("S", "Langues étrangères (autres)"),
}

#: Former ``conditions_acces`` (prefix before " :") to ``frais_a_charge``.
CONDITIONS_ANCIENNES: dict[str, str] = {
    "Gratuit": "Gratuit",
    "Gratuit sous condition": "Gratuit sous condition",
    "Payant": "Payant",
    "Adhésion": "Payant",
    "Accepte le Pass numérique": "Gratuit sous condition",
}

#: Former ``modalites_accompagnement`` (prefix before " :") to the current values.
ACCOMPAGNEMENTS_ANCIENS: dict[str, str] = {
    "Avec de l'aide": "Accompagnement individuel",
    "Dans un atelier": "Dans un atelier collectif",
    "Seul": "En autonomie",
    "A ma place": "Accompagnement individuel",
    "À ma place": "Accompagnement individuel",
}

#: Former ``labels_nationaux`` to ``dispositif_programmes_nationaux``.
LABELS_ANCIENS: dict[str, str] = {
    "CNFS": "Conseillers numériques",
    "Conseillers numériques": "Conseillers numériques",
    "France Services": "France Services",
    "Aidants Connect": "Aidants Connect",
    "APTIC": "",
    "Points numériques CAF": "Point d'accès numérique CAF",
    "Point d'accès numérique CAF": "Point d'accès numérique CAF",
}


def texte(value: object) -> str | None:
    """A stripped string, or None for empty / missing / NaN values."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    s = str(value).strip()
    if not s or s.lower() in {"nan", "none", "null"}:
        return None
    return s


@lru_cache(maxsize=65536)
def cle(value: str) -> str:
    """Comparison key: lower case, no accents, single spaces, typographic quotes folded."""
    v = sans_accents(value).replace("’", "'").replace("«", '"').replace("»", '"')
    v = re.sub(r"\s+", " ", v).strip().lower()
    # "Étapes numériques(La Poste)" (schema) and "Étapes numériques (La Poste)" (producers)
    return re.sub(r"\s*\(\s*", " (", v)


def decouper(value: object) -> list[str]:
    """Split a multi-valued cell: ``|`` (standard), ``;`` (v0), or a JSON array string."""
    s = texte(value)
    if s is None:
        return []
    if s.startswith("[") and s.endswith("]"):
        try:
            parsed = json.loads(s)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list):
            return [t for t in (texte(x) for x in parsed) if t]
    sep = "|" if "|" in s else ";" if ";" in s else None
    parts = s.split(sep) if sep else [s]
    out: list[str] = []
    for p in parts:
        t = texte(p)
        if t and t not in out:
            out.append(t)
    return out


@cache
def _index_enum(champ: str) -> dict[str, str]:
    return {cle(v): v for v in standard.enumerations()[champ]}


def valeurs_enum(champ: str, valeurs: Iterable[str]) -> tuple[list[str], list[str]]:
    """Match values against the enumeration of ``champ`` (accents, case, spacing folded).

    Returns (recognised values in the standard's exact spelling, unknown values as given).
    """
    index = _index_enum(champ)
    ok: list[str] = []
    inconnues: list[str] = []
    for v in valeurs:
        exact = index.get(cle(v))
        if exact is None:
            inconnues.append(v)
        elif exact not in ok:
            ok.append(exact)
    return ok, inconnues


def services_depuis(valeurs: Iterable[str]) -> tuple[list[str], list[str]]:
    """Current and legacy service labels to the 9 current services; unknown ones returned apart."""
    ancien = _index_services_anciens()
    courant = _index_enum("services")
    ok: list[str] = []
    inconnues: list[str] = []
    for v in valeurs:
        k = cle(v)
        cibles: tuple[str, ...] | None
        if k in courant:
            cibles = (courant[k],)
        else:
            cibles = ancien.get(k)
        if cibles is None:
            inconnues.append(v)
            continue
        for c in cibles:
            if c not in ok:
                ok.append(c)
    # keep the standard's order for stable output
    ordre = standard.enumerations()["services"]
    return sorted(ok, key=ordre.index), inconnues


@cache
def _index_services_anciens() -> dict[str, tuple[str, ...]]:
    return {cle(k): v for k, v in SERVICES_ANCIENS.items()}


@cache
def _index_publics_anciens() -> dict[str, tuple[str, str | None]]:
    return {cle(k): v for k, v in PUBLICS_ANCIENS.items()}


@lru_cache(maxsize=64)
def _index_dict(items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {cle(k): v for k, v in items}


def _prefixe(value: str) -> str:
    return texte(value.split(" :")[0].split(":")[0]) or value


def depuis_table(table: dict[str, str], valeurs: Iterable[str]) -> tuple[list[str], list[str]]:
    """Map legacy labels (their part before " :") through ``table``; empty targets are dropped."""
    index = {cle(k): v for k, v in table.items()} if len(table) < 8 else _index_dict(tuple(table.items()))
    ok: list[str] = []
    inconnues: list[str] = []
    for v in valeurs:
        k = cle(_prefixe(v))
        if k not in index:
            k = cle(v)
        if k not in index:
            inconnues.append(v)
            continue
        cible = index[k]
        if cible and cible not in ok:
            ok.append(cible)
    return ok, inconnues


def publics_depuis(valeurs: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
    """Legacy ``publics_accueillis`` to (publics, prises en charge, unknown)."""
    index = _index_publics_anciens()
    pub_enum = _index_enum("publics_specifiquement_adresses")
    pec_enum = _index_enum("prise_en_charge_specifique")
    publics: list[str] = []
    prises: list[str] = []
    inconnues: list[str] = []
    for v in valeurs:
        k = cle(v)
        if k in pub_enum:
            cible: tuple[str, str | None] = ("P", pub_enum[k])
        elif k in pec_enum:
            cible = ("S", pec_enum[k])
        elif k in index:
            cible = index[k]
        else:
            inconnues.append(v)
            continue
        kind, value = cible
        if value is None:
            continue
        dest = publics if kind == "P" else prises
        if value not in dest:
            dest.append(value)
    return publics, prises, inconnues


def telephone(value: object, code_departement: str | None = None) -> tuple[str | None, str | None]:
    """A phone number in E.164 as the standard wants it (overseas prefixes kept).

    Returns (normalised number or None, French warning or None).
    """
    s = texte(value)
    if s is None:
        return None, None
    raw = s
    s = re.sub(r"[\s.\-/()]", "", s)
    if s.startswith("00"):
        s = "+" + s[2:]
    regions: list[str] = []
    dom = _PREFIXES_DOM.get(s[:4]) if s.startswith("0") and len(s) == 10 else None
    if code_departement and code_departement in _REGION_PAR_DEPARTEMENT:
        regions.append(_REGION_PAR_DEPARTEMENT[code_departement])
    if dom and dom not in regions:
        regions.append(dom)
    if not dom:
        regions.extend(r for r in _REGIONS_ESSAYEES if r not in regions)
    for region in regions:
        try:
            num = phonenumbers.parse(s, region)
        except phonenumbers.NumberParseException:
            continue
        # overseas prefixes are reserved: a possible number there is kept even if not yet allocated
        if phonenumbers.is_valid_number(num) or (dom and phonenumbers.is_possible_number(num)):
            e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
            if e164.startswith(_PREFIXES_STANDARD):
                return e164, None
            return (
                None,
                f"numéro étranger « {raw} » non retenu (le standard n'accepte que la France et l'outre-mer)",
            )
        if s.startswith("+"):
            break
    return None, f"numéro de téléphone « {raw} » non reconnu, non retenu"


def pivot(value: object) -> tuple[str, str | None]:
    """SIRET / SIREN / RNA: spaces removed, checked; the placeholder when missing or invalid."""
    s = texte(value)
    if s is None:
        return PIVOT_INCONNU, None
    s = re.sub(r"[\s.]", "", s)
    if s.endswith(".0") and s[:-2].isdigit():
        s = s[:-2]
    if re.fullmatch(r"[a-zA-Z0-9]{9,14}", s):
        return s, None
    return PIVOT_INCONNU, f"identifiant SIRET/RNA « {value} » invalide, remplacé par « {PIVOT_INCONNU} »"


def pivot_connu(value: str | None) -> bool:
    """False for the placeholder SIRET, which must never be used as a deduplication key."""
    return bool(value) and value != PIVOT_INCONNU and set(value or "") != {"0"}


def code_postal(value: object) -> str | None:
    """Five-digit postal code as a string (restores a lost leading zero)."""
    s = texte(value)
    if s is None:
        return None
    s = s.replace(" ", "")
    if s.endswith(".0"):
        s = s[:-2]
    if s.isdigit() and len(s) == 4:
        s = "0" + s
    return s if re.fullmatch(r"\d{5}", s) else None


def code_insee(value: object) -> str | None:
    """Commune code as a string (``01053``, ``2A004``), leading zero restored."""
    s = texte(value)
    if s is None:
        return None
    s = s.replace(" ", "").upper()
    if s.endswith(".0"):
        s = s[:-2]
    if s.isdigit() and len(s) == 4:
        s = "0" + s
    return s if re.fullmatch(r"([013-9]\d|2[AB1-9])\d{3}", s) else None


def departement_de(code_commune: str | None, code_postal_: str | None = None) -> str | None:
    """Département code from a commune code (or, failing that, a postal code)."""
    code = code_commune or code_postal_
    if not code:
        return None
    if code.startswith("97"):
        return code[:3]
    if code_commune is None and code.startswith("20"):
        return "2A" if code < "20200" else "2B"
    return code[:2]
