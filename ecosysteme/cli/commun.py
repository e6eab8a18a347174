"""What every command shares: the Typer application, the two consoles (data printed as plain
text), the common options, the French error exit and opening the store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from ecosysteme.domaine import config
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.validation import sans_controles

if TYPE_CHECKING:
    from ecosysteme.depot import Depot


#: The commands in the order the help lists them (the order a newcomer uses them).
ORDRE_COMMANDES = (
    "init",
    "telecharger",
    "importer",
    "preparer",
    "stats",
    "couverture",
    "totem",
    "exporter",
    "lots",
    "annuler-lot",
    "copier-depot",
    "sauvegarder",
    "restaurer",
    "lancer",
)


class _Commandes(TyperGroup):
    """The command group, listing its commands in :data:`ORDRE_COMMANDES` (then any other)."""

    def list_commands(self, ctx: Any) -> list[str]:
        rang = {nom: i for i, nom in enumerate(ORDRE_COMMANDES)}
        return sorted(super().list_commands(ctx), key=lambda nom: (rang.get(nom, len(rang)), nom))


app = typer.Typer(
    name="ecosysteme",
    cls=_Commandes,
    help="Inclusion numérique autour des quartiers prioritaires (QPV) : données, couverture, carte.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(width=None if sys.stdout.isatty() else 200, emoji=False)
erreurs = Console(stderr=True, emoji=False)


def brut(texte: object) -> str:
    """A text from the data or the user, printed as it is through Rich: invisible characters
    (terminal escape sequences, bidirectional overrides…) removed, Rich markup escaped (``[/]``
    in a value made Rich fail after the data was stored)."""
    return escape(sans_controles(str(texte)))


OptionDepot = Annotated[
    str | None,
    typer.Option(
        "--store",
        help=(
            "Le dépôt : un fichier GeoPackage, ou une base PostgreSQL/PostGIS "
            f"postgresql://utilisateur@hôte:port/base (défaut : ${config.ENV_STORE} ou data/ecosysteme.gpkg)."
        ),
    ),
]
AuteurOpt = Annotated[str | None, typer.Option("--auteur", help="Nom inscrit au journal des modifications.")]
RegionOpt = Annotated[str, typer.Option("--region", help="Code INSEE de la région (32 : Hauts-de-France).")]
MiroirOpt = Annotated[
    str | None,
    typer.Option(
        "--miroir",
        help=f"Dossier local ou URL de base remplaçant les sources officielles (${config.ENV_MIROIR}).",
    ),
]


def milliers(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def echec(exc: ErreurEcosysteme | OSError) -> typer.Exit:
    msg = (
        exc.message
        if isinstance(exc, ErreurEcosysteme)
        else f"{exc.strerror or exc} ({getattr(exc, 'filename', '')})"
    )
    if isinstance(exc, ErreurEcosysteme) and str(exc.emplacement):
        msg = f"{exc.emplacement} : {msg}"
    erreurs.print(f"[bold red]Erreur :[/] {brut(msg)}", highlight=False)
    return typer.Exit(code=1)


def ouvrir(store: str | Path | None, creer: bool = False) -> Depot:
    from ecosysteme.depot import ouvrir_depot

    chemin = config.adresse_depot(store)
    if isinstance(chemin, str):  # a PostgreSQL database: the server says whether it is there
        return ouvrir_depot(chemin, creer=creer)
    if not creer and not chemin.exists():
        raise ErreurEcosysteme(
            f"le dépôt « {chemin} » n'existe pas encore : lancez `ecosysteme init` (ou `make run`)."
        )
    chemin.parent.mkdir(parents=True, exist_ok=True)
    return ouvrir_depot(chemin, creer=creer)


def nom_depot(store: str | Path | None) -> str:
    """The store as shown to the user (a database address without its password)."""
    adresse = config.adresse_depot(store)
    if isinstance(adresse, str):
        from ecosysteme.depot.postgis.connexion import adresse_lisible

        return adresse_lisible(adresse)
    return str(adresse)
