"""Settings of the analysis and their labels, defined once.

Every distance the tool measures today is a straight line between a QPV's polygon and a place:
it is called « à vol d'oiseau » wherever a person reads it (pages, maps, exports, the fiche, the
command line), never a walk. A later measure along the pedestrian network will bring its own label.

Every default the tool offers is defined here once, and read when used (not copied into a
signature), so that changing ``DISTANCE_MARCHE`` (one line) changes coverage, the pages and their
cache warm-up, the maps, the fiche and the lieu totem together (``tests/test_reglages.py``).
The bands are the near band and the default walking distance wherever coverage is shown (pages,
maps, warm-up: one cached table whatever distance the user picks, which only sets « couvert »);
the fiche's table counts the near band and the distance chosen for it.
"""

from __future__ import annotations

#: How distances are measured, as said after a distance (« à moins de 1 000 m à vol d'oiseau »).
MESURE_DISTANCE = "à vol d'oiseau"

#: Label of every distance chooser (pages) and of the command line's distance options.
LIBELLE_DISTANCE = f"Distance {MESURE_DISTANCE} (m)"

# --- distances (metres, « à vol d'oiseau ») ---------------------------------------------------

#: Default walking distance: the coverage threshold (« couvert »), the lieu totem's radius, the fiche's.
DISTANCE_MARCHE = 1000.0

#: The near band: actors counted « à moins de 300 m » (column ``n_300m``) on pages, maps, fiche.
BANDE_PROCHE = 300.0

#: Bands counted by coverage (pages, maps, warm-up): the near band and the default walking distance.
BANDES = (BANDE_PROCHE, DISTANCE_MARCHE)

#: Walking distances offered by the pages' distance choosers (the default is always among them).
DISTANCES_PROPOSEES = tuple(sorted({300, 500, 1000, 1500, 2000, int(DISTANCE_MARCHE)}))

#: Breaks of the maps' « distance au plus proche » colour scale: the bands, then 2 km.
PALIERS_DISTANCE = (*BANDES, 2000.0)

#: Default distance between two actors offering the same service to the same public (overlaps).
DISTANCE_CHEVAUCHEMENT = 500.0

#: Distances offered by the overlaps page (the default is always among them).
DISTANCES_CHEVAUCHEMENT = tuple(sorted({100, 200, 300, 500, 1000, int(DISTANCE_CHEVAUCHEMENT)}))

# --- lieu totem -------------------------------------------------------------------------------

#: Step of the grid of candidate sites of the lieu totem (metres).
PAS_GRILLE_TOTEM = 200.0

#: Default number of lieu totem sites to place.
SITES_TOTEM = 1

# --- freshness of ``date_maj`` ----------------------------------------------------------------

#: Upper bounds (months, exclusive) of the freshness classes « moins de 6 mois », « 6 à 12 », « 12 à 18 ».
BORNES_FRAICHEUR_MOIS = (6, 12, 18)

# --- map simplification ----------------------------------------------------------------------

#: Simplification of QPV outlines and distance bands on interactive maps.
TOLERANCE_QPV_M = 15.0

#: Simplification of background layers (communes, EPCI) on interactive maps.
TOLERANCE_FOND_M = 75.0

#: Simplification of the communes' outlines under the small maps.
TOLERANCE_CONTOURS_M = 30.0

#: A4 maps (PDF, PNG) drop geometric detail below this many millimetres on paper.
DETAIL_A4_MM = 0.05

# --- page sizes -------------------------------------------------------------------------------

#: Rows of the import preview (first actors shown before importing).
APERCU_LIGNES = 20

#: Table rows per page of the fiche territoire (DOCX / PDF).
LIGNES_PAR_PAGE = 28
