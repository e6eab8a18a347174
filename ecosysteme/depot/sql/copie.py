"""Copy a whole store into another, between any two SQL backends (GeoPackage ↔ PostGIS), then
verify it: the same number of rows and the same checksum per table.

Everything is copied — actors (with who created and changed them, when, in which batch),
territory layers and their state, import batches, the journal, merges, « pas un doublon »,
scenarios and column mappings — in ONE write transaction of the destination: all or nothing.
Identifiers of batches and journal entries are kept (merges and actors refer to them).

The checksum of a table is the SHA-256 of its rows in key order, each value in a canonical
form that does not depend on the backend: geometries as 2D WKB, JSON documents parsed and
written again with sorted keys, numbers as written by ``repr``, the rest as text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from ecosysteme.depot.couches import COUCHES_TERRITOIRE
from ecosysteme.depot.journal import COLONNES_JOURNAL, COLONNES_LOT
from ecosysteme.depot.lignes import CHAMPS_ACTEUR, horodatage_maintenant
from ecosysteme.depot.sql.connexion import Connexion, Curseur
from ecosysteme.domaine.erreurs import DonneeInvalide, ErreurEcosysteme

#: Keys of ``meta`` that describe the store itself (never copied: the destination has its own;
#: so are PostGIS's ``modifie_le:<table>``, its record of when each table last changed).
META_PROPRES = ("application", "version_schema", "cree_le", "version_donnees")

#: Columns holding a JSON document or list (compared parsed).
_JSON = frozenset(("avant", "apres", "rapport", "contenu", "colonnes", "arrets", "piliers"))


@dataclass(frozen=True)
class Table:
    """A table copied: its name, key (the copy and the checksum follow it), columns, and
    whether it has a ``geom`` column."""

    nom: str
    cle: str
    colonnes: tuple[str, ...]
    geometrie: bool = False
    #: A condition on the rows copied (``meta``: the store's own keys stay).
    condition: str = ""


def _noms(texte: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in texte.split(","))


TABLES: tuple[Table, ...] = (
    Table("lots_import", "id", _noms(COLONNES_LOT)),
    Table("journal", "id", _noms(COLONNES_JOURNAL)),
    Table(
        "acteurs", "id", (*CHAMPS_ACTEUR, "cree_le", "modifie_le", "modifie_par", "lot_id"), geometrie=True
    ),
    *(Table(c.nom, c.cle, tuple(col.nom for col in c.colonnes), geometrie=True) for c in COUCHES_TERRITOIRE),
    Table("fusions", "absorbe", ("absorbe", "garde", "journal_id", "auteur", "horodatage")),
    Table("non_doublons", "id_a, id_b", ("id_a", "id_b", "auteur", "horodatage")),
    Table("correspondances", "source", ("source", "colonnes", "auteur", "horodatage")),
    Table("scenarios", "nom", ("nom", "contenu", "auteur", "horodatage")),
    Table(
        "meta",
        "cle",
        ("cle", "valeur"),
        condition=f"cle NOT IN ({', '.join(repr(c) for c in META_PROPRES)}) AND cle NOT LIKE 'modifie_le:%'",
    ),
)

#: Tables whose ``id`` is generated: their counters follow the copied identifiers.
IDENTIFIANTS = ("lots_import", "journal")


@dataclass(frozen=True)
class Controle:
    """One table compared after a copy."""

    table: str
    lignes_source: int
    lignes_destination: int
    somme_source: str
    somme_destination: str

    @property
    def identique(self) -> bool:
        return (self.lignes_source, self.somme_source) == (self.lignes_destination, self.somme_destination)


def _lire(depot: Connexion, cx: Curseur, table: Table) -> list[list[Any]]:
    """The rows of ``table`` in key order, geometries decoded (shapely, ``None`` kept)."""
    colonnes = ", ".join(((depot.GEOMETRIE_LUE,) if table.geometrie else ()) + table.colonnes)
    where = f" WHERE {table.condition}" if table.condition else ""
    lignes = [list(r) for r in cx.execute(f"SELECT {colonnes} FROM {table.nom}{where} ORDER BY {table.cle}")]
    if table.geometrie and lignes:
        for ligne, geometrie in zip(lignes, depot._decoder([r[0] for r in lignes]), strict=True):
            ligne[0] = geometrie
    return lignes


def _canonique(colonne: str, valeur: Any) -> Any:
    if valeur is None:
        return None
    if colonne == "geom":
        return shapely.to_wkb(valeur, output_dimension=2, byte_order=1, hex=True)
    if colonne in _JSON or (isinstance(valeur, str) and valeur[:1] in "[{" and colonne in CHAMPS_ACTEUR):
        try:
            return json.dumps(json.loads(valeur), sort_keys=True, ensure_ascii=False)
        except (TypeError, json.JSONDecodeError):
            return str(valeur)
    if isinstance(valeur, float):
        return repr(valeur)
    if isinstance(valeur, bool | int | np.integer):
        return int(valeur)
    return str(valeur)


def somme(table: Table, lignes: Sequence[Sequence[Any]]) -> str:
    """The SHA-256 of rows read by :func:`_lire` (canonical values, in key order)."""
    noms = (("geom",) if table.geometrie else ()) + table.colonnes
    empreinte = hashlib.sha256()
    for ligne in lignes:
        valeurs = [_canonique(n, v) for n, v in zip(noms, ligne, strict=True)]
        empreinte.update(json.dumps(valeurs, ensure_ascii=False).encode("utf-8"))
        empreinte.update(b"\n")
    return empreinte.hexdigest()


def _etendue(lignes: list[list[Any]]) -> tuple[float | None, ...]:
    geometries = [ligne[0] for ligne in lignes if ligne[0] is not None and not ligne[0].is_empty]
    if not geometries:
        return (None, None, None, None)
    return tuple(float(x) for x in shapely.total_bounds(geometries))


def _vider(cx: Curseur) -> None:
    for table in reversed(TABLES):
        where = f" WHERE {table.condition}" if table.condition else ""
        cx.execute(f"DELETE FROM {table.nom}{where}")


def _ecrire(destination: Connexion, cx: Curseur, table: Table, lignes: list[list[Any]]) -> None:
    if not lignes:
        return
    if table.geometrie:
        geometries = np.empty(len(lignes), dtype=object)
        geometries[:] = [ligne[0] for ligne in lignes]
        codes = destination._encoder(geometries)
        lignes = [[code, *ligne[1:]] for code, ligne in zip(codes, lignes, strict=True)]
    marques = ((destination.GEOMETRIE_ECRITE,) if table.geometrie else ()) + ("?",) * len(table.colonnes)
    noms = (("geom",) if table.geometrie else ()) + table.colonnes
    cx.executemany(f"INSERT INTO {table.nom} ({', '.join(noms)}) VALUES ({', '.join(marques)})", lignes)


def copier(source: Connexion, destination: Connexion, *, remplacer: bool = False) -> list[Controle]:
    """Copy every table of ``source`` into ``destination`` in one transaction, then compare.

    ``destination`` must hold nothing (no territory, actor, batch, journal entry…), unless
    ``remplacer`` (a restore):
    then its content is deleted in the same transaction. Returns one :class:`Controle` per
    table; raises :class:`ErreurEcosysteme` (nothing kept) if any differs.
    """
    with source._lecture() as cx:
        contenu = {t.nom: _lire(source, cx, t) for t in TABLES}
    if not destination.ACCEPTE_NUL:
        _refuser_nul(contenu, destination.nom_depot)
    with destination._ecriture() as cx:
        if not remplacer:
            occupees = [
                t
                for t in (table.nom for table in TABLES if table.nom != "meta")
                if cx.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            ]
            if occupees:
                raise DonneeInvalide(
                    f"Le dépôt de destination « {destination.nom_depot} » n'est pas vide "
                    f"({', '.join(occupees)}) : copiez dans un dépôt neuf, rien n'a été écrit."
                )
        else:
            _vider(cx)
        maintenant = horodatage_maintenant()
        for table in TABLES:
            _ecrire(destination, cx, table, contenu[table.nom])
            if table.geometrie:
                destination._toucher(cx, table.nom, maintenant, _etendue(contenu[table.nom]))
        destination._suivre_identifiants(cx, IDENTIFIANTS)
        controles = _comparer(destination, cx, contenu)
        differents = [c.table for c in controles if not c.identique]
        if differents:
            raise ErreurEcosysteme(
                f"Copie vers « {destination.nom_depot} » annulée : les tables {', '.join(differents)} "
                "diffèrent de la source une fois écrites ; rien n'a été gardé."
            )
    return controles


def _refuser_nul(contenu: dict[str, list[list[Any]]], nom: str) -> None:
    """Refuse, naming the first place, a text holding NUL that the destination cannot store."""
    for table in TABLES:
        noms = (("geom",) if table.geometrie else ()) + table.colonnes
        for ligne in contenu[table.nom]:
            for colonne, valeur in zip(noms, ligne, strict=True):
                if isinstance(valeur, str) and "\x00" in valeur:
                    cle = dict(zip(noms, ligne, strict=True)).get(table.cle.split(",")[0].strip())
                    raise DonneeInvalide(
                        f"Copie vers « {nom} » impossible : table « {table.nom} », ligne « {cle} », "
                        f"champ « {colonne} » : le texte contient le caractère NUL (U+0000), que "
                        "PostgreSQL ne peut pas enregistrer. Corrigez-le dans la source ; rien n'a été écrit."
                    )


def _comparer(destination: Connexion, cx: Curseur, contenu: dict[str, list[list[Any]]]) -> list[Controle]:
    controles = []
    for table in TABLES:
        relu = _lire(destination, cx, table)
        origine = contenu[table.nom]
        controles.append(
            Controle(table.nom, len(origine), len(relu), somme(table, origine), somme(table, relu))
        )
    return controles


def controler(source: Connexion, destination: Connexion) -> list[Controle]:
    """Compare two stores table by table (rows and checksums), without writing."""
    with source._lecture() as cx:
        contenu = {t.nom: _lire(source, cx, t) for t in TABLES}
    with destination._lecture() as cx:
        return _comparer(destination, cx, contenu)
