"""Opening hours as a week grid: the value edited by the actor forms, and its OSM string.

The standard stores ``horaires`` in the OpenStreetMap ``opening_hours`` syntax. The forms show a
grid instead: for each day, Monday to Sunday, at most :data:`MAX_PLAGES` opening intervals in
minutes since midnight, plus « fermé les jours fériés » (``PH off``). :class:`Semaine` is that
value; every instance is valid (intervals within 00:00–24:00, start before end, in order,
neither overlapping nor touching).

- :func:`vers_osm` writes the compact canonical string (days with identical intervals share one
  rule: ``Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00``; a week open round the clock is
  ``24/7``; ``; PH off`` last when asked); an empty week gives ``None`` (hours unknown).
- :func:`depuis_osm` reads back what the editor writes and the simple forms found in real files
  (day ranges and lists, several intervals, ``24/7``, ``off``, a final ``PH off``). The week is
  taken from the maintained parser (package ``opening_hours``) evaluated over a reference week,
  so the grid means exactly what the string means. It returns ``None`` when the string uses what
  a week grid cannot show (week numbers, months, dates, other public-holiday rules, comments,
  ``unknown``, sunrise/sunset, times past midnight, more than three intervals a day) or closes
  every day: the form then falls back to the raw field.

Pure functions; invalid input raises :class:`SemaineInvalide` with French messages such as
« mardi : 14:00–12:00, la fin précède le début ».
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from opening_hours import OpeningHours, State

from ecosysteme.domaine.erreurs import DonneeInvalide, Emplacement, ErreurEcosysteme
from ecosysteme.domaine.horaires import Intervalle, ParserError, formater_semaine

#: OSM day codes, Monday first.
JOURS_OSM: tuple[str, ...] = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
#: French day names, Monday first.
NOMS_JOURS: tuple[str, ...] = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
#: Most intervals a day in the grid.
MAX_PLAGES = 3
#: Minutes in a day: 24:00, the latest end of an interval.
FIN_JOURNEE = 24 * 60
#: Monday of a week without public holidays, over which OSM strings are evaluated (the same week
#: as ``coverage.creneaux_horaires``: Monday 12 January 2026).
SEMAINE_REFERENCE = dt.datetime(2026, 1, 12)
#: The « fermé les jours fériés » rule, written last.
REGLE_PH_FERME = "PH off"
#: Shown beside the raw field.
EXEMPLE_OSM = "Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00"

_SEMAINE_VIDE: tuple[tuple[Intervalle, ...], ...] = ((),) * 7

# The subset of the syntax a grid can show (checked before the parser gives the meaning).
_JOUR = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_SELECTEUR = rf"{_JOUR}(?:-{_JOUR})?(?:\s*,\s*{_JOUR}(?:-{_JOUR})?)*"
_HEURE_OSM = r"\d{1,2}:\d{2}"
_PLAGE_OSM = rf"{_HEURE_OSM}\s*-\s*{_HEURE_OSM}"
_PLAGES_OSM = rf"{_PLAGE_OSM}(?:\s*,\s*{_PLAGE_OSM})*"
_ETAT = r"(?:off|closed|open)"
_REGLE = rf"(?:24/7|{_ETAT}|{_SELECTEUR}(?:\s+{_PLAGES_OSM})?(?:\s+{_ETAT})?|{_PLAGES_OSM}(?:\s+{_ETAT})?)"
_EXPRESSION = re.compile(rf"{_REGLE}(?:\s*[;,]\s*{_REGLE})*")
_PH_FERME_FINAL = re.compile(r"^(?P<corps>.*?)\s*;\s*PH\s+(?:off|closed)$", re.DOTALL)
_PLAGE_CAPTURE = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")
# A time typed in the grid: "9", "9h", "9h30", "09:30", "9.30", "09 h 30".
_HEURE_SAISIE = re.compile(r"(\d{1,2})\s*(?:[:hH.]\s*(\d{2})?)?")


class SemaineInvalide(DonneeInvalide):
    """A week that breaks the grid's rules; ``erreurs`` holds one French sentence per problem."""

    def __init__(self, erreurs: Sequence[str]) -> None:
        self.erreurs = list(erreurs)
        super().__init__(" ; ".join(self.erreurs), Emplacement(champ="horaires"))


