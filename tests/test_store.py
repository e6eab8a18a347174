"""The GeoPackage store: file format, integrity checks, territories, actors, batches, history."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aide_postgis
import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from aide_postgis import executer, instantane
from aide_store import SERVICES, acteur, lot_acteurs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point, Polygon, box

from ecosysteme.depot import (
    ActeurExisteDeja,
    Action,
    AnnulationImpossible,
    CoucheInvalide,
    Depot,
    DepotGeoPackage,
    DepotOccupe,
    ouvrir_depot,
)
from ecosysteme.depot.geopackage.geometrie import decoder_geometries, encoder_geometries
from ecosysteme.depot.geopackage.schema import APPLICATION_ID, VERSION_SCHEMA
from ecosysteme.domaine import standard
from ecosysteme.domaine.erreurs import (
    ConflitDeVersion,
    DepotInvalide,
    DonneeInvalide,
    ErreurEcosysteme,
    Introuvable,
)
from ecosysteme.domaine.modeles import Acteur, Arret, Categorie, Pilier, Statut
from ecosysteme.domaine.validation import probleme_texte, texte_propre

SIREN = "200000001"
DONNEES = Path(__file__).resolve().parents[2] / "shared" / "data"


# --------------------------------------------------------------------------------------------
# Fixtures and small data
# --------------------------------------------------------------------------------------------


@pytest.fixture
def chemin(tmp_path: Path) -> Path:
    return tmp_path / "depot.gpkg"


@pytest.fixture
def depot(adresse: str | Path) -> Iterator[Depot]:
    """A new store on each backend (GeoPackage, PostGIS)."""
    d = ouvrir_depot(adresse, creer=True)
    yield d
    d.close()


@pytest.fixture
def depot_gpkg(chemin: Path) -> Iterator[DepotGeoPackage]:
    """A new GeoPackage store (for what only a GeoPackage has: the file, SQLite, GDAL)."""
    d = ouvrir_depot(chemin, creer=True)
    assert isinstance(d, DepotGeoPackage)
    yield d
    d.close()


def epci_carre() -> gpd.GeoDataFrame:
    """One square EPCI (lon 2–3, lat 49–50) and a second one east of it."""
    return gpd.GeoDataFrame(
        {
            "siren_epci": [SIREN, "200000002"],
            "nom_epci": ["CA du Carré", "CC de l'Est"],
            "type_epci": ["CA", "CC"],
            "population": [120_000, None],
        },
        geometry=[box(2, 49, 3, 50), box(4, 49, 5, 50)],
        crs=4326,
    )


def qpv_cadre() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code_qp": ["QN00201M", "QN02A01C", "QN05971M"],
            "lib_qp": ["Europe", "Les Cannes", "Lille Sud"],
            "insee_com": ["02571,02691", ["2A004"], "59350"],
            "lib_com": ["Omissy, Saint-Quentin", "Ajaccio", "Lille"],
            "insee_dep": ["02", "2A", "59"],
            "insee_reg": ["32", "94", "32"],
            "siren_epci": [SIREN, "242010056", "200093201"],
            "population": [5822, None, 12_000],
            "lib_dep": ["Aisne", "Corse-du-Sud", "Nord"],  # extra column: ignored
        },
        geometry=[
            box(2.1, 49.1, 2.2, 49.2),  # a Polygon: stored as MultiPolygon
            MultiPolygon([box(8.7, 41.9, 8.8, 42.0), box(8.81, 41.9, 8.9, 42.0)]),
            Polygon(
                [(3.0, 50.6), (3.1, 50.6), (3.1, 50.7), (3.0, 50.7)],
                [[(3.04, 50.64), (3.06, 50.64), (3.05, 50.66)]],
            ),
        ],
        crs=4326,
    )


def communes_cadre() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": ["01053", "2A004", "59350"],
            "nom": ["Bourg-en-Bresse", "Ajaccio", "Lille"],
            "insee_dep": ["01", "2A", "59"],
            "insee_reg": ["84", "94", "32"],
            "population": [41_000, 73_000, 236_000],
            "codes_postaux": ["01000", ["20000", "20090"], "59000,59800"],
            "siren_epci": ["240100883", "242010056", "200093201"],
        },
        geometry=[box(5.2, 46.18, 5.26, 46.22), None, box(3.0, 50.6, 3.1, 50.7)],
        crs=4326,
    )


def sans_gestion(a: Acteur | None) -> dict[str, Any]:
    """An actor's content without the store-managed version."""
    assert a is not None
    d = a.model_dump()
    d.pop("version")
    return d


# --------------------------------------------------------------------------------------------
# GeoPackage binary geometry
# --------------------------------------------------------------------------------------------


def test_codec_geometries_aller_retour() -> None:
    geoms = [Point(2.5, 49.5), box(0, 0, 1, 2), MultiPolygon([box(0, 0, 1, 1)]), None, Point()]
    blobs = encoder_geometries(geoms)
    assert blobs[3] is None
    for blob in (b for b in blobs if b is not None):
        assert blob[:2] == b"GP" and blob[2] == 0 and blob[3] & 1 == 1  # little-endian
        assert struct.unpack("<i", blob[4:8])[0] == 4326
    assert blobs[0][3] >> 1 & 0b111 == 0  # no envelope on points
    assert blobs[1][3] >> 1 & 0b111 == 1  # [minx, maxx, miny, maxy]
    assert struct.unpack("<4d", blobs[1][8:40]) == (0.0, 1.0, 0.0, 2.0)
    assert blobs[4][3] & 0b10000  # empty flag
    decodees = decoder_geometries(blobs)
    for avant, apres in zip(geoms[:3], decodees[:3], strict=True):
        assert shapely.equals_exact(avant, apres, tolerance=0)
    assert decodees[3] is None and decodees[4].is_empty


