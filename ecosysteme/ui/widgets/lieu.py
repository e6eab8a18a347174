"""The place chooser of the actor forms.

:func:`choisir_lieu` places the actor three ways: « Adresse » (Base Adresse Nationale, see
:mod:`ecosysteme.sources.geocodage`; offline, a clear message sends to the two other ways),
« Coordonnées » (latitude and longitude checked as the importers check them) and « Sur la
carte » (a click on a small Leaflet map served by the app itself, no CDN). It returns a
:class:`Lieu`, or None while nothing valid is chosen.

The widget keeps its state in ``st.session_state`` under its ``cle`` (:mod:`.etat`). Give each
form its own ``cle``; a new initial value (another actor) reloads the widget. Do not put it
inside ``st.form``: it uses buttons and callbacks. Keys a caller may read: ``{cle}_mode``
(:data:`ADRESSE`, :data:`COORDONNEES` or :data:`CARTE`), ``{cle}_lat`` / ``{cle}_lon`` (the
typed coordinates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import streamlit as st

from ecosysteme.domaine.erreurs import DonneeInvalide, Emplacement, ErreurGeocodage
from ecosysteme.domaine.validation import EN_METRES, coordonnees, en_france, nombre, ressemble_lambert93
from ecosysteme.sources.geocodage import GeocodageIndisponible, Resultat, geocoder
from ecosysteme.ui.texte import md
from ecosysteme.ui.widgets.etat import etat_widget, semer

ADRESSE, COORDONNEES, CARTE = "adresse", "coordonnees", "carte"
_MODES_LIEU = {ADRESSE: "Adresse", COORDONNEES: "Coordonnées", CARTE: "Sur la carte"}
_TYPES_BAN = {"housenumber": "numéro", "street": "voie", "locality": "lieu-dit", "municipality": "commune"}
#: Centre of the map when no place is known yet (Hauts-de-France), and its zoom.
CENTRE_DEFAUT = (2.8, 50.0)
_ZOOM_LARGE, _ZOOM_PRECIS = 8, 16
_WIDGETS_LIEU = ("mode", "q", "chercher", "choix", "lat", "lon", "tuiles", "carte")


@dataclass(frozen=True)
class Lieu:
    """A place chosen by :func:`choisir_lieu` (WGS84 degrees); address fields only from the BAN."""

    longitude: float
    latitude: float
    source: str
    adresse: str | None = None
    code_postal: str | None = None
    code_insee: str | None = None
    commune: str | None = None


def _nombre_txt(v: float | None) -> str:
    return "" if v is None else f"{v:.6f}".rstrip("0").rstrip(".")


def _nouvel_etat_lieu(lon: float | None, lat: float | None) -> dict[str, Any]:
    connu = lon is not None and lat is not None
    return {
        "mode": COORDONNEES if connu else ADRESSE,
        "requete": None,
        "resultats": [],
        "choix": 0,
        "message": None,
        "lat": _nombre_txt(lat),
        "lon": _nombre_txt(lon),
        "point_carte": (lon, lat) if connu else None,
        "dernier_clic": None,
        "tuiles": False,  # offline first: the communes' outlines are the background; tiles on demand
    }


def verifier_coordonnees(lat_txt: str, lon_txt: str) -> tuple[float, float]:
    """(longitude, latitude) from the two typed fields, checked like the importers' rows (numbers,
    ranges, Lambert-93 metres, swapped) and in France; :class:`DonneeInvalide` otherwise."""
    try:
        lat_brut, lon_brut = nombre(lat_txt), nombre(lon_txt)
    except ValueError:
        lat_brut = lon_brut = None
    if lat_brut is not None and lon_brut is not None and ressemble_lambert93(lat_brut, lon_brut):
        raise DonneeInvalide(
            f"coordonnées ({lat_brut:.0f}, {lon_brut:.0f}) {EN_METRES} alors que des degrés WGS84 "
            "(longitude, latitude) sont attendus.",
            Emplacement(champ="latitude"),
        )
    c = coordonnees(lon_txt, lat_txt, Emplacement())
    if not en_france(c.longitude, c.latitude):
        raise DonneeInvalide(
            f"le point (latitude {c.latitude}, longitude {c.longitude}) n'est pas en France (métropole ou "
            "outre-mer).",
            Emplacement(champ="latitude"),
        )
    return c.longitude, c.latitude


def _libelle_resultat(r: Mapping[str, Any]) -> str:
    genre = _TYPES_BAN.get(str(r.get("type")), r.get("type") or "?")
    return f"{r['label']} — {genre}, pertinence {round(100 * float(r['score']))} %"


def _chercher(cle: str, etat: dict[str, Any], requete: str, code_postal: str | None) -> None:
    """Ask the BAN; results or the French message kept in ``etat`` (the list is drawn after)."""
    etat["requete"], etat["resultats"], etat["choix"], etat["message"] = requete, [], 0, None
    st.session_state.pop(f"{cle}_choix", None)
    try:
        resultats = geocoder(requete, code_postal=code_postal or None)
    except GeocodageIndisponible as exc:
        etat["message"] = ("warning", exc.message)
        return
    except (ErreurGeocodage, DonneeInvalide) as exc:
        etat["message"] = ("error", exc.message)
        return
    etat["resultats"] = [asdict(r) for r in resultats]
    if not resultats:
        etat["message"] = (
            "info",
            f"Aucune adresse trouvée pour « {requete} » : précisez la commune, ou placez le lieu sur "
            "la carte.",
        )


def _par_adresse(
    cle: str, etat: dict[str, Any], adresse_initiale: str | None, code_postal: str | None
) -> Lieu | None:
    if etat.get("adresse_vue") != adresse_initiale:
        etat["adresse_vue"] = adresse_initiale
        st.session_state[f"{cle}_q"] = adresse_initiale or ""
    semer(f"{cle}_q", adresse_initiale or "")
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    requete = c1.text_input("Adresse à rechercher", key=f"{cle}_q", placeholder="8 boulevard du Port, Amiens")
    if c2.button("Rechercher", key=f"{cle}_chercher"):
        _chercher(cle, etat, requete, code_postal)
    if etat["message"] is not None:
        genre, texte = etat["message"]
        getattr(st, genre)(md(texte))
    resultats: list[dict[str, Any]] = etat["resultats"]
    if not resultats:
        return None
    semer(f"{cle}_choix", min(etat["choix"], len(resultats) - 1))
    choix = st.radio(
        "Adresse trouvée (Base Adresse Nationale)",
        list(range(len(resultats))),
        format_func=lambda i: md(_libelle_resultat(resultats[i])),
        key=f"{cle}_choix",
    )
    etat["choix"] = int(choix or 0)
    r = Resultat(**resultats[etat["choix"]])
    return Lieu(r.longitude, r.latitude, ADRESSE, r.label, r.code_postal, r.code_insee, r.commune)


def _par_coordonnees(cle: str, etat: dict[str, Any]) -> Lieu | None:
    semer(f"{cle}_lat", etat["lat"])
    semer(f"{cle}_lon", etat["lon"])
    c1, c2 = st.columns(2)
    lat = c1.text_input("Latitude (degrés WGS84)", key=f"{cle}_lat", placeholder="50.2775")
    lon = c2.text_input("Longitude (degrés WGS84)", key=f"{cle}_lon", placeholder="3.9711")
    etat["lat"], etat["lon"] = lat, lon
    if not lat.strip() and not lon.strip():
        st.caption("Saisissez la latitude et la longitude en degrés décimaux, par exemple 50.2775 et 3.9711.")
        return None
    try:
        x, y = verifier_coordonnees(lat, lon)
    except DonneeInvalide as exc:
        st.error(md(f"Coordonnées : {exc.message}"))
        return None
    return Lieu(x, y, COORDONNEES)


def point_clique(retour: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """(longitude, latitude) of the last click given back by ``st_folium``, if any."""
    clic = (retour or {}).get("last_clicked")
    if not isinstance(clic, Mapping):
        return None
    lat, lng = clic.get("lat"), clic.get("lng")
    if not isinstance(lat, int | float) or not isinstance(lng, int | float):
        return None
    return float(lng), float(lat)


def _prendre_clic(etat: dict[str, Any], clic: tuple[float, float] | None) -> None:
    if clic is None or clic == etat["dernier_clic"]:
        return
    etat["dernier_clic"] = clic
    lon, lat = round(clic[0], 6), round(clic[1], 6)
    if en_france(lon, lat):
        etat["point_carte"], etat["message_carte"] = (lon, lat), None
    else:
        etat["message_carte"] = f"Le point cliqué (latitude {lat}, longitude {lon}) n'est pas en France."


def _par_carte(cle: str, etat: dict[str, Any], fond: Mapping[str, Any] | None) -> Lieu | None:
    import folium
    from streamlit_folium import st_folium

    from ecosysteme.cartes.actifs import NOMS_CSS_CARTE, NOMS_JS_CARTE, actifs_statiques
    from ecosysteme.ui.widgets.fonds_carte import installer_actifs

    installer_actifs()
    semer(f"{cle}_tuiles", etat["tuiles"])
    etat["tuiles"] = st.checkbox(
        "Fond OpenStreetMap (Internet nécessaire)",
        key=f"{cle}_tuiles",
        help="Sans Internet, saisissez plutôt les coordonnées du lieu.",
    )
    # a click already known from the last run moves the marker before the map is drawn
    precedent = st.session_state.get(f"{cle}_carte")
    _prendre_clic(etat, point_clique(precedent if isinstance(precedent, Mapping) else None))
    point = etat["point_carte"]
    lon, lat = point or CENTRE_DEFAUT
    carte = folium.Map(location=[lat, lon], zoom_start=_ZOOM_PRECIS if point else _ZOOM_LARGE, tiles=None)
    actifs_statiques().appliquer(carte, NOMS_JS_CARTE, NOMS_CSS_CARTE)
    if etat["tuiles"]:
        folium.TileLayer("OpenStreetMap", control=False, max_zoom=19).add_to(carte)
    if fond:
        contours = folium.GeoJson(
            dict(fond), style_function=lambda _f: {"color": "#555555", "weight": 1, "fill": False}
        ).add_to(carte)
        (sud, ouest), (nord, est) = contours.get_bounds()
        if not point and None not in (sud, ouest, nord, est):  # nothing placed yet: the whole territory
            carte.fit_bounds([[float(str(sud)), float(str(ouest))], [float(str(nord)), float(str(est))]])
    if point:
        folium.CircleMarker([lat, lon], radius=8, color="#c0392b", fill=True, fill_opacity=0.9).add_to(carte)
    retour = st_folium(
        carte, key=f"{cle}_carte", height=380, use_container_width=True, returned_objects=["last_clicked"]
    )
    _prendre_clic(etat, point_clique(retour))
    if etat.get("message_carte"):
        st.error(md(etat["message_carte"]))
    if etat["point_carte"] is None:
        st.caption("Cliquez sur la carte à l'emplacement du lieu.")
        return None
    x, y = etat["point_carte"]
    st.caption(md(f"Point retenu : latitude {y}, longitude {x}. Cliquez ailleurs pour le déplacer."))
    return Lieu(x, y, CARTE)


def choisir_lieu(
    cle: str,
    adresse_initiale: str | None,
    lon: float | None,
    lat: float | None,
    *,
    code_postal: str | None = None,
    fond: Mapping[str, Any] | None = None,
) -> Lieu | None:
    """Where the actor is: by address (BAN), coordinates or a click on the map.

    ``adresse_initiale`` fills the address search (and follows it when the caller's field
    changes); ``lon`` / ``lat`` are the known position, if any (then « Coordonnées » opens
    first). ``code_postal`` narrows the search; ``fond`` is an optional GeoJSON of outlines
    (communes…) drawn under the map, useful offline. Returns the chosen :class:`Lieu`, or None
    while no valid place is chosen (the reason is shown).
    """
    etat = etat_widget(cle, (lon, lat), lambda: _nouvel_etat_lieu(lon, lat), _WIDGETS_LIEU)
    semer(f"{cle}_mode", etat["mode"])
    mode = st.radio(
        "Placer le lieu",
        list(_MODES_LIEU),
        format_func=_MODES_LIEU.__getitem__,
        key=f"{cle}_mode",
        horizontal=True,
    )
    etat["mode"] = mode
    if mode == ADRESSE:
        return _par_adresse(cle, etat, adresse_initiale, code_postal)
    if mode == COORDONNEES:
        return _par_coordonnees(cle, etat)
    return _par_carte(cle, etat, fond)
