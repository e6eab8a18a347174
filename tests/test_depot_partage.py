"""The shared store: the same figures from PostGIS as from a GeoPackage, copies between the two
(both ways, checked table by table), backups and their restore, the store's data version."""

from __future__ import annotations

from pathlib import Path

import aide_postgis
import pandas as pd
import pytest
from aide_postgis import instantane
from aide_store import acteur, lot_acteurs
from typer.testing import CliRunner

from ecosysteme.analyse.couverture import Parametres
from ecosysteme.analyse.territoire import Territoire
from ecosysteme.cli import app
from ecosysteme.depot import Depot, ouvrir_depot, version_depot
from ecosysteme.depot.sauvegarde import copier_depot, restaurer, sauvegarder
from ecosysteme.depot.sql.copie import TABLES, controler
from ecosysteme.domaine.erreurs import DepotInvalide, DonneeInvalide


def _peupler(d: Depot) -> None:
    """A little of everything: a batch, edits, a merge, « pas un doublon », a scenario, a mapping."""
    d.importer_lot(
        lot_acteurs(40), fichier="f.csv", format="csv", sha256="0" * 64, auteur="alice", rapport={}
    )
    d.ajouter(acteur("m1", nom="Médiathèque de Hem"), "bob")
    d.ajouter(acteur("m2", nom="Médiathèque municipale de Hem"), "bob")
    d.fusionner(d.obtenir("m1").model_copy(update={"telephone": "+33320000000"}), {"m2": 1}, "carole")
    d.marquer_non_doublon("L000001", "L000002", "carole")
    d.fermer("L000003", 1, "dora")
    d.enregistrer_scenario("Bus le samedi", '{"ajouts": [], "retraits": ["L000004"]}', "dora")
    d.memoriser_correspondance("partenaire", {"nom": "Structure", "commune": "Ville"}, "dora")


def test_copie_dans_les_deux_sens_puis_sauvegarde_et_restauration(base_postgis: str, tmp_path: Path) -> None:
    gpkg = tmp_path / "source.gpkg"
    with ouvrir_depot(gpkg, creer=True) as d:
        _peupler(d)
    with ouvrir_depot(base_postgis) as d:  # the template's empty store
        assert d.compter() == 0
    controles = copier_depot(gpkg, base_postgis)
    assert [c.table for c in controles] == [t.nom for t in TABLES] and all(c.identique for c in controles)
    assert {c.table: c.lignes_source for c in controles}["acteurs"] == 41
    retour = tmp_path / "retour.gpkg"
    copier_depot(base_postgis, retour)
    with ouvrir_depot(gpkg) as a, ouvrir_depot(retour) as b:
        assert all(c.identique for c in controler(a, b))
        assert b.fusions() == a.fusions() == {"m2": "m1"}
        assert b.historique("m1") == a.historique("m1")
        assert b.lots() == a.lots() and b.scenarios() == a.scenarios()
        assert b.correspondance("partenaire") == {"nom": "Structure", "commune": "Ville"}
    # the copy goes on living: new batches and journal entries get new identifiers
    with ouvrir_depot(base_postgis) as d:
        lot = d.importer_lot(
            lot_acteurs(3, "N"), fichier="g", format="csv", sha256="1", auteur="e", rapport={}
        )
        assert lot.id == 2
        d.annuler_derniere_modification("m1", "e")  # the merge, undone whole on PostGIS
        assert {a.id for a in d.lister()} >= {"m1", "m2"}
    # a copy never goes into a store that has content
    with pytest.raises(DonneeInvalide, match="n'est pas vide"):
        copier_depot(gpkg, base_postgis)

    # backup of the PostGIS store, a change, then the restore brings the backup back, whole
    sauvegarde = tmp_path / "sauvegarde.gpkg"
    assert all(c.identique for c in sauvegarder(base_postgis, sauvegarde))
    avant = instantane(sauvegarde)
    with ouvrir_depot(base_postgis) as d:
        d.supprimer("L000010", 1, "erreur")
        assert d.compter() == 44  # 41 copied + 3 imported + m2 back from the undone merge − 1
    assert all(c.identique for c in restaurer(sauvegarde, base_postgis))
    with ouvrir_depot(base_postgis) as d, ouvrir_depot(sauvegarde) as s:
        assert d.compter() == 45 and d.obtenir("L000010").version == 1
        assert all(c.identique for c in controler(s, d))
    assert instantane(sauvegarde) == avant  # the backup itself is left as it was
    # a GeoPackage store backed up by SQLite's backup API, and restored into a GeoPackage
    copie = tmp_path / "copie.gpkg"
    sauvegarder(gpkg, copie)
    with ouvrir_depot(gpkg) as d:
        d.supprimer("L000011", 1, "erreur")
    restaurer(copie, gpkg)
    with ouvrir_depot(gpkg) as d:
        assert d.obtenir("L000011").nom == "Lieu L000011"
    with pytest.raises(DepotInvalide, match="introuvable"):
        restaurer(tmp_path / "absente.gpkg", gpkg)


