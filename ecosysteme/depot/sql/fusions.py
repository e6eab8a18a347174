"""Duplicates in the store: merges (and their undo) and pairs marked « pas un doublon »."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecosysteme.depot.interface import Action, EntreeHistorique
from ecosysteme.depot.journal import (
    COLONNES_JOURNAL,
    entree_historique,
    exiger_etat,
    json_ou_none,
    verifier_version,
)
from ecosysteme.depot.lignes import (
    auteur_valide,
    en_dict,
    exiger_acteur,
    horodatage_maintenant,
    valider_acteur,
)
from ecosysteme.depot.sql.commun import Commun
from ecosysteme.depot.sql.connexion import Curseur
from ecosysteme.domaine.erreurs import AnnulationImpossible, DonneeInvalide
from ecosysteme.domaine.modeles import Acteur


class Fusions(Commun):
    """Merges of duplicates and « pas un doublon » pairs."""

    def fusionner(self, garde: Acteur, absorbes: Mapping[str, int], auteur: str) -> Acteur:
        """Merge duplicates in ONE transaction: ``garde`` (its fields as chosen, field by field,
        by the person merging; ``garde.version`` the version they read) is saved, each absorbed
        actor (identifier → version read) is removed; the journal keeps every absorbed record
        whole (provenance), and :meth:`fusions` maps each absorbed identifier to the kept one, so
        that re-importing its source does not bring the duplicate back. A stale version raises
        :class:`ConflitDeVersion` and nothing changes. Undo: :meth:`annuler_derniere_modification`
        on the kept actor restores all of them."""
        auteur = auteur_valide(auteur)
        exiger_acteur(garde, "fusionner")
        if not absorbes:
            raise DonneeInvalide("Fusion : choisissez au moins un doublon à absorber.")
        if garde.id in absorbes:
            raise DonneeInvalide(f"Fusion : l'acteur gardé « {garde.id} » ne peut pas s'absorber lui-même.")
        with self._ecriture() as cx:
            actuel = self._exiger(cx, garde.id)
            verifier_version(actuel, garde.version, garde.model_dump(mode="json"))
            autres = []
            for ident, version in absorbes.items():
                ligne = self._exiger(cx, ident)
                verifier_version(ligne, version, {"id": ident, "version": version, "fusion": garde.id})
                autres.append(ligne)
            apres = en_dict(garde, actuel.version + 1)
            maintenant = horodatage_maintenant()
            self._mettre_a_jour(cx, [apres], maintenant, auteur, None)
            curseur = cx.execute(
                "INSERT INTO journal (horodatage, auteur, action, acteur_id, lot_id, avant, apres) "
                "VALUES (?, ?, ?, ?, NULL, ?, ?) RETURNING id",
                (
                    maintenant,
                    auteur,
                    Action.FUSION.value,
                    garde.id,
                    json_ou_none(actuel.valeurs),
                    json_ou_none(apres),
                ),
            )
            journal_id = int(curseur.fetchone()[0])
            cx.executemany("DELETE FROM acteurs WHERE id = ?", [(a.valeurs["id"],) for a in autres])
            self._ecrire_journal(
                cx,
                [(maintenant, auteur, Action.FUSION, a.valeurs["id"], None, a.valeurs, None) for a in autres],
            )
            # an actor absorbed earlier into one now absorbed follows it to the kept one
            cx.executemany(
                "UPDATE fusions SET garde = ? WHERE garde = ?", [(garde.id, a.valeurs["id"]) for a in autres]
            )
            cx.executemany(
                "INSERT INTO fusions (absorbe, garde, journal_id, auteur, horodatage) VALUES (?, ?, ?, ?, ?)",
                [(a.valeurs["id"], garde.id, journal_id, auteur, maintenant) for a in autres],
            )
            self._toucher(cx, "acteurs", maintenant)
        return valider_acteur(apres)

    def fusions(self) -> dict[str, str]:
        """Absorbed actor identifier → identifier of the actor kept in its place."""
        with self._lecture() as cx:
            return dict(cx.execute("SELECT absorbe, garde FROM fusions ORDER BY fid").fetchall())

    @staticmethod
    def _journal_fusion(cx: Curseur, entree: EntreeHistorique) -> int:
        """The journal id of the merge an entry belongs to (kept actor's entry or an absorbed one's)."""
        if entree.apres is None:  # an absorbed actor's entry: the merge that absorbed it
            requete = "SELECT journal_id FROM fusions WHERE journal_id = ? OR absorbe = ? LIMIT 1"
            ligne = cx.execute(requete, (entree.id, entree.acteur_id)).fetchone()
        else:
            ligne = cx.execute(
                "SELECT journal_id FROM fusions WHERE journal_id = ? LIMIT 1", (entree.id,)
            ).fetchone()
        if ligne is None:
            raise AnnulationImpossible(
                f"La fusion qui a touché « {entree.acteur_id} » a déjà été annulée ou remplacée : "
                "rien n'a été modifié."
            )
        return int(ligne[0])

    def _annuler_fusion(self, cx: Curseur, journal_id: int, auteur: str) -> dict[str, Any] | None:
        """Restore the kept actor and every absorbed one of the merge ``journal_id``, provided
        none of them changed since (else :class:`AnnulationImpossible`, nothing changed)."""
        entree = entree_historique(
            cx.execute(f"SELECT {COLONNES_JOURNAL} FROM journal WHERE id = ?", (journal_id,)).fetchone()
        )
        garde_id = str(entree.acteur_id)
        derniere = cx.execute("SELECT max(id) FROM journal WHERE acteur_id = ?", (garde_id,)).fetchone()[0]
        actuel = self._lire(cx, garde_id)
        if derniere != journal_id:
            raise AnnulationImpossible(
                f"« {garde_id} » a été modifié après la fusion : annulez d'abord ces changements. "
                "Rien n'a été modifié."
            )
        exiger_etat(entree, actuel)
        absorbes = [
            r[0] for r in cx.execute("SELECT absorbe FROM fusions WHERE journal_id = ?", (journal_id,))
        ]
        maintenant = horodatage_maintenant()
        restaures: list[tuple[str, dict[str, Any] | None, dict[str, Any]]] = []
        for ident in absorbes:
            ligne = cx.execute(
                f"SELECT {COLONNES_JOURNAL} FROM journal WHERE acteur_id = ? ORDER BY id DESC LIMIT 1",
                (ident,),
            ).fetchone()
            sienne = entree_historique(ligne)
            if sienne.action != Action.FUSION or self._lire(cx, ident) is not None:
                raise AnnulationImpossible(
                    f"« {ident} », absorbé par la fusion, a été recréé ou modifié depuis : "
                    "rien n'a été modifié."
                )
            assert sienne.avant is not None
            restaure = en_dict(valider_acteur(sienne.avant), int(sienne.avant["version"]) + 1)
            self._inserer(cx, [restaure], maintenant, auteur, None)
            restaures.append((ident, None, restaure))
        garde = self._restaurer(cx, entree, actuel, maintenant, auteur)
        restaures.append((garde_id, None if actuel is None else actuel.valeurs, garde or {}))
        cx.execute("DELETE FROM fusions WHERE journal_id = ?", (journal_id,))
        self._ecrire_journal(
            cx,
            [
                (maintenant, auteur, Action.ANNULATION, ident, None, avant, apres)
                for ident, avant, apres in restaures
            ],
        )
        self._toucher(cx, "acteurs", maintenant)
        return garde

    def marquer_non_doublon(self, id_a: str, id_b: str, auteur: str) -> None:
        """Remember that two actors are not the same place (never proposed again as a pair)."""
        auteur = auteur_valide(auteur)
        if id_a == id_b:
            raise DonneeInvalide("Un acteur ne peut pas être marqué « pas un doublon » de lui-même.")
        a, b = sorted((id_a, id_b))
        with self._ecriture() as cx:
            cx.execute(
                "INSERT INTO non_doublons (id_a, id_b, auteur, horodatage) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id_a, id_b) DO NOTHING",
                (a, b, auteur, horodatage_maintenant()),
            )

    def non_doublons(self) -> set[tuple[str, str]]:
        """Pairs (smaller id, larger id) marked « pas un doublon »."""
        with self._lecture() as cx:
            return {(a, b) for a, b in cx.execute("SELECT id_a, id_b FROM non_doublons")}
