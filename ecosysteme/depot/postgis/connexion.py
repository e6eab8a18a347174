"""The PostgreSQL connection of a PostGIS store and its transactions.

Writers are serialised by a transaction-level advisory lock (``pg_advisory_xact_lock``), as the
GeoPackage serialises them by its write lock: a write reads, checks versions and writes inside
one transaction that no other writer interleaves with, on any machine. Waiting longer than the
delay gives :class:`DepotOccupe`; a lost connection (server restarted) gives
:class:`DepotInjoignable` and the next call reconnects; any error rolls the transaction back.

The concerns speak the SQL of ``ecosysteme.depot.sql`` with ``?`` placeholders: the cursor here
translates them, and reads ``json``/``jsonb``, ``timestamptz`` and ``date`` back as the text the
GeoPackage stores (``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC), so that rows decode the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import psycopg
import shapely
from numpy.typing import NDArray
from psycopg import errors as pgerreurs
from psycopg.adapt import Loader

from ecosysteme.depot.sql.connexion import Connexion, Curseur
from ecosysteme.domaine.erreurs import (
    DepotInjoignable,
    DepotInvalide,
    DepotOccupe,
    DonneeInvalide,
    ErreurEcosysteme,
)

#: Key of the advisory lock every writer of an ecosysteme database takes (and the schema's).
CLE_ECRITURE = 0x45434F53  # 'ECOS'


class _Texte(Loader):
    """A value read as its text (``json`` / ``jsonb`` documents, ``date``)."""

    def load(self, data: Any) -> str:
        return bytes(data).decode("utf-8")


class _Horodatage(Loader):
    """``timestamptz`` (session in UTC) read as ``YYYY-MM-DDTHH:MM:SS.mmmZ``."""

    def load(self, data: Any) -> str:
        texte = bytes(data).decode("ascii")
        jour, _, heure = texte.partition(" ")
        heure = heure.removesuffix("+00")
        secondes, _, fraction = heure.partition(".")
        return f"{jour}T{secondes}.{(fraction + '000')[:3]}Z"


class _Curseur:
    """A psycopg connection speaking with ``?`` placeholders (``%`` escaped)."""

    def __init__(self, cx: psycopg.Connection[Any]) -> None:
        self._cx = cx

    @staticmethod
    def _sql(requete: str) -> str:
        return requete.replace("%", "%%").replace("?", "%s")

    def execute(self, requete: str, parametres: Sequence[Any] = (), /) -> Any:
        return self._cx.execute(self._sql(requete), list(parametres))

    def executemany(self, requete: str, parametres: Iterable[Sequence[Any]], /) -> Any:
        curseur = self._cx.cursor()
        curseur.executemany(self._sql(requete), [list(p) for p in parametres])
        return curseur


#: French messages of the constraints a write outside the application could break.
MESSAGES_CONTRAINTES: dict[str, str] = {
    "acteurs_id_key": "un acteur de même identifiant existe déjà",
    "acteurs_latitude_check": "latitude hors de l'intervalle [-90, 90]",
    "acteurs_longitude_check": "longitude hors de l'intervalle [-180, 180]",
    "acteurs_categorie_check": "catégorie inconnue (hors de la liste des catégories)",
    "acteurs_statut_check": "statut inconnu (actif, fermé ou en projet)",
    "acteurs_services_check": "service hors des 9 services du standard national",
    "acteurs_version_check": "version d'acteur non positive",
    "acteurs_listes_check": "un champ liste n'est pas une liste JSON",
    "journal_action_check": "action de journal inconnue",
}


def message_contrainte(exc: psycopg.errors.IntegrityError) -> str:
    nom = exc.diag.constraint_name or ""
    raison = MESSAGES_CONTRAINTES.get(nom, f"contrainte « {nom or exc.sqlstate} » non respectée")
    return f"Le dépôt a refusé l'écriture : {raison}. Rien n'a été enregistré."


def message_donnee(exc: psycopg.DataError) -> str:
    if "0x00" in str(exc):
        raison = "un texte contient le caractère NUL (U+0000), que PostgreSQL ne peut pas enregistrer"
    else:
        raison = f"valeur refusée ({_premiere_ligne(exc)})"
    return f"Le dépôt a refusé l'écriture : {raison}. Rien n'a été enregistré."


class ConnexionPostgres(Connexion):
    """One psycopg connection (autocommit, explicit transactions), serialised by a lock,
    reopened after a lost connection."""

    adresse: str
    _delai: float
    _verrou: threading.RLock
    _pg: psycopg.Connection[Any] | None

    ACCEPTE_NUL = False
    GEOMETRIE_ECRITE = "ST_GeomFromWKB(?, 4326)"
    GEOMETRIE_LUE = "ST_AsBinary(geom)"
    CONTIENT_SERVICE = "services @> jsonb_build_array(CAST(? AS text))"

    @property
    def nom_depot(self) -> str:
        return adresse_lisible(self.adresse)

    def _ouvrir_connexion(self) -> psycopg.Connection[Any]:
        try:
            cx = psycopg.connect(self.adresse, autocommit=True, connect_timeout=max(1, int(self._delai)))
        except psycopg.OperationalError as exc:
            raise DepotInjoignable(
                f"Impossible de joindre la base « {self.nom_depot} » : {_premiere_ligne(exc)}. "
                "Vérifiez l'adresse, que le serveur tourne et le mot de passe (PGPASSWORD ou ~/.pgpass)."
            ) from exc
        for nom in ("json", "jsonb", "date"):
            cx.adapters.register_loader(nom, _Texte)
        cx.adapters.register_loader("timestamptz", _Horodatage)
        cx.execute("SET TIME ZONE 'UTC'")
        return cx

    def _connexion(self) -> psycopg.Connection[Any]:
        if self._pg is None or self._pg.closed:
            if getattr(self, "_ferme", False):
                raise ErreurEcosysteme(f"Le dépôt « {self.nom_depot} » a été fermé : rouvrez-le.")
            self._pg = self._ouvrir_connexion()
        return self._pg

    def close(self) -> None:
        with self._verrou:
            self._ferme = True
            if self._pg is not None:
                self._pg.close()
                self._pg = None

    def _encoder(self, geometries: NDArray[np.object_]) -> list[Any]:
        wkb: NDArray[np.object_] = shapely.to_wkb(geometries, output_dimension=2, include_srid=False)
        return list(wkb)

    def _decoder(self, valeurs: Sequence[Any]) -> NDArray[np.object_]:
        resultat: NDArray[np.object_] = shapely.from_wkb(np.array(list(valeurs), dtype=object))
        return resultat

    def _toucher(
        self, cx: Curseur, table: str, maintenant: str, etendue: Sequence[float | None] | None = None
    ) -> None:
        cx.execute(
            "INSERT INTO meta (cle, valeur) VALUES (?, ?) "
            "ON CONFLICT (cle) DO UPDATE SET valeur = excluded.valeur",
            (f"modifie_le:{table}", maintenant),
        )

    def _suivre_identifiants(self, cx: Curseur, tables: Sequence[str]) -> None:
        for table in tables:
            cx.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 1), "
                f"max(id) IS NOT NULL) FROM {table}"
            )

    @contextmanager
    def _ecriture(self, *, donnees: bool = True) -> Iterator[Curseur]:
        with self._verrou, self._transaction("BEGIN") as pg:
            pg.execute(f"SET LOCAL lock_timeout = '{int(self._delai * 1000)}ms'")
            pg.execute("SELECT pg_advisory_xact_lock(%s)", (CLE_ECRITURE,))
            curseur = _Curseur(pg)
            yield curseur
            if donnees:
                self._incrementer_version(curseur)
                self._avant_validation()

    @contextmanager
    def _lecture(self) -> Iterator[Curseur]:
        with self._verrou, self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") as pg:
            yield _Curseur(pg)

    @contextmanager
    def _transaction(self, debut: str) -> Iterator[psycopg.Connection[Any]]:
        """``debut`` … ``COMMIT``; rolled back on any error; errors of the server in French."""
        pg = self._connexion()
        valide = False
        try:
            pg.execute(debut)
            yield pg
            pg.execute("COMMIT")
            valide = True
        except pgerreurs.LockNotAvailable as exc:
            raise DepotOccupe(
                f"Le dépôt « {self.nom_depot} » est occupé par une autre écriture depuis plus de "
                f"{self._delai:g} s : rien n'a été enregistré, réessayez dans un instant."
            ) from exc
        except pgerreurs.IntegrityError as exc:
            raise DonneeInvalide(message_contrainte(exc)) from exc
        except psycopg.DataError as exc:
            raise DonneeInvalide(message_donnee(exc)) from exc
        except psycopg.OperationalError as exc:
            if self._pg is not None and not (self._pg.closed or self._pg.broken):
                raise DepotInvalide(
                    f"Le serveur de la base « {self.nom_depot} » a refusé l'opération "
                    f"({_premiere_ligne(exc)}){_conseil(exc)} : rien n'a été enregistré."
                ) from exc
            self._abandonner()
            raise DepotInjoignable(
                f"La connexion à la base « {self.nom_depot} » a été perdue ({_premiere_ligne(exc)}) : "
                "rien n'a été enregistré ; l'action suivante se reconnectera."
            ) from exc
        finally:
            if not valide and self._pg is not None and not self._pg.closed:
                try:
                    self._pg.execute("ROLLBACK")
                except psycopg.OperationalError:
                    self._abandonner()

    def _abandonner(self) -> None:
        if self._pg is not None:
            self._pg.close()
        self._pg = None


def _conseil(exc: BaseException) -> str:
    """What to do, when the server's error says it (PostGIS missing on the server)."""
    if "postgis" in str(exc).lower():
        return " — PostGIS n'est pas installé sur le serveur (paquet Debian postgresql-15-postgis-3)"
    return ""