def test_codec_refuse_un_blob_etranger() -> None:
    with pytest.raises(DepotInvalide, match="GeoPackage"):
        decoder_geometries([b"\x01\x01\x00\x00\x00" + bytes(16)])


# --------------------------------------------------------------------------------------------
# Creation, opening, integrity
# --------------------------------------------------------------------------------------------


def test_creation_produit_un_geopackage_conforme(depot_gpkg: DepotGeoPackage, chemin: Path) -> None:
    assert isinstance(depot_gpkg, Depot)
    cx = sqlite3.connect(chemin)
    assert cx.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID == 0x47504B47
    assert cx.execute("PRAGMA user_version").fetchone()[0] in (10300, 10400)
    assert cx.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    srs = {r[0] for r in cx.execute("SELECT srs_id FROM gpkg_spatial_ref_sys")}
    assert {-1, 0, 4326} <= srs
    contenus = dict(cx.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    assert contenus == {
        "qpv": "features",
        "communes": "features",
        "epci": "features",
        "acteurs": "features",
        "lots_import": "attributes",
        "journal": "attributes",
        "meta": "attributes",
        "fusions": "attributes",
        "non_doublons": "attributes",
        "correspondances": "attributes",
        "scenarios": "attributes",
    }
    geometries = dict(
        cx.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns").fetchall()
    )
    assert geometries == {
        "qpv": "MULTIPOLYGON",
        "communes": "MULTIPOLYGON",
        "epci": "MULTIPOLYGON",
        "acteurs": "POINT",
    }
    assert dict(cx.execute("SELECT cle, valeur FROM meta").fetchall())["version_schema"] == str(
        VERSION_SCHEMA
    )
    cx.close()


def test_ouvrir_un_depot_absent_ne_cree_rien(chemin: Path) -> None:
    with pytest.raises(DepotInvalide, match="n'existe pas"):
        ouvrir_depot(chemin)
    assert not chemin.exists()


def test_ouvrir_un_fichier_texte_est_refuse_et_il_reste_intact(chemin: Path) -> None:
    chemin.write_text("ceci n'est pas une base\n" * 200, encoding="utf-8")
    avant = chemin.read_bytes()
    for creer in (False, True):
        with pytest.raises(DepotInvalide, match="n'est pas un dépôt ecosysteme lisible"):
            ouvrir_depot(chemin, creer=creer)
    assert chemin.read_bytes() == avant


def test_une_base_sqlite_ordinaire_est_refusee_sans_etre_modifiee(chemin: Path) -> None:
    cx = sqlite3.connect(chemin)
    cx.execute("CREATE TABLE t (x)")
    cx.execute("INSERT INTO t VALUES (1)")
    cx.commit()
    cx.close()
    avant = chemin.read_bytes()
    for creer in (False, True):
        with pytest.raises(DepotInvalide, match="n'est pas un GeoPackage"):
            ouvrir_depot(chemin, creer=creer)
    assert chemin.read_bytes() == avant


def test_un_geopackage_etranger_est_refuse(tmp_path: Path) -> None:
    chemin = tmp_path / "qgis.gpkg"
    pyogrio.write_dataframe(epci_carre(), chemin, layer="epci")
    with pytest.raises(DepotInvalide, match="GeoPackage mais pas un dépôt ecosysteme"):
        ouvrir_depot(chemin)


def test_un_fichier_endommage_est_refuse(chemin: Path) -> None:
    with ouvrir_depot(chemin, creer=True) as d:
        d.importer_lot(lot_acteurs(2000), fichier="f.csv", format="csv", sha256="0", auteur="a", rapport={})
    taille = chemin.stat().st_size
    with open(chemin, "r+b") as fh:  # garbage over a few pages in the middle of the file
        fh.seek(taille // 2)
        fh.write(b"\xde\xad\xbe\xef" * 4096)
    with pytest.raises(DepotInvalide, match="endommagé"):
        ouvrir_depot(chemin)


def test_schema_plus_recent_ou_table_manquante_refuses(chemin: Path) -> None:
    ouvrir_depot(chemin, creer=True).close()
    cx = sqlite3.connect(chemin)
    cx.execute("UPDATE meta SET valeur = '99' WHERE cle = 'version_schema'")
    cx.commit()
    with pytest.raises(DepotInvalide, match="version plus récente"):
        ouvrir_depot(chemin)
    cx.execute("UPDATE meta SET valeur = ? WHERE cle = 'version_schema'", (str(VERSION_SCHEMA),))
    cx.execute("DROP TABLE lots_import")
    cx.commit()
    cx.close()
    with pytest.raises(DepotInvalide, match="lots_import"):
        ouvrir_depot(chemin)


def test_creer_sur_un_depot_existant_garde_ses_donnees(chemin: Path) -> None:
    with ouvrir_depot(chemin, creer=True) as d:
        d.ajouter(acteur("a1"), "alice")
    with ouvrir_depot(chemin, creer=True) as d:
        assert d.compter() == 1


def test_l_accroche_avant_commit_ne_sert_qu_aux_ecritures_de_donnees(chemin: Path) -> None:
    appels: list[str] = []

    class Espion(DepotGeoPackage):
        def _avant_validation(self) -> None:
            appels.append("commit")

    with Espion(chemin, creer=True) as d:  # creating the schema: no call
        assert appels == []
    with Espion(chemin, creer=True) as d:  # opening an existing store writes nothing
        assert appels == []
        d.ajouter(acteur("a1"), "alice")
    assert appels == ["commit"]


def test_mode_journal_delete(chemin: Path) -> None:
    with ouvrir_depot(chemin, creer=True, journal="delete") as d:
        d.ajouter(acteur("a1"), "alice")
        assert d._connexion().execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not Path(f"{chemin}-wal").exists()
    with pytest.raises(ErreurEcosysteme, match="journal"):
        ouvrir_depot(chemin, journal="memoire")  # type: ignore[arg-type]


def test_un_depot_occupe_trop_longtemps_donne_une_erreur_claire(chemin: Path) -> None:
    with ouvrir_depot(chemin, creer=True, delai=0.3) as d:
        d.ajouter(acteur("a1"), "alice")
        autre = sqlite3.connect(chemin, isolation_level=None)
        autre.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        # the writer waits for the lock up to the delay (SQLite's busy timeout), then gives up
        assert d._connexion().execute("PRAGMA busy_timeout").fetchone()[0] == 300
        with pytest.raises(DepotOccupe, match="0.3 s"):
            d.ajouter(acteur("a2"), "alice")
        assert [a.id for a in d.lister()] == ["a1"]  # readers are not blocked (WAL)
        autre.execute("ROLLBACK")
        autre.close()
        assert d.ajouter(acteur("a2"), "alice").version == 1


def test_depot_ferme_refuse_de_servir(depot: Depot) -> None:
    depot.close()
    depot.close()  # idempotent
    with pytest.raises(ErreurEcosysteme, match="fermé"):
        depot.compter()


# --------------------------------------------------------------------------------------------
# GDAL / QGIS can read every layer
# --------------------------------------------------------------------------------------------


def test_gdal_lit_chaque_couche(
    depot_gpkg: DepotGeoPackage, chemin: Path, caplog: pytest.LogCaptureFixture
) -> None:
    depot_gpkg.remplacer_qpv(qpv_cadre(), "alice")
    depot_gpkg.remplacer_communes(communes_cadre(), "alice")
    depot_gpkg.remplacer_epci(epci_carre(), "alice")
    depot_gpkg.ajouter(acteur("a1", date_maj=dt.date(2024, 5, 2), typologie=["CCAS"]), "alice")
    depot_gpkg.ajouter(acteur("a2", latitude=None, longitude=None), "alice")
    lot = depot_gpkg.importer_lot(
        [acteur("a3")], fichier="p.csv", format="csv", sha256="ab", auteur="bob", rapport={"n": 1}
    )
    depot_gpkg.close()

    caplog.set_level(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        couches = dict(pyogrio.list_layers(chemin))
        assert couches == {
            "qpv": "MultiPolygon",
            "communes": "MultiPolygon",
            "epci": "MultiPolygon",
            "acteurs": "Point",
            "lots_import": None,
            "journal": None,
            "meta": None,
            "fusions": None,
            "non_doublons": None,
            "correspondances": None,
            "scenarios": None,
        }
        qpv = pyogrio.read_dataframe(chemin, layer="qpv")
        communes = pyogrio.read_dataframe(chemin, layer="communes")
        epci = pyogrio.read_dataframe(chemin, layer="epci")
        acteurs = pyogrio.read_dataframe(chemin, layer="acteurs")
        lots = pyogrio.read_dataframe(chemin, layer="lots_import")
        journal = pyogrio.read_dataframe(chemin, layer="journal")
        meta = pyogrio.read_dataframe(chemin, layer="meta")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]

    for cadre in (qpv, communes, epci, acteurs):
        assert cadre.crs.to_epsg() == 4326
    assert list(qpv["code_qp"]) == ["QN00201M", "QN02A01C", "QN05971M"]
    assert list(qpv["insee_com"]) == ["02571,02691", "2A004", "59350"]
    assert list(qpv["insee_dep"]) == ["02", "2A", "59"]
    assert set(qpv.geom_type) == {"MultiPolygon"}
    attendu = qpv_cadre().geometry.iloc[2]
    assert qpv.geometry.iloc[2].equals(MultiPolygon([attendu]))  # the hole survived
    assert list(communes["code"]) == ["01053", "2A004", "59350"]
    assert communes.geometry.iloc[1] is None
    assert list(epci["siren_epci"]) == [SIREN, "200000002"]
    assert list(acteurs["id"]) == ["a1", "a2", "a3"]
    assert acteurs.geometry.iloc[0].equals(Point(3.06, 50.63)) and acteurs.geometry.iloc[1] is None
    assert acteurs["code_insee"].iloc[0] == "59350" and acteurs["code_postal"].iloc[0] == "59000"
    assert acteurs["services"].iloc[0] == f'["{SERVICES[0]}"]'
    assert str(acteurs["date_maj"].iloc[0])[:10] == "2024-05-02"
    assert list(acteurs["version"]) == [1, 1, 1]
    assert list(lots["fichier"]) == ["p.csv"] and lot.id == 1
    assert sorted(journal["action"]) == ["ajout", "ajout", "import"]
    assert "version_schema" in set(meta["cle"])


# --------------------------------------------------------------------------------------------
# Territories
# --------------------------------------------------------------------------------------------


def test_remplacer_et_lire_les_qpv(depot: Depot) -> None:
    assert depot.remplacer_qpv(qpv_cadre(), "alice") == 3
    assert depot.remplacer_qpv(qpv_cadre().iloc[:2], "alice") == 2  # replaces, never appends
    qpv = depot.qpv()
    assert qpv.crs.to_epsg() == 4326
    assert list(qpv["code_qp"]) == ["QN00201M", "QN02A01C"]
    assert list(qpv["population"].astype(object).where(qpv["population"].notna(), None)) == [5822, None]
    assert list(qpv["millesime"]) == [2024, 2024]
    assert qpv["insee_com"].iloc[1] == "2A004"
    assert set(qpv.geom_type) == {"MultiPolygon"}
    assert list(depot.qpv(siren_epci=SIREN)["code_qp"]) == ["QN00201M"]
    assert list(depot.qpv(insee_dep=["2A", "59"])["code_qp"]) == ["QN02A01C"]
    assert depot.qpv(insee_reg="11").empty
    assert depot.qpv(insee_reg="11").crs.to_epsg() == 4326


def test_definir_les_populations_des_qpv(depot: Depot) -> None:
    depot.remplacer_qpv(qpv_cadre(), "alice")
    inconnus = depot.definir_populations({"QN02A01C": 4321, "QN00201M": None, "QN99999Z": 7}, "insee")
    assert inconnus == ["QN99999Z"]
    population = depot.qpv().set_index("code_qp")["population"]
    assert population["QN02A01C"] == 4321 and population.isna()["QN00201M"]
    assert population["QN05971M"] == 12_000
    with pytest.raises(CoucheInvalide, match="entier"):
        depot.definir_populations({"QN02A01C": "beaucoup"}, "insee")  # type: ignore[dict-item]


def test_communes_et_epci(depot: Depot) -> None:
    depot.remplacer_communes(communes_cadre(), "alice")
    depot.remplacer_epci(epci_carre(), "alice")
    communes = depot.communes(insee_dep="2A")
    assert list(communes["code"]) == ["2A004"]
    assert communes["codes_postaux"].iloc[0] == "20000,20090"
    assert communes.geometry.iloc[0] is None
    epci = depot.epci(SIREN)
    assert list(epci["nom_epci"]) == ["CA du Carré"]
    assert epci.geometry.iloc[0].equals(MultiPolygon([box(2, 49, 3, 50)]))
    assert depot.epci()["population"].isna().tolist() == [False, True]


@pytest.mark.parametrize(
    ("changer", "message"),
    [
        (lambda g: g.to_crs(2154), "EPSG:4326"),
        (lambda g: g.set_crs(None, allow_override=True), "pas de système de coordonnées"),
        (lambda g: g.assign(insee_dep=[2, 20, 59]), "toujours du texte"),
        (lambda g: g.drop(columns="siren_epci"), "siren_epci"),
        (lambda g: g.assign(code_qp=["QN1", "QN1", "QN2"]), "en double"),
        (lambda g: g.set_geometry([Point(0, 0)] * 3, crs=4326), "Point"),
        (lambda g: g.assign(population=[1.5, 2, 3]), "n'est pas un entier"),
        (lambda g: g.iloc[:0], "vide"),
    ],
)
def test_une_couche_invalide_est_refusee_sans_rien_changer(
    depot: Depot, chemin: Path, changer: Any, message: str
) -> None:
    depot.remplacer_qpv(qpv_cadre(), "alice")
    avant = instantane(chemin)
    with pytest.raises(CoucheInvalide, match=message):
        depot.remplacer_qpv(changer(qpv_cadre()), "alice")
    assert instantane(chemin) == avant


@pytest.mark.donnees_reelles
def test_qpv_reels_des_hauts_de_france(depot: Depot) -> None:
    source = DONNEES / "qpv2024_hdf.gpkg"
    if not source.exists():
        pytest.skip("données réelles absentes")
    qpv = gpd.read_file(source).rename(columns={"pop_muni_qpv": "population"})
    assert depot.remplacer_qpv(qpv, "alice") == 204
    relu = depot.qpv(siren_epci="200043396")  # CA Maubeuge Val de Sambre
    assert set(relu["code_qp"]) >= {"QN05915M", "QN05918M"}
    ligne = relu.set_index("code_qp").loc["QN05918M"]
    assert ligne["population"] == 10_341
    attendu = qpv.set_index("code_qp").loc["QN05918M"].geometry
    assert shapely.equals_exact(ligne.geometry, attendu, tolerance=0)
    assert int(depot.qpv()["population"].sum()) == 753_115


# --------------------------------------------------------------------------------------------
# Actors: CRUD and optimistic locking
# --------------------------------------------------------------------------------------------


def test_ajouter_obtenir_et_doublon(depot: Depot) -> None:
    stocke = depot.ajouter(acteur("a1", version=7), "alice")
    assert stocke.version == 1
    assert depot.obtenir("a1") == stocke
    with pytest.raises(ActeurExisteDeja, match="existe déjà"):
        depot.ajouter(acteur("a1", nom="Autre"), "bob")
    with pytest.raises(Introuvable, match="« zz »"):
        depot.obtenir("zz")
    with pytest.raises(ErreurEcosysteme, match="auteur"):
        depot.ajouter(acteur("a2"), "  ")
    assert depot.compter() == 1


def test_deux_editeurs_le_second_recoit_un_conflit(depot: Depot) -> None:
    depot.ajouter(acteur("a1", nom="Médiathèque"), "alice")
    lu_par_alice = depot.obtenir("a1")
    lu_par_bob = depot.obtenir("a1")
    lu_par_alice.horaires = "Mo-Fr 09:00-12:00"
    enregistre = depot.modifier(lu_par_alice, "alice")
    assert enregistre.version == 2
    lu_par_bob.nom = "Médiathèque Jean Lévy"
    with pytest.raises(ConflitDeVersion) as erreur:
        depot.modifier(lu_par_bob, "bob")
    conflit = erreur.value
    assert conflit.actuel["version"] == 2 and conflit.actuel["horaires"] == "Mo-Fr 09:00-12:00"
    assert conflit.propose["version"] == 1 and conflit.propose["nom"] == "Médiathèque Jean Lévy"
    assert "alice" in conflit.message and "version enregistrée est la 2" in conflit.message
    assert depot.obtenir("a1") == enregistre  # nothing lost, nothing overwritten
    lu_par_bob = depot.obtenir("a1")
    lu_par_bob.nom = "Médiathèque Jean Lévy"
    final = depot.modifier(lu_par_bob, "bob")
    assert (final.version, final.nom, final.horaires) == (3, "Médiathèque Jean Lévy", "Mo-Fr 09:00-12:00")


def test_modifier_un_absent(depot: Depot) -> None:
    with pytest.raises(Introuvable):
        depot.modifier(acteur("fantome", version=1), "alice")


def test_fermer_rouvrir_supprimer(depot: Depot) -> None:
    depot.ajouter(acteur("a1"), "alice")
    ferme = depot.fermer("a1", 1, "alice")
    assert (ferme.statut, ferme.version) == (Statut.FERME, 2)
    assert depot.fermer("a1", 2, "alice").version == 2  # already closed: nothing written
    assert depot.compter() == 1 and depot.compter(inclure_fermes=False) == 0
    with pytest.raises(ConflitDeVersion):
        depot.rouvrir("a1", 1, "bob")
    rouvert = depot.rouvrir("a1", 2, "bob")
    assert (rouvert.statut, rouvert.version) == (Statut.ACTIF, 3)
    with pytest.raises(ConflitDeVersion):
        depot.supprimer("a1", 2, "bob")
    depot.supprimer("a1", 3, "bob")
    with pytest.raises(Introuvable):
        depot.obtenir("a1")
    actions = [e.action for e in depot.historique("a1")]
    assert actions == [Action.SUPPRESSION, Action.REOUVERTURE, Action.FERMETURE, Action.AJOUT]


def test_fermer_puis_rouvrir_le_depot(adresse: str | Path) -> None:
    with ouvrir_depot(adresse, creer=True) as d:
        d.ajouter(
            acteur(
                "a1", arrets=[Arret(nom="Place", latitude=50.1, longitude=3.1, horaires="Tu 10:00-12:00")]
            ),
            "a",
        )
        d.modifier(d.obtenir("a1").model_copy(update={"nom": "Bus numérique"}), "b")
    with ouvrir_depot(adresse) as d:
        relu = d.obtenir("a1")
    assert (relu.nom, relu.version, relu.arrets[0].horaires) == ("Bus numérique", 2, "Tu 10:00-12:00")


def test_un_depot_partage_entre_threads(depot: Depot) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda i: depot.ajouter(acteur(f"t{i}"), "thread"), range(100)))
    assert depot.compter() == 100


