"""Geocoding an address with the Base Adresse Nationale (BAN) search API.

One GET ``<url>?q=…&limit=5`` (optionally ``&postcode=`` / ``&citycode=``) answers a GeoJSON
FeatureCollection (the GeoCodeJSON of the API Adresse): each feature is a ``Point`` in WGS84
with ``properties`` ``label``, ``score`` (0–1), ``postcode``, ``citycode`` (INSEE), ``city`` and
``type`` (``housenumber``, ``street``, ``locality``, ``municipality``).

The search URL is, in order: the ``base_url`` argument, ``$ECOSYSTEME_BAN_URL``
(:data:`ENV_BAN_URL`), then :data:`URL_BAN`. The API Adresse of ``api-adresse.data.gouv.fr``
moved to the IGN Géoplateforme, which answers the same parameters with the same format; its old
address was announced as closed at the end of January 2026, so the default is the Géoplateforme
one and :data:`URL_API_ADRESSE` remains for whoever still reaches it (or a local copy of the
service, ``addok``).

Every failure is an :class:`ErreurGeocodage` with a French sentence for the form; no
connection, a DNS failure or a timeout is :class:`GeocodageIndisponible` with
:data:`MESSAGE_INDISPONIBLE` (the form then offers the map and the coordinates). An empty
answer is an empty list, not an error. Results outside France are left out.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from typing import Any

import requests

from ecosysteme.domaine.config import VERSION
from ecosysteme.domaine.erreurs import DonneeInvalide, Emplacement, ErreurGeocodage
from ecosysteme.domaine.validation import en_france

#: Environment variable holding the search URL (a local server in tests, a mirror, the old API).
ENV_BAN_URL = "ECOSYSTEME_BAN_URL"
#: Default search URL: the BAN on the IGN Géoplateforme (same parameters and answers as the API Adresse).
URL_BAN = "https://data.geopf.fr/geocodage/search"
#: The historical API Adresse (DINUM), announced as closed at the end of January 2026.
URL_API_ADRESSE = "https://api-adresse.data.gouv.fr/search/"
#: Seconds allowed to connect, then between two reads of the answer: a form must not hang.
TIMEOUT = 5.0
#: Number of results asked for.
LIMITE = 5
#: Largest answer read (a BAN answer of 5 results weighs a few kilobytes).
TAILLE_MAX = 1_000_000
AGENT = f"ecosysteme/{VERSION} (inclusion numérique ; géocodage d'adresses)"

MESSAGE_INDISPONIBLE = (
    "Géocodage indisponible (pas de connexion à la Base Adresse Nationale) : placez le lieu sur la "
    "carte ou saisissez ses coordonnées."
)
_RECOURS = "placez le lieu sur la carte ou saisissez ses coordonnées"
_CODE_POSTAL = re.compile(r"\d{5}")
_CODE_INSEE = re.compile(r"(?:\d{5}|2[AB]\d{3})")
_LONGUEUR_MIN, _LONGUEUR_MAX = 3, 200


class GeocodageIndisponible(ErreurGeocodage):
    """The BAN could not be reached at all (no network, DNS, connection refused, timeout)."""

    def __init__(self) -> None:
        super().__init__(MESSAGE_INDISPONIBLE)


@dataclass(frozen=True)
class Resultat:
    """One answer of the BAN: what to show (``label``) and where it is (WGS84)."""

    label: str
    longitude: float
    latitude: float
    score: float
    code_postal: str | None
    code_insee: str | None
    commune: str | None
    type: str | None


def url_ban(explicit: str | None = None) -> str:
    """The search URL: ``explicit``, else ``$ECOSYSTEME_BAN_URL``, else :data:`URL_BAN`."""
    if explicit:
        return explicit
    return os.environ.get(ENV_BAN_URL) or URL_BAN


def _requete(adresse: str, code_postal: str | None, code_insee: str | None, limite: int) -> dict[str, str]:
    """The query parameters, or :class:`DonneeInvalide` for what the API would refuse."""
    q = " ".join(adresse.split())
    if not q:
        raise DonneeInvalide(
            "adresse vide : saisissez le numéro, la voie et la commune à rechercher.",
            Emplacement(champ="adresse"),
        )
    if len(q) < _LONGUEUR_MIN or not q[0].isalnum():
        raise DonneeInvalide(
            f"adresse « {q} » trop courte : au moins {_LONGUEUR_MIN} caractères, en commençant par une "
            "lettre ou un chiffre.",
            Emplacement(champ="adresse"),
        )
    if len(q) > _LONGUEUR_MAX:
        raise DonneeInvalide(
            f"adresse trop longue ({len(q)} caractères, au plus {_LONGUEUR_MAX}) : gardez le numéro, la voie "
            "et la commune.",
            Emplacement(champ="adresse"),
        )
    params = {"q": q, "limit": str(limite)}
    if code_postal:
        cp = code_postal.strip()
        if not _CODE_POSTAL.fullmatch(cp):
            raise DonneeInvalide(
                f"code postal « {cp} » invalide : cinq chiffres attendus.", Emplacement(champ="code_postal")
            )
        params["postcode"] = cp
    if code_insee:
        ci = code_insee.strip().upper()
        if not _CODE_INSEE.fullmatch(ci):
            raise DonneeInvalide(
                f"code INSEE « {ci} » invalide : cinq caractères attendus (2A/2B pour la Corse).",
                Emplacement(champ="code_insee"),
            )
        params["citycode"] = ci
    return params


def _texte(v: object) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def _nombre(v: object) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _resultat(feature: object, rang: int) -> Resultat:
    inattendue = f"Réponse inattendue de la Base Adresse Nationale (résultat {rang})"
    if not isinstance(feature, dict):
        raise ErreurGeocodage(f"{inattendue} : ce n'est pas un objet GeoJSON.")
    geometrie = feature.get("geometry")
    coords = geometrie.get("coordinates") if isinstance(geometrie, dict) else None
    if not isinstance(geometrie, dict) or geometrie.get("type") != "Point" or not isinstance(coords, list):
        raise ErreurGeocodage(f"{inattendue} : pas de point.")
    lon, lat = (_nombre(coords[0]), _nombre(coords[1])) if len(coords) >= 2 else (None, None)
    if lon is None or lat is None or not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ErreurGeocodage(f"{inattendue} : coordonnées {coords!r} invalides.")
    props = feature.get("properties")
    props = props if isinstance(props, dict) else {}
    label = _texte(props.get("label"))
    if label is None:
        raise ErreurGeocodage(f"{inattendue} : adresse (label) absente.")
    score = _nombre(props.get("score"))
    return Resultat(
        label=label,
        longitude=lon,
        latitude=lat,
        score=min(max(score, 0.0), 1.0) if score is not None else 0.0,
        code_postal=_texte(props.get("postcode")),
        code_insee=_texte(props.get("citycode")),
        commune=_texte(props.get("city")),
        type=_texte(props.get("type")),
    )


def lire_reponse(donnees: object) -> list[Resultat]:
    """The results of a decoded BAN answer, in its order, those outside France left out.

    Raises :class:`ErreurGeocodage` when the answer is not a FeatureCollection of points with a
    label, or when every result lies outside France.
    """
    if not isinstance(donnees, dict) or donnees.get("type") != "FeatureCollection":
        raise ErreurGeocodage(
            "Réponse inattendue de la Base Adresse Nationale : ce n'est pas une collection GeoJSON "
            f"(vérifiez l'adresse du service, variable {ENV_BAN_URL})."
        )
    features = donnees.get("features")
    if not isinstance(features, list):
        raise ErreurGeocodage("Réponse inattendue de la Base Adresse Nationale : liste de résultats absente.")
    resultats = [_resultat(f, i) for i, f in enumerate(features, start=1)]
    en_france_seulement = [r for r in resultats if en_france(r.longitude, r.latitude)]
    if resultats and not en_france_seulement:
        r = resultats[0]
        raise ErreurGeocodage(
            f"L'adresse trouvée « {r.label} » est hors de France (longitude {r.longitude}, latitude "
            f"{r.latitude}) : précisez la commune ou le code postal, ou {_RECOURS}."
        )
    return en_france_seulement


def _message_http(statut: int, corps: bytes) -> str:
    if statut == 429:
        return (
            "La Base Adresse Nationale limite le nombre de recherches (HTTP 429) : réessayez dans "
            "quelques secondes."
        )
    if statut >= 500:
        return (
            f"La Base Adresse Nationale ne répond pas correctement (erreur HTTP {statut}) : réessayez "
            f"plus tard, ou {_RECOURS}."
        )
    detail = ""
    try:
        contenu = json.loads(corps[:10_000].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        contenu = None
    if isinstance(contenu, dict) and isinstance(contenu.get("message"), str):
        detail = f" ({' '.join(contenu['message'].split())[:200]})"
    if statut == 404:
        return (
            f"Service de géocodage introuvable (HTTP 404) : vérifiez son adresse (variable {ENV_BAN_URL}), "
            f"ou {_RECOURS}."
        )
    return f"La Base Adresse Nationale a refusé la recherche (erreur HTTP {statut}){detail}."


def _lire(reponse: Any) -> bytes:
    morceaux: list[bytes] = []
    taille = 0
    for morceau in reponse.iter_content(chunk_size=65_536):
        taille += len(morceau)
        if taille > TAILLE_MAX:
            raise ErreurGeocodage(
                f"Réponse de la Base Adresse Nationale trop volumineuse (plus de {TAILLE_MAX} octets) : "
                "refusée."
            )
        morceaux.append(morceau)
    return b"".join(morceaux)


def geocoder(
    adresse: str,
    *,
    code_postal: str | None = None,
    code_insee: str | None = None,
    base_url: str | None = None,
    timeout: float = TIMEOUT,
    session: requests.Session | None = None,
    limite: int = LIMITE,
) -> list[Resultat]:
    """At most ``limite`` places matching ``adresse``, best first (an empty list when none).

    ``code_postal`` / ``code_insee`` restrict the search to a postal code / a commune. Raises
    :class:`DonneeInvalide` for an empty or unusable query (nothing sent),
    :class:`GeocodageIndisponible` when the service cannot be reached in ``timeout`` seconds,
    :class:`ErreurGeocodage` for an HTTP error, an unreadable answer or results all outside France.
    """
    params = _requete(adresse, code_postal, code_insee, limite)
    url = url_ban(base_url)
    entetes = {"User-Agent": AGENT, "Accept": "application/json"}
    client = session or requests.Session()
    try:
        with client.get(url, params=params, headers=entetes, timeout=timeout, stream=True) as reponse:
            statut = int(reponse.status_code)
            corps = _lire(reponse)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise GeocodageIndisponible() from exc
    except requests.RequestException as exc:
        raise ErreurGeocodage(
            f"Adresse du service de géocodage inutilisable ({url}) : vérifiez la variable {ENV_BAN_URL}, "
            f"ou {_RECOURS}."
        ) from exc
    finally:
        if session is None:
            client.close()
    if statut >= 400:
        raise ErreurGeocodage(_message_http(statut, corps))
    try:
        donnees = json.loads(corps.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ErreurGeocodage(
            "Réponse illisible de la Base Adresse Nationale (JSON invalide) : réessayez plus tard, "
            f"ou {_RECOURS}."
        ) from exc
    return lire_reponse(donnees)