def hhmm(minutes: int) -> str:
    """``09:05`` from 545; 1440 gives ``24:00``."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _plage(debut: int, fin: int) -> str:
    return f"{hhmm(debut)}–{hhmm(fin)}"


def lire_heure(texte: str, ou: str = "heure") -> int:
    """Minutes since midnight from a typed time (``9``, ``9h``, ``9h30``, ``09:30``, ``9.30``,
    ``24:00``); :class:`SemaineInvalide` naming ``ou`` (« mardi, début de la plage 2 ») otherwise."""
    s = texte.strip()
    m = _HEURE_SAISIE.fullmatch(s)
    if m:
        h, mn = int(m.group(1)), int(m.group(2) or 0)
        if mn < 60 and (h < 24 or (h == 24 and mn == 0)):
            return h * 60 + mn
    raise SemaineInvalide([f"{ou} : « {s} » n'est pas une heure (écrivez HH:MM, de 00:00 à 24:00)"])


def erreurs_jour(jour: int, plages: Sequence[Intervalle]) -> list[str]:
    """The French problems of one day's intervals (``jour`` 0 = Monday), in order: an empty list
    when they fit the grid (each within 00:00–24:00, start before end, sorted, apart)."""
    nom = NOMS_JOURS[jour]
    erreurs: list[str] = []
    if len(plages) > MAX_PLAGES:
        erreurs.append(f"{nom} : {len(plages)} plages, la grille en accepte au plus {MAX_PLAGES}")
    bornees = True
    for debut, fin in plages:
        hors = [t for t in (debut, fin) if not 0 <= t <= FIN_JOURNEE]
        if hors:
            bornees = False
            erreurs.append(f"{nom} : {hors[0]} minutes, hors de la journée (de 00:00 à 24:00)")
        elif fin < debut:
            bornees = False
            erreurs.append(f"{nom} : {_plage(debut, fin)}, la fin précède le début")
        elif fin == debut:
            bornees = False
            erreurs.append(f"{nom} : {_plage(debut, fin)}, la plage est vide (début et fin identiques)")
    if not bornees:
        return erreurs
    for (d1, f1), (d2, f2) in zip(plages, plages[1:], strict=False):
        if d2 < d1:
            erreurs.append(
                f"{nom} : {_plage(d2, f2)} est placée après {_plage(d1, f1)}, remettez-les dans l'ordre"
            )
        elif d2 < f1:
            erreurs.append(f"{nom} : {_plage(d1, f1)} et {_plage(d2, f2)} se chevauchent")
        elif d2 == f1:
            erreurs.append(
                f"{nom} : {_plage(d1, f1)} et {_plage(d2, f2)} se suivent sans pause, "
                f"réunissez-les en {_plage(d1, f2)}"
            )
    return erreurs


@dataclass(frozen=True)
class Semaine:
    """Opening intervals of each day, Monday first, and « fermé les jours fériés ».

    ``jours[i]`` is a tuple of (start, end) minutes; a day with no interval is closed. Built
    directly, the value must already be canonical; :meth:`creer` sorts each day first.
    """

    jours: tuple[tuple[Intervalle, ...], ...] = field(default=_SEMAINE_VIDE)
    ph_ferme: bool = False

    def __post_init__(self) -> None:
        if len(self.jours) != 7:
            raise SemaineInvalide([f"une semaine a 7 jours, pas {len(self.jours)}"])
        erreurs = [e for i, plages in enumerate(self.jours) for e in erreurs_jour(i, plages)]
        if erreurs:
            raise SemaineInvalide(erreurs)

    @classmethod
    def creer(cls, jours: Sequence[Sequence[Intervalle]], ph_ferme: bool = False) -> Semaine:
        """A week from the intervals of each day, in any order within a day."""
        return cls(tuple(tuple(sorted((int(d), int(f)) for d, f in plages)) for plages in jours), ph_ferme)

    @property
    def vide(self) -> bool:
        """No day open: the hours are unknown (``vers_osm`` gives None)."""
        return not any(self.jours)


def erreur_osm(texte: str) -> str | None:
    """None when the maintained parser accepts ``texte``, else a French sentence with the position
    of the problem and an example."""
    try:
        OpeningHours(texte)
    except ParserError as exc:
        position = re.search(r"-->\s*\d+:(\d+)", str(exc))
        ou = f", vers le caractère {position.group(1)}" if position else ""
        return (
            f"« {texte} » ne suit pas la syntaxe OpenStreetMap des horaires{ou}. Exemple : « {EXEMPLE_OSM} »."
        )
    return None


def vers_osm(semaine: Semaine) -> str | None:
    """The canonical OSM string of ``semaine``; None for a week with no open day (whatever
    ``ph_ferme``: the flag alone says nothing of the hours). Checked with the parser."""
    if semaine.vide:
        return None
    if all(plages == ((0, FIN_JOURNEE),) for plages in semaine.jours):
        texte = "24/7"
    else:
        texte = formater_semaine(list(zip(JOURS_OSM, semaine.jours, strict=True))) or ""
    if semaine.ph_ferme:
        texte = f"{texte}; {REGLE_PH_FERME}"
    erreur = erreur_osm(texte)
    if erreur is not None:  # pragma: no cover - the writer only produces valid syntax
        raise ErreurEcosysteme(f"horaires produits invalides : {erreur}")
    return texte


def _forme_simple(corps: str) -> bool:
    """Only weekdays, times within a day and open/closed states: what a grid can show."""
    if not _EXPRESSION.fullmatch(corps):
        return False
    for h1, m1, h2, m2 in _PLAGE_CAPTURE.findall(corps):
        debut, fin = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
        if int(m1) >= 60 or int(m2) >= 60 or not debut < fin <= FIN_JOURNEE:
            return False
    return True


def intervalles_semaine(texte: str) -> tuple[tuple[Intervalle, ...], ...] | None:
    """Open intervals of each day of :data:`SEMAINE_REFERENCE` according to the maintained
    parser (cut at midnight); None when the string is invalid or any time is « unknown » or
    carries a comment."""
    try:
        oh = OpeningHours(texte)
    except ParserError:
        return None
    jours: list[list[Intervalle]] = [[] for _ in range(7)]
    fin_semaine = SEMAINE_REFERENCE + dt.timedelta(days=7)
    for debut, fin, etat, commentaire in oh.intervals(SEMAINE_REFERENCE, fin_semaine):
        if etat == State.CLOSED:
            continue
        if etat != State.OPEN or commentaire:
            return None
        a = max(0, round((debut - SEMAINE_REFERENCE).total_seconds() / 60))
        b = round((min(fin, fin_semaine) - SEMAINE_REFERENCE).total_seconds() / 60)
        while a < b:
            jour = a // FIN_JOURNEE
            coupure = min(b, (jour + 1) * FIN_JOURNEE)
            jours[jour].append((a - jour * FIN_JOURNEE, coupure - jour * FIN_JOURNEE))
            a = coupure
    return tuple(tuple(plages) for plages in jours)


def raison_hors_grille(texte: str) -> str:
    """Why :func:`depuis_osm` cannot show ``texte`` in the grid, as a French sentence for the form."""
    s = " ".join(texte.split())
    erreur = erreur_osm(s)
    if erreur is not None:
        return erreur
    m = _PH_FERME_FINAL.fullmatch(s)
    corps = m.group("corps") if m else s
    for brut, h1, m1, h2, m2 in re.findall(r"((\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2}))", corps):
        debut, fin = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
        if debut == fin:
            return (
                f"la plage « {brut} » a un début et une fin identiques : OpenStreetMap la lit comme "
                "24 heures d'ouverture d'affilée. Corrigez-la ou retirez-la."
            )
        if fin < debut or fin > FIN_JOURNEE:
            return f"la plage « {brut} » passe minuit : la grille ne montre que des plages dans la journée."
    if _forme_simple(corps):
        jours = intervalles_semaine(s)
        if jours is not None and not any(jours):
            return "ces horaires ferment tous les jours : la grille ne sait pas le montrer."
        if jours is not None and any(len(p) > MAX_PLAGES for p in jours):
            return f"un jour a plus de {MAX_PLAGES} plages : la grille en montre au plus {MAX_PLAGES}."
    return (
        "ces horaires utilisent des éléments que la grille ne sait pas montrer (semaines, mois, dates, "
        "jours fériés autres que « PH off » en dernier, commentaires, « unknown », lever ou coucher du "
        "soleil…)."
    )


def depuis_osm(texte: str | None) -> Semaine | None:
    """The week an OSM string describes, or None when a grid cannot show it.

    An empty value gives the empty week (hours unknown). A string that parses but uses more than
    weekdays and times (see the module's docstring), or keeps every day closed (``off``), gives
    None: the form shows the raw field instead. The intervals come from the parser's evaluation
    over :data:`SEMAINE_REFERENCE`, so later rules override earlier ones as in OSM, and touching
    intervals are joined.
    """
    s = " ".join((texte or "").split())
    if not s:
        return Semaine()
    m = _PH_FERME_FINAL.fullmatch(s)
    corps, ph = (m.group("corps"), True) if m else (s, False)
    if not _forme_simple(corps):
        return None
    jours = intervalles_semaine(s)
    if jours is None or not any(jours) or any(len(p) > MAX_PLAGES for p in jours):
        return None
    try:
        return Semaine(jours, ph)
    except SemaineInvalide:  # pragma: no cover - the parser's intervals are canonical
        return None
