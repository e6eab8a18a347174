"""ecosysteme: digital-inclusion actors around the priority neighbourhoods (QPV) of French EPCI.

The main entry points for an analyst (a notebook, a script), importable from the package itself;
each is loaded on first use, so that ``import ecosysteme`` stays light. See ``docs/api.md``::

    import ecosysteme as eco

    with eco.ouvrir_depot("data/ecosysteme.gpkg") as depot:
        qpv = depot.qpv(siren_epci="200043396")
        acteurs = depot.acteurs_gdf()
    couv = eco.couverture(qpv, acteurs, eco.Parametres(filtres=(eco.filtre("tous"),)))

Every error is an :class:`ErreurEcosysteme` (French message, with the file, row and field where
known) and also the built-in exception it means (``ValueError``, ``LookupError``, ``OSError``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ecosysteme.domaine.config import VERSION

__version__ = VERSION

#: Public name → module that defines it (loaded lazily by :func:`__getattr__`).
_OU: dict[str, str] = {
    # the store
    "ouvrir_depot": "ecosysteme.depot",
    "Depot": "ecosysteme.depot",
    # choosing a territory
    "Selection": "ecosysteme.analyse.selection",
    "filtrer": "ecosysteme.analyse.selection",
    "rattacher": "ecosysteme.analyse.resume",
    # coverage and gaps
    "Parametres": "ecosysteme.analyse.couverture",
    "Filtre": "ecosysteme.analyse.couverture",
    "couverture": "ecosysteme.analyse.couverture",
    "filtre": "ecosysteme.analyse.couverture",
    "tous_les_filtres": "ecosysteme.analyse.couverture",
    "matrice": "ecosysteme.analyse.lacunes",
    "qpv_sans_offre": "ecosysteme.analyse.lacunes",
    "resume_couverture": "ecosysteme.analyse.lacunes",
    # the lieu totem
    "implanter": "ecosysteme.analyse.totem",
    "totem_epci": "ecosysteme.analyse.totem",
    # maps and exports
    "carte_couverture": "ecosysteme.cartes.construire",
    "carte_epci": "ecosysteme.exports.cartes",
    "fiche_territoire": "ecosysteme.exports.fiche",
    "ecrire_tableau": "ecosysteme.exports.tableaux",
    "exporter_standard": "ecosysteme.exports.standard",
    # errors
    "ErreurEcosysteme": "ecosysteme.domaine.erreurs",
    "FichierInvalide": "ecosysteme.domaine.erreurs",
    "DonneeInvalide": "ecosysteme.domaine.erreurs",
    "Introuvable": "ecosysteme.domaine.erreurs",
    "DepotInvalide": "ecosysteme.domaine.erreurs",
}

__all__ = [
    "Depot",
    "DepotInvalide",
    "DonneeInvalide",
    "ErreurEcosysteme",
    "FichierInvalide",
    "Filtre",
    "Introuvable",
    "Parametres",
    "Selection",
    "carte_couverture",
    "carte_epci",
    "couverture",
    "ecrire_tableau",
    "exporter_standard",
    "fiche_territoire",
    "filtre",
    "filtrer",
    "implanter",
    "matrice",
    "ouvrir_depot",
    "qpv_sans_offre",
    "rattacher",
    "resume_couverture",
    "totem_epci",
    "tous_les_filtres",
]


def __getattr__(nom: str) -> Any:
    """Load a public name on first use (PEP 562)."""
    module = _OU.get(nom)
    if module is None:
        raise AttributeError(f"module 'ecosysteme' has no attribute {nom!r}")
    valeur = getattr(import_module(module), nom)
    globals()[nom] = valeur
    return valeur


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # the names as the type checker and the editors see them
    from ecosysteme.analyse.couverture import Filtre, Parametres, couverture, filtre, tous_les_filtres
    from ecosysteme.analyse.lacunes import matrice, qpv_sans_offre, resume_couverture
    from ecosysteme.analyse.resume import rattacher
    from ecosysteme.analyse.selection import Selection, filtrer
    from ecosysteme.analyse.totem import implanter, totem_epci
    from ecosysteme.cartes.construire import carte_couverture
    from ecosysteme.depot import Depot, ouvrir_depot
    from ecosysteme.domaine.erreurs import (
        DepotInvalide,
        DonneeInvalide,
        ErreurEcosysteme,
        FichierInvalide,
        Introuvable,
    )
    from ecosysteme.exports.cartes import carte_epci
    from ecosysteme.exports.fiche import fiche_territoire
    from ecosysteme.exports.standard import exporter_standard
    from ecosysteme.exports.tableaux import ecrire_tableau
