"""What colours the QPV on a coverage map: a measure, its classes, their colours and their words.

Three kinds of measure (``genre``):

- ``distance``: metres to the nearest matching actor (``coverage.couverture``'s ``distance_m``):
  0 = « dans le QPV », then ≤ each break (default 300 m, 1 000 m, 2 000 m), then beyond the
  last one; NaN = « aucun dans le territoire » (no matching actor in the whole territory);
- ``compte``: a number of actors (``n_300m``…): 0, 1, 2 à 4, 5 ou plus; NaN = inconnu;
- ``couvert``: yes / no / unknown.

Colours are ColorBrewer's RdYlBu (colour-blind safe): blue where actors are near or many, red
where they are far or none; grey for no value. Numbers are written the French way (narrow
no-break space between thousands: « 5 822 habitants »).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ecosysteme.domaine import reglages
from ecosysteme.domaine.erreurs import ErreurEcosysteme

Genre = Literal["distance", "compte", "couvert"]

#: ColorBrewer RdYlBu, from blue (good) to red (bad), by number of classes.
RDYLBU: dict[int, tuple[str, ...]] = {
    2: ("#2c7bb6", "#d7191c"),
    3: ("#91bfdb", "#ffffbf", "#fc8d59"),
    4: ("#2c7bb6", "#abd9e9", "#fdae61", "#d7191c"),
    5: ("#2c7bb6", "#abd9e9", "#ffffbf", "#fdae61", "#d7191c"),
    6: ("#4575b4", "#91bfdb", "#e0f3f8", "#fee090", "#fc8d59", "#d73027"),
    7: ("#4575b4", "#91bfdb", "#e0f3f8", "#ffffbf", "#fee090", "#fc8d59", "#d73027"),
}
GRIS = "#bdbdbd"
#: Fill of QPV drawn without a measure.
NEUTRE = "#7570b3"


def entier_fr(n: float) -> str:
    """``5822`` → ``5 822`` (narrow no-break space U+202F between thousands)."""
    return f"{round(n):,}".replace(",", "\u202f")


def habitants(population: object) -> str:
    """« 5 822 habitants », « 1 habitant », « population inconnue » (None, NaN)."""
    if population is None or isinstance(population, bool):
        return "population inconnue"
    try:
        p = float(population)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "population inconnue"
    if math.isnan(p):
        return "population inconnue"
    return f"{entier_fr(p)} habitant{'s' if p >= 2 else ''}"


def distance_fr(metres: float) -> str:
    """« dans le QPV » (0), « à 437 m », « à 1 250 m » (10 m steps beyond 1 km), « aucun dans
    le territoire » (NaN)."""
    if math.isnan(metres):
        return "aucun dans le territoire"
    if metres <= 0:
        return "dans le QPV"
    arrondi = round(metres) if metres < 1000 else round(metres, -1)
    return f"à {entier_fr(max(arrondi, 1))} m"


@dataclass(frozen=True)
class Classe:
    libelle: str
    couleur: str


@dataclass(frozen=True)
class Mesure:
    """The column of the QPV frame that colours the map, its French label and its kind.

    ``seuils``: class breaks in metres for a distance (strictly increasing, 1 to 5 of them);
    a value v > 0 falls in the first class whose break b has v ≤ b.
    """

    colonne: str
    libelle: str
    genre: Genre = "distance"
    seuils: tuple[float, ...] = field(default_factory=lambda: reglages.PALIERS_DISTANCE)

    def __post_init__(self) -> None:
        if self.genre not in ("distance", "compte", "couvert"):
            raise ErreurEcosysteme(f"genre de mesure inconnu : {self.genre!r} (distance, compte ou couvert).")
        if self.genre == "distance":
            s = self.seuils
            if (
                not 1 <= len(s) <= 5
                or any(b <= 0 for b in s)
                or any(b >= c for b, c in zip(s, s[1:], strict=False))
            ):
                raise ErreurEcosysteme(
                    "les seuils de distance doivent être positifs, croissants, au nombre de 1 à 5 (mètres)."
                )

    def classes(self) -> tuple[Classe, ...]:
        """Every class, the « no value » class last."""
        if self.genre == "distance":
            s = self.seuils
            couleurs = RDYLBU[len(s) + 2]
            libelles = ["dans le QPV", f"jusqu'à {entier_fr(s[0])} m"]
            libelles += [f"{entier_fr(a)} à {entier_fr(b)} m" for a, b in zip(s, s[1:], strict=False)]
            libelles.append(f"plus de {entier_fr(s[-1])} m")
            return (
                *(Classe(x, c) for x, c in zip(libelles, couleurs, strict=True)),
                Classe("aucun dans le territoire", GRIS),
            )
        if self.genre == "compte":
            libelles = ["aucun", "1", "2 à 4", "5 ou plus"]
            return (
                *(Classe(x, c) for x, c in zip(libelles, reversed(RDYLBU[4]), strict=True)),
                Classe("inconnu", GRIS),
            )
        return (Classe("oui", RDYLBU[2][0]), Classe("non", RDYLBU[2][1]), Classe("inconnu", GRIS))

    def classer(self, valeurs: pd.Series | np.ndarray) -> np.ndarray:
        """Index in :meth:`classes` of each value (the last class for a missing value)."""
        if self.genre == "couvert":
            brutes = pd.Series(np.asarray(valeurs, dtype=object))
            manquant = brutes.isna().to_numpy()
            vrai = np.array([bool(v) for v in brutes.fillna(False)], dtype=bool)
            return np.where(manquant, 2, np.where(vrai, 0, 1)).astype(np.int64)
        v = pd.to_numeric(pd.Series(np.asarray(valeurs, dtype=object)), errors="coerce").to_numpy(float)
        manquant = np.isnan(v)
        if self.genre == "distance":
            rang = np.where(v <= 0, 0, 1 + np.searchsorted(np.asarray(self.seuils), v, side="left"))
            return np.where(manquant, len(self.seuils) + 2, rang).astype(np.int64)
        rang = np.select([v <= 0, v < 2, v < 5], [0, 1, 2], 3)
        return np.where(manquant, 4, rang).astype(np.int64)

    def formater(self, valeur: object) -> str:
        """The value in French words, for a tooltip: « à 450 m », « dans le QPV », « 3 acteurs »,
        « aucun », « oui »…"""
        if self.genre == "couvert":
            if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)) or valeur is pd.NA:
                return "inconnu"
            return "oui" if bool(valeur) else "non"
        try:
            v = float(valeur)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            v = math.nan
        if self.genre == "distance":
            return distance_fr(v)
        if math.isnan(v):
            return "inconnu"
        if v <= 0:
            return "aucun"
        return f"{entier_fr(v)} acteur{'s' if v >= 2 else ''}"


@dataclass(frozen=True)
class Etats:
    """A colouring of the QPV by state rather than by a number: ``colonne`` holds keys of
    ``etats`` (for example the lieu totem's « nouveau », « deja », « hors »), each with its
    French label and colour; any other value falls in a last grey class « inconnu ». Same
    interface as :class:`Mesure` for a document map (``classes``, ``classer``)."""

    colonne: str
    libelle: str
    etats: tuple[tuple[str, Classe], ...]

    def __post_init__(self) -> None:
        cles = [k for k, _ in self.etats]
        if not cles or len(set(cles)) != len(cles):
            raise ErreurEcosysteme("les états d'une carte doivent être distincts et au moins un.")

    def classes(self) -> tuple[Classe, ...]:
        return (*(c for _, c in self.etats), Classe("inconnu", GRIS))

    def classer(self, valeurs: pd.Series | np.ndarray) -> np.ndarray:
        rangs = {k: i for i, (k, _) in enumerate(self.etats)}
        autre = len(self.etats)
        rang = [rangs.get(v, autre) if isinstance(v, str) else autre for v in valeurs]
        return np.array(rang, dtype=np.int64)
