"""French typography of the texts of the exports (the fiche territoire): no-break spaces before
« : » and inside « » guillemets, narrow no-break spaces before « ; ! ? » and between thousands
(:func:`typographie`), numbers with a decimal comma (:func:`nombre_fr`), distances, residents
and percentages."""

from __future__ import annotations

import math
import re

import pandas as pd

from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.validation import sans_controles

#: No-break space (before « : » and inside guillemets) and narrow no-break space (before
#: « ; ! ? » and between thousands), as in the Lexique des règles typographiques.
ESPACE_INSECABLE = "\u00a0"

ESPACE_FINE = "\u202f"

AUCUN = "aucun"

_ESPACES = "[ \u00a0\u202f\t]"

#: A mark ends a word when an ordinary space, a closing sign or the end follows it.
_FIN_DE_MOT = r"(?=[ \t\r\n»)]|$)"


def typographie(texte: str) -> str:
    """French typography of a text: a no-break space (U+00A0) before « : » and a narrow
    no-break space (U+202F) before « ; ! ? » when the mark ends a word (spaces before it are
    replaced, one is added when missing; ``https://`` or ``18:30`` are left alone), and no-break
    spaces inside « » guillemets."""
    out = re.sub(_ESPACES + r"*:" + _FIN_DE_MOT, ESPACE_INSECABLE + ":", sans_controles(texte))
    out = re.sub(r"(?<=\S)" + _ESPACES + r"*([;!?])" + _FIN_DE_MOT, ESPACE_FINE + r"\1", out)
    out = re.sub(r"^" + _ESPACES + r"+([;!?:])", r"\1", out)
    out = re.sub("«" + _ESPACES + "*", "«" + ESPACE_INSECABLE, out)
    out = re.sub(_ESPACES + "*»", ESPACE_INSECABLE + "»", out)
    return out


def nombre_fr(valeur: float, decimales: int = 0) -> str:
    """``3953`` → « 3 953 » (U+202F between thousands), ``0.456`` with 1 decimal → « 0,5 »."""
    if not math.isfinite(valeur):
        raise ErreurEcosysteme(f"nombre « {valeur} » non fini : impossible de l'écrire.")
    texte = f"{valeur:,.{decimales}f}" if decimales > 0 else f"{round(valeur):,}"
    return texte.replace(",", ESPACE_FINE).replace(".", ",")


def distance_fr(valeur: object) -> str:
    """A nearest distance in metres: « 0 m », « 1 250 m »; « aucun » when none is known."""
    if valeur is None or isinstance(valeur, bool):
        return AUCUN
    try:
        d = float(valeur)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return AUCUN
    if not math.isfinite(d):
        return AUCUN
    return f"{nombre_fr(d)}{ESPACE_INSECABLE}m"


def habitants_fr(valeur: object) -> str:
    """A population: « 3 953 », « inconnue » when unknown."""
    if valeur is None or isinstance(valeur, bool) or pd.isna(valeur):  # type: ignore[call-overload]
        return "inconnue"
    return nombre_fr(float(valeur))  # type: ignore[arg-type]


def pourcentage_fr(part: float) -> str:
    """``0.4567`` → « 45,7 % » (narrow no-break space before %)."""
    return f"{nombre_fr(100 * part, 1)}{ESPACE_FINE}%"
