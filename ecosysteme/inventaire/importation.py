"""Importers, one per real format, behind one entry point that recognises the format from content."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ecosysteme.domaine import normalisation as nz
from ecosysteme.domaine.erreurs import Emplacement, FormatInconnu, Introuvable
from ecosysteme.domaine.modeles import Acteur
from ecosysteme.domaine.regions import departements
from ecosysteme.sources.importeurs.acteurs import FORMATS_ACTEURS, convertir_table
from ecosysteme.sources.importeurs.arrets import COLONNES_SERVICE, FORMAT_ARRETS, lire_arrets
from ecosysteme.sources.importeurs.base import Probleme, RapportImport
from ecosysteme.sources.importeurs.territoire import (
    convertir_communes,
    convertir_epci,
    convertir_qpv,
    lire_geodataframe,
    lire_population,
)
from ecosysteme.sources.lecture import Table, avertissement_extension, colonnes_geo, detecter_type, lire_table

if TYPE_CHECKING:
    from ecosysteme.depot import Depot

FORMATS_TERRITOIRE = ("qpv", "population", "communes", "epci")
FORMATS = ("auto", *FORMATS_ACTEURS, *FORMATS_TERRITOIRE, FORMAT_ARRETS)

__all__ = ["FORMATS", "Probleme", "RapportImport", "detecter_format", "importer_fichier"]


def detecter_format(colonnes: list[str], nom: str, geometrique: bool = False) -> str:
    """The importer for a table, recognised from its columns."""
    cols = set(colonnes)
    low = {c.lower() for c in colonnes}
    if "Code_bib" in cols or "code_bib" in low:
        return "bibliotheques"
    if "id_fs" in cols:
        return "france-services"
    if "code_qp" in low and geometrique:
        return "qpv"
    if ({"codeqpv", "code_qp", "code_qpv"} & low) and (
        {"popmuniqpv", "pop_muni_qpv", "pop_mun", "population"} & low
    ):
        return "population"
    if "structureId" in cols or "conditions_access" in cols:
        return "conseillers-numeriques"
    if "publics_accueillis" in cols or ("typologie" in cols and "conditions_acces" in cols):
        return "data-inclusion"
    if {"id", "nom"} <= cols and ({"pivot", "services", "date_maj"} & cols):
        return "standard"
    if COLONNES_SERVICE[0] in cols and ({"latitude", "lat"} & cols or geometrique):
        return FORMAT_ARRETS
    if geometrique and "siren_epci" in cols and "nom_epci" in cols and "code" not in cols:
        return "epci"
    if geometrique and "code" in cols and "nom" in cols:
        return "communes"
    raise FormatInconnu(
        "format non reconnu d'après les colonnes ("
        + ", ".join(colonnes[:10])
        + ("…" if len(colonnes) > 10 else "")
        + "). Attendu : le standard des lieux de médiation numérique (id, pivot, nom…), la liste "
        "France Services (id_fs…), les lieux des conseillers numériques, les structures data·inclusion, "
        "la liste des bibliothèques (Code_bib…), des QPV (code_qp + géométrie), des populations ou "
        "les arrêts de services itinérants (id_service, nom, latitude, longitude, horaires).",
        Emplacement(nom, 1),
    )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _filtre_region(region: str, depot: Depot | None) -> Callable[[list[Acteur]], list[bool]]:
    """Which actors lie in the région: the département of their postal or commune code is in it,
    or (when the store has the région's communes) their point is within 2 km of one of them:
    simplified commune shapes cut coasts, and producers' codes are sometimes wrong."""
    deps = set(departements(region))

    def par_code(acteurs: list[Acteur]) -> list[bool]:
        return [
            nz.departement_de(None, a.code_postal) in deps or nz.departement_de(a.code_insee, None) in deps
            for a in acteurs
        ]

    communes = depot.communes(insee_reg=region) if depot is not None else None
    if communes is not None and not communes.empty:
        import numpy as np
        import shapely

        arbre = shapely.STRtree(communes.geometry.values)

        def par_geometrie(acteurs: list[Acteur]) -> list[bool]:
            pts = shapely.points([(a.longitude or 0.0, a.latitude or 0.0) for a in acteurs])
            idx = arbre.query(pts, predicate="dwithin", distance=0.02)
            dedans = np.zeros(len(acteurs), dtype=bool)
            dedans[idx[0]] = True
            return [bool(x) or c for x, c in zip(dedans, par_code(acteurs), strict=True)]

        return par_geometrie
    return par_code


def _non_vide(couche: object, rapport: RapportImport) -> bool:
    if len(couche) == 0:  # type: ignore[arg-type]
        rapport.avertir(None, None, "aucune ligne valide : la couche enregistrée n'a pas été remplacée.")
        return False
    return True


def importer_fichier(
    path: Path,
    depot: Depot | None,
    *,
    format: str = "auto",
    simulation: bool = False,
    auteur: str = "inconnu",
    region: str | None = None,
    strict: bool | None = None,
    nom: str | None = None,
) -> RapportImport:
    """Import one file: read, check, convert; then, unless ``simulation``, commit as one batch.

    A file-level problem raises ``FichierInvalide`` / ``FormatInconnu`` (nothing stored); row
    problems are in the report. ``region`` keeps only that région's rows (others counted apart).
    """
    t0 = time.perf_counter()
    path = Path(path)
    nom = nom or path.name
    type_ = detecter_type(path, nom=nom)
    geometrique = type_ in ("geojson", "gpkg")
    table: Table | None = None
    if format == "auto":
        if geometrique:
            format = detecter_format(colonnes_geo(path, type_, nom), nom, geometrique=True)
        else:
            table = lire_table(path, nom)
            format = detecter_format(table.colonnes, nom)
    rapport = RapportImport(fichier=nom, format=format, simulation=simulation, sha256=_sha256(path))
    source = f"{nom} {rapport.sha256}"
    if format == FORMAT_ARRETS:
        return importer_arrets(path, depot, auteur=auteur, simulation=simulation, nom=nom)
    if format in FORMATS_ACTEURS:
        table = table or lire_table(path, nom)
        if table.encodage:
            rapport.infos.append(f"encodage : {table.encodage}")
        if table.separateur:
            rapport.infos.append(f"séparateur : {table.nom_separateur}")
        for avert in table.avertissements:
            rapport.avertir(None, None, avert)
        acteurs = convertir_table(table, format, rapport, strict=strict)
        if region is not None and acteurs:
            dedans = _filtre_region(region, depot)(acteurs)
            rapport.ignorees = dedans.count(False)
            rapport.acceptees -= rapport.ignorees
            acteurs = [a for a, d in zip(acteurs, dedans, strict=True) if d]
        for a in acteurs:
            a.provenance_fichier = nom
            a.provenance_format = format
            a.provenance_auteur = auteur
        if depot is not None and not simulation and acteurs:
            lot = depot.importer_lot(
                acteurs,
                fichier=nom,
                format=format,
                sha256=rapport.sha256 or "",
                auteur=auteur,
                rapport=rapport.en_dict(),
            )
            rapport.lot_id = lot.id
            rapport.crees = lot.crees
            rapport.mis_a_jour = lot.mis_a_jour
    elif format == "population":
        pops = lire_population(path, rapport)
        if depot is not None and not simulation:
            inconnus = depot.definir_populations(pops, auteur=auteur, source=source)
            for code in inconnus[:50]:
                rapport.avertir(None, "code_qp", f"QPV {code} absent du dépôt : population non enregistrée.")
    elif format in FORMATS_TERRITOIRE:
        gdf = lire_geodataframe(path, nom)
        extension = avertissement_extension(nom, type_)
        if extension is not None:
            rapport.avertir(None, None, extension)
        if format == "qpv":
            out = convertir_qpv(gdf, rapport)
            if region is not None:
                garde = out["insee_reg"].eq(region) | out["insee_dep"].isin(departements(region))
                rapport.ignorees = int((~garde).sum())
                rapport.acceptees -= rapport.ignorees
                out = out[garde]
            if depot is not None and not simulation and _non_vide(out, rapport):
                depot.remplacer_qpv(out, auteur, source)
        elif format == "communes":
            out = convertir_communes(gdf, rapport)
            if depot is not None and not simulation and _non_vide(out, rapport):
                depot.remplacer_communes(out, auteur, source)
        else:
            out = convertir_epci(gdf, rapport)
            if depot is not None and not simulation and _non_vide(out, rapport):
                depot.remplacer_epci(out, auteur, source)
    else:
        raise FormatInconnu(
            f"format « {format} » inconnu ; formats possibles : {', '.join(FORMATS)}.", Emplacement(nom)
        )
    rapport.duree_s = time.perf_counter() - t0
    return rapport


def importer_arrets(
    path: Path,
    depot: Depot | None,
    *,
    auteur: str = "inconnu",
    simulation: bool = False,
    nom: str | None = None,
) -> RapportImport:
    """Give the stops of a stops file (CSV, XLSX or a JSON array of stop rows; see the module) to
    the services of the store: each service named in the file gets exactly the stops listed for
    it, in one import batch (all or nothing, undoable with ``annuler_lot``). A service id absent
    from the store is reported and its stops left out. ``depot=None`` or ``simulation``: checked,
    nothing written."""
    t0 = time.perf_counter()
    path = Path(path)
    nom = nom or path.name
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    rapport = RapportImport(fichier=nom, format=FORMAT_ARRETS, simulation=simulation, sha256=sha)
    table = lire_table(path, nom)
    par_service = lire_arrets(table, rapport)
    if depot is not None:
        services: list[Acteur] = []
        for ident, arrets in par_service.items():
            try:
                acteur = depot.obtenir(ident)
            except Introuvable:
                rapport.avertir(
                    None,
                    COLONNES_SERVICE[0],
                    f"service « {ident} » absent du dépôt : ses {len(arrets)} arrêt(s) ne sont pas importés "
                    "(importez d'abord le service, ou vérifiez son identifiant).",
                )
                rapport.acceptees -= len(arrets)
                continue
            services.append(acteur.model_copy(update={"arrets": arrets, "provenance_auteur": auteur}))
        if services and not simulation:
            lot = depot.importer_lot(
                services,
                fichier=nom,
                format=FORMAT_ARRETS,
                sha256=sha,
                auteur=auteur,
                rapport=rapport.en_dict(),
            )
            rapport.lot_id, rapport.crees, rapport.mis_a_jour = lot.id, lot.crees, lot.mis_a_jour
    rapport.duree_s = time.perf_counter() - t0
    return rapport