# --------------------------------------------------------------------------------------------
# Listing and filters
# --------------------------------------------------------------------------------------------


@pytest.fixture
def depot_peuple(depot: Depot) -> Depot:
    depot.remplacer_epci(epci_carre(), "alice")
    arret_dedans = Arret(nom="Marché", latitude=49.5, longitude=2.5)
    for a in [
        acteur("dedans", latitude=49.5, longitude=2.5, categorie=Categorie.FABLAB, services=[SERVICES[1]]),
        acteur("bord", latitude=49.5, longitude=3.0, code_insee="2A004", code_postal="20000"),
        acteur("coin", latitude=49.0, longitude=2.0, categorie=Categorie.FRANCE_SERVICES),
        acteur("dehors", latitude=49.5, longitude=3.1, services=[SERVICES[1], SERVICES[2]]),
        acteur("est", latitude=49.5, longitude=4.5),
        acteur("sans_coordonnees", latitude=None, longitude=None),
        acteur("bus", latitude=48.0, longitude=1.0, itinerance=["Itinérant"], arrets=[arret_dedans]),
        acteur("bus_sans_base", latitude=None, longitude=None, arrets=[arret_dedans]),
        acteur("ferme", latitude=49.6, longitude=2.6, statut=Statut.FERME),
    ]:
        depot.ajouter(a, "alice")
    return depot


