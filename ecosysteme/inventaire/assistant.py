"""The steps of the import wizard (page « Import »), without Streamlit.

1. :func:`lire`: the uploaded file read (type from the content, encoding, separator, rows,
   columns) and its format recognised (one of the importers', or ``None``: a free format);
2. :func:`preparer`: its rows converted as the import will (a free format through a column
   mapping), every row's problems in the report;
3. :func:`bilan` / :func:`simuler`: against the store read only, how many actors would be
   created, updated or left unchanged;
4. :func:`importer`: one batch, in one transaction.

The page keeps in its session only what it shows (:func:`alleger`): the columns and counts of
the file, the first actors and the report; each step reads the file again. A large upload
(:data:`SEUIL_PROCESSUS`) is read in a child process (:func:`executer`), so that the server gives
back the memory a reading takes once the step is done. Measured with a 77 MB CSV (361,146 rows):
the server went from 255 MB to 2.2 GB after the preview and 4 GB after the dry run, and kept
840 MB once the session had ended; read in a child, it stays at about 265 MB throughout.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ParamSpec, TypeVar

from ecosysteme.depot import Depot, Lot, ouvrir_depot
from ecosysteme.domaine import reglages
from ecosysteme.domaine.erreurs import Emplacement, FichierInvalide, FormatInconnu
from ecosysteme.domaine.modeles import Acteur
from ecosysteme.inventaire.importation import detecter_format, importer_fichier
from ecosysteme.sources import correspondance as corr
from ecosysteme.sources import televersement as tv
from ecosysteme.sources.importeurs.acteurs import FORMATS_ACTEURS, convertir_table
from ecosysteme.sources.importeurs.base import RapportImport
from ecosysteme.sources.lecture import Table, exiger_lignes, lire_table

log = logging.getLogger(__name__)

#: Format of the batches built from a free-format file through a column mapping.
FORMAT_LIBRE = "libre"
#: Actors (and rows) the page keeps of a file: those it shows.
APERCU_LIGNES = reglages.APERCU_LIGNES
#: Uploads larger than this (bytes; for a spreadsheet, a twentieth of it: it inflates) are read
#: in a child process.
SEUIL_PROCESSUS = 5 * tv.MIO

LIBELLES_FORMATS: dict[str, str] = {
    "standard": "standard national des lieux de médiation numérique",
    "france-services": "liste France Services (ANCT)",
    "conseillers-numeriques": "lieux des conseillers numériques",
    "data-inclusion": "structures data·inclusion",
    "bibliotheques": "bibliothèques publiques (Ministère de la Culture)",
    "qpv": "périmètres des QPV",
    "population": "populations des QPV",
    "communes": "communes",
    "epci": "EPCI",
    "arrets": "arrêts de services itinérants",
    FORMAT_LIBRE: "format libre (correspondance des colonnes)",
}


@dataclass
class Lecture:
    """The table read, and the format recognised from its columns."""

    table: Table
    #: The importer's format, or ``None`` for a free format.
    format: str | None
    #: Why the format was not recognised (free format).
    raison: str | None = None
    #: Rows of the file when ``table`` keeps only the first ones (:func:`alleger`).
    nombre_lignes: int | None = None
    #: Whether the file has point geometries, when ``table`` keeps only the first rows.
    avec_points: bool | None = None

    @property
    def acteurs(self) -> bool:
        return self.format is None or self.format in FORMATS_ACTEURS

    @property
    def lignes(self) -> int:
        return len(self.table.lignes) if self.nombre_lignes is None else self.nombre_lignes

    @property
    def points(self) -> bool:
        if self.avec_points is not None:
            return self.avec_points
        return self.table.points is not None and any(p is not None for p in self.table.points)


@dataclass
class Preparation:
    """The actors the file gives, with the report of its rows."""

    #: The importer's format, or ``FORMAT_LIBRE``.
    format: str
    acteurs: list[Acteur]
    rapport: RapportImport
    #: Accepted actors when ``acteurs`` keeps only the first ones (:func:`alleger`).
    nombre: int | None = None

    @property
    def total(self) -> int:
        return len(self.acteurs) if self.nombre is None else self.nombre


@dataclass(frozen=True)
class Bilan:
    """What the import would do to the store."""

    lues: int
    acceptees: int
    rejetees: int
    crees: int
    mis_a_jour: int
    inchanges: int


def lire(tel: tv.Televersement) -> Lecture:
    """Read the uploaded file and recognise its format (``FichierInvalide`` when unreadable:
    the readers say why in French, naming the user's file, never our copy of it)."""
    table = lire_table(tel.chemin, tel.nom)
    exiger_lignes(table)
    table.avertissements[:0] = list(tel.avertissements)
    try:
        format_ = detecter_format(table.colonnes, tel.nom, geometrique=table.type in ("geojson", "gpkg"))
    except FormatInconnu as exc:
        return Lecture(table, None, exc.message)
    return Lecture(table, format_)


def preparer(
    lecture: Lecture,
    tel: tv.Televersement,
    *,
    auteur: str,
    correspondance: Mapping[str, str] | None = None,
    source: str | None = None,
) -> Preparation:
    """Convert the rows as the import will (a free format through ``correspondance``, its
    values outside the standard's lists ignored with a warning rather than rejecting the row)."""
    if lecture.format is None:
        if correspondance is None:
            raise FormatInconnu(lecture.raison or "format non reconnu.", Emplacement(tel.nom, 1))
        table = corr.appliquer(lecture.table, correspondance, source=source)
        format_, convertisseur, strict = FORMAT_LIBRE, "standard", False
    elif lecture.format in FORMATS_ACTEURS:
        table = lecture.table
        format_, convertisseur, strict = lecture.format, lecture.format, None
    else:
        raise FormatInconnu(
            f"fichier reconnu comme {LIBELLES_FORMATS.get(lecture.format, lecture.format)} : cette page "
            "importe des acteurs ; les territoires et les arrêts se chargent avec "
            "« ecosysteme importer FICHIER ».",
            Emplacement(tel.nom),
        )
    rapport = RapportImport(fichier=tel.nom, format=format_, simulation=True, sha256=tel.sha256)
    if table.encodage:
        rapport.infos.append(f"encodage : {table.encodage}")
    if table.separateur:
        rapport.infos.append(f"séparateur : {table.nom_separateur}")
    if correspondance is not None:
        rapport.infos.append(
            f"correspondance ({source}) : "
            + ", ".join(f"{champ} ← {colonne}" for champ, colonne in correspondance.items())
        )
    for avert in table.avertissements:
        rapport.avertir(None, None, avert)
    acteurs = convertir_table(table, convertisseur, rapport, strict=strict)
    for a in acteurs:
        a.provenance_fichier = tel.nom
        a.provenance_format = format_
        a.provenance_auteur = auteur
    return Preparation(format_, acteurs, rapport)


def bilan(prep: Preparation, depot: Depot, rapport: RapportImport | None = None) -> Bilan:
    """Created / updated / unchanged actors if ``prep`` were imported, by the store's own rules
    (``Depot.simuler_lot``: merged identifiers skipped, closed actors kept closed, identical
    content unchanged); nothing is written. ``rapport``: the dry run's report, for the row
    counts (default ``prep.rapport``)."""
    r = rapport or prep.rapport
    crees, mis_a_jour, inchanges = depot.simuler_lot(prep.acteurs)
    return Bilan(r.lignes_lues, r.acceptees, r.rejetees, crees, mis_a_jour, inchanges)


def simuler(
    prep: Preparation, tel: tv.Televersement, depot: Depot, auteur: str
) -> tuple[Bilan, RapportImport]:
    """The dry run: for a recognised format ``importer_fichier(..., simulation=True)`` (the same
    path as the command line); for a free format the prepared rows. Nothing is written."""
    if prep.format == FORMAT_LIBRE:
        return bilan(prep, depot), prep.rapport
    rapport = importer_fichier(
        tel.chemin, depot, format=prep.format, simulation=True, auteur=auteur, nom=tel.nom
    )
    return bilan(prep, depot, rapport), rapport


def importer(prep: Preparation, tel: tv.Televersement, depot: Depot, auteur: str) -> Lot:
    """Commit as ONE batch (one transaction: all rows or none). A recognised format goes through
    ``importer_fichier``; a free format stores the prepared actors with their report."""
    if not prep.acteurs:
        raise FichierInvalide("aucune ligne acceptée : rien à importer.", Emplacement(tel.nom))
    if prep.format == FORMAT_LIBRE:
        return depot.importer_lot(
            prep.acteurs,
            fichier=tel.nom,
            format=FORMAT_LIBRE,
            sha256=tel.sha256,
            auteur=auteur,
            rapport={**prep.rapport.en_dict(), "simulation": False},
        )
    return _importer_fichier(tel, depot, prep.format, auteur)


# --------------------------------------------------------------------------------------------
# What the page keeps, and the steps it runs (in a child process for a large upload)
# --------------------------------------------------------------------------------------------


def alleger(objet: Lecture | Preparation, n: int = APERCU_LIGNES) -> Lecture | Preparation:
    """The same, holding only the first ``n`` rows (or actors) and the counts of all."""
    if isinstance(objet, Preparation):
        return replace(objet, acteurs=objet.acteurs[:n], nombre=objet.total)
    t = objet.table
    table = replace(
        t,
        lignes=t.lignes[:n],
        numeros=t.numeros[:n],
        points=t.points[:n] if t.points is not None else None,
        problemes_geometrie=t.problemes_geometrie[:n] if t.problemes_geometrie is not None else None,
        avertissements=list(t.avertissements),
    )
    return replace(objet, table=table, nombre_lignes=objet.lignes, avec_points=objet.points)


def lecture_page(tel: tv.Televersement) -> Lecture:
    """Step « Lecture » as the page keeps it."""
    lecture = alleger(lire(tel))
    assert isinstance(lecture, Lecture)
    return lecture


def _preparation_complete(
    tel: tv.Televersement, auteur: str, correspondance: Mapping[str, str] | None, source: str | None
) -> Preparation:
    return preparer(lire(tel), tel, auteur=auteur, correspondance=correspondance, source=source)


def preparation_page(
    tel: tv.Televersement, auteur: str, correspondance: Mapping[str, str] | None, source: str | None
) -> Preparation:
    """Step « Aperçu » as the page keeps it (the file read again and converted)."""
    prep = alleger(_preparation_complete(tel, auteur, correspondance, source))
    assert isinstance(prep, Preparation)
    return prep


def simulation_page(
    tel: tv.Televersement,
    auteur: str,
    correspondance: Mapping[str, str] | None,
    source: str | None,
    depot: Path,
) -> tuple[Bilan, RapportImport]:
    """Step « Simulation »: the file read again, converted as the import converts it (the same
    functions as ``importer_fichier``), and compared with the store at ``depot`` (read only)."""
    prep = _preparation_complete(tel, auteur, correspondance, source)
    with ouvrir_depot(depot) as d:
        return bilan(prep, d), prep.rapport


def import_page(
    tel: tv.Televersement,
    auteur: str,
    correspondance: Mapping[str, str] | None,
    source: str | None,
    depot: Path,
    format_: str,
) -> Lot:
    """Step « Import »: the file read again and stored in ``depot`` as one batch. A recognised
    ``format_`` goes through ``importer_fichier`` (the command line's path); a free format is
    converted through ``correspondance`` and stored with its report."""
    with ouvrir_depot(depot) as d:
        if format_ != FORMAT_LIBRE:
            return _importer_fichier(tel, d, format_, auteur)
        return importer(_preparation_complete(tel, auteur, correspondance, source), tel, d, auteur)


def _importer_fichier(tel: tv.Televersement, depot: Depot, format_: str, auteur: str) -> Lot:
    rapport = importer_fichier(tel.chemin, depot, format=format_, auteur=auteur, nom=tel.nom)
    if rapport.lot_id is None:
        raise FichierInvalide("aucune ligne acceptée : rien n'a été importé.", Emplacement(tel.nom))
    return next(lot for lot in depot.lots() if lot.id == rapport.lot_id)


def a_isoler(tel: tv.Televersement, seuil: int | None = None) -> bool:
    """Whether the steps of this upload run in a child process (its size, or for a spreadsheet,
    which inflates, twenty times its size, over ``seuil``, default :data:`SEUIL_PROCESSUS`)."""
    seuil = SEUIL_PROCESSUS if seuil is None else seuil
    facteur = 20 if tel.chemin.suffix == ".xlsx" else 1
    try:
        lu = tel.chemin.stat().st_size
    except FileNotFoundError:
        lu = tel.taille
    return max(tel.taille, lu) * facteur > seuil


P = ParamSpec("P")
T = TypeVar("T")
#: Modules the child processes' parent (the fork server) loads once: each child starts from it.
_PRECHARGES = ["ecosysteme.inventaire.assistant"]


def executer(fonction: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fonction(*args, **kwargs)`` in a child process, which ends (and gives its memory back)
    as soon as it returns. The child is forked from a fork server that has loaded the importers
    once (never from the server itself, whose threads a fork would copy in their current state).
    Its errors come back as they are; a child that dies (memory exhausted…) gives a French
    ``FichierInvalide``."""
    contexte = multiprocessing.get_context("forkserver")
    contexte.set_forkserver_preload(_PRECHARGES)
    with ProcessPoolExecutor(max_workers=1, mp_context=contexte) as pool:
        try:
            return pool.submit(fonction, *args, **kwargs).result()
        except BrokenProcessPool as exc:
            log.warning("processus de lecture interrompu : %r", exc)
            nom = next((a.nom for a in args if isinstance(a, tv.Televersement)), None)
            raise FichierInvalide(
                "la lecture du fichier s'est interrompue (mémoire insuffisante pour un fichier de cette "
                "taille ?). Découpez-le en plusieurs fichiers.",
                Emplacement(nom),
            ) from exc
