"""Opening hours: OSM validation and conversion of the France Services day columns."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opening_hours import OpeningHours

from ecosysteme.domaine.horaires import (
    JOURS_FRANCE_SERVICES,
    horaires_france_services,
    intervalles_jour,
    valider_horaires,
)

DONNEES = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FRANCE_SERVICES = DONNEES / "france_services_2022-12-01_france.csv"
LUNDI = dt.date(2026, 1, 5)  # a Monday
COLONNES = [colonne for colonne, _, _ in JOURS_FRANCE_SERVICES]


# --- valider_horaires -------------------------------------------------------------------


@pytest.mark.parametrize(
    "valeur",
    [
        "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00",
        "24/7",
        "Mo-Fr 08:00-18:00; PH off",
        "Tu,Th 14:00-17:00",
    ],
)
def test_valider_horaires_valides_gardes_tels_quels(valeur: str) -> None:
    assert valider_horaires(valeur) == (valeur, None)


def test_valider_horaires_retire_les_espaces_autour() -> None:
    assert valider_horaires("  Mo-Fr 09:00-12:00 \n") == ("Mo-Fr 09:00-12:00", None)


def test_valider_horaires_ne_reformate_pas() -> None:
    # the parser would print "09:00", but the producer's spelling is kept
    assert valider_horaires("Mo-Fr 9:00-12:00") == ("Mo-Fr 9:00-12:00", None)


@pytest.mark.parametrize("valeur", [None, "", "   ", "nan"])
def test_valider_horaires_vide(valeur: str | None) -> None:
    assert valider_horaires(valeur) == (None, None)


@pytest.mark.parametrize("valeur", ["Mo-Fr 09h00-12h00", "lundi 9h-12h", "24/24", "Mo 09:00-12:00 Tu"])
def test_valider_horaires_invalides(valeur: str) -> None:
    resultat, avertissement = valider_horaires(valeur)
    assert resultat is None
    assert avertissement is not None
    assert f"« {valeur} »" in avertissement
    assert "non conformes" in avertissement
    assert "expected" in avertissement  # the parser's short reason
    assert "\n" not in avertissement  # no ASCII drawing


# --- horaires_france_services: every real value, on one day ---------------------------------

EXEMPLES_REELS = [
    ("09:00 - 12:00 / 13:30 - 17:00", "09:00-12:00,13:30-17:00"),
    ("09:30 - 16:30", "09:30-16:30"),
    ("09:00-12:00/13:30-17:00", "09:00-12:00,13:30-17:00"),
    ("09:00-12:00", "09:00-12:00"),
    ("09:00 - 12:30 / 09:00 - 12:30 / 13:30 - 16:30", "09:00-12:30,13:30-16:30"),
    ("09:00 - 12:00 / 09:00 - 12:00 / 09:00 - 12:00 / 13:30 - 17:00", "09:00-12:00,13:30-17:00"),
    ("09:00-12:00,13:00-17:00", "09:00-12:00,13:00-17:00"),
    ("09:00-12:00 14:00-16:30", "09:00-12:00,14:00-16:30"),
    ("09:00-12:30-13:30-17:00", "09:00-12:30,13:30-17:00"),
    ("08:00-13:00/13 :30-17:00", "08:00-13:00,13:30-17:00"),
    (
        "08:45 - 10:15 / 10:30 - 11:30 / 10:30 - 12:00 / 13:30 - 14:30 / 15:00 - 16:15",
        "08:45-10:15,10:30-12:00,13:30-14:30,15:00-16:15",
    ),
    ("09:00-12h00", "09:00-12:00"),
    ("08 :00-12:00/14:00-17:00", "08:00-12:00,14:00-17:00"),
    ("07:30:12:30", "07:30-12:30"),
    ("09:30-12:30/\n\n 13:30-18:00", "09:30-12:30,13:30-18:00"),
    ("00:00 - 00:00 / 09:00 - 12:00", "09:00-12:00"),  # the form's placeholder, then hours
    # tolerant spellings
    ("9h-12h", "09:00-12:00"),
    ("9h30 - 12h / 14h - 17h30", "09:30-12:00,14:00-17:30"),
    ("9h30 à 12h et 14h à 17h", "09:30-12:00,14:00-17:00"),
    ("09 :30-12 : 00", "09:30-12:00"),
    ("08:00-24:00", "08:00-24:00"),
]


@pytest.mark.parametrize(("valeur", "attendu"), EXEMPLES_REELS)
def test_exemples_reels_un_jour(valeur: str, attendu: str) -> None:
    resultat, avertissements = horaires_france_services({"h_mardi": valeur})
    assert resultat == f"Tu {attendu}"
    assert avertissements == []
    OpeningHours(resultat)


@pytest.mark.parametrize(("valeur", "attendu"), EXEMPLES_REELS)
def test_exemples_reels_toute_la_semaine(valeur: str, attendu: str) -> None:
    resultat, avertissements = horaires_france_services(dict.fromkeys(COLONNES, valeur))
    assert resultat == f"Mo-Sa {attendu}"
    assert avertissements == []


@pytest.mark.parametrize("valeur", ["", "-", None, "   ", "00:00 - 00:00", "Fermé", float("nan")])
def test_jour_vide_ou_ferme(valeur: object) -> None:
    assert horaires_france_services({"h_lundi": valeur, "h_mardi": "09:00-12:00"}) == ("Tu 09:00-12:00", [])


def test_tous_les_jours_vides() -> None:
    assert horaires_france_services(dict.fromkeys(COLONNES, "")) == (None, [])
    assert horaires_france_services(dict.fromkeys(COLONNES, "-")) == (None, [])
    assert horaires_france_services({}) == (None, [])


def test_tous_les_jours_illisibles() -> None:
    resultat, avertissements = horaires_france_services(dict.fromkeys(COLONNES, "n'importe quoi"))
    assert resultat is None
    assert len(avertissements) == 6


@pytest.mark.parametrize(
    "valeur",
    [
        "09:00-13:00-/3:00-16:00",  # garbage: the second interval goes back in the day
        "09:00-12:00-14:00",  # odd number of times
        "12:00-09:00",  # backwards
        "09:00-09:00",  # empty interval
        "14:00-17:00 / 09:00-12:00",  # intervals out of order
        "09:00-25:00",  # impossible hour
        "09:75-12:00",  # impossible minutes
        "sur rendez-vous",  # no times
        "09:00-12:00 sur rendez-vous",  # words we do not understand
        "0900-1200",  # numbers too long to be times
    ],
)
def test_jour_illisible_ignore_avec_avertissement(valeur: str) -> None:
    resultat, avertissements = horaires_france_services({"h_lundi": "09:00-12:00", "h_mardi": valeur})
    assert resultat == "Mo 09:00-12:00"
    assert len(avertissements) == 1
    assert avertissements[0].startswith("horaires du mardi illisibles : ")
    une_ligne = re.sub(r"\s+", " ", valeur).strip()
    assert f'"{une_ligne}"' in avertissements[0]


def test_avertissement_exemple_reel() -> None:
    resultat, avertissements = horaires_france_services(
        {"h_lundi": "09:00 - 12:00", "h_mardi": "09:00-13:00-/3:00-16:00", "h_mercredi": "09:00 - 12:00"}
    )
    assert resultat == "Mo,We 09:00-12:00"
    assert avertissements == ['horaires du mardi illisibles : "09:00-13:00-/3:00-16:00", jour ignoré']


# --- grouping of days --------------------------------------------------------------------


def test_regroupement_lundi_vendredi_et_samedi() -> None:
    jours = dict.fromkeys(COLONNES[:5], "09:00 - 12:00 / 13:30 - 17:00")
    jours["h_samedi"] = "09:00-12:00"
    assert horaires_france_services(jours) == ("Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00", [])


def test_regroupement_le_premier_cas_reel() -> None:
    ligne = {
        "h_lundi": "09:00 - 12:00 / 13:30 - 17:00",
        "h_mardi": "09:00 - 12:00 / 13:30 - 17:00",
        "h_mercredi": "09:00 - 12:00 / 13:30 - 17:00",
        "h_jeudi": "09:00 - 12:00 / 13:30 - 17:00",
        "h_vendredi": "09:00 - 12:00 / 13:30 - 16:00",
        "h_samedi": "",
    }
    assert horaires_france_services(ligne) == (
        "Mo-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00",
        [],
    )


def test_regroupement_jours_non_consecutifs() -> None:
    jours = {"h_lundi": "9h-12h", "h_mardi": "14h-17h", "h_mercredi": "09:00-12:00"}
    assert horaires_france_services(jours) == ("Mo,We 09:00-12:00; Tu 14:00-17:00", [])


def test_regroupement_plages_et_jours_isoles() -> None:
    jours = {
        "h_lundi": "9h-12h",
        "h_mardi": "9h-12h",
        "h_mercredi": "14h-17h",
        "h_jeudi": "9h-12h",
        "h_vendredi": "9h-12h",
        "h_samedi": "9h-12h",
    }
    assert horaires_france_services(jours) == ("Mo-Tu,Th-Sa 09:00-12:00; We 14:00-17:00", [])


def test_colonnes_inconnues_ignorees() -> None:
    assert horaires_france_services({"h_dimanche": "09:00-12:00", "commentaire": "x"}) == (None, [])


def test_intervalles_jour() -> None:
    assert intervalles_jour("09:00-12:00 / 11:00-13:00") == ([(540, 780)], True)
    assert intervalles_jour("09:00-12:00 / 12:00-13:00") == ([(540, 780)], True)
    assert intervalles_jour("-") == ([], True)
    assert intervalles_jour("12:00-09:00") == (None, False)


# --- property: what goes in is what the parser reads back -----------------------------------


@st.composite
def jour(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Well-formed intervals of one day: strictly increasing times in [0, 24:00]."""
    n = draw(st.integers(min_value=0, max_value=4))
    temps = sorted(draw(st.sets(st.integers(min_value=0, max_value=24 * 60), min_size=2 * n, max_size=2 * n)))
    return [(temps[i], temps[i + 1]) for i in range(0, len(temps), 2)]


