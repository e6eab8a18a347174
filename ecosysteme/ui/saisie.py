"""Widgets of the actor forms: the opening-hours week editor and the place chooser.

- :func:`editeur_horaires` shows a week grid (7 days, up to 3 intervals a day, « fermé », « copier
  lundi sur les jours ouvrés », « fermé les jours fériés ») or, when the value cannot be shown in
  a grid, the raw field « Horaires (format OpenStreetMap) » with the reason; either way the result
  is checked with the maintained parser. It returns :class:`Horaires`: ``texte`` is the valid OSM
  string (None when empty), ``erreur`` the French problem (None when valid). The errors are
  already shown inline: the caller only refuses to save when ``erreur`` is set.
- :func:`choisir_lieu` places the actor three ways: « Adresse » (Base Adresse Nationale, see
  :mod:`ecosysteme.sources.geocodage`; offline, a clear message sends to the two other ways),
  « Coordonnées » (latitude and longitude checked as the importers check them) and « Sur la
  carte » (a click on a small Leaflet map served by the app itself, no CDN). It returns a
  :class:`Lieu`, or None while nothing valid is chosen.

Each widget keeps its state in ``st.session_state`` under its ``cle`` (the values survive a
switch of mode, which removes the hidden widgets). Give each form its own ``cle``; a new
initial value (another actor) reloads the widget. Do not put them inside ``st.form``: they use
buttons and callbacks. Keys a caller may read: ``{cle}_mode`` (for :func:`choisir_lieu`:
:data:`ADRESSE`, :data:`COORDONNEES` or :data:`CARTE`), ``{cle}_lat`` / ``{cle}_lon`` (the typed
coordinates), ``{cle}_brut`` (the raw hours field, in text mode).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import streamlit as st

from ecosysteme.domaine.erreurs import DonneeInvalide, Emplacement
from ecosysteme.domaine.semaine import (
    EXEMPLE_OSM,
    MAX_PLAGES,
    NOMS_JOURS,
    Semaine,
    SemaineInvalide,
    depuis_osm,
    erreur_osm,
    erreurs_jour,
    hhmm,
    lire_heure,
    raison_hors_grille,
    vers_osm,
)
from ecosysteme.domaine.validation import EN_METRES, coordonnees, en_france, nombre, ressemble_lambert93
from ecosysteme.sources.geocodage import ErreurGeocodage, GeocodageIndisponible, Resultat, geocoder
from ecosysteme.ui.texte import md

#: Label of the raw field.
LIBELLE_BRUT = "Horaires (format OpenStreetMap)"
GRILLE, TEXTE = "grille", "texte"
_MODES_HORAIRES = {GRILLE: "Grille de la semaine", TEXTE: "Texte OpenStreetMap"}
ADRESSE, COORDONNEES, CARTE = "adresse", "coordonnees", "carte"
_MODES_LIEU = {ADRESSE: "Adresse", COORDONNEES: "Coordonnées", CARTE: "Sur la carte"}
_TYPES_BAN = {"housenumber": "numéro", "street": "voie", "locality": "lieu-dit", "municipality": "commune"}
#: Centre of the map when no place is known yet (Hauts-de-France), and its zoom.
CENTRE_DEFAUT = (2.8, 50.0)
_ZOOM_LARGE, _ZOOM_PRECIS = 8, 16
_JOURS_OUVRES = range(1, 5)  # mardi..vendredi, copied from lundi
#: Widget keys (after ``cle + "_"``) of each widget, forgotten when it is reloaded.
_WIDGETS_HORAIRES = (
    "mode",
    "brut",
    "ph",
    "copier",
    *(f"j{j}_ferme" for j in range(7)),
    *(f"j{j}_p{p}_{bout}" for j in range(7) for p in range(MAX_PLAGES) for bout in ("debut", "fin")),
)
_WIDGETS_LIEU = ("mode", "q", "chercher", "choix", "lat", "lon", "tuiles", "carte")


@dataclass(frozen=True)
class Horaires:
    """What :func:`editeur_horaires` gives back.

    ``texte``: the OSM string, checked by the parser (None when no hours are given, or when
    invalid). ``erreur``: the French problem shown under the widget, None when valid.
    ``brut``: the text to keep in the field if the caller stores it anyway: what was typed in the
    raw field, or for the grid its valid OSM string, else a French summary of the cells (never a
    valid OSM string when ``erreur`` is set, so a later check refuses it too).
    """

    texte: str | None
    erreur: str | None = None
    brut: str | None = None

    @property
    def valide(self) -> bool:
        return self.erreur is None


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


# -- state shared across reruns ---------------------------------------------------------------------


def _etat(
    cle: str, initial: object, nouveau: Callable[[], dict[str, Any]], widgets: Iterable[str]
) -> dict[str, Any]:
    """The widget's own state, rebuilt by ``nouveau()`` (and its ``widgets`` keys forgotten) when
    the caller gives another initial value than the one it was built from or last returned."""
    nom = f"{cle}__etat"
    etat: dict[str, Any] | None = st.session_state.get(nom)
    if etat is None or (etat["initial"] != initial and etat.get("dernier") != initial):
        etat = nouveau()
        etat["initial"] = initial
        st.session_state[nom] = etat
        for suffixe in widgets:
            st.session_state.pop(f"{cle}_{suffixe}", None)
    return etat


def _semer(cle_widget: str, valeur: object) -> None:
    """Give a widget its remembered value when Streamlit forgot it (hidden at the last run)."""
    if cle_widget not in st.session_state:
        st.session_state[cle_widget] = valeur


# -- opening hours ---------------------------------------------------------------------------------


def _k(cle: str, j: int, p: int | None = None, bout: str = "") -> str:
    return f"{cle}_j{j}_ferme" if p is None else f"{cle}_j{j}_p{p}_{bout}"


def _cellules(s: Semaine) -> dict[str, Any]:
    """Grid cells (texts and « fermé » boxes) showing ``s``."""
    cellules: dict[str, Any] = {}
    for j in range(7):
        plages = s.jours[j]
        cellules[f"j{j}_ferme"] = not plages and not s.vide
        for p in range(MAX_PLAGES):
            d, f = plages[p] if p < len(plages) else (None, None)
            cellules[f"j{j}_p{p}_debut"] = hhmm(d) if d is not None else ""
            cellules[f"j{j}_p{p}_fin"] = hhmm(f) if f is not None else ""
    cellules["ph"] = s.ph_ferme
    return cellules


def _nouvel_etat_horaires(valeur: str | None) -> dict[str, Any]:
    s = depuis_osm(valeur)
    brut = (valeur or "").strip()
    if s is None:
        return {"mode": TEXTE, "brut": brut, "cellules": _cellules(Semaine())}
    return {"mode": GRILLE, "brut": brut, "cellules": _cellules(s)}


def _poser_cellules(cle: str, etat: dict[str, Any], cellules: Mapping[str, Any]) -> None:
    """Set the grid (remembered values and live widgets); only from a callback or before drawing."""
    etat["cellules"].update(cellules)
    for nom, valeur in cellules.items():
        st.session_state[f"{cle}_{nom}"] = valeur


def _cellules_actuelles(cle: str, etat: dict[str, Any]) -> dict[str, Any]:
    """The grid's cells as the user left them: in a callback, the widgets' new values are in
    ``st.session_state`` while ``etat`` still holds those of the last run."""
    return {nom: st.session_state.get(f"{cle}_{nom}", valeur) for nom, valeur in etat["cellules"].items()}


def _lire_grille(cellules: Mapping[str, Any]) -> tuple[Semaine | None, dict[int, list[str]], str]:
    """(week or None, French errors by day, French summary of the cells) from the grid's cells."""
    erreurs: dict[int, list[str]] = {}
    jours: list[list[tuple[int, int]]] = []
    resume: list[str] = []
    for j, nom in enumerate(NOMS_JOURS):
        plages: list[tuple[int, int]] = []
        problemes: list[str] = []
        if not cellules.get(f"j{j}_ferme"):
            for p in range(MAX_PLAGES):
                d = str(cellules.get(f"j{j}_p{p}_debut") or "").strip()
                f = str(cellules.get(f"j{j}_p{p}_fin") or "").strip()
                if not d and not f:
                    continue
                resume.append(f"{nom} {d or '?'}–{f or '?'}")
                if not d or not f:
                    problemes.append(f"{nom}, plage {p + 1} : indiquez le début et la fin")
                    continue
                bornes: list[int] = []
                for texte, bout in ((d, "début"), (f, "fin")):
                    try:
                        bornes.append(lire_heure(texte, f"{nom}, {bout} de la plage {p + 1}"))
                    except SemaineInvalide as exc:
                        problemes.extend(exc.erreurs)
                if len(bornes) == 2:
                    plages.append((bornes[0], bornes[1]))
        if not problemes:
            problemes = erreurs_jour(j, sorted(plages))
        if problemes:
            erreurs[j] = problemes
        jours.append(plages)
    if erreurs:
        return None, erreurs, " ; ".join(resume)
    return Semaine.creer(jours, bool(cellules.get("ph"))), {}, " ; ".join(resume)


