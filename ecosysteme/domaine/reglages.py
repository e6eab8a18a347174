"""Settings of the analysis and their labels, defined once.

Every distance the tool measures today is a straight line between a QPV's polygon and a place:
it is called « à vol d'oiseau » wherever a person reads it (pages, maps, exports, the fiche, the
command line), never a walk. A later measure along the pedestrian network will bring its own label.
"""

from __future__ import annotations

#: How distances are measured, as said after a distance (« à moins de 1 000 m à vol d'oiseau »).
MESURE_DISTANCE = "à vol d'oiseau"

#: Label of every distance chooser (pages) and of the command line's distance options.
LIBELLE_DISTANCE = f"Distance {MESURE_DISTANCE} (m)"