def _ecrire(minutes: int, style: int) -> str:
    h, m = divmod(minutes, 60)
    if style == 0:
        return f"{h:02d}:{m:02d}"
    if style == 1:
        return f"{h}h{m:02d}" if m else f"{h}h"
    return f"{h:02d} :{m:02d}"


def _texte_jour(intervalles: list[tuple[int, int]], style: int, separateur: str, duplique: bool) -> str:
    morceaux = [f"{_ecrire(a, style)} - {_ecrire(b, style)}" for a, b in intervalles]
    if duplique and morceaux:
        morceaux.insert(0, morceaux[0])  # the national file repeats intervals
    return separateur.join(morceaux) or "-"


def _moment(jour_index: int, minutes: float) -> dt.datetime:
    return dt.datetime.combine(LUNDI, dt.time()) + dt.timedelta(days=jour_index, minutes=minutes)


@settings(max_examples=300, deadline=None)
@given(
    semaine=st.lists(jour(), min_size=6, max_size=6),
    style=st.integers(min_value=0, max_value=2),
    separateur=st.sampled_from([" / ", "/", ",", " ", " et "]),
    duplique=st.booleans(),
)
def test_propriete_lu_par_opening_hours(
    semaine: list[list[tuple[int, int]]], style: int, separateur: str, duplique: bool
) -> None:
    colonnes = {
        colonne: _texte_jour(intervalles, style, separateur, duplique)
        for colonne, intervalles in zip(COLONNES, semaine, strict=True)
    }
    resultat, avertissements = horaires_france_services(colonnes)
    assert avertissements == []
    if not any(semaine):
        assert resultat is None
        return
    assert resultat is not None
    assert valider_horaires(resultat) == (resultat, None)
    oh = OpeningHours(resultat)
    for index, intervalles in enumerate(semaine):
        bornes = [0, *[t for iv in intervalles for t in iv], 24 * 60]
        for debut, fin in intervalles:
            assert oh.is_open(_moment(index, (debut + fin) / 2)), (resultat, index, debut, fin)
        # gaps: before the first interval, between intervals, after the last one
        for i in range(0, len(bornes), 2):
            debut_trou, fin_trou = bornes[i], bornes[i + 1]
            if fin_trou > debut_trou:
                assert not oh.is_open(_moment(index, (debut_trou + fin_trou) / 2)), (resultat, index)
    assert not oh.is_open(_moment(6, 12 * 60))  # no Sunday column: closed


