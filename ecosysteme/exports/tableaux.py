"""Tables as files (CSV, XLSX), written atomically (``ecosysteme.domaine.fichiers``)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import geopandas as gpd
import pandas as pd

from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.fichiers import ecrire_atomique
from ecosysteme.domaine.validation import commence_par_formule, sans_controles

#: Most characters an XLSX cell holds (Excel's limit; a longer text is cut, marked « … »).
MAX_CELLULE_XLSX = 32_767


def neutraliser(valeur: object) -> object:
    """A text as a spreadsheet cell: invisible characters removed (a NUL or a vertical tab made
    openpyxl fail; ``validation.sans_controles``), and a leading apostrophe when it would be read
    as a formula (OWASP: first character ``=``, ``+``, ``-``, ``@``, tab, carriage return, or their
    full-width forms). Other values are returned as they are (numbers stay numbers)."""
    if not isinstance(valeur, str):
        return valeur
    texte = sans_controles(valeur)
    return "'" + texte if commence_par_formule(texte) else texte


def _neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells a spreadsheet would run as formulas are neutralised."""
    texte = df.copy()
    for i in range(texte.shape[1]):  # by position: two columns may share a name
        serie = texte.iloc[:, i]
        if serie.dtype == object or pd.api.types.is_string_dtype(serie):
            texte.isetitem(i, serie.map(neutraliser).to_numpy(dtype=object))
    texte.columns = pd.Index([neutraliser(c) for c in texte.columns])
    return texte


def csv_octets(df: pd.DataFrame) -> bytes:
    """A table as the bytes of a French-spreadsheet CSV (UTF-8 with BOM, « ; »), formulas
    neutralised: for a download button."""
    texte = _neutralise(df)
    return texte.to_csv(sep=";", index=False).encode("utf-8-sig")


def xlsx_octets(df: pd.DataFrame) -> bytes:
    """A table as the bytes of an XLSX file (header frozen, filters, widths; text cells never
    formulas): for a download button."""
    import io

    tampon = io.BytesIO()
    texte = _neutralise(df)
    _xlsx(texte, tampon)
    return tampon.getvalue()


def ecrire_tableau(
    df: pd.DataFrame, chemin: Path, gdf: gpd.GeoDataFrame | None = None, couche: str = "couverture"
) -> Path:
    """Write a table to .csv, .xlsx or .gpkg, atomically.

    Formulas are neutralised in text cells (:func:`neutraliser`): invisible characters removed,
    a leading apostrophe before a text a spreadsheet would run.

    Parameters
    ----------
    df : pandas.DataFrame
        The table (for .gpkg, with ``code_qp``).
    chemin : pathlib.Path
        The file to write; its suffix chooses the format: .csv (UTF-8 with BOM, ``;``), .xlsx
        (header frozen, filters; a text longer than a cell holds is cut, marked « … ») or .gpkg
        (with the QPV geometries).
    gdf : geopandas.GeoDataFrame or None, default None
        The QPV (EPSG:4326) whose geometries, matched by ``code_qp``, go into a .gpkg; needed
        for that format only.
    couche : str, default "couverture"
        The layer name in the .gpkg.

    Returns
    -------
    pathlib.Path
        ``chemin``.

    Raises
    ------
    ErreurEcosysteme
        An unknown suffix, or a .gpkg asked for without ``gdf``.
    """
    suffixe = Path(chemin).suffix.lower()
    texte = _neutralise(df)
    if suffixe == ".csv":
        return ecrire_atomique(chemin, lambda p: texte.to_csv(p, sep=";", index=False, encoding="utf-8-sig"))
    if suffixe == ".xlsx":
        return ecrire_atomique(chemin, lambda p: _xlsx(texte, p))
    if suffixe == ".gpkg":
        if gdf is None:
            raise ErreurEcosysteme("une sortie GeoPackage demande les géométries des QPV.")
        geo = gpd.GeoDataFrame(
            df.copy(), geometry=gdf.set_index("code_qp").loc[df["code_qp"]].geometry.values, crs=gdf.crs
        )
        return ecrire_atomique(
            chemin, lambda p: geo.to_file(p, layer=couche, driver="GPKG", engine="pyogrio")
        )
    raise ErreurEcosysteme(
        f"format de sortie « {suffixe or chemin} » inconnu : .csv, .xlsx ou .gpkg attendu."
    )


def _cellule_xlsx(valeur: object) -> object:
    """A text longer than an XLSX cell holds, cut and marked « … »."""
    if isinstance(valeur, str) and len(valeur) > MAX_CELLULE_XLSX:
        return valeur[: MAX_CELLULE_XLSX - 1] + "…"
    return valeur


def _xlsx(df: pd.DataFrame, chemin: Path | BinaryIO) -> None:
    from openpyxl.utils import get_column_letter

    df = df.map(_cellule_xlsx)
    with pd.ExcelWriter(chemin, engine="openpyxl") as writer:
        df.to_excel(writer, index=False, sheet_name="couverture")
        ws = writer.sheets["couverture"]
        ws.freeze_panes = "B2"
        ws.auto_filter.ref = ws.dimensions
        for i, col in enumerate(df.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(max(len(str(col)) * 0.9, 10), 45)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, never a formula
