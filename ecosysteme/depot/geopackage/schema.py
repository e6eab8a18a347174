"""The GeoPackage schema of the store: DDL, metadata, creation, checks and migrations."""

from __future__ import annotations

import logging
import sqlite3

from ecosysteme.depot.couches import COUCHES_TERRITOIRE, SRS_WGS84, Couche
from ecosysteme.depot.geopackage.connexion import ConnexionSqlite
from ecosysteme.depot.interface import Action
from ecosysteme.depot.lignes import CHAMPS_ACTEUR, CHAMPS_JSON, horodatage_maintenant
from ecosysteme.domaine.erreurs import DepotInvalide

log = logging.getLogger(__name__)


#: ``PRAGMA application_id`` of a GeoPackage: the ASCII bytes 'GPKG'.
APPLICATION_ID = 0x47504B47


#: ``PRAGMA user_version``: GeoPackage 1.3.0.
USER_VERSION = 10300


#: Version of our own schema, kept in ``meta``; a newer file is refused, an older one migrated.
VERSION_SCHEMA = 4


_WKT_4326 = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)


_SCHEMA_GPKG = (
    """CREATE TABLE gpkg_spatial_ref_sys (
        srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
        organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE gpkg_contents (
        table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
        description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE gpkg_geometry_columns (
        table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
        srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
)


_SRS = (
    (
        "Undefined cartesian SRS",
        -1,
        "NONE",
        -1,
        "undefined",
        "undefined cartesian coordinate reference system",
    ),
    (
        "Undefined geographic SRS",
        0,
        "NONE",
        0,
        "undefined",
        "undefined geographic coordinate reference system",
    ),
    (
        "WGS 84 geodetic",
        SRS_WGS84,
        "EPSG",
        SRS_WGS84,
        _WKT_4326,
        "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
    ),
)


_ACTIONS_SQL = ", ".join(f"'{a.value}'" for a in Action)


_SCHEMA_ATTRIBUTS = (
    """CREATE TABLE meta (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        cle TEXT NOT NULL UNIQUE, valeur TEXT)""",
    """CREATE TABLE lots_import (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        fichier TEXT NOT NULL, format TEXT NOT NULL, sha256 TEXT NOT NULL, auteur TEXT NOT NULL,
        debut DATETIME NOT NULL, fin DATETIME,
        lignes_lues INTEGER NOT NULL DEFAULT 0, acceptees INTEGER NOT NULL DEFAULT 0,
        rejetees INTEGER NOT NULL DEFAULT 0, crees INTEGER NOT NULL DEFAULT 0,
        mis_a_jour INTEGER NOT NULL DEFAULT 0, inchanges INTEGER NOT NULL DEFAULT 0,
        rapport TEXT NOT NULL DEFAULT '{}', annule_le DATETIME, annule_par TEXT)""",
    f"""CREATE TABLE journal (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        horodatage DATETIME NOT NULL, auteur TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ({_ACTIONS_SQL})),
        acteur_id TEXT, lot_id INTEGER REFERENCES lots_import(id), avant TEXT, apres TEXT)""",
    "CREATE INDEX journal_acteur ON journal (acteur_id, id)",
    "CREATE INDEX journal_lot ON journal (lot_id)",
)


#: Schema 2: merges (an absorbed actor's identifier → the one kept: a re-import of the source
#: does not bring the duplicate back), pairs a person marked « pas un doublon », and the column
#: mappings of the import wizard remembered per source.
_SCHEMA_V2 = (
    """CREATE TABLE fusions (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        absorbe TEXT NOT NULL UNIQUE, garde TEXT NOT NULL, journal_id INTEGER NOT NULL,
        auteur TEXT NOT NULL, horodatage DATETIME NOT NULL)""",
    "CREATE INDEX fusions_garde ON fusions (garde)",
    """CREATE TABLE non_doublons (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        id_a TEXT NOT NULL, id_b TEXT NOT NULL, auteur TEXT NOT NULL, horodatage DATETIME NOT NULL,
        UNIQUE (id_a, id_b), CHECK (id_a < id_b))""",
    """CREATE TABLE correspondances (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        source TEXT NOT NULL UNIQUE, colonnes TEXT NOT NULL, auteur TEXT NOT NULL,
        horodatage DATETIME NOT NULL)""",
)


#: Schema 3: what-if scenarios, saved by name (JSON of ``ecosysteme.analyse.scenarios.Scenario``); the
#: inventory itself is never changed by a scenario.
_SCHEMA_V3 = (
    """CREATE TABLE scenarios (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        nom TEXT NOT NULL UNIQUE, contenu TEXT NOT NULL, auteur TEXT NOT NULL,
        horodatage DATETIME NOT NULL)""",
)


_CONTENUS_V3 = (("scenarios", "attributes", "Scénarios (hypothèses)", None),)


#: Schema 4: the data version, bumped by every data write (the app's caches are keyed by it, so
#: that a write by any process shows in every other at its next read).
_SCHEMA_V4 = ("INSERT INTO meta (cle, valeur) VALUES ('version_donnees', '0')",)


_CONTENUS_V4: tuple[tuple[str, str, str, int | None], ...] = ()


_CONTENUS_V2 = (
    ("fusions", "attributes", "Fusions de doublons", None),
    ("non_doublons", "attributes", "Paires marquées « pas un doublon »", None),
    ("correspondances", "attributes", "Correspondances de colonnes par source", None),
)


_TABLES_REQUISES = frozenset(
    (
        "gpkg_spatial_ref_sys",
        "gpkg_contents",
        "gpkg_geometry_columns",
        "meta",
        "lots_import",
        "journal",
        "acteurs",
        "fusions",
        "non_doublons",
        "correspondances",
        "scenarios",
        *(c.nom for c in COUCHES_TERRITOIRE),
    )
)


def _type_colonne(champ: str) -> str:
    if champ == "id":
        return "TEXT NOT NULL UNIQUE"
    if champ == "nom":
        return "TEXT NOT NULL"
    if champ in CHAMPS_JSON:
        return "TEXT NOT NULL DEFAULT '[]'"
    if champ in ("latitude", "longitude"):
        return "REAL"
    if champ == "date_maj":
        return "DATE"
    if champ == "version":
        return "INTEGER NOT NULL"
    return "TEXT"


def _schema_acteurs() -> tuple[str, ...]:
    colonnes = ",\n        ".join(f"{c} {_type_colonne(c)}" for c in CHAMPS_ACTEUR)
    return (
        f"""CREATE TABLE acteurs (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom POINT,
        {colonnes},
        cree_le DATETIME NOT NULL, modifie_le DATETIME NOT NULL, modifie_par TEXT NOT NULL,
        lot_id INTEGER REFERENCES lots_import(id))""",
        "CREATE INDEX acteurs_lonlat ON acteurs (longitude, latitude)",
        "CREATE INDEX acteurs_code_insee ON acteurs (code_insee)",
        "CREATE INDEX acteurs_lot ON acteurs (lot_id)",
        "CREATE INDEX acteurs_mobiles ON acteurs (id) WHERE arrets <> '[]'",
    )


def _schema_couche(couche: Couche) -> tuple[str, ...]:
    """DDL of one territory layer (its feature table and the indexes of its filters)."""
    cols = ",\n        ".join(
        f"{c.nom} {c.sql}" + (" NOT NULL UNIQUE" if c.nom == couche.cle else "") for c in couche.colonnes
    )
    index = tuple(
        f"CREATE INDEX {couche.nom}_{f} ON {couche.nom} ({f})" for f in couche.filtres if f != couche.cle
    )
    return (
        f"""CREATE TABLE {couche.nom} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
        geom MULTIPOLYGON, {cols})""",
        *index,
    )


class _Schema(ConnexionSqlite):
    """Creates an empty store, checks an existing one and migrates an older schema."""

    def _creer_si_vide(self) -> None:
        """Create the schema in one transaction unless someone already did (race-safe).

        An existing file is only read here; an empty one is filled under the write lock, after
        checking again that no other process filled it in the meantime.
        """
        if self._connexion().execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            return
        with self._ecriture(donnees=False) as cx:
            if cx.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                return
            cx.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            cx.execute(f"PRAGMA user_version = {USER_VERSION}")
            for instruction in (
                *_SCHEMA_GPKG,
                *_SCHEMA_ATTRIBUTS,
                *_schema_acteurs(),
                *_SCHEMA_V2,
                *_SCHEMA_V3,
            ):
                cx.execute(instruction)
            for couche in COUCHES_TERRITOIRE:
                for instruction in _schema_couche(couche):
                    cx.execute(instruction)
            self._remplir_metadonnees(cx)

    def _remplir_metadonnees(self, cx: sqlite3.Connection) -> None:
        maintenant = horodatage_maintenant()
        cx.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", _SRS)
        contenus = [
            *((c.nom, "features", c.libelle, SRS_WGS84) for c in COUCHES_TERRITOIRE),
            ("acteurs", "features", "Acteurs de l'inclusion numérique", SRS_WGS84),
            ("lots_import", "attributes", "Lots d'import", None),
            ("journal", "attributes", "Journal des modifications", None),
            ("meta", "attributes", "Métadonnées du dépôt ecosysteme", None),
            *_CONTENUS_V2,
            *_CONTENUS_V3,
        ]
        cx.executemany(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(nom, genre, nom, libelle, maintenant, srs) for nom, genre, libelle, srs in contenus],
        )
        geometries = [(c.nom, "MULTIPOLYGON") for c in COUCHES_TERRITOIRE] + [("acteurs", "POINT")]
        cx.executemany(
            "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
            [(nom, type_geom, SRS_WGS84) for nom, type_geom in geometries],
        )
        cx.executemany(
            "INSERT INTO meta (cle, valeur) VALUES (?, ?)",
            [
                ("application", "ecosysteme"),
                ("version_schema", str(VERSION_SCHEMA)),
                ("cree_le", maintenant),
                ("version_donnees", "0"),
            ],
        )

    def _verifier(self) -> None:
        """Refuse anything that is not an intact ecosysteme store of our schema version."""
        cx = self._connexion()
        application = cx.execute("PRAGMA application_id").fetchone()[0]
        if application != APPLICATION_ID:
            raise DepotInvalide(
                f"« {self.chemin} » n'est pas un GeoPackage (application_id {application:#x}) : "
                "ce n'est pas un dépôt ecosysteme."
            )
        controle = [r[0] for r in cx.execute("PRAGMA quick_check").fetchall()]
        if controle != ["ok"]:
            raise DepotInvalide(f"Le dépôt « {self.chemin} » est endommagé : {'; '.join(controle[:3])}.")
        tables = {r[0] for r in cx.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "meta" not in tables:
            raise DepotInvalide(
                f"« {self.chemin} » est un GeoPackage mais pas un dépôt ecosysteme "
                "(table « meta » absente) : "
                "importez ses couches dans un dépôt plutôt que de l'ouvrir comme dépôt."
            )
        self._verifier_version_schema(cx)  # may migrate an older store: tables read again
        tables = {r[0] for r in cx.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        manquantes = sorted(_TABLES_REQUISES - tables)
        if manquantes:
            raise DepotInvalide(
                f"Le dépôt « {self.chemin} » est incomplet : table(s) {', '.join(manquantes)} absente(s)."
            )

    def _verifier_version_schema(self, cx: sqlite3.Connection) -> None:
        ligne = cx.execute("SELECT valeur FROM meta WHERE cle = 'version_schema'").fetchone()
        version = ligne[0] if ligne else None
        if version is None or not str(version).isdigit():
            raise DepotInvalide(
                f"Le dépôt « {self.chemin} » n'indique pas sa version de schéma (table meta)."
            )
        if int(version) > VERSION_SCHEMA:
            raise DepotInvalide(
                f"Le dépôt « {self.chemin} » a été créé par une version plus récente d'ecosysteme "
                f"(schéma {version}, celui-ci lit le {VERSION_SCHEMA}) : mettez l'application à jour."
            )
        if int(version) < VERSION_SCHEMA:
            self._migrer()

    def _migrer(self) -> None:
        """Bring an older store to :data:`VERSION_SCHEMA` in ONE transaction (all steps or none;
        safe when several processes open the same old store at once: the version is read again
        under the write lock)."""
        with self._ecriture(donnees=False) as cx:
            ligne = cx.execute("SELECT valeur FROM meta WHERE cle = 'version_schema'").fetchone()
            version = int(ligne[0])
            etapes = (
                (2, _SCHEMA_V2, _CONTENUS_V2),
                (3, _SCHEMA_V3, _CONTENUS_V3),
                (4, _SCHEMA_V4, _CONTENUS_V4),
            )
            for cible, schema, contenus in etapes:
                if version >= cible:
                    continue
                for instruction in schema:
                    cx.execute(instruction)
                cx.executemany(
                    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                    "last_change, srs_id) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (nom, genre, nom, libelle, horodatage_maintenant(), srs)
                        for nom, genre, libelle, srs in contenus
                    ],
                )
            cx.execute("UPDATE meta SET valeur = ? WHERE cle = 'version_schema'", (str(VERSION_SCHEMA),))
            log.info("dépôt %s migré du schéma %s au %s", self.chemin, version, VERSION_SCHEMA)
