"""Receiving an uploaded file safely, before anything reads it (no Streamlit here).

The bytes a browser sends are checked, then written into a fresh private directory under a
name chosen here: the name the client gave is only shown (sanitised), never used as a path.
A ZIP archive is inspected from its directory before anything is inflated (number of members,
declared sizes, compression ratios, member names), then only the members needed are inflated,
each under a byte budget counted on the bytes actually produced, never on declared sizes alone
(PITFALLS: a 3.9 MiB zip declaring 1 GB took a minute and 3.9 GB of memory to read). A zipped
shapefile gives ONE layer, converted to GeoJSON in WGS84 for the readers; a spreadsheet
(.xlsx is a zip too) is inflated once under the same budget before openpyxl opens it.

Every refusal is a :class:`~ecosysteme.domaine.erreurs.FichierInvalide` with a French message and the
client's (sanitised) file name.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import IO

from ecosysteme.domaine.erreurs import Emplacement, FichierInvalide
from ecosysteme.sources import lecture  # noqa: F401  (sets GDAL_SKIP before pyogrio is imported)
from ecosysteme.sources.noms_fichiers import ARCHIVES, cle_membre, montrer, parasite
from ecosysteme.sources.noms_fichiers import EXTENSIONS as EXTENSIONS
from ecosysteme.sources.noms_fichiers import NOM_AFFICHE_MAX as NOM_AFFICHE_MAX
from ecosysteme.sources.noms_fichiers import extension as extension
from ecosysteme.sources.noms_fichiers import nom_affiche as nom_affiche
from ecosysteme.sources.noms_fichiers import verifier_extension as verifier_extension
from ecosysteme.sources.noms_fichiers import verifier_nom_membre as verifier_nom_membre

log = logging.getLogger(__name__)

MIO = 1024 * 1024

#: Largest upload accepted (bytes); the page shows it and Streamlit enforces it too.
TAILLE_MAX = 100 * MIO
#: Most members (files and folders) a ZIP may list.
MEMBRES_MAX = 100
#: Most bytes the members of a ZIP may inflate to, all together (declared, then actually produced).
DECOMPRESSE_MAX = 256 * MIO
#: Highest inflated / compressed ratio, per member and for the whole archive. Text compresses
#: 5 to 20 times; a zip bomb 1,000 times.
RATIO_MAX = 100
#: Members (and archives) inflating to less than this are not held to ``RATIO_MAX``: a small
#: file of blanks compresses a lot, harmlessly.
RATIO_SEUIL = 1 * MIO
#: Data files accepted inside a ZIP (besides a shapefile).
EXTENSIONS_DANS_ZIP = (".csv", ".tsv", ".json", ".geojson", ".gpkg")
#: Parts of a shapefile kept (the others: .sbn, .qix, .xml… are ignored).
PARTIES_SHAPEFILE = (".shp", ".shx", ".dbf", ".prj", ".cpg")
#: Parts without which a shapefile cannot be read.
PARTIES_OBLIGATOIRES = (".shp", ".shx", ".dbf")
_CLASSEURS = (".xlsx", ".xlsm", ".ods")
_BLOC = 1 * MIO
_PREFIXE = "televersement-"
_SHP_MAGIQUE = b"\x00\x00\x27\x0a"


@dataclass(frozen=True)
class Televersement:
    """An upload written into its private directory, ready to be read."""

    #: The private directory (ours, mode 0700): remove it with :func:`nettoyer`.
    dossier: Path
    #: The file to read: the upload itself, the data file taken from a ZIP, or the GeoJSON
    #: converted from a zipped shapefile. Its name is ours.
    chemin: Path
    #: The client's file name, sanitised, for messages and the import batch (never a path).
    nom: str
    #: Bytes received.
    taille: int
    #: SHA-256 of the bytes received.
    sha256: str
    #: Names (sanitised) of the archive members used, empty when the upload was not a ZIP.
    membres: tuple[str, ...] = ()
    #: What the user should know (a shapefile without .prj…).
    avertissements: tuple[str, ...] = ()

    @property
    def archive(self) -> bool:
        return bool(self.membres)


def taille_lisible(n: int) -> str:
    """A size in bytes as a French reader reads it (« 3,2 Mio »)."""
    if n >= MIO:
        return f"{n / MIO:.1f} Mio".replace(".", ",")
    return f"{n / 1024:.0f} Kio" if n >= 1024 else f"{n} octets"


def recevoir(
    donnees: bytes,
    nom_client: str,
    dossier: Path,
    *,
    taille_max: int = TAILLE_MAX,
) -> Televersement:
    """Check an upload and write it into a fresh private directory under ``dossier``.

    A ZIP is inspected then its data file (or shapefile layer) extracted under our own names;
    an XLSX is inflated once under the byte budget. Raises :class:`FichierInvalide` (nothing
    left on disk) when the upload is empty, too big, or an unsafe or unusable archive.
    """
    nom = nom_affiche(nom_client)
    if not donnees:
        raise FichierInvalide("le fichier est vide.", Emplacement(nom))
    if len(donnees) > taille_max:
        raise FichierInvalide(
            f"fichier trop volumineux ({taille_lisible(len(donnees))}) : "
            f"la limite est de {taille_lisible(taille_max)}.",
            Emplacement(nom),
        )
    dossier.mkdir(parents=True, exist_ok=True, mode=0o700)
    prive = Path(tempfile.mkdtemp(prefix=_PREFIXE, dir=dossier))
    reussi = False
    try:
        chemin = prive / f"televersement{extension(nom)}"
        _ecrire(chemin, donnees)
        tel = Televersement(prive, chemin, nom, len(donnees), hashlib.sha256(donnees).hexdigest())
        if donnees.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            tel = _depuis_zip(tel)
        reussi = True
    finally:
        if not reussi:
            shutil.rmtree(prive, ignore_errors=True)
    return tel


def nettoyer(tel: Televersement) -> None:
    """Remove the upload's private directory and everything in it."""
    try:
        shutil.rmtree(tel.dossier)
    except FileNotFoundError:
        return


