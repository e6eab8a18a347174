"""Territory importers: QPV 2024 perimeters, QPV population, communes, EPCI.

All geometries end in EPSG:4326 with string codes; invalid polygons are repaired with a
warning, empty or non-polygonal ones rejected with their reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from ecosysteme.domaine import normalisation as nz
from ecosysteme.domaine.erreurs import Emplacement, FichierInvalide
from ecosysteme.domaine.validation import EN_METRES, ressemble_lambert93, ressemble_metres
from ecosysteme.sources.importeurs.base import RapportImport
from ecosysteme.sources.lecture import (
    NOMS_TYPES,
    Table,
    bornes_finies,
    detecter_type,
    exiger_lignes,
    lire_couche,
    lire_table,
    vers_wgs84,
)

COLONNES_QPV = (
    "code_qp",
    "lib_qp",
    "insee_com",
    "lib_com",
    "insee_dep",
    "insee_reg",
    "siren_epci",
    "population",
    "millesime",
)
_ALIAS_CODE_QP = ("code_qp", "codeQPV", "CODE_QP", "code_qpv", "CODE_QPV", "QP", "qp")
_ALIAS_POP = ("pop_muni_qpv", "popMuniQPV", "POP_MUNI", "pop_mun", "POP_MUN", "population", "pop")
_CODE_QP = re.compile(r"^Q[A-Z0-9]{6,10}$")


def lire_geodataframe(path: Path, nom: str | None = None) -> gpd.GeoDataFrame:
    """A GeoJSON / GeoPackage through an explicit driver, in EPSG:4326: the coordinate system it
    declares (GeoJSON ``crs`` member, GeoPackage) is converted; metres in a file that declares
    degrees (or nothing) are refused; every damaged file gives a French ``FichierInvalide``."""
    nom = nom or path.name
    type_ = detecter_type(path, nom=nom)
    if type_ not in ("geojson", "gpkg"):
        raise FichierInvalide(
            "un fichier géographique (GeoJSON ou GeoPackage) est attendu ; contenu reconnu : "
            f"{NOMS_TYPES.get(type_, type_)}.",
            Emplacement(nom),
        )
    gdf = lire_couche(path, type_, nom)
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise FichierInvalide("le fichier ne contient pas de géométries.", Emplacement(nom))
    if len(gdf) == 0:
        raise FichierInvalide(
            "aucun objet dans le fichier (collection vide) : rien à importer.", Emplacement(nom)
        )
    if gdf.crs is not None and gdf.crs.is_geographic:
        bornes = bornes_finies(gdf)
        if bornes is not None and (
            ressemble_lambert93(bornes[0], bornes[1]) or ressemble_metres(bornes[0], bornes[1])
        ):
            raise FichierInvalide(
                f"les coordonnées sont {EN_METRES} alors que des degrés WGS84 (longitude, latitude) sont "
                "attendus : le fichier ne déclare pas d'autre système de coordonnées. Convertissez-le en "
                "WGS84, ou déclarez son système (membre « crs » d'un GeoJSON, GeoPackage).",
                Emplacement(nom),
            )
    gdf, _ = vers_wgs84(gdf, nom, crs_requis=True)
    return gdf


def _polygonal(geom: BaseGeometry | None) -> tuple[MultiPolygon | None, str | None]:
    """A valid MultiPolygon, or None with the French reason; repairs are reported as warnings."""
    if geom is None or geom.is_empty:
        return None, "géométrie absente ou vide."
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return None, "coordonnées non finies (NaN ou infini) dans la géométrie."
    avert = None
    try:
        if not geom.is_valid:
            raison = shapely.is_valid_reason(geom)
            geom = shapely.make_valid(geom)
            avert = f"géométrie invalide ({raison}) réparée."
    except GEOSException:
        return None, "géométrie abîmée, irréparable."
    parts: list[Polygon] = []
    if isinstance(geom, Polygon):
        parts = [geom]
    elif isinstance(geom, MultiPolygon):
        parts = list(geom.geoms)
    elif hasattr(geom, "geoms"):
        for g in geom.geoms:
            if isinstance(g, Polygon):
                parts.append(g)
            elif isinstance(g, MultiPolygon):
                parts.extend(g.geoms)
    parts = [p for p in parts if not p.is_empty and p.area > 0]
    if not parts:
        return None, f"géométrie de type {geom.geom_type} sans surface : un polygone est attendu."
    return MultiPolygon(parts), avert


def _col(colonnes: Sequence[str], alias: Sequence[str]) -> str | None:
    for a in alias:
        if a in colonnes:
            return a
    low = {c.lower(): c for c in colonnes}
    for a in alias:
        if a.lower() in low:
            return low[a.lower()]
    return None


def _entier(v: object) -> int | None:
    s = nz.texte(v)
    if s is None:
        return None
    try:
        f = float(s.replace(",", ".").replace(" ", ""))
    except ValueError:
        return None
    return int(round(f)) if f == f else None


def _liste_codes(v: object) -> list[str]:
    s = nz.texte(v)
    if s is None:
        return []
    return [c for c in (nz.code_insee(x) for x in re.split(r"[,;|]", s)) if c]


def convertir_qpv(gdf: gpd.GeoDataFrame, rapport: RapportImport) -> gpd.GeoDataFrame:
    """Official QPV 2024 fields to the canonical layer (population when the file has it)."""
    cols = [str(c) for c in gdf.columns]
    code_col = _col(cols, _ALIAS_CODE_QP)
    lib_col = _col(cols, ("lib_qp", "nom_qp", "LIB_QP", "nom"))
    if code_col is None or lib_col is None:
        manquantes = [n for n, c in (("code_qp", code_col), ("lib_qp", lib_col)) if c is None]
        raise FichierInvalide(
            "colonne(s) requise(s) absente(s) pour les QPV : "
            + ", ".join(f"« {m} »" for m in manquantes)
            + ".",
            Emplacement(rapport.fichier, 1, manquantes[0]),
        )
    pop_col = _col(cols, _ALIAS_POP)
    rapport.lignes_lues = len(gdf)
    rows: list[dict[str, object]] = []
    geoms: list[MultiPolygon] = []
    vus: dict[str, int] = {}
    for i, (rec, geom) in enumerate(
        zip(gdf.drop(columns=gdf.geometry.name).to_dict("records"), gdf.geometry, strict=True), 1
    ):
        code = nz.texte(rec.get(code_col))
        if code is None:
            rapport.rejeter(i, code_col, "code du quartier absent.")
            continue
        if code in vus:
            raise FichierInvalide(
                f"QPV « {code} » en double (objets {vus[code]} et {i}).",
                Emplacement(rapport.fichier, i, code_col),
            )
        vus[code] = i
        if not _CODE_QP.match(code):
            rapport.avertir(i, code_col, f"code « {code} » inhabituel pour un QPV.")
        mp, msg = _polygonal(geom)
        if mp is None:
            rapport.rejeter(i, "geometry", f"QPV {code} : {msg}")
            continue
        if msg:
            rapport.avertir(i, "geometry", f"QPV {code} : {msg}")
        pop = _entier(rec.get(pop_col)) if pop_col else None
        rows.append(
            {
                "code_qp": code,
                "lib_qp": nz.texte(rec.get(lib_col)) or code,
                "insee_com": ",".join(_liste_codes(rec.get("insee_com"))),
                "lib_com": nz.texte(rec.get("lib_com")),
                "insee_dep": nz.texte(rec.get("insee_dep")),
                "insee_reg": nz.texte(rec.get("insee_reg")),
                "siren_epci": ",".join(re.findall(r"\d{9}", nz.texte(rec.get("siren_epci")) or "")) or None,
                "population": pop,
                "millesime": 2024,
            }
        )
        geoms.append(mp)
    rapport.acceptees = len(rows)
    frame = pd.DataFrame(rows, columns=list(COLONNES_QPV))
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)


def populations_qpv(table: Table, rapport: RapportImport) -> dict[str, int]:
    """Population per QPV from a table with one row per commune × QPV: the FIRST value per QPV.

    A multi-commune QPV repeats its figure on each row; summing would count it several times.
    """
    code_col = _col(table.colonnes, _ALIAS_CODE_QP)
    pop_col = _col(table.colonnes, _ALIAS_POP)
    if code_col is None or pop_col is None:
        manquantes = [n for n, c in (("codeQPV", code_col), ("popMuniQPV", pop_col)) if c is None]
        raise FichierInvalide(
            "colonne(s) requise(s) absente(s) pour les populations : "
            + ", ".join(f"« {m} »" for m in manquantes)
            + f". Colonnes lues : {', '.join(table.colonnes[:10])}.",
            Emplacement(table.fichier, 1, manquantes[0]),
        )
    rapport.lignes_lues = len(table.lignes)
    out: dict[str, int] = {}
    for valeurs, numero in zip(table.lignes, table.numeros, strict=True):
        code = nz.texte(valeurs.get(code_col))
        if code is None:
            rapport.rejeter(numero, code_col, "code du quartier absent.")
            continue
        pop = _entier(valeurs.get(pop_col))
        if pop is None:
            if nz.texte(valeurs.get(pop_col)) is not None:
                rapport.rejeter(
                    numero, pop_col, f"population « {valeurs.get(pop_col)} » n'est pas un nombre."
                )
            else:
                rapport.rejeter(numero, pop_col, "population absente.")
            continue
        if pop < 0:
            rapport.rejeter(numero, pop_col, f"population négative ({pop}).")
            continue
        if code in out:
            if out[code] != pop:
                rapport.avertir(
                    numero,
                    pop_col,
                    f"QPV {code} : population {pop} différente de la première ({out[code]}), ignorée.",
                )
        else:
            out[code] = pop
        rapport.acceptees += 1
    return out


def convertir_communes(gdf: gpd.GeoDataFrame, rapport: RapportImport) -> gpd.GeoDataFrame:
    cols = [str(c) for c in gdf.columns]
    code_col = _col(cols, ("code", "insee_com", "code_insee", "INSEE_COM"))
    nom_col = _col(cols, ("nom", "nom_com", "NOM", "lib_com"))
    if code_col is None or nom_col is None:
        raise FichierInvalide(
            "colonnes « code » et « nom » attendues pour les communes.",
            Emplacement(rapport.fichier, 1, "code"),
        )
    bruts = [str(c).strip() for c in gdf[code_col].dropna()]
    if bruts and all(len(c) <= 3 for c in bruts):
        raise FichierInvalide(
            f"les codes de « {code_col} » ont 2 ou 3 caractères ({', '.join(bruts[:3])}…) : ce fichier "
            "décrit des départements, pas des communes (codes INSEE à 5 caractères). Rien n'a été remplacé.",
            Emplacement(rapport.fichier, 2, code_col),
        )
    epci_col = _col(cols, ("siren_epci", "codeEpci", "SIREN_EPCI", "epci"))
    pop_col = _col(cols, ("population", "POPULATION", "pop"))
    cp_col = _col(cols, ("codes_postaux", "codesPostaux"))
    rapport.lignes_lues = len(gdf)
    rows: list[dict[str, object]] = []
    geoms: list[MultiPolygon] = []
    for i, (rec, geom) in enumerate(
        zip(gdf.drop(columns=gdf.geometry.name).to_dict("records"), gdf.geometry, strict=True), 1
    ):
        code = nz.code_insee(rec.get(code_col))
        if code is None:
            rapport.rejeter(i, code_col, f"code commune « {rec.get(code_col)} » invalide.")
            continue
        mp, msg = _polygonal(geom)
        if mp is None:
            rapport.rejeter(i, "geometry", f"commune {code} : {msg}")
            continue
        if msg:
            rapport.avertir(i, "geometry", f"commune {code} : {msg}")
        cps = rec.get(cp_col) if cp_col else None
        rows.append(
            {
                "code": code,
                "nom": nz.texte(rec.get(nom_col)) or code,
                "insee_dep": nz.texte(rec.get(_col(cols, ("insee_dep", "codeDepartement")) or ""))
                or nz.departement_de(code),
                "insee_reg": nz.texte(rec.get(_col(cols, ("insee_reg", "codeRegion")) or "")),
                "population": _entier(rec.get(pop_col)) if pop_col else None,
                "codes_postaux": ",".join(nz.decouper(str(cps).replace(",", ";")))
                if cps is not None
                else None,
                "siren_epci": nz.texte(rec.get(epci_col)) if epci_col else None,
            }
        )
        geoms.append(mp)
    rapport.acceptees = len(rows)
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)


def convertir_epci(gdf: gpd.GeoDataFrame, rapport: RapportImport) -> gpd.GeoDataFrame:
    cols = [str(c) for c in gdf.columns]
    code_col = _col(cols, ("siren_epci", "code", "SIREN"))
    nom_col = _col(cols, ("nom_epci", "nom", "NOM"))
    if code_col is None or nom_col is None:
        raise FichierInvalide(
            "colonnes « siren_epci » et « nom_epci » attendues pour les EPCI.",
            Emplacement(rapport.fichier, 1, "siren_epci"),
        )
    pop_col = _col(cols, ("population_municipale", "population", "populationMunicipale"))
    rapport.lignes_lues = len(gdf)
    rows: list[dict[str, object]] = []
    geoms: list[MultiPolygon] = []
    for i, (rec, geom) in enumerate(
        zip(gdf.drop(columns=gdf.geometry.name).to_dict("records"), gdf.geometry, strict=True), 1
    ):
        siren = nz.texte(rec.get(code_col))
        if siren is None or not re.fullmatch(r"\d{9}", siren):
            rapport.rejeter(i, code_col, f"SIREN « {siren} » invalide (9 chiffres attendus).")
            continue
        mp, msg = _polygonal(geom)
        if mp is None:
            rapport.rejeter(i, "geometry", f"EPCI {siren} : {msg}")
            continue
        if msg:
            rapport.avertir(i, "geometry", f"EPCI {siren} : {msg}")
        rows.append(
            {
                "siren_epci": siren,
                "nom_epci": nz.texte(rec.get(nom_col)) or siren,
                "type_epci": nz.texte(rec.get(_col(cols, ("type_epci", "type")) or "")),
                "population": _entier(rec.get(pop_col)) if pop_col else None,
            }
        )
        geoms.append(mp)
    rapport.acceptees = len(rows)
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)


def epci_depuis_communes(communes: gpd.GeoDataFrame, noms: dict[str, str] | None = None) -> gpd.GeoDataFrame:
    """EPCI polygons dissolved from their member communes (when no EPCI file is available)."""
    c = communes[communes["siren_epci"].notna()]
    agg = c.dissolve(by="siren_epci", aggfunc={"population": "sum"}).reset_index()
    agg["nom_epci"] = [(noms or {}).get(s, s) for s in agg["siren_epci"]]
    agg["type_epci"] = None
    agg["geometry"] = [_polygonal(g)[0] for g in agg.geometry]
    return gpd.GeoDataFrame(agg[["siren_epci", "nom_epci", "type_epci", "population", "geometry"]], crs=4326)


def lire_population(path: Path, rapport: RapportImport) -> dict[str, int]:
    table = lire_table(path, rapport.fichier)
    exiger_lignes(table)
    rapport.infos.extend(_infos(table))
    return populations_qpv(table, rapport)


def _infos(table: Table) -> list[str]:
    out: list[str] = []
    if table.encodage:
        out.append(f"encodage : {table.encodage}")
    if table.separateur:
        out.append(f"séparateur : {table.nom_separateur}")
    out.extend(table.avertissements)
    return out