def _premiere_ligne(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def adresse_lisible(adresse: str) -> str:
    """The address without its password (``postgresql://user:secret@host/db`` → ``…user@host/db``)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parties = conninfo_to_dict(adresse)
    except psycopg.ProgrammingError:
        return "postgresql://…"
    hote = parties.get("host") or "localhost"
    port = f":{parties['port']}" if parties.get("port") else ""
    user = f"{parties['user']}@" if parties.get("user") else ""
    return f"postgresql://{user}{hote}{port}/{parties.get('dbname') or ''}"


_versions: dict[str, psycopg.Connection[Any]] = {}
_verrou_versions = threading.Lock()


def version_base(adresse: str) -> int:
    """The data version kept in the database's ``meta``, on a connection kept per address and
    per process (reopened once after a lost connection)."""
    with _verrou_versions:
        for essai in (1, 2):
            cx = _versions.get(adresse)
            try:
                if cx is None or cx.closed:
                    cx = _versions[adresse] = psycopg.connect(adresse, autocommit=True, connect_timeout=5)
                ligne = cx.execute("SELECT valeur FROM meta WHERE cle = 'version_donnees'").fetchone()
                return int(ligne[0]) if ligne and str(ligne[0]).isdigit() else 0
            except psycopg.OperationalError as exc:
                _versions.pop(adresse, None)
                if essai == 2:
                    raise DepotInjoignable(
                        f"Impossible de joindre la base « {adresse_lisible(adresse)} » : "
                        f"{_premiere_ligne(exc)}."
                    ) from exc
            except psycopg.errors.UndefinedTable as exc:
                raise DepotInvalide(
                    f"La base « {adresse_lisible(adresse)} » ne contient pas de dépôt ecosysteme."
                ) from exc
    raise AssertionError("inatteignable")