def ids(acteurs: list[Acteur]) -> list[str]:
    return [a.id for a in acteurs]


def test_lister_par_epci_par_geometrie(depot_peuple: Depot) -> None:
    d = depot_peuple
    attendus = ["bord", "bus", "bus_sans_base", "coin", "dedans", "ferme"]
    assert ids(d.lister(siren_epci=SIREN)) == attendus
    assert ids(d.lister(siren_epci=SIREN, inclure_fermes=False)) == attendus[:-1]
    assert ids(d.lister(siren_epci="200000002")) == ["est"]
    assert ids(d.lister(siren_epci=[SIREN, "200000002"])) == sorted([*attendus, "est"])
    with pytest.raises(Introuvable, match="999999999"):
        d.lister(siren_epci="999999999")


def test_lister_par_emprise_et_attributs(depot_peuple: Depot) -> None:
    d = depot_peuple
    assert ids(d.lister(bbox=(2.4, 49.4, 3.0, 49.5))) == ["bord", "bus", "bus_sans_base", "dedans"]
    assert ids(d.lister(bbox=(3.05, 49.0, 4.6, 50.0))) == ["dehors", "est"]
    assert ids(d.lister(categorie="Fablab")) == ["dedans"]
    assert ids(d.lister(categorie=Categorie.FRANCE_SERVICES, siren_epci=SIREN)) == ["coin"]
    assert ids(d.lister(service=SERVICES[1])) == ["dedans", "dehors"]
    assert ids(d.lister(service=SERVICES[2], siren_epci=SIREN)) == []
    assert ids(d.lister(statut="fermé")) == ["ferme"]
    assert ids(d.lister(code_insee="2A004")) == ["bord"]
    assert len(d.lister()) == d.compter() == 9
    with pytest.raises(ErreurEcosysteme, match="inconnu"):
        d.lister(categorie="Bibliothèque")
    with pytest.raises(ErreurEcosysteme, match="Service"):
        d.lister(service="Réparer des vélos")
    with pytest.raises(ErreurEcosysteme, match="Emprise"):
        d.lister(bbox=(3, 50, 2, 49))


