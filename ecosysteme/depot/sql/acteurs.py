"""Actors of the store: single writes (add, edit, close, reopen, remove) and listings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import shapely

from ecosysteme.depot.interface import Action, BBox, Codes
from ecosysteme.depot.journal import verifier_version
from ecosysteme.depot.lignes import (
    INDICE_ID,
    Decodeur,
    auteur_valide,
    boite_requete,
    cadre_acteurs,
    construire_acteur,
    dans_zones,
    en_dict,
    exiger_acteur,
    horodatage_maintenant,
    sans_ramasse_miettes,
    valider_acteur,
)
from ecosysteme.depot.sql.commun import Commun
from ecosysteme.depot.sql.connexion import Curseur
from ecosysteme.depot.sql.requetes import (
    _SELECT_ACTEURS,
    _condition_codes,
    _conditions_acteurs,
    _prefiltre,
    _where,
)
from ecosysteme.domaine.erreurs import ActeurExisteDeja, Introuvable
from ecosysteme.domaine.modeles import Acteur, Categorie, Statut


class Acteurs(Commun):
    """Actors: one transaction per write, each journaled; listings by filters and zones."""

    def ajouter(self, acteur: Acteur, auteur: str) -> Acteur:
        """Store a new actor with version 1 (its own ``version`` is ignored).

        Raises :class:`ActeurExisteDeja` if the identifier is already stored.
        """
        auteur = auteur_valide(auteur)
        exiger_acteur(acteur, "ajouter")
        apres = en_dict(acteur, version=1)
        with self._ecriture() as cx:
            existant = self._lire(cx, acteur.id)
            if existant is not None:
                raise ActeurExisteDeja(
                    f"Un acteur d'identifiant « {acteur.id} » existe déjà (« {existant.valeurs['nom']} ») : "
                    "modifiez-le plutôt que de l'ajouter."
                )
            maintenant = horodatage_maintenant()
            self._inserer(cx, [apres], maintenant, auteur, None)
            self._ecrire_journal(cx, [(maintenant, auteur, Action.AJOUT, acteur.id, None, None, apres)])
            self._toucher(cx, "acteurs", maintenant)
        return valider_acteur(apres)

    def obtenir(self, acteur_id: str) -> Acteur:
        """The stored actor, fully validated; :class:`Introuvable` if absent."""
        with self._lecture() as cx:
            ligne = self._exiger(cx, acteur_id)
        return valider_acteur(ligne.valeurs)

    def modifier(self, acteur: Acteur, auteur: str) -> Acteur:
        """Save ``acteur``; ``acteur.version`` must be the version its editor read.

        If someone saved in between, raises :class:`ConflitDeVersion` (``actuel``: the stored
        state, ``propose``: this one) and changes nothing; else stores version + 1.
        """
        auteur = auteur_valide(auteur)
        exiger_acteur(acteur, "modifier")
        propose = acteur.model_dump(mode="json")
        with self._ecriture() as cx:
            actuel = self._exiger(cx, acteur.id)
            verifier_version(actuel, acteur.version, propose)
            apres = en_dict(acteur, actuel.version + 1)
            maintenant = horodatage_maintenant()
            self._mettre_a_jour(cx, [apres], maintenant, auteur, None)
            self._ecrire_journal(
                cx, [(maintenant, auteur, Action.MODIFICATION, acteur.id, None, actuel.valeurs, apres)]
            )
            self._toucher(cx, "acteurs", maintenant)
        return valider_acteur(apres)

    def fermer(self, acteur_id: str, version: int, auteur: str) -> Acteur:
        """Mark the actor « fermé » (it stays in the store and on maps of closed places).

        Already closed: nothing is written and the stored actor is returned.
        """
        return self._changer_statut(acteur_id, version, auteur, Statut.FERME, Action.FERMETURE)

    def rouvrir(self, acteur_id: str, version: int, auteur: str) -> Acteur:
        """Mark the actor « actif » again (already active: nothing is written)."""
        return self._changer_statut(acteur_id, version, auteur, Statut.ACTIF, Action.REOUVERTURE)

    def _changer_statut(
        self, acteur_id: str, version: int, auteur: str, statut: Statut, action: Action
    ) -> Acteur:
        auteur = auteur_valide(auteur)
        with self._ecriture() as cx:
            actuel = self._exiger(cx, acteur_id)
            propose = {**actuel.valeurs, "statut": statut.value, "version": version}
            verifier_version(actuel, version, propose)
            if actuel.valeurs["statut"] == statut.value:
                return valider_acteur(actuel.valeurs)
            apres = {**actuel.valeurs, "statut": statut.value, "version": actuel.version + 1}
            maintenant = horodatage_maintenant()
            self._mettre_a_jour(cx, [apres], maintenant, auteur, None)
            self._ecrire_journal(cx, [(maintenant, auteur, action, acteur_id, None, actuel.valeurs, apres)])
            self._toucher(cx, "acteurs", maintenant)
        return valider_acteur(apres)

    def fermer_plusieurs(self, acteurs: Mapping[str, int], auteur: str) -> int:
        """Close several actors (identifier → version read) in ONE transaction: all or none (a
        stale version raises :class:`ConflitDeVersion`, nothing changed). Returns how many were
        closed (those already closed are left as they are)."""
        auteur = auteur_valide(auteur)
        with self._ecriture() as cx:
            maintenant = horodatage_maintenant()
            changes: list[tuple[dict[str, Any], dict[str, Any]]] = []
            for ident, version in acteurs.items():
                actuel = self._exiger(cx, ident)
                verifier_version(actuel, version, {**actuel.valeurs, "statut": Statut.FERME.value})
                if actuel.valeurs["statut"] != Statut.FERME.value:
                    apres = {**actuel.valeurs, "statut": Statut.FERME.value, "version": actuel.version + 1}
                    changes.append((actuel.valeurs, apres))
            self._mettre_a_jour(cx, [apres for _, apres in changes], maintenant, auteur, None)
            self._ecrire_journal(
                cx,
                [
                    (maintenant, auteur, Action.FERMETURE, apres["id"], None, avant, apres)
                    for avant, apres in changes
                ],
            )
            if changes:
                self._toucher(cx, "acteurs", maintenant)
        return len(changes)

    def supprimer(self, acteur_id: str, version: int, auteur: str) -> None:
        """Remove the actor; its journal stays (and :meth:`annuler_derniere_modification` restores it)."""
        auteur = auteur_valide(auteur)
        with self._ecriture() as cx:
            actuel = self._exiger(cx, acteur_id)
            verifier_version(actuel, version, {"id": acteur_id, "version": version, "supprime": True})
            maintenant = horodatage_maintenant()
            cx.execute("DELETE FROM acteurs WHERE id = ?", (acteur_id,))
            self._ecrire_journal(
                cx, [(maintenant, auteur, Action.SUPPRESSION, acteur_id, None, actuel.valeurs, None)]
            )
            self._toucher(cx, "acteurs", maintenant)

    def lister(
        self,
        siren_epci: Codes = None,
        bbox: BBox | None = None,
        categorie: Categorie | str | None = None,
        service: str | None = None,
        statut: Statut | str | None = None,
        code_insee: str | None = None,
        inclure_fermes: bool = True,
    ) -> list[Acteur]:
        """Actors matching every filter given, ordered by ``id``.

        ``siren_epci`` (one SIREN or several): actors whose point, or one of whose stops, is
        covered by the EPCI's polygon in the ``epci`` layer (edges included) — by geometry,
        never by commune code; an actor with neither coordinates nor stops is in no EPCI.
        ``bbox``: (lon min, lat min, lon max, lat max), the same rule. ``service``: one of the
        standard's services. Stored rows are rebuilt without re-running validators (they ran
        when written): see :func:`construire_acteur`.
        """
        decodeur = Decodeur()
        with sans_ramasse_miettes():
            lignes = self._selectionner(
                siren_epci, bbox, categorie, service, statut, code_insee, inclure_fermes
            )
            return [construire_acteur(decodeur.valeurs(ligne)) for ligne in lignes]

    def acteurs_gdf(
        self,
        siren_epci: Codes = None,
        bbox: BBox | None = None,
        categorie: Categorie | str | None = None,
        service: str | None = None,
        statut: Statut | str | None = None,
        code_insee: str | None = None,
        inclure_fermes: bool = True,
    ) -> gpd.GeoDataFrame:
        """The actors of :meth:`lister` as a GeoDataFrame (Point or ``None``, EPSG:4326).

        One column per ``Acteur`` field (lists as Python lists, ``arrets`` as lists of dicts,
        ``date_maj`` as ``datetime.date``) plus ``cree_le``, ``modifie_le``, ``modifie_par``,
        ``lot_id``.
        """
        with sans_ramasse_miettes():
            lignes = self._selectionner(
                siren_epci, bbox, categorie, service, statut, code_insee, inclure_fermes
            )
            return cadre_acteurs(lignes)

    def compter(self, *, inclure_fermes: bool = True) -> int:
        """Number of stored actors (closed ones included unless ``inclure_fermes=False``)."""
        where = "" if inclure_fermes else " WHERE statut <> ?"
        params = () if inclure_fermes else (Statut.FERME.value,)
        with self._lecture() as cx:
            nombre: int = cx.execute(f"SELECT count(*) FROM acteurs{where}", params).fetchone()[0]
        return nombre

    def _selectionner(
        self,
        siren_epci: Codes,
        bbox: BBox | None,
        categorie: Categorie | str | None,
        service: str | None,
        statut: Statut | str | None,
        code_insee: str | None,
        inclure_fermes: bool,
    ) -> list[Any]:
        """Raw rows (``_SELECT_ACTEURS`` order) matching the filters, sorted by ``id``."""
        conditions = _conditions_acteurs(
            self.CONTIENT_SERVICE, categorie, service, statut, code_insee, inclure_fermes
        )
        zones = [] if bbox is None else [boite_requete(bbox)]
        with self._lecture() as cx:
            if siren_epci is not None:
                zones.append(self._zone_epci(cx, siren_epci))
            if not zones:
                where, params = _where(conditions)
                lignes: list[Any] = cx.execute(f"{_SELECT_ACTEURS}{where} ORDER BY id", params).fetchall()
                return lignes
            if any(zone.is_empty for zone in zones):
                return []
            return dans_zones(self._candidats(cx, conditions, zones), zones)

    @staticmethod
    def _candidats(cx: Curseur, conditions: list[tuple[str, list[Any]]], zones: list[Any]) -> list[Any]:
        """Rows whose own point lies in the zones' common bounding box (indexed lon/lat search),
        plus every mobile actor (few; partial index), sorted by ``id``: the exact test follows."""
        where, params = _where([*conditions, _prefiltre(zones)])
        dans_boite = cx.execute(f"{_SELECT_ACTEURS}{where}", params).fetchall()
        where, params = _where([*conditions, ("arrets <> '[]'", [])])
        mobiles = cx.execute(f"{_SELECT_ACTEURS}{where}", params).fetchall()
        uniques = {ligne[INDICE_ID]: ligne for ligne in (*dans_boite, *mobiles)}
        return [uniques[cle] for cle in sorted(uniques)]

    def _zone_epci(self, cx: Curseur, siren_epci: Codes) -> Any:
        condition, params = _condition_codes("siren_epci", siren_epci)
        lignes = cx.execute(
            f"SELECT siren_epci, {self.GEOMETRIE_LUE} FROM epci WHERE {condition or '1 = 1'}", params
        ).fetchall()
        demandes = [siren_epci] if isinstance(siren_epci, str) else list(siren_epci or [])
        absents = sorted(set(demandes) - {ligne[0] for ligne in lignes})
        if absents:
            raise Introuvable(
                f"EPCI {', '.join(absents)} absent(s) de la couche « epci » du dépôt : "
                "chargez les EPCI (remplacer_epci) ou vérifiez le SIREN."
            )
        geometries = [g for g in self._decoder([ligne[1] for ligne in lignes]) if g is not None]
        return shapely.union_all(geometries) if geometries else shapely.Polygon()
