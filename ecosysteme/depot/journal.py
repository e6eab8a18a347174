"""Rows of the import batches and of the journal, and the French messages of the store's
constraints (stale version, undo refused); independent of any database engine.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from ecosysteme.depot.interface import Action, EntreeHistorique, Lot
from ecosysteme.depot.lignes import Ligne, _date, _lisible
from ecosysteme.domaine.erreurs import AnnulationImpossible, ConflitDeVersion

_CHAMPS_LOT = tuple(f.name for f in fields(Lot))


COLONNES_LOT = ", ".join(_CHAMPS_LOT)


COLONNES_JOURNAL = "id, horodatage, auteur, action, acteur_id, lot_id, avant, apres"


def json_ou_none(valeur: dict[str, Any] | None) -> str | None:
    return None if valeur is None else json.dumps(valeur, ensure_ascii=False)


def _charger_json(texte: str | None) -> dict[str, Any] | None:
    if texte is None:
        return None
    valeur: dict[str, Any] = json.loads(texte)
    return valeur


def lot_depuis_ligne(ligne: Sequence[Any]) -> Lot:
    valeurs = dict(zip(_CHAMPS_LOT, ligne, strict=True))
    valeurs["debut"] = dt.datetime.fromisoformat(valeurs["debut"])
    valeurs["fin"] = _date(valeurs["fin"])
    valeurs["annule_le"] = _date(valeurs["annule_le"])
    valeurs["rapport"] = json.loads(valeurs["rapport"])
    return Lot(**valeurs)


def entree_historique(ligne: Sequence[Any]) -> EntreeHistorique:
    ident, horodatage, auteur, action, acteur_id, lot_id, avant, apres = ligne
    moment = _date(horodatage)
    assert moment is not None
    return EntreeHistorique(
        id=ident,
        horodatage=moment,
        auteur=auteur,
        action=Action(action),
        acteur_id=acteur_id,
        lot_id=lot_id,
        avant=_charger_json(avant),
        apres=_charger_json(apres),
    )


def verifier_version(actuel: Ligne, version_lue: int, propose: dict[str, Any]) -> None:
    if actuel.version == version_lue:
        return
    nom, ident = actuel.valeurs["nom"], actuel.valeurs["id"]
    raise ConflitDeVersion(
        f"L'acteur « {nom} » ({ident}) a été modifié par {actuel.modifie_par} le "
        f"{_lisible(actuel.modifie_le)} pendant que vous l'éditiez : la version enregistrée est la "
        f"{actuel.version}, vous aviez lu la {version_lue}. Vos changements n'ont pas été enregistrés ; "
        "comparez les deux versions puis réessayez.",
        actuel=dict(actuel.valeurs),
        propose=propose,
    )


def exiger_etat(entree: EntreeHistorique, actuel: Ligne | None) -> None:
    """The stored actor must be the state the last journal entry left, else the undo is refused."""
    attendu = None if entree.apres is None else int(entree.apres["version"])
    present = None if actuel is None else actuel.version
    if attendu != present:
        raise AnnulationImpossible(
            f"Impossible d'annuler le dernier changement de l'acteur « {entree.acteur_id} » : "
            "l'état enregistré "
            f"(version {present}) n'est pas celui que ce changement a laissé (version {attendu}) — "
            "modifié hors de l'application ? Rien n'a été modifié."
        )


def details_conflit(ulterieurs: dict[str, tuple[str, str, str]], actuels: dict[str, Ligne]) -> str:
    morceaux = []
    for aid, (qui, quand, action) in list(ulterieurs.items())[:5]:
        nom = actuels[aid].valeurs["nom"] if aid in actuels else aid
        moment = f" le {_lisible(quand)}" if quand else ""
        morceaux.append(f"« {nom} » ({aid}) : {action} par {qui}{moment}")
    reste = len(ulterieurs) - len(morceaux)
    return "; ".join(morceaux) + (f" ; et {reste} autre(s)" if reste > 0 else "")


def entier_du_rapport(explicite: int | None, rapport: dict[str, Any], cle: str, defaut: int) -> int:
    if explicite is not None:
        return int(explicite)
    valeur = rapport.get(cle)
    return valeur if isinstance(valeur, int) and not isinstance(valeur, bool) else defaut
