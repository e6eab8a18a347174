"""Reading input files safely: format from content, encoding and separator detected, explicit drivers.

A file is never handed to GDAL without an explicit driver chosen from its content (a `.geojson`
that is really a VRT could read any file of the machine or make network requests).

Every damaged or unexpected file (truncated, binary, another format under a known extension, an
encoding that does not decode, a workbook that inflates too much, GDAL's own errors) gives a
:class:`~ecosysteme.domaine.erreurs.FichierInvalide` in French naming the file (the name given, never
a private copy's) and, where known, the line: no library error reaches the user. A geographic
file is read in the coordinate system it declares (a GeoJSON's ``crs`` member, a GeoPackage's)
and converted to WGS84 (:func:`vers_wgs84`).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Literal

# Before pyogrio/GDAL is imported anywhere: never let GDAL open VRTs or network paths.
os.environ.setdefault("GDAL_SKIP", "VRT")
os.environ.setdefault("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", ".none")
os.environ.setdefault("GDAL_HTTP_TIMEOUT", "1")

import charset_normalizer  # noqa: E402
import pandas as pd  # noqa: E402

from ecosysteme.domaine.erreurs import Emplacement, FichierInvalide, FormatInconnu  # noqa: E402

if TYPE_CHECKING:
    import geopandas as gpd
    import openpyxl
    import pyproj
    from shapely.geometry.base import BaseGeometry

log = logging.getLogger(__name__)

TypeFichier = Literal["csv", "geojson", "json", "gpkg", "xlsx", "zip"]

#: Largest file read at all (bytes).
TAILLE_MAX = 512 * 1024 * 1024

_SEPARATEURS = (",", ";", "|", "\t")
_NOMS_SEPARATEURS = {",": "virgule", ";": "point-virgule", "|": "barre verticale", "\t": "tabulation"}


@dataclass
class Table:
    """Rows of an input file as strings, with what was detected while reading it."""

    fichier: str
    type: TypeFichier
    colonnes: list[str]
    lignes: list[dict[str, str | None]]
    #: Spreadsheet-style number of each row (header = 1 for CSV; feature index for geo files).
    numeros: list[int]
    #: (longitude, latitude) from a point geometry, when the file has geometries.
    points: list[tuple[float, float] | None] | None = None
    encodage: str | None = None
    separateur: str | None = None
    #: The coordinate system the file declares (points are in WGS84 whatever it is).
    crs: str | None = None
    avertissements: list[str] = field(default_factory=list)
    #: Per feature of a geographic file, why it gives no point (``probleme_geometrie``), or None.
    problemes_geometrie: list[str | None] | None = None

    @property
    def nom_separateur(self) -> str | None:
        return _NOMS_SEPARATEURS.get(self.separateur or "", self.separateur)


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
    large = _encodage_large(head)
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
        _refuser_binaire(head, nom)
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


def _encodage_large(head: bytes) -> str | None:
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


def _refuser_binaire(data: bytes, nom: str) -> None:
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


def decoder(data: bytes, nom: str) -> tuple[str, str, list[str]]:
    """Decode bytes: UTF-8 (with or without BOM) first, else the detected single-byte encoding.

    Returns (text, encoding name, warnings). cp1252 is preferred to latin-1 (it has « œ », « € »).
    """
    if not data.strip():
        raise FichierInvalide("le fichier est vide.", Emplacement(nom))
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", []
        except UnicodeDecodeError as exc:
            raise _erreur_encodage(data, exc, nom) from exc
    large = _encodage_large(data[:65536])
    if large is not None:
        try:
            texte = data.decode(large)
        except UnicodeDecodeError as exc:
            raise _erreur_encodage(data, exc, nom, large) from exc
        avert = [f"fichier en {large.upper()} sans marque d'ordre : lu comme tel."]
        if large in ("utf-16", "utf-32"):
            avert = []
        return texte.lstrip("\ufeff"), large, avert
    echantillon = data[:65536]
    _refuser_binaire(data, nom)
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Single-byte French text: Windows-1252 (a superset of Latin-1 with « œ », « € », « ’ »);
    # charset-normalizer confirms, and Latin-1 is the last resort for undefined cp1252 bytes.
    best = charset_normalizer.from_bytes(echantillon, cp_isolation=["cp1252", "latin_1"]).best()
    encoding = "latin_1" if best is not None and best.encoding == "latin_1" else "cp1252"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding = "latin_1"
        text = data.decode(encoding)
    ligne = data[: utf8_error.start].count(b"\n") + 1
    message = (
        f"le fichier n'est pas en UTF-8 (premier octet invalide ligne {ligne}) : "
        f"encodage détecté {_nom_encodage(encoding)}, lu comme tel. Enregistrez-le en UTF-8 "
        "pour éviter toute ambiguïté."
    )
    return text, encoding, [message]


def _nom_encodage(enc: str) -> str:
    noms = {"cp1252": "Windows-1252 (cp1252)", "latin_1": "ISO-8859-1 (Latin-1)", "utf-8": "UTF-8"}
    return noms.get(enc, enc.upper())


def _erreur_encodage(
    data: bytes, exc: UnicodeDecodeError, nom: str, encodage: str = "utf-8"
) -> FichierInvalide:
    debut = data[: exc.start]
    if encodage.startswith(("utf-16", "utf-32")):
        ligne = debut.decode(encodage, errors="ignore").count("\n") + 1
    else:
        ligne = debut.count(b"\n") + 1
    if exc.reason == "truncated data" or exc.end >= len(data):
        quoi = "le fichier se termine au milieu d'un caractère (fichier tronqué ?)"
    else:
        quoi = f"octet 0x{data[exc.start]:02X} invalide"
    return FichierInvalide(
        f"encodage illisible ({_nom_encodage(encodage)}) : {quoi}, ligne {ligne}. Enregistrez le fichier en "
        "UTF-8.",
        Emplacement(nom, ligne),
    )


def detecter_separateur(texte: str, nom: str) -> str:
    """The CSV separator among `,` `;` `|` tab, from the header and the first lines."""
    echantillon = texte[:262144]
    lignes = echantillon.splitlines()[:51]
    if len(echantillon) < len(texte) and len(lignes) > 1:
        lignes = lignes[:-1]  # perhaps cut in the middle
    lignes = [ligne for ligne in lignes[:50] if ligne.strip()]
    if not lignes:
        raise FichierInvalide("le fichier est vide.", Emplacement(nom))
    try:
        dialect = csv.Sniffer().sniff("\n".join(lignes[:20]), delimiters="".join(_SEPARATEURS))
        sep = str(dialect.delimiter)
    except csv.Error:
        sep = max(_SEPARATEURS, key=lambda s: lignes[0].count(s))
    header_counts = {s: next(csv.reader([lignes[0]], delimiter=s)).__len__() for s in _SEPARATEURS}
    # The header decides when the sniffer hesitates: the separator that splits it the most.
    best = max(_SEPARATEURS, key=lambda s: header_counts[s])
    if header_counts.get(sep, 1) < header_counts[best]:
        sep = best
    return sep


def _lignes_texte(texte: str) -> Iterator[str]:
    """The lines of ``texte`` with their ends, as a file opened with ``newline=""`` gives them
    to the csv module, without copying the whole text (``io.StringIO`` holds 4 bytes a
    character). Line feeds end lines; a text with carriage returns only (old Mac) ends them
    there."""
    fin_ligne = "\n" if "\n" in texte[:65536] or "\r" not in texte[:65536] else "\r"
    debut = 0
    while True:
        fin = texte.find(fin_ligne, debut)
        if fin < 0:
            if debut < len(texte):
                yield texte[debut:]
            return
        yield texte[debut : fin + 1]
        debut = fin + 1


#: Longest value of a CSV cell (characters): the csv module's default; a longer one is an unclosed
#: quote or a damaged file.
LIMITE_CHAMP_CSV = 131_072


def _erreur_csv(exc: csv.Error, ligne: int, nom: str) -> FichierInvalide:
    detail = str(exc)
    if "field larger than field limit" in detail:
        return FichierInvalide(
            f"une valeur dépasse {LIMITE_CHAMP_CSV:_} caractères à partir de la ligne {ligne} : "
            "guillemet ouvert jamais fermé (fichier tronqué ?) ou valeur démesurée.".replace("_", "\u202f"),
            Emplacement(nom, ligne),
        )
    if "unexpected end of data" in detail or "EOF" in detail:
        return FichierInvalide(
            f"CSV mal formé vers la ligne {ligne} : le fichier se termine au milieu d'une valeur entre "
            "guillemets (fichier tronqué ou guillemet non fermé ?).",
            Emplacement(nom, ligne),
        )
    if "',' expected after '\"'" in detail or "expected after" in detail:
        return FichierInvalide(
            f"CSV mal formé vers la ligne {ligne} : caractère inattendu après un guillemet fermant "
            "(guillemet non doublé dans une valeur ? fichier tronqué ?).",
            Emplacement(nom, ligne),
        )
    if "new-line character seen in unquoted field" in detail:
        return FichierInvalide(
            f"CSV mal formé vers la ligne {ligne} : retour chariot isolé dans une valeur sans guillemets "
            "(fichier tronqué ou abîmé ?).",
            Emplacement(nom, ligne),
        )
    return FichierInvalide(
        f"CSV mal formé vers la ligne {ligne} ({detail}) : fichier tronqué ou guillemet non fermé ?",
        Emplacement(nom, ligne),
    )


def lire_csv(path: Path, nom: str | None = None) -> Table:
    """A CSV file as string rows: encoding and separator detected, BOM removed, codes kept as text."""
    nom = nom or path.name
    data = _lire_octets(path, nom)
    texte, encodage, avert = decoder(data, nom)
    del data
    sep = detecter_separateur(texte, nom)
    # the csv module's field limit is global and other libraries change it when imported
    # (frictionless sets 20 MB): ours is set at every read, so a file gets the same answer
    # whatever was imported before
    csv.field_size_limit(LIMITE_CHAMP_CSV)
    reader = csv.reader(_lignes_texte(texte), delimiter=sep, strict=True)
    try:
        premiere = next(reader, None)
    except csv.Error as exc:
        raise _erreur_csv(exc, reader.line_num, nom) from exc
    if premiere is None:
        raise FichierInvalide("le fichier est vide.", Emplacement(nom))
    header = [_nettoyer_entete(h) for h in premiere]
    if len(header) == 1:
        raise FichierInvalide(
            "une seule colonne lue : séparateur non reconnu (attendu virgule, point-virgule, "
            "barre verticale ou tabulation).",
            Emplacement(nom, 1),
        )
    _verifier_entetes(header, nom)
    lignes: list[dict[str, str | None]] = []
    numeros: list[int] = []
    debut = reader.line_num + 1
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            raise _erreur_csv(exc, debut, nom) from exc
        if row is None:
            break
        numero, debut = debut, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise FichierInvalide(
                f"{len(row)} valeurs au lieu de {len(header)} : ligne incomplète (fichier tronqué ?) "
                "ou séparateur dans une valeur sans guillemets.",
                Emplacement(nom, numero),
            )
        lignes.append({h: (_neutre(v)) for h, v in zip(header, row, strict=True)})
        numeros.append(numero)
    return Table(nom, "csv", header, lignes, numeros, None, encodage, sep, None, avert)


def exiger_lignes(table: Table) -> None:
    """Refuse a file with no row (a header alone, an empty collection): nothing to import."""
    if table.lignes:
        return
    geo = table.type in ("geojson", "gpkg")
    raise FichierInvalide(
        "aucun objet dans le fichier (collection vide) : rien à importer."
        if geo
        else "aucune ligne de données : le fichier n'a que sa ligne d'en-têtes. Rien à importer.",
        Emplacement(table.fichier, None if geo else 2),
    )


def _neutre(v: str) -> str | None:
    s = v.strip()
    if s.startswith('="') and s.endswith('"'):  # spreadsheet-protected codes: ="01053"
        s = s[2:-1]
    return s or None


def _nettoyer_entete(h: str) -> str:
    return h.strip().lstrip("\ufeff").strip('"').strip()


def _verifier_entetes(header: list[str], nom: str) -> None:
    vus: set[str] = set()
    for i, h in enumerate(header, start=1):
        if not h:
            raise FichierInvalide(f"la colonne n° {i} n'a pas de nom.", Emplacement(nom, 1))
        if h in vus:
            raise FichierInvalide(f"la colonne « {h} » apparaît deux fois.", Emplacement(nom, 1, h))
        vus.add(h)


def _lire_octets(path: Path, nom: str) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise FichierInvalide("fichier introuvable.", Emplacement(nom)) from exc
    if size > TAILLE_MAX:
        raise FichierInvalide(f"fichier trop volumineux ({size / 1e6:.0f} Mo).", Emplacement(nom))
    return path.read_bytes()


#: Python's json messages in French (the position is given apart).
_JSON = (
    ("Unterminated string starting at", "chaîne de caractères non terminée"),
    ("Expecting value", "valeur attendue"),
    ("Expecting ',' delimiter", "virgule attendue"),
    ("Expecting ':' delimiter", "deux-points attendus"),
    ("Expecting property name enclosed in double quotes", "nom de propriété entre guillemets attendu"),
    ("Invalid control character at", "caractère de contrôle non échappé"),
    ("Invalid \\escape", "séquence d'échappement invalide"),
    ("Invalid \\uXXXX escape", "séquence \\uXXXX invalide"),
    ("Extra data", "données en trop après la fin du JSON"),
)


def lire_json(path: Path, nom: str | None = None) -> Table:
    """A JSON array of objects (the JSON form of the national standard)."""
    nom = nom or path.name
    texte, encodage, avert = decoder(_lire_octets(path, nom), nom)
    try:
        data = json.loads(texte)
    except json.JSONDecodeError as exc:
        francais = next(
            (_traduit(fr, exc.msg[len(en) :]) for en, fr in _JSON if exc.msg.startswith(en)), exc.msg
        )
        raise FichierInvalide(
            f"JSON mal formé ligne {exc.lineno}, colonne {exc.colno} ({francais}) : "
            "fichier tronqué ou abîmé ?",
            Emplacement(nom, exc.lineno),
        ) from exc
    except RecursionError as exc:
        raise FichierInvalide(
            "JSON imbriqué trop profondément pour être lu : fichier abîmé ou piégé ?", Emplacement(nom)
        ) from exc
    if isinstance(data, dict):
        for key in ("data", "lieux", "items", "results"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise FichierInvalide(
            "JSON inattendu : une liste d'objets (un par lieu) est attendue.", Emplacement(nom)
        )
    colonnes: list[str] = []
    for obj in data:
        for k in obj:
            if k not in colonnes:
                colonnes.append(k)
    lignes = [{k: _json_cell(obj.get(k)) for k in colonnes} for obj in data]
    return Table(
        nom, "json", colonnes, lignes, list(range(1, len(lignes) + 1)), None, encodage, None, None, avert
    )


def _json_cell(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, list):
        return "|".join(str(x) for x in v if x is not None) or None
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    s = str(v).strip()
    return s or None


# --------------------------------------------------------------------------------------------
# Geographic files (GeoJSON, GeoPackage) through GDAL
# --------------------------------------------------------------------------------------------


def erreurs_geo() -> tuple[type[Exception], ...]:
    """What GDAL (through pyogrio), GEOS and PROJ raise on a damaged or unexpected geographic
    file: truncated, bytes flipped at random, another format renamed, a text mis-encoded."""
    from pyogrio.errors import (
        CRSError,
        DataLayerError,
        DataSourceError,
        FeatureError,
        FieldError,
        GeometryError,
    )
    from pyproj.exceptions import CRSError as ProjCRSError
    from pyproj.exceptions import ProjError
    from shapely.errors import GEOSException

    return (
        DataSourceError,
        DataLayerError,
        FeatureError,
        FieldError,
        GeometryError,
        CRSError,
        ProjError,
        ProjCRSError,
        GEOSException,
        UnicodeDecodeError,
    )


_GDAL_POSITION = re.compile(r"At line (\d+), character (\d+): ([^;\n]*)")
#: json-c's messages (GDAL's GeoJSON parser) in French.
_GDAL_JSON = (
    ("Unterminated string", "chaîne de caractères non terminée"),
    ("Unterminated object", "objet non terminé"),
    ("Unterminated array", "liste non terminée"),
    ("Unexpected character", "caractère inattendu"),
    ("Unrecognized number", "nombre non reconnu"),
    ("Unexpected end of data", "fin de fichier inattendue"),
    ("Unexpected end of input", "fin de fichier inattendue"),
    ("Expected", "caractère attendu absent"),
)


def _traduit(francais: str, reste: str) -> str:
    reste = reste.strip().lstrip(":").strip()
    return f"{francais} : {reste}" if reste and not reste.startswith("(") else f"{francais} {reste}".strip()


def erreur_geo(exc: BaseException, path: Path, nom: str) -> FichierInvalide:
    """GDAL's error on ``path`` as a French ``FichierInvalide`` naming ``nom`` (never our path),
    with the line when GDAL gives it."""
    texte = str(exc)
    for cache in (f"GeoJSON:{path}", f"GPKG:{path}", str(path)):
        texte = texte.replace(cache, f"« {nom} »")
    m = _GDAL_POSITION.search(texte)
    if m is not None:
        ligne, caractere, detail = int(m[1]), m[2], m[3].strip()
        francais = next(
            (_traduit(fr, detail[len(en) :]) for en, fr in _GDAL_JSON if detail.startswith(en)), detail
        )
        return FichierInvalide(
            f"fichier géographique illisible : JSON mal formé ligne {ligne}, caractère {caractere} "
            f"({francais}) : fichier tronqué ou abîmé ?",
            Emplacement(nom, ligne),
        )
    bas = texte.lower()
    if "malformed" in bas or "not a database" in bas or "file is encrypted" in bas:
        quoi = "base SQLite abîmée (fichier tronqué ou corrompu ?)"
    elif "required geopackage tables" in bas or "gpkg_contents" in bas:
        quoi = (
            "base SQLite qui n'est pas un GeoPackage (tables gpkg_contents / gpkg_spatial_ref_sys absentes)"
        )
    elif isinstance(exc, UnicodeDecodeError):
        quoi = "texte mal encodé (l'UTF-8 est attendu)"
    elif "linearring" in bas and "closed" in bas:
        quoi = "un anneau de polygone n'est pas fermé (géométrie abîmée)"
    elif "crs" in bas or "srs" in bas or "projection" in bas:
        quoi = "système de coordonnées illisible"
    else:
        quoi = "géométrie, texte ou structure abîmés (fichier tronqué ou modifié ?)"
    log.info("« %s » illisible : %s", nom, texte)  # GDAL's own words, for whoever investigates
    return FichierInvalide(f"fichier géographique illisible : {quoi}.", Emplacement(nom))


def _source_gdal(path: Path, type_: TypeFichier) -> str:
    return f"{'GPKG' if type_ == 'gpkg' else 'GeoJSON'}:{path}"


def colonnes_geo(path: Path, type_: TypeFichier, nom: str) -> list[str]:
    """The attribute columns of a GeoJSON / GeoPackage, without reading its features (an empty
    collection, which has no columns to recognise, is refused as such)."""
    import pyogrio

    try:
        info = pyogrio.read_info(_source_gdal(path, type_))
    except erreurs_geo() as exc:
        raise erreur_geo(exc, path, nom) from exc
    if info.get("features") == 0:
        raise FichierInvalide(
            "aucun objet dans le fichier (collection vide) : rien à importer.", Emplacement(nom)
        )
    return [str(c) for c in info["fields"]]


def lire_couche(path: Path, type_: TypeFichier, nom: str, couche: str | None = None) -> pd.DataFrame:
    """The (first) layer of a GeoJSON / GeoPackage through an explicit driver, as GDAL declares
    it (a ``GeoDataFrame`` unless the layer has no geometry column); errors in French."""
    source = _source_gdal(path, type_)
    # GDAL's and numpy's warnings (NaN coordinates, renumbered ids…) are logged, never printed in
    # English to a user: what matters is checked, and said in French, row by row afterwards
    with warnings.catch_warnings(record=True) as vus:
        warnings.simplefilter("always")
        lu = _lire_couche(source, type_, path, nom, couche)
    for w in vus:
        log.info("lecture de « %s » : %s", nom, w.message)
    return lu


def _lire_couche(source: str, type_: TypeFichier, path: Path, nom: str, couche: str | None) -> pd.DataFrame:
    import pyogrio

    try:
        if type_ == "gpkg":
            if couche is None:
                couches = pyogrio.list_layers(source)
                if len(couches) == 0:
                    raise FichierInvalide("le GeoPackage ne contient aucune couche.", Emplacement(nom))
                couche = str(couches[0][0])
            lu: pd.DataFrame = pyogrio.read_dataframe(source, layer=couche)
        else:
            lu = pyogrio.read_dataframe(source, DATE_AS_STRING="YES")
    except erreurs_geo() as exc:
        raise erreur_geo(exc, path, nom) from exc
    return lu


def nom_crs(crs: pyproj.CRS) -> str:
    """« RGF93 v1 / Lambert-93 (EPSG:2154) »."""
    code = crs.to_authority()
    return f"{crs.name} ({code[0]}:{code[1]})" if code else crs.name


def bornes_finies(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float] | None:
    import numpy as np
    import shapely

    bornes = shapely.bounds(gdf.geometry.to_numpy())
    bornes = bornes[np.isfinite(bornes).all(axis=1)]
    if len(bornes) == 0:
        return None
    return (
        float(bornes[:, 0].min()),
        float(bornes[:, 1].min()),
        float(bornes[:, 2].max()),
        float(bornes[:, 3].max()),
    )


def vers_wgs84(
    gdf: gpd.GeoDataFrame, nom: str, *, crs_requis: bool = False
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The frame in EPSG:4326, with what the user should know.

    A declared coordinate system (a GeoJSON's ``crs`` member, a GeoPackage's, a shapefile's
    ``.prj``) is honoured and converted. Refused: a projected system (in metres) whose numbers
    are degrees (a wrong declaration), and, when ``crs_requis``, no system at all; without one
    the numbers are taken as WGS84 degrees, and the callers' guards catch metres in degrees.
    """
    if gdf.crs is None:
        if crs_requis:
            raise FichierInvalide(
                "système de coordonnées non déclaré (fichier .prj absent ?).", Emplacement(nom)
            )
        return gdf.set_crs(4326), [
            "système de coordonnées non déclaré : coordonnées supposées en degrés WGS84 (EPSG:4326)."
        ]
    if gdf.crs.to_epsg() == 4326:
        return gdf, []
    crs = gdf.crs
    if not crs.is_geographic:
        bornes = bornes_finies(gdf)
        if (
            bornes is not None
            and -180 <= bornes[0] <= bornes[2] <= 180
            and -90 <= bornes[1] <= bornes[3] <= 90
        ):
            raise FichierInvalide(
                f"le fichier déclare le système {nom_crs(crs)}, en mètres, mais ses coordonnées sont "
                f"des degrés (de {bornes[0]:g}, {bornes[1]:g} à {bornes[2]:g}, {bornes[3]:g}) : déclaration "
                "erronée ? Corrigez-la ou retirez-la (des degrés WGS84 sont alors attendus).",
                Emplacement(nom),
            )
    try:
        gdf = gdf.to_crs(4326)
    except erreurs_geo() as exc:
        log.info("conversion de « %s » impossible : %r", nom, exc)
        raise FichierInvalide(
            f"conversion impossible de {nom_crs(crs)} vers WGS84 : coordonnées hors du domaine de ce "
            "système ?",
            Emplacement(nom),
        ) from exc
    return gdf, [f"coordonnées converties de {nom_crs(crs)} vers WGS84 (EPSG:4326)."]


