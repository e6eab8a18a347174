"""The ``ecosysteme`` command: French words, exit code 0 on success, a clear message otherwise.

One module per family of commands (``donnees``: the store; ``analyses``: coverage, lieu totem;
``exports``; ``partage``: copy, back up and restore a store; ``serveur``: the app), each
registering its commands on the one Typer application of ``commun``.
"""

from __future__ import annotations

from ecosysteme.cli import analyses, donnees, exports, partage, serveur
from ecosysteme.cli.commun import app
from ecosysteme.cli.donnees import preparer_depot

__all__ = ["analyses", "app", "donnees", "exports", "main", "partage", "preparer_depot", "serveur"]


def main() -> None:
    app()


if __name__ == "__main__":
    main()
