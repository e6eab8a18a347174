"""The store's interface (DESIGN §2): what every backend offers, whatever it writes to.

``Depot`` is a :class:`typing.Protocol`: the GeoPackage backend (:mod:`.gpkg`) implements it
today and a PostGIS backend will implement it later, under the same tests. The small frozen
dataclasses ``Lot`` (one import batch) and ``EntreeHistorique`` (one audit entry) travel out of
the store; actors travel as :class:`~ecosysteme.domaine.modeles.Acteur`, territories as GeoDataFrames in
EPSG:4326 with string codes.

Rules every backend keeps:

- every write is one transaction, journaled inside that same transaction, with an ``auteur``;
- ``Acteur.version`` is the optimistic lock: a write carries the version its editor read and is
  refused with :class:`~ecosysteme.domaine.erreurs.ConflitDeVersion` if the stored one differs; each
  successful write stores version + 1 (versions never go back, undo included);
- the journal's ``avant`` / ``apres`` are ``Acteur.model_dump(mode="json")`` dictionaries
  (``version`` included), or ``None`` where the actor did not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import geopandas as gpd

from ecosysteme.domaine.modeles import LECTURE, Acteur, Categorie, Statut

#: (min longitude, min latitude, max longitude, max latitude), EPSG:4326, bounds included.
BBox = tuple[float, float, float, float]
#: A code filter: one code, several codes (any of them), or no filter.
Codes = str | Sequence[str] | None


class Action(StrEnum):
    """What an audit entry records."""

    AJOUT = "ajout"
    MODIFICATION = "modification"
    FERMETURE = "fermeture"
    REOUVERTURE = "reouverture"
    SUPPRESSION = "suppression"
    IMPORT = "import"
    ANNULATION = "annulation"
    FUSION = "fusion"


@dataclass(frozen=True)
class Lot:
    """One import batch: a file read into the store in one transaction."""

    id: int
    fichier: str
    format: str
    sha256: str
    auteur: str
    debut: dt.datetime
    fin: dt.datetime | None
    lignes_lues: int
    acceptees: int
    rejetees: int
    #: Actors the batch created / updated / found identical (left untouched).
    crees: int
    mis_a_jour: int
    inchanges: int
    rapport: dict[str, Any] = field(default_factory=dict)
    annule_le: dt.datetime | None = None
    annule_par: str | None = None

    @property
    def annule(self) -> bool:
        return self.annule_le is not None


@dataclass(frozen=True)
class EntreeHistorique:
    """One audit entry: who did what to which actor, with the states before and after."""

    id: int
    horodatage: dt.datetime
    auteur: str
    action: Action
    acteur_id: str | None
    lot_id: int | None
    avant: dict[str, Any] | None
    apres: dict[str, Any] | None

    def acteur_avant(self) -> Acteur | None:
        """The state before the change, as a validated ``Acteur`` (``None``: it did not exist)."""
        return None if self.avant is None else Acteur.model_validate(self.avant, context=LECTURE)

    def acteur_apres(self) -> Acteur | None:
        """The state after the change (``None``: it no longer existed)."""
        return None if self.apres is None else Acteur.model_validate(self.apres, context=LECTURE)


@runtime_checkable
class Depot(Protocol):
    """The repository of territories, actors, import batches and their journal.

    A runtime-checkable :class:`typing.Protocol`: what every backend offers, whatever it writes
    to. :func:`~ecosysteme.depot.ouvrir_depot` opens the GeoPackage one
    (:class:`~ecosysteme.depot.geopackage.DepotGeoPackage`); a PostGIS one will follow, under
    the same tests. Territories (``qpv``, ``communes``, ``epci``) travel as GeoDataFrames in
    EPSG:4326 with string codes, actors as :class:`~ecosysteme.domaine.modeles.Acteur`, import
    batches as :class:`Lot`, audit entries as :class:`EntreeHistorique`.

    Every write is one transaction, journaled inside that same transaction with its ``auteur``.
    ``Acteur.version`` is the optimistic lock: a write carries the version its editor read and
    is refused with :class:`~ecosysteme.domaine.erreurs.ConflitDeVersion` if the stored one
    differs; each successful write stores version + 1. Use a store as a context manager, or
    call :meth:`close`.
    """

    # --- resource -------------------------------------------------------------------------
    def close(self) -> None:
        """Release the connection (the object can no longer be used)."""

    def __enter__(self) -> Depot: ...

    def __exit__(self, *exc: object) -> None: ...

    # --- territories ----------------------------------------------------------------------
    def remplacer_qpv(self, gdf: gpd.GeoDataFrame, auteur: str, source: str | None = None) -> int:
        """Replace every QPV by those of ``gdf`` (EPSG:4326) in one transaction; rows written."""
        ...

    def remplacer_communes(self, gdf: gpd.GeoDataFrame, auteur: str, source: str | None = None) -> int:
        """Replace every commune by those of ``gdf`` (EPSG:4326) in one transaction."""
        ...

    def remplacer_epci(self, gdf: gpd.GeoDataFrame, auteur: str, source: str | None = None) -> int:
        """Replace every EPCI by those of ``gdf`` (EPSG:4326) in one transaction."""
        ...

    def definir_populations(
        self, populations: Mapping[str, int | None], auteur: str, source: str | None = None
    ) -> list[str]:
        """Set ``population`` of the stored QPV by ``code_qp`` in one transaction.

        Returns the codes absent from the store (sorted), which are left aside.
        """
        ...

    def etat_territoire(self) -> dict[str, dict[str, str]]:
        """Per territory layer: when (``le``), by whom (``par``), from which ``source`` and how
        many rows (``lignes``) it was last written."""
        ...

    def qpv(
        self, siren_epci: Codes = None, insee_dep: Codes = None, insee_reg: Codes = None
    ) -> gpd.GeoDataFrame:
        """QPV (MultiPolygon, EPSG:4326), filtered by the codes given."""
        ...

    def communes(
        self, siren_epci: Codes = None, insee_dep: Codes = None, insee_reg: Codes = None
    ) -> gpd.GeoDataFrame:
        """Communes (MultiPolygon or empty geometry, EPSG:4326), filtered by the codes given."""
        ...

    def epci(self, siren_epci: Codes = None) -> gpd.GeoDataFrame:
        """EPCI (MultiPolygon, EPSG:4326)."""
        ...

    # --- actors ---------------------------------------------------------------------------
    def ajouter(self, acteur: Acteur, auteur: str) -> Acteur:
        """Store a new actor with version 1; an identifier already stored is refused."""
        ...

    def obtenir(self, acteur_id: str) -> Acteur:
        """The stored actor (validated); :class:`Introuvable` if absent."""
        ...

    def modifier(self, acteur: Acteur, auteur: str) -> Acteur:
        """Save ``acteur`` whose ``version`` is the one its editor read; returns the stored state."""
        ...

    def fermer(self, acteur_id: str, version: int, auteur: str) -> Acteur:
        """Mark the actor closed (kept in the store)."""
        ...

    def rouvrir(self, acteur_id: str, version: int, auteur: str) -> Acteur:
        """Mark a closed actor active again."""
        ...

    def supprimer(self, acteur_id: str, version: int, auteur: str) -> None:
        """Remove the actor (its history stays in the journal)."""
        ...

    def lister(
        self,
        siren_epci: Codes = None,
        bbox: BBox | None = None,
        categorie: Categorie | str | None = None,
        service: str | None = None,
        statut: Statut | str | None = None,
        code_insee: str | None = None,
        inclure_fermes: bool = True,
    ) -> list[Acteur]:
        """Actors matching every filter given, ordered by identifier."""
        ...

    def acteurs_gdf(
        self,
        siren_epci: Codes = None,
        bbox: BBox | None = None,
        categorie: Categorie | str | None = None,
        service: str | None = None,
        statut: Statut | str | None = None,
        code_insee: str | None = None,
        inclure_fermes: bool = True,
    ) -> gpd.GeoDataFrame:
        """The same actors as a GeoDataFrame (Point, EPSG:4326; list columns hold lists)."""
        ...

    def compter(self, *, inclure_fermes: bool = True) -> int:
        """Number of stored actors."""
        ...

    # --- import batches -------------------------------------------------------------------
    def importer_lot(
        self,
        acteurs: Sequence[Acteur],
        *,
        fichier: str,
        format: str,
        sha256: str,
        auteur: str,
        rapport: dict[str, Any],
        lignes_lues: int | None = None,
        rejetees: int | None = None,
    ) -> Lot:
        """Upsert a batch of actors in one transaction, each change journaled with the lot."""
        ...

    def simuler_lot(self, acteurs: Sequence[Acteur]) -> tuple[int, int, int]:
        """(created, updated, unchanged) if the batch were imported now; nothing written."""
        ...

    def annuler_lot(self, lot_id: int, auteur: str) -> Lot:
        """Undo a batch in one transaction, refused if one of its actors changed since."""
        ...

    def lots(self) -> list[Lot]:
        """Every import batch, newest first."""
        ...

    # --- history --------------------------------------------------------------------------
    def historique(self, acteur_id: str) -> list[EntreeHistorique]:
        """The audit entries of one actor, newest first."""
        ...

    def annuler_derniere_modification(self, acteur_id: str, auteur: str) -> Acteur | None:
        """Restore the state before the actor's last journaled change (``None``: it is removed)."""
        ...

    def fermer_plusieurs(self, acteurs: Mapping[str, int], auteur: str) -> int:
        """Close several actors (id → version read) in one transaction; how many were closed."""
        ...

    # --- duplicates -------------------------------------------------------------------------
    def fusionner(self, garde: Acteur, absorbes: Mapping[str, int], auteur: str) -> Acteur:
        """Save the kept actor and remove the absorbed ones (id → version read), in one transaction."""
        ...

    def fusions(self) -> dict[str, str]:
        """Absorbed actor identifier → identifier of the actor kept in its place."""
        ...

    def marquer_non_doublon(self, id_a: str, id_b: str, auteur: str) -> None:
        """Remember that two actors are not the same place."""
        ...

    def non_doublons(self) -> set[tuple[str, str]]:
        """Pairs (smaller id, larger id) marked « pas un doublon »."""
        ...

    # --- scenarios ----------------------------------------------------------------------------
    def enregistrer_scenario(self, nom: str, contenu: str, auteur: str) -> None:
        """Save (or replace) a named scenario (JSON)."""
        ...

    def scenarios(self) -> list[tuple[str, str, str, dt.datetime]]:
        """Saved scenarios: (name, JSON, author, saved at), newest first."""
        ...

    def supprimer_scenario(self, nom: str) -> None:
        """Forget a saved scenario."""
        ...

    # --- import wizard ------------------------------------------------------------------------
    def correspondance(self, source: str) -> dict[str, str] | None:
        """The column mapping remembered for a source (standard field → column)."""
        ...

    def memoriser_correspondance(self, source: str, correspondance: Mapping[str, str], auteur: str) -> None:
        """Remember the column mapping of a source."""
        ...
