"""Geocoding against a local HTTP server that answers like the BAN (no test touches the internet)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from ecosysteme.domaine.erreurs import DonneeInvalide, ErreurGeocodage
from ecosysteme.sources.geocodage import (
    ENV_BAN_URL,
    MESSAGE_INDISPONIBLE,
    URL_BAN,
    GeocodageIndisponible,
    Resultat,
    geocoder,
    lire_reponse,
    url_ban,
)


def feature(label: str, lon: float, lat: float, score: float, **props: Any) -> dict[str, Any]:
    """A feature shaped like the API Adresse's GeoCodeJSON."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"label": label, "score": score, **props},
    }


def collection(*features: dict[str, Any], query: str = "") -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "version": "draft",
        "features": list(features),
        "attribution": "BAN",
        "licence": "ETALAB-2.0",
        "query": query,
        "limit": 5,
    }


AMIENS = feature(
    "8 Boulevard du Port 80000 Amiens",
    2.290084,
    49.897443,
    0.49159121588068583,
    housenumber="8",
    id="80021_6590_00008",
    name="8 Boulevard du Port",
    postcode="80000",
    citycode="80021",
    x=648952.58,
    y=6977867.25,
    city="Amiens",
    context="80, Somme, Hauts-de-France",
    type="housenumber",
    importance=0.6466,
    street="Boulevard du Port",
)
CERGY = feature(
    "8 Boulevard du Port 95000 Cergy",
    2.06379,
    49.03437,
    0.4591,
    postcode="95000",
    citycode="95127",
    city="Cergy",
    type="housenumber",
)
MAUBEUGE = feature(
    "Place Vauban 59600 Maubeuge",
    3.9711,
    50.2775,
    0.82,
    postcode="59600",
    citycode="59392",
    city="Maubeuge",
    type="street",
)
NEW_YORK = feature("Port Boulevard New York", -73.98, 40.75, 0.3, city="New York", type="street")

#: Canned answers by path: (status, content type, body, delay in seconds).
REPONSES: dict[str, tuple[int, str, bytes, float]] = {
    "/ok/search/": (200, "application/json", json.dumps(collection(AMIENS, CERGY, NEW_YORK)).encode(), 0.0),
    "/maubeuge/search/": (200, "application/json", json.dumps(collection(MAUBEUGE)).encode(), 0.0),
    "/vide/search/": (200, "application/json", json.dumps(collection()).encode(), 0.0),
    "/panne/search/": (500, "text/html", b"<html>Internal Server Error</html>", 0.0),
    "/refus/search/": (
        400,
        "application/json",
        json.dumps(
            {
                "code": 400,
                "detail": ["q: must contain between 3 and 200 chars"],
                "message": "Failed parsing query",
            }
        ).encode(),
        0.0,
    ),
    "/limite/search/": (429, "text/plain", b"Too Many Requests", 0.0),
    "/json/search/": (200, "application/json", b'{"type": "FeatureCollection", "features": [', 0.0),
    "/lent/search/": (200, "application/json", json.dumps(collection(AMIENS)).encode(), 3.0),
    "/etranger/search/": (200, "application/json", json.dumps(collection(NEW_YORK)).encode(), 0.0),
    "/bizarre/search/": (200, "application/json", json.dumps({"resultats": []}).encode(), 0.0),
    "/sans-point/search/": (
        200,
        "application/json",
        json.dumps(collection({"type": "Feature", "geometry": None, "properties": {"label": "x"}})).encode(),
        0.0,
    ),
    "/enorme/search/": (200, "application/json", b" " * 2_000_000, 0.0),
}


