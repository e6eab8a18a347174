"""The ``Table`` every reader gives (rows as strings, with what was detected while reading),
and what the readers share: cells as text, headers checked, bytes read under a size limit."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from ecosysteme.domaine.erreurs import Emplacement, FichierInvalide

TypeFichier = Literal["csv", "geojson", "json", "gpkg", "xlsx", "zip"]

#: Largest file read at all (bytes).
TAILLE_MAX = 512 * 1024 * 1024

SEPARATEURS = (",", ";", "|", "\t")
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


def neutre(v: str) -> str | None:
    s = v.strip()
    if s.startswith('="') and s.endswith('"'):  # spreadsheet-protected codes: ="01053"
        s = s[2:-1]
    return s or None


def nettoyer_entete(h: str) -> str:
    return h.strip().lstrip("\ufeff").strip('"').strip()


def verifier_entetes(header: list[str], nom: str) -> None:
    vus: set[str] = set()
    for i, h in enumerate(header, start=1):
        if not h:
            raise FichierInvalide(f"la colonne n° {i} n'a pas de nom.", Emplacement(nom, 1))
        if h in vus:
            raise FichierInvalide(f"la colonne « {h} » apparaît deux fois.", Emplacement(nom, 1, h))
        vus.add(h)


def lire_octets(path: Path, nom: str) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise FichierInvalide("fichier introuvable.", Emplacement(nom)) from exc
    if size > TAILLE_MAX:
        raise FichierInvalide(f"fichier trop volumineux ({size / 1e6:.0f} Mo).", Emplacement(nom))
    return path.read_bytes()


def cellule(v: object) -> str | None:
    """A spreadsheet's or a geographic file's value as text (None when empty or missing; a
    whole float without its « .0 »)."""
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


def traduire(francais: str, reste: str) -> str:
    """A parser's message in French: ``francais`` then what followed the English words."""
    reste = reste.strip().lstrip(":").strip()
    return f"{francais} : {reste}" if reste and not reste.startswith("(") else f"{francais} {reste}".strip()
