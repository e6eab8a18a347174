"""The territory chooser shared by every page (sidebar): région → département → EPCI, with a
search by name, SIREN or commune. The choice survives page changes and is mirrored in the URL
(``?epci=200043396``, ``?departement=59``, ``?region=32``) so a view can be shared."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ecosysteme.analyse.resume import sirens
from ecosysteme.analyse.selection import Selection, Vue, chercher_epci, filtrer, regions_presentes
from ecosysteme.analyse.territoire import Territoire
from ecosysteme.cartes.geometrie import contours
from ecosysteme.domaine.regions import REGIONS, departements
from ecosysteme.ui import donnees

TOUS = "(tous)"
_CLES = ("region", "departement", "epci")


def _memoriser() -> None:
    for cle in _CLES:
        if cle in st.session_state:
            st.session_state[f"_memo_{cle}"] = st.session_state[cle]


def _restaurer(data: Territoire) -> None:
    """Widgets forget their value on another page: restore it from the memo, else from the URL."""
    if not any(f"_memo_{c}" in st.session_state for c in _CLES):
        _depuis_url(data)
    for cle in _CLES:
        if cle not in st.session_state and f"_memo_{cle}" in st.session_state:
            st.session_state[cle] = st.session_state[f"_memo_{cle}"]


def _depuis_url(data: Territoire) -> None:
    params = st.query_params
    communes = data.communes
    siren = params.get("epci")
    dep = params.get("departement")
    reg = params.get("region")
    if siren and siren in set(communes["siren_epci"].dropna()):
        deps_epci = sorted(set(communes.loc[communes["siren_epci"] == siren, "insee_dep"]))
        dep = deps_epci[0] if len(deps_epci) == 1 else None
        reg = next((r for r, (_, ds) in REGIONS.items() if deps_epci and deps_epci[0] in ds), reg)
        st.session_state["_memo_epci"] = siren
    if dep and not reg:
        reg = next((r for r, (_, ds) in REGIONS.items() if dep in ds), None)
    if reg:
        st.session_state["_memo_region"] = reg
    st.session_state["_memo_departement"] = dep or TOUS


def _vers_url(sel: Selection) -> None:
    voulu = {"region": sel.region}
    if sel.departement:
        voulu["departement"] = sel.departement
    if sel.siren:
        voulu["epci"] = sel.siren
    if dict(st.query_params) != voulu:
        st.query_params.from_dict(voulu)


def choisir(data: Territoire) -> Vue:
    """Draw the chooser in the sidebar and return what lies in the chosen territory."""
    _restaurer(data)
    qpv, epci, communes = data.qpv, data.epci, data.communes
    regions = regions_presentes(qpv) or sorted(REGIONS)
    if st.session_state.get("region") not in regions:
        st.session_state["region"] = "32" if "32" in regions else regions[0]
    region = st.sidebar.selectbox(
        "Région",
        regions,
        format_func=lambda r: f"{REGIONS[r][0]} ({r})",
        key="region",
        on_change=_memoriser,
    )
    presents = set(qpv["insee_dep"])
    deps = [d for d in departements(region) if d in presents]
    if st.session_state.get("departement") not in [TOUS, *deps]:
        st.session_state["departement"] = TOUS
    dep = st.sidebar.selectbox("Département", [TOUS, *deps], key="departement", on_change=_memoriser)
    deps_sel = tuple(deps) if dep == TOUS else (dep,)
    noms = dict(zip(epci["siren_epci"], epci["nom_epci"], strict=True))
    avec_qpv = sorted(
        {s for v in qpv[qpv["insee_dep"].isin(deps_sel)]["siren_epci"] for s in sirens(v)},
        key=lambda s: (noms.get(s, s), s),
    )
    terme = st.sidebar.text_input(
        "Rechercher un EPCI",
        key="recherche_epci",
        placeholder="nom, SIREN ou commune",
        help="Par exemple « Maubeuge », « 200043396 » ou « Hautmont ».",
    )
    options = avec_qpv
    if terme:
        trouves = set(chercher_epci(terme, epci, communes))
        options = [s for s in avec_qpv if s in trouves]
        if not options:
            st.sidebar.caption("Aucun EPCI ayant des QPV ne correspond à cette recherche ici.")
    choix = [TOUS, *options]
    if st.session_state.get("epci") not in choix:
        st.session_state["epci"] = TOUS
    siren = st.sidebar.selectbox(
        "EPCI ayant des QPV",
        choix,
        format_func=lambda s: "(tous les EPCI)" if s == TOUS else f"{noms.get(s, s)} — {s}",
        key="epci",
        on_change=_memoriser,
    )
    _memoriser()
    sel = Selection(region, None if dep == TOUS else dep, None if siren == TOUS else siren)
    _vers_url(sel)
    return filtrer(qpv, epci, communes, data.acteurs, sel)


def filtrer_selection(data: Territoire, selection: Selection) -> Vue:
    """What lies in ``selection`` (no widget drawn: for cached computations keyed by it)."""
    return filtrer(data.qpv, data.epci, data.communes, data.acteurs, selection)


@st.cache_data(show_spinner=False, max_entries=8)
def contours_communes(sig: tuple[str, int], selection: Selection) -> dict[str, Any] | None:
    """The territory's communes as light GeoJSON outlines (simplified to 30 m) under the small
    maps (placing an actor, overlaps): they stay readable offline, without tiles."""
    return contours(filtrer_selection(donnees.territoire(sig), selection).communes)
