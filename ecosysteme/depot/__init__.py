"""The store: territories, actors, import batches and their journal (DESIGN §2).

``ouvrir_depot(path)`` opens the GeoPackage store (``creer=True`` to create it); every backend
implements the :class:`Depot` protocol.
"""

from ecosysteme.depot.geopackage import DepotGeoPackage, ouvrir_depot
from ecosysteme.depot.interface import Action, BBox, Codes, Depot, EntreeHistorique, Lot
from ecosysteme.domaine.erreurs import ActeurExisteDeja, AnnulationImpossible, CoucheInvalide, DepotOccupe

__all__ = [
    "Action",
    "ActeurExisteDeja",
    "AnnulationImpossible",
    "BBox",
    "Codes",
    "CoucheInvalide",
    "Depot",
    "DepotGeoPackage",
    "DepotOccupe",
    "EntreeHistorique",
    "Lot",
    "ouvrir_depot",
]
