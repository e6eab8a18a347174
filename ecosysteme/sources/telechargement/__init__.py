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

import os
from collections.abc import Iterable

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from ecosysteme.domaine import config
from ecosysteme.domaine.erreurs import TelechargementImpossible
from ecosysteme.sources import catalogue as catalog
from ecosysteme.sources.catalogue import Source
from ecosysteme.sources.telechargement.cache import (
    NOM_MANIFESTE,
    ResultatTelechargement,
    lire_manifeste,
    nettoyer_restes,
    sha256_fichier,
)
from ecosysteme.sources.telechargement.telechargeur import (
    CONSEIL_HORS_LIGNE,
    TIMEOUT_DEFAUT,
    HorsLigne,
    Telechargeur,
    hote,
)

__all__ = [
    "NOM_MANIFESTE",
    "ResultatTelechargement",
    "lire_manifeste",
    "resume",
    "sha256_fichier",
    "telecharger",
]


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
    not used. ``cache`` defaults to :func:`ecosysteme.domaine.config.dossier_cache`. ``forcer`` ignores
    the cache. Retries: ``tentatives`` attempts, waiting ``delai_reessai`` seconds then twice as
    long each time. ``timeout`` bounds each HTTP read (connecting: at most 10 s).

    Raises :class:`TelechargementImpossible` (French message) when the machine or the mirror
    is unreachable, when a server keeps failing, on a checksum mismatch or a refused archive.
    """
    liste = [s if isinstance(s, Source) else catalog.source(s) for s in sources]
    if region is not None:
        catalog.slug_region(region)
    miroir_effectif = config.miroir(os.fspath(miroir) if miroir is not None else None)
    dossier_cache = config.dossier_cache(cache)
    try:
        dossier_cache.mkdir(parents=True, exist_ok=True)
        nettoyer_restes(dossier_cache)
    except OSError as exc:
        raise TelechargementImpossible(
            f"Impossible de créer le dossier de cache « {dossier_cache} » : {exc}."
        ) from exc

    with _barre(progression) as progres:
        t = Telechargeur(
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
        except HorsLigne as exc:
            if t.miroir_url is not None:
                raise TelechargementImpossible(
                    f"Le miroir {t.miroir_url} est injoignable ({exc.detail}) : vérifiez son adresse, ou "
                    "indiquez un dossier local avec `--miroir DOSSIER`."
                ) from exc
            raise TelechargementImpossible(
                f"Impossible de joindre {hote(exc.url)} ({exc.detail}) : cette machine semble hors ligne, "
                f"ou le serveur est injoignable. {CONSEIL_HORS_LIGNE}"
            ) from exc
        except TelechargementImpossible:
            raise  # already said in French (it is an OSError too)
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
