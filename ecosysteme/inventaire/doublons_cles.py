"""Duplicate actors (:mod:`ecosysteme.inventaire.doublons`): names and addresses brought to
comparison keys (pure).

Names and addresses are folded (lower case, no accents, punctuation as spaces), abbreviations
expanded, synonyms of a type of place brought to one word and filler words dropped, so that two
writings of one place give one key. :class:`_Nom` splits a name into its distinctive words and its
words of a type of place (« médiathèque », « mairie »…); :class:`_Adresse` an address into its
numbers and its street. The normalisations are cached (``lru_cache``): the national file repeats
the same names and communes many times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ecosysteme.domaine.texte import plier

#: Abbreviations of addresses and names (whole words, after folding).
_ABREVIATIONS: dict[str, str] = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "bd": "boulevard",
    "bld": "boulevard",
    "blvd": "boulevard",
    "boul": "boulevard",
    "av": "avenue",
    "ave": "avenue",
    "avn": "avenue",
    "r": "rue",
    "pl": "place",
    "rte": "route",
    "ch": "chemin",
    "chem": "chemin",
    "imp": "impasse",
    "all": "allee",
    "sq": "square",
    "crs": "cours",
    "fg": "faubourg",
    "fbg": "faubourg",
    "qu": "quai",
    "res": "residence",
    "resid": "residence",
    "esp": "esplanade",
    "espl": "esplanade",
    "prom": "promenade",
    "lot": "lotissement",
    "hab": "habitation",
    "gal": "general",
    "gen": "general",
    "gl": "general",
    "mal": "marechal",
    "pdt": "president",
    "pres": "president",
    "dr": "docteur",
    "prof": "professeur",
    "cdt": "commandant",
    "ctre": "centre",
    "cial": "commercial",
    "mgr": "monseigneur",
    "n": "",
    "no": "",
    "num": "",
}

#: Abbreviations and synonyms of names (« r », « ch », « all »… are not abbreviations there).
_SYNONYMES_NOM: dict[str, str] = {
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "bd": "boulevard",
    "av": "avenue",
    "pl": "place",
    "dr": "docteur",
    "pdt": "president",
    "gal": "general",
    "gen": "general",
    "mal": "marechal",
    "bibliotheque": "mediatheque",
    "bibliotheques": "mediatheque",
    "mediatheques": "mediatheque",
    "bibli": "mediatheque",
    "commune": "mairie",
    "ville": "mairie",
    "msap": "france services",
    "csc": "centre social",
    "asso": "association",
    "assoc": "association",
    "ass": "association",
    "ctre": "centre",
    "sociale": "social",
    "departemental": "departement",
    "departementale": "departement",
    "cc": "communaute communes",
}

#: Phrases folded to one canonical form before words are looked at (names only).
_PHRASES_NOM: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(motif), remplacement)
    for motif, remplacement in (
        (r"\bhotel de ville\b", "mairie"),
        (r"\bmaisons? (?:de |des )?services? (?:au |aux )?publics?\b", "france services"),
        (r"\b(?:espace|maison|point) france services?\b", "france services"),
        (r"\bfrance service\b", "france services"),
        (r"\bcentres? socio ?culturels?\b", "centre social"),
        (r"\bcentres? sociaux\b", "centre social"),
        (r"\bmaisons? (?:de |des |du )?quartiers?\b", "centre social"),
        (r"\bmaisons? pour tous\b", "mpt"),
        (r"\bcentre communal d action sociale\b", "ccas"),
        (r"\bcentre intercommunal d action sociale\b", "cias"),
        (r"\bespaces? publics? numeriques?\b", "epn"),
        (r"\bfab ?labs?\b", "fablab"),
        (r"\btiers ?lieux?\b", "tiers lieu"),
        (r"\bcyber ?bases?\b", "cyberbase"),
    )
)

#: Words that say nothing of identity: articles, prepositions, legal forms, « municipal ».
_MOTS_VIDES = (
    "a au aux d de des du en et l la le les lez pour par sur sous un une the of "
    "association sarl sas sasu eurl sa scop scic "
    "municipal municipale municipaux municipales communal communale communaux communales "
    "intercommunal intercommunale intercommunaux intercommunales"
)
_VIDES = frozenset(_MOTS_VIDES.split())
#: Words that tell the *type* of a place, not which one (compared apart, see ``similarite``).
_MOTS_TYPES = (
    "mediatheque ludotheque mairie france services service centre social socio culturel ccas cias "
    "epn cyberbase espace maison point numerique numeriques informatique multimedia accueil antenne "
    "annexe agence pole permanence relais bureau fablab tiers lieu mjc mpt departement departemental "
    "departementale conseil communaute agglomeration communes metropole mission locale solidarite "
    "solidarites quartier quartiers jeunesse information mediation site salle inclusion emploi "
    "insertion formation caf cpam msa poste"
)
_TYPES = frozenset(_MOTS_TYPES.split())

_SIGLE = re.compile(r"\b(?:[a-z]\.){2,}")
_SUFFIXE_NUMERO = re.compile(r"(\d)\s*(bis|ter|quater|b|t|q)\b")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NUMERO = re.compile(r"^\d+$")
_ARRONDISSEMENT = re.compile(r"^(?:\d+(?:e|er|eme)?|arrondissement|arr)$")
_LETTRES_NUMERO = {"b": "bis", "t": "ter", "q": "quater"}
_CEDEX = re.compile(r"\b(?:cedex|bp|cs|tsa)\b(?:\s*\d+)?")


@lru_cache(maxsize=131072)
def _plier(texte: str) -> str:
    """Lower case, no accents, ``œ`` → ``oe``, acronyms' dots dropped, punctuation as spaces."""
    t = plier(texte.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE"))
    t = _SIGLE.sub(lambda m: m.group(0).replace(".", ""), t)
    t = _NON_ALNUM.sub(" ", t.replace("@", "a"))
    # after punctuation became spaces, so that « 0.B », « 0 b » and « 0b » give the same key
    return " ".join(_suffixe_numero(t).split())


def _suffixe_numero(texte: str) -> str:
    """« 55b », « 55 b » → « 55 bis » (also « t » → « ter », « q » → « quater »)."""
    return _SUFFIXE_NUMERO.sub(lambda m: f"{m.group(1)} {_LETTRES_NUMERO.get(m.group(2), m.group(2))}", texte)


@lru_cache(maxsize=131072)
def normaliser_nom(nom: str) -> str:
    """Comparison key of a name: folded (``_plier``), abbreviations expanded (« st » → « saint »),
    synonyms of a type of place brought to one word (« bibliothèque » → « mediatheque », « hôtel de
    ville », « commune », « ville » → « mairie », « MSAP », « espace France Services » → « france
    services », « centre socioculturel » → « centre social »), filler words dropped (articles,
    « association », « municipale », legal forms). Numbers are kept.

    « Médiathèque municipale de Hem » → « mediatheque hem »; « C.C.A.S. de St-Omer » → « ccas saint omer ».
    """
    t = _plier(nom)
    for motif, remplacement in _PHRASES_NOM:
        t = motif.sub(remplacement, t)
    mots = " ".join(_SYNONYMES_NOM.get(m, m) for m in t.split()).split()
    # dropping a filler word may bring a number next to a letter (« 0 d b » → « 0 b »): expand
    # it too, so that the key of a key is the key itself
    return _suffixe_numero(" ".join(m for m in mots if m not in _VIDES))


@lru_cache(maxsize=131072)
def _voie(adresse: str) -> str:
    """Number and street, folded, abbreviations expanded, articles and postal boxes dropped."""
    t = _CEDEX.sub(" ", _plier(adresse))
    mots = [_ABREVIATIONS.get(m, m) for m in t.split()]
    return " ".join(m for m in mots if m and m not in _VIDES)


@lru_cache(maxsize=65536)
def _commune(commune: str) -> str:
    """Commune key: folded, « st » → « saint », « cedex » and arrondissements dropped (« Paris 19e
    Arrondissement » → « paris »)."""
    t = _CEDEX.sub(" ", _plier(commune))
    mots = [_ABREVIATIONS.get(m, m) if m in {"st", "ste"} else m for m in t.split()]
    return " ".join(m for m in mots if m and not _ARRONDISSEMENT.match(m))


def normaliser_adresse(
    adresse: str | None, code_postal: str | None = None, commune: str | None = None
) -> str:
    """Comparison key of an address: « 4 R. du Gal de Gaulle », « 59000 », « LILLE CEDEX » →
    « 4 rue general gaulle 59000 lille ». Folded like names, street abbreviations expanded
    (« bd », « av », « r », « pl », « st »…), « 55bis » → « 55 bis », articles, « cedex » and
    postal boxes dropped; numbers kept. Empty when the street part is empty: a postcode and a
    commune alone do not make an address."""
    voie = _voie(adresse) if isinstance(adresse, str) else ""
    if not voie:
        return ""
    cp = code_postal.strip() if isinstance(code_postal, str) else ""
    parts = [voie, cp, _commune(commune) if isinstance(commune, str) else ""]
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class _Nom:
    """A normalised name split into distinctive words and type words."""

    mots: tuple[str, ...]
    distinctifs: tuple[str, ...]
    types: frozenset[str]


@lru_cache(maxsize=131072)
def _nom(nom: str) -> _Nom:
    mots = tuple(normaliser_nom(nom).split())
    return _Nom(mots, tuple(m for m in mots if m not in _TYPES), frozenset(m for m in mots if m in _TYPES))


@dataclass(frozen=True)
class _Adresse:
    voie: str
    numeros: frozenset[str]
    rue: str


@lru_cache(maxsize=131072)
def _adresse(adresse: str) -> _Adresse:
    voie = _voie(adresse)
    mots = voie.split()
    numeros = frozenset(m for m in mots if _NUMERO.match(m))
    rue = " ".join(m for m in mots if not _NUMERO.match(m) and m not in {"bis", "ter", "quater"})
    return _Adresse(voie, numeros, rue)


_ADRESSE_VIDE = _Adresse("", frozenset(), "")