@contextmanager
def televerse(
    donnees: bytes, nom_client: str, dossier: Path, *, taille_max: int = TAILLE_MAX
) -> Iterator[Televersement]:
    """:func:`recevoir`, then :func:`nettoyer` whatever happens."""
    tel = recevoir(donnees, nom_client, dossier, taille_max=taille_max)
    try:
        yield tel
    finally:
        nettoyer(tel)


def purger(dossier: Path, age_max_s: float = 24 * 3600) -> int:
    """Remove private directories older than ``age_max_s`` left under ``dossier`` (a session
    killed mid-run); returns how many were removed."""
    if not dossier.is_dir():
        return 0
    limite = time.time() - age_max_s
    n = 0
    for p in dossier.iterdir():
        if p.name.startswith(_PREFIXE) and p.is_dir() and not p.is_symlink() and p.stat().st_mtime < limite:
            shutil.rmtree(p, ignore_errors=True)
            n += 1
    return n


def _ecrire(chemin: Path, donnees: bytes) -> None:
    """Write a NEW file, readable by us only (never follows or replaces an existing one)."""
    fd = os.open(chemin, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(donnees)


def copier_borne(source: IO[bytes], destination: IO[bytes] | None, limite: int, quoi: str, nom: str) -> int:
    """Copy ``source`` to ``destination`` (``None``: count only), refusing as soon as more than
    ``limite`` bytes have actually come out. Returns the number of bytes copied."""
    total = 0
    while True:
        bloc = source.read(_BLOC)
        if not bloc:
            return total
        total += len(bloc)
        if total > limite:
            raise FichierInvalide(
                f"{quoi} se décompresse en plus de {taille_lisible(limite)} (plus que ce que l'archive "
                "annonce ou que la limite) : archive piégée ou corrompue, refusée.",
                Emplacement(nom),
            )
        if destination is not None:
            destination.write(bloc)


# --------------------------------------------------------------------------------------------
# ZIP archives
# --------------------------------------------------------------------------------------------


def inspecter_zip(zf: zipfile.ZipFile, nom: str, *, classeur: bool = False) -> list[zipfile.ZipInfo]:
    """Check a ZIP's directory before inflating anything; returns its file members (folders
    and the clutter archive tools add are left out).

    Refused: no member, too many, a dangerous name (absolute, ``..``, drive letter, NUL), a
    symbolic link, a duplicate name, an encrypted member, a nested archive (not for a
    spreadsheet, which may embed one), declared sizes over ``DECOMPRESSE_MAX`` or ratios over
    ``RATIO_MAX``.
    """
    infos = zf.infolist()
    if not infos:
        raise FichierInvalide("l'archive ZIP est vide.", Emplacement(nom))
    if len(infos) > MEMBRES_MAX:
        raise FichierInvalide(
            f"l'archive contient {len(infos)} membres : au plus {MEMBRES_MAX} sont acceptés.",
            Emplacement(nom),
        )
    vus: dict[str, str] = {}
    fichiers: list[zipfile.ZipInfo] = []
    for info in infos:
        verifier_nom_membre(info.filename, nom)
        quoi = f"le membre « {montrer(info.filename)} » de l'archive"
        cle = cle_membre(info.filename)
        if cle in vus:
            raise FichierInvalide(
                f"{quoi} apparaît deux fois (noms identiques à la casse près) : archive refusée.",
                Emplacement(nom),
            )
        vus[cle] = info.filename
        if stat.S_ISLNK(info.external_attr >> 16):
            raise FichierInvalide(f"{quoi} est un lien symbolique : archive refusée.", Emplacement(nom))
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise FichierInvalide(
                f"{quoi} est chiffré (protégé par mot de passe) : envoyez une archive sans mot de passe.",
                Emplacement(nom),
            )
        suffixe = PurePosixPath(cle).suffix
        if not classeur and not parasite(cle) and suffixe in ARCHIVES + _CLASSEURS:
            conseil = (
                " : téléversez le classeur directement, sans archive."
                if suffixe in _CLASSEURS
                else " : les archives imbriquées sont refusées ; décompressez-la et envoyez son contenu."
            )
            raise FichierInvalide(f"{quoi} est lui-même une archive{conseil}", Emplacement(nom))
        if info.file_size > RATIO_SEUIL and info.file_size > RATIO_MAX * max(info.compress_size, 1):
            raise FichierInvalide(
                f"{quoi} annonce {taille_lisible(info.file_size)} pour "
                f"{taille_lisible(info.compress_size)} compressés (taux de compression supérieur à "
                f"{RATIO_MAX}) : bombe de décompression probable, archive refusée.",
                Emplacement(nom),
            )
        fichiers.append(info)
    total = sum(i.file_size for i in fichiers)
    if total > DECOMPRESSE_MAX:
        raise FichierInvalide(
            f"l'archive annonce {taille_lisible(total)} une fois décompressée : la limite est de "
            f"{taille_lisible(DECOMPRESSE_MAX)}. Archive refusée (bombe de décompression ?).",
            Emplacement(nom),
        )
    compresse = sum(i.compress_size for i in fichiers)
    if total > RATIO_SEUIL and total > RATIO_MAX * max(compresse, 1):
        raise FichierInvalide(
            f"l'archive annonce {taille_lisible(total)} pour {taille_lisible(compresse)} compressés (taux "
            f"de compression supérieur à {RATIO_MAX}) : bombe de décompression probable, archive refusée.",
            Emplacement(nom),
        )
    return fichiers


def _ouvrir_zip(tel: Televersement) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(tel.chemin)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError) as exc:
        log.info("archive « %s » illisible : %r", tel.nom, exc)
        quoi = "classeur" if tel.chemin.suffix == ".xlsx" else "archive ZIP"
        raise FichierInvalide(
            f"{quoi} illisible : fichier tronqué ou corrompu (son répertoire ZIP est illisible).",
            Emplacement(tel.nom),
        ) from exc