def _changer_mode_horaires(cle: str) -> None:
    """Callback of the mode switch: carry the value from one view to the other."""
    etat = st.session_state[f"{cle}__etat"]
    mode = st.session_state[f"{cle}_mode"]
    if mode == TEXTE:
        s, _, _ = _lire_grille(_cellules_actuelles(cle, etat))
        if s is not None:
            etat["brut"] = vers_osm(s) or ""
        st.session_state[f"{cle}_brut"] = etat["brut"]
    else:
        s = depuis_osm(etat["brut"])
        if s is None:  # the switch is only offered when the text fits; kept for safety
            st.session_state[f"{cle}_mode"] = TEXTE
            mode = TEXTE
        else:
            _poser_cellules(cle, etat, _cellules(s))
    etat["mode"] = mode


def _copier_lundi(cle: str) -> None:
    """Callback: Tuesday to Friday take Monday's intervals and « fermé »."""
    etat = st.session_state[f"{cle}__etat"]
    c = _cellules_actuelles(cle, etat)
    copie: dict[str, Any] = {}
    for j in _JOURS_OUVRES:
        copie[f"j{j}_ferme"] = c["j0_ferme"]
        for p in range(MAX_PLAGES):
            for bout in ("debut", "fin"):
                copie[f"j{j}_p{p}_{bout}"] = c[f"j0_p{p}_{bout}"]
    _poser_cellules(cle, etat, copie)