def test_commandes_copier_sauvegarder_restaurer(base_postgis: str, tmp_path: Path) -> None:
    gpkg = tmp_path / "d.gpkg"
    with ouvrir_depot(gpkg, creer=True) as d:
        _peupler(d)
    r = CliRunner().invoke(app, ["copier-depot", str(gpkg), base_postgis])
    assert r.exit_code == 0, r.output
    assert "Copie vérifiée" in r.output and "identique" in r.output and "DIFFÉRENTE" not in r.output
    r = CliRunner().invoke(app, ["sauvegarder", str(tmp_path / "s.gpkg"), "--store", base_postgis])
    assert r.exit_code == 0 and "Sauvegarde écrite" in r.output, r.output
    r = CliRunner().invoke(
        app, ["restaurer", str(tmp_path / "s.gpkg"), "--store", str(tmp_path / "neuf.gpkg")]
    )
    assert r.exit_code == 0 and "Dépôt restauré" in r.output, r.output
    r = CliRunner().invoke(app, ["copier-depot", str(gpkg), base_postgis])  # not empty any more
    assert r.exit_code == 1 and "n'est pas vide" in r.output
    # the password of an address never reaches the user's screen
    r = CliRunner().invoke(app, ["stats", "--store", "postgresql://eco:secret@127.0.0.1:1/absente"])
    assert r.exit_code == 1 and "secret" not in r.output and "Impossible de joindre" in r.output


def test_la_version_du_depot_suit_chaque_ecriture(adresse: str | Path) -> None:
    with ouvrir_depot(adresse, creer=True) as d:
        v0 = version_depot(adresse)
        d.ajouter(acteur("a1"), "alice")
        d.modifier(d.obtenir("a1").model_copy(update={"nom": "Autre"}), "bob")
        assert version_depot(adresse) == d.version() == v0 + 2
        d.lister()  # reading changes nothing
        assert version_depot(adresse) == v0 + 2


@pytest.mark.donnees_reelles
def test_couverture_hdf_identique_depuis_postgis(depot_hdf: Path, base_postgis: str) -> None:
    """The Hauts-de-France coverage table (204 QPV, every column) is the same read from PostGIS
    as from the GeoPackage after the same imports."""
    copier_depot(depot_hdf, base_postgis)
    tables = []
    for adresse in (depot_hdf, base_postgis):
        with ouvrir_depot(adresse) as d:
            tables.append(Territoire.lire(d).couverture(Parametres()))
    gpkg, postgis = tables
    assert gpkg["code_qp"].nunique() == 204
    pd.testing.assert_frame_equal(gpkg, postgis)


def test_connexion_perdue_message_francais_puis_reprise(base_postgis: str) -> None:
    """The server drops the connection (a restart): the action says so in French and writes
    nothing; the next action reconnects and works."""
    import psycopg

    from ecosysteme.domaine.erreurs import DepotInjoignable

    with ouvrir_depot(base_postgis) as d:
        d.ajouter(acteur("a1"), "alice")
        base = base_postgis.rsplit("/", 1)[1]
        with psycopg.connect(aide_postgis.admin(), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (base,),
            )
        avant = instantane(base_postgis)
        with pytest.raises(DepotInjoignable, match="connexion à la base .* a été perdue") as exc:
            d.modifier(d.obtenir("a1").model_copy(update={"nom": "Jamais écrit"}), "bob")
        assert isinstance(exc.value, ConnectionError) and "postgres@" in exc.value.message
        assert instantane(base_postgis) == avant
        relu = d.obtenir("a1")  # the next action reconnects
        assert (
            relu.nom == "Lieu a1" and d.modifier(relu.model_copy(update={"nom": "Écrit"}), "bob").version == 2
        )


def test_copie_vers_postgis_refuse_un_nul_en_disant_ou(base_postgis: str, tmp_path: Path) -> None:
    """A GeoPackage may hold a NUL written before the rules; PostgreSQL never can: the copy is
    refused, naming the table, the row and the field, and nothing is written."""
    gpkg = tmp_path / "ancien.gpkg"
    with ouvrir_depot(gpkg, creer=True) as d:
        d.ajouter(acteur("a1"), "alice")
    aide_postgis.executer(gpkg, "UPDATE acteurs SET adresse = ? WHERE id = 'a1'", ("rue\x00du Bac",))
    avant = instantane(base_postgis)
    with pytest.raises(DonneeInvalide, match="table « acteurs », ligne « a1 », champ « adresse ».*NUL"):
        copier_depot(gpkg, base_postgis)
    assert instantane(base_postgis) == avant


