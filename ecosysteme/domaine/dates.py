"""Dates of the data and their freshness, written once: a ``date_maj`` read whatever its form, and
how old it is in the classes the inventory and the sheets show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ecosysteme.domaine import reglages

_B = reglages.BORNES_FRAICHEUR_MOIS
#: Freshness classes of ``date_maj`` (months since the last update), as the inventory shows them:
#: « moins de 6 mois », « 6 à 12 mois », « 12 à 18 mois », « 18 mois ou plus », « inconnue ».
CLASSES_FRAICHEUR = (
    f"moins de {_B[0]} mois",
    *(f"{a} à {b} mois" for a, b in zip(_B, _B[1:], strict=False)),
    f"{_B[-1]} mois ou plus",
    "inconnue",
)


@dataclass(frozen=True)
class Fraicheur:
    classe: str
    #: Whole months since ``date_maj`` (None when unknown).
    mois: int | None
    date: dt.date | None

    @property
    def libelle(self) -> str:
        if self.date is None:
            return "date de mise à jour inconnue"
        return f"mise à jour le {self.date:%d/%m/%Y} ({self.classe})"


def lire_date(valeur: object) -> dt.date | None:
    """A ``date_maj`` as a date (date, datetime or ISO text), None when missing or unreadable."""
    if valeur is None or (isinstance(valeur, float) and valeur != valeur):
        return None
    if isinstance(valeur, dt.datetime):
        return valeur.date()
    if isinstance(valeur, dt.date):
        return valeur
    try:
        return dt.date.fromisoformat(str(valeur)[:10])
    except ValueError:
        return None


def fraicheur(date_maj: object, aujourdhui: dt.date) -> Fraicheur:
    """Freshness of an update date: < 6 months, 6–12, 12–18, ≥ 18 months (the bounds of
    ``reglages.BORNES_FRAICHEUR_MOIS``), or unknown (also for a date in the future, which cannot
    be trusted)."""
    d = lire_date(date_maj)
    if d is None or d > aujourdhui:
        return Fraicheur("inconnue", None, d)
    mois = (aujourdhui.year - d.year) * 12 + aujourdhui.month - d.month - (aujourdhui.day < d.day)
    for borne, classe in zip(_B, CLASSES_FRAICHEUR, strict=False):
        if mois < borne:
            return Fraicheur(classe, mois, d)
    return Fraicheur(CLASSES_FRAICHEUR[len(_B)], mois, d)
