"""Stops of mobile services on the maps: their rows, their schedule in French, their layer.

A mobile service (bus France Services, fablab mobile…) serves at each of its stops (DESIGN §3,
``Acteur.arrets``), each with its own place and schedule; the coverage counts it at each stop
(``coverage``). The maps draw every stop as a small square of the service's category colour with
its number in the service's round, apart from the round actor markers:

- :func:`lignes_arrets`: compact rows ``[lat, lon, category index, id, stop number, stop name,
  detail lines…]``
  (texts escaped by :func:`~ecosysteme.cartes.securite.texte_html`): the service's name, the
  stop's address and its schedule in French (:func:`horaires_fr`);
- :class:`GroupeArrets`: the Leaflet layer built in the browser from those rows (a tooltip per
  stop; a click gives back the service's id, as for an actor marker);
- :func:`arrets_acteurs`: the stops of a frame of actors as plain records (the A4 maps use them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from folium.map import Layer
from folium.template import Template

from ecosysteme.cartes.securite import SansSecondePasse, json_script, texte_html
from ecosysteme.domaine.semaine import FIN_JOURNEE, NOMS_JOURS, depuis_osm, hhmm

#: Short French day names (A4 labels).
JOURS_COURTS: tuple[str, ...] = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
#: What a stop's schedule says when it is missing, or unreadable.
HORAIRES_INCONNUS = "horaires inconnus"


@dataclass(frozen=True)
class ArretCarte:
    """One stop of an active mobile service, ready to draw (texts as in the data, not escaped)."""

    longitude: float
    latitude: float
    #: Row of the service in the actors' frame, its id, name and category.
    rang: int
    id_service: str
    service: str
    categorie: str
    #: Number of the stop in the service's round (1, 2…), its name, address, commune, hours.
    numero: int
    nom: str
    adresse: str
    commune: str
    horaires: str | None


def _texte(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and v != v):
        return ""
    return str(v).strip()


def _nombre(v: object) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        return None
    x = float(v)
    return x if np.isfinite(x) else None


def arrets_acteurs(acteurs: pd.DataFrame) -> list[ArretCarte]:
    """Every stop with readable coordinates of the actors of ``acteurs`` (column ``arrets``: lists
    of dicts or of ``Arret``), in row order then stop order; a stop without hours takes the
    service's (``horaires``). Pass active actors only: the caller filters."""
    if "arrets" not in acteurs.columns or not len(acteurs):
        return []

    def colonne(nom: str) -> np.ndarray:
        if nom in acteurs.columns:
            return acteurs[nom].to_numpy(dtype=object)
        return np.full(len(acteurs), None, dtype=object)

    ids, noms, categories, horaires = (colonne(c) for c in ("id", "nom", "categorie", "horaires"))
    out: list[ArretCarte] = []
    for i, arrets in enumerate(acteurs["arrets"].to_numpy(dtype=object)):
        if not isinstance(arrets, list | tuple) or not arrets:
            continue
        for k, a in enumerate(arrets, start=1):
            d = a if isinstance(a, dict) else a.model_dump() if hasattr(a, "model_dump") else {}
            lon, lat = _nombre(d.get("longitude")), _nombre(d.get("latitude"))
            if lon is None or lat is None:
                continue
            h = _texte(d.get("horaires")) or _texte(horaires[i]) or None
            categorie = categories[i].value if hasattr(categories[i], "value") else categories[i]
            out.append(
                ArretCarte(
                    lon, lat, i, _texte(ids[i]), _texte(noms[i]), _texte(categorie), k,
                    _texte(d.get("nom")), _texte(d.get("adresse")), _texte(d.get("commune")), h,
                )
            )  # fmt: skip
    return out


def _plages(plages: Sequence[tuple[int, int]]) -> str:
    return ", ".join(f"{hhmm(a)}–{hhmm(b)}" for a, b in plages)


