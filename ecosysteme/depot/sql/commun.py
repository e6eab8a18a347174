"""Reads and writes of actor rows and journal entries shared by the store's concerns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely

from ecosysteme.depot.interface import Action, EntreeHistorique
from ecosysteme.depot.journal import json_ou_none
from ecosysteme.depot.lignes import Ligne, decoder_ligne, en_dict, valeurs_sql, valider_acteur
from ecosysteme.depot.sql.connexion import Connexion, Curseur
from ecosysteme.depot.sql.requetes import _PAQUET, _SELECT_ACTEURS, insert_acteur, update_acteur
from ecosysteme.domaine.erreurs import Introuvable


class Commun(Connexion):
    """Actor rows in and out, the journal, the ``last_change`` of a table, a restore."""

    def _ecrire_journal(
        self,
        cx: Curseur,
        entrees: Iterable[
            tuple[str, str, Action, str | None, int | None, dict[str, Any] | None, dict[str, Any] | None]
        ],
    ) -> None:
        """Append audit entries (horodatage, auteur, action, acteur_id, lot_id, avant, apres)."""
        cx.executemany(
            "INSERT INTO journal (horodatage, auteur, action, acteur_id, lot_id, avant, apres) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (quand, qui, action.value, acteur_id, lot_id, json_ou_none(avant), json_ou_none(apres))
                for quand, qui, action, acteur_id, lot_id, avant, apres in entrees
            ),
        )

    def _points(self, dicts: Sequence[dict[str, Any]]) -> list[Any]:
        """The geometry parameters of actor rows (their own point; none without coordinates)."""
        if not dicts:
            return []
        lon = np.array([d["longitude"] for d in dicts], dtype=float)
        lat = np.array([d["latitude"] for d in dicts], dtype=float)
        points = shapely.points(lon, lat)
        points[np.isnan(lon) | np.isnan(lat)] = None
        return self._encoder(points)

    def _inserer(
        self,
        cx: Curseur,
        dicts: Sequence[dict[str, Any]],
        maintenant: str,
        auteur: str,
        lot_id: int | None,
    ) -> None:
        blobs = self._points(dicts)
        cx.executemany(
            insert_acteur(self.GEOMETRIE_ECRITE),
            (
                [blob, *valeurs_sql(d), maintenant, maintenant, auteur, lot_id]
                for blob, d in zip(blobs, dicts, strict=True)
            ),
        )

    def _mettre_a_jour(
        self,
        cx: Curseur,
        dicts: Sequence[dict[str, Any]],
        maintenant: str,
        auteur: str,
        lot_id: int | None,
    ) -> None:
        blobs = self._points(dicts)
        cx.executemany(
            update_acteur(self.GEOMETRIE_ECRITE),
            (
                [blob, *valeurs_sql(d)[1:], maintenant, auteur, lot_id, d["id"]]
                for blob, d in zip(blobs, dicts, strict=True)
            ),
        )

    @staticmethod
    def _lire(cx: Curseur, acteur_id: str) -> Ligne | None:
        ligne = cx.execute(f"{_SELECT_ACTEURS} WHERE id = ?", (acteur_id,)).fetchone()
        return None if ligne is None else decoder_ligne(ligne)

    def _exiger(self, cx: Curseur, acteur_id: str) -> Ligne:
        ligne = self._lire(cx, acteur_id)
        if ligne is None:
            raise Introuvable(f"Aucun acteur d'identifiant « {acteur_id} » dans le dépôt.")
        return ligne

    @staticmethod
    def _lire_plusieurs(cx: Curseur, ids: Sequence[str]) -> dict[str, Ligne]:
        lignes: dict[str, Ligne] = {}
        for debut in range(0, len(ids), _PAQUET):
            paquet = ids[debut : debut + _PAQUET]
            requete = f"{_SELECT_ACTEURS} WHERE id IN ({', '.join('?' * len(paquet))})"
            for brute in cx.execute(requete, paquet):
                ligne = decoder_ligne(brute)
                lignes[ligne.valeurs["id"]] = ligne
        return lignes

    def _restaurer(
        self,
        cx: Curseur,
        entree: EntreeHistorique,
        actuel: Ligne | None,
        maintenant: str,
        auteur: str,
    ) -> dict[str, Any] | None:
        if entree.avant is None:
            cx.execute("DELETE FROM acteurs WHERE id = ?", (entree.acteur_id,))
            return None
        ancien = valider_acteur(entree.avant)
        if actuel is None:
            restaure = en_dict(ancien, int(entree.avant["version"]) + 1)
            self._inserer(cx, [restaure], maintenant, auteur, None)
        else:
            restaure = en_dict(ancien, actuel.version + 1)
            self._mettre_a_jour(cx, [restaure], maintenant, auteur, None)
        return restaure
