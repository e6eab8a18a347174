"""The territory a user looks at (région, département(s) or one EPCI) and what lies in it (pure).

QPV belong to an EPCI by their ``siren_epci`` (comma-joined when they straddle several); actors
and communes by geometry (``epci_geo``, ``dep_geo`` from :func:`ecosysteme.analyse.resume.rattacher`),
never by the codes they carry. A mobile service belongs to every EPCI and département where it
stops (``epcis_geo``, ``deps_geo``), even without a point of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from ecosysteme.analyse.resume import dans_les_territoires, sirens
from ecosysteme.domaine.regions import REGIONS, departements, nom_region
from ecosysteme.domaine.texte import plier


@dataclass(frozen=True)
class Selection:
    """A région, optionally narrowed to one département, optionally to one EPCI.

    The territory a user looks at; :func:`filtrer` keeps what lies in it.

    Parameters
    ----------
    region : str
        INSEE code of the région (``"32"``: Hauts-de-France).
    departement : str or None, default None
        INSEE code of one of its départements (``"59"``); None: the whole région.
    siren : str or None, default None
        SIREN (9 digits) of one EPCI; when given, :func:`filtrer` keeps that EPCI whatever the
        département.

    Attributes
    ----------
    departements : tuple of str
        The départements looked at: ``departement`` alone, else every one of the région.
    cle_fichier : str
        What names an exported file: the EPCI's SIREN, « dep59 », « reg32 ».
    """

    region: str
    departement: str | None = None
    siren: str | None = None

    @property
    def departements(self) -> tuple[str, ...]:
        """The départements looked at: ``departement`` alone, else every one of the région."""
        return (self.departement,) if self.departement else departements(self.region)

    @property
    def cle_fichier(self) -> str:
        """What names an exported file: the EPCI's SIREN, « dep59 », « reg32 »."""
        return self.siren or (f"dep{self.departement}" if self.departement else f"reg{self.region}")


@dataclass(frozen=True)
class Vue:
    """The rows of each layer inside a selection (EPSG:4326), and its French name."""

    qpv: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    acteurs: gpd.GeoDataFrame
    libelle: str
    selection: Selection


def _dans_epci(valeurs: pd.Series, siren: str) -> pd.Series:
    return valeurs.map(lambda v: siren in sirens(v)).astype(bool)


def libelle(selection: Selection, noms_epci: dict[str, str]) -> str:
    """« CA Maubeuge Val de Sambre (200043396) », « Nord (59) », « Hauts-de-France »."""
    if selection.siren:
        return f"{noms_epci.get(selection.siren, 'EPCI')} ({selection.siren})"
    if selection.departement:
        return f"département {selection.departement}"
    return nom_region(selection.region) or f"région {selection.region}"


def filtrer(
    qpv: gpd.GeoDataFrame,
    epci: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    acteurs: gpd.GeoDataFrame,
    selection: Selection,
) -> Vue:
    """Keep the QPV, EPCI, communes and actors of the selection.

    For one EPCI: its QPV (by ``siren_epci``, a QPV shared with a neighbour included), its
    communes, the actors located in it (a mobile service when one of its stops is). Otherwise,
    by département: the QPV and communes of its départements, the actors located there, and the
    EPCI of those communes. Actors are placed by geometry, never by the codes they carry.

    Parameters
    ----------
    qpv : geopandas.GeoDataFrame
        The QPV (EPSG:4326) with ``siren_epci`` (comma-joined when a QPV straddles several
        EPCI) and ``insee_dep``.
    epci : geopandas.GeoDataFrame
        The EPCI (EPSG:4326) with ``siren_epci`` and ``nom_epci``.
    communes : geopandas.GeoDataFrame
        The communes (EPSG:4326) with ``siren_epci`` and ``insee_dep``.
    acteurs : geopandas.GeoDataFrame
        The actors (EPSG:4326) as returned by :func:`~ecosysteme.analyse.resume.rattacher`
        (``epci_geo``, ``dep_geo`` and, for mobile services, ``epcis_geo``, ``deps_geo``).
    selection : Selection
        The territory looked at.

    Returns
    -------
    Vue
        The rows of each layer inside the selection (``qpv``, ``epci``, ``communes``,
        ``acteurs``), its French name (``libelle``: « CA Maubeuge Val de Sambre (200043396) »,
        « département 59 », « Hauts-de-France ») and the ``selection``.
    """
    deps = selection.departements
    noms = dict(zip(epci["siren_epci"], epci["nom_epci"], strict=True))
    if selection.siren:
        s = selection.siren
        q = qpv[_dans_epci(qpv["siren_epci"], s)]
        c = communes[communes["siren_epci"] == s]
        a = acteurs[dans_les_territoires(acteurs, "epci_geo", (s,))]
        e = epci[epci["siren_epci"] == s]
    else:
        q = qpv[qpv["insee_dep"].isin(deps)]
        c = communes[communes["insee_dep"].isin(deps)]
        a = acteurs[dans_les_territoires(acteurs, "dep_geo", deps)]
        e = epci[epci["siren_epci"].isin(set(c["siren_epci"].dropna()))]
    return Vue(q, e, c, a, libelle(selection, noms), selection)


def chercher_epci(terme: str, epci: pd.DataFrame, communes: pd.DataFrame) -> list[str]:
    """SIREN of the EPCI matching a search by name, SIREN, commune name or INSEE code (accents
    and case ignored), EPCI whose own name matches first."""
    t = plier(terme)
    if not t:
        return list(epci["siren_epci"])
    par_nom = [s for s, n in zip(epci["siren_epci"], epci["nom_epci"], strict=True) if t in plier(str(n))]
    par_siren = [s for s in epci["siren_epci"] if str(s).startswith(t)]
    par_commune = [
        str(s)
        for s, nom, code in zip(communes["siren_epci"], communes["nom"], communes["code"], strict=True)
        if isinstance(s, str) and (t in plier(str(nom)) or str(code) == t)
    ]
    connus = set(epci["siren_epci"])
    return [s for s in dict.fromkeys([*par_nom, *par_siren, *par_commune]) if s in connus]


def regions_presentes(qpv: pd.DataFrame) -> list[str]:
    """Région codes holding stored QPV, in code order (known régions only)."""
    return sorted(r for r in set(qpv["insee_reg"].dropna()) if r in REGIONS)
