"""Folding text for comparison, written once: accents removed, and the folded form that searches and
matches compare (lower case, dashes and apostrophes as spaces, single spaces)."""

from __future__ import annotations

import unicodedata


def sans_accents(texte: str) -> str:
    """« Épinay-sur-Seine » → « Epinay-sur-Seine »: combining marks removed (NFKD), nothing else
    changed (« Œ » and « æ » are letters of their own, kept)."""
    nfkd = unicodedata.normalize("NFKD", texte)
    return "".join(ch for ch in nfkd if not unicodedata.combining(ch))


def plier(texte: str) -> str:
    """Lower case without accents, dashes and apostrophes as spaces, single spaces:
    « Épinay-sur-Seine » → « epinay sur seine », « Lès-Œuvres  d’Ici » → « les œuvres d ici »."""
    sans = sans_accents(texte).lower().replace("-", " ").replace("'", " ").replace("’", " ")
    return " ".join(sans.split())
