"""Opening hours: validation of OSM ``opening_hours`` strings, conversion of per-day columns.

The standard stores ``horaires`` in the OpenStreetMap ``opening_hours`` syntax
(``Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00``). Validation relies on the maintained
parser ``opening_hours`` (package ``opening-hours-py``). The ANCT France Services list gives
one free-text column per day (``h_lundi`` … ``h_samedi``, no Sunday), which
:func:`horaires_france_services` turns into one OSM string.

Pure functions; each returns its result and French warnings for what was dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

import opening_hours
from opening_hours import OpeningHours

from ecosysteme.domaine import normalisation as normalize

#: The parser's exception (raised by ``OpeningHours``), missing from the package's type stub.
ParserError: type[Exception] = opening_hours.ParserError  # type: ignore[attr-defined]

#: France Services columns, in week order, with the OSM day code and the French day name.
JOURS_FRANCE_SERVICES: tuple[tuple[str, str, str], ...] = (
    ("h_lundi", "Mo", "lundi"),
    ("h_mardi", "Tu", "mardi"),
    ("h_mercredi", "We", "mercredi"),
    ("h_jeudi", "Th", "jeudi"),
    ("h_vendredi", "Fr", "vendredi"),
    ("h_samedi", "Sa", "samedi"),
)

#: An interval in minutes since midnight, start < end, end <= 24 * 60.
Intervalle = tuple[int, int]

# A time: "9", "9h", "9h30", "09:30", "09 :30", "09 : 30", "09.30"; not part of a longer number.
# Spaces may follow ":" but not "h" ("13h 14h00" is two times, not 13:14).
_HEURE = re.compile(r"(?<!\d)(\d{1,2})(?:\s*:\s*(\d{2})|\s*[hH.](\d{2})?)?(?!\d)")
# What may stand between times: spaces, dashes, slashes, commas, "à", "et", stray colons.
_RESIDU_ADMIS = re.compile(r"(?:[\s\-–—/,;:|+&]|\bà\b|\ba\b|\bet\b)*", re.IGNORECASE)
# Values meaning "closed that day".
_FERME = {"-", "–", "—", "fermé", "ferme", "fermée", "fermee", "closed", "off"}


def _raison_courte(erreur: Exception) -> str:
    """The parser's short reason: position and expected tokens, without the ASCII drawing."""
    message = str(erreur)
    position = re.search(r"-->\s*(\d+):(\d+)", message)
    attendu = next(
        (ligne.split("=", 1)[1].strip() for ligne in message.splitlines() if ligne.strip().startswith("=")),
        None,
    )
    morceaux: list[str] = []
    if position:
        morceaux.append(f"caractère {position.group(2)}")
    if attendu:
        morceaux.append(attendu)
    if not morceaux:
        premiere = message.strip().splitlines()
        return premiere[0] if premiere else "erreur de syntaxe"
    return " : ".join(morceaux)


def valider_horaires(texte: str | None) -> tuple[str | None, str | None]:
    """Check an OSM ``opening_hours`` string with the maintained parser.

    Returns (the producer's string, stripped, None) when valid; (None, French warning quoting
    the value and the parser's reason) when not; (None, None) for an empty value.
    """
    s = normalize.texte(texte)
    if s is None:
        return None, None
    return _valider(s)


@lru_cache(maxsize=16384)
def _valider(s: str) -> tuple[str | None, str | None]:
    try:
        OpeningHours(s)
    except ParserError as erreur:
        return None, (
            f"horaires « {s} » non conformes à la syntaxe OpenStreetMap opening_hours "
            f"({_raison_courte(erreur)}), non retenus"
        )
    return s, None


def _minutes(heures: str, minutes: str | None) -> int | None:
    h = int(heures)
    m = int(minutes) if minutes else 0
    if m >= 60 or h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


