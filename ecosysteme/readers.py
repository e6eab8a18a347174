"""Reading input files safely: format from content, encoding and separator detected, explicit drivers.

A file is never handed to GDAL without an explicit driver chosen from its content (a `.geojson`
that is really a VRT could read any file of the machine or make network requests).
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

# Before pyogrio/GDAL is imported anywhere: never let GDAL open VRTs or network paths.
os.environ.setdefault("GDAL_SKIP", "VRT")
os.environ.setdefault("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", ".none")
os.environ.setdefault("GDAL_HTTP_TIMEOUT", "1")

import charset_normalizer  # noqa: E402
import pandas as pd  # noqa: E402

from ecosysteme.errors import Emplacement, FichierInvalide, FormatInconnu  # noqa: E402

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
    crs: str | None = None
    avertissements: list[str] = field(default_factory=list)

    @property
    def nom_separateur(self) -> str | None:
        return _NOMS_SEPARATEURS.get(self.separateur or "", self.separateur)


def detecter_type(path: Path, debut: bytes | None = None) -> TypeFichier:
    """The file type from its first bytes, never from its extension alone."""
    head = debut if debut is not None else _debut(path)
    nom = path.name
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
    texte = head.lstrip(b"\xef\xbb\xbf").lstrip()
    low = texte[:512].lower()
    if low.startswith(b"<"):
        if b"ogrvrtdatasource" in low or b"<vrt" in low:
            raise FichierInvalide(
                "ce fichier est une description GDAL (VRT) qui pourrait lire d'autres fichiers "
                "ou le réseau : refusé par sécurité.",
                Emplacement(nom),
            )
        raise FormatInconnu("contenu XML/HTML : ce n'est ni un CSV, ni un GeoJSON.", Emplacement(nom))
    if texte.startswith((b"{", b"[")):
        if b'"features"' in texte or b'"FeatureCollection"' in texte or b'"Feature"' in texte:
            return "geojson"
        return "json"
    return "csv"


def _debut(path: Path, n: int = 65536) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(n)
    except FileNotFoundError as exc:
        raise FichierInvalide("fichier introuvable.", Emplacement(str(path))) from exc
    except IsADirectoryError as exc:
        raise FichierInvalide("c'est un dossier, pas un fichier.", Emplacement(str(path))) from exc


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
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as exc:
            raise _erreur_encodage(data, exc, nom) from exc
    echantillon = data[:65536]
    impairs, pairs = echantillon[1::2], echantillon[0::2]
    if len(echantillon) >= 4 and (
        impairs.count(b"\x00") > 0.9 * len(impairs) or pairs.count(b"\x00") > 0.9 * len(pairs)
    ):
        # UTF-16 without BOM: one byte of two is NUL for Latin text
        enc = "utf-16-le" if impairs.count(b"\x00") > pairs.count(b"\x00") else "utf-16-be"
        try:
            return data.decode(enc), enc, [f"fichier en {enc.upper()} sans marque d'ordre : lu comme tel."]
        except UnicodeDecodeError as exc:
            raise _erreur_encodage(data, exc, nom) from exc
    if b"\x00" in echantillon:
        raise FichierInvalide(
            "fichier binaire, pas un texte CSV (un ancien classeur .xls ? "
            "enregistrez-le en .xlsx ou en CSV UTF-8).",
            Emplacement(nom),
        )
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
    avert = (
        f"le fichier n'est pas en UTF-8 (premier octet invalide ligne {ligne}) : "
        f"encodage détecté {_nom_encodage(encoding)}, lu comme tel. Enregistrez-le en UTF-8 "
        "pour éviter toute ambiguïté."
    )
    return text, encoding, [avert]


def _nom_encodage(enc: str) -> str:
    return {"cp1252": "Windows-1252 (cp1252)", "latin_1": "ISO-8859-1 (Latin-1)"}.get(enc, enc)


def _erreur_encodage(data: bytes, exc: UnicodeDecodeError, nom: str) -> FichierInvalide:
    ligne = data[: exc.start].count(b"\n") + 1
    return FichierInvalide(
        f"encodage illisible : octet {data[exc.start : exc.start + 1]!r} invalide à la ligne {ligne}. "
        "Enregistrez le fichier en UTF-8.",
        Emplacement(nom, ligne),
    )


def detecter_separateur(texte: str, nom: str) -> str:
    """The CSV separator among `,` `;` `|` tab, from the header and the first lines."""
    lignes = [ligne for ligne in texte.splitlines()[:50] if ligne.strip()]
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


def lire_csv(path: Path, nom: str | None = None) -> Table:
    """A CSV file as string rows: encoding and separator detected, BOM removed, codes kept as text."""
    nom = nom or path.name
    data = _lire_octets(path, nom)
    texte, encodage, avert = decoder(data, nom)
    sep = detecter_separateur(texte, nom)
    reader = csv.reader(io.StringIO(texte, newline=""), delimiter=sep, strict=True)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise FichierInvalide(
            f"CSV mal formé vers la ligne {reader.line_num} ({exc}) : "
            "fichier tronqué ou guillemet non fermé ?",
            Emplacement(nom, reader.line_num),
        ) from exc
    if not rows:
        raise FichierInvalide("le fichier est vide.", Emplacement(nom))
    header = [_nettoyer_entete(h) for h in rows[0]]
    if len(header) == 1:
        raise FichierInvalide(
            "une seule colonne lue : séparateur non reconnu (attendu virgule, point-virgule, "
            "barre verticale ou tabulation).",
            Emplacement(nom, 1),
        )
    _verifier_entetes(header, nom)
    lignes: list[dict[str, str | None]] = []
    numeros: list[int] = []
    reader = csv.reader(io.StringIO(texte, newline=""), delimiter=sep, strict=True)
    next(reader)
    debut = reader.line_num + 1
    for row in reader:
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


def lire_json(path: Path, nom: str | None = None) -> Table:
    """A JSON array of objects (the JSON form of the national standard)."""
    nom = nom or path.name
    texte, encodage, avert = decoder(_lire_octets(path, nom), nom)
    try:
        data = json.loads(texte)
    except json.JSONDecodeError as exc:
        raise FichierInvalide(
            f"JSON mal formé ligne {exc.lineno}, colonne {exc.colno} : {exc.msg} (fichier tronqué ?)",
            Emplacement(nom, exc.lineno),
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


def lire_geo(path: Path, type_: TypeFichier, nom: str | None = None, couche: str | None = None) -> Table:
    """A GeoJSON or GeoPackage file through GDAL with an explicit driver, as string rows + points."""
    import geopandas as gpd
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError
    from shapely.errors import GEOSException

    nom = nom or path.name
    prefix = {"geojson": "GeoJSON", "gpkg": "GPKG"}[type_]
    source = f"{prefix}:{path}"
    try:
        if type_ == "gpkg":
            couches = pyogrio.list_layers(source)
            if couche is None:
                if len(couches) == 0:
                    raise FichierInvalide("le GeoPackage ne contient aucune couche.", Emplacement(nom))
                couche = str(couches[0][0])
            gdf = pyogrio.read_dataframe(source, layer=couche)
        else:
            gdf = pyogrio.read_dataframe(source, DATE_AS_STRING="YES")
    except (DataSourceError, DataLayerError, GEOSException, UnicodeDecodeError) as exc:
        # a damaged file can fail in GDAL, in its geometries or in its texts: one message
        raise FichierInvalide(f"fichier géographique illisible ({exc}).", Emplacement(nom)) from exc
    assert isinstance(gdf, gpd.GeoDataFrame)
    crs = gdf.crs.to_string() if gdf.crs is not None else None
    colonnes = [c for c in gdf.columns if c != gdf.geometry.name]
    attrs = pd.DataFrame(gdf[colonnes])
    lignes: list[dict[str, str | None]] = []
    for rec in attrs.to_dict("records"):
        lignes.append({str(k): _cell(v) for k, v in rec.items()})
    points: list[tuple[float, float] | None] = []
    for geom in gdf.geometry:
        if geom is None or geom.is_empty or geom.geom_type != "Point":
            points.append(None)
        else:
            points.append((float(geom.x), float(geom.y)))
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
    type_ = detecter_type(path)
    if type_ == "csv":
        return lire_csv(path, nom)
    if type_ == "json":
        return lire_json(path, nom)
    if type_ in ("geojson", "gpkg"):
        return lire_geo(path, type_, nom)
    if type_ == "xlsx":
        return lire_xlsx(path, nom)
    raise FormatInconnu(
        "archive ZIP : importez-la depuis l'assistant d'import, qui la vérifie avant extraction.",
        Emplacement(nom or path.name),
    )


def lire_xlsx(path: Path, nom: str | None = None) -> Table:
    """The first sheet of a spreadsheet, all cells as text."""
    import openpyxl

    nom = nom or path.name
    # formulas are read as their text ("=…"), so that they are refused, never evaluated
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        try:
            header_raw = next(rows)
        except StopIteration as exc:
            raise FichierInvalide("la feuille de calcul est vide.", Emplacement(nom)) from exc
        header = [_nettoyer_entete(str(h)) if h is not None else "" for h in header_raw]
        while header and not header[-1]:
            header.pop()
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
    finally:
        wb.close()
    return Table(nom, "xlsx", header, lignes, numeros)
