"""The bundled standard v1.0.2: fields, enumerations, typologies, and its own valid example."""

from __future__ import annotations

import json
from pathlib import Path

from ecosysteme.domaine import standard
from ecosysteme.domaine.modeles import Acteur
from ecosysteme.inventaire.importation import importer_fichier


def test_32_champs_7_requis() -> None:
    assert len(standard.champs()) == 32
    assert set(standard.champs_requis()) == {
        "id",
        "pivot",
        "nom",
        "commune",
        "code_postal",
        "adresse",
        "date_maj",
    }


def test_le_modele_porte_les_32_champs() -> None:
    assert set(standard.noms_champs()) <= set(Acteur.model_fields)


def test_enumerations_exactes() -> None:
    e = standard.enumerations()
    assert len(e["services"]) == 9
    assert "Langues étrangères (anglais)" in e["prise_en_charge_specifique"]
    assert "Étapes numériques(La Poste)" in e["formations_labels"]
    assert len(standard.typologies()) == 92


def test_schema_identique_a_la_reference(reference: Path) -> None:
    bundled = json.loads(standard.SCHEMA_PATH.read_text(encoding="utf-8"))
    ref = json.loads((reference / "schema-lieux-mediation-numerique-1.0.2.json").read_text(encoding="utf-8"))
    assert bundled == ref


def test_exemple_valide_du_standard(reference: Path) -> None:
    r = importer_fichier(reference / "exemple-valide-1.0.2.csv", None, simulation=True)
    assert r.format == "standard"
    assert (r.lignes_lues, r.acceptees, r.rejetees) == (1, 1, 0), r.resume()
