"""What-if scenarios saved by name, and the import wizard's column mappings per source."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from ecosysteme.depot.lignes import auteur_valide, horodatage_maintenant
from ecosysteme.depot.sql.commun import Commun
from ecosysteme.domaine.erreurs import DonneeInvalide, Introuvable


class Scenarios(Commun):
    """Scenarios (JSON by name) and column mappings (per source)."""

    def enregistrer_scenario(self, nom: str, contenu: str, auteur: str) -> None:
        """Save (or replace) a named scenario (``contenu``: its JSON), in one transaction."""
        auteur = auteur_valide(auteur)
        nom = " ".join(str(nom).split())
        if not nom:
            raise DonneeInvalide("Un scénario doit avoir un nom pour être enregistré.")
        try:  # refuse anything that is not JSON before writing
            json.loads(contenu)
        except json.JSONDecodeError as exc:
            raise DonneeInvalide(
                f"Scénario « {nom} » : contenu illisible ({exc.msg}), rien n'a été enregistré."
            ) from exc
        with self._ecriture() as cx:
            cx.execute(
                "INSERT INTO scenarios (nom, contenu, auteur, horodatage) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (nom) DO UPDATE SET contenu = excluded.contenu, auteur = excluded.auteur, "
                "horodatage = excluded.horodatage",
                (nom, contenu, auteur, horodatage_maintenant()),
            )

    def scenarios(self) -> list[tuple[str, str, str, dt.datetime]]:
        """Saved scenarios: (name, JSON, author, saved at), newest first."""
        with self._lecture() as cx:
            lignes = cx.execute(
                "SELECT nom, contenu, auteur, horodatage FROM scenarios ORDER BY horodatage DESC, nom"
            ).fetchall()
        return [(n, c, a, dt.datetime.fromisoformat(h)) for n, c, a, h in lignes]

    def supprimer_scenario(self, nom: str) -> None:
        """Forget a saved scenario (nothing else changes)."""
        with self._ecriture() as cx:
            if cx.execute("DELETE FROM scenarios WHERE nom = ?", (" ".join(str(nom).split()),)).rowcount == 0:
                raise Introuvable(f"Aucun scénario nommé « {nom} ».")

    def correspondance(self, source: str) -> dict[str, str] | None:
        """The column mapping (standard field → column of the file) remembered for a source."""
        with self._lecture() as cx:
            ligne = cx.execute(
                "SELECT colonnes FROM correspondances WHERE source = ?", (" ".join(str(source).split()),)
            ).fetchone()
        return None if ligne is None else {str(k): str(v) for k, v in json.loads(ligne[0]).items()}

    def memoriser_correspondance(self, source: str, correspondance: Mapping[str, str], auteur: str) -> None:
        """Remember (or replace) the column mapping of a source, in one transaction."""
        auteur = auteur_valide(auteur)
        source = " ".join(str(source).split())
        if not source:
            raise DonneeInvalide(
                "Nom de source vide : donnez un nom à cette source pour retrouver sa correspondance."
            )
        colonnes = json.dumps({str(k): str(v) for k, v in correspondance.items()}, ensure_ascii=False)
        with self._ecriture() as cx:
            cx.execute(
                "INSERT INTO correspondances (source, colonnes, auteur, horodatage) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (source) DO UPDATE SET colonnes = excluded.colonnes, auteur = excluded.auteur, "
                "horodatage = excluded.horodatage",
                (source, colonnes, auteur, horodatage_maintenant()),
            )