def test_un_acteur_liste_se_modifie_comme_un_autre(depot_peuple: Depot) -> None:
    liste = depot_peuple.lister(categorie="Fablab")[0]
    liste.nom = "Fablab des Trois Ponts"
    with pytest.raises(ValueError):
        liste.code_postal = "5900"  # assignment is still validated
    enregistre = depot_peuple.modifier(liste, "alice")
    assert (enregistre.nom, enregistre.version) == ("Fablab des Trois Ponts", 2)


def test_acteurs_gdf(depot_peuple: Depot) -> None:
    gdf = depot_peuple.acteurs_gdf(siren_epci=SIREN)
    assert gdf.crs.to_epsg() == 4326
    assert list(gdf["id"]) == ["bord", "bus", "bus_sans_base", "coin", "dedans", "ferme"]
    ligne = gdf.set_index("id").loc["dedans"]
    assert ligne["services"] == [SERVICES[1]] and ligne.geometry.equals(Point(2.5, 49.5))
    assert gdf.set_index("id").loc["bus_sans_base"].geometry is None
    assert gdf.set_index("id").loc["bus"]["arrets"][0]["nom"] == "Marché"
    assert gdf["code_insee"].tolist()[0] == "2A004"
    assert set(gdf.columns) >= {
        *Acteur.model_fields,
        "cree_le",
        "modifie_le",
        "modifie_par",
        "lot_id",
        "geometry",
    }
    vide = depot_peuple.acteurs_gdf(categorie="CCAS")
    assert vide.empty and vide.crs.to_epsg() == 4326


