"""The lancer command: the app on this machine only."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from ecosysteme.cli.commun import (
    MiroirOpt,
    OptionDepot,
    RegionOpt,
    app,
    brut,
    console,
    echec,
    erreurs,
)
from ecosysteme.cli.donnees import preparer_depot
from ecosysteme.domaine import config
from ecosysteme.domaine.erreurs import ErreurEcosysteme, TelechargementImpossible

if TYPE_CHECKING:
    pass


@app.command()
def lancer(
    port: Annotated[int, typer.Option("--port", help="Port HTTP de l'application.")] = 8501,
    adresse: Annotated[str, typer.Option("--adresse", help="Adresse d'écoute.")] = "127.0.0.1",
    preparer_donnees: Annotated[
        bool, typer.Option("--preparer/--sans-preparer", help="Construire le dépôt d'abord s'il est vide.")
    ] = False,
    miroir: MiroirOpt = None,
    region: RegionOpt = config.REGION_PAR_DEFAUT,
    store: OptionDepot = None,
) -> None:
    """Démarrer l'application (tableau de bord dans le navigateur), sur cette machine seulement."""
    refus = config.refus_adresse(adresse)
    if refus is not None:
        raise echec(ErreurEcosysteme(refus))
    chemin = config.adresse_depot(store)
    if preparer_donnees:
        try:
            preparer_depot(store=chemin, miroir=miroir, region=region, auteur=config.auteur(None))
        except TelechargementImpossible as exc:
            erreurs.print(f"[yellow]Données non téléchargées :[/] {brut(exc.message)}", highlight=False)
            erreurs.print(
                "L'application démarre quand même : importez vos fichiers avec "
                "`ecosysteme importer FICHIER` ou depuis la page « Import »."
            )
        except (ErreurEcosysteme, OSError) as exc:
            raise echec(exc) from exc
    env = {**os.environ, config.ENV_STORE: chemin if isinstance(chemin, str) else str(chemin.resolve())}
    app_py = config.PROJECT_ROOT / "app.py"
    cmd = [
        sys.executable,
        "-m",
        "ecosysteme.ui.serveur",  # `streamlit run` with a warm-up of the caches
        str(app_py),
        "--server.port",
        str(port),
        "--server.address",
        adresse,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    console.print(f"Application : http://{adresse}:{port}")
    raise typer.Exit(code=subprocess.call(cmd, env=env, cwd=config.PROJECT_ROOT))
