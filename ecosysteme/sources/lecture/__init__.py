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

import os
from pathlib import Path

# Before pyogrio/GDAL is imported anywhere: never let GDAL open VRTs or network paths. This
# package's modules all import this file first, so whichever is imported sets these.
os.environ.setdefault("GDAL_SKIP", "VRT")
os.environ.setdefault("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", ".none")
os.environ.setdefault("GDAL_HTTP_TIMEOUT", "1")

from ecosysteme.domaine.erreurs import Emplacement, FormatInconnu  # noqa: E402
from ecosysteme.sources.lecture.classeur import ERREURS_CLASSEUR, lire_xlsx  # noqa: E402
from ecosysteme.sources.lecture.detection import (  # noqa: E402
    NOMS_TYPES,
    avertissement_extension,
    detecter_type,
)
from ecosysteme.sources.lecture.geo import (  # noqa: E402
    bornes_finies,
    colonnes_geo,
    erreur_geo,
    erreurs_geo,
    lire_couche,
    lire_geo,
    nom_crs,
    probleme_geometrie,
    vers_wgs84,
)
from ecosysteme.sources.lecture.json import lire_json  # noqa: E402
from ecosysteme.sources.lecture.table import TAILLE_MAX, Table, TypeFichier, exiger_lignes  # noqa: E402
from ecosysteme.sources.lecture.texte import (  # noqa: E402
    LIMITE_CHAMP_CSV,
    decoder,
    detecter_separateur,
    lire_csv,
)

__all__ = [
    "ERREURS_CLASSEUR",
    "LIMITE_CHAMP_CSV",
    "NOMS_TYPES",
    "TAILLE_MAX",
    "Table",
    "TypeFichier",
    "avertissement_extension",
    "bornes_finies",
    "colonnes_geo",
    "decoder",
    "detecter_separateur",
    "detecter_type",
    "erreur_geo",
    "erreurs_geo",
    "exiger_lignes",
    "lire_couche",
    "lire_csv",
    "lire_geo",
    "lire_json",
    "lire_table",
    "lire_xlsx",
    "nom_crs",
    "probleme_geometrie",
    "vers_wgs84",
]


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