@pytest.mark.lent
def test_lister_30000_acteurs(depot: Depot) -> None:
    """A large store lists whole, as frames and by box (timings: benchmarks/depot.py)."""
    depot.importer_lot(
        lot_acteurs(30_000), fichier="gros.csv", format="csv", sha256="0", auteur="a", rapport={}
    )
    acteurs = depot.lister()
    gdf = depot.acteurs_gdf()
    dans_bbox = depot.lister(bbox=(2.5, 50.0, 2.6, 50.1))
    assert len(acteurs) == len(gdf) == 30_000 and len(dans_bbox) > 0
    assert all(2.5 <= a.longitude <= 2.6 and 50.0 <= a.latitude <= 50.1 for a in dans_bbox)  # type: ignore[operator]


# --------------------------------------------------------------------------------------------
# Import batches
# --------------------------------------------------------------------------------------------


def test_importer_puis_annuler_un_lot(depot: Depot, adresse: str | Path) -> None:
    depot.ajouter(acteur("x1", nom="Ancien nom"), "alice")
    depot.ajouter(acteur("x2"), "alice")
    depot.ajouter(acteur("x3"), "alice")
    depot.modifier(depot.obtenir("x3").model_copy(update={"horaires": "Mo 10:00-12:00"}), "alice")
    avant = {a.id: sans_gestion(a) for a in depot.lister()}
    entrant = [
        acteur("x1", nom="Nouveau nom", date_import=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)),
        acteur("x2", date_import=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)),  # same content: untouched
        acteur("n1"),
        acteur("n2", latitude=None, longitude=None),
    ]
    lot = depot.importer_lot(
        entrant,
        fichier="partenaire.csv",
        format="csv",
        sha256="c0ffee",
        auteur="bob",
        rapport={"rejetees": 2},
    )
    assert (lot.crees, lot.mis_a_jour, lot.inchanges, lot.acceptees, lot.rejetees, lot.lignes_lues) == (
        2,
        1,
        1,
        4,
        2,
        6,
    )
    assert depot.obtenir("x1").nom == "Nouveau nom" and depot.obtenir("x1").version == 2
    assert depot.obtenir("x2").version == 1 and depot.obtenir("n1").version == 1
    journal_x1 = depot.historique("x1")[0]
    assert (journal_x1.action, journal_x1.lot_id, journal_x1.auteur) == (Action.IMPORT, lot.id, "bob")
    assert journal_x1.avant is not None and journal_x1.avant["nom"] == "Ancien nom"
    assert journal_x1.apres is not None and journal_x1.apres["nom"] == "Nouveau nom"
    assert depot.lots()[0] == lot

    annule = depot.annuler_lot(lot.id, "carole")
    assert annule.annule and annule.annule_par == "carole"
    assert {a.id: sans_gestion(a) for a in depot.lister()} == avant
    assert depot.obtenir("x1").version == 3  # versions never go back
    assert depot.historique("n1")[0].action == Action.ANNULATION
    with pytest.raises(AnnulationImpossible, match="déjà été annulé"):
        depot.annuler_lot(lot.id, "carole")
    with pytest.raises(Introuvable):
        depot.annuler_lot(999, "carole")


