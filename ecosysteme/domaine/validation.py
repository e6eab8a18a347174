"""Checks shared by every entry: coordinates (range, swapped, Lambert-93 in WGS84) and the rules of
text (below, « Règles du texte »), applied by the model ``Acteur`` itself, so that the importers,
the form and every other writer obey the same ones."""

from __future__ import annotations

import math
import re
from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from ecosysteme.domaine.erreurs import DonneeInvalide, Emplacement, FichierInvalide
from ecosysteme.domaine.projection import territoire_de_point

#: Lambert-93 (EPSG:2154) extent of metropolitan France, in metres.
_L93_X = (60_000.0, 1_250_000.0)
_L93_Y = (6_000_000.0, 7_150_000.0)

_BALISE = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


def en_france(lon: float, lat: float) -> bool:
    return territoire_de_point(lon, lat) is not None


def ressemble_lambert93(x: float, y: float) -> bool:
    return _L93_X[0] <= x <= _L93_X[1] and _L93_Y[0] <= y <= _L93_Y[1]


def ressemble_metres(x: float, y: float) -> bool:
    """Numbers of a projected system (metres: Lambert-93, Web Mercator, UTM…) rather than degrees:
    out of the degrees' ranges, and large. Lambert-93 and Web Mercator overlap over France (Lille
    is about (704 000, 7 059 000) in one, (340 000, 6 555 000) in the other): the messages name
    both, never one as a certainty."""
    return (
        math.isfinite(x)
        and math.isfinite(y)
        and (abs(x) > 180.0 or abs(y) > 90.0)
        and 1_000.0 <= max(abs(x), abs(y)) <= 1e8
    )


#: How a message names metres found where degrees are expected.
EN_METRES = "en mètres (Lambert-93 EPSG:2154, Web Mercator EPSG:3857 ou une autre projection)"


def nombre(value: str | None) -> float | None:
    """A float from a cell that may use a decimal comma; None when empty; raises ValueError."""
    if value is None:
        return None
    s = value.strip().replace("\u00a0", "").replace(" ", "")
    if not s:
        return None
    if s.count(",") == 1 and "." not in s:
        s = s.replace(",", ".")
    v = float(s)
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError(s)
    return v


@dataclass(frozen=True)
class Coordonnees:
    longitude: float
    latitude: float


def coordonnees(
    lon_txt: str | None,
    lat_txt: str | None,
    emplacement: Emplacement,
    champ_lon: str = "longitude",
    champ_lat: str = "latitude",
) -> Coordonnees:
    """Validated WGS84 coordinates of one row, or ``DonneeInvalide`` saying why (the row is rejected)."""
    try:
        lon = nombre(lon_txt)
    except ValueError as exc:
        raise DonneeInvalide(
            f"longitude « {lon_txt} » n'est pas un nombre.", _champ(emplacement, champ_lon)
        ) from exc
    try:
        lat = nombre(lat_txt)
    except ValueError as exc:
        raise DonneeInvalide(
            f"latitude « {lat_txt} » n'est pas un nombre.", _champ(emplacement, champ_lat)
        ) from exc
    if lon is None or lat is None:
        raise DonneeInvalide(
            "coordonnées absentes : le lieu ne peut pas être placé sur la carte.",
            _champ(emplacement, champ_lat if lat is None else champ_lon),
        )
    return verifier_point(lon, lat, emplacement, champ_lon, champ_lat)


def verifier_point(
    lon: float,
    lat: float,
    emplacement: Emplacement,
    champ_lon: str = "longitude",
    champ_lat: str = "latitude",
) -> Coordonnees:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise DonneeInvalide(
            f"coordonnées ({lon}, {lat}) non finies (NaN ou infini) : le lieu ne peut pas être placé.",
            _champ(emplacement, champ_lon if not math.isfinite(lon) else champ_lat),
        )
    if ressemble_lambert93(lon, lat) or ressemble_metres(lon, lat):
        raise DonneeInvalide(
            f"coordonnées ({lon:.0f}, {lat:.0f}) {EN_METRES} alors que des degrés WGS84 (longitude, "
            "latitude) sont attendus.",
            _champ(emplacement, champ_lon),
        )
    if not -90.0 <= lat <= 90.0:
        raise DonneeInvalide(
            f"latitude {lat} hors de l'intervalle [-90, 90].", _champ(emplacement, champ_lat)
        )
    if not -180.0 <= lon <= 180.0:
        raise DonneeInvalide(
            f"longitude {lon} hors de l'intervalle [-180, 180].", _champ(emplacement, champ_lon)
        )
    if lon == 0.0 and lat == 0.0:
        raise DonneeInvalide("coordonnées (0, 0) : lieu non géolocalisé.", _champ(emplacement, champ_lat))
    if not en_france(lon, lat) and en_france(lat, lon):
        raise DonneeInvalide(
            f"longitude ({lon}) et latitude ({lat}) semblent inversées.", _champ(emplacement, champ_lat)
        )
    return Coordonnees(lon, lat)


