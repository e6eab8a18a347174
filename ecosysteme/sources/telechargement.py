"""Download the official sources of the catalogs into a local cache.

``telecharger(sources, region=..., miroir=..., cache=...)`` fetches each source, either from its
official URL or from a mirror, and returns one :class:`ResultatTelechargement` per source.

Guarantees:

- a file lands in the cache only complete: it is written to a temporary file in the cache
  folder, flushed to disk, checked, then moved into place with :func:`os.replace`;
- its sha256 is computed while writing; when the catalog pins one for the official file, a
  mismatch is an error and nothing is kept;
- a manifest (``manifeste.json`` in the cache) records, per source id, the file, its sha256,
  size, date, origin and region: the next call serves the file from the cache without any
  HTTP request (after re-hashing it), unless ``forcer=True``;
- connection errors, timeouts, HTTP 429 and 5xx are retried with exponential backoff;
- only ``http``/``https`` URLs are followed, redirects included;
- a ZIP source is checked from its directory (member count, names, declared size, compression
  ratio) before the one named member is extracted (see PITFALLS.md, zip bombs);
- a mirror (local folder or base URL) replaces the official URLs: its files are the already
  extracted GeoJSON/CSV, tried regional name first; a source absent from the mirror is
  reported as such in its result and does not stop the run.

Hard failures (offline, server errors after retries, bad checksum, refused archive) raise
:class:`~ecosysteme.domaine.erreurs.TelechargementImpossible` with a French message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import quote, urljoin, urlsplit

import httpx
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from ecosysteme.domaine import config
from ecosysteme.domaine.erreurs import TelechargementImpossible
from ecosysteme.sources import catalogue as catalog
from ecosysteme.sources.catalogue import Source

__all__ = [
    "NOM_MANIFESTE",
    "ResultatTelechargement",
    "lire_manifeste",
    "resume",
    "sha256_fichier",
    "telecharger",
]

#: Name of the manifest file inside the cache folder.
NOM_MANIFESTE = "manifeste.json"
VERSION_MANIFESTE = 1
#: Size of the chunks read and written.
TAILLE_BLOC = 64 * 1024
#: Highest accepted uncompressed/compressed ratio of the extracted ZIP member.
RATIO_MAX = 100
#: The ratio is only checked above this uncompressed size (small files compress oddly).
SEUIL_RATIO = 1_000_000
#: Highest number of members in a ZIP.
MEMBRES_MAX = 10_000
#: Default timeout (seconds) of one HTTP read; connecting gets at most 10 s.
TIMEOUT_DEFAUT = 60.0
#: HTTP statuses worth retrying besides 5xx.
_STATUTS_REESSAI = frozenset({408, 429})
_AGENT = "ecosysteme/0.1 (python-httpx; open data downloader)"

_CONSEIL_HORS_LIGNE = (
    "Pour travailler sans réseau, indiquez un miroir des données avec `--miroir DOSSIER` "
    f"(ou la variable d'environnement {config.ENV_MIROIR}), ou importez directement un fichier "
    "déjà récupéré avec `ecosysteme importer FICHIER`."
)


@dataclass(frozen=True)
class ResultatTelechargement:
    """What happened to one source.

    When the file is available, ``chemin``, ``sha256``, ``taille`` and ``format`` describe the
    file in the cache and ``raison`` is None; otherwise ``chemin`` is None and ``raison`` says,
    in French, why it is missing (for example « absent du miroir »).
    """

    source_id: str
    chemin: Path | None
    sha256: str | None
    taille: int | None
    #: ``geojson`` or ``csv``: the shape of the cached file (a mirror may differ from the official file).
    format: str | None
    depuis_cache: bool
    #: Official URL, mirror URL or mirror file path the file came from.
    origine: str | None
    #: Region the file is limited to, None for a national file.
    region: str | None = None
    raison: str | None = None

    @property
    def ok(self) -> bool:
        """True when the file is available in the cache."""
        return self.chemin is not None


# -- manifest -----------------------------------------------------------------------------------


def _maintenant() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def lire_manifeste(cache: Path) -> dict[str, dict[str, Any]]:
    """Entries of the cache manifest by source id (empty if absent or unreadable)."""
    chemin = cache / NOM_MANIFESTE
    try:
        brut = json.loads(chemin.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}  # a damaged manifest only costs a new download
    entrees = brut.get("sources") if isinstance(brut, dict) else None
    if not isinstance(entrees, dict):
        return {}
    return {k: v for k, v in entrees.items() if isinstance(k, str) and isinstance(v, dict)}


def _ecrire_atomique(chemin: Path, contenu: bytes) -> None:
    """Write ``contenu`` to ``chemin`` through a temp file in the same folder and ``os.replace``."""
    fd, nom = tempfile.mkstemp(dir=chemin.parent, prefix=f".{chemin.name}.", suffix=".part")
    tmp = Path(nom)
    try:
        with os.fdopen(fd, "wb") as fichier:
            fichier.write(contenu)
            fichier.flush()
            os.fsync(fichier.fileno())
        tmp.replace(chemin)
    finally:
        tmp.unlink(missing_ok=True)


def _maj_manifeste(cache: Path, source_id: str, entree: dict[str, Any] | None) -> None:
    """Set (or remove, with None) the entry of one source, re-reading the manifest just before."""
    entrees = lire_manifeste(cache)
    if entree is None:
        entrees.pop(source_id, None)
    else:
        entrees[source_id] = entree
    contenu = json.dumps(
        {"version": VERSION_MANIFESTE, "sources": dict(sorted(entrees.items()))},
        ensure_ascii=False,
        indent=2,
    )
    _ecrire_atomique(cache / NOM_MANIFESTE, contenu.encode("utf-8") + b"\n")


def sha256_fichier(chemin: Path) -> str:
    """Hex sha256 of a file, read by chunks."""
    h = hashlib.sha256()
    with chemin.open("rb") as fichier:
        for bloc in iter(lambda: fichier.read(TAILLE_BLOC), b""):
            h.update(bloc)
    return h.hexdigest()


# -- helpers --------------------------------------------------------------------------------------


def _octets(n: int) -> str:
    """``1234567`` → ``"1 234 567 octets"``."""
    return f"{n:,} octets".replace(",", "\u202f")


def _hote(url: str) -> str:
    return urlsplit(url).netloc or url


def _ressemble_a_html(chemin: Path) -> bool:
    """True when a file that should be GeoJSON/CSV starts like a web page."""
    with chemin.open("rb") as fichier:
        debut = fichier.read(512).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return debut.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _nom_sur(nom: str) -> bool:
    """True when a ZIP member name is relative and does not climb out (``..``)."""
    normal = nom.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return False
    return ".." not in PurePosixPath(normal).parts


def _verifier_zip(infos: list[zipfile.ZipInfo], src: Source) -> zipfile.ZipInfo:
    """Check a ZIP directory before extracting anything; return the entry of the named member."""
    if len(infos) > MEMBRES_MAX:
        raise TelechargementImpossible(
            f"Archive refusée pour « {src.id} » : {len(infos)} fichiers (au plus {MEMBRES_MAX} acceptés)."
        )
    dangereux = [i.filename for i in infos if not _nom_sur(i.filename)]
    if dangereux:
        raise TelechargementImpossible(
            f"Archive refusée pour « {src.id} » : chemin dangereux dans l'archive "
            f"(« {dangereux[0]} » : chemin absolu ou remontée « .. »)."
        )
    info = next((i for i in infos if i.filename == src.membre), None)
    if info is None or info.is_dir():
        presents = ", ".join(i.filename for i in infos[:10]) or "aucun"
        raise TelechargementImpossible(
            f"Le fichier « {src.membre} » est absent de l'archive de « {src.id} » "
            f"(contenu : {presents}). Le catalogue est peut-être à mettre à jour."
        )
    if info.flag_bits & 0x1:
        raise TelechargementImpossible(f"Archive refusée pour « {src.id} » : « {src.membre} » est chiffré.")
    if info.file_size > src.taille_max:
        raise TelechargementImpossible(
            f"Archive refusée pour « {src.id} » : « {src.membre} » déclare {_octets(info.file_size)} "
            f"une fois décompressé, au-delà de la limite de {_octets(src.taille_max)} du catalogue "
            "(champ « taille_max »)."
        )
    if info.file_size > SEUIL_RATIO:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > RATIO_MAX:
            raise TelechargementImpossible(
                f"Archive refusée pour « {src.id} » : « {src.membre} » se décompresse {ratio:.0f} fois "
                f"(au plus {RATIO_MAX} accepté) ; c'est la signature d'une « bombe zip »."
            )
    return info


def _lire_par_blocs(flux: IO[bytes]) -> Iterator[bytes]:
    yield from iter(lambda: flux.read(TAILLE_BLOC), b"")


# -- the downloader -------------------------------------------------------------------------------


class _HorsLigne(Exception):
    """Internal: the host could not be reached at all (connection refused, DNS, connect timeout)."""

    def __init__(self, url: str, detail: str) -> None:
        super().__init__(detail)
        self.url = url
        self.detail = detail


class _Telechargeur:
    """State of one ``telecharger`` call: cache, mirror, HTTP client and progress bar."""

    def __init__(
        self,
        *,
        region: str | None,
        miroir: str | None,
        cache: Path,
        progres: Progress,
        forcer: bool,
        tentatives: int,
        delai_reessai: float,
        timeout: float,
    ) -> None:
        self.region = region
        self.cache = cache
        self.progres = progres
        self.forcer = forcer
        self.tentatives = max(1, tentatives)
        self.delai_reessai = max(0.0, delai_reessai)
        self.timeout = timeout
        self._client: httpx.Client | None = None
        self.miroir_url: str | None = None
        self.miroir_dossier: Path | None = None
        if miroir is not None:
            self._analyser_miroir(miroir)

    # -- setup -------------------------------------------------------------------------------

    def _analyser_miroir(self, miroir: str) -> None:
        parts = urlsplit(miroir)
        if parts.scheme in ("http", "https"):
            if not parts.netloc:
                raise TelechargementImpossible(f"Adresse de miroir incomplète : « {miroir} ».")
            self.miroir_url = miroir if miroir.endswith("/") else miroir + "/"
        elif "://" in miroir:
            raise TelechargementImpossible(
                f"Miroir « {miroir} » refusé : seuls un dossier local ou une adresse http(s) sont acceptés."
            )
        else:
            dossier = Path(miroir).expanduser()
            if not dossier.is_dir():
                raise TelechargementImpossible(
                    f"Le miroir « {miroir} » n'est ni un dossier existant ni une adresse http(s) : "
                    "vérifiez le chemin donné à `--miroir`."
                )
            self.miroir_dossier = dossier.resolve()

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                follow_redirects=True,
                max_redirects=10,
                headers={"User-Agent": _AGENT},
            )
        return self._client

    def fermer(self) -> None:
        if self._client is not None:
            self._client.close()

    # -- one source --------------------------------------------------------------------------

    def traiter(self, src: Source) -> ResultatTelechargement:
        if not self.forcer:
            en_cache = self._depuis_cache(src)
            if en_cache is not None:
                return en_cache
        if self.miroir_url is not None or self.miroir_dossier is not None:
            return self._depuis_miroir(src)
        return self._depuis_officiel(src)

    def _depuis_cache(self, src: Source) -> ResultatTelechargement | None:
        entree = lire_manifeste(self.cache).get(src.id)
        if entree is None:
            return None
        nom = entree.get("fichier")
        region = entree.get("region")
        if not isinstance(nom, str) or Path(nom).name != nom or nom.startswith("."):
            return None
        if region is not None and region != self.region:
            return None  # a regional copy of another region
        chemin = self.cache / nom
        if not chemin.is_file() or sha256_fichier(chemin) != entree.get("sha256"):
            return None  # missing or altered: download again
        return ResultatTelechargement(
            source_id=src.id,
            chemin=chemin,
            sha256=str(entree["sha256"]),
            taille=chemin.stat().st_size,
            format=catalog.format_de_nom(nom),
            depuis_cache=True,
            origine=str(entree.get("origine")) if entree.get("origine") else None,
            region=region,
        )

    def _absent(self, src: Source, raison: str) -> ResultatTelechargement:
        return ResultatTelechargement(
            source_id=src.id,
            chemin=None,
            sha256=None,
            taille=None,
            format=None,
            depuis_cache=False,
            origine=None,
            raison=raison,
        )

    def _temp(self, src: Source) -> Path:
        fd, nom = tempfile.mkstemp(dir=self.cache, prefix=f".{src.id}.", suffix=".part")
        os.close(fd)
        return Path(nom)

    def _depuis_miroir(self, src: Source) -> ResultatTelechargement:
        candidats = src.noms_miroir(self.region)
        base = self.miroir_url or str(self.miroir_dossier)
        if not candidats:
            return self._absent(
                src, f"absent du miroir ({base}) : aucun fichier de miroir n'est prévu pour cette source"
            )
        for nom, regional in candidats:
            fmt = catalog.format_de_nom(nom) or src.format_fichier
            tmp = self._temp(src)
            try:
                if self.miroir_url is not None:
                    url = urljoin(self.miroir_url, quote(nom))
                    obtenu = self._telecharger_url(url, tmp, src, description=src.id, miroir=True)
                    if obtenu is None:
                        continue  # 404: try the next name
                    origine = url
                else:
                    assert self.miroir_dossier is not None
                    chemin = self.miroir_dossier / nom
                    if not chemin.is_file():
                        continue
                    obtenu = self._copier(chemin, tmp, src, description=src.id)
                    origine = str(chemin)
                self._refuser_html(tmp, src, origine)
                return self._installer(src, tmp, obtenu, fmt, self.region if regional else None, origine)
            finally:
                tmp.unlink(missing_ok=True)
        essayes = ", ".join(n for n, _ in candidats)
        return self._absent(src, f"absent du miroir ({base}) : aucun des fichiers {essayes}")

    def _depuis_officiel(self, src: Source) -> ResultatTelechargement:
        url = src.url_pour(self.region)
        if url is None:
            page = f" depuis {src.page}" if src.page else ""
            return self._absent(
                src,
                "pas d'adresse de téléchargement direct dans le catalogue : récupérez le fichier"
                f"{page} puis `ecosysteme importer FICHIER`, ou utilisez `--miroir DOSSIER`",
            )
        tmp = self._temp(src)
        extrait: Path | None = None
        try:
            obtenu = self._telecharger_url(url, tmp, src, description=src.id, miroir=False)
            if obtenu is None:  # pragma: no cover - 404 is only tolerated for mirrors
                raise TelechargementImpossible(f"Fichier introuvable : {url}.")
            if src.sha256 is not None and obtenu[0] != src.sha256:
                raise TelechargementImpossible(
                    f"Empreinte sha256 inattendue pour « {src.id} » ({url}) : {obtenu[0]} au lieu de "
                    f"{src.sha256} attendue par le catalogue. Le fichier officiel a changé ou a été "
                    "altéré en route ; rien n'a été gardé. Vérifiez la source, puis mettez à jour "
                    "l'empreinte du catalogue."
                )
            if src.format == "zip":
                extrait = self._temp(src)
                obtenu = self._extraire(tmp, extrait, src)
                fichier = extrait
            else:
                self._refuser_html(tmp, src, url)
                fichier = tmp
            region = self.region if src.url_regionale else None
            return self._installer(src, fichier, obtenu, src.format_fichier, region, url)
        finally:
            tmp.unlink(missing_ok=True)
            if extrait is not None:
                extrait.unlink(missing_ok=True)

    # -- transfer ----------------------------------------------------------------------------

    def _ecrire_flux(
        self,
        morceaux: Iterable[bytes],
        tmp: Path,
        *,
        limite: int,
        total: int | None,
        description: str,
        src: Source,
    ) -> tuple[str, int]:
        """Write chunks to ``tmp`` (truncating it), hashing and counting; refuse beyond ``limite``."""
        h = hashlib.sha256()
        taille = 0
        tache: TaskID = self.progres.add_task(description, total=total)
        termine = False
        try:
            with tmp.open("wb") as fichier:
                for morceau in morceaux:
                    taille += len(morceau)
                    if taille > limite:
                        raise TelechargementImpossible(
                            f"Fichier refusé pour « {src.id} » : plus de {_octets(limite)}, au-delà de la "
                            "limite prévue (champ « taille_max » du catalogue, "
                            "ou taille déclarée dans l'archive)."
                        )
                    fichier.write(morceau)
                    h.update(morceau)
                    self.progres.update(tache, advance=len(morceau))
                fichier.flush()
                os.fsync(fichier.fileno())
            termine = True
        finally:
            if not termine:  # a failed attempt leaves no stale bar behind
                self.progres.update(tache, visible=False)
        return h.hexdigest(), taille

    def _copier(self, chemin: Path, tmp: Path, src: Source, *, description: str) -> tuple[str, int]:
        try:
            with chemin.open("rb") as fichier:
                return self._ecrire_flux(
                    _lire_par_blocs(fichier),
                    tmp,
                    limite=src.taille_max,
                    total=chemin.stat().st_size,
                    description=description,
                    src=src,
                )
        except OSError as exc:
            raise TelechargementImpossible(
                f"Copie impossible de « {chemin} » vers le cache : {exc}."
            ) from exc

    def _telecharger_url(
        self, url: str, tmp: Path, src: Source, *, description: str, miroir: bool
    ) -> tuple[str, int] | None:
        """GET ``url`` into ``tmp`` with retries; None on 404 from a mirror."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise TelechargementImpossible(
                f"Adresse refusée pour « {src.id} » : « {url} » n'est pas en http(s)."
            )
        dernier_statut: int | None = None
        derniere_erreur: httpx.TransportError | None = None
        for essai in range(1, self.tentatives + 1):
            if essai > 1:
                time.sleep(self.delai_reessai * 2 ** (essai - 2))
            try:
                with self.client.stream("GET", url) as reponse:
                    statut = reponse.status_code
                    if statut == 404 and miroir:
                        return None
                    if statut >= 500 or statut in _STATUTS_REESSAI:
                        dernier_statut, derniere_erreur = statut, None
                        continue
                    if statut >= 400:
                        raise TelechargementImpossible(self._message_statut(src, url, statut, essais=1))
                    annonce = reponse.headers.get("content-length")
                    total = int(annonce) if annonce and annonce.isdigit() else None
                    if total is not None and total > src.taille_max:
                        raise TelechargementImpossible(
                            f"Fichier refusé pour « {src.id} » : le serveur annonce {_octets(total)}, "
                            f"au-delà de la limite de {_octets(src.taille_max)} du catalogue "
                            "(champ « taille_max »)."
                        )
                    return self._ecrire_flux(
                        reponse.iter_bytes(TAILLE_BLOC),
                        tmp,
                        limite=src.taille_max,
                        total=total,
                        description=description,
                        src=src,
                    )
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                dernier_statut, derniere_erreur = None, exc
                continue
            except httpx.UnsupportedProtocol as exc:
                raise TelechargementImpossible(
                    f"Téléchargement refusé pour « {src.id} » : {url} redirige vers une adresse qui n'est "
                    f"pas en http(s) ({exc})."
                ) from exc
            except httpx.TooManyRedirects as exc:
                raise TelechargementImpossible(
                    f"Téléchargement impossible pour « {src.id} » : trop de redirections depuis {url}."
                ) from exc
            except (httpx.TransportError, httpx.DecodingError, httpx.InvalidURL) as exc:
                raise TelechargementImpossible(
                    f"Téléchargement impossible pour « {src.id} » depuis {url} : {exc}."
                ) from exc
        if derniere_erreur is not None:
            detail = str(derniere_erreur) or type(derniere_erreur).__name__
            if isinstance(derniere_erreur, httpx.ConnectError | httpx.ConnectTimeout):
                raise _HorsLigne(url, detail)
            raise TelechargementImpossible(
                f"Téléchargement interrompu pour « {src.id} » depuis {_hote(url)} après {self.tentatives} "
                f"tentative(s) ({detail}). Réessayez plus tard."
                + ("" if miroir else f" {_CONSEIL_HORS_LIGNE}")
            )
        assert dernier_statut is not None
        raise TelechargementImpossible(self._message_statut(src, url, dernier_statut, essais=self.tentatives))

    def _message_statut(self, src: Source, url: str, statut: int, *, essais: int) -> str:
        debut = f"Le serveur {_hote(url)} a répondu « erreur {statut} » pour « {src.id} » ({url})"
        if essais > 1:
            debut += f" à chacune des {essais} tentatives"
        if statut >= 500 or statut in _STATUTS_REESSAI:
            return f"{debut}. Le service est sans doute en panne ou surchargé : réessayez plus tard."
        page = f" ; page du jeu de données : {src.page}" if src.page else ""
        return f"{debut}. L'adresse du catalogue est peut-être périmée{page}."

    def _refuser_html(self, chemin: Path, src: Source, origine: str) -> None:
        if _ressemble_a_html(chemin):
            raise TelechargementImpossible(
                f"« {origine} » a renvoyé une page web (HTML) au lieu du fichier attendu pour « {src.id} » : "
                "l'adresse pointe sans doute vers la page du jeu de données et non vers le fichier."
            )

    def _extraire(self, archive: Path, dest: Path, src: Source) -> tuple[str, int]:
        """Extract the catalog's member of ``archive`` into ``dest`` after checking the directory."""
        try:
            with zipfile.ZipFile(archive) as zf:
                info = _verifier_zip(zf.infolist(), src)
                with zf.open(info) as flux:
                    return self._ecrire_flux(
                        _lire_par_blocs(flux),
                        dest,
                        limite=min(src.taille_max, info.file_size),
                        total=info.file_size,
                        description=f"{src.id} (décompression)",
                        src=src,
                    )
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise TelechargementImpossible(
                f"Archive ZIP illisible pour « {src.id} » : {exc}. Le fichier est peut-être incomplet ou "
                "n'est pas une archive ZIP."
            ) from exc

    def _installer(
        self, src: Source, fichier: Path, obtenu: tuple[str, int], fmt: str, region: str | None, origine: str
    ) -> ResultatTelechargement:
        """Move a checked temp file into place and record it in the manifest."""
        sha, taille = obtenu
        nom = f"{src.id}-{region}.{fmt}" if region else f"{src.id}.{fmt}"
        final = self.cache / nom
        ancien = lire_manifeste(self.cache).get(src.id, {}).get("fichier")
        fichier.replace(final)
        if isinstance(ancien, str) and ancien != nom and Path(ancien).name == ancien:
            (self.cache / ancien).unlink(missing_ok=True)
        _maj_manifeste(
            self.cache,
            src.id,
            {
                "fichier": nom,
                "sha256": sha,
                "taille": taille,
                "format": fmt,
                "date": _maintenant(),
                "origine": origine,
                "region": region,
            },
        )
        return ResultatTelechargement(
            source_id=src.id,
            chemin=final,
            sha256=sha,
            taille=taille,
            format=fmt,
            depuis_cache=False,
            origine=origine,
            region=region,
        )


