"""What every map of the pages reuses: Leaflet and its plugins served by the app itself (offline),
and the cached layers of a territory (simplified QPV, outlines of the communes and EPCI, the
actors' marker rows, the distance bands around the QPV)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import streamlit as st

from ecosysteme.analyse.selection import Selection, Vue
from ecosysteme.cartes import LignesActeurs, simplifier, tracer
from ecosysteme.cartes.actifs import installer
from ecosysteme.cartes.geometrie import TOLERANCE_FOND_M, TOLERANCE_QPV_M, bandes_distance
from ecosysteme.domaine import config, reglages


@st.cache_resource(show_spinner=False, max_entries=32)
def _bandes(sig: tuple[str, int], selection: Selection, _vue: Vue) -> gpd.GeoDataFrame | None:
    """Areas within 300 m and 1 000 m of the territory's QPV, computed when first asked for."""
    return bandes_distance(_vue.qpv, reglages.BANDES) if len(_vue.qpv) else None


def bandes_vue(sig: tuple[str, int], vue: Vue) -> gpd.GeoDataFrame | None:
    """The cached distance bands around the territory's QPV (None without QPV)."""
    return _bandes(sig, vue.selection, vue)


@st.cache_resource(show_spinner=False, max_entries=32)
def _fonds(sig: tuple[str, int], selection: Selection, _vue: Vue, communes: bool) -> dict[str, Any]:
    """What the map of a territory reuses at every rerun, prepared once per store version and
    territory (shared, never modified): simplified QPV, outlines ready to draw, distance bands,
    the escaped marker rows of every actor."""
    return {
        "qpv": simplifier(_vue.qpv, TOLERANCE_QPV_M),
        "communes": tracer(simplifier(_vue.communes, TOLERANCE_FOND_M)) if communes else None,
        "epci": tracer(simplifier(_vue.epci, TOLERANCE_FOND_M)),
        "acteurs": LignesActeurs.depuis(_vue.acteurs),
    }


def fonds_vue(sig: tuple[str, int], vue: Vue) -> dict[str, Any]:
    """The cached map layers of a territory; a whole région gets EPCI outlines only (thousands
    of communes would blur the map and weigh a megabyte)."""
    return _fonds(sig, vue.selection, vue, communes=vue.selection.departement is not None)


@st.cache_resource(show_spinner=False)
def installer_actifs() -> None:
    """Leaflet and MarkerCluster copied to ``static/vendor`` once per process (the page may be
    opened directly, before the home page ran)."""
    installer(config.PROJECT_ROOT / "static")
