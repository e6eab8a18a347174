"""Merging two records of one place, field by field (pure; the store does the write).

The person merging sees every field where the two records differ and picks, for each, the value
of one record or, for a list field (services, publics, e-mails…), both. The merged actor keeps the
identifier and the version read of the record chosen to stay; the other one is absorbed (the store
removes it, keeps it whole in the journal and remembers the merge).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from ecosysteme.domaine.modeles import CHAMPS_LISTES, Acteur
from ecosysteme.inventaire.tableau import LIBELLES

Choix = Literal["garde", "autre", "les deux"]

#: Fields a person never chooses in a merge (identity and management of the kept record).
GERES = frozenset(
    {"id", "version", "date_import", "provenance_fichier", "provenance_format", "provenance_auteur"}
)
#: List fields whose values can be united (« les deux »); stops of a mobile service are not.
LISTES = frozenset({*CHAMPS_LISTES, "typologie", "piliers"} - {"arrets"})
_JAMAIS = dt.date.min


def champs_differents(garde: Acteur, autre: Acteur) -> list[str]:
    """Fields (standard order) where the two records hold different values."""
    a, b = garde.model_dump(mode="json"), autre.model_dump(mode="json")
    return [c for c in Acteur.model_fields if c not in GERES and a.get(c) != b.get(c)]


def choix_par_defaut(garde: Acteur, autre: Acteur) -> dict[str, Choix]:
    """A first proposal: both values for lists, the other record's value where the kept one is
    empty, the more recently updated record's value otherwise."""
    a, b = garde.model_dump(mode="json"), autre.model_dump(mode="json")
    recent_autre = (autre.date_maj or _JAMAIS) > (garde.date_maj or _JAMAIS)
    out: dict[str, Choix] = {}
    for c in champs_differents(garde, autre):
        if c in LISTES:
            out[c] = "les deux"
        elif a.get(c) in (None, "", []) or (recent_autre and b.get(c) not in (None, "", [])):
            out[c] = "autre"
        else:
            out[c] = "garde"
    return out


def fusionner(garde: Acteur, autre: Acteur, choix: Mapping[str, Choix]) -> Acteur:
    """The merged record: ``garde``'s identifier and version, each differing field taken as
    chosen (a field not in ``choix`` keeps ``garde``'s value; « les deux » on a list field
    keeps every value once, in order)."""
    a, b = garde.model_dump(), autre.model_dump()
    fusion: dict[str, Any] = dict(a)
    for champ, quoi in choix.items():
        if champ in GERES or champ not in Acteur.model_fields:
            raise ValueError(f"champ « {champ} » : il ne se choisit pas dans une fusion")
        if quoi == "autre":
            fusion[champ] = b[champ]
        elif quoi == "les deux":
            if champ not in LISTES:
                raise ValueError(
                    f"« les deux » n'a de sens que pour une liste, pas pour {LIBELLES.get(champ, champ)}"
                )
            fusion[champ] = list(dict.fromkeys([*_liste(a[champ]), *_liste(b[champ])]))
    return Acteur(**fusion)


def _liste(v: object) -> list[Any]:
    return list(v) if isinstance(v, list | tuple) else []
