"""Normalisation on input: phones, lists, legacy values, SIRET placeholder, spellings."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecosysteme.domaine import normalisation as nz
from ecosysteme.domaine import standard

TEL = re.compile(standard.motif("telephone").pattern)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("brut", "attendu"),
    [
        ("01 80 05 98 80", "+33180059880"),
        ("0180059880", "+33180059880"),
        ("+33 1 80 05 98 80", "+33180059880"),
        ("0033 1 80 05 98 80", "+33180059880"),
        ("01.80.05.98.80", "+33180059880"),
        ("07 85 78 24 48", "+33785782448"),
        ("0590 12 34 56", "+590590123456"),  # Guadeloupe keeps its own prefix
        ("0594 29 12 34", "+594594291234"),  # Guyane
        ("0262 12 34 56", "+262262123456"),  # La Réunion
        ("0596 12 34 56", "+596596123456"),  # Martinique
    ],
)
def test_telephone_e164(brut: str, attendu: str) -> None:
    tel, avert = nz.telephone(brut)
    assert tel == attendu
    assert avert is None
    assert TEL.fullmatch(tel)


def test_telephone_outre_mer_selon_departement() -> None:
    # a mobile 0690 number is Guadeloupe / Saint-Martin: the département decides
    assert nz.telephone("0690 12 34 56", "971")[0] == "+590690123456"
    assert nz.telephone("0639 12 34 56", "976")[0] == "+262639123456"


@pytest.mark.parametrize("brut", ["12", "abc", "+44 20 7946 0958", "0000"])
def test_telephone_invalide_averti(brut: str) -> None:
    tel, avert = nz.telephone(brut)
    assert tel is None
    assert avert and brut in avert


@given(st.text(max_size=25))
def test_telephone_jamais_hors_standard(brut: str) -> None:
    tel, _ = nz.telephone(brut)
    assert tel is None or TEL.fullmatch(tel)


def test_decouper_formes() -> None:
    assert nz.decouper("a|b|a") == ["a", "b"]
    assert nz.decouper("a;b") == ["a", "b"]
    assert nz.decouper('["a", "b"]') == ["a", "b"]
    assert nz.decouper(" ") == []
    assert nz.decouper(None) == []


def test_quinze_anciens_services_vers_les_neuf() -> None:
    assert len(nz.SERVICES_ANCIENS) == 15
    neuf = set(standard.enumerations()["services"])
    cibles = {c for v in nz.SERVICES_ANCIENS.values() for c in v}
    assert cibles <= neuf
    ok, inconnues = nz.services_depuis(["Prendre en main un ordinateur", "Accéder à du matériel", "Inconnu"])
    assert ok == ["Maîtrise des outils numériques du quotidien", "Accès internet et matériel informatique"]
    assert inconnues == ["Inconnu"]


def test_services_courants_insensibles_casse_accents() -> None:
    ok, inconnues = nz.services_depuis(["aide aux demarches administratives"])
    assert ok == ["Aide aux démarches administratives"] and not inconnues


def test_etapes_numeriques_deux_graphies() -> None:
    for v in ("Étapes numériques (La Poste)", "Étapes numériques(La Poste)", "etapes numeriques (la poste)"):
        assert nz.valeurs_enum("formations_labels", [v]) == (["Étapes numériques(La Poste)"], [])


def test_suffixes_exacts_pas_de_correspondance_partielle() -> None:
    ok, inconnues = nz.valeurs_enum("prise_en_charge_specifique", ["Langues étrangères"])
    assert ok == [] and inconnues == ["Langues étrangères"]


def test_pivot_placeholder_et_espaces() -> None:
    assert nz.pivot("434 933 123 00029") == ("43493312300029", None)
    assert nz.pivot("00000000000000") == (nz.PIVOT_INCONNU, None)
    assert not nz.pivot_connu("00000000000000")
    assert nz.pivot_connu("43493312300029")
    p, avert = nz.pivot("12")
    assert p == nz.PIVOT_INCONNU and avert


def test_anciens_publics() -> None:
    pub, pec, inc = nz.publics_depuis(["Jeunes (16-26 ans)", "Surdité", "Adultes", "Familles/enfants", "???"])
    assert pub == ["Jeunes", "Familles et/ou enfants"]
    assert pec == ["Surdité"]
    assert inc == ["???"]


@pytest.mark.parametrize(
    ("brut", "attendu"),
    [("1053", "01053"), ("01053", "01053"), ("2a004", "2A004"), ("1053.0", "01053"), ("xx", None)],
)
def test_code_insee(brut: str, attendu: str | None) -> None:
    assert nz.code_insee(brut) == attendu


def test_code_postal_zero_perdu() -> None:
    assert nz.code_postal("2120") == "02120"
    assert nz.code_postal("02120") == "02120"
    assert nz.code_postal("ABCDE") is None