def probleme_geometrie(geom: BaseGeometry | None) -> str | None:
    """Why a feature cannot place an actor (a point is expected), in French, or None."""
    if geom is None:
        return "géométrie absente (null) : le lieu ne peut pas être placé sur la carte."
    if geom.is_empty:
        return "géométrie vide : le lieu ne peut pas être placé sur la carte."
    if geom.geom_type == "Point" or (geom.geom_type == "MultiPoint" and len(geom.geoms) == 1):
        return None
    return f"géométrie de type {geom.geom_type} : un point (l'emplacement du lieu) est attendu."


def lire_geo(path: Path, type_: TypeFichier, nom: str | None = None, couche: str | None = None) -> Table:
    """A GeoJSON or GeoPackage file through GDAL with an explicit driver, as string rows + points
    in WGS84 (a declared coordinate system is converted: ``vers_wgs84``)."""
    import geopandas as gpd

    nom = nom or path.name
    lu = lire_couche(path, type_, nom, couche)
    if not isinstance(lu, gpd.GeoDataFrame):  # a layer without geometry: attributes only
        attributs = [{str(k): _cell(v) for k, v in rec.items()} for rec in lu.to_dict("records")]
        return Table(nom, type_, [str(c) for c in lu.columns], attributs, list(range(1, len(attributs) + 1)))
    crs = lu.crs.to_string() if lu.crs is not None else None
    gdf, avertissements = vers_wgs84(lu, nom)
    colonnes = [c for c in gdf.columns if c != gdf.geometry.name]
    attrs = pd.DataFrame(gdf[colonnes])
    lignes: list[dict[str, str | None]] = []
    for rec in attrs.to_dict("records"):
        lignes.append({str(k): _cell(v) for k, v in rec.items()})
    points: list[tuple[float, float] | None] = []
    problemes: list[str | None] = []
    for geom in gdf.geometry:
        probleme = probleme_geometrie(geom)
        problemes.append(probleme)
        if probleme is not None:
            points.append(None)
        else:
            point = geom if geom.geom_type == "Point" else geom.geoms[0]
            points.append((float(point.x), float(point.y)))
    return Table(
        nom,
        type_,
        [str(c) for c in colonnes],
        lignes,
        list(range(1, len(lignes) + 1)),
        points,
        None,
        None,
        crs,
        avertissements,
        problemes,
    )


