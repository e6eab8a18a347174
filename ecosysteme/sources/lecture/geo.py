"""Geographic files (GeoJSON, GeoPackage) through GDAL (pyogrio) with an explicit driver: GDAL's
errors in French, the declared coordinate system converted to WGS84, one point per feature."""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ecosysteme.domaine.erreurs import Emplacement, FichierInvalide
from ecosysteme.sources.lecture.table import Table, TypeFichier, cellule, traduire

if TYPE_CHECKING:
    import geopandas as gpd
    import pyproj
    from shapely.geometry.base import BaseGeometry

log = logging.getLogger(__name__)


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
            (traduire(fr, detail[len(en) :]) for en, fr in _GDAL_JSON if detail.startswith(en)), detail
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
        attributs = [{str(k): cellule(v) for k, v in rec.items()} for rec in lu.to_dict("records")]
        return Table(nom, type_, [str(c) for c in lu.columns], attributs, list(range(1, len(attributs) + 1)))
    crs = lu.crs.to_string() if lu.crs is not None else None
    gdf, avertissements = vers_wgs84(lu, nom)
    colonnes = [c for c in gdf.columns if c != gdf.geometry.name]
    attrs = pd.DataFrame(gdf[colonnes])
    lignes: list[dict[str, str | None]] = []
    for rec in attrs.to_dict("records"):
        lignes.append({str(k): cellule(v) for k, v in rec.items()})
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
