"""Maps of coverage, pure (no Streamlit): folium maps that work offline and escape all data.

- ``actifs``: Leaflet and MarkerCluster from the XStatic packages (static serving or inlined);
- ``securite``: escaping of every text from data (HTML, JavaScript template literals, Jinja);
- ``mesure``: the measure that colours the QPV, its classes, colours and French words;
- ``geometrie``: simplification in metres for display (cache it);
- ``construire``: the coverage map and the click helpers for the UI.
"""

from ecosysteme.cartes.actifs import Actifs, actifs_statiques, html_autonome, installer
from ecosysteme.cartes.construire import (
    SYMBOLES,
    LignesActeurs,
    Simplification,
    Symbole,
    acteur_clique,
    carte_couverture,
    code_qp_clique,
    id_acteur_clique,
    lignes_acteurs,
)
from ecosysteme.cartes.geometrie import Trace, bandes_distance, nombre_sommets, simplifier, tracer
from ecosysteme.cartes.mesure import Classe, Mesure, distance_fr, entier_fr, habitants
from ecosysteme.cartes.securite import json_script, texte_brut, texte_html

__all__ = [
    "SYMBOLES",
    "Actifs",
    "Classe",
    "LignesActeurs",
    "Mesure",
    "Simplification",
    "Symbole",
    "Trace",
    "acteur_clique",
    "actifs_statiques",
    "bandes_distance",
    "carte_couverture",
    "code_qp_clique",
    "distance_fr",
    "entier_fr",
    "habitants",
    "html_autonome",
    "id_acteur_clique",
    "installer",
    "json_script",
    "lignes_acteurs",
    "nombre_sommets",
    "simplifier",
    "texte_brut",
    "texte_html",
    "tracer",
]
