"""The store: territories, actors, import batches and their journal (DESIGN §2).

``ouvrir_depot(path)`` opens the GeoPackage store (``creer=True`` to create it); every backend
implements the :class:`Depot` protocol.
"""

from ecosysteme.store.base import (
    ActeurExisteDeja,
    Action,
    AnnulationImpossible,
    BBox,
    Codes,
    CoucheInvalide,
    Depot,
    DepotOccupe,
    EntreeHistorique,
    Lot,
)
from ecosysteme.store.gpkg import DepotGeoPackage, ouvrir_depot

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