def test_couches_postgis_declarees_pour_qgis(base_postgis: str) -> None:
    """QGIS lists a PostGIS layer from ``geometry_columns``: the four layers are there, typed,
    in EPSG:4326, each with its spatial index."""
    import psycopg

    with psycopg.connect(base_postgis) as cx:
        couches = cx.execute(
            "SELECT f_table_name, type, srid FROM geometry_columns ORDER BY f_table_name"
        ).fetchall()
        index = {
            r[0]
            for r in cx.execute("SELECT tablename FROM pg_indexes WHERE indexdef LIKE '%USING gist (geom)%'")
        }
    assert couches == [
        ("acteurs", "POINT", 4326),
        ("communes", "MULTIPOLYGON", 4326),
        ("epci", "MULTIPOLYGON", 4326),
        ("qpv", "MULTIPOLYGON", 4326),
    ]
    assert index == {"acteurs", "communes", "epci", "qpv"}


@pytest.mark.parametrize(
    ("instruction", "message"),
    [
        ("UPDATE acteurs SET latitude = 95 WHERE id = 'a1'", "latitude hors de l'intervalle"),
        ("UPDATE acteurs SET longitude = -200 WHERE id = 'a1'", "longitude hors de l'intervalle"),
        ("UPDATE acteurs SET statut = 'disparu' WHERE id = 'a1'", "statut inconnu"),
        ("UPDATE acteurs SET categorie = 'Boulangerie' WHERE id = 'a1'", "catégorie inconnue"),
        ("""UPDATE acteurs SET services = '["Vente de pain"]' WHERE id = 'a1'""", "9 services du standard"),
        ("UPDATE acteurs SET services = '{}' WHERE id = 'a1'", "n'est pas une liste"),
        ("UPDATE acteurs SET id = 'a2' WHERE id = 'a1'", "même identifiant"),
        ("UPDATE acteurs SET version = 0 WHERE id = 'a1'", "version d'acteur non positive"),
    ],
)
def test_contraintes_postgis_en_francais(base_postgis: str, instruction: str, message: str) -> None:
    """What the database itself refuses (a write that skipped the application's checks) reaches
    the user in French, and the transaction leaves nothing."""
    with ouvrir_depot(base_postgis) as d:
        d.ajouter(acteur("a1"), "alice")
        d.ajouter(acteur("a2"), "alice")
        avant = instantane(base_postgis)
        with pytest.raises(DonneeInvalide, match=message), d._ecriture() as cx:
            cx.execute(instruction)
        assert instantane(base_postgis) == avant


def test_adresse_libpq_cle_valeur_est_une_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """libpq's « host=… dbname=… » form names a database: never a GeoPackage file created under
    that name in the working folder (which is what happened before)."""
    from ecosysteme.domaine.config import adresse_depot

    monkeypatch.chdir(tmp_path)
    adresse = "host=127.0.0.1 port=1 dbname=absente user=eco"
    assert adresse_depot(adresse) == adresse
    with pytest.raises(OSError, match="Impossible de joindre"):
        ouvrir_depot(adresse, creer=True)
    assert list(tmp_path.iterdir()) == []
    assert isinstance(adresse_depot("données/host=x.gpkg"), Path)


def test_copie_refusee_vers_un_depot_qui_a_deja_ses_territoires(tmp_path: Path) -> None:
    """A destination holding only territory layers is not empty either: refused in French, the
    destination left as it was (before, the copy failed on a uniqueness error in English)."""
    import geopandas as gpd
    from shapely.geometry import box

    qpv = gpd.GeoDataFrame(
        {
            "code_qp": ["QN05901M"],
            "lib_qp": ["Quartier"],
            "insee_com": ["59392"],
            "lib_com": ["Maubeuge"],
            "insee_dep": ["59"],
            "insee_reg": ["32"],
            "siren_epci": ["200043396"],
            "population": [1000],
        },
        geometry=[box(3.9, 50.2, 4.0, 50.3)],
        crs="EPSG:4326",
    )
    source, destination = tmp_path / "s.gpkg", tmp_path / "d.gpkg"
    for adresse in (source, destination):
        with ouvrir_depot(adresse, creer=True) as d:
            d.remplacer_qpv(qpv, "alice")
    avant = instantane(destination)
    with pytest.raises(DonneeInvalide, match=r"n'est pas vide \(qpv\)"):
        copier_depot(source, destination)
    assert instantane(destination) == avant
