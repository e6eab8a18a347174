"""One ``telecharger`` run: a source served from the cache, a mirror (folder or URL) or its
official URL, over HTTP with retries, streamed to a temp file while hashed, checked, then moved
into the cache and recorded in the manifest."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import httpx
from rich.progress import Progress, TaskID

from ecosysteme.domaine import config
from ecosysteme.domaine.erreurs import TelechargementImpossible
from ecosysteme.sources import catalogue as catalog
from ecosysteme.sources.catalogue import Source
from ecosysteme.sources.telechargement.cache import (
    TAILLE_BLOC,
    ResultatTelechargement,
    lire_manifeste,
    lire_par_blocs,
    maintenant,
    maj_manifeste,
    sha256_fichier,
)
from ecosysteme.sources.telechargement.verification import octets, ressemble_a_html, verifier_zip

#: Default timeout (seconds) of one HTTP read; connecting gets at most 10 s.
TIMEOUT_DEFAUT = 60.0
#: HTTP statuses worth retrying besides 5xx.
_STATUTS_REESSAI = frozenset({408, 429})
_AGENT = "ecosysteme/0.1 (python-httpx; open data downloader)"

CONSEIL_HORS_LIGNE = (
    "Pour travailler sans réseau, indiquez un miroir des données avec `--miroir DOSSIER` "
    f"(ou la variable d'environnement {config.ENV_MIROIR}), ou importez directement un fichier "
    "déjà récupéré avec `ecosysteme importer FICHIER`."
)


def hote(url: str) -> str:
    return urlsplit(url).netloc or url


# -- the downloader -------------------------------------------------------------------------------


class HorsLigne(Exception):
    """Internal: the host could not be reached at all (connection refused, DNS, connect timeout)."""

    def __init__(self, url: str, detail: str) -> None:
        super().__init__(detail)
        self.url = url
        self.detail = detail


class Telechargeur:
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
                            f"Fichier refusé pour « {src.id} » : plus de {octets(limite)}, au-delà de la "
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
                    lire_par_blocs(fichier),
                    tmp,
                    limite=src.taille_max,
                    total=chemin.stat().st_size,
                    description=description,
                    src=src,
                )
        except TelechargementImpossible:
            raise  # already said in French (it is an OSError too)
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
                            f"Fichier refusé pour « {src.id} » : le serveur annonce {octets(total)}, "
                            f"au-delà de la limite de {octets(src.taille_max)} du catalogue "
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
                raise HorsLigne(url, detail)
            raise TelechargementImpossible(
                f"Téléchargement interrompu pour « {src.id} » depuis {hote(url)} après {self.tentatives} "
                f"tentative(s) ({detail}). Réessayez plus tard."
                + ("" if miroir else f" {CONSEIL_HORS_LIGNE}")
            )
        assert dernier_statut is not None
        raise TelechargementImpossible(self._message_statut(src, url, dernier_statut, essais=self.tentatives))

    def _message_statut(self, src: Source, url: str, statut: int, *, essais: int) -> str:
        debut = f"Le serveur {hote(url)} a répondu « erreur {statut} » pour « {src.id} » ({url})"
        if essais > 1:
            debut += f" à chacune des {essais} tentatives"
        if statut >= 500 or statut in _STATUTS_REESSAI:
            return f"{debut}. Le service est sans doute en panne ou surchargé : réessayez plus tard."
        page = f" ; page du jeu de données : {src.page}" if src.page else ""
        return f"{debut}. L'adresse du catalogue est peut-être périmée{page}."

    def _refuser_html(self, chemin: Path, src: Source, origine: str) -> None:
        if ressemble_a_html(chemin):
            raise TelechargementImpossible(
                f"« {origine} » a renvoyé une page web (HTML) au lieu du fichier attendu pour « {src.id} » : "
                "l'adresse pointe sans doute vers la page du jeu de données et non vers le fichier."
            )

    def _extraire(self, archive: Path, dest: Path, src: Source) -> tuple[str, int]:
        """Extract the catalog's member of ``archive`` into ``dest`` after checking the directory."""
        try:
            with zipfile.ZipFile(archive) as zf:
                info = verifier_zip(zf.infolist(), src)
                with zf.open(info) as flux:
                    return self._ecrire_flux(
                        lire_par_blocs(flux),
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
        maj_manifeste(
            self.cache,
            src.id,
            {
                "fichier": nom,
                "sha256": sha,
                "taille": taille,
                "format": fmt,
                "date": maintenant(),
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