def _est_classeur(infos: list[zipfile.ZipInfo]) -> bool:
    noms = {i.filename for i in infos}
    return "[Content_Types].xml" in noms and any(n.startswith("xl/") for n in noms)


def _depuis_zip(tel: Televersement) -> Televersement:
    with _ouvrir_zip(tel) as zf:
        if _est_classeur(zf.infolist()):
            return _classeur(zf, tel)
        utiles = [i for i in inspecter_zip(zf, tel.nom) if not parasite(cle_membre(i.filename))]
        couche = _couche_shapefile(utiles, tel.nom)
        if couche is not None:
            return _extraire_shapefile(zf, couche, tel)
        donnees = [i for i in utiles if PurePosixPath(cle_membre(i.filename)).suffix in EXTENSIONS_DANS_ZIP]
        if not donnees:
            contenu = ", ".join(f"« {montrer(i.filename)} »" for i in utiles[:10]) or "aucun fichier"
            raise FichierInvalide(
                "aucun fichier de données dans l'archive (attendu : un CSV, un JSON, un GeoJSON, un "
                f"GeoPackage ou un shapefile ; trouvé : {contenu}).",
                Emplacement(tel.nom),
            )
        if len(donnees) > 1:
            noms = ", ".join(f"« {montrer(i.filename)} »" for i in donnees[:10])
            raise FichierInvalide(
                f"l'archive contient {len(donnees)} fichiers de données ({noms}) : envoyez-les un par un.",
                Emplacement(tel.nom),
            )
        info = donnees[0]
        cible = tel.dossier / f"donnees{PurePosixPath(cle_membre(info.filename)).suffix}"
        _extraire(zf, info, cible, DECOMPRESSE_MAX, tel.nom)
        return replace(tel, chemin=cible, membres=(montrer(info.filename),))


