"""What a file is, from its first bytes, never from its extension alone: the type detected, a
binary file refused, an extension that announces another format noted."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from ecosysteme.domaine.erreurs import Emplacement, FichierInvalide, FormatInconnu
from ecosysteme.sources.lecture.table import TypeFichier


def detecter_type(path: Path, debut: bytes | None = None, nom: str | None = None) -> TypeFichier:
    """The file type from its first bytes, never from its extension alone.

    ``nom`` is the name shown in messages (the user's file name when ``path`` is ours).
    """
    head = debut if debut is not None else _debut(path, nom=nom)
    nom = nom or path.name
    if not head.strip():
        raise FichierInvalide("le fichier est vide.", Emplacement(nom))
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx" if b"[Content_Types].xml" in head or b"xl/" in head else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise FichierInvalide(
            "ancien format Excel (.xls) ou Office binaire : enregistrez-le en .xlsx ou en CSV UTF-8.",
            Emplacement(nom),
        )
    if head.startswith(b"PK\x05\x06"):
        raise FichierInvalide("l'archive ZIP est vide.", Emplacement(nom))
    large = encodage_large(head)
    texte = head.decode(large, errors="ignore") if large else head.decode("latin-1")
    texte = texte.lstrip("\ufeff\u00ef\u00bb\u00bf").lstrip()
    low = texte[:512].lower()
    if low.startswith("<"):
        if "ogrvrtdatasource" in low or "<vrt" in low:
            raise FichierInvalide(
                "ce fichier est une description GDAL (VRT) qui pourrait lire d'autres fichiers "
                "ou le réseau : refusé par sécurité.",
                Emplacement(nom),
            )
        raise FormatInconnu(
            f"contenu XML/HTML : ce n'est ni un CSV, ni un GeoJSON{_conseil_extension(nom)}.",
            Emplacement(nom),
        )
    if texte.startswith(("{", "[")):
        if '"features"' in texte or '"FeatureCollection"' in texte or '"Feature"' in texte:
            if large:
                raise FichierInvalide(
                    f"GeoJSON enregistré en {large.upper()} : la norme GeoJSON impose l'UTF-8. "
                    "Enregistrez-le de nouveau en UTF-8.",
                    Emplacement(nom),
                )
            return "geojson"
        return "json"
    if large is None:
        refuser_binaire(head, nom)
    return "csv"


#: What a file named with this extension should contain (the content decides anyway).
_TYPES_PAR_EXTENSION: dict[str, tuple[str, ...]] = {
    ".csv": ("csv",),
    ".tsv": ("csv",),
    ".txt": ("csv",),
    ".json": ("json", "geojson"),
    ".geojson": ("geojson",),
    ".gpkg": ("gpkg",),
    ".xlsx": ("xlsx",),
    ".zip": ("zip",),
}
NOMS_TYPES = {
    "csv": "texte CSV",
    "json": "JSON",
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
    "xlsx": "classeur XLSX",
    "zip": "archive ZIP",
}


def avertissement_extension(nom: str, type_: TypeFichier) -> str | None:
    """A warning when the file's extension announces another format than its content."""
    ext = PurePosixPath(nom).suffix.lower()
    attendus = _TYPES_PAR_EXTENSION.get(ext)
    if attendus is None or type_ in attendus:
        return None
    return (
        f"le nom du fichier se termine par « {ext} » mais son contenu est un {NOMS_TYPES[type_]} : "
        "lu comme tel (le format est reconnu d'après le contenu)."
    )


def _conseil_extension(nom: str) -> str:
    ext = PurePosixPath(nom).suffix.lower()
    if ext in (".xlsx", ".xlsm"):
        return " ; un classeur XLSX est une archive ZIP, ce fichier n'en est pas une (tableau HTML renommé ?)"
    return ""


def encodage_large(head: bytes) -> str | None:
    """UTF-32 or UTF-16 (by its byte-order mark, or one byte of two NUL), else None."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    echantillon = head[:65536]
    impairs, pairs = echantillon[1::2], echantillon[0::2]
    if len(echantillon) >= 4:
        if impairs.count(b"\x00") > 0.9 * len(impairs) and pairs.count(b"\x00") < 0.1 * len(pairs):
            return "utf-16-le"
        if pairs.count(b"\x00") > 0.9 * len(pairs) and impairs.count(b"\x00") < 0.1 * len(impairs):
            return "utf-16-be"
    return None


#: Bytes a text file never holds (C0 controls other than tab, line feed, form feed, carriage
#: return; ESC and the separators 0x1C-0x1F are tolerated: some exports use them).
_OCTETS_BINAIRES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B)])


#: First bytes of common binary files sent by mistake.
_SIGNATURES = (
    (b"%PDF", "un document PDF"),
    (b"\x89PNG", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
    (b"GIF8", "une image GIF"),
    (b"\x1f\x8b", "une archive gzip"),
    (b"7z\xbc\xaf", "une archive 7z"),
    (b"Rar!", "une archive RAR"),
    (b"BZh", "une archive bzip2"),
    (b"\xfd7zXZ", "une archive xz"),
    (b"MZ", "un programme Windows"),
    (b"\x7fELF", "un programme"),
)


def refuser_binaire(data: bytes, nom: str) -> None:
    """Refuse a file that is not text (a CSV is expected): a NUL byte anywhere, many control
    bytes in its first 64 kio, or the signature of a known binary format."""
    echantillon = data[:65536]
    nul = data.find(b"\x00")
    controles = sum(echantillon.count(bytes([b])) for b in _OCTETS_BINAIRES)
    connu = any(echantillon.startswith(debut) for debut, _ in _SIGNATURES if len(debut) > 2)
    if nul < 0 and controles <= max(4, len(echantillon) // 100) and not connu:
        return
    ext = PurePosixPath(nom).suffix.lower()
    signature = next((quoi for debut, quoi in _SIGNATURES if echantillon.startswith(debut)), None)
    if signature is not None:
        quoi = (
            f"ce fichier est {signature}, pas un fichier de données (CSV, XLSX, JSON, GeoJSON, "
            "GeoPackage ou shapefile zippé)."
        )
    elif ext in (".xlsx", ".xlsm"):
        quoi = (
            f"le fichier porte l'extension {ext} mais n'est pas un classeur XLSX : un classeur est une "
            "archive ZIP, ce fichier n'en est pas une (fichier abîmé, ou d'un autre format renommé ?). "
            "Ouvrez-le dans votre tableur et enregistrez-le de nouveau au format .xlsx."
        )
    elif ext == ".gpkg":
        quoi = (
            "le fichier porte l'extension .gpkg mais n'est pas un GeoPackage (base SQLite) : fichier abîmé ?"
        )
    elif ext == ".zip":
        quoi = "le fichier porte l'extension .zip mais n'est pas une archive ZIP : fichier abîmé ?"
    elif ext in (".json", ".geojson"):
        quoi = f"fichier binaire, pas un texte JSON : le contenu ne correspond pas à l'extension {ext}."
    elif nul >= 0 and controles <= max(8, len(echantillon) // 1000):
        # a text with a stray NUL byte: say where
        ligne = data[:nul].count(b"\n") + 1
        raise FichierInvalide(
            f"octet nul (NUL) à la ligne {ligne} : un fichier texte n'en contient jamais (fichier abîmé, ou "
            "enregistré dans un encodage inattendu ?). Retirez-le, ou enregistrez le fichier de nouveau en "
            "CSV UTF-8.",
            Emplacement(nom, ligne),
        )
    else:
        quoi = (
            "fichier binaire, pas un texte CSV (un ancien classeur .xls ? enregistrez-le en .xlsx ou en "
            "CSV UTF-8)."
        )
    raise FichierInvalide(quoi, Emplacement(nom))


def _debut(path: Path, n: int = 65536, nom: str | None = None) -> bytes:
    nom = nom or str(path)
    try:
        with path.open("rb") as fh:
            return fh.read(n)
    except FileNotFoundError as exc:
        raise FichierInvalide("fichier introuvable.", Emplacement(nom)) from exc
    except IsADirectoryError as exc:
        raise FichierInvalide("c'est un dossier, pas un fichier.", Emplacement(nom)) from exc
    except PermissionError as exc:
        raise FichierInvalide("lecture interdite (droits du fichier).", Emplacement(nom)) from exc
