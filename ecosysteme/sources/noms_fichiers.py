"""Names that come from outside, never used as paths: an uploaded file's name (shown
sanitised, its extension accepted or refused with advice) and the names of an archive's members
(refused when they could land outside the extraction folder)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from ecosysteme.domaine.erreurs import Emplacement, FichierInvalide

#: Longest client name shown (characters).
NOM_AFFICHE_MAX = 120
#: Extensions kept on the file we write (the type is recognised from the content anyway).
EXTENSIONS = (".csv", ".tsv", ".txt", ".json", ".geojson", ".gpkg", ".xlsx", ".zip")
#: Archives refused inside an archive (a nested zip is the classic bomb).
ARCHIVES = (".zip", ".7z", ".rar", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".zst", ".kmz", ".jar")
#: Members every archive tool adds, ignored (but their names are still checked).
_PARASITES = ("__macosx/", ".ds_store", "thumbs.db", "desktop.ini")
_LECTEUR = re.compile(r"^[A-Za-z]:")


def nom_affiche(nom_client: str) -> str:
    """The client's file name as shown: last path component, no control or invisible
    characters, single spaces, at most ``NOM_AFFICHE_MAX`` characters (extension kept)."""
    nom = unicodedata.normalize("NFC", nom_client or "").replace("\\", "/").rsplit("/", 1)[-1]
    nom = "".join(c for c in " ".join(nom.split()) if not unicodedata.category(c).startswith("C"))
    nom = " ".join(nom.split()).strip(" .")
    if len(nom) > NOM_AFFICHE_MAX:
        suffixe = PurePosixPath(nom).suffix
        suffixe = suffixe if len(suffixe) <= 10 else ""
        nom = nom[: NOM_AFFICHE_MAX - len(suffixe) - 1] + "…" + suffixe
    return nom or "fichier"


def extension(nom: str) -> str:
    """The lower-case extension of ``nom`` if it is one of ``EXTENSIONS``, else ``""``."""
    suffixe = PurePosixPath(nom).suffix.lower()
    return suffixe if suffixe in EXTENSIONS else ""


#: Extensions refused with their advice (the others outside ``EXTENSIONS`` get a general one).
_CONSEILS_EXTENSION: dict[str, str] = {
    ".xls": "ancien format Excel (.xls) : enregistrez-le au format .xlsx ou en CSV UTF-8",
    ".xlsm": "classeur avec macros (.xlsm) : enregistrez-le au format .xlsx (sans macros) ou en CSV UTF-8",
    ".xlsb": "classeur binaire Excel (.xlsb) : enregistrez-le au format .xlsx ou en CSV UTF-8",
    ".xltx": "modèle de classeur (.xltx) : enregistrez-le au format .xlsx ou en CSV UTF-8",
    ".ods": "classeur OpenDocument (.ods) : enregistrez-le au format .xlsx ou en CSV UTF-8",
    ".kml": "format KML non pris en charge : exportez-le en GeoJSON (dans QGIS : « Exporter » puis "
    "« Sauvegarder les entités sous… », format GeoJSON)",
    ".kmz": "format KMZ non pris en charge : exportez-le en GeoJSON",
    ".gpx": "format GPX non pris en charge : exportez-le en GeoJSON",
    ".shp": "un shapefile se compose de plusieurs fichiers (.shp, .shx, .dbf, .prj) : envoyez-les "
    "ensemble dans une archive .zip",
    ".dbf": "un shapefile se compose de plusieurs fichiers (.shp, .shx, .dbf, .prj) : envoyez-les "
    "ensemble dans une archive .zip",
    ".shx": "un shapefile se compose de plusieurs fichiers (.shp, .shx, .dbf, .prj) : envoyez-les "
    "ensemble dans une archive .zip",
    ".prj": "un shapefile se compose de plusieurs fichiers (.shp, .shx, .dbf, .prj) : envoyez-les "
    "ensemble dans une archive .zip",
}


def verifier_extension(nom_client: str) -> None:
    """Refuse, in French, a file whose extension is not one of ``EXTENSIONS`` (a file without
    extension is read: its content decides). The upload widget is given no type list, so that
    this message, not Streamlit's English one, is what the user reads."""
    nom = nom_affiche(nom_client)
    suffixe = PurePosixPath(nom).suffix.lower()
    if not suffixe or suffixe in EXTENSIONS:
        return
    conseil = _CONSEILS_EXTENSION.get(suffixe)
    if conseil is None and suffixe in ARCHIVES:
        conseil = f"archive {suffixe} non prise en charge : envoyez une archive .zip, ou le fichier lui-même"
    if conseil is None:
        conseil = (
            f"extension « {suffixe} » non prise en charge. Formats acceptés : CSV (.csv, .tsv, .txt), "
            "classeur .xlsx, JSON et GeoJSON (.json, .geojson), GeoPackage (.gpkg), shapefile dans une "
            "archive .zip"
        )
    raise FichierInvalide(f"{conseil}.", Emplacement(nom))


def montrer(nom_membre: str) -> str:
    """A member name safe to show (control characters removed, shortened)."""
    propre = "".join(c if not unicodedata.category(c).startswith("C") else "?" for c in nom_membre)
    return propre if len(propre) <= 80 else propre[:79] + "…"


def cle_membre(nom_membre: str) -> str:
    """A member name compared as archive tools and file systems would: slashes, NFC, no case."""
    return unicodedata.normalize("NFC", nom_membre.replace("\\", "/")).casefold().rstrip("/")


def parasite(cle: str) -> bool:
    """True for the clutter archive tools add (``__MACOSX/``, ``.DS_Store``, ``._*``…)."""
    base = cle.rsplit("/", 1)[-1]
    return cle.startswith(_PARASITES[0]) or base in _PARASITES[1:] or base.startswith("._")


def verifier_nom_membre(nom_membre: str, nom: str) -> None:
    """Refuse a member name that could land outside the extraction folder or hide something."""
    if not nom_membre:
        raise FichierInvalide(
            "un membre de l'archive n'a pas de nom : archive abîmée, refusée.", Emplacement(nom)
        )
    quoi = f"le membre « {montrer(nom_membre)} » de l'archive"
    normal = nom_membre.replace("\\", "/")
    if "\x00" in nom_membre:
        raise FichierInvalide(f"{quoi} a un nom contenant un octet nul : archive refusée.", Emplacement(nom))
    if normal.startswith("/"):
        raise FichierInvalide(f"{quoi} a un chemin absolu : archive refusée par sécurité.", Emplacement(nom))
    if _LECTEUR.match(normal):
        raise FichierInvalide(
            f"{quoi} désigne un lecteur (« {normal[:2]} ») : archive refusée par sécurité.", Emplacement(nom)
        )
    if ".." in normal.split("/"):
        raise FichierInvalide(
            f"{quoi} remonte hors du dossier d'extraction (« .. ») : archive refusée par sécurité.",
            Emplacement(nom),
        )