def _une_ligne(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def intervalles_jour(value: object) -> tuple[list[Intervalle] | None, bool]:
    """Parse one day's free text into sorted, merged intervals (minutes since midnight).

    ``00:00 - 00:00`` (the national form's placeholder) counts as no interval.

    Returns (intervals, readable): ``([], True)`` for an empty or closed day,
    ``(None, False)`` when the text cannot be read (odd number of times, times going
    backwards, unknown words, impossible times).
    """
    s = normalize.texte(value)
    if s is None or s.lower() in _FERME:
        return [], True
    intervalles, lisible = _intervalles_texte(s)
    return (list(intervalles) if intervalles is not None else None), lisible


@lru_cache(maxsize=16384)
def _intervalles_texte(s: str) -> tuple[tuple[Intervalle, ...] | None, bool]:
    temps: list[int] = []
    for m in _HEURE.finditer(s):
        t = _minutes(m.group(1), m.group(2) or m.group(3))
        if t is None:
            return None, False
        temps.append(t)
    residu = _HEURE.sub(" ", s)
    if not _RESIDU_ADMIS.fullmatch(residu):
        return None, False
    if not temps or len(temps) % 2:
        return None, False
    bruts = [(temps[i], temps[i + 1]) for i in range(0, len(temps), 2)]
    # "00:00 - 00:00" is the national form's placeholder for "no hours": not an interval
    uniques = [iv for iv in dict.fromkeys(bruts) if iv != (0, 0)]  # exact duplicates dropped
    debut_precedent = -1
    for debut, fin in uniques:
        # each interval must go forward, and must not start before the previous one
        if debut >= fin or debut < debut_precedent:
            return None, False
        debut_precedent = debut
    fusion: list[Intervalle] = []
    for debut, fin in uniques:
        if fusion and debut <= fusion[-1][1]:
            fusion[-1] = (fusion[-1][0], max(fusion[-1][1], fin))
        else:
            fusion.append((debut, fin))
    return tuple(fusion), True


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _selecteur_jours(codes: Sequence[str], indices: Sequence[int]) -> str:
    """``Mo-Fr``, ``Mo,We``, ``Mo-Tu,Th-Fr`` from sorted day indices."""
    morceaux: list[str] = []
    i = 0
    while i < len(indices):
        j = i
        while j + 1 < len(indices) and indices[j + 1] == indices[j] + 1:
            j += 1
        if j > i:
            morceaux.append(f"{codes[indices[i]]}-{codes[indices[j]]}")
        else:
            morceaux.append(codes[indices[i]])
        i = j + 1
    return ",".join(morceaux)


def formater_semaine(jours: Sequence[tuple[str, Sequence[Intervalle]]]) -> str | None:
    """OSM string from (day code, intervals) in week order; days with no interval are closed.

    Days with identical intervals share one rule, in the order of their first day.
    """
    groupes: dict[tuple[Intervalle, ...], list[int]] = {}
    for index, (_code, intervalles) in enumerate(jours):
        if intervalles:
            groupes.setdefault(tuple(intervalles), []).append(index)
    if not groupes:
        return None
    codes = [code for code, _ in jours]
    regles = [
        f"{_selecteur_jours(codes, indices)} "
        + ",".join(f"{_hhmm(debut)}-{_hhmm(fin)}" for debut, fin in intervalles)
        for intervalles, indices in groupes.items()
    ]
    return "; ".join(regles)


def horaires_france_services(jours: Mapping[str, object]) -> tuple[str | None, list[str]]:
    """Convert France Services day columns (``h_lundi`` … ``h_samedi``) to one OSM string.

    Tolerant times (``9h``, ``9h30``, ``09 :30``, ``09:00``) are paired into intervals; exact
    duplicates are dropped and overlaps merged. A day whose text cannot be read is left out
    with a French warning. Returns (OSM string or None when no day is open, warnings).
    """
    avertissements: list[str] = []
    semaine: list[tuple[str, list[Intervalle]]] = []
    for colonne, code, nom_jour in JOURS_FRANCE_SERVICES:
        brut = jours.get(colonne)
        intervalles, lisible = intervalles_jour(brut)
        if not lisible or intervalles is None:
            avertissements.append(
                f'horaires du {nom_jour} illisibles : "{_une_ligne(str(brut))}", jour ignoré'
            )
            intervalles = []
        semaine.append((code, intervalles))
    resultat = formater_semaine(semaine)
    if resultat is not None:
        valide, erreur = valider_horaires(resultat)
        if erreur is not None:  # pragma: no cover - the formatter only writes valid syntax
            avertissements.append(erreur)
        resultat = valide
    return resultat, avertissements