def test_annuler_un_lot_refuse_apres_une_modification_ulterieure(depot: Depot, adresse: str | Path) -> None:
    depot.ajouter(acteur("x1"), "alice")
    lot = depot.importer_lot(
        [acteur("x1", nom="Importé"), acteur("n1"), acteur("n2")],
        fichier="f.csv",
        format="csv",
        sha256="0",
        auteur="bob",
        rapport={},
    )
    depot.modifier(depot.obtenir("n2").model_copy(update={"nom": "Corrigé à la main"}), "carole")
    avant = instantane(adresse)
    with pytest.raises(AnnulationImpossible) as erreur:
        depot.annuler_lot(lot.id, "bob")
    assert "Corrigé à la main" in erreur.value.message and "(n2)" in erreur.value.message
    assert "carole" in erreur.value.message
    assert instantane(adresse) == avant
    depot.supprimer("n1", 1, "carole")
    with pytest.raises(AnnulationImpossible, match="2 acteur"):
        depot.annuler_lot(lot.id, "bob")


def test_un_lot_invalide_ne_laisse_aucune_trace(depot: Depot, adresse: str | Path) -> None:
    depot.ajouter(acteur("x1"), "alice")
    avant = instantane(adresse)
    bons = lot_acteurs(500)
    with pytest.raises(DonneeInvalide, match="n° 301"):
        depot.importer_lot(
            [*bons[:300], "pas un acteur", *bons[300:]],
            fichier="f",
            format="csv",
            sha256="0",
            auteur="b",
            rapport={},
        )  # type: ignore[list-item]
    with pytest.raises(DonneeInvalide, match="deux fois"):
        depot.importer_lot([*bons, bons[10]], fichier="f", format="csv", sha256="0", auteur="b", rapport={})
    assert instantane(adresse) == avant


def test_une_erreur_au_milieu_de_l_ecriture_annule_tout(
    depot: Depot, adresse: str | Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    depot.ajouter(acteur("x1"), "alice")
    avant = instantane(adresse)

    def panne(*args: object) -> None:
        raise OSError("disque plein (simulé)")

    # the actors are already inserted and updated when the journal write fails
    monkeypatch.setattr(type(depot), "_ecrire_journal", panne)
    with pytest.raises(OSError, match="simulé"):
        depot.importer_lot(
            [acteur("x1", nom="Autre"), *lot_acteurs(1000)],
            fichier="f",
            format="csv",
            sha256="0",
            auteur="b",
            rapport={},
        )
    with pytest.raises(OSError, match="simulé"):
        depot.modifier(depot.obtenir("x1").model_copy(update={"nom": "Autre"}), "b")
    assert instantane(adresse) == avant
    monkeypatch.undo()
    assert depot.ajouter(acteur("x2"), "alice").version == 1  # the store is still usable


# --------------------------------------------------------------------------------------------
# History and undo
# --------------------------------------------------------------------------------------------


def test_historique_et_annulation_de_la_derniere_modification(depot: Depot) -> None:
    depot.ajouter(acteur("a1", nom="v1"), "alice")
    depot.modifier(depot.obtenir("a1").model_copy(update={"nom": "v2"}), "bob")
    depot.modifier(
        depot.obtenir("a1").model_copy(update={"nom": "v3", "horaires": "Sa 10:00-12:00"}), "carole"
    )
    histoire = depot.historique("a1")
    assert [(e.action, e.auteur) for e in histoire] == [
        (Action.MODIFICATION, "carole"),
        (Action.MODIFICATION, "bob"),
        (Action.AJOUT, "alice"),
    ]
    assert histoire[0].acteur_avant() is not None and histoire[0].acteur_avant().nom == "v2"  # type: ignore[union-attr]
    assert histoire[0].horodatage >= histoire[1].horodatage

    restaure = depot.annuler_derniere_modification("a1", "dora")
    assert restaure is not None and (restaure.nom, restaure.horaires, restaure.version) == ("v2", None, 4)
    assert depot.historique("a1")[0].action == Action.ANNULATION
    refait = depot.annuler_derniere_modification("a1", "dora")  # undoing the undo redoes
    assert refait is not None and (refait.nom, refait.horaires) == ("v3", "Sa 10:00-12:00")


def test_annuler_une_creation_et_une_suppression(depot: Depot) -> None:
    depot.ajouter(acteur("a1"), "alice")
    assert depot.annuler_derniere_modification("a1", "alice") is None
    assert depot.compter() == 0
    depot.ajouter(acteur("a2", nom="À garder"), "alice")
    depot.supprimer("a2", 1, "bob")
    revenu = depot.annuler_derniere_modification("a2", "alice")
    assert revenu is not None and revenu.nom == "À garder" and revenu.version == 2
    assert depot.obtenir("a2") == revenu
    with pytest.raises(Introuvable, match="Aucun changement"):
        depot.annuler_derniere_modification("jamais", "alice")
    assert depot.historique("jamais") == []


def test_annulation_refusee_si_modifie_hors_application(depot: Depot, adresse: str | Path) -> None:
    depot.ajouter(acteur("a1"), "alice")
    executer(adresse, "UPDATE acteurs SET version = 5, nom = 'Édité dans QGIS' WHERE id = 'a1'")
    with pytest.raises(AnnulationImpossible, match="hors de l'application"):
        depot.annuler_derniere_modification("a1", "alice")


# --------------------------------------------------------------------------------------------
# Round trip property
# --------------------------------------------------------------------------------------------

_ENUMS = standard.enumerations()


def _liste(champ: str) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(_ENUMS[champ]), unique=True, max_size=4)