def _cell(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, float):
        if v != v:
            return None
        return repr(v) if not v.is_integer() else str(int(v)) if abs(v) < 1e15 else repr(v)
    try:
        if pd.isna(v):  # type: ignore[call-overload]
            return None
    except (TypeError, ValueError):
        pass
    s = str(v).strip()
    return s or None


def lire_table(path: Path, nom: str | None = None) -> Table:
    """Any tabular input (CSV, JSON, GeoJSON, GeoPackage, XLSX) as a ``Table``."""
    nom = nom or path.name
    type_ = detecter_type(path, nom=nom)
    if type_ == "csv":
        table = lire_csv(path, nom)
    elif type_ == "json":
        table = lire_json(path, nom)
    elif type_ in ("geojson", "gpkg"):
        table = lire_geo(path, type_, nom)
    elif type_ == "xlsx":
        table = lire_xlsx(path, nom)
    else:
        raise FormatInconnu(
            "archive ZIP : importez-la depuis l'assistant d'import (page « Import »), qui la vérifie "
            "avant extraction, ou décompressez-la et importez son contenu.",
            Emplacement(nom),
        )
    avert = avertissement_extension(nom, type_)
    if avert is not None:
        table.avertissements.insert(0, avert)
    return table


#: What openpyxl raises on a damaged workbook (a part missing, not XML, a bad attribute…), seen
#: by damaging the parts of a real workbook one at a time.
ERREURS_CLASSEUR: tuple[type[Exception], ...] = (
    KeyError,
    IndexError,
    OSError,
    EOFError,
    SyntaxError,
    TypeError,
    ValueError,
    zipfile.BadZipFile,
)