# --- the real national file ---------------------------------------------------------------


@pytest.mark.donnees_reelles
def test_fichier_national_france_services(capsys: pytest.CaptureFixture[str]) -> None:
    if not FRANCE_SERVICES.exists():
        pytest.skip(f"{FRANCE_SERVICES} absent")
    with FRANCE_SERVICES.open(encoding="utf-8", newline="") as fh:
        lignes = list(csv.DictReader(fh))
    assert len(lignes) > 2000
    avec_horaires = 0
    lisibles = 0
    avertissements: list[str] = []
    for ligne in lignes:
        resultat, avert = horaires_france_services(ligne)
        avertissements.extend(avert)
        # a row "has hours" when a day shows a non-zero digit (not "", "-", "00:00 - 00:00")
        if any(re.search(r"[1-9]", ligne.get(c) or "") for c in COLONNES):
            avec_horaires += 1
            if resultat is not None and valider_horaires(resultat)[0] == resultat:
                lisibles += 1
    assert avec_horaires > 2000
    assert lisibles / avec_horaires >= 0.99
    with capsys.disabled():
        print(
            f"\nFrance Services : {len(lignes)} lignes, {avec_horaires} avec horaires, "
            f"{lisibles} converties, {len(avertissements)} avertissement(s)"
        )
        for a in avertissements:
            print(f"  {a}")
    assert len(avertissements) <= len(lignes) // 100
