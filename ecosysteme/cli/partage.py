"""Commands of the shared store: copy a store between a GeoPackage and PostGIS, back up, restore."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ecosysteme.cli.commun import OptionDepot, app, brut, console, echec, nom_depot
from ecosysteme.domaine.erreurs import ErreurEcosysteme

if TYPE_CHECKING:
    from ecosysteme.depot.sql.copie import Controle

ADRESSE = "un fichier GeoPackage, ou une base postgresql://utilisateur@hôte:port/base"


def _afficher(controles: list[Controle], titre: str) -> None:
    from rich.table import Table

    tableau = Table(title=titre)
    for colonne in ("table", "lignes", "somme de contrôle (SHA-256)", ""):
        tableau.add_column(colonne)
    for c in controles:
        tableau.add_row(
            c.table,
            str(c.lignes_destination),
            c.somme_destination[:16] + "…",
            "identique" if c.identique else "DIFFÉRENTE",
        )
    console.print(tableau)


@app.command("copier-depot")
def copier_depot(
    source: Annotated[str, typer.Argument(help=f"Le dépôt à copier : {ADRESSE}.")],
    destination: Annotated[str, typer.Argument(help=f"Le dépôt neuf (ou vide) où copier : {ADRESSE}.")],
) -> None:
    """Copier tout un dépôt (acteurs, territoires, journal, lots, fusions, scénarios…) vers un autre,
    GeoPackage ou PostGIS, puis vérifier chaque table (lignes et somme de contrôle)."""
    from ecosysteme.depot.sauvegarde import copier_depot as copier

    try:
        controles = copier(source, destination)
    except (ErreurEcosysteme, OSError) as exc:
        raise echec(exc) from exc
    _afficher(controles, f"{brut(nom_depot(source))} → {brut(nom_depot(destination))}")
    console.print(f"Copie vérifiée : {len(controles)} tables identiques.")


@app.command()
def sauvegarder(
    fichier: Annotated[Path, typer.Argument(help="Le fichier de sauvegarde (GeoPackage) à écrire.")],
    store: OptionDepot = None,
) -> None:
    """Sauvegarder le dépôt dans un fichier GeoPackage (lisible par QGIS, restaurable partout)."""
    from ecosysteme.depot.sauvegarde import sauvegarder as sauver

    try:
        controles = sauver(store, fichier)
    except (ErreurEcosysteme, OSError) as exc:
        raise echec(exc) from exc
    _afficher(controles, f"Sauvegarde de {brut(nom_depot(store))}")
    console.print(f"Sauvegarde écrite : {brut(fichier)}")


@app.command()
def restaurer(
    fichier: Annotated[Path, typer.Argument(help="Le fichier de sauvegarde (GeoPackage) à restaurer.")],
    store: OptionDepot = None,
) -> None:
    """Remplacer tout le contenu du dépôt par une sauvegarde (en une transaction : tout ou rien)."""
    from ecosysteme.depot.sauvegarde import restaurer as restaurer_depot

    try:
        controles = restaurer_depot(fichier, store)
    except (ErreurEcosysteme, OSError) as exc:
        raise echec(exc) from exc
    _afficher(controles, f"Restauration dans {brut(nom_depot(store))}")
    console.print(f"Dépôt restauré depuis {brut(fichier)}.")
