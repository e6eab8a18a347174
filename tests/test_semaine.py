"""The week grid of the actor forms: OSM string written and read back, French errors, real files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opening_hours import OpeningHours, State

from ecosysteme.domaine.semaine import (
    FIN_JOURNEE,
    MAX_PLAGES,
    SEMAINE_REFERENCE,
    Semaine,
    SemaineInvalide,
    depuis_osm,
    erreur_osm,
    erreurs_jour,
    hhmm,
    intervalles_semaine,
    lire_heure,
    raison_hors_grille,
    vers_osm,
)
from ecosysteme.sources.importeurs.acteurs import convertir_table
from ecosysteme.sources.importeurs.base import RapportImport
from ecosysteme.sources.lecture import lire_table

MATIN = (9 * 60, 12 * 60)
APREM = (14 * 60, 18 * 60)
RIEN: tuple[tuple[int, int], ...] = ()


def semaine(*jours: tuple[tuple[int, int], ...], ph: bool = False) -> Semaine:
    return Semaine(tuple(jours) + (RIEN,) * (7 - len(jours)), ph)


# -- writing -------------------------------------------------------------------------------------


def test_jours_identiques_regroupes() -> None:
    s = semaine(*[(MATIN, APREM)] * 5, (MATIN,))
    assert vers_osm(s) == "Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00"


def test_jours_non_consecutifs_en_liste() -> None:
    s = semaine((MATIN,), RIEN, (MATIN,), RIEN, RIEN, RIEN, ((600, 660),))
    assert vers_osm(s) == "Mo,We 09:00-12:00; Su 10:00-11:00"


def test_jours_feries_fermes_en_dernier() -> None:
    s = semaine(*[(MATIN,)] * 5, ph=True)
    assert vers_osm(s) == "Mo-Fr 09:00-12:00; PH off"


def test_ouvert_jour_et_nuit() -> None:
    assert vers_osm(Semaine((((0, FIN_JOURNEE),),) * 7)) == "24/7"
    assert vers_osm(Semaine((((0, FIN_JOURNEE),),) * 7, ph_ferme=True)) == "24/7; PH off"


def test_semaine_vide_horaires_inconnus() -> None:
    assert vers_osm(Semaine()) is None
    # « fermé les jours fériés » alone says nothing of the hours
    assert vers_osm(Semaine(ph_ferme=True)) is None


def test_minuit_en_fin_de_journee() -> None:
    s = semaine(((20 * 60, FIN_JOURNEE),), ((0, 120),))
    assert vers_osm(s) == "Mo 20:00-24:00; Tu 00:00-02:00"
    assert depuis_osm("Mo 20:00-24:00; Tu 00:00-02:00") == s


# -- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00", semaine(*[(MATIN, APREM)] * 5, (MATIN,))),
        ("Mo,We 09:00-12:00", semaine((MATIN,), RIEN, (MATIN,))),
        ("Mo-Fr 09:00-12:00; We off", semaine((MATIN,), (MATIN,), RIEN, (MATIN,), (MATIN,))),
        ("Mo-Fr 09:00-12:00; Tu,Th closed", semaine((MATIN,), RIEN, (MATIN,), RIEN, (MATIN,))),
        ("Sa-Mo 09:00-12:00", semaine((MATIN,), RIEN, RIEN, RIEN, RIEN, (MATIN,), (MATIN,))),
        ("24/7", Semaine((((0, FIN_JOURNEE),),) * 7)),
        ("Mo-Fr", semaine(*[((0, FIN_JOURNEE),)] * 5)),
        ("Mo 9:00-12:00", semaine((MATIN,))),
        ("  Mo  09:00-12:00 ;  Tu 14:00-18:00 ", semaine((MATIN,), (APREM,))),
        # an additional rule (", ") adds to the days it names, it does not replace them
        (
            "Mo-Fr 09:00-12:00, We 14:00-18:00",
            semaine((MATIN,), (MATIN,), (MATIN, APREM), (MATIN,), (MATIN,)),
        ),
        # a later rule replaces an earlier one on the days it names (OSM semantics)
        (
            "Mo-Fr 09:00-18:00; We 09:00-12:00",
            semaine(*[((540, 1080),)] * 2, (MATIN,), *[((540, 1080),)] * 2),
        ),
        # touching intervals are one opening
        ("Mo 10:00-14:00,14:00-19:00", semaine(((600, 1140),))),
        ("Mo-Fr 09:00-12:00; PH off", semaine(*[(MATIN,)] * 5, ph=True)),
        ("Mo-Fr 09:00-12:00; PH closed", semaine(*[(MATIN,)] * 5, ph=True)),
        # no days: every day
        (
            "08:30-11:30; Th 08:30-11:30,14:00-16:30",
            semaine(*[((510, 690),)] * 3, ((510, 690), (840, 990)), *[((510, 690),)] * 3),
        ),
    ],
)
def test_formes_simples_lues(texte: str, attendu: Semaine) -> None:
    assert depuis_osm(texte) == attendu


@pytest.mark.parametrize(
    "texte",
    [
        "week 1-53 Mo 09:00-12:00",
        "Jan-Jun Mo 09:00-12:00",
        "2026 Mo 09:00-12:00",
        "Mo[1] 09:00-12:00",
        "PH 10:00-12:00",
        "Mo-Fr 09:00-12:00; PH 10:00-11:00",
        "PH off; Mo 09:00-12:00",  # a later rule overrides the holidays: not the editor's rule
        'Mo 09:00-12:00 "sur rendez-vous"',
        'Mo 09:00-12:00 || "sur rendez-vous"',
        "Mo 09:00-12:00 unknown",
        "sunrise-sunset",
        "Mo 10:00-sunset",
        "Mo 22:00-02:00",  # past midnight
        "Mo 14:00-14:00",  # read by OSM as 24 hours
        "Mo 10:00-26:00",
        "Mo 08:00-09:00,10:00-11:00,12:00-13:00,14:00-15:00",  # four intervals
        "off",
        "Mo-Su off",
        "PH off",
        "lundi 9h-12h",
        "Mo 25:00-26:00",
    ],
)
def test_hors_grille(texte: str) -> None:
    assert depuis_osm(texte) is None
    assert raison_hors_grille(texte)


def test_raisons_hors_grille() -> None:
    assert "début et une fin identiques" in raison_hors_grille("Tu 09:00-12:00,14:00-14:00")
    assert "passe minuit" in raison_hors_grille("Fr 19:00-11:00")
    assert "plus de 3 plages" in raison_hors_grille("Mo 08:00-09:00,10:00-11:00,12:00-13:00,14:00-15:00")
    assert "ferment tous les jours" in raison_hors_grille("off")
    assert "semaines, mois" in raison_hors_grille("week 1-53 Mo 09:00-12:00")
    assert "ne suit pas la syntaxe" in raison_hors_grille("lundi 9h-12h")


def test_intervalles_semaine() -> None:
    assert intervalles_semaine("Mo 22:00-02:00") == (
        ((1320, FIN_JOURNEE),),
        ((0, 120),),
        RIEN,
        RIEN,
        RIEN,
        RIEN,
        RIEN,
    )
    assert intervalles_semaine("Mo 09:00-12:00 unknown") is None
    assert intervalles_semaine('Mo 09:00-12:00 "sur rendez-vous"') is None
    assert intervalles_semaine("lundi") is None


def test_vide_donne_semaine_vide() -> None:
    assert depuis_osm(None) == Semaine()
    assert depuis_osm("   ") == Semaine()


# -- errors --------------------------------------------------------------------------------------


def test_fin_avant_debut_message() -> None:
    with pytest.raises(SemaineInvalide) as e:
        Semaine.creer([[], [(14 * 60, 12 * 60)], [], [], [], [], []])
    assert e.value.erreurs == ["mardi : 14:00–12:00, la fin précède le début"]
    assert e.value.emplacement.champ == "horaires"


def test_erreurs_jour_toutes() -> None:
    assert erreurs_jour(0, [(540, 720), (700, 800)]) == ["lundi : 09:00–12:00 et 11:40–13:20 se chevauchent"]
    assert erreurs_jour(2, [(540, 720), (720, 800)]) == [
        "mercredi : 09:00–12:00 et 12:00–13:20 se suivent sans pause, réunissez-les en 09:00–13:20"
    ]
    assert erreurs_jour(6, [(600, 600)]) == [
        "dimanche : 10:00–10:00, la plage est vide (début et fin identiques)"
    ]
    assert erreurs_jour(4, [(0, 1500)]) == ["vendredi : 1500 minutes, hors de la journée (de 00:00 à 24:00)"]
    assert erreurs_jour(3, [(800, 900), (540, 720)]) == [
        "jeudi : 09:00–12:00 est placée après 13:20–15:00, remettez-les dans l'ordre"
    ]
    assert erreurs_jour(5, [(1, 2), (3, 4), (5, 6), (7, 8)]) == [
        f"samedi : 4 plages, la grille en accepte au plus {MAX_PLAGES}"
    ]
    assert erreurs_jour(0, [(540, 720), (840, 1080)]) == []


def test_creer_trie_mais_constructeur_strict() -> None:
    s = Semaine.creer([[APREM, MATIN]] + [[]] * 6)
    assert s.jours[0] == (MATIN, APREM)
    with pytest.raises(SemaineInvalide, match="remettez-les dans l'ordre"):
        Semaine(((APREM, MATIN),) + (RIEN,) * 6)
    with pytest.raises(SemaineInvalide, match="une semaine a 7 jours, pas 6"):
        Semaine((RIEN,) * 6)


@pytest.mark.parametrize(
    ("texte", "minutes"),
    [
        ("9", 540),
        ("9h", 540),
        ("9h30", 570),
        ("09:30", 570),
        ("9.05", 545),
        ("09 h 30", 570),
        ("24:00", 1440),
        ("0:00", 0),
    ],
)
def test_lire_heure(texte: str, minutes: int) -> None:
    assert lire_heure(texte) == minutes


@pytest.mark.parametrize("texte", ["25:00", "24:30", "9h75", "midi", "", "9:5", "-1"])
def test_lire_heure_refuse(texte: str) -> None:
    with pytest.raises(SemaineInvalide, match=r"mardi, début de la plage 1 : « .* » n'est pas une heure"):
        lire_heure(texte, "mardi, début de la plage 1")


def test_erreur_osm() -> None:
    assert erreur_osm("Mo-Fr 09:00-12:00") is None
    message = erreur_osm("Mo 25:00-26:00")
    assert message is not None and "caractère 4" in message and "Exemple" in message


# -- properties ----------------------------------------------------------------------------------


@st.composite
def jours(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    n = draw(st.integers(0, MAX_PLAGES))
    bornes = sorted(draw(st.sets(st.integers(0, FIN_JOURNEE), min_size=2 * n, max_size=2 * n)))
    return tuple((bornes[i], bornes[i + 1]) for i in range(0, 2 * n, 2))


semaines = st.builds(Semaine, st.tuples(*[jours()] * 7), st.booleans())


def minutes_ouvertes(texte: str) -> set[int]:
    """Minutes of the reference week the maintained parser says are open (independent of the module)."""
    oh = OpeningHours(texte)
    fin = SEMAINE_REFERENCE + dt.timedelta(days=7)
    ouvertes: set[int] = set()
    for a, b, etat, _ in oh.intervals(SEMAINE_REFERENCE, fin):
        assert etat in (State.OPEN, State.CLOSED)
        if etat == State.OPEN:
            ouvertes.update(
                range(
                    int((a - SEMAINE_REFERENCE).total_seconds()) // 60,
                    int((b - SEMAINE_REFERENCE).total_seconds()) // 60,
                )
            )
    return ouvertes


def minutes_semaine(s: Semaine) -> set[int]:
    return {j * FIN_JOURNEE + m for j, plages in enumerate(s.jours) for a, b in plages for m in range(a, b)}


@settings(max_examples=300, deadline=None)
@given(semaines)
def test_aller_retour(s: Semaine) -> None:
    texte = vers_osm(s)
    if s.vide:
        assert texte is None and depuis_osm(texte) == Semaine()
        return
    assert texte is not None
    assert depuis_osm(texte) == s


@settings(max_examples=300, deadline=None)
@given(semaines)
def test_le_parseur_lit_la_meme_semaine(s: Semaine) -> None:
    texte = vers_osm(s)
    if texte is None:
        return
    assert minutes_ouvertes(texte) == minutes_semaine(s)
    assert texte.endswith("; PH off") == s.ph_ferme


def test_parseur_a_la_main() -> None:
    """One week checked by hand at given instants (Monday 12 January 2026 is day 0)."""
    texte = vers_osm(semaine((MATIN, APREM), RIEN, (MATIN,), ph=True))
    assert texte == "Mo 09:00-12:00,14:00-18:00; We 09:00-12:00; PH off"
    oh = OpeningHours(texte)
    lundi = SEMAINE_REFERENCE
    assert oh.is_open(lundi.replace(hour=9)) and oh.is_closed(lundi.replace(hour=12))
    assert oh.is_open(lundi.replace(hour=17, minute=59)) and oh.is_closed(lundi.replace(hour=18))
    assert oh.is_closed(lundi + dt.timedelta(days=1, hours=10))
    assert oh.is_open(lundi + dt.timedelta(days=2, hours=11))


# -- real files ----------------------------------------------------------------------------------

FICHIERS = {
    "data_inclusion_structures_2022-07_france.csv": ("data-inclusion", 1696, 1686),
    "lieux_conseillers_numeriques_2022-06_france.csv": ("conseillers-numeriques", 2295, 2282),
}


@pytest.mark.donnees_reelles
@pytest.mark.parametrize("nom", list(FICHIERS))
def test_horaires_reels_dans_la_grille(donnees: Path, nom: str) -> None:
    """Share of the distinct ``horaires`` (after the importer) the grid can show, and for each of
    them the same open minutes once rewritten by the editor."""
    fmt, n_distincts, n_grille = FICHIERS[nom]
    acteurs = convertir_table(lire_table(donnees / nom), fmt, RapportImport(nom, fmt))
    valeurs = {a.horaires for a in acteurs if a.horaires}
    montrees = {v: s for v in valeurs if (s := depuis_osm(v)) is not None}
    assert (len(valeurs), len(montrees)) == (n_distincts, n_grille)
    for v, s in montrees.items():
        reecrit = vers_osm(s)
        assert reecrit is not None and minutes_ouvertes(reecrit) == minutes_ouvertes(v), v
    # what is left out is a producer's mistake the form must show raw
    for v in valeurs - set(montrees):
        assert "identiques" in raison_hors_grille(v) or "passe minuit" in raison_hors_grille(v), v


def test_hhmm() -> None:
    assert hhmm(0) == "00:00" and hhmm(545) == "09:05" and hhmm(FIN_JOURNEE) == "24:00"
