"""Duplicate actors (:mod:`ecosysteme.inventaire.doublons`): how much two actors look like one
place (pure). Names are compared on their distinctive words, addresses on their street and
number, categories on what they say of the place; :func:`score` combines them (see its docstring
for the formula and why) and :func:`_raisons` says it in French.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable

from rapidfuzz import fuzz

from ecosysteme.domaine.modeles import Categorie
from ecosysteme.inventaire.doublons_cles import _Adresse, _commune, _Nom, _nom

#: Below this distance two points are « at the same place » (geocoders differ by a few metres).
DISTANCE_SURE = 20.0

#: Categories that say what a place is; the others (« Conseiller numérique », « Association »,
#: « Autre ») come from the source or the legal form and neither confirm nor contradict.
_CATEGORIES_INFORMATIVES = frozenset(
    {
        Categorie.EPN.value,
        Categorie.FABLAB.value,
        Categorie.TIERS_LIEU.value,
        Categorie.MEDIATHEQUE.value,
        Categorie.CCAS.value,
        Categorie.FRANCE_SERVICES.value,
        Categorie.CENTRE_SOCIAL.value,
    }
)


def _ratio_mots(a: Iterable[str], b: Iterable[str]) -> float:
    """RapidFuzz similarity of two word lists: the mean of ``token_set_ratio`` (one name may hold
    the other) and ``token_sort_ratio`` (but a longer name is less sure)."""
    sa, sb = " ".join(a), " ".join(b)
    return (fuzz.token_set_ratio(sa, sb) + fuzz.token_sort_ratio(sa, sb)) / 2.0


def _similarite(a: _Nom, b: _Nom, mots_commune: Collection[str] = ()) -> float:
    """Name similarity (0–100), RapidFuzz on the distinctive words.

    Words of the shared commune (« Hem » in two names of Hem) are not distinctive. Then:
    - both names keep distinctive words: their similarity ``d``; if both also name a type of
      place, it is weighted by the agreement of the types ``t`` (0–1, the share of the shorter
      list of type words found in the other): ``d × (0.6 + 0.4 t)``;
    - only one keeps distinctive words: 80 × ``t`` when both name a type (« Médiathèque » and
      « Médiathèque Jean Macé »), 50 otherwise (nothing to compare);
    - neither: the agreement of the types (« Mairie de Hem » / « Médiathèque de Hem »: low),
      or plain similarity of what is left.
    """
    retires = set(mots_commune)
    da = [m for m in a.distinctifs if m not in retires]
    db = [m for m in b.distinctifs if m not in retires]
    types = bool(a.types) and bool(b.types)
    t = len(a.types & b.types) / min(len(a.types), len(b.types)) if types else 1.0
    if da and db:
        d = _ratio_mots(da, db)
        return d * (0.6 + 0.4 * t) if types else d
    if da or db:
        return 80.0 * t if types else 50.0
    if types:
        return 100.0 * t
    return float(fuzz.ratio(" ".join(a.mots), " ".join(b.mots)))


def _communes_compatibles(ca: str, cb: str, cpa: str, cpb: str) -> bool:
    """Two commune names that may be one commune (« Marennes » in « Marennes-Hiers-Brouage »);
    with a name missing, the postcodes decide (unknown: compatible)."""
    if ca and cb:
        return ca == cb or fuzz.token_set_ratio(ca, cb) >= 90.0
    return not (cpa and cpb) or cpa == cpb


def _accord_adresses(a: _Adresse, b: _Adresse) -> str:
    """How two addresses (of compatible communes) agree:
    « meme » same street and a common number, or the same text;
    « rue » same street, a number on one side only, or on neither;
    « numero » same street, different numbers; « autre » different streets;
    « inconnue » an address is missing. Streets are the same from a RapidFuzz
    ``token_set_ratio`` of 90 (« rue Victor Hugo » / « rue Hugo », not « avenue Jean Jaurès » /
    « rue Jean Jaurès »)."""
    if not a.voie or not b.voie:
        return "inconnue"
    if a.voie == b.voie:
        return "meme"
    if not (a.rue and b.rue) or fuzz.token_set_ratio(a.rue, b.rue) < 90.0:
        return "autre"
    if a.numeros and b.numeros:
        return "meme" if a.numeros & b.numeros else "numero"
    return "rue"


def _proximite(distance: float, distance_max: float) -> float:
    """100 under ``DISTANCE_SURE``, falling linearly to 0 at ``distance_max``; 0 when unknown."""
    if not math.isfinite(distance):
        return 0.0
    if distance <= DISTANCE_SURE:
        return 100.0
    haut = max(distance_max, DISTANCE_SURE + 1.0)
    return max(0.0, 100.0 * (haut - distance) / (haut - DISTANCE_SURE))


def _localisation(etat: str, numerotee: bool, distance: float, distance_max: float) -> float:
    """Agreement of the two locations (0–100) from the address state and the distance: the same
    numbered address is sure whatever the distance (geocoding errors); the same street without
    numbers is good evidence; a different number or street weakens what the distance says."""
    prox = _proximite(distance, distance_max)
    if etat == "meme":
        return 100.0 if numerotee else max(prox, 80.0)
    if etat == "rue":
        return max(prox, 70.0)
    if etat == "numero":
        return min(prox, 60.0)
    if etat == "autre":
        return 0.8 * prox
    return prox


def _mots_commune(ca: str, cb: str, na: _Nom, nb: _Nom) -> set[str]:
    """Words of the commune that say nothing of identity: all the words of the commune when
    both actors are in the same one, else those of either commune found in both names."""
    if ca and ca == cb:
        return set(ca.split())
    return (set(ca.split()) | set(cb.split())) & set(na.mots) & set(nb.mots)


def similarite_noms(
    nom_a: str, nom_b: str, commune_a: str | None = None, commune_b: str | None = None
) -> float:
    """Similarity (0–100) of two names as :func:`candidats` measures it (see ``_similarite``):
    « Médiathèque de Hem » / « Médiathèque municipale de Hem » → 100, « Médiathèque de Hem » /
    « Médiathèque de Lille » → low, « Mairie de Hem » / « Médiathèque de Hem » in Hem → low."""
    na, nb = _nom(nom_a), _nom(nom_b)
    ca = _commune(commune_a) if commune_a else ""
    cb = _commune(commune_b) if commune_b else ""
    return _similarite(na, nb, _mots_commune(ca, cb, na, nb))


def _accord_types(cat_a: str, cat_b: str, typo_a: frozenset[str], typo_b: frozenset[str]) -> float:
    """100 when the typologie codes overlap or the categories agree, 0 when two informative
    categories differ, 50 when nothing tells (« Conseiller numérique », « Autre »…)."""
    if typo_a & typo_b:
        return 100.0
    if cat_a in _CATEGORIES_INFORMATIVES and cat_b in _CATEGORIES_INFORMATIVES:
        return 100.0 if cat_a == cat_b else 0.0
    return 50.0


def score(similarite_nom: float, localisation: float, types: float) -> float:
    """The pair's score (0–100): ``identite × (0.4 + 0.6 × localisation / 100)`` where
    ``identite = similarite_nom + 0.3 × (types − 50)``, kept within 0–100.

    - ``similarite_nom``: name similarity (:func:`similarite_noms`), on distinctive words only;
    - ``types``: 100 for the same typologie code or category (up to +15), 0 for two different
      categories (a médiathèque is not a France Services: −15), 50 when a category says nothing
      (« Conseiller numérique », « Autre », « Association »: no change);
    - ``localisation``: 100 for the same numbered address in the same commune whatever the
      distance (geocoding errors), otherwise from the distance (100 under 20 m, 0 at
      ``distance_max``), lowered when the addresses name different numbers or streets.

    Why this shape: ``identite`` says « the same place by its name and kind », the second factor
    « at the same place ». A duplicate needs both, so they multiply: two places of one structure
    at different addresses (the conseillers numériques file names places after their employer:
    « COMMUNE DE X » at the town hall and at the library) keep at most 40 % of their name score
    (about 40–60), and two different offers in one building (the France Services and the
    médiathèque of the same town hall) get a full location factor but almost nothing in
    ``identite`` (different types of place and nothing else in common once the commune's name is
    set aside): below 25. The same place listed by two sources agrees on name and place and
    scores 85–100, whatever the source made of its category.
    """
    identite = min(100.0, max(0.0, similarite_nom + 0.3 * (types - 50.0)))
    return identite * (0.4 + 0.6 * localisation / 100.0)


def _km(distance: float) -> str:
    if not math.isfinite(distance):
        return "position inconnue"
    if distance < 1000:
        return f"à {distance:.0f} m"
    return f"à {distance / 1000:.1f} km".replace(".", ",")


def _raisons(sim: float, distance: float, etat: str, types: float, cats: tuple[str, str], ferme: bool) -> str:
    if sim >= 99.5:
        nom = "noms identiques"
    elif sim >= 80:
        nom = f"noms proches ({sim:.0f})"
    elif sim >= 60:
        nom = f"noms assez proches ({sim:.0f})"
    else:
        nom = f"noms différents ({sim:.0f})"
    parts = [f"{nom} {_km(distance)}" if math.isfinite(distance) else f"{nom}, {_km(distance)}"]
    parts.append(
        {
            "meme": "même adresse",
            "rue": "même rue",
            "numero": "même rue, autre numéro",
            "autre": "adresses différentes",
        }.get(etat, "adresse inconnue")
    )
    if types >= 100:
        parts.append("même catégorie")
    elif types <= 0:
        parts.append(f"catégories différentes ({' / '.join(sorted(cats))})")
    if ferme:
        parts.append("un acteur fermé")
    return ", ".join(parts)
