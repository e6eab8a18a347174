"""Paths and settings, read from the environment with documented defaults."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path

#: Root of the project checkout (holds ``data/``, ``app.py``...).
#: Version of the package (pyproject.toml).
VERSION = "0.1.0"

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: Folder of the catalogs of official sources and of their downloaded copies.
DATA_DIR = PROJECT_ROOT / "data"
#: National standard "lieux de médiation numérique" bundled with the package.
STANDARD_DIR = Path(__file__).resolve().parent / "standard"

ENV_STORE = "ECOSYSTEME_STORE"
ENV_MIROIR = "ECOSYSTEME_MIROIR"
ENV_AUTEUR = "ECOSYSTEME_AUTEUR"
ENV_CACHE = "ECOSYSTEME_CACHE"

#: Default territory: région Hauts-de-France.
REGION_PAR_DEFAUT = "32"

#: Metric CRS used for distances in metropolitan France.
CRS_METROPOLE = 2154
#: Geographic CRS of inputs and maps.
CRS_WGS84 = 4326

#: Local projected CRS overseas, by département code (DESIGN §4).
CRS_OUTRE_MER: dict[str, int] = {
    "971": 5490,  # Guadeloupe (RGAF09 / UTM 20N)
    "972": 5490,  # Martinique
    "973": 2972,  # Guyane (RGFG95 / UTM 22N)
    "974": 2975,  # La Réunion (RGR92 / UTM 40S)
    "976": 4471,  # Mayotte (RGM04 / UTM 38S)
}


#: How a store address names a PostgreSQL database (anything else is a GeoPackage file).
PREFIXES_POSTGRES = ("postgresql://", "postgres://")


#: Keywords of libpq's « clé=valeur » form (``host=… dbname=…``), which also names a database.
_MOTS_LIBPQ = re.compile(r"^\s*(host|hostaddr|port|dbname|user|service)\s*=", re.IGNORECASE)


def est_base_postgres(adresse: object) -> bool:
    """Whether a store address names a PostgreSQL database (``postgresql://…`` or libpq's
    ``host=… dbname=…``) rather than a GeoPackage file (never created under such a name)."""
    if not isinstance(adresse, str):
        return False
    return adresse.strip().lower().startswith(PREFIXES_POSTGRES) or bool(_MOTS_LIBPQ.match(adresse))


def adresse_depot(explicit: str | os.PathLike[str] | None = None) -> str | Path:
    """The store: the explicit address, else ``$ECOSYSTEME_STORE``, else ``data/ecosysteme.gpkg``.

    A PostgreSQL address (``postgresql://user@host:port/base``) stays text; anything else is a
    GeoPackage file's path.
    """
    valeur = explicit or os.environ.get(ENV_STORE)
    if not valeur:
        return DATA_DIR / "ecosysteme.gpkg"
    if est_base_postgres(valeur):
        return str(valeur).strip()
    return Path(valeur)


def chemin_depot(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The store file (a GeoPackage): :func:`adresse_depot`, refused for a database address."""
    adresse = adresse_depot(explicit)
    if isinstance(adresse, str):
        raise ValueError("une base PostgreSQL n'est pas un fichier : utilisez adresse_depot().")
    return adresse


def dossier_cache(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where downloaded official files are cached (never committed)."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env)
    return DATA_DIR / "cache"


def miroir(explicit: str | None = None) -> str | None:
    """The mirror (local folder or base URL) replacing official URLs, if any."""
    if explicit:
        return explicit
    return os.environ.get(ENV_MIROIR) or None


def auteur(explicit: str | None = None) -> str:
    """Who is acting, for the audit log."""
    if explicit:
        return explicit
    return os.environ.get(ENV_AUTEUR) or os.environ.get("USER") or "inconnu"


def adresse_locale(adresse: str) -> bool:
    """Whether a listening address serves this machine only (loopback: 127.0.0.0/8, ::1, localhost).

    Until people log in with roles, anyone who reaches the app has every right (delete, undo an
    official batch): the app is served on loopback only."""
    nom = adresse.strip().strip("[]").lower()
    if nom == "localhost":
        return True
    try:
        return ipaddress.ip_address(nom).is_loopback
    except ValueError:
        return False


def refus_adresse(adresse: str) -> str | None:
    """The French refusal for a listening address other than loopback, or None when it is local."""
    if adresse_locale(adresse):
        return None
    return (
        f"adresse d'écoute « {adresse} » refusée : sans comptes ni rôles, quiconque atteint "
        "l'application pourrait tout modifier ou supprimer. Elle ne sert que cette machine "
        "(127.0.0.1, localhost ou ::1) ; pour la partager, passez par un serveur mandataire "
        "authentifié sur cette machine."
    )
