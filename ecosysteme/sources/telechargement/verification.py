"""Checks of a downloaded file before it enters the cache: a web page served instead of the
file, and a ZIP archive's directory (member count, names, declared size, compression ratio)
before its one named member is extracted (see PITFALLS.md, zip bombs)."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from ecosysteme.domaine.erreurs import TelechargementImpossible
from ecosysteme.sources.catalogue import Source

#: Highest accepted uncompressed/compressed ratio of the extracted ZIP member.
RATIO_MAX = 100
#: The ratio is only checked above this uncompressed size (small files compress oddly).
SEUIL_RATIO = 1_000_000
#: Highest number of members in a ZIP.
MEMBRES_MAX = 10_000


def octets(n: int) -> str:
    """``1234567`` → ``"1 234 567 octets"``."""
    return f"{n:,} octets".replace(",", "\u202f")


def ressemble_a_html(chemin: Path) -> bool:
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


def verifier_zip(infos: list[zipfile.ZipInfo], src: Source) -> zipfile.ZipInfo:
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
            f"Archive refusée pour « {src.id} » : « {src.membre} » déclare {octets(info.file_size)} "
            f"une fois décompressé, au-delà de la limite de {octets(src.taille_max)} du catalogue "
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