def _classeur(zf: zipfile.ZipFile, tel: Televersement) -> Televersement:
    """A spreadsheet: its members inflated once here, under the budget, before openpyxl does."""
    _gonfler_classeur(zf, tel.nom)
    if tel.chemin.suffix == ".xlsx":
        return tel
    # the content decides, whatever the client called the file
    return replace(tel, chemin=tel.chemin.rename(tel.chemin.with_suffix(".xlsx")))


def _gonfler_classeur(zf: zipfile.ZipFile, nom: str) -> None:
    budget = DECOMPRESSE_MAX
    try:
        for info in inspecter_zip(zf, nom, classeur=True):
            budget -= _inflater(zf, info, None, budget, nom)
    except FichierInvalide as exc:
        raise FichierInvalide(
            f"classeur refusé (un classeur XLSX est une archive ZIP) : {exc.message}", exc.emplacement
        ) from exc


def verifier_classeur(chemin: Path, nom: str) -> None:
    """The guard of a spreadsheet (XLSX, a ZIP archive) before any reader opens it, wherever it
    comes from (the page, the command line): its directory checked (``inspecter_zip``), then its
    members inflated once, counting the bytes actually produced, under ``DECOMPRESSE_MAX``.
    Raises :class:`FichierInvalide` naming ``nom``."""
    try:
        zf = zipfile.ZipFile(chemin)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError) as exc:
        log.info("classeur « %s » illisible : %r", nom, exc)
        raise FichierInvalide(
            "classeur illisible : fichier tronqué ou corrompu (son répertoire ZIP est illisible). Ouvrez-le "
            "dans votre tableur et enregistrez-le de nouveau au format .xlsx.",
            Emplacement(nom),
        ) from exc
    with zf:
        _gonfler_classeur(zf, nom)


def _inflater(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, destination: IO[bytes] | None, budget: int, nom: str
) -> int:
    """Inflate one member under ``min(declared size, budget)`` bytes actually produced."""
    quoi = f"le membre « {montrer(info.filename)} »"
    try:
        with zf.open(info) as source:
            if source.read(4) == b"PK\x03\x04" and info.filename.lower().endswith(EXTENSIONS_DANS_ZIP):
                raise FichierInvalide(
                    f"{quoi} est lui-même une archive ZIP : les archives imbriquées sont refusées.",
                    Emplacement(nom),
                )
        with zf.open(info) as source:
            return copier_borne(source, destination, min(info.file_size, budget), quoi, nom)
    # (an OSError: a forged offset makes zipfile seek before the start of the file)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        log.info("membre « %s » de « %s » illisible : %r", info.filename, nom, exc)
        raise FichierInvalide(
            f"{quoi} de l'archive est corrompu ou tronqué : archive refusée.", Emplacement(nom)
        ) from exc
    except NotImplementedError as exc:
        log.info("membre « %s » de « %s » : %r", info.filename, nom, exc)
        raise FichierInvalide(
            f"{quoi} utilise une méthode de compression ou une version de ZIP non prise en charge : "
            "recompressez l'archive en ZIP standard (Deflate).",
            Emplacement(nom),
        ) from exc