#: Temp files older than this (seconds) are leftovers of a killed run and are removed.
AGE_RESTES = 24 * 3600


def _nettoyer_restes(cache: Path) -> None:
    """Remove ``.part`` temp files left by a run killed long ago (recent ones may be in use)."""
    limite = time.time() - AGE_RESTES
    for reste in cache.glob(".*.part"):
        with contextlib.suppress(OSError):
            if reste.stat().st_mtime < limite:
                reste.unlink()


def _barre(progression: bool) -> Progress:
    console = Console(stderr=True)
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not (progression and console.is_terminal),
    )


def telecharger(
    sources: Iterable[Source | str],
    *,
    region: str | None = config.REGION_PAR_DEFAUT,
    miroir: str | os.PathLike[str] | None = None,
    cache: str | os.PathLike[str] | None = None,
    progression: bool = True,
    forcer: bool = False,
    tentatives: int = 3,
    delai_reessai: float = 1.0,
    timeout: float = TIMEOUT_DEFAUT,
) -> list[ResultatTelechargement]:
    """Fetch each source into the cache and return one result per source, in order.

    ``sources`` are catalog entries or their ids. ``region`` is the INSEE region code used for
    regional URLs and mirror names (None: national files only). ``miroir`` is a local folder
    or an http(s) base URL, else ``$ECOSYSTEME_MIROIR``; with a mirror the official URLs are
    not used. ``cache`` defaults to :func:`ecosysteme.domaine.config.cache_dir`. ``forcer`` ignores
    the cache. Retries: ``tentatives`` attempts, waiting ``delai_reessai`` seconds then twice as
    long each time. ``timeout`` bounds each HTTP read (connecting: at most 10 s).

    Raises :class:`TelechargementImpossible` (French message) when the machine or the mirror
    is unreachable, when a server keeps failing, on a checksum mismatch or a refused archive.
    """
    liste = [s if isinstance(s, Source) else catalog.source(s) for s in sources]
    if region is not None:
        catalog.slug_region(region)
    miroir_effectif = config.miroir(os.fspath(miroir) if miroir is not None else None)
    dossier_cache = config.cache_dir(cache)
    try:
        dossier_cache.mkdir(parents=True, exist_ok=True)
        _nettoyer_restes(dossier_cache)
    except OSError as exc:
        raise TelechargementImpossible(
            f"Impossible de créer le dossier de cache « {dossier_cache} » : {exc}."
        ) from exc

    with _barre(progression) as progres:
        t = _Telechargeur(
            region=region,
            miroir=miroir_effectif,
            cache=dossier_cache,
            progres=progres,
            forcer=forcer,
            tentatives=tentatives,
            delai_reessai=delai_reessai,
            timeout=timeout,
        )
        resultats: list[ResultatTelechargement] = []
        try:
            for src in liste:
                resultats.append(t.traiter(src))
        except _HorsLigne as exc:
            if t.miroir_url is not None:
                raise TelechargementImpossible(
                    f"Le miroir {t.miroir_url} est injoignable ({exc.detail}) : vérifiez son adresse, ou "
                    "indiquez un dossier local avec `--miroir DOSSIER`."
                ) from exc
            raise TelechargementImpossible(
                f"Impossible de joindre {_hote(exc.url)} ({exc.detail}) : cette machine semble hors ligne, "
                f"ou le serveur est injoignable. {_CONSEIL_HORS_LIGNE}"
            ) from exc
        except OSError as exc:
            raise TelechargementImpossible(
                f"Écriture impossible dans le cache « {dossier_cache} » : {exc}."
            ) from exc
        finally:
            t.fermer()
    return resultats


def resume(resultats: Iterable[ResultatTelechargement]) -> str:
    """A French summary of a ``telecharger`` run, one line per source."""
    lignes: list[str] = []
    for r in resultats:
        if r.ok:
            provenance = "cache" if r.depuis_cache else (r.origine or "?")
            lignes.append(f"  ✓ {r.source_id} : {r.chemin} ({r.taille} octets, {r.format}) — {provenance}")
        else:
            lignes.append(f"  ✗ {r.source_id} : {r.raison}")
    return "\n".join(lignes)
