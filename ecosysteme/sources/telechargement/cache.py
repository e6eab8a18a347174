"""The download cache: its manifest (``manifeste.json``: per source id, the file, its sha256,
size, date, origin and region), files hashed by chunks, leftovers of killed runs removed.

The manifest is rewritten atomically (``ecosysteme.domaine.fichiers``) after being re-read just
before, so that two runs never lose each other's entries for long."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ecosysteme.domaine.fichiers import ecrire_octets

#: Name of the manifest file inside the cache folder.
NOM_MANIFESTE = "manifeste.json"
VERSION_MANIFESTE = 1
#: Size of the chunks read and written.
TAILLE_BLOC = 64 * 1024


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


def maintenant() -> str:
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


def maj_manifeste(cache: Path, source_id: str, entree: dict[str, Any] | None) -> None:
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
    ecrire_octets(cache / NOM_MANIFESTE, contenu.encode("utf-8") + b"\n", suffixe=".part")


def sha256_fichier(chemin: Path) -> str:
    """Hex sha256 of a file, read by chunks."""
    h = hashlib.sha256()
    with chemin.open("rb") as fichier:
        for bloc in iter(lambda: fichier.read(TAILLE_BLOC), b""):
            h.update(bloc)
    return h.hexdigest()


def lire_par_blocs(flux: IO[bytes]) -> Iterator[bytes]:
    yield from iter(lambda: flux.read(TAILLE_BLOC), b"")


#: Temp files older than this (seconds) are leftovers of a killed run and are removed.
AGE_RESTES = 24 * 3600


def nettoyer_restes(cache: Path) -> None:
    """Remove ``.part`` temp files left by a run killed long ago (recent ones may be in use)."""
    limite = time.time() - AGE_RESTES
    for reste in cache.glob(".*.part"):
        with contextlib.suppress(OSError):
            if reste.stat().st_mtime < limite:
                reste.unlink()
