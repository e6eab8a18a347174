"""Spreadsheets (XLSX): the first sheet, every cell as text, after the workbook's guard."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from ecosysteme.domaine.erreurs import Emplacement, FichierInvalide
from ecosysteme.sources.lecture.table import Table, cellule, nettoyer_entete, verifier_entetes

if TYPE_CHECKING:
    import openpyxl

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
    header = [nettoyer_entete(str(h)) if h is not None else "" for h in header_raw]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FichierInvalide("la première ligne de la feuille (les en-têtes) est vide.", Emplacement(nom, 1))
    verifier_entetes(header, nom)
    lignes: list[dict[str, str | None]] = []
    numeros: list[int] = []
    for i, row in enumerate(rows, start=2):
        vals = [cellule(v) for v in row[: len(header)]]
        if not any(vals):
            continue
        vals += [None] * (len(header) - len(vals))
        lignes.append(dict(zip(header, vals, strict=True)))
        numeros.append(i)
    return Table(nom, "xlsx", header, lignes, numeros)