def _champ(e: Emplacement, champ: str) -> Emplacement:
    return Emplacement(e.fichier, e.ligne, champ)


def verifier_colonnes_coordonnees(
    pairs: Sequence[tuple[float, float]], fichier: str, declare: str = "WGS84"
) -> None:
    """File-level checks: most points in metres or swapped means the whole file is misread.

    ``pairs`` are (x, y) as read from the x/longitude and y/latitude columns, or the points of a
    geographic file after conversion from the system it declares (``declare``: the geographic
    system the numbers are taken in).
    """
    if len(pairs) < 3:
        return
    n = len(pairs)
    metres = sum(1 for x, y in pairs if ressemble_lambert93(x, y) or ressemble_metres(x, y))
    if metres > n / 2:
        raise FichierInvalide(
            f"{metres} des {n} points ont des coordonnées {EN_METRES} alors que des degrés {declare} "
            "(longitude, latitude) sont attendus : le fichier ne déclare pas d'autre système de "
            "coordonnées. Convertissez-le en WGS84, ou déclarez son système (membre « crs » d'un GeoJSON, "
            "GeoPackage, fichier .prj d'un shapefile).",
            Emplacement(fichier),
        )
    swapped = sum(1 for x, y in pairs if not en_france(x, y) and en_france(y, x))
    if swapped > n / 2:
        raise FichierInvalide(
            f"{swapped} des {n} points ont la longitude et la latitude inversées (colonnes échangées ?).",
            Emplacement(fichier),
        )


# --- Règles du texte ----------------------------------------------------------------------------
#
# 1. Invisible characters are removed from every text, whatever its origin: C0 and C1 control
#    characters (NUL, vertical tab, escape…; tab, line feed and carriage return aside), DEL, lone
#    surrogates (a JSON « \\ud800 »), bidirectional controls (U+202E shows « abc⟨U+202E⟩gnp.exe »
#    as « abcexe.png »), U+FEFF and the noncharacters U+FFFE/U+FFFF. In a one-line field (a name,
#    an address…) line breaks and tabs become one space; texts are trimmed.
# 2. A text never begins with a sign a spreadsheet reads as a formula (OWASP « CSV injection »:
#    ``=``, ``+``, ``-``, ``@``, tab, carriage return, and their full-width forms): refused, except
#    a dash or plus followed by a space (« - Avenue Paul Mairat », a list's dash), which is removed.
# 3. No text holds HTML markup (importers turn a source's HTML presentation into text first); a
#    one-line field has at most 1,000 characters, a presentation 20,000.
# 4. Web addresses (site web, prise de rendez-vous, fiche Accès libre) are http(s) addresses;
#    e-mail addresses look like one.
# Text is still escaped wherever it is shown: these rules are a second line, not the only one.

#: Removed from every text (rule 1).
_INVISIBLES = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufeff\ufffe\uffff]"
)
#: Breaks and separators: kept in a multi-line text (as a line feed or a space), one space in a
#: one-line field.
_SAUTS = re.compile("[\r\n\x0b\x0c\x1c-\x1f\x85\u2028\u2029]")
_BLANCS_SAUT = re.compile("[ \t]*[\t\n][ \t\n]*")
#: First characters a spreadsheet reads as the start of a formula (rule 2).
SIGNES_FORMULE = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: Leading dashes or plus signs followed by a space (or alone): a list's dash, removed.
_TIRET = re.compile(r"^(?:[+\-\uff0b\uff0d]+(?:\s+|$))+")
LONGUEUR_LIGNE = 1_000
LONGUEUR_TEXTE = 20_000
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$", re.IGNORECASE)
#: An e-mail address: no space and none of RFC 5322's « specials » but the dot (so no Markdown
#: link, no markup); accented letters allowed (they are in real files).
COURRIEL = re.compile(r'^[^\s@<>()\[\]\\,;:"]+@[^\s@<>()\[\]\\,;:"]+\.[^\s@<>()\[\]\\,;:"]+$')


