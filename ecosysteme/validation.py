"""Checks shared by importers: coordinates (range, swapped, Lambert-93 in WGS84), unsafe text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ecosysteme.errors import DonneeInvalide, Emplacement, FichierInvalide
from ecosysteme.projection import territoire_de_point

#: Lambert-93 (EPSG:2154) extent of metropolitan France, in metres.
_L93_X = (60_000.0, 1_250_000.0)
_L93_Y = (6_000_000.0, 7_150_000.0)

_BALISE = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_FORMULE = re.compile(r"^[=@]|^[+\-][A-Za-z(]")


def en_france(lon: float, lat: float) -> bool:
    return territoire_de_point(lon, lat) is not None


def ressemble_lambert93(x: float, y: float) -> bool:
    return _L93_X[0] <= x <= _L93_X[1] and _L93_Y[0] <= y <= _L93_Y[1]


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
    if ressemble_lambert93(lon, lat):
        raise DonneeInvalide(
            f"coordonnées ({lon:.0f}, {lat:.0f}) en mètres Lambert-93 (EPSG:2154) alors que des degrés "
            "WGS84 sont attendus.",
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
    """File-level checks: most points in Lambert-93 or swapped means the whole file is misread.

    ``pairs`` are (x, y) as read from the x/longitude and y/latitude columns.
    """
    if len(pairs) < 3:
        return
    n = len(pairs)
    l93 = sum(1 for x, y in pairs if ressemble_lambert93(x, y))
    if l93 > n / 2:
        raise FichierInvalide(
            f"{l93} des {n} points ont des coordonnées en mètres (Lambert-93, EPSG:2154) alors que le "
            f"fichier est déclaré en {declare} (degrés). Convertissez-le en WGS84 ou indiquez son système "
            "de coordonnées.",
            Emplacement(fichier),
        )
    swapped = sum(1 for x, y in pairs if not en_france(x, y) and en_france(y, x))
    if swapped > n / 2:
        raise FichierInvalide(
            f"{swapped} des {n} points ont la longitude et la latitude inversées (colonnes échangées ?).",
            Emplacement(fichier),
        )


def texte_sur(valeur: str | None, emplacement: Emplacement) -> str | None:
    """Refuse markup and spreadsheet formulas in a text value (kept verbatim otherwise)."""
    if valeur is None:
        return None
    if _BALISE.search(valeur):
        raise DonneeInvalide(
            f"« {valeur[:60]} » contient du balisage HTML : refusé par sécurité.", emplacement
        )
    if _FORMULE.match(valeur):
        raise DonneeInvalide(
            f"« {valeur[:60]} » commence comme une formule de tableur : refusé par sécurité "
            "(retirez le signe initial).",
            emplacement,
        )
    return valeur
