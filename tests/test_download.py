"""Downloader: cache, mirror (URL and folder), retries, checksums, ZIP safety, offline message.

Every test talks to a real HTTP server started in a thread on 127.0.0.1 (never to the internet).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import socket
import struct
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from ecosysteme.domaine import config
from ecosysteme.domaine.erreurs import TelechargementImpossible
from ecosysteme.sources import catalogue as catalog
from ecosysteme.sources.catalogue import Source
from ecosysteme.sources.telechargement import (
    NOM_MANIFESTE,
    ResultatTelechargement,
    lire_manifeste,
    telecharger,
)

DONNEES = Path(__file__).resolve().parents[1].parent / "shared" / "data"
besoin_donnees = pytest.mark.skipif(
    not DONNEES.is_dir(), reason=f"données réelles absentes : {DONNEES} (../shared/data à côté du dépôt)"
)
pytestmark = pytest.mark.lent

RAPIDE: dict[str, Any] = {"progression": False, "delai_reessai": 0.01}


def _sha(chemin: Path) -> str:
    return hashlib.sha256(chemin.read_bytes()).hexdigest()


# -- the local HTTP server -------------------------------------------------------------------------


class Serveur(ThreadingHTTPServer):
    """A threaded file server that records requests and can misbehave on chosen paths."""

    def __init__(self, dossier: Path) -> None:
        super().__init__(("127.0.0.1", 0), functools.partial(_Gestionnaire, directory=str(dossier)))
        self.requetes: list[str] = []
        #: path → number of 500 answers still to give before serving normally.
        self.pannes: dict[str, int] = {}
        self.toujours_500: set[str] = set()
        self.redirections: dict[str, str] = {}
        self.pages_html: set[str] = set()
        self.lents: dict[str, float] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Keep quiet when the client hangs up early (size limit, timeout tests); report the rest."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def compter(self, nom: str | None = None) -> int:
        if nom is None:
            return len(self.requetes)
        return sum(1 for r in self.requetes if r == "/" + nom)


class _Gestionnaire(SimpleHTTPRequestHandler):
    server: Serveur

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base
        pass

    def do_GET(self) -> None:
        chemin = urlsplit(self.path).path
        srv = self.server
        srv.requetes.append(chemin)
        if chemin in srv.lents:
            time.sleep(srv.lents[chemin])
        if chemin in srv.toujours_500 or srv.pannes.get(chemin, 0) > 0:
            if chemin in srv.pannes:
                srv.pannes[chemin] -= 1
            self.send_error(500, "Panne simulee")
            return
        if chemin in srv.redirections:
            self.send_response(302)
            self.send_header("Location", srv.redirections[chemin])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if chemin in srv.pages_html:
            corps = b"<!DOCTYPE html><html><body>Page du jeu de donnees</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(corps)))
            self.end_headers()
            self.wfile.write(corps)
            return
        super().do_GET()


@pytest.fixture
def serveur_pour() -> Iterator[Callable[[Path], Serveur]]:
    """Start servers on chosen folders; all are shut down after the test."""
    demarres: list[Serveur] = []

    def demarrer(dossier: Path) -> Serveur:
        srv = Serveur(dossier)
        threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        demarres.append(srv)
        return srv

    yield demarrer
    for srv in demarres:
        srv.shutdown()
        srv.server_close()


@pytest.fixture
def miroir_http(serveur_pour: Callable[[Path], Serveur]) -> Serveur:
    if not DONNEES.is_dir():
        pytest.skip(f"données réelles absentes : {DONNEES} (../shared/data à côté du dépôt)")
    return serveur_pour(DONNEES)


@pytest.fixture(autouse=True)
def environnement_propre(monkeypatch: pytest.MonkeyPatch) -> None:
    """No mirror, cache or proxy coming from the developer's environment."""
    for nom in (config.ENV_MIROIR, config.ENV_CACHE):
        monkeypatch.delenv(nom, raising=False)
    for nom in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(nom, raising=False)


