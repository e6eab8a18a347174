"""Cached access to the store for the pages, keyed on the store's address and data version.

The version is bumped by every committed write, by any process on any machine (a GeoPackage
file or a shared PostGIS database): an edit saved in one app process shows in every other one
at its next rerun.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from ecosysteme.analyse.territoire import Territoire
from ecosysteme.depot import ouvrir_depot, version_depot
from ecosysteme.domaine import config
from ecosysteme.domaine.erreurs import ErreurEcosysteme

log = logging.getLogger(__name__)


def adresse() -> str | Path:
    """The store the app serves: ``$ECOSYSTEME_STORE`` (a GeoPackage file or a PostGIS database)."""
    return config.adresse_depot(None)


def signature() -> tuple[str, int]:
    """Cache key of the store: its address and its data version (one light read)."""
    cible = adresse()
    return str(cible), version_depot(cible)


@st.cache_resource(show_spinner=False, max_entries=4)
def territoire(sig: tuple[str, int]) -> Territoire:
    """QPV, EPCI, communes and actors of the store (EPSG:4326, actors attached to the communes),
    read once per store version and shared by every session without a copy: pages select rows
    (new frames), never modify these."""
    with ouvrir_depot(sig[0]) as depot:
        return Territoire.lire(depot)


@st.cache_data(show_spinner="Calcul de la couverture…", max_entries=16)
def couverture_depot(sig: tuple[str, int], seuil: float, bandes: tuple[float, ...]) -> pd.DataFrame:
    """The coverage table of every stored QPV, cached by store version and parameters."""
    from ecosysteme.analyse.couverture import Parametres, couverture

    data = territoire(sig)
    return couverture(data.qpv, data.acteurs, Parametres(bandes=bandes, seuil=seuil))


def depot_pret() -> tuple[bool, str | None]:
    """Whether the store exists and holds QPV; otherwise a French explanation."""
    cible = adresse()
    if isinstance(cible, Path) and not cible.exists():
        return False, f"Aucun dépôt de données trouvé ({cible})."
    try:
        version_depot(cible)
    except (ErreurEcosysteme, OSError) as exc:
        log.warning("dépôt illisible : %s", exc)
        return False, f"Le dépôt n'a pas pu être lu : {getattr(exc, 'message', exc)}"
    return True, None


def aide_import(raison: str) -> None:
    st.warning(raison)
    st.markdown(
        "Pour construire le dépôt :\n\n"
        "- avec Internet : `make run` (ou `ecosysteme preparer`) télécharge les données officielles ;\n"
        "- sans Internet : `ECOSYSTEME_MIROIR=../shared/data make run`, ou importez vos fichiers :\n"
        "  `ecosysteme importer qpv2024.geojson bibliotheques.csv …`"
    )


def charger_ou_expliquer() -> Territoire | None:
    """The store's data for a page, or None after telling the user, in French, why there is
    none (no store, unreadable store: details in the log)."""
    pret, raison = depot_pret()
    if not pret:
        aide_import(raison or "Dépôt absent.")
        return None
    try:
        return charger()
    except ErreurEcosysteme as exc:
        log.exception("lecture du dépôt")
        st.error(f"Le dépôt n'a pas pu être lu : {exc.message}")
        return None


def charger() -> Territoire:
    data = territoire(signature())
    assert isinstance(data.qpv, gpd.GeoDataFrame)
    return data


def environnement_miroir() -> str | None:
    return os.environ.get(config.ENV_MIROIR)