def _grille(cle: str, etat: dict[str, Any]) -> Horaires:
    cellules = etat["cellules"]
    for nom, valeur in cellules.items():
        _semer(f"{cle}_{nom}", valeur)
    largeurs = [1.3, 0.9] + [1.0] * (2 * MAX_PLAGES)
    entete = st.columns(largeurs)
    entete[0].caption("Jour")
    entete[1].caption("Fermé")
    for p in range(MAX_PLAGES):
        entete[2 + 2 * p].caption(f"Début {p + 1}")
        entete[3 + 2 * p].caption(f"Fin {p + 1}")
    conteneurs = []
    for j, nom in enumerate(NOMS_JOURS):
        cols = st.columns(largeurs, vertical_alignment="center")
        cols[0].markdown(f"**{nom.capitalize()}**")
        ferme = cols[1].checkbox(f"{nom} : fermé", key=_k(cle, j), label_visibility="collapsed")
        cellules[f"j{j}_ferme"] = ferme
        for p in range(MAX_PLAGES):
            for i, bout in enumerate(("debut", "fin")):
                libelle = f"{nom}, {'début' if bout == 'debut' else 'fin'} de la plage {p + 1}"
                cellules[f"j{j}_p{p}_{bout}"] = cols[2 + 2 * p + i].text_input(
                    libelle,
                    key=_k(cle, j, p, bout),
                    placeholder="hh:mm",
                    label_visibility="collapsed",
                    disabled=ferme,
                    max_chars=5,
                )
        conteneurs.append(st.container())
    c1, c2 = st.columns(2)
    c1.button(
        "Copier lundi sur les jours ouvrés",
        key=f"{cle}_copier",
        on_click=_copier_lundi,
        args=(cle,),
        help="Mardi, mercredi, jeudi et vendredi prennent les plages de lundi.",
    )
    cellules["ph"] = c2.checkbox("Fermé les jours fériés", key=f"{cle}_ph")
    s, erreurs, resume = _lire_grille(cellules)
    for j, messages in erreurs.items():
        for message in messages:
            conteneurs[j].error(md(message))
    if s is None:
        erreur = " ; ".join(m for messages in erreurs.values() for m in messages)
        return Horaires(None, erreur, resume or erreur)
    texte = vers_osm(s)
    st.caption(f"{LIBELLE_BRUT} :")
    st.code(texte or "(aucune plage : horaires inconnus)", language=None)
    etat["brut"] = texte or ""
    return Horaires(texte, None, texte)


