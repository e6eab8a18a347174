"""Import batches of the store: one transaction each, undone whole."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ecosysteme.depot.interface import Action, Lot
from ecosysteme.depot.journal import COLONNES_LOT, details_conflit, entier_du_rapport, lot_depuis_ligne
from ecosysteme.depot.lignes import (
    Ligne,
    auteur_valide,
    en_dict,
    horodatage_maintenant,
    meme_contenu,
    valider_acteur,
)
from ecosysteme.depot.sql.commun import Commun
from ecosysteme.depot.sql.connexion import Curseur
from ecosysteme.domaine.erreurs import AnnulationImpossible, DonneeInvalide, Introuvable
from ecosysteme.domaine.modeles import Acteur, Statut


class Lots(Commun):
    """Import batches: upsert, simulation, undo, listing."""

    def importer_lot(
        self,
        acteurs: Sequence[Acteur],
        *,
        fichier: str,
        format: str,
        sha256: str,
        auteur: str,
        rapport: dict[str, Any],
        lignes_lues: int | None = None,
        rejetees: int | None = None,
    ) -> Lot:
        """Upsert ``acteurs`` as one batch, in ONE transaction, and return the ``Lot``.

        New identifiers are inserted with version 1; stored ones are updated (version + 1)
        unless their content is identical (``date_import`` aside), in which case they are left
        untouched and counted in ``inchanges``. A closed actor stays closed (its other fields
        are updated), and an identifier absorbed by a merge (:meth:`fusionner`) is skipped
        (counted in ``inchanges``): an import never undoes a person's decision. Each change
        gets a journal entry (``import``, before / after, lot id). Two actors with the same
        identifier, or an element that is not an ``Acteur``, refuse the whole batch (nothing
        written). ``rejetees`` / ``lignes_lues``
        default to ``rapport["rejetees"]`` / ``rapport["lignes_lues"]`` when those are integers,
        else 0 / accepted + rejected.
        """
        auteur = auteur_valide(auteur)
        rapport_json = json.dumps(rapport, ensure_ascii=False, default=str)
        with self._ecriture() as cx:
            maintenant = horodatage_maintenant()
            curseur = cx.execute(
                "INSERT INTO lots_import (fichier, format, sha256, auteur, debut, rapport) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (fichier, format, sha256, auteur, maintenant, rapport_json),
            )
            lot_id = int(curseur.fetchone()[0])
            nouveaux, modifies, inchanges = self._trier_lot(cx, acteurs)
            self._inserer(cx, [apres for _, apres in nouveaux], maintenant, auteur, lot_id)
            self._mettre_a_jour(cx, [apres for _, apres in modifies], maintenant, auteur, lot_id)
            self._ecrire_journal(
                cx,
                (
                    (maintenant, auteur, Action.IMPORT, apres["id"], lot_id, avant, apres)
                    for avant, apres in (*nouveaux, *modifies)
                ),
            )
            rejets = entier_du_rapport(rejetees, rapport, "rejetees", 0)
            lues = entier_du_rapport(lignes_lues, rapport, "lignes_lues", len(acteurs) + rejets)
            cx.execute(
                "UPDATE lots_import SET fin = ?, lignes_lues = ?, acceptees = ?, rejetees = ?, crees = ?, "
                "mis_a_jour = ?, inchanges = ? WHERE id = ?",
                (
                    horodatage_maintenant(),
                    lues,
                    len(acteurs),
                    rejets,
                    len(nouveaux),
                    len(modifies),
                    inchanges,
                    lot_id,
                ),
            )
            self._toucher(cx, "acteurs", maintenant)
            return self._lot(cx, lot_id)

    def simuler_lot(self, acteurs: Sequence[Acteur]) -> tuple[int, int, int]:
        """(created, updated, unchanged) if ``acteurs`` were imported by :meth:`importer_lot` now,
        by the same rules; nothing is written."""
        with self._lecture() as cx:
            nouveaux, modifies, inchanges = self._trier_lot(cx, acteurs)
        return len(nouveaux), len(modifies), inchanges

    def _trier_lot(
        self, cx: Curseur, acteurs: Sequence[Acteur]
    ) -> tuple[list[tuple[None, dict[str, Any]]], list[tuple[dict[str, Any], dict[str, Any]]], int]:
        """Split a batch into (new), (before, after) updates and the count of unchanged ones."""
        dicts: list[dict[str, Any]] = []
        vus: set[str] = set()
        for rang, acteur in enumerate(acteurs, start=1):
            if not isinstance(acteur, Acteur):
                raise DonneeInvalide(
                    f"L'élément n° {rang} du lot n'est pas un acteur ({type(acteur).__name__}) : "
                    "lot refusé, rien n'a été enregistré."
                )
            if acteur.id in vus:
                raise DonneeInvalide(
                    f"L'identifiant « {acteur.id} » apparaît deux fois dans le lot (élément n° {rang}) : "
                    "lot refusé, rien n'a été enregistré."
                )
            vus.add(acteur.id)
            dicts.append(acteur.model_dump(mode="json"))
        existants = self._lire_plusieurs(cx, [d["id"] for d in dicts])
        absorbes = {r[0] for r in cx.execute("SELECT absorbe FROM fusions")}
        nouveaux: list[tuple[None, dict[str, Any]]] = []
        modifies: list[tuple[dict[str, Any], dict[str, Any]]] = []
        inchanges = 0
        for d in dicts:
            existant = existants.get(d["id"])
            if d["id"] in absorbes:  # merged into another actor by a person: not brought back
                inchanges += 1
                continue
            if existant is not None and existant.valeurs["statut"] == Statut.FERME.value:
                d["statut"] = Statut.FERME.value  # closed by a person: an import does not reopen it
            if existant is None:
                nouveaux.append((None, {**d, "version": 1}))
            elif meme_contenu(existant.valeurs, d):
                inchanges += 1
            else:
                modifies.append((existant.valeurs, {**d, "version": existant.version + 1}))
        return nouveaux, modifies, inchanges

    def annuler_lot(self, lot_id: int, auteur: str) -> Lot:
        """Undo a batch in ONE transaction: remove the actors it created, restore those it updated.

        Refused with :class:`AnnulationImpossible` (nothing changed) if the batch is already
        undone or if any of its actors changed after it; the message names them. Restored
        actors get a new version (versions never go back) and ``lot_id`` NULL.
        """
        auteur = auteur_valide(auteur)
        with self._ecriture() as cx:
            lot = self._lot(cx, lot_id)
            if lot.annule_le is not None:
                raise AnnulationImpossible(
                    f"Le lot n° {lot_id} (« {lot.fichier} ») a déjà été annulé le "
                    f"{lot.annule_le:%d/%m/%Y à %H:%M} par {lot.annule_par}."
                )
            entrees = cx.execute(
                "SELECT id, acteur_id, avant, apres FROM journal WHERE lot_id = ? AND action = ? ORDER BY id",
                (lot_id, Action.IMPORT.value),
            ).fetchall()
            actuels = self._lire_plusieurs(cx, [e[1] for e in entrees])
            self._refuser_si_change(cx, lot, entrees, actuels)
            maintenant = horodatage_maintenant()
            journal = self._restaurer_lot(cx, entrees, actuels, maintenant, auteur)
            self._ecrire_journal(
                cx, ((maintenant, auteur, Action.ANNULATION, aid, lot_id, av, ap) for aid, av, ap in journal)
            )
            cx.execute(
                "UPDATE lots_import SET annule_le = ?, annule_par = ? WHERE id = ?",
                (maintenant, auteur, lot_id),
            )
            self._toucher(cx, "acteurs", maintenant)
            return self._lot(cx, lot_id)

    def _refuser_si_change(
        self, cx: Curseur, lot: Lot, entrees: list[Any], actuels: dict[str, Ligne]
    ) -> None:
        """Refuse the undo if an actor of the batch was written (or removed) after it."""
        if not entrees:
            return
        ulterieurs: dict[str, tuple[str, str, str]] = {}
        requete = (
            "SELECT acteur_id, auteur, horodatage, action FROM journal WHERE id > ? AND acteur_id IN "
            "(SELECT acteur_id FROM journal WHERE lot_id = ? AND action = ?) ORDER BY id"
        )
        for aid, qui, quand, action in cx.execute(requete, (entrees[-1][0], lot.id, Action.IMPORT.value)):
            ulterieurs.setdefault(aid, (qui, quand, action))
        for _, aid, _, apres in entrees:
            actuel = actuels.get(aid)
            version = json.loads(apres)["version"]
            if aid not in ulterieurs and (actuel is None or actuel.version != version):
                ulterieurs[aid] = ("une écriture hors de l'application", "", "modification")
        if ulterieurs:
            raise AnnulationImpossible(
                f"Le lot n° {lot.id} (« {lot.fichier} ») ne peut pas être annulé : "
                f"{len(ulterieurs)} acteur(s) ont changé depuis — {details_conflit(ulterieurs, actuels)}. "
                "Annulez ou reprenez d'abord ces changements ; rien n'a été modifié."
            )

    def _restaurer_lot(
        self,
        cx: Curseur,
        entrees: list[Any],
        actuels: dict[str, Ligne],
        maintenant: str,
        auteur: str,
    ) -> list[tuple[str, dict[str, Any] | None, dict[str, Any] | None]]:
        """Delete what the batch created, rewrite what it updated; returns journal material."""
        crees = [aid for _, aid, avant, _ in entrees if avant is None]
        restaures: list[dict[str, Any]] = []
        for _, aid, avant, _ in entrees:
            if avant is not None:
                ancien = valider_acteur(json.loads(avant))
                restaures.append(en_dict(ancien, actuels[aid].version + 1))
        cx.executemany("DELETE FROM acteurs WHERE id = ?", ((aid,) for aid in crees))
        self._mettre_a_jour(cx, restaures, maintenant, auteur, None)
        return [(aid, actuels[aid].valeurs, None) for aid in crees] + [
            (d["id"], actuels[d["id"]].valeurs, d) for d in restaures
        ]

    def lots(self) -> list[Lot]:
        """Every import batch, newest first."""
        with self._lecture() as cx:
            lignes = cx.execute(f"SELECT {COLONNES_LOT} FROM lots_import ORDER BY id DESC").fetchall()
        return [lot_depuis_ligne(ligne) for ligne in lignes]

    @staticmethod
    def _lot(cx: Curseur, lot_id: int) -> Lot:
        ligne = cx.execute(f"SELECT {COLONNES_LOT} FROM lots_import WHERE id = ?", (lot_id,)).fetchone()
        if ligne is None:
            raise Introuvable(f"Aucun lot d'import n° {lot_id} dans le dépôt.")
        return lot_depuis_ligne(ligne)
