"""Territory layers (QPV, communes, EPCI): their columns and the checks of a frame before it
is stored, with French messages naming the row and column; independent of any database engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS
from shapely.geometry import MultiPolygon

from ecosysteme.domaine.erreurs import CoucheInvalide

SRS_WGS84 = 4326


Genre = Literal["code", "texte", "entier", "codes", "textes"]


@dataclass(frozen=True)
class Colonne:
    nom: str
    genre: Genre
    #: Value used when the frame has no such column; ``None``: the column is required.
    defaut: int | None = None

    @property
    def sql(self) -> str:
        return "INTEGER" if self.genre == "entier" else "TEXT"


@dataclass(frozen=True)
class Couche:
    nom: str
    libelle: str
    cle: str
    colonnes: tuple[Colonne, ...]
    filtres: tuple[str, ...]
    geometrie_requise: bool


COUCHE_QPV = Couche(
    "qpv",
    "Quartiers prioritaires de la politique de la ville",
    "code_qp",
    (
        Colonne("code_qp", "code"),
        Colonne("lib_qp", "texte"),
        Colonne("insee_com", "codes"),
        Colonne("lib_com", "textes"),
        Colonne("insee_dep", "code"),
        Colonne("insee_reg", "code"),
        Colonne("siren_epci", "code"),
        Colonne("population", "entier"),
        Colonne("millesime", "entier", defaut=2024),
    ),
    ("siren_epci", "insee_dep", "insee_reg"),
    geometrie_requise=True,
)


COUCHE_COMMUNES = Couche(
    "communes",
    "Communes",
    "code",
    (
        Colonne("code", "code"),
        Colonne("nom", "texte"),
        Colonne("insee_dep", "code"),
        Colonne("insee_reg", "code"),
        Colonne("population", "entier"),
        Colonne("codes_postaux", "codes"),
        Colonne("siren_epci", "code"),
    ),
    ("siren_epci", "insee_dep", "insee_reg"),
    geometrie_requise=False,
)


COUCHE_EPCI = Couche(
    "epci",
    "Établissements publics de coopération intercommunale",
    "siren_epci",
    (
        Colonne("siren_epci", "code"),
        Colonne("nom_epci", "texte"),
        Colonne("type_epci", "texte"),
        Colonne("population", "entier"),
    ),
    ("siren_epci",),
    geometrie_requise=True,
)


COUCHES_TERRITOIRE = (COUCHE_QPV, COUCHE_COMMUNES, COUCHE_EPCI)


COLONNE_POPULATION = Colonne("population", "entier")


#: Columns holding comma-joined code lists (a QPV may straddle several EPCI): filtered by membership.
COLONNES_LISTES_TERRITOIRE = {"siren_epci"}


def _manquant(valeur: Any) -> bool:
    return valeur is None or (
        not isinstance(valeur, str | list | tuple | np.ndarray) and bool(pd.isna(valeur))
    )


def convertir_valeur(valeur: Any, colonne: Colonne, couche: Couche, cle: Any) -> Any:
    """One cell of a territory frame, as stored; a French error names the row and column."""
    if isinstance(valeur, list | tuple | np.ndarray) and colonne.genre in ("codes", "textes"):
        elements = [str(v) if colonne.genre == "textes" else _code(v, colonne, couche, cle) for v in valeur]
        return ("," if colonne.genre == "codes" else ", ").join(elements)
    if _manquant(valeur):
        return None
    if colonne.genre in ("code", "codes"):
        return _code(valeur, colonne, couche, cle)
    if colonne.genre == "entier":
        return valeur_entiere(valeur, colonne, couche, cle)
    return str(valeur)


def _code(valeur: Any, colonne: Colonne, couche: Couche, cle: Any) -> str:
    if not isinstance(valeur, str):
        raise CoucheInvalide(
            f"Couche « {couche.nom} », ligne « {cle} » : la colonne « {colonne.nom} » contient {valeur!r} "
            "qui n'est pas du texte ; les codes sont toujours du texte (« 01053 », « 2A004 ») : "
            "relisez la source en forçant ces colonnes en texte."
        )
    return valeur


def valeur_entiere(valeur: Any, colonne: Colonne, couche: Couche, cle: Any) -> int:
    if isinstance(valeur, bool | str) or not isinstance(valeur, int | float | np.integer | np.floating):
        raise CoucheInvalide(
            f"Couche « {couche.nom} », ligne « {cle} » : la colonne « {colonne.nom} » attend un entier, "
            f"elle contient {valeur!r}."
        )
    if float(valeur) != int(valeur):
        raise CoucheInvalide(
            f"Couche « {couche.nom} », ligne « {cle} » : « {colonne.nom} » = {valeur} n'est pas un entier."
        )
    return int(valeur)


def _est_wgs84(crs: CRS) -> bool:
    return crs.to_epsg() == SRS_WGS84 or crs.to_string() == "OGC:CRS84"


def verifier_cadre(gdf: gpd.GeoDataFrame, couche: Couche) -> None:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise CoucheInvalide(
            f"La couche « {couche.nom} » doit être un GeoDataFrame (reçu : {type(gdf).__name__})."
        )
    if gdf.crs is None:
        raise CoucheInvalide(
            f"La couche « {couche.nom} » n'a pas de système de coordonnées : EPSG:4326 (WGS 84) attendu."
        )
    if not _est_wgs84(gdf.crs):
        raise CoucheInvalide(
            f"La couche « {couche.nom} » est en {gdf.crs.to_string()} ({gdf.crs.name}) : EPSG:4326 "
            "(WGS 84, longitude/latitude) attendu ; reprojetez-la avec to_crs(4326) avant de l'enregistrer."
        )
    if gdf.empty:
        raise CoucheInvalide(
            f"La couche « {couche.nom} » reçue est vide : rien n'a été remplacé (un filtre trop strict ?)."
        )
    manquantes = [c.nom for c in couche.colonnes if c.defaut is None and c.nom not in gdf.columns]
    if manquantes:
        raise CoucheInvalide(
            f"La couche « {couche.nom} » n'a pas la ou les colonnes {', '.join(manquantes)} "
            f"(attendues : {', '.join(c.nom for c in couche.colonnes)})."
        )


def verifier_cles(cles: list[Any], couche: Couche) -> None:
    absentes = [i for i, c in enumerate(cles) if _manquant(c)]
    if absentes:
        raise CoucheInvalide(f"Couche « {couche.nom} » : « {couche.cle} » vide à la ligne {absentes[0] + 1}.")
    comptes = pd.Series(cles).value_counts()
    doubles = list(comptes[comptes > 1].index)
    if doubles:
        raise CoucheInvalide(
            f"Couche « {couche.nom} » : « {couche.cle} » en double : {', '.join(map(str, doubles[:5]))}."
        )


def multipolygones(gdf: gpd.GeoDataFrame, couche: Couche, cles: list[Any]) -> list[Any]:
    """Geometries as MultiPolygons (Polygons promoted; empty ones become ``None``)."""
    geometries: list[Any] = []
    for geom, cle in zip(gdf.geometry.to_numpy(), cles, strict=True):
        if geom is None or geom.is_empty:
            if couche.geometrie_requise:
                raise CoucheInvalide(f"Couche « {couche.nom} », ligne « {cle} » : géométrie absente ou vide.")
            geometries.append(None)
        elif geom.geom_type == "Polygon":
            geometries.append(MultiPolygon([geom]))
        elif geom.geom_type == "MultiPolygon":
            geometries.append(geom)
        else:
            raise CoucheInvalide(
                f"Couche « {couche.nom} », ligne « {cle} » : géométrie {geom.geom_type} ; "
                "Polygon ou MultiPolygon attendu."
            )
    return geometries
