"""Our own category of an actor (DESIGN: médiathèque, EPN, fablab, tiers-lieu, CCAS, France Services,
centre social, conseiller numérique, association, autre), derived on import and editable.

:func:`categorie_depuis` applies ordered rules, first match wins: ``typologie`` codes, then the
source format, then keywords in the name, then national programmes, then associations.
Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from ecosysteme.domaine.modeles import Categorie
from ecosysteme.domaine.normalisation import cle

#: French display labels.
LIBELLES: dict[Categorie, str] = {
    Categorie.EPN: "Espace public numérique (EPN)",
    Categorie.FABLAB: "Fablab",
    Categorie.TIERS_LIEU: "Tiers-lieu",
    Categorie.MEDIATHEQUE: "Médiathèque ou bibliothèque",
    Categorie.CCAS: "Centre communal d'action sociale (CCAS)",
    Categorie.FRANCE_SERVICES: "France Services",
    Categorie.CENTRE_SOCIAL: "Centre social",
    Categorie.CONSEILLER_NUMERIQUE: "Conseiller numérique",
    Categorie.ASSOCIATION: "Association",
    Categorie.AUTRE: "Autre",
}

#: Rule 1: ``typologie`` codes, in priority order (the first category that matches wins).
TYPOLOGIES: tuple[tuple[Categorie, frozenset[str]], ...] = (
    (Categorie.MEDIATHEQUE, frozenset({"BIB", "RELAIS_LECTURE"})),
    (Categorie.EPN, frozenset({"EPN", "EPI", "ENM"})),
    (Categorie.FABLAB, frozenset({"FABLAB", "FABRIQUE"})),
    (Categorie.TIERS_LIEU, frozenset({"TIERS_LIEUX"})),
    (Categorie.CCAS, frozenset({"CCAS", "CIAS"})),
    (Categorie.FRANCE_SERVICES, frozenset({"RFS", "MSAP"})),
    (Categorie.CENTRE_SOCIAL, frozenset({"CS", "CSC", "EVS", "MQ", "MDH"})),
)

#: Rule 2: source formats that tell the category by themselves.
FORMATS: dict[str, Categorie] = {
    "france-services": Categorie.FRANCE_SERVICES,
    "bibliotheques": Categorie.MEDIATHEQUE,
}

#: Rule 3: keywords in the name, on the folded name (see ``_pli``), in priority order.
MOTS_CLES: tuple[tuple[Categorie, re.Pattern[str]], ...] = (
    (Categorie.MEDIATHEQUE, re.compile(r"\b(?:ludo ?)?(?:mediatheque|bibliotheque)s?\b")),
    (
        Categorie.EPN,
        re.compile(r"\bespaces? publics? numeriques?\b|\bepn\b|\bcyber ?bases?\b"),
    ),
    (Categorie.FABLAB, re.compile(r"\bfab ?labs?\b")),
    (Categorie.TIERS_LIEU, re.compile(r"\btiers ?lieux?\b|\bco ?working\b")),
    (
        Categorie.CCAS,
        re.compile(r"\bccas\b|\bcias\b|\bcentre (?:inter)?communal d ?action sociale\b"),
    ),
    (
        Categorie.FRANCE_SERVICES,
        re.compile(r"\bfrance services?\b|\bmsap\b|\bmaisons? de services? au public\b"),
    ),
    (
        Categorie.CENTRE_SOCIAL,
        re.compile(
            r"\bcentres? (?:social|sociaux)\b|\bcentres? socio ?culturels?\b"
            r"|\bmaisons? de quartiers?\b|\bespaces? de vie sociale\b"
        ),
    ),
)

_ASSOCIATION_NOM = re.compile(r"\bassociations?\b")
_TYPOLOGIES_ASSOCIATION = frozenset({"ASSO", "ASSO_CHOMEUR"})
_DISPOSITIF_FRANCE_SERVICES = "france services"
_DISPOSITIFS_CONSEILLERS = frozenset({"conseillers numeriques", "conseiller numerique", "cnfs"})
_FORMAT_CONSEILLERS = "conseillers-numeriques"

#: Other spellings a user may type in an editable import (folded like ``_pli``).
_ALIAS: dict[Categorie, tuple[str, ...]] = {
    Categorie.EPN: ("espace public numerique", "espaces publics numeriques", "epns"),
    Categorie.FABLAB: ("fab lab", "fablabs", "fab labs"),
    Categorie.TIERS_LIEU: ("tiers lieux", "tierslieu", "tiers lieu"),
    Categorie.MEDIATHEQUE: ("mediatheques", "bibliotheque", "bibliotheques", "mediatheque bibliotheque"),
    Categorie.CCAS: ("cias", "centre communal d action sociale", "centres communaux d action sociale"),
    Categorie.FRANCE_SERVICES: ("france service", "maison france services", "msap", "rfs"),
    Categorie.CENTRE_SOCIAL: ("centres sociaux", "centre socioculturel", "centre socio culturel"),
    Categorie.CONSEILLER_NUMERIQUE: ("conseillers numeriques", "cnfs"),
    Categorie.ASSOCIATION: ("associations", "asso"),
    Categorie.AUTRE: ("autres",),
}


def _pli(value: str) -> str:
    """Folded text for matching: no accents, lower case, hyphens/underscores/apostrophes as spaces,
    dots removed (``C.C.A.S.``)."""
    v = re.sub(r"[-_'’‐‑–—]", " ", cle(value).replace(".", ""))
    return re.sub(r"\s+", " ", v).strip()


def _format(source_format: str | None) -> str:
    return re.sub(r"[\s_]+", "-", cle(source_format)) if source_format else ""


def categorie_depuis(
    typologie: Sequence[str],
    source_format: str | None,
    nom: str | None,
    dispositifs: Sequence[str],
) -> Categorie:
    """Derive our category; ordered rules, the first match wins.

    1. ``typologie`` codes (``TYPOLOGIES``, in that order); 2. the source format
    (``france-services``, ``bibliotheques``); 3. keywords of the name (``MOTS_CLES``);
    4. the France Services programme; 5. the conseillers numériques source or programme;
    6. an association (typologie ``ASSO``/``ASSO_CHOMEUR`` or the word in the name); 7. other.
    """
    codes = {t.strip().upper() for t in typologie if t and t.strip()}
    for categorie, attendus in TYPOLOGIES:
        if codes & attendus:
            return categorie

    fmt = _format(source_format)
    if fmt in FORMATS:
        return FORMATS[fmt]

    nom_plie = _pli(nom) if nom else ""
    if nom_plie:
        for categorie, motif in MOTS_CLES:
            if motif.search(nom_plie):
                return categorie

    programmes = {_pli(d) for d in dispositifs if d}
    if _DISPOSITIF_FRANCE_SERVICES in programmes:
        return Categorie.FRANCE_SERVICES

    if fmt == _FORMAT_CONSEILLERS or programmes & _DISPOSITIFS_CONSEILLERS:
        return Categorie.CONSEILLER_NUMERIQUE

    if codes & _TYPOLOGIES_ASSOCIATION or _ASSOCIATION_NOM.search(nom_plie):
        return Categorie.ASSOCIATION

    return Categorie.AUTRE


@cache
def _index_textes() -> dict[str, Categorie]:
    index: dict[str, Categorie] = {}
    for categorie in Categorie:
        for texte in (categorie.value, categorie.name, LIBELLES[categorie], *_ALIAS[categorie]):
            index.setdefault(_pli(texte), categorie)
    return index


def categorie_depuis_texte(s: str | None) -> Categorie | None:
    """Read a category typed by a user: enum value or name, French label, common spellings.

    Accents, case, hyphens and spacing do not matter (``tiers lieux``, ``MEDIATHEQUE``,
    ``Espace public numérique (EPN)``). Returns None when the text names no category.
    """
    if s is None:
        return None
    plie = _pli(s)
    if not plie:
        return None
    trouve = _index_textes().get(plie)
    if trouve is not None:
        return trouve
    # a whole text that is one of the name keywords ("Bibliothèque", "Cyber-base", "CIAS")
    for categorie, motif in MOTS_CLES:
        if motif.fullmatch(plie):
            return categorie
    return None
