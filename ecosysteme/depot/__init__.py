"""The store: territories, actors, import batches and their journal (DESIGN §2).

``ouvrir_depot(adresse)`` opens the store — a GeoPackage file, or a PostgreSQL database with
PostGIS (``postgresql://…``) — (``creer=True`` to create it); every backend implements the
:class:`Depot` protocol.
"""

from ecosysteme.depot.geopackage import DepotGeoPackage
from ecosysteme.depot.interface import Action, BBox, Codes, Depot, EntreeHistorique, Lot
from ecosysteme.depot.ouverture import ouvrir_depot, version_depot
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
    "version_depot",
]