def _port_ferme() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _source(url: str | None, **champs: Any) -> Source:
    donnees: dict[str, Any] = {
        "id": "essai",
        "theme": "qpv",
        "titre": "Essai",
        "producteur": "Tests",
        "licence": "Licence Ouverte 2.0",
        "url": url,
        "format": "geojson",
        "importeur": "qpv",
        "colonnes": ["code_qp"],
    }
    donnees.update(champs)
    return Source.model_validate(donnees)


def _fichiers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def _par_id(resultats: list[ResultatTelechargement]) -> dict[str, ResultatTelechargement]:
    return {r.source_id: r for r in resultats}


# -- mirror ----------------------------------------------------------------------------------------


@besoin_donnees
def test_miroir_url_region_32(miroir_http: Serveur, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    resultats = telecharger(catalog.sources(), region="32", miroir=miroir_http.base, cache=cache, **RAPIDE)
    assert [r.source_id for r in resultats] == [s.id for s in catalog.sources()]
    par_id = _par_id(resultats)

    absent = par_id.pop("lieux-mediation-numerique")
    assert not absent.ok and absent.chemin is None
    assert absent.raison is not None and "absent du miroir" in absent.raison

    for src in catalog.sources():
        if src.id not in par_id:
            continue
        r = par_id[src.id]
        attendu = src.noms_miroir("32")[0][0]  # the regional name is preferred
        assert r.ok and r.chemin is not None, r.raison
        assert r.origine == miroir_http.base + attendu
        assert r.chemin.parent == cache
        assert r.sha256 == _sha(DONNEES / attendu) == _sha(r.chemin)
        assert r.taille == (DONNEES / attendu).stat().st_size
        assert r.region == "32"
        assert r.format == catalog.format_de_nom(attendu)
        assert not r.depuis_cache
        assert miroir_http.compter(attendu) == 1
    assert miroir_http.compter() == 8
    assert not [n for n in _fichiers(cache) if n.endswith(".part")]

    manifeste = json.loads((cache / NOM_MANIFESTE).read_text(encoding="utf-8"))
    entree = manifeste["sources"]["qpv-perimetres"]
    assert entree["sha256"] == _sha(DONNEES / "qpv2024_hdf.geojson")
    assert entree["origine"].endswith("/qpv2024_hdf.geojson")
    assert entree["region"] == "32" and entree["fichier"] == "qpv-perimetres-32.geojson"
    assert set(entree) >= {"fichier", "sha256", "taille", "date", "origine"}


@besoin_donnees
def test_miroir_dossier(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    resultats = _par_id(telecharger(catalog.sources("qpv"), miroir=str(DONNEES), cache=cache, **RAPIDE))
    r = resultats["qpv-population"]
    assert r.ok and r.chemin is not None
    assert r.origine == str(DONNEES.resolve() / "qpv2024_indicateurs_hdf.csv")
    assert r.sha256 == _sha(DONNEES / "qpv2024_indicateurs_hdf.csv")
    assert r.format == "csv"
    assert r.chemin.read_bytes() == (DONNEES / "qpv2024_indicateurs_hdf.csv").read_bytes()
    assert all(x.ok for x in resultats.values())


@besoin_donnees
def test_miroir_dossier_repli_national(tmp_path: Path) -> None:
    """Région 11 has no regional file in the mirror: national files, or « absent du miroir »."""
    cache = tmp_path / "cache"
    resultats = _par_id(telecharger(catalog.sources(), region="11", miroir=DONNEES, cache=cache, **RAPIDE))
    qpv = resultats["qpv-perimetres"]
    assert qpv.ok and qpv.region is None
    assert qpv.origine is not None and qpv.origine.endswith("qpv2024_france.geojson")
    assert qpv.sha256 == _sha(DONNEES / "qpv2024_france.geojson")
    fs = resultats["france-services"]
    assert fs.format == "csv" and fs.chemin is not None and fs.chemin.name == "france-services.csv"
    communes = resultats["communes"]
    assert not communes.ok
    assert communes.raison is not None and "absent du miroir" in communes.raison
    assert "communes_idf_2026.geojson" in communes.raison


@besoin_donnees
def test_miroir_depuis_la_variable_d_environnement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.ENV_MIROIR, str(DONNEES))
    monkeypatch.setenv(config.ENV_CACHE, str(tmp_path / "cache_env"))
    (r,) = telecharger([catalog.source("epci")], **RAPIDE)
    assert r.ok and r.chemin is not None
    assert r.chemin.parent == tmp_path / "cache_env"
    assert r.sha256 == _sha(DONNEES / "epci_hdf_2026.geojson")


def test_miroir_invalide(tmp_path: Path) -> None:
    src = _source("https://exemple.invalid/x.geojson", miroir=["x.geojson"])
    with pytest.raises(TelechargementImpossible, match="seuls un dossier local ou une adresse http"):
        telecharger([src], miroir="ftp://exemple.fr/", cache=tmp_path, **RAPIDE)
    with pytest.raises(TelechargementImpossible, match="ni un dossier existant"):
        telecharger([src], miroir=str(tmp_path / "absent"), cache=tmp_path, **RAPIDE)


def test_miroir_injoignable(tmp_path: Path) -> None:
    src = _source("https://exemple.invalid/x.geojson", miroir=["x.geojson"])
    with pytest.raises(TelechargementImpossible) as exc:
        telecharger([src], miroir=f"http://127.0.0.1:{_port_ferme()}/", cache=tmp_path, **RAPIDE)
    assert "miroir" in exc.value.message and "injoignable" in exc.value.message


# -- cache -----------------------------------------------------------------------------------------


@besoin_donnees
def test_deuxieme_appel_servi_par_le_cache(miroir_http: Serveur, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    premiers = telecharger(catalog.sources(), miroir=miroir_http.base, cache=cache, **RAPIDE)
    avant = miroir_http.compter()
    seconds = telecharger(catalog.sources(), miroir=miroir_http.base, cache=cache, **RAPIDE)
    assert miroir_http.compter() == avant  # no HTTP at all
    for a, b in zip(premiers, seconds, strict=True):
        assert a.source_id == b.source_id
        if a.ok:
            assert b.depuis_cache and b.chemin == a.chemin and b.sha256 == a.sha256
            assert b.origine == a.origine
        else:
            assert not b.ok and b.raison == a.raison
    # served from the cache even without any mirror nor network
    hors_ligne = telecharger([catalog.source("qpv-perimetres")], cache=cache, **RAPIDE)
    assert hors_ligne[0].depuis_cache and hors_ligne[0].ok


@besoin_donnees
def test_forcer_retelecharge(miroir_http: Serveur, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sources = [catalog.source("qpv-perimetres"), catalog.source("epci")]
    telecharger(sources, miroir=miroir_http.base, cache=cache, **RAPIDE)
    assert miroir_http.compter() == 2
    resultats = telecharger(sources, miroir=miroir_http.base, cache=cache, forcer=True, **RAPIDE)
    assert miroir_http.compter() == 4
    assert all(r.ok and not r.depuis_cache for r in resultats)
    assert resultats[0].sha256 == _sha(DONNEES / "qpv2024_hdf.geojson")


@besoin_donnees
def test_fichier_du_cache_altere_retelecharge(miroir_http: Serveur, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    src = catalog.source("epci")
    (r,) = telecharger([src], miroir=miroir_http.base, cache=cache, **RAPIDE)
    assert r.chemin is not None
    r.chemin.write_bytes(b"abime")
    (r2,) = telecharger([src], miroir=miroir_http.base, cache=cache, **RAPIDE)
    assert not r2.depuis_cache and miroir_http.compter() == 2
    assert r2.chemin is not None and _sha(r2.chemin) == _sha(DONNEES / "epci_hdf_2026.geojson")


@besoin_donnees
def test_changer_de_region_remplace_la_copie_regionale(miroir_http: Serveur, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    src = catalog.source("qpv-perimetres")
    (r32,) = telecharger([src], region="32", miroir=miroir_http.base, cache=cache, **RAPIDE)
    (r11,) = telecharger([src], region="11", miroir=miroir_http.base, cache=cache, **RAPIDE)
    assert not r11.depuis_cache
    assert r11.chemin is not None and r11.chemin.name == "qpv-perimetres.geojson"
    assert r32.chemin is not None and not r32.chemin.exists()  # the old copy is removed
    assert lire_manifeste(cache)["qpv-perimetres"]["region"] is None
    # the national copy now serves any region from the cache
    (r32bis,) = telecharger([src], region="32", miroir=miroir_http.base, cache=cache, **RAPIDE)
    assert r32bis.depuis_cache


# -- official URLs: retries, errors, checksums -----------------------------------------------------


@besoin_donnees
def test_reessais_apres_deux_erreurs_500(miroir_http: Serveur, tmp_path: Path) -> None:
    miroir_http.pannes["/epci_hdf_2026.geojson"] = 2
    src = _source(miroir_http.base + "epci_hdf_2026.geojson")
    (r,) = telecharger([src], cache=tmp_path, **RAPIDE)
    assert r.ok and r.sha256 == _sha(DONNEES / "epci_hdf_2026.geojson")
    assert miroir_http.compter("epci_hdf_2026.geojson") == 3
    assert r.origine == src.url and r.region is None


@besoin_donnees
def test_erreur_500_permanente(miroir_http: Serveur, tmp_path: Path) -> None:
    miroir_http.toujours_500.add("/epci_hdf_2026.geojson")
    src = _source(miroir_http.base + "epci_hdf_2026.geojson")
    debut = time.monotonic()
    with pytest.raises(TelechargementImpossible) as exc:
        telecharger([src], cache=tmp_path, **RAPIDE)
    assert time.monotonic() - debut < 5
    assert "erreur 500" in exc.value.message
    assert "3 tentatives" in exc.value.message
    assert "réessayez plus tard" in exc.value.message
    assert miroir_http.compter() == 3
    assert _fichiers(tmp_path) == []


@besoin_donnees
def test_erreur_404_officielle(miroir_http: Serveur, tmp_path: Path) -> None:
    src = _source(miroir_http.base + "nexiste_pas.geojson", page="https://exemple.fr/jeu")
    with pytest.raises(TelechargementImpossible) as exc:
        telecharger([src], cache=tmp_path, **RAPIDE)
    assert "erreur 404" in exc.value.message and "https://exemple.fr/jeu" in exc.value.message
    assert miroir_http.compter() == 1  # a 404 is not retried


def test_connexion_refusee_sans_miroir(tmp_path: Path) -> None:
    src = _source(f"http://127.0.0.1:{_port_ferme()}/qpv.geojson")
    with pytest.raises(TelechargementImpossible) as exc:
        telecharger([src], cache=tmp_path, **RAPIDE)
    message = exc.value.message
    assert "hors ligne" in message
    assert "--miroir DOSSIER" in message
    assert "ecosysteme importer FICHIER" in message
    assert _fichiers(tmp_path) == []


def test_source_sans_adresse_directe(tmp_path: Path) -> None:
    src = _source(None, page="https://www.insee.fr/fr/statistiques/8210600")
    (r,) = telecharger([src], cache=tmp_path, **RAPIDE)
    assert not r.ok
    assert r.raison is not None
    assert "https://www.insee.fr/fr/statistiques/8210600" in r.raison and "ecosysteme importer" in r.raison


@besoin_donnees
def test_empreinte_incorrecte(miroir_http: Serveur, tmp_path: Path) -> None:
    src = _source(miroir_http.base + "epci_hdf_2026.geojson", sha256="0" * 64)
    with pytest.raises(TelechargementImpossible) as exc:
        telecharger([src], cache=tmp_path, **RAPIDE)
    assert "Empreinte sha256 inattendue" in exc.value.message
    assert _sha(DONNEES / "epci_hdf_2026.geojson") in exc.value.message
    assert _fichiers(tmp_path) == []  # no file, no temp file, no manifest entry


@besoin_donnees
def test_empreinte_correcte(miroir_http: Serveur, tmp_path: Path) -> None:
    attendu = _sha(DONNEES / "epci_hdf_2026.geojson")
    src = _source(miroir_http.base + "epci_hdf_2026.geojson", sha256=attendu)
    (r,) = telecharger([src], cache=tmp_path, **RAPIDE)
    assert r.ok and r.sha256 == attendu


@besoin_donnees
def test_taille_max_depassee(miroir_http: Serveur, tmp_path: Path) -> None:
    src = _source(miroir_http.base + "epci_hdf_2026.geojson", taille_max=1000)
    with pytest.raises(TelechargementImpossible, match="taille_max"):
        telecharger([src], cache=tmp_path, **RAPIDE)
    assert _fichiers(tmp_path) == []


@besoin_donnees
def test_redirection_vers_file_refusee(miroir_http: Serveur, tmp_path: Path) -> None:
    miroir_http.redirections["/piege.geojson"] = "file:///etc/passwd"
    src = _source(miroir_http.base + "piege.geojson")
    with pytest.raises(TelechargementImpossible, match=r"pas en http\(s\)"):
        telecharger([src], cache=tmp_path, **RAPIDE)
    assert _fichiers(tmp_path) == []


@besoin_donnees
def test_redirection_http_suivie(miroir_http: Serveur, tmp_path: Path) -> None:
    miroir_http.redirections["/api/1/datasets/r/abc"] = "/epci_hdf_2026.geojson"
    (r,) = telecharger([_source(miroir_http.base + "api/1/datasets/r/abc")], cache=tmp_path, **RAPIDE)
    assert r.ok and r.sha256 == _sha(DONNEES / "epci_hdf_2026.geojson")


@besoin_donnees
def test_page_html_au_lieu_du_fichier(miroir_http: Serveur, tmp_path: Path) -> None:
    miroir_http.pages_html.add("/jeu.geojson")
    with pytest.raises(TelechargementImpossible, match="page web"):
        telecharger([_source(miroir_http.base + "jeu.geojson")], cache=tmp_path, **RAPIDE)
    assert _fichiers(tmp_path) == []


@besoin_donnees
def test_delai_depasse_puis_erreur(miroir_http: Serveur, tmp_path: Path) -> None:
    miroir_http.lents["/epci_hdf_2026.geojson"] = 1.0
    src = _source(miroir_http.base + "epci_hdf_2026.geojson")
    with pytest.raises(TelechargementImpossible, match="après 2 tentative"):
        telecharger([src], cache=tmp_path, progression=False, delai_reessai=0.01, timeout=0.2, tentatives=2)
    assert miroir_http.compter() == 2


def test_schema_non_http_jamais_suivi() -> None:
    with pytest.raises(ValueError, match="les autres schémas"):
        _source("file:///etc/passwd")


def test_region_inconnue(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="Code région « 99 » inconnu"):
        telecharger([_source(None)], region="99", cache=tmp_path, **RAPIDE)


def test_barre_de_progression_hors_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With ``progression=True`` but no terminal, nothing is drawn and nothing breaks."""
    (r,) = telecharger([_source(None)], cache=tmp_path, progression=True)
    assert not r.ok
    assert capsys.readouterr().err == ""


# -- ZIP sources -----------------------------------------------------------------------------------

MEMBRE = "GEOJSON/QP2024_essai.geojson"


def _zip(chemin: Path, membres: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(chemin, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for nom, contenu in membres.items():
            zf.writestr(nom, contenu)
    return chemin


def _source_zip(url: str, **champs: Any) -> Source:
    return _source(url, id="essai-zip", format="zip", membre=MEMBRE, **champs)


@pytest.fixture
def site_zip(tmp_path: Path, serveur_pour: Callable[[Path], Serveur]) -> tuple[Path, Serveur]:
    dossier = tmp_path / "site"
    dossier.mkdir()
    return dossier, serveur_pour(dossier)


def test_zip_extrait(site_zip: tuple[Path, Serveur], tmp_path: Path) -> None:
    dossier, srv = site_zip
    contenu = json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {"code_qp": "QN05918M"}}],
        }
    ).encode()
    archive = _zip(dossier / "qpv.zip", {"LISEZMOI.txt": b"bonjour", MEMBRE: contenu})
    cache = tmp_path / "cache"
    src = _source_zip(srv.base + "qpv.zip", sha256=_sha(archive))  # the pin is the ZIP's own sha256
    (r,) = telecharger([src], cache=cache, **RAPIDE)
    assert r.ok and r.chemin is not None
    assert r.chemin == cache / "essai-zip.geojson"
    assert r.chemin.read_bytes() == contenu
    assert r.sha256 == hashlib.sha256(contenu).hexdigest()
    assert r.taille == len(contenu) and r.format == "geojson"
    assert _fichiers(cache) == ["essai-zip.geojson", NOM_MANIFESTE]


def test_zip_membre_absent(site_zip: tuple[Path, Serveur], tmp_path: Path) -> None:
    dossier, srv = site_zip
    _zip(dossier / "qpv.zip", {"autre.geojson": b"{}"})
    with pytest.raises(TelechargementImpossible, match="absent de l'archive") as exc:
        telecharger([_source_zip(srv.base + "qpv.zip")], cache=tmp_path / "cache", **RAPIDE)
    assert "autre.geojson" in exc.value.message
    assert _fichiers(tmp_path / "cache") == []


def test_zip_illisible(site_zip: tuple[Path, Serveur], tmp_path: Path) -> None:
    dossier, srv = site_zip
    (dossier / "qpv.zip").write_bytes(b"PK\x03\x04 ceci n'est pas une archive")
    with pytest.raises(TelechargementImpossible, match="Archive ZIP illisible"):
        telecharger([_source_zip(srv.base + "qpv.zip")], cache=tmp_path / "cache", **RAPIDE)
    assert _fichiers(tmp_path / "cache") == []


def test_bombe_zip_taux_de_compression(site_zip: tuple[Path, Serveur], tmp_path: Path) -> None:
    dossier, srv = site_zip
    archive = _zip(dossier / "bombe.zip", {MEMBRE: b"\0" * (8 * 1024 * 1024)})
    assert archive.stat().st_size < 100_000
    debut = time.monotonic()
    with pytest.raises(TelechargementImpossible, match="bombe zip"):
        telecharger([_source_zip(srv.base + "bombe.zip")], cache=tmp_path / "cache", **RAPIDE)
    assert time.monotonic() - debut < 3
    assert _fichiers(tmp_path / "cache") == []


def test_bombe_zip_taille_declaree_enorme(site_zip: tuple[Path, Serveur], tmp_path: Path) -> None:
    """A directory declaring 3 GB uncompressed is refused before anything is extracted."""
    dossier, srv = site_zip
    archive = _zip(dossier / "bombe.zip", {MEMBRE: os.urandom(200_000)})
    octets = bytearray(archive.read_bytes())
    debut_repertoire = octets.find(b"PK\x01\x02")
    struct.pack_into("<I", octets, debut_repertoire + 24, 3_000_000_000)  # uncompressed size
    archive.write_bytes(bytes(octets))
    debut = time.monotonic()
    with pytest.raises(TelechargementImpossible, match="déclare") as exc:
        telecharger([_source_zip(srv.base + "bombe.zip")], cache=tmp_path / "cache", **RAPIDE)
    assert time.monotonic() - debut < 3
    assert "taille_max" in exc.value.message
    assert _fichiers(tmp_path / "cache") == []


def test_zip_trop_de_membres(
    site_zip: tuple[Path, Serveur], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecosysteme.sources.telechargement import verification as download

    monkeypatch.setattr(download, "MEMBRES_MAX", 5)
    dossier, srv = site_zip
    _zip(dossier / "qpv.zip", {MEMBRE: b"{}", **{f"f{i}.txt": b"x" for i in range(10)}})
    with pytest.raises(TelechargementImpossible, match="11 fichiers"):
        telecharger([_source_zip(srv.base + "qpv.zip")], cache=tmp_path / "cache", **RAPIDE)


@pytest.mark.parametrize(
    "nom_dangereux", ["../evil.geojson", "/tmp/evil.geojson", "GEOJSON/../../evil.geojson"]
)
def test_zip_chemin_dangereux(site_zip: tuple[Path, Serveur], tmp_path: Path, nom_dangereux: str) -> None:
    dossier, srv = site_zip
    _zip(dossier / "evil.zip", {MEMBRE: b"{}", nom_dangereux: b"mechant"})
    cache = tmp_path / "cache"
    with pytest.raises(TelechargementImpossible, match="chemin dangereux") as exc:
        telecharger([_source_zip(srv.base + "evil.zip")], cache=cache, **RAPIDE)
    assert nom_dangereux in exc.value.message
    assert _fichiers(cache) == []
    assert not (tmp_path / "evil.geojson").exists()