def _extraire(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cible: Path, budget: int, nom: str) -> int:
    fd = os.open(cible, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as fh:
        return _inflater(zf, info, fh, budget, nom)


def _couche_shapefile(infos: list[zipfile.ZipInfo], nom: str) -> dict[str, zipfile.ZipInfo] | None:
    """The parts (extension → member) of the archive's ONE shapefile layer, or ``None`` if it
    holds no shapefile. Refused: several layers, a mandatory part missing."""
    couches: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in infos:
        chemin = PurePosixPath(cle_membre(info.filename))
        if chemin.suffix in PARTIES_SHAPEFILE:
            couches.setdefault(str(chemin.with_suffix("")), {})[chemin.suffix] = info
    if not couches:
        return None
    avec_shp = {k: v for k, v in couches.items() if ".shp" in v}
    if len(avec_shp) > 1:
        noms = ", ".join(f"« {montrer(v['.shp'].filename)} »" for v in avec_shp.values())
        raise FichierInvalide(
            f"l'archive contient {len(avec_shp)} couches shapefile ({noms}) : une seule couche par archive.",
            Emplacement(nom),
        )
    if not avec_shp:
        if not any(".dbf" in v or ".shx" in v for v in couches.values()):
            return None  # only a stray .prj / .cpg: not a shapefile
        partie = next(iter(next(iter(couches.values())).values()))
        raise FichierInvalide(
            f"shapefile incomplet : « {montrer(partie.filename)} » est là mais le fichier .shp manque.",
            Emplacement(nom),
        )
    cle, parties = next(iter(avec_shp.items()))
    autres = [
        i
        for i in infos
        if PurePosixPath(cle_membre(i.filename)).suffix in EXTENSIONS_DANS_ZIP
        and not parasite(cle_membre(i.filename))
    ]
    if autres:
        raise FichierInvalide(
            f"l'archive contient un shapefile et d'autres données (« {montrer(autres[0].filename)} ») : "
            "envoyez-les séparément.",
            Emplacement(nom),
        )
    manquantes = [p for p in PARTIES_OBLIGATOIRES if p not in parties]
    if manquantes:
        raise FichierInvalide(
            f"shapefile « {montrer(parties['.shp'].filename)} » incomplet : "
            + ", ".join(f"« {PurePosixPath(cle).name}{p} »" for p in manquantes)
            + " manque(nt) dans l'archive (il faut au moins les fichiers .shp, .shx et .dbf).",
            Emplacement(nom),
        )
    return parties


def _extraire_shapefile(
    zf: zipfile.ZipFile, parties: dict[str, zipfile.ZipInfo], tel: Televersement
) -> Televersement:
    budget = DECOMPRESSE_MAX
    for suffixe, info in parties.items():
        budget -= _extraire(zf, info, tel.dossier / f"couche{suffixe}", budget, tel.nom)
    chemin, avertissements = _shapefile_en_geojson(tel.dossier / "couche.shp", tel.nom)
    membres = tuple(montrer(parties[s].filename) for s in PARTIES_SHAPEFILE if s in parties)
    return replace(tel, chemin=chemin, membres=membres, avertissements=(*tel.avertissements, *avertissements))


def _shapefile_en_geojson(shp: Path, nom: str) -> tuple[Path, list[str]]:
    """The shapefile layer as GeoJSON in WGS84 (``couche.geojson`` beside it)."""
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError
    from pyproj.exceptions import ProjError
    from shapely.errors import GEOSException

    with shp.open("rb") as fh:
        if fh.read(4) != _SHP_MAGIQUE:
            raise FichierInvalide("le fichier .shp de l'archive n'est pas un shapefile.", Emplacement(nom))
    avertissements: list[str] = []
    try:
        gdf = pyogrio.read_dataframe(str(shp))
        if gdf.crs is None:
            quoi = "fichier .prj illisible" if shp.with_suffix(".prj").exists() else "sans fichier .prj"
            avertissements.append(f"shapefile {quoi} : coordonnées supposées en degrés WGS84 (EPSG:4326).")
            gdf = gdf.set_crs(4326)
        elif gdf.crs.to_epsg() != 4326:
            avertissements.append(f"coordonnées converties de {gdf.crs.name} vers WGS84 (EPSG:4326).")
            gdf = gdf.to_crs(4326)
        sortie = shp.with_suffix(".geojson")
        pyogrio.write_dataframe(gdf, sortie, driver="GeoJSON")
    # what GDAL, pyogrio, PROJ and GEOS raised on shapefiles whose parts were damaged at random
    # (pyogrio 0.12 even an UnboundLocalError on an unreadable .prj)
    except (
        DataSourceError,
        DataLayerError,
        ValueError,
        OSError,
        UnboundLocalError,
        ProjError,
        GEOSException,
    ) as exc:
        log.info("shapefile de « %s » illisible : %r", nom, exc)
        raise FichierInvalide(
            "shapefile illisible : une de ses parties (.shp, .shx, .dbf, .prj) est abîmée ou mal encodée.",
            Emplacement(nom),
        ) from exc
    return sortie, avertissements
