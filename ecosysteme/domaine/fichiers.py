"""Writing a whole file atomically: a reader sees the old file or the new one, never half of one.

The content goes to a temp file in the destination's folder (same file system, so the rename is
atomic), is flushed to disk (``fsync``), then renamed over the destination with ``os.replace``;
on any failure the temp file is removed and the destination is left as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def ecrire_atomique(chemin: Path, ecrire: Callable[[Path], None], *, suffixe: str | None = None) -> Path:
    """Call ``ecrire(tmp)`` on a temp path beside ``chemin`` (the file does not exist yet: some
    writers, GDAL's, refuse an existing one), sync it to disk, then rename it into place.

    The temp file is named ``.<name>.<random><suffixe>`` (``suffixe``: the destination's own
    extension by default, which writers choosing a format by extension need). Returns ``chemin``.
    """
    chemin = Path(chemin)
    chemin.parent.mkdir(parents=True, exist_ok=True)
    fin = chemin.suffix if suffixe is None else suffixe
    fd, nom = tempfile.mkstemp(prefix=f".{chemin.name}.", suffix=fin, dir=chemin.parent)
    os.close(fd)
    tmp = Path(nom)
    try:
        tmp.unlink()
        ecrire(tmp)
        _synchroniser(tmp)
        tmp.replace(chemin)
    finally:
        tmp.unlink(missing_ok=True)
    return chemin


def ecrire_octets(chemin: Path, contenu: bytes, *, suffixe: str | None = None) -> Path:
    """Write ``contenu`` to ``chemin`` atomically (:func:`ecrire_atomique`)."""

    def ecrire(tmp: Path) -> None:
        tmp.write_bytes(contenu)

    return ecrire_atomique(chemin, ecrire, suffixe=suffixe)


def ecrire_texte(chemin: Path, texte: str) -> Path:
    """Write ``texte`` (UTF-8) to ``chemin`` atomically (:func:`ecrire_atomique`)."""
    return ecrire_octets(chemin, texte.encode("utf-8"))


def _synchroniser(chemin: Path) -> None:
    """Flush a written file's bytes to the disk (a file written by a library is reopened)."""
    fd = os.open(chemin, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