def _permis(t: str) -> bool:
    """A text every entry accepts (the text rules of ``validation``: no formula sign first, no
    markup); invisible characters are allowed: the model removes them."""
    return probleme_texte(texte_propre(t)) is None


_textes = st.none() | st.text(max_size=40).filter(_permis)
_non_vide = st.text(min_size=1, max_size=40).filter(lambda t: _permis(t) and bool(texte_propre(t)))
_urls = st.from_regex(r"https://[a-z]{1,10}\.fr(/[a-z0-9]{0,8})?", fullmatch=True)
_courriels = st.from_regex(r"[a-z0-9]{1,10}@[a-z]{1,8}\.fr", fullmatch=True)
_coordonnees = st.none() | st.tuples(
    st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False)
)
_fuseaux = (
    st.none()
    | st.just(dt.UTC)
    | st.integers(-23 * 60, 23 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
)
_arrets = st.builds(
    Arret,
    nom=st.text(max_size=20).filter(_permis),
    adresse=_textes,
    commune=_textes,
    code_insee=st.none() | st.just("59350"),
    latitude=st.floats(-90, 90, allow_nan=False),
    longitude=st.floats(-180, 180, allow_nan=False),
    horaires=_textes,
)


@st.composite
def acteurs_valides(draw: st.DrawFn) -> Acteur:
    coords = draw(_coordonnees)
    return Acteur(
        id=draw(_non_vide),
        pivot=draw(st.from_regex(r"[a-zA-Z0-9]{9,14}", fullmatch=True)),
        nom=draw(_non_vide),
        commune=draw(_textes),
        code_postal=draw(st.none() | st.from_regex(r"[0-9]{5}", fullmatch=True)),
        code_insee=draw(st.none() | st.from_regex(r"([013-9][0-9]|2[AB1-9])[0-9]{3}", fullmatch=True)),
        adresse=draw(_textes),
        complement_adresse=draw(_textes),
        latitude=None if coords is None else coords[0],
        longitude=None if coords is None else coords[1],
        typologie=draw(st.lists(st.sampled_from(sorted(standard.typologies())), unique=True, max_size=3)),
        telephone=draw(st.none() | st.from_regex(r"\+33[0-9]{9}", fullmatch=True)),
        courriels=draw(st.lists(_courriels, max_size=3)),
        site_web=draw(st.lists(_urls, max_size=2)),
        horaires=draw(_textes),
        presentation_resume=draw(st.none() | st.text(max_size=280).filter(_permis)),
        presentation_detail=draw(_textes),
        source=draw(_textes),
        itinerance=draw(_liste("itinerance")),
        structure_parente=draw(_textes),
        date_maj=draw(st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))),
        services=draw(_liste("services")),
        publics_specifiquement_adresses=draw(_liste("publics_specifiquement_adresses")),
        prise_en_charge_specifique=draw(_liste("prise_en_charge_specifique")),
        frais_a_charge=draw(_liste("frais_a_charge")),
        dispositif_programmes_nationaux=draw(_liste("dispositif_programmes_nationaux")),
        formations_labels=draw(_liste("formations_labels")),
        autres_formations_labels=draw(st.lists(st.text(max_size=20).filter(_permis), max_size=3)),
        modalites_acces=draw(_liste("modalites_acces")),
        modalites_accompagnement=draw(_liste("modalites_accompagnement")),
        fiche_acces_libre=draw(st.none() | _urls),
        prise_rdv=draw(st.none() | _urls),
        categorie=draw(st.sampled_from(Categorie)),
        statut=draw(st.sampled_from(Statut)),
        arrets=draw(st.lists(_arrets, max_size=2)),
        piliers=draw(st.lists(st.sampled_from(Pilier), unique=True, max_size=4)),
        provenance_fichier=draw(_textes),
        provenance_format=draw(_textes),
        provenance_auteur=draw(_textes),
        date_import=draw(
            st.none() | st.datetimes(dt.datetime(1900, 1, 2), dt.datetime(2100, 1, 1), timezones=_fuseaux)
        ),
        version=draw(st.integers(0, 10)),
    )


@pytest.fixture(scope="module", params=["geopackage", "postgis"])
def depot_module(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Depot]:
    if request.param == "geopackage":
        with ouvrir_depot(tmp_path_factory.mktemp("propriete") / "depot.gpkg", creer=True) as d:
            yield d
        return
    with aide_postgis.base_jetable() as base, ouvrir_depot(base) as d:
        yield d


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=acteurs_valides())
def test_aller_retour_de_tout_acteur_valide(depot_module: Depot, a: Acteur) -> None:
    d = depot_module
    d.ajouter(a, "propriete")
    try:
        relu = d.obtenir(a.id)
        assert sans_gestion(relu) == sans_gestion(a)
        assert relu.version == 1
        liste = d.lister(code_insee=a.code_insee) if a.code_insee else d.lister()
        rapide = next(x for x in liste if x.id == a.id)
        assert rapide == relu  # the fast rebuild equals full validation
        assert rapide.model_dump(mode="json") == relu.model_dump(mode="json")
        ligne = d.acteurs_gdf().set_index("id").loc[a.id]
        assert ligne["services"] == a.services and ligne["arrets"] == [s.model_dump() for s in a.arrets]
        if a.localise:
            assert ligne.geometry.equals(Point(a.longitude, a.latitude))  # type: ignore[arg-type]
    finally:
        d.supprimer(a.id, 1, "propriete")


def test_np_nan_n_est_pas_une_coordonnee() -> None:
    # guard for the fast path: the model itself refuses NaN coordinates
    with pytest.raises(ValueError):
        acteur("n", latitude=float(np.nan), longitude=1.0)