def sans_controles(texte: str, *, lignes: bool = True) -> str:
    """``texte`` without its invisible characters (rule 1); ``lignes=False``: a one-line field,
    whose breaks and tabs become one space. Not trimmed. For any text shown or written anywhere
    (a terminal, a document) as well as on entry."""
    propre = _INVISIBLES.sub("", texte).replace("\r\n", "\n")
    if lignes:
        return _SAUTS.sub(lambda m: "\n" if m.group() in "\r\n\x0b\x0c\x85\u2028\u2029" else " ", propre)
    return _BLANCS_SAUT.sub(" ", _SAUTS.sub("\n", propre))


def nettoyer_textes(valeurs: MutableMapping[str, Any]) -> list[str]:
    """Rule 1 on every text of a row being converted (in place, lists included; line breaks
    kept: the model folds those of one-line fields), before any other use of the values (a lone
    surrogate made the opening-hours parser and the store fail). Returns the fields that held
    invisible characters, for a warning."""
    changes: list[str] = []
    for champ, valeur in valeurs.items():
        if isinstance(valeur, str) and _INVISIBLES.search(valeur):
            valeurs[champ] = sans_controles(valeur)
            changes.append(champ)
        elif isinstance(valeur, list) and any(isinstance(v, str) and _INVISIBLES.search(v) for v in valeur):
            valeurs[champ] = [sans_controles(v) if isinstance(v, str) else v for v in valeur]
            changes.append(champ)
    return changes


def commence_par_formule(texte: str) -> bool:
    """True when a spreadsheet would read ``texte`` as a formula (its first character, OWASP)."""
    return texte.startswith(SIGNES_FORMULE)


def texte_propre(valeur: str, *, lignes: bool = False) -> str:
    """The text as an entry stores it: invisible characters removed, trimmed, a leading dash
    followed by a space removed (rules 1 and 2); nothing is refused here."""
    texte = sans_controles(valeur, lignes=lignes).strip()
    return _TIRET.sub("", texte, count=1)


def probleme_texte(texte: str, *, lignes: bool = False) -> str | None:
    """Why a (cleaned) text is refused, in French (rules 2 and 3), or None."""
    extrait = texte[:60] + ("…" if len(texte) > 60 else "")
    if commence_par_formule(texte):
        return (
            f"« {extrait} » commence par « {texte[0]} », comme une formule de tableur : refusé par "
            "sécurité (retirez le signe initial)"
        )
    if _BALISE.search(texte):
        return f"« {extrait} » contient du balisage HTML : refusé par sécurité"
    maximum = LONGUEUR_TEXTE if lignes else LONGUEUR_LIGNE
    if len(texte) > maximum:
        return f"texte de {len(texte):_} caractères : {maximum:_} au plus".replace("_", "\u202f")
    return None


def probleme_url(texte: str) -> str | None:
    """Why a web address is refused (rules 2 to 4), or None."""
    probleme = probleme_texte(texte)
    if probleme is None and not URL.fullmatch(texte):
        return f"« {texte[:60]} » n'est pas une adresse web (https://…)"
    return probleme


def probleme_courriel(texte: str) -> str | None:
    """Why an e-mail address is refused (rules 2 to 4), or None."""
    probleme = probleme_texte(texte)
    if probleme is None and not COURRIEL.fullmatch(texte):
        return f"« {texte[:60]} » n'est pas une adresse électronique"
    return probleme


def texte_sur(valeur: str | None, emplacement: Emplacement, *, lignes: bool = False) -> str | None:
    """The text cleaned by the rules, or ``DonneeInvalide`` saying why it is refused (None and
    empty texts give None). ``lignes``: a multi-line text (a presentation)."""
    if valeur is None:
        return None
    texte = texte_propre(valeur, lignes=lignes)
    probleme = probleme_texte(texte, lignes=lignes)
    if probleme is not None:
        raise DonneeInvalide(f"{probleme}.", emplacement)
    return texte or None