def _texte_brut(cle: str, etat: dict[str, Any]) -> Horaires:
    _semer(f"{cle}_brut", etat["brut"])
    brut = st.text_input(
        LIBELLE_BRUT, key=f"{cle}_brut", placeholder=EXEMPLE_OSM, help=f"Exemple : {EXEMPLE_OSM}"
    )
    etat["brut"] = brut
    texte = brut.strip()
    if not texte:
        return Horaires(None, None, None)
    erreur = erreur_osm(texte)
    if erreur is not None:
        st.error(md(erreur))
        return Horaires(None, erreur, brut)
    if depuis_osm(texte) is None:
        st.info(
            md(
                f"Ces horaires ne peuvent pas être montrés dans la grille : {raison_hors_grille(texte)} "
                "Modifiez-les ici, au format OpenStreetMap."
            )
        )
    return Horaires(texte, None, texte)


def editeur_horaires(cle: str, valeur: str | None) -> Horaires:
    """The opening-hours editor, prefilled with ``valeur`` (an OSM string or None).

    Returns :class:`Horaires`; ``texte`` is the valid OSM string or None when no hours are
    given; when the input is invalid, ``erreur`` holds the French problem (already shown under
    the widget) and ``texte`` is None.
    """
    etat = _etat(cle, valeur, lambda: _nouvel_etat_horaires(valeur), _WIDGETS_HORAIRES)
    st.markdown("**Horaires d'ouverture**")
    # the raw field's value of this run (typed since the last run), not the remembered one
    brut = str(st.session_state.get(f"{cle}_brut", etat["brut"])).strip()
    grille_possible = etat["mode"] == GRILLE or (
        bool(brut) and erreur_osm(brut) is None and depuis_osm(brut) is not None
    )
    if grille_possible:
        _semer(f"{cle}_mode", etat["mode"])
        st.radio(
            "Saisie des horaires",
            list(_MODES_HORAIRES),
            format_func=_MODES_HORAIRES.__getitem__,
            key=f"{cle}_mode",
            horizontal=True,
            label_visibility="collapsed",
            on_change=_changer_mode_horaires,
            args=(cle,),
        )
    resultat = _grille(cle, etat) if etat["mode"] == GRILLE else _texte_brut(cle, etat)
    etat["dernier"] = resultat.texte
    return resultat


# -- the place ---------------------------------------------------------------------------------


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
    _semer(f"{cle}_q", adresse_initiale or "")
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
    _semer(f"{cle}_choix", min(etat["choix"], len(resultats) - 1))
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
    _semer(f"{cle}_lat", etat["lat"])
    _semer(f"{cle}_lon", etat["lon"])
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
    from ecosysteme.ui.carte import installer_actifs

    installer_actifs()
    _semer(f"{cle}_tuiles", etat["tuiles"])
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
    etat = _etat(cle, (lon, lat), lambda: _nouvel_etat_lieu(lon, lat), _WIDGETS_LIEU)
    _semer(f"{cle}_mode", etat["mode"])
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