class ServeurBAN(ThreadingHTTPServer):
    """Answers GET <base>/<case>/search/ with the canned answer of that case; records queries."""

    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Gestionnaire)
        self.requetes: list[tuple[str, dict[str, list[str]], str]] = []

    def url(self, cas: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{cas}/search/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """The client hung up (timeout test): nothing to report."""


class _Gestionnaire(BaseHTTPRequestHandler):
    server: ServeurBAN

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base
        pass

    def do_GET(self) -> None:
        morceaux = urlsplit(self.path)
        self.server.requetes.append(
            (morceaux.path, parse_qs(morceaux.query), self.headers.get("User-Agent", ""))
        )
        statut, type_, corps, delai = REPONSES.get(morceaux.path, (404, "text/plain", b"Not Found", 0.0))
        if delai:
            time.sleep(delai)
        self.send_response(statut)
        self.send_header("Content-Type", type_)
        self.send_header("Content-Length", str(len(corps)))
        self.end_headers()
        self.wfile.write(corps)


def demarrer_serveur() -> ServeurBAN:
    serveur = ServeurBAN()
    threading.Thread(target=serveur.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return serveur


@pytest.fixture
def ban() -> Iterator[ServeurBAN]:
    serveur = demarrer_serveur()
    yield serveur
    serveur.shutdown()
    serveur.server_close()


def port_ferme() -> str:
    """A local URL where nobody listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/search/"


# -- answers -------------------------------------------------------------------------------------


def test_succes_resultats_en_france(ban: ServeurBAN) -> None:
    res = geocoder("8 bd du port", base_url=ban.url("ok"))
    assert res == [
        Resultat(
            "8 Boulevard du Port 80000 Amiens",
            2.290084,
            49.897443,
            0.49159121588068583,
            "80000",
            "80021",
            "Amiens",
            "housenumber",
        ),
        Resultat(
            "8 Boulevard du Port 95000 Cergy",
            2.06379,
            49.03437,
            0.4591,
            "95000",
            "95127",
            "Cergy",
            "housenumber",
        ),
    ]
    chemin, params, agent = ban.requetes[-1]
    assert chemin == "/ok/search/"
    assert params == {"q": ["8 bd du port"], "limit": ["5"]}
    assert agent.startswith("ecosysteme/")


def test_filtres_code_postal_et_insee(ban: ServeurBAN) -> None:
    geocoder(
        "  place   Vauban ", code_postal="59600", code_insee="59392", base_url=ban.url("maubeuge"), limite=3
    )
    _, params, _ = ban.requetes[-1]
    assert params == {"q": ["place Vauban"], "limit": ["3"], "postcode": ["59600"], "citycode": ["59392"]}


def test_reponse_vide(ban: ServeurBAN) -> None:
    assert geocoder("nulle part", base_url=ban.url("vide")) == []


def test_url_depuis_environnement(ban: ServeurBAN, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BAN_URL, ban.url("maubeuge"))
    assert url_ban() == ban.url("maubeuge")
    assert [r.commune for r in geocoder("place Vauban Maubeuge")] == ["Maubeuge"]
    monkeypatch.delenv(ENV_BAN_URL)
    assert url_ban() == URL_BAN
    assert url_ban("http://ailleurs/search") == "http://ailleurs/search"


# -- failures ------------------------------------------------------------------------------------


def test_erreur_500(ban: ServeurBAN) -> None:
    with pytest.raises(ErreurGeocodage) as e:
        geocoder("8 bd du port", base_url=ban.url("panne"))
    assert not isinstance(e.value, GeocodageIndisponible)
    assert e.value.message.startswith(
        "La Base Adresse Nationale ne répond pas correctement (erreur HTTP 500)"
    )


def test_erreur_400_avec_detail(ban: ServeurBAN) -> None:
    with pytest.raises(ErreurGeocodage) as e:
        geocoder("8 bd du port", base_url=ban.url("refus"))
    assert (
        e.value.message
        == "La Base Adresse Nationale a refusé la recherche (erreur HTTP 400) (Failed parsing query)."
    )


def test_erreur_429_et_404(ban: ServeurBAN) -> None:
    with pytest.raises(ErreurGeocodage, match=r"limite le nombre de recherches \(HTTP 429\)"):
        geocoder("8 bd du port", base_url=ban.url("limite"))
    with pytest.raises(ErreurGeocodage, match=rf"introuvable \(HTTP 404\).*{ENV_BAN_URL}"):
        geocoder("8 bd du port", base_url=ban.url("inconnu"))


def test_json_invalide(ban: ServeurBAN) -> None:
    with pytest.raises(
        ErreurGeocodage, match=r"^Réponse illisible de la Base Adresse Nationale \(JSON invalide\)"
    ):
        geocoder("8 bd du port", base_url=ban.url("json"))


def test_reponse_mal_formee(ban: ServeurBAN) -> None:
    with pytest.raises(ErreurGeocodage, match="ce n'est pas une collection GeoJSON"):
        geocoder("8 bd du port", base_url=ban.url("bizarre"))
    with pytest.raises(ErreurGeocodage, match=r"\(résultat 1\) : pas de point"):
        geocoder("8 bd du port", base_url=ban.url("sans-point"))


def test_reponse_trop_grosse(ban: ServeurBAN) -> None:
    with pytest.raises(ErreurGeocodage, match="trop volumineuse"):
        geocoder("8 bd du port", base_url=ban.url("enorme"))


def test_hors_de_france(ban: ServeurBAN) -> None:
    with pytest.raises(ErreurGeocodage) as e:
        geocoder("port boulevard", base_url=ban.url("etranger"))
    assert e.value.message.startswith("L'adresse trouvée « Port Boulevard New York » est hors de France")


def test_delai_depasse(ban: ServeurBAN) -> None:
    with pytest.raises(GeocodageIndisponible) as e:
        geocoder("8 bd du port", base_url=ban.url("lent"), timeout=0.3)
    assert e.value.message == MESSAGE_INDISPONIBLE
    assert MESSAGE_INDISPONIBLE == (
        "Géocodage indisponible (pas de connexion à la Base Adresse Nationale) : placez le lieu sur la "
        "carte ou saisissez ses coordonnées."
    )


def test_connexion_refusee() -> None:
    with pytest.raises(GeocodageIndisponible, match="Géocodage indisponible"):
        geocoder("8 bd du port", base_url=port_ferme())


class SessionSansDNS(requests.Session):
    """A session whose every request fails as a DNS failure does (no lookup is made)."""

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        raise requests.ConnectionError(
            f"Failed to resolve '{url}' ([Errno -3] Temporary failure in name resolution)"
        )


def test_dns_et_session_fournie() -> None:
    session = SessionSansDNS()
    with pytest.raises(GeocodageIndisponible):
        geocoder("8 bd du port", session=session, base_url="http://ban.invalid/search/")
    session.close()


def test_session_fournie_reutilisee(ban: ServeurBAN) -> None:
    with requests.Session() as session:
        assert len(geocoder("8 bd du port", base_url=ban.url("ok"), session=session)) == 2
        assert len(geocoder("8 bd du port", base_url=ban.url("ok"), session=session)) == 2


def test_url_inutilisable() -> None:
    with pytest.raises(ErreurGeocodage, match="Adresse du service de géocodage inutilisable"):
        geocoder("8 bd du port", base_url="pas une url")


# -- refused before sending ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("adresse", "kwargs", "champ", "debut"),
    [
        ("", {}, "adresse", "adresse vide"),
        ("   ", {}, "adresse", "adresse vide"),
        ("ab", {}, "adresse", "adresse « ab » trop courte"),
        ("- rue", {}, "adresse", "adresse « - rue » trop courte"),
        ("x" * 201, {}, "adresse", "adresse trop longue (201 caractères"),
        ("8 bd du port", {"code_postal": "8000"}, "code_postal", "code postal « 8000 » invalide"),
        ("8 bd du port", {"code_insee": "2C004"}, "code_insee", "code INSEE « 2C004 » invalide"),
    ],
)
def test_requete_refusee_sans_appel(adresse: str, kwargs: dict[str, str], champ: str, debut: str) -> None:
    # a closed port: if anything were sent, the error would be « indisponible »
    with pytest.raises(DonneeInvalide) as e:
        geocoder(adresse, base_url=port_ferme(), **kwargs)  # type: ignore[arg-type]
    assert e.value.emplacement.champ == champ
    assert e.value.message.startswith(debut)


def test_corse_acceptee(ban: ServeurBAN) -> None:
    geocoder("cours Napoléon", code_insee="2a004", base_url=ban.url("vide"))
    assert ban.requetes[-1][1]["citycode"] == ["2A004"]


# -- the answer, pure ----------------------------------------------------------------------------

coordonnees_france = st.tuples(st.floats(-4.5, 7.5), st.floats(43.5, 50.5))


@given(st.lists(st.tuples(coordonnees_france, st.floats(-5, 5, allow_nan=False)), max_size=5))
def test_lire_reponse_garde_ordre_et_borne_score(points: list[tuple[tuple[float, float], float]]) -> None:
    donnees = collection(*[feature(f"lieu {i}", lon, lat, s) for i, ((lon, lat), s) in enumerate(points)])
    res = lire_reponse(donnees)
    # the boxes may touch the sea or a neighbour: only points in France are kept, in order
    assert [r.label for r in res] == sorted((r.label for r in res), key=lambda lab: int(lab.split()[1]))
    assert all(0.0 <= r.score <= 1.0 for r in res)
    assert set(r.label for r in res) <= {f"lieu {i}" for i in range(len(points))}


def test_lire_reponse_a_la_main() -> None:
    res = lire_reponse(collection(MAUBEUGE, NEW_YORK, feature("Lille", 3.06, 50.63, 7)))
    assert [(r.label, r.score) for r in res] == [("Place Vauban 59600 Maubeuge", 0.82), ("Lille", 1.0)]
    assert res[1].code_postal is None and res[1].type is None
    with pytest.raises(ErreurGeocodage, match="coordonnées"):
        lire_reponse(collection(feature("x", 200.0, 50.0, 1)))
    with pytest.raises(ErreurGeocodage, match="label"):
        lire_reponse(collection(feature("  ", 3.0, 50.0, 1)))
