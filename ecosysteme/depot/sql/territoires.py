"""Territory layers of the store: QPV, communes, EPCI (replace, populations, read)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecosysteme.depot.couches import (
    COLONNE_POPULATION,
    COLONNES_LISTES_TERRITOIRE,
    COUCHE_COMMUNES,
    COUCHE_EPCI,
    COUCHE_QPV,
    SRS_WGS84,
    Couche,
    convertir_valeur,
    multipolygones,
    valeur_entiere,
    verifier_cadre,
    verifier_cles,
)
from ecosysteme.depot.interface import Codes
from ecosysteme.depot.lignes import auteur_valide, horodatage_maintenant
from ecosysteme.depot.sql.commun import Commun
from ecosysteme.depot.sql.connexion import Curseur
from ecosysteme.depot.sql.requetes import _condition_codes, _where

_CLE_META = re.compile(
    r"(qpv_remplace|communes_remplace|epci_remplace|qpv_populations)_(le|par|lignes|source)"
)


def _lignes_couche(
    gdf: gpd.GeoDataFrame, couche: Couche
) -> tuple[list[Any], list[list[Any]], tuple[float, ...]]:
    """Geometries, column values and the layer's extent, after every check."""
    verifier_cadre(gdf, couche)
    cles = list(gdf[couche.cle])
    verifier_cles(cles, couche)
    geometries = multipolygones(gdf, couche, cles)
    colonnes: list[list[Any]] = []
    for col in couche.colonnes:
        if col.nom in gdf.columns:
            colonnes.append(
                [convertir_valeur(v, col, couche, k) for v, k in zip(gdf[col.nom], cles, strict=True)]
            )
        else:
            colonnes.append([col.defaut] * len(cles))
    presentes = [g for g in geometries if g is not None]
    etendue = tuple(float(x) for x in shapely.total_bounds(presentes)) if presentes else ()
    return geometries, colonnes, etendue


def _cadre_couche(couche: Couche, lignes: list[tuple[Any, ...]], geometries: Any) -> gpd.GeoDataFrame:
    donnees: dict[str, Any] = {}
    for i, col in enumerate(couche.colonnes, start=1):
        valeurs = [ligne[i] for ligne in lignes]
        donnees[col.nom] = (
            pd.array(valeurs, dtype="Int64") if col.genre == "entier" else pd.Series(valeurs, dtype=object)
        )
    geometrie = gpd.GeoSeries(geometries, crs=SRS_WGS84)
    return gpd.GeoDataFrame(pd.DataFrame(donnees), geometry=geometrie, crs=SRS_WGS84)


