"""Schema 2 of the store: merges of duplicates, « pas un doublon », remembered column mappings,
and the migration of a schema-1 store (one transaction)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pyogrio
import pytest
from aide_postgis import adresse_de
from aide_store import acteur, instantane

from ecosysteme.depot import Depot, ouvrir_depot
from ecosysteme.depot.geopackage.schema import VERSION_SCHEMA
from ecosysteme.depot.interface import Action
from ecosysteme.domaine.erreurs import AnnulationImpossible, ConflitDeVersion, DonneeInvalide
from ecosysteme.domaine.modeles import Statut


@pytest.fixture
def depot(adresse: str | Path) -> Iterator[Depot]:
    """Three records of one place, on each backend (GeoPackage, PostGIS)."""
    with ouvrir_depot(adresse, creer=True) as d:
        d.ajouter(acteur("cn-1", nom="Médiathèque de Hem", source="conseillers-numeriques"), "import")
        d.ajouter(acteur("di-1", nom="Médiathèque municipale de Hem", telephone="+33320000000"), "import")
        d.ajouter(acteur("di-2", nom="Médiathèque Hem (annexe)"), "import")
        yield d


def test_fusion_garde_un_acteur_retire_les_autres_et_garde_la_provenance(depot: Depot) -> None:
    garde = depot.obtenir("cn-1").model_copy(update={"telephone": "+33320000000"})
    fusionne = depot.fusionner(garde, {"di-1": 1, "di-2": 1}, "alice")
    assert fusionne.version == 2 and fusionne.telephone == "+33320000000"
    assert {a.id for a in depot.lister()} == {"cn-1"}
    assert depot.fusions() == {"di-1": "cn-1", "di-2": "cn-1"}
    # provenance: each absorbed record whole in the journal
    entree = depot.historique("di-1")[0]
    assert entree.action == Action.FUSION and entree.auteur == "alice"
    assert entree.avant is not None and entree.avant["nom"] == "Médiathèque municipale de Hem"
    assert entree.apres is None
    assert depot.historique("cn-1")[0].action == Action.FUSION


def test_fusion_sur_une_copie_perimee_ne_change_rien(depot: Depot) -> None:
    lu = depot.obtenir("di-1")
    depot.modifier(lu.model_copy(update={"nom": "Médiathèque de Hem (centre)"}), "bob")
    avant = instantane(adresse_de(depot))
    with pytest.raises(ConflitDeVersion):
        depot.fusionner(depot.obtenir("cn-1"), {"di-1": lu.version}, "alice")
    assert instantane(adresse_de(depot)) == avant
    with pytest.raises(DonneeInvalide):
        depot.fusionner(depot.obtenir("cn-1"), {"cn-1": 1}, "alice")
    with pytest.raises(DonneeInvalide):
        depot.fusionner(depot.obtenir("cn-1"), {}, "alice")
    assert instantane(adresse_de(depot)) == avant


def test_annuler_la_fusion_restaure_tous_les_acteurs(depot: Depot) -> None:
    garde = depot.obtenir("cn-1").model_copy(update={"nom": "Médiathèque Hem"})
    depot.fusionner(garde, {"di-1": 1, "di-2": 1}, "alice")
    # undo from an absorbed actor or from the kept one: the whole merge
    assert depot.annuler_derniere_modification("di-2", "alice") is None
    assert {a.id: a.nom for a in depot.lister()} == {
        "cn-1": "Médiathèque de Hem",
        "di-1": "Médiathèque municipale de Hem",
        "di-2": "Médiathèque Hem (annexe)",
    }
    assert depot.fusions() == {}
    assert depot.historique("di-1")[0].action == Action.ANNULATION


def test_annulation_refusee_si_l_acteur_garde_a_change(depot: Depot) -> None:
    fusionne = depot.fusionner(depot.obtenir("cn-1"), {"di-1": 1}, "alice")
    depot.modifier(fusionne.model_copy(update={"nom": "Autre nom"}), "bob")
    depot.annuler_derniere_modification("cn-1", "bob")  # undoes bob's edit only
    assert depot.obtenir("cn-1").nom == "Médiathèque de Hem"
    depot.modifier(depot.obtenir("cn-1").model_copy(update={"nom": "Encore"}), "bob")
    avant = instantane(adresse_de(depot))
    with pytest.raises(AnnulationImpossible, match="après la fusion"):
        depot.annuler_derniere_modification("di-1", "alice")
    assert instantane(adresse_de(depot)) == avant


def test_un_reimport_ne_ramene_pas_un_doublon_fusionne_ni_ne_rouvre_un_lieu_ferme(
    depot: Depot,
) -> None:
    depot.fusionner(depot.obtenir("cn-1"), {"di-1": 1}, "alice")
    depot.fermer("di-2", 1, "alice")
    lot = depot.importer_lot(
        [acteur("di-1", nom="Médiathèque municipale de Hem"), acteur("di-2", nom="Médiathèque Hem (annexe)")],
        fichier="di.csv",
        format="data-inclusion",
        sha256="0" * 64,
        auteur="import",
        rapport={},
    )
    assert lot.crees == 0 and lot.inchanges >= 1
    assert {a.id for a in depot.lister()} == {"cn-1", "di-2"}
    assert depot.obtenir("di-2").statut == Statut.FERME


def test_pas_un_doublon_est_retenu_dans_les_deux_sens(depot: Depot) -> None:
    depot.marquer_non_doublon("di-2", "cn-1", "alice")
    depot.marquer_non_doublon("cn-1", "di-2", "bob")  # same pair: kept once
    assert depot.non_doublons() == {("cn-1", "di-2")}
    with pytest.raises(DonneeInvalide):
        depot.marquer_non_doublon("cn-1", "cn-1", "alice")


def test_correspondance_memorisee_par_source(depot: Depot) -> None:
    assert depot.correspondance("Annuaire CAMVS") is None
    depot.memoriser_correspondance(
        "Annuaire CAMVS", {"nom": "Nom de la structure", "commune": "Ville"}, "alice"
    )
    depot.memoriser_correspondance(" Annuaire  CAMVS ", {"nom": "Structure"}, "bob")  # replaced
    assert depot.correspondance("Annuaire CAMVS") == {"nom": "Structure"}
    with pytest.raises(DonneeInvalide, match="source vide"):
        depot.memoriser_correspondance("  ", {"nom": "x"}, "bob")


def test_un_depot_au_schema_1_est_migre_en_une_fois(tmp_path: Path) -> None:
    chemin = tmp_path / "ancien.gpkg"
    with ouvrir_depot(chemin, creer=True) as d:
        d.ajouter(acteur("a1"), "alice")
    cx = sqlite3.connect(chemin)  # what a schema-1 store looked like
    for table in ("fusions", "non_doublons", "correspondances", "scenarios"):
        cx.execute(f"DROP TABLE {table}")
        cx.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (table,))
    cx.execute("UPDATE meta SET valeur = '1' WHERE cle = 'version_schema'")
    cx.execute("DELETE FROM meta WHERE cle = 'version_donnees'")
    cx.commit()
    cx.close()
    with ouvrir_depot(chemin) as d:
        assert d.obtenir("a1").nom == "Lieu a1" and d.version() == 0
        d.marquer_non_doublon("a1", "a2", "alice")
        assert d.fusions() == {} and d.version() == 1
    cx = sqlite3.connect(chemin)
    assert cx.execute("SELECT valeur FROM meta WHERE cle = 'version_schema'").fetchone()[0] == str(
        VERSION_SCHEMA
    )
    cx.close()
    # still a GeoPackage QGIS reads, the new tables declared as attribute tables
    couches = {nom for nom, _ in pyogrio.list_layers(chemin)}
    assert {"acteurs", "fusions", "non_doublons", "correspondances", "scenarios"} <= couches


def test_fermeture_groupee_tout_ou_rien(depot: Depot) -> None:
    depot.fermer("di-2", 1, "alice")
    assert depot.fermer_plusieurs({"cn-1": 1, "di-1": 1, "di-2": 2}, "bob") == 2
    assert {a.statut for a in depot.lister()} == {Statut.FERME}
    assert depot.historique("cn-1")[0].action == Action.FERMETURE
    depot.rouvrir("cn-1", 2, "bob")
    depot.rouvrir("di-1", 2, "bob")
    avant = instantane(adresse_de(depot))
    with pytest.raises(ConflitDeVersion):  # di-1 was read at version 2, it is now 3
        depot.fermer_plusieurs({"cn-1": 3, "di-1": 2}, "bob")
    assert instantane(adresse_de(depot)) == avant


def test_simulation_d_un_lot_egale_le_lot_et_la_provenance_n_est_pas_du_contenu(
    depot: Depot,
) -> None:
    lot = [
        acteur(
            "cn-1", nom="Médiathèque de Hem", source="conseillers-numeriques", provenance_fichier="autre.csv"
        ),
        acteur("di-1", nom="Médiathèque municipale (nouveau nom)", telephone="+33320000000"),
        acteur("nouveau", nom="Nouveau lieu"),
    ]
    avant = instantane(adresse_de(depot))
    prevu = depot.simuler_lot(lot)
    assert instantane(adresse_de(depot)) == avant
    fait = depot.importer_lot(
        lot, fichier="f.csv", format="standard", sha256="0" * 64, auteur="x", rapport={}
    )
    assert prevu == (fait.crees, fait.mis_a_jour, fait.inchanges) == (1, 1, 1)