def horaires_fr(texte: str | None, *, court: bool = False) -> str:
    """A schedule in the OSM ``opening_hours`` syntax said in French: « samedi 09:00–12:00 »,
    « du lundi au vendredi 09:00–12:00, 14:00–17:00 ; samedi 09:00–12:00 », « tous les jours,
    24 h sur 24 »; consecutive days with the same hours grouped. ``court``: short day names
    (« lun.–ven. 09:00–12:00 »), for A4 labels; a final « PH off » is left out. Missing:
    « horaires inconnus »; what a week grid cannot show (months, dates, holidays other than a
    final « PH off », every day closed…) or unreadable: the text itself, as given (escape it
    before display)."""
    s = " ".join((texte or "").split())
    if not s:
        return HORAIRES_INCONNUS
    semaine = depuis_osm(s)
    if semaine is None or semaine.vide:
        return s
    jours = semaine.jours
    if all(p == ((0, FIN_JOURNEE),) for p in jours):
        return "7 j/7, 24 h/24" if court else "tous les jours, 24 h sur 24"
    noms = JOURS_COURTS if court else NOMS_JOURS
    morceaux: list[str] = []
    i = 0
    while i < 7:
        if not jours[i]:
            i += 1
            continue
        j = i
        while j + 1 < 7 and jours[j + 1] == jours[i]:
            j += 1
        if j == i:
            quand = noms[i]
        elif court:
            quand = f"{noms[i]}–{noms[j]}"
        elif j == i + 1:
            quand = f"{noms[i]} et {noms[j]}"
        else:
            quand = f"du {noms[i]} au {noms[j]}"
        morceaux.append(f"{quand} {_plages(jours[i])}")
        i = j + 1
    return " ; ".join(morceaux)


def lignes_arrets(
    arrets: Sequence[ArretCarte], rangs_categories: dict[str, int], rang_defaut: int, decimales: int
) -> list[list[Any]]:
    """Compact rows ``[lat, lon, category index, service id, stop number, stop name, detail
    lines…]`` (every text escaped): « Arrêt n de « service » (service itinérant) », the address,
    « Horaires : … »."""
    lignes: list[list[Any]] = []
    for a in arrets:
        lieu = ", ".join(texte_html(x) for x in (a.adresse, a.commune) if x)
        details = [f"Arrêt {a.numero} de « {texte_html(a.service)} » (service itinérant)"]
        if lieu:
            details.append(lieu)
        details.append(f"Horaires : {texte_html(horaires_fr(a.horaires))}")
        lignes.append(
            [
                round(a.latitude, decimales),
                round(a.longitude, decimales),
                rangs_categories.get(a.categorie, rang_defaut),
                texte_html(a.id_service),
                int(a.numero),
                texte_html(a.nom or f"Arrêt {a.numero}"),
                *details,
            ]
        )
    return lignes


class GroupeArrets(Layer, SansSecondePasse):
    """The stops as small squares (the category's colour, the stop's number), one tooltip each
    (the stop's name in bold, then the detail lines); a click gives back the service's id
    (``feature.properties.id``) and the stop's number (``arret``)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var lignes = {{ this.lignes_json }};
            var groupe = L.featureGroup();
            for (var i = 0; i < lignes.length; i++) {
                var r = lignes[i];
                var numero = r[4];
                var icone = L.divIcon({className: "", html: '<div class="ecs-arret ecs-cat-' + r[2] + '">'
                    + numero + "</div>", iconSize: [18, 18], iconAnchor: [9, 9], tooltipAnchor: [9, 0]});
                var m = L.marker([r[0], r[1]], {icon: icone, riseOnHover: true, zIndexOffset: 500});
                var texte = "<b>" + r[5] + "</b>";
                for (var j = 6; j < r.length; j++) texte += "<br>" + r[j];
                m.bindTooltip(texte, {direction: "right"});
                m.feature = {type: "Feature", properties: {id: r[3], categorie: r[2], arret: numero}};
                groupe.addLayer(m);
            }
            return groupe;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, lignes: list[list[Any]], nom: str) -> None:
        super().__init__(name=nom, overlay=True, control=True, show=True)
        self._name = "GroupeArrets"
        self.lignes_json = json_script(lignes)
        self.nombre = len(lignes)