class Territoires(Commun):
    """Territory layers: each replaced whole, in one transaction."""

    def remplacer_qpv(self, gdf: gpd.GeoDataFrame, auteur: str, source: str | None = None) -> int:
        """Replace every QPV by those of ``gdf`` in one transaction; returns the rows written.

        ``gdf``: EPSG:4326, columns ``code_qp`` (unique), ``lib_qp``, ``insee_com`` (comma-joined
        text or a list), ``lib_com``, ``insee_dep``, ``insee_reg``, ``siren_epci`` (codes as text),
        ``population`` (integer or missing), optional ``millesime`` (2024), Polygon/MultiPolygon
        geometries. Other columns are ignored.
        """
        return self._remplacer(COUCHE_QPV, gdf, auteur, source)

    def remplacer_communes(self, gdf: gpd.GeoDataFrame, auteur: str, source: str | None = None) -> int:
        """Replace every commune (``code``, ``nom``, ``insee_dep``, ``insee_reg``, ``population``,
        ``codes_postaux``, ``siren_epci``; geometry may be missing) in one transaction."""
        return self._remplacer(COUCHE_COMMUNES, gdf, auteur, source)

    def remplacer_epci(self, gdf: gpd.GeoDataFrame, auteur: str, source: str | None = None) -> int:
        """Replace every EPCI (``siren_epci``, ``nom_epci``, ``type_epci``, ``population``;
        polygons required: the EPCI filter of :meth:`lister` uses them) in one transaction."""
        return self._remplacer(COUCHE_EPCI, gdf, auteur, source)

    def _remplacer(self, couche: Couche, gdf: gpd.GeoDataFrame, auteur: str, source: str | None) -> int:
        auteur = auteur_valide(auteur)
        geometries, valeurs, etendue = _lignes_couche(gdf, couche)
        blobs = self._encoder(np.array(geometries, dtype=object))
        lignes = [(blob, *vals) for blob, *vals in zip(blobs, *valeurs, strict=True)]
        colonnes = ", ".join(("geom", *(c.nom for c in couche.colonnes)))
        marques = ", ".join((self.GEOMETRIE_ECRITE, *("?" * len(couche.colonnes))))
        with self._ecriture() as cx:
            maintenant = horodatage_maintenant()
            cx.execute(f"DELETE FROM {couche.nom}")
            cx.executemany(f"INSERT INTO {couche.nom} ({colonnes}) VALUES ({marques})", lignes)
            self._toucher(cx, couche.nom, maintenant, etendue or (None, None, None, None))
            self._noter(cx, f"{couche.nom}_remplace", maintenant, auteur, len(lignes), source)
        return len(lignes)

    @staticmethod
    def _noter(
        cx: Curseur,
        quoi: str,
        maintenant: str,
        auteur: str,
        lignes: int,
        source: str | None = None,
    ) -> None:
        """Record in ``meta`` when, by whom, from which source and how many rows a territory
        layer was last written."""
        cx.executemany(
            "INSERT INTO meta (cle, valeur) VALUES (?, ?) "
            "ON CONFLICT (cle) DO UPDATE SET valeur = excluded.valeur",
            [
                (f"{quoi}_le", maintenant),
                (f"{quoi}_par", auteur),
                (f"{quoi}_lignes", str(lignes)),
                (f"{quoi}_source", source or ""),
            ],
        )

    def etat_territoire(self) -> dict[str, dict[str, str]]:
        """When, by whom, from which source (``fichier sha256``) and how many rows each territory
        layer (``qpv``, ``communes``, ``epci``, ``qpv_populations``) was last written."""
        with self._lecture() as cx:
            rows = cx.execute("SELECT cle, valeur FROM meta").fetchall()
        out: dict[str, dict[str, str]] = {}
        for cle, valeur in rows:
            m = _CLE_META.fullmatch(cle)
            if m:
                out.setdefault(m.group(1).removesuffix("_remplace"), {})[m.group(2)] = valeur
        return out

    def definir_populations(
        self, populations: Mapping[str, int | None], auteur: str, source: str | None = None
    ) -> list[str]:
        """Set ``population`` of the stored QPV by ``code_qp`` (INSEE figures) in one transaction.

        Returns the codes absent from the ``qpv`` layer, sorted; they are left aside.
        """
        auteur = auteur_valide(auteur)
        valeurs = [
            (None if v is None else valeur_entiere(v, COLONNE_POPULATION, COUCHE_QPV, code), code)
            for code, v in populations.items()
        ]
        with self._ecriture() as cx:
            connus = {r[0] for r in cx.execute("SELECT code_qp FROM qpv")}
            cx.executemany(
                "UPDATE qpv SET population = ? WHERE code_qp = ?", [v for v in valeurs if v[1] in connus]
            )
            maintenant = horodatage_maintenant()
            self._toucher(cx, "qpv", maintenant)
            self._noter(cx, "qpv_populations", maintenant, auteur, len(connus & set(populations)), source)
        return sorted(set(populations) - connus)

    def qpv(
        self, siren_epci: Codes = None, insee_dep: Codes = None, insee_reg: Codes = None
    ) -> gpd.GeoDataFrame:
        """QPV (MultiPolygon, EPSG:4326, codes as text, ``population`` Int64), by ``code_qp``.

        ``insee_com`` stays comma-joined text, as in the official file. Each filter takes one
        code or a sequence of codes (any of them).
        """
        return self._lire_couche(
            COUCHE_QPV, {"siren_epci": siren_epci, "insee_dep": insee_dep, "insee_reg": insee_reg}
        )

    def communes(
        self, siren_epci: Codes = None, insee_dep: Codes = None, insee_reg: Codes = None
    ) -> gpd.GeoDataFrame:
        """Communes (MultiPolygon or ``None``, EPSG:4326), by ``code``."""
        return self._lire_couche(
            COUCHE_COMMUNES, {"siren_epci": siren_epci, "insee_dep": insee_dep, "insee_reg": insee_reg}
        )

    def epci(self, siren_epci: Codes = None) -> gpd.GeoDataFrame:
        """EPCI (MultiPolygon, EPSG:4326), by ``siren_epci``."""
        return self._lire_couche(COUCHE_EPCI, {"siren_epci": siren_epci})

    def _lire_couche(self, couche: Couche, filtres: dict[str, Codes]) -> gpd.GeoDataFrame:
        where, params = _where(
            _condition_codes(col, codes, couche is COUCHE_QPV and col in COLONNES_LISTES_TERRITOIRE)
            for col, codes in filtres.items()
        )
        colonnes = ", ".join((self.GEOMETRIE_LUE, *(c.nom for c in couche.colonnes)))
        with self._lecture() as cx:
            lignes = cx.execute(
                f"SELECT {colonnes} FROM {couche.nom}{where} ORDER BY {couche.cle}", params
            ).fetchall()
        return _cadre_couche(couche, lignes, self._decoder([ligne[0] for ligne in lignes]))
