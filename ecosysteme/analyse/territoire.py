"""A territory read once: QPV, communes, EPCI and actors, with its coverage computed lazily.

One :class:`Territoire` is made per (territory, store version) — :meth:`Territoire.lire` from a
store, :meth:`Territoire.depuis_cadres` from frames — and handed to the pages, the exports, the
fiche, the atlas and the lieu totem instead of each of them re-reading the store. Every actor of
the store is read (``tous``): a place just across the territory's boundary serves its QPV. What
is derived is computed on first use and kept: the actors attached to the communes
(:attr:`~Territoire.acteurs`, :func:`ecosysteme.analyse.resume.rattacher`), the active ones
(:attr:`~Territoire.actifs`), those of the EPCI (:meth:`~Territoire.acteurs_epci`, the store's
rule: their point or one of their stops covered by the EPCI's polygon), those within a box
(:meth:`~Territoire.acteurs_dans`) and the coverage per set of parameters
(:meth:`~Territoire.couverture`; a table already computed with the same distances and threshold
answers any subset of its filters). Frames are shared, never modified: select rows (new frames).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ecosysteme.analyse import couverture as module_couverture
from ecosysteme.analyse.couverture import Parametres
from ecosysteme.analyse.resume import rattacher, sirens
from ecosysteme.depot.interface import Codes, Depot, Lot
from ecosysteme.domaine.erreurs import ErreurEcosysteme

FERME = "fermé"


def _codes(valeur: Codes) -> list[str]:
    return [] if valeur is None else [valeur] if isinstance(valeur, str) else [str(v) for v in valeur]


def _points_et_proprietaires(acteurs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lon, lat, row) of each actor's own point and of each of its stops (as the store does)."""
    lon = pd.to_numeric(acteurs["longitude"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(acteurs["latitude"], errors="coerce").to_numpy(dtype=float)
    propres = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    xs, ys, rangs = [lon[propres]], [lat[propres]], [propres]
    if "arrets" in acteurs.columns:
        ax: list[float] = []
        ay: list[float] = []
        ar: list[int] = []
        for i, arrets in enumerate(acteurs["arrets"].tolist()):
            for arret in arrets if isinstance(arrets, list | tuple) else ():
                ax.append(float(arret["longitude"]))
                ay.append(float(arret["latitude"]))
                ar.append(i)
        xs.append(np.asarray(ax, dtype=float))
        ys.append(np.asarray(ay, dtype=float))
        rangs.append(np.asarray(ar, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(rangs).astype(np.int64)


def dans_la_zone(acteurs: gpd.GeoDataFrame, zone: Any) -> gpd.GeoDataFrame:
    """The actors whose own point or one of whose stops is covered by ``zone`` (edges included),
    in their order: the rule of the store's ``acteurs_gdf(siren_epci=…, bbox=…)``."""
    if acteurs.empty or zone is None or shapely.is_empty(zone):
        return acteurs.iloc[0:0]
    x, y, rangs = _points_et_proprietaires(acteurs)
    shapely.prepare(zone)
    dedans = shapely.covers(zone, shapely.points(x, y)) if len(x) else np.zeros(0, dtype=bool)
    garde = np.zeros(len(acteurs), dtype=bool)
    garde[rangs[dedans]] = True
    return acteurs[garde].reset_index(drop=True)


@dataclass(eq=False)
class Territoire:
    """QPV, communes and EPCI of a territory, every actor of the store, its import batches and
    the state of its layers; derived frames and coverage tables computed once, on first use."""

    qpv: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    #: Every actor read from the store (closed ones included), EPSG:4326, in identifier order.
    tous: gpd.GeoDataFrame
    lots: tuple[Lot, ...] = ()
    etat: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: The EPCI the territory was read for (empty: a département, a région or the whole store).
    siren_epci: tuple[str, ...] = ()
    #: The départements and régions it was read for (empty with the two: EPCI or whole store).
    insee_dep: tuple[str, ...] = ()
    insee_reg: tuple[str, ...] = ()
    #: Store-wide: the saved scenarios (name, content, author, date) and the pairs of actors
    #: marked « pas un doublon ».
    scenarios: tuple[tuple[str, str, str, dt.datetime], ...] = ()
    non_doublons: frozenset[tuple[str, str]] = frozenset()
    _couvertures: dict[Parametres, pd.DataFrame] = field(default_factory=dict, init=False, repr=False)
    _par_epci: dict[tuple[str, ...], gpd.GeoDataFrame] = field(default_factory=dict, init=False, repr=False)
    _parties: dict[tuple[tuple[str, ...] | None, tuple[str, ...] | None], Territoire] = field(
        default_factory=dict, init=False, repr=False
    )
    _verrou: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def lire(
        cls, depot: Depot, *, siren_epci: Codes = None, insee_dep: Codes = None, insee_reg: Codes = None
    ) -> Territoire:
        """Read a territory (one EPCI or several, a département, a région; nothing: the whole
        store) from ``depot``: each layer once, every actor once."""
        epci = depot.epci(siren_epci) if siren_epci is not None else depot.epci()
        qpv = depot.qpv(siren_epci=siren_epci, insee_dep=insee_dep, insee_reg=insee_reg)
        communes = depot.communes(siren_epci=siren_epci, insee_dep=insee_dep, insee_reg=insee_reg)
        return cls(
            qpv=qpv,
            communes=communes,
            epci=epci,
            tous=depot.acteurs_gdf(),
            lots=tuple(depot.lots()),
            etat=depot.etat_territoire(),
            siren_epci=tuple(_codes(siren_epci)),
            insee_dep=tuple(_codes(insee_dep)),
            insee_reg=tuple(_codes(insee_reg)),
            scenarios=tuple(depot.scenarios()),
            non_doublons=frozenset(depot.non_doublons()),
        )

    @classmethod
    def depuis_cadres(
        cls,
        qpv: gpd.GeoDataFrame,
        communes: gpd.GeoDataFrame,
        epci: gpd.GeoDataFrame,
        acteurs: gpd.GeoDataFrame,
        *,
        lots: Sequence[Lot] = (),
        siren_epci: Codes = None,
    ) -> Territoire:
        """A territory from frames already in memory (EPSG:4326)."""
        return cls(qpv, communes, epci, acteurs, lots=tuple(lots), siren_epci=tuple(_codes(siren_epci)))

    def partie(self, *, siren_epci: Codes = None, insee_dep: Codes = None) -> Territoire:
        """The part of this territory that :meth:`lire` would read for ``siren_epci`` or
        ``insee_dep``, without reading the store again: its QPV (a QPV straddling EPCI belongs
        to each), communes and EPCI rows; every actor, batch and store-wide state shared; the
        coverage tables already computed here reused for its QPV. Made once per selection."""
        epci, deps = tuple(_codes(siren_epci)), tuple(_codes(insee_dep))
        if insee_dep is None and (siren_epci is None or epci == self.siren_epci):
            return self
        entier = not (self.siren_epci or self.insee_dep or self.insee_reg)
        if not entier and (insee_dep is not None or not set(epci) <= set(self.siren_epci)):
            raise ErreurEcosysteme(
                f"territoire « {self.nom or ', '.join(self.insee_dep + self.insee_reg)} » : "
                f"la partie demandée ({', '.join(epci + deps)}) n'y est pas entière ; relisez le dépôt."
            )
        cle = (None if siren_epci is None else epci, None if insee_dep is None else deps)
        with self._verrou:
            deja = self._parties.get(cle)
        if deja is not None:
            return deja
        qpv, communes, lignes_epci = self.qpv, self.communes, self.epci
        if siren_epci is not None:
            voulus = set(epci)
            qpv = qpv[np.array([bool(voulus.intersection(sirens(v))) for v in qpv["siren_epci"]], dtype=bool)]
            communes = communes[communes["siren_epci"].isin(voulus)]
            lignes_epci = lignes_epci[lignes_epci["siren_epci"].isin(voulus)]
        if insee_dep is not None:
            qpv = qpv[qpv["insee_dep"].isin(deps)]
            communes = communes[communes["insee_dep"].isin(deps)]
        partie = Territoire(
            qpv.reset_index(drop=True),
            communes.reset_index(drop=True),
            lignes_epci.reset_index(drop=True),
            self.tous,
            lots=self.lots,
            etat=self.etat,
            siren_epci=epci,
            insee_dep=deps,
            scenarios=self.scenarios,
            non_doublons=self.non_doublons,
        )
        codes = set(partie.qpv["code_qp"])
        with self._verrou:
            for p, table in self._couvertures.items():
                partie._couvertures[p] = table[table["code_qp"].isin(codes)].reset_index(drop=True)
            return self._parties.setdefault(cle, partie)

    # --- what the territory is ---------------------------------------------------------------
    @property
    def nom(self) -> str:
        """The EPCI's name (its SIREN when unnamed), or the names joined."""
        if self.epci.empty or "nom_epci" not in self.epci.columns:
            return ", ".join(self.siren_epci)
        return ", ".join(str(n) for n in self.epci["nom_epci"])

    def exiger_epci(self) -> None:
        """Refuse, in French, an EPCI absent from the store."""
        if self.epci.empty:
            siren = ", ".join(self.siren_epci)
            raise ErreurEcosysteme(f"EPCI « {siren} » absent du dépôt (SIREN exact ? territoire importé ?).")

    @cached_property
    def tableau_lots(self) -> pd.DataFrame:
        """The import batches as a table (one row each, French column names)."""
        return pd.DataFrame(
            [
                {
                    "n°": lot.id,
                    "fichier": lot.fichier,
                    "format": lot.format,
                    "importé le": lot.debut,
                    "auteur": lot.auteur,
                    "créés": lot.crees,
                    "mis à jour": lot.mis_a_jour,
                    "rejetées": lot.rejetees,
                    "annulé": lot.annule,
                }
                for lot in self.lots
            ]
        )

    # --- actors ------------------------------------------------------------------------------
    @cached_property
    def acteurs(self) -> gpd.GeoDataFrame:
        """Every actor attached to the territory's communes (``commune_geo``, ``epci_geo``…)."""
        return rattacher(self.tous, self.communes)

    @cached_property
    def actifs(self) -> gpd.GeoDataFrame:
        """Every actor of the store that is not closed."""
        if "statut" not in self.tous.columns:
            return self.tous
        return self.tous[self.tous["statut"] != FERME]

    def acteurs_epci(self, siren_epci: Codes = None) -> gpd.GeoDataFrame:
        """The actors (closed included) whose point or a stop lies in the EPCI (default: the
        territory's), by its polygon, as ``Depot.acteurs_gdf(siren_epci=…)``."""
        voulus = _codes(siren_epci) or list(self.siren_epci)
        cle = tuple(sorted(voulus))
        with self._verrou:
            memo = self._par_epci
            if cle not in memo:
                lignes = self.epci[self.epci["siren_epci"].isin(voulus)]
                absents = sorted(set(voulus) - set(lignes["siren_epci"]))
                if absents:
                    raise ErreurEcosysteme(
                        f"EPCI {', '.join(absents)} absent(s) de la couche « epci » du dépôt."
                    )
                geoms = [g for g in lignes.geometry if g is not None]
                zone = shapely.union_all(geoms) if geoms else shapely.Polygon()
                memo[cle] = dans_la_zone(self.tous, zone)
            return memo[cle]

    def acteurs_dans(self, bbox: tuple[float, float, float, float]) -> gpd.GeoDataFrame:
        """The actors (closed included) whose point or a stop lies in the box (lon/lat min, max)."""
        return dans_la_zone(self.tous, shapely.box(*(float(v) for v in bbox)))

    # --- coverage ----------------------------------------------------------------------------
    def couverture(self, parametres: Parametres | None = None) -> pd.DataFrame:
        """The tidy coverage table of the territory's QPV against every actor of the store,
        computed once per parameters; a table computed with the same distances and threshold
        answers a subset of its filters without a new computation."""
        p = parametres or Parametres()
        with self._verrou:
            if p in self._couvertures:
                return self._couvertures[p]
            for q, table in self._couvertures.items():
                cles = {f.cle for f in q.filtres}
                if q.seuil == p.seuil and q.distances == p.distances and {f.cle for f in p.filtres} <= cles:
                    return self._extraire(table, p)
        resultat = module_couverture.couverture(self.qpv, self.tous, p)
        with self._verrou:
            self._couvertures.setdefault(p, resultat)
        return resultat

    @staticmethod
    def _extraire(table: pd.DataFrame, p: Parametres) -> pd.DataFrame:
        """The rows of ``p``'s filters, QPV by code then filters in ``p``'s order."""
        ordre = {f.cle: k for k, f in enumerate(p.filtres)}
        sous = table[table["filtre"].isin(ordre)]
        rang = sous["filtre"].map(ordre)
        sous = sous.assign(_rang=rang).sort_values(["code_qp", "_rang"], kind="stable")
        return sous.drop(columns="_rang").reset_index(drop=True)


def territoire_epci(source: Depot | Territoire, siren: str) -> Territoire:
    """The territory of the EPCI ``siren``: ``source`` itself when it is that territory, its
    part when it holds that EPCI (:meth:`Territoire.partie`), else read once from the store
    ``source``."""
    if isinstance(source, Territoire):
        if source.siren_epci == (siren,):
            return source
        return source.partie(siren_epci=siren)
    return Territoire.lire(source, siren_epci=siren)
