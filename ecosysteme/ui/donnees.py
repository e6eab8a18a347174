"""Cached access to the store for the pages (keyed on the store's path and modification time)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from ecosysteme.analyse.territoire import Territoire
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine import config
from ecosysteme.domaine.erreurs import ErreurEcosysteme

log = logging.getLogger(__name__)


def chemin_depot() -> Path:
    return config.chemin_depot(None)


def signature(path: Path) -> tuple[str, float]:
    """Cache key of the store: its path and the newest mtime of the file and its WAL."""
    mtimes = [p.stat().st_mtime for p in (path, Path(f"{path}-wal")) if p.exists()]
    return str(path), max(mtimes) if mtimes else 0.0


@st.cache_resource(show_spinner=False, max_entries=4)
def territoire(sig: tuple[str, float]) -> Territoire:
    """QPV, EPCI, communes and actors of the store (EPSG:4326, actors attached to the communes),
    read once per store version and shared by every session without a copy: pages select rows
    (new frames), never modify these."""
    with ouvrir_depot(Path(sig[0])) as depot:
        return Territoire.lire(depot)


@st.cache_data(show_spinner="Calcul de la couverture…", max_entries=16)
def couverture_depot(sig: tuple[str, float], seuil: float, bandes: tuple[float, ...]) -> pd.DataFrame:
    """The coverage table of every stored QPV, cached by store version and parameters."""
    from ecosysteme.analyse.couverture import Parametres, couverture

    data = territoire(sig)
    return couverture(data.qpv, data.acteurs, Parametres(bandes=bandes, seuil=seuil))


def depot_pret() -> tuple[bool, str | None]:
    """Whether the store exists and holds QPV; otherwise a French explanation."""
    path = chemin_depot()
    if not path.exists():
        return False, f"Aucun dépôt de données trouvé ({path})."
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
    path = chemin_depot()
    data = territoire(signature(path))
    assert isinstance(data.qpv, gpd.GeoDataFrame)
    return data


def environnement_miroir() -> str | None:
    return os.environ.get(config.ENV_MIROIR)
