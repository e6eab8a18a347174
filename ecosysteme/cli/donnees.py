"""Commands that build and keep the store: init, telecharger, importer, preparer, lots, annuler-lot."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

from ecosysteme.cli.commun import (
    AuteurOpt,
    MiroirOpt,
    OptionDepot,
    RegionOpt,
    app,
    brut,
    console,
    echec,
    erreurs,
    nom_depot,
    ouvrir,
)
from ecosysteme.domaine import config
from ecosysteme.domaine.erreurs import ErreurEcosysteme

if TYPE_CHECKING:
    pass


#: Import order: territories first, then populations, then actors.
ORDRE_IMPORT = (
    "communes",
    "epci",
    "qpv",
    "population",
    "france-services",
    "conseillers-numeriques",
    "data-inclusion",
    "bibliotheques",
    "standard",
)


@app.command()
def init(store: OptionDepot = None) -> None:
    """Créer le dépôt (GeoPackage, lisible par QGIS) s'il n'existe pas ; vérifier son intégrité sinon."""
    try:
        with ouvrir(store, creer=True) as depot:
            n = depot.compter()
    except (ErreurEcosysteme, OSError) as exc:
        raise echec(exc) from exc
    console.print(f"Dépôt prêt : {brut(nom_depot(store))} ({n} acteurs).")


@app.command()
def telecharger(
    miroir: MiroirOpt = None,
    region: RegionOpt = config.REGION_PAR_DEFAUT,
    forcer: Annotated[bool, typer.Option("--forcer", help="Ignorer le cache et tout retélécharger.")] = False,
) -> None:
    """Télécharger les données officielles (QPV, populations, territoires, acteurs) dans le cache."""
    from ecosysteme.sources import catalogue as catalog
    from ecosysteme.sources import telechargement as download

    try:
        res = download.telecharger(catalog.sources(), region=region, miroir=miroir, forcer=forcer)
    except (ErreurEcosysteme, OSError) as exc:
        raise echec(exc) from exc
    console.print(brut(download.resume(res)), highlight=False)


@app.command()
def importer(
    fichiers: Annotated[list[Path], typer.Argument(help="Fichier(s) à importer.", exists=False)],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="auto, standard, france-services, conseillers-numeriques, "
            "data-inclusion, bibliotheques, qpv, population, communes, epci, arrets "
            "(arrêts de services itinérants : une ligne par arrêt avec id_service)",
        ),
    ] = "auto",
    simulation: Annotated[
        bool, typer.Option("--simulation", help="Tout vérifier sans rien enregistrer.")
    ] = False,
    region: Annotated[str | None, typer.Option("--region", help="Ne garder que cette région.")] = None,
    strict: Annotated[
        bool | None,
        typer.Option(
            "--strict/--tolerant",
            help="Valeur hors standard : rejeter la ligne (strict) ou l'ignorer avec un avertissement.",
        ),
    ] = None,
    store: OptionDepot = None,
    auteur: AuteurOpt = None,
) -> None:
    """Importer un ou plusieurs fichiers ; chaque fichier est un lot, enregistré en entier ou pas du tout."""
    from ecosysteme.inventaire.importation import FORMATS, importer_fichier

    if format not in FORMATS:
        erreurs.print(
            f"[bold red]Erreur :[/] format « {brut(format)} » inconnu ; possibles : {', '.join(FORMATS)}."
        )
        raise typer.Exit(code=2)
    code = 0
    try:
        depot = None if simulation else ouvrir(store, creer=True)
    except (ErreurEcosysteme, OSError) as exc:
        raise echec(exc) from exc
    try:
        for f in fichiers:
            try:
                r = importer_fichier(
                    f,
                    depot,
                    format=format,
                    simulation=simulation,
                    auteur=config.auteur(auteur),
                    region=region,
                    strict=strict,
                )
            except (ErreurEcosysteme, OSError) as exc:
                echec(exc)
                erreurs.print("  Rien n'a été enregistré pour ce fichier.")
                code = 1
                continue
            console.print(brut(r.resume()), highlight=False)
            if r.acceptees == 0 and r.lignes_lues > 0:
                code = 1
    finally:
        if depot is not None:
            depot.close()
    raise typer.Exit(code=code)


@app.command()
def preparer(
    miroir: MiroirOpt = None,
    region: RegionOpt = config.REGION_PAR_DEFAUT,
    store: OptionDepot = None,
    auteur: AuteurOpt = None,
) -> None:
    """Télécharger les données officielles du territoire et construire le dépôt (déjà importé : ignoré)."""
    try:
        preparer_depot(store=store, miroir=miroir, region=region, auteur=config.auteur(auteur))
    except (ErreurEcosysteme, OSError) as exc:
        raise echec(exc) from exc


def preparer_depot(*, store: str | Path | None, miroir: str | None, region: str, auteur: str) -> int:
    """Download then import every catalog source not yet imported; returns the number of imports."""
    from ecosysteme.inventaire.importation import importer_fichier
    from ecosysteme.sources import catalogue as catalog
    from ecosysteme.sources import telechargement as download

    sources = catalog.sources()
    res = download.telecharger(sources, region=region, miroir=miroir, progression=sys.stdout.isatty())
    par_id = {s.id: s for s in sources}
    prets = [r for r in res if r.ok]
    for r in res:
        if not r.ok:
            console.print(f"  [yellow]—[/] {brut(r.source_id)} : {brut(r.raison)}", highlight=False)
    prets.sort(key=lambda r: ORDRE_IMPORT.index(par_id[r.source_id].importeur))
    n = 0
    echecs: list[str] = []
    with ouvrir(store, creer=True) as depot:
        deja = {(lot.sha256, lot.format) for lot in depot.lots() if not lot.annule}
        couches = {"qpv": "qpv", "population": "qpv_populations", "communes": "communes", "epci": "epci"}
        for fmt, couche in couches.items():
            src_couche = depot.etat_territoire().get(couche, {}).get("source", "")
            if src_couche:
                deja.add((src_couche.rsplit(" ", 1)[-1], fmt))
        for r in prets:
            src = par_id[r.source_id]
            if (r.sha256, src.importeur) in deja:
                console.print(f"  [green]✓[/] {brut(src.id)} : déjà importé.")
                continue
            assert r.chemin is not None
            try:
                rapport = importer_fichier(
                    r.chemin, depot, format=src.importeur, auteur=auteur, region=region, nom=r.chemin.name
                )
            except ErreurEcosysteme as exc:  # that source only: each import is its own transaction
                echecs.append(src.id)
                _echec_source(src.id, r.origine, str(exc))
                continue
            if rapport.acceptees == 0 and rapport.lignes_lues > 0:
                echecs.append(src.id)
                raison = rapport.rejets[0].texte(rapport.fichier) if rapport.rejets else "aucune ligne valide"
                _echec_source(
                    src.id, r.origine, f"aucune des {rapport.lignes_lues} lignes acceptée ({raison})"
                )
                continue
            n += 1
            console.print(
                f"  [green]✓[/] {brut(src.id)} : {rapport.acceptees} acceptés, {rapport.rejetees} rejetés"
                + (f", {rapport.ignorees} hors région" if rapport.ignorees else ""),
                highlight=False,
            )
    if echecs:
        raise ErreurEcosysteme(
            f"{len(echecs)} source(s) non importée(s) : {', '.join(echecs)} (voir ci-dessus) ; "
            "les autres l'ont été."
        )
    return n


def _echec_source(source: str, origine: str | None, message: str) -> None:
    """One source of ``preparer`` that could not be imported (the others are)."""
    de = f" (obtenue de « {origine} »)" if origine else ""
    erreurs.print(f"  [bold red]✗[/] {brut(source)}{de} : {brut(message)}", highlight=False)
    erreurs.print("    Rien n'a été enregistré pour cette source.", highlight=False)


@app.command()
def lots(store: OptionDepot = None) -> None:
    """Lister les lots d'import (fichier, date, nombres, annulé ou non)."""
    try:
        with ouvrir(store) as depot:
            liste = depot.lots()
    except (ErreurEcosysteme, OSError) as exc:
        raise echec(exc) from exc
    t = RichTable(title="Lots d'import")
    for col in ("n°", "fichier", "format", "date", "auteur", "créés", "mis à jour", "rejetées", "état"):
        t.add_column(col)
    for lot in liste:
        t.add_row(
            str(lot.id),
            brut(lot.fichier),
            brut(lot.format),
            lot.debut.strftime("%d/%m/%Y %H:%M"),
            brut(lot.auteur),
            str(lot.crees),
            str(lot.mis_a_jour),
            str(lot.rejetees),
            "annulé" if lot.annule else "actif",
        )
    console.print(t)


@app.command("annuler-lot")
def annuler_lot(lot_id: int, store: OptionDepot = None, auteur: AuteurOpt = None) -> None:
    """Annuler un lot d'import entier (refusé si un acteur a été modifié depuis)."""
    try:
        with ouvrir(store) as depot:
            lot = depot.annuler_lot(lot_id, config.auteur(auteur))
    except (ErreurEcosysteme, OSError) as exc:
        raise echec(exc) from exc
    console.print(f"Lot n° {lot.id} ({brut(lot.fichier)}) annulé.")
