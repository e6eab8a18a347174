"""History of an actor (its journal entries) and the undo of its last change."""

from __future__ import annotations

from ecosysteme.depot.interface import Action, EntreeHistorique
from ecosysteme.depot.journal import COLONNES_JOURNAL, entree_historique, exiger_etat
from ecosysteme.depot.lignes import auteur_valide, horodatage_maintenant, valider_acteur
from ecosysteme.depot.sql.fusions import Fusions
from ecosysteme.domaine.erreurs import Introuvable
from ecosysteme.domaine.modeles import Acteur


class Historique(Fusions):
    """An actor's journal, newest first, and the undo of its last change (a merge undone whole)."""

    def historique(self, acteur_id: str) -> list[EntreeHistorique]:
        """Journal entries of one actor, newest first (empty if it never existed)."""
        with self._lecture() as cx:
            lignes = cx.execute(
                f"SELECT {COLONNES_JOURNAL} FROM journal WHERE acteur_id = ? ORDER BY id DESC", (acteur_id,)
            ).fetchall()
        return [entree_historique(ligne) for ligne in lignes]

    def annuler_derniere_modification(self, acteur_id: str, auteur: str) -> Acteur | None:
        """Restore the state before the actor's last journaled change, in one transaction.

        Undoing a creation removes the actor (returns ``None``); undoing a removal restores it.
        The undo is itself journaled (``annulation``), so undoing twice redoes. Restored states
        get a new version. Refused if the stored actor is not the state that entry left.
        """
        auteur = auteur_valide(auteur)
        with self._ecriture() as cx:
            ligne = cx.execute(
                f"SELECT {COLONNES_JOURNAL} FROM journal WHERE acteur_id = ? ORDER BY id DESC LIMIT 1",
                (acteur_id,),
            ).fetchone()
            if ligne is None:
                raise Introuvable(f"Aucun changement journalisé pour l'acteur « {acteur_id} ».")
            entree = entree_historique(ligne)
            if entree.action == Action.FUSION:  # a merge is undone whole (kept + absorbed actors)
                garde = self._annuler_fusion(cx, self._journal_fusion(cx, entree), auteur)
                return None if garde is None or garde["id"] != acteur_id else valider_acteur(garde)
            actuel = self._lire(cx, acteur_id)
            exiger_etat(entree, actuel)
            maintenant = horodatage_maintenant()
            restaure = self._restaurer(cx, entree, actuel, maintenant, auteur)
            avant = None if actuel is None else actuel.valeurs
            self._ecrire_journal(
                cx, [(maintenant, auteur, Action.ANNULATION, acteur_id, entree.lot_id, avant, restaure)]
            )
            self._toucher(cx, "acteurs", maintenant)
        return None if restaure is None else valider_acteur(restaure)