def lire_xlsx(path: Path, nom: str | None = None) -> Table:
    """The first sheet of a spreadsheet, all cells as text.

    The workbook's ZIP directory is checked and its parts inflated once under a byte budget
    before openpyxl opens it (``televersement.verifier_classeur``: a 4 MB workbook inflating to
    gigabytes is refused, on the command line as on the page).
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    from ecosysteme.sources.televersement import verifier_classeur

    nom = nom or path.name
    verifier_classeur(path, nom)
    try:
        with path.open("rb") as fh:  # a file object: openpyxl does not go by the extension
            # formulas are read as their text ("=…"), so that they are refused, never evaluated
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=False)
            try:
                return _feuille(wb, nom)
            finally:
                wb.close()
    except (*ERREURS_CLASSEUR, InvalidFileException) as exc:
        raise FichierInvalide(
            "classeur illisible : une de ses parties manque ou est abîmée. Ouvrez-le dans votre tableur et "
            "enregistrez-le de nouveau au format .xlsx.",
            Emplacement(nom),
        ) from exc


def _feuille(wb: openpyxl.Workbook, nom: str) -> Table:
    if not wb.worksheets:
        raise FichierInvalide("le classeur ne contient aucune feuille.", Emplacement(nom))
    rows = wb.worksheets[0].iter_rows(values_only=True)
    try:
        header_raw = next(rows)
    except StopIteration as exc:
        raise FichierInvalide("la feuille de calcul est vide.", Emplacement(nom)) from exc
    header = [_nettoyer_entete(str(h)) if h is not None else "" for h in header_raw]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FichierInvalide("la première ligne de la feuille (les en-têtes) est vide.", Emplacement(nom, 1))
    _verifier_entetes(header, nom)
    lignes: list[dict[str, str | None]] = []
    numeros: list[int] = []
    for i, row in enumerate(rows, start=2):
        vals = [_cell(v) for v in row[: len(header)]]
        if not any(vals):
            continue
        vals += [None] * (len(header) - len(vals))
        lignes.append(dict(zip(header, vals, strict=True)))
        numeros.append(i)
    return Table(nom, "xlsx", header, lignes, numeros)
