"""Overlaps between distinct actors (DESIGN §5) on hand-made cases, a brute-force oracle and the
real Hauts-de-France store.

Places are drawn in metres (Lambert-93, or the local CRS overseas) and converted to EPSG:4326 as
real inputs are; the engine projects them back, so expected distances are exact to a µm.
"""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer

from ecosysteme.analyse.chevauchements import (
    STATUT_CHEVAUCHEMENT,
    STATUT_DISTINCT,
    STATUT_INCONNU,
    TOUT_PUBLIC,
    chevauchements,
    groupes,
    lignes,
    minutes_ouverture,
    par_epci,
)
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.semaine import intervalles_semaine

X0, Y0 = 700_000.0, 7_000_000.0  # Lambert-93, near Amiens
AIDE = "Aide aux démarches administratives"
OUTILS = "Maîtrise des outils numériques du quotidien"
LOISIRS = "Loisirs et créations numériques"
#: Distinct names and streets: no pair of these is a probable duplicate.
NOMS = [
    "Médiathèque Louise Michel",
    "Centre social Victor Hugo",
    "Espace Jean Moulin",
    "Fablab des Tisserands",
    "Association Clic et Partage",
    "Mairie annexe du Pont Rouge",
    "Tiers-lieu La Verrière",
    "Maison Marie Curie",
    "Atelier Pixel Solidaire",
    "Point Numérique Rosa Parks",
]


def acteur(x: float, y: float, crs: int = 2154, **champs: Any) -> dict[str, Any]:
    lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(x, y)
    ident = champs.pop("id")
    base: dict[str, Any] = {
        "id": ident,
        "nom": NOMS[sum(map(ord, ident)) % len(NOMS)] + f" {ident}",
        "adresse": f"{sum(map(ord, ident))} rue {ident}",
        "commune": "Amiens",
        "statut": "actif",
        "categorie": "EPN",
        "longitude": lon,
        "latitude": lat,
        "services": [AIDE],
        "publics_specifiquement_adresses": [],
        "arrets": [],
        "horaires": "Mo-Fr 09:00-12:00",
    }
    base.update(champs)
    return base


def frame(acteurs: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    df = pd.DataFrame(acteurs)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.longitude, df.latitude), crs=4326)


def arret(x: float, y: float, horaires: str | None, crs: int = 2154) -> dict[str, Any]:
    lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(x, y)
    return {"nom": f"arrêt {x:.0f}", "longitude": lon, "latitude": lat, "horaires": horaires}


def cles(r: pd.DataFrame) -> set[tuple[str, str, str, str]]:
    return set(zip(r.id_a, r.id_b, r.service, r.public, strict=True))


# --- hand-made cases -------------------------------------------------------------------------------


def test_meme_service_meme_public_a_200m_heures_communes() -> None:
    a = frame(
        [
            acteur(X0, Y0, id="a", horaires="Mo-Fr 09:00-12:00"),
            acteur(X0 + 200, Y0, id="b", horaires="Mo,We 10:00-18:00"),
        ]
    )
    r = chevauchements(a)
    assert len(r) == 1
    x = r.iloc[0]
    assert (x.id_a, x.id_b, x.service, x.public) == ("a", "b", AIDE, TOUT_PUBLIC)
    assert x.distance_m == pytest.approx(200, abs=1e-6)
    assert x.minutes_communes == 240  # Monday 10–12 and Wednesday 10–12
    assert x.heures_communes == pytest.approx(4.0)
    assert x.statut_horaires == STATUT_CHEVAUCHEMENT and not x.doublon_probable
    # the line's ends are the two places
    assert (x.lon_a, x.lat_a) == (a.longitude[0], a.latitude[0])
    assert (x.lon_b, x.lat_b) == (a.longitude[1], a.latitude[1])


def test_une_ligne_par_service_partage() -> None:
    a = frame(
        [
            acteur(X0, Y0, id="a", services=[AIDE, OUTILS, LOISIRS]),
            acteur(X0 + 100, Y0, id="b", services=[OUTILS, AIDE]),
        ]
    )
    r = chevauchements(a)
    assert list(r.service) == [AIDE, OUTILS]
    assert list(chevauchements(a, services=[OUTILS]).service) == [OUTILS]
    assert chevauchements(a, services=[LOISIRS]).empty


def test_services_differents_aucun() -> None:
    a = frame([acteur(X0, Y0, id="a"), acteur(X0 + 200, Y0, id="b", services=[OUTILS])])
    assert chevauchements(a).empty


def test_800m_hors_de_500m_dans_1000m() -> None:
    a = frame([acteur(X0, Y0, id="a"), acteur(X0 + 480, Y0 + 640, id="b")])  # 800 m
    assert chevauchements(a).empty
    assert chevauchements(a, distance_m=799.9).empty
    r = chevauchements(a, distance_m=1000)
    assert len(r) == 1 and r.distance_m[0] == pytest.approx(800, abs=1e-6)


def test_horaires_disjoints_aucun_sauf_sur_demande() -> None:
    a = frame(
        [
            acteur(X0, Y0, id="a", horaires="Mo-Fr 09:00-12:00"),
            acteur(X0 + 200, Y0, id="b", horaires="Mo-Fr 12:00-18:00; Sa 09:00-12:00"),
        ]
    )
    assert chevauchements(a).empty  # touching at noon is not overlapping
    r = chevauchements(a, inclure_horaires_distincts=True)
    assert len(r) == 1 and r.statut_horaires[0] == STATUT_DISTINCT and r.minutes_communes[0] == 0


@pytest.mark.parametrize("horaires", [None, "", "n'importe quoi", "Mo-Fr 09:00-12:00 unknown"])
def test_horaires_inconnus_comptes_a_part(horaires: str | None) -> None:
    a = frame([acteur(X0, Y0, id="a"), acteur(X0 + 200, Y0, id="b", horaires=horaires)])
    r = chevauchements(a)
    assert len(r) == 1
    assert r.statut_horaires[0] == STATUT_INCONNU
    assert pd.isna(r.minutes_communes[0]) and pd.isna(r.heures_communes[0])


def test_doublon_probable_exclu_ou_signale() -> None:
    commun = {"nom": "Médiathèque Louise Michel", "adresse": "12 rue des Lilas", "commune": "Amiens"}
    a = frame([acteur(X0, Y0, id="a", **commun), acteur(X0 + 3, Y0 + 4, id="b", **commun)])  # 5 m
    assert chevauchements(a).empty
    r = chevauchements(a, exclure_doublons=False)
    assert len(r) == 1 and bool(r.doublon_probable[0]) and r.distance_m[0] == pytest.approx(5, abs=1e-6)
    # marked « pas un doublon » by a person: a true overlap again
    r = chevauchements(a, non_doublons={("b", "a")})
    assert len(r) == 1 and not r.doublon_probable[0]


def test_un_lieu_enregistre_deux_fois_compte_une_fois() -> None:
    """« a » and « a2 » are one médiathèque recorded twice (5 m apart, same name and address); « c »
    200 m away overlaps with that place: one row (under the closer fiche, « a »), not two."""
    commun = {"nom": "Médiathèque Louise Michel", "adresse": "12 rue des Lilas", "commune": "Amiens"}
    a = frame(
        [
            acteur(X0, Y0, id="a", **commun),
            acteur(X0 - 3, Y0 - 4, id="a2", **commun),
            acteur(X0 + 200, Y0, id="c"),
        ]
    )
    r = chevauchements(a)
    assert cles(r) == {("a", "c", AIDE, TOUT_PUBLIC)}
    assert r.distance_m[0] == pytest.approx(200, abs=1e-6)
    # shown with the duplicates: the pair a–a2 flagged, the overlap with c still once
    r = chevauchements(a, exclure_doublons=False)
    assert sorted(zip(r.id_a, r.id_b, r.doublon_probable, strict=True)) == [
        ("a", "a2", True),
        ("a", "c", False),
    ]
    # once a person says a and a2 are two places, both overlap with c (and with each other)
    r = chevauchements(a, non_doublons={("a", "a2")})
    assert {(x, y) for x, y, *_ in cles(r)} == {("a", "a2"), ("a", "c"), ("a2", "c")}


def test_acteur_ferme_ou_en_projet_ignore() -> None:
    for statut in ("fermé", "en projet"):
        a = frame([acteur(X0, Y0, id="a"), acteur(X0 + 200, Y0, id="b", statut=statut)])
        assert chevauchements(a).empty


def test_service_itinerant_compte_a_chaque_arret() -> None:
    arrets = [
        arret(X0 + 5000, Y0 + 150, "Tu 09:00-12:00"),  # 150 m from the fixed place
        arret(X0 + 9000, Y0, "We 09:00-18:00"),  # far away
    ]
    a = frame(
        [
            # the bus's own point (its base) is right next to the fixed place: it does not count
            acteur(X0 + 5000, Y0 - 10, id="bus", arrets=arrets, horaires="Mo-Fr 09:00-18:00"),
            acteur(X0 + 5000, Y0, id="fixe", horaires="Tu-We 10:00-11:00"),
        ]
    )
    r = chevauchements(a)
    assert len(r) == 1
    x = r.iloc[0]
    assert (x.id_a, x.id_b) == ("bus", "fixe")
    assert x.distance_m == pytest.approx(150, abs=1e-6)
    assert x.minutes_communes == 60  # Tuesday 10–11 at the stop; Wednesday's stop is far
    assert (x.lon_a, x.lat_a) == (arrets[0]["longitude"], arrets[0]["latitude"])
    # a stop without hours of its own takes its actor's
    arrets[0]["horaires"] = None
    r = chevauchements(
        frame(
            [
                acteur(X0 + 5000, Y0 - 10, id="bus", arrets=arrets, horaires="Mo-Fr 10:30-18:00"),
                acteur(X0 + 5000, Y0, id="fixe", horaires="Tu-We 10:00-11:00"),
            ]
        )
    )
    assert list(r.minutes_communes) == [60]  # Tuesday and Wednesday 10:30–11:00


def test_deux_arrets_proches_reunis_sans_double_compte() -> None:
    arrets = [arret(X0, Y0 + 100, "Mo 09:00-12:00"), arret(X0, Y0 - 150, "Mo 11:00-14:00; Tu 09:00-10:00")]
    a = frame(
        [
            acteur(X0 + 50000, Y0, id="bus", arrets=arrets),
            acteur(X0, Y0, id="fixe", horaires="Mo-Tu 08:00-18:00"),
        ]
    )
    r = chevauchements(a)
    # Monday 9–14 (the union of both stops, 11–12 once) and Tuesday 9–10
    assert list(r.minutes_communes) == [5 * 60 + 60]
    # the distance and the line are those of the closest stop
    assert r.distance_m[0] == pytest.approx(100, abs=1e-6)
    assert (r.lon_a[0], r.lat_a[0]) == (arrets[0]["longitude"], arrets[0]["latitude"])


def test_paire_outre_mer_mesuree_dans_son_systeme() -> None:
    xr, yr = 340_000.0, 7_690_000.0  # Saint-Denis de La Réunion, EPSG:2975
    a = frame([acteur(xr, yr, 2975, id="a"), acteur(xr + 180, yr + 240, 2975, id="b")])  # 300 m
    r = chevauchements(a)
    assert len(r) == 1 and r.distance_m[0] == pytest.approx(300, abs=1e-6)
    # Lambert-93 would be far off there: the CRS matters
    vers = Transformer.from_crs(4326, 2154, always_xy=True)
    (x1, x2), (y1, y2) = vers.transform(a.longitude.to_numpy(), a.latitude.to_numpy())
    assert abs(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 - 300) > 10
    # an actor 300 m away but on another territory's side is never compared (no distance across the sea)
    assert chevauchements(frame([acteur(X0, Y0, id="m"), acteur(xr, yr, 2975, id="r")]), distance_m=1e7).empty


@pytest.mark.parametrize(
    ("pa", "pb", "attendus"),
    [
        ([], [], [TOUT_PUBLIC]),
        (["Seniors"], [], ["Seniors"]),
        ([], ["Jeunes", "Seniors"], ["Jeunes", "Seniors"]),
        (["Seniors", "Jeunes"], ["Jeunes", "Femmes"], ["Jeunes"]),
        (["Seniors"], ["Jeunes"], []),
    ],
)
def test_regle_des_publics(pa: list[str], pb: list[str], attendus: list[str]) -> None:
    a = frame(
        [
            acteur(X0, Y0, id="a", publics_specifiquement_adresses=pa),
            acteur(X0 + 200, Y0, id="b", publics_specifiquement_adresses=pb),
        ]
    )
    assert list(chevauchements(a).public) == attendus


def test_filtre_des_publics() -> None:
    a = frame(
        [
            acteur(X0, Y0, id="a", publics_specifiquement_adresses=["Seniors", "Jeunes"]),
            acteur(X0 + 200, Y0, id="b"),
            acteur(X0 + 400, Y0, id="c"),
        ]
    )
    r = chevauchements(a, publics=["Seniors"])
    assert cles(r) == {("a", "b", AIDE, "Seniors"), ("a", "c", AIDE, "Seniors")}
    r = chevauchements(a, publics=[TOUT_PUBLIC])
    assert cles(r) == {("b", "c", AIDE, TOUT_PUBLIC)}


def test_erreurs_en_francais() -> None:
    a = frame([acteur(X0, Y0, id="a"), acteur(X0 + 200, Y0, id="b")])
    with pytest.raises(ErreurEcosysteme, match="service « Cuisine » inconnu"):
        chevauchements(a, services=["Cuisine"])
    with pytest.raises(ErreurEcosysteme, match="public « Tous » inconnu"):
        chevauchements(a, publics=["Tous"])
    for d in (0, -5, float("nan"), float("inf")):
        with pytest.raises(ErreurEcosysteme, match="mètres positif"):
            chevauchements(a, distance_m=d)
    sans_id = a.assign(id=["a", None])
    with pytest.raises(ErreurEcosysteme, match="ligne 2, champ « id »"):
        chevauchements(sans_id)
    with pytest.raises(ErreurEcosysteme, match="EPSG:4326"):
        chevauchements(a.to_crs(2154))
    with pytest.raises(ErreurEcosysteme, match="epci_geo"):
        par_epci(chevauchements(a), a)


def test_acteurs_sans_lieu_ni_colonnes_facultatives() -> None:
    assert chevauchements(frame([acteur(X0, Y0, id="a")])).empty
    a = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "nom": ["Alpha", "Bravo", "Charlie"],
            "longitude": [2.3, 2.3001, None],
            "latitude": [48.85, 48.85, 48.85],
            "services": [[AIDE], [AIDE], [AIDE]],
        }
    )
    r = chevauchements(a)  # no hours at all: unknown; no statut: all active
    assert cles(r) == {("a", "b", AIDE, TOUT_PUBLIC)} and r.statut_horaires[0] == STATUT_INCONNU
    assert r.epci_a[0] is None


# --- groups, per EPCI, map layer ----------------------------------------------------------------


def _chaine() -> gpd.GeoDataFrame:
    """a — b — c on a line 400 m apart (a–c 800 m), d — e elsewhere for another service."""
    return frame(
        [
            acteur(X0, Y0, id="a", epci_geo="E1", horaires="Mo 09:00-12:00"),
            acteur(X0 + 400, Y0, id="b", epci_geo="E1", horaires="Mo 10:00-12:00"),
            acteur(X0 + 800, Y0, id="c", epci_geo="E2", horaires="Mo 11:00-12:00"),
            acteur(X0 + 5000, Y0, id="d", epci_geo="E2", services=[OUTILS], horaires="Tu 10:00-11:00"),
            acteur(X0 + 5100, Y0, id="e", epci_geo="E2", services=[OUTILS], horaires=None),
        ]
    )


def test_groupes_connexes_par_service_et_public() -> None:
    paires = chevauchements(_chaine())
    assert cles(paires) == {
        ("a", "b", AIDE, TOUT_PUBLIC),
        ("b", "c", AIDE, TOUT_PUBLIC),
        ("d", "e", OUTILS, TOUT_PUBLIC),
    }
    g = groupes(paires)
    assert len(g) == 1  # d–e has unknown hours: not an overlap
    x = g.iloc[0]
    assert (x.groupe, x.service, x.public, x.membres, x.taille, x.paires) == (
        1,
        AIDE,
        TOUT_PUBLIC,
        ["a", "b", "c"],
        3,
        2,
    )
    assert x.minutes_communes == 120 + 60 and x.epci == ["E1", "E2"]
    g2 = groupes(paires, statuts=(STATUT_CHEVAUCHEMENT, STATUT_INCONNU))
    assert [m for m in g2.membres] == [["a", "b", "c"], ["d", "e"]]
    assert list(g2.groupe) == [1, 2]
    assert groupes(paires.iloc[:0]).empty


def test_groupes_sans_doublons_probables() -> None:
    commun = {"nom": "Médiathèque Louise Michel", "adresse": "12 rue des Lilas"}
    paires = chevauchements(
        frame([acteur(X0, Y0, id="a", **commun), acteur(X0 + 3, Y0, id="b", **commun)]),
        exclure_doublons=False,
    )
    assert len(paires) == 1 and groupes(paires).empty


def test_par_epci() -> None:
    acteurs = _chaine()
    t = par_epci(chevauchements(acteurs), acteurs).set_index(["siren_epci", "service"])
    e1, e2 = t.loc[("E1", AIDE)], t.loc[("E2", AIDE)]
    assert (e1.paires, e1.acteurs, e1.minutes_communes) == (2, 2, 180)  # a–b, and b–c across the border
    assert (e2.paires, e2.acteurs, e2.minutes_communes) == (1, 1, 60)  # b–c, with c only
    assert e1.heures_communes == pytest.approx(3.0)
    d = t.loc[("E2", OUTILS)]
    assert (d.paires, d.acteurs, d.paires_horaires_inconnues) == (0, 0, 1)


def test_lignes_une_par_paire_en_4326() -> None:
    acteurs = frame(
        [
            acteur(X0, Y0, id="a", services=[AIDE, OUTILS], nom="Bibliothèque <b>Zola</b>"),
            acteur(X0 + 300, Y0 + 400, id="b", services=[AIDE, OUTILS]),
        ]
    )
    paires = chevauchements(acteurs)
    assert len(paires) == 2
    c = lignes(paires, acteurs)
    assert c.crs.to_epsg() == 4326 and len(c) == 1
    x = c.iloc[0]
    assert x.services == f"{AIDE} ; {OUTILS}" and x.nom_a == "Bibliothèque <b>Zola</b>"
    assert list(x.geometry.coords) == [
        (acteurs.longitude[0], acteurs.latitude[0]),
        (acteurs.longitude[1], acteurs.latitude[1]),
    ]
    assert x.distance_m == pytest.approx(500, abs=1e-6) and x.minutes_communes == 15 * 60
    f = json.loads(c.to_json())["features"][0]
    assert (
        f["geometry"]["type"] == "LineString" and f["properties"]["statut_horaires"] == STATUT_CHEVAUCHEMENT
    )
    # pairs without the places' columns: the actors' points
    assert list(
        lignes(paires.drop(columns=["lon_a", "lat_a", "lon_b", "lat_b"]), acteurs).geometry.iloc[0].coords
    ) == list(x.geometry.coords)
    assert lignes(paires.iloc[:0], acteurs).empty


# --- properties against a brute-force oracle ---------------------------------------------------

HORAIRES = [None, "Mo-Fr 09:00-12:00", "Mo,We 10:00-18:00", "Sa 09:00-12:00", "Mo 11:30-11:45", "24/7", "bof"]
SERVICES = [AIDE, OUTILS, LOISIRS]
PUBLICS = ["Jeunes", "Seniors", "Femmes"]


def _minutes(texte: str | None) -> set[int] | None:
    jours = intervalles_semaine(texte) if texte else None
    if jours is None:
        return None
    return {j * 1440 + m for j, plages in enumerate(jours) for d, f in plages for m in range(d, f)}


def _oracle(
    acteurs: list[dict[str, Any]], distance: float, distincts: bool
) -> dict[tuple[str, str, str, str], Any]:
    """Every pair of active fixed actors, the rules written out plainly."""
    vers = Transformer.from_crs(4326, 2154, always_xy=True)
    out: dict[tuple[str, str, str, str], Any] = {}
    actifs = [a for a in acteurs if a["statut"] == "actif"]
    for a, b in itertools.combinations(sorted(actifs, key=lambda a: a["id"]), 2):
        xa, ya = vers.transform(a["longitude"], a["latitude"])
        xb, yb = vers.transform(b["longitude"], b["latitude"])
        d = ((xa - xb) ** 2 + (ya - yb) ** 2) ** 0.5
        if d > distance:
            continue
        pa, pb = set(a["publics_specifiquement_adresses"]), set(b["publics_specifiquement_adresses"])
        publics = {TOUT_PUBLIC} if not pa and not pb else (pa or pb) if not (pa and pb) else pa & pb
        ma, mb = _minutes(a["horaires"]), _minutes(b["horaires"])
        if ma is None or mb is None:
            statut, minutes = STATUT_INCONNU, None
        else:
            minutes = len(ma & mb)
            statut = STATUT_CHEVAUCHEMENT if minutes else STATUT_DISTINCT
        if statut == STATUT_DISTINCT and not distincts:
            continue
        for s in set(a["services"]) & set(b["services"]):
            for p in publics:
                out[(a["id"], b["id"], s, p)] = (round(d, 6), minutes, statut)
    return out


acteurs_st = st.lists(
    st.fixed_dictionaries(
        {
            "x": st.integers(0, 120).map(lambda k: X0 + 10.0 * k),
            "y": st.integers(0, 120).map(lambda k: Y0 + 10.0 * k),
            "services": st.lists(st.sampled_from(SERVICES), max_size=3, unique=True),
            "publics": st.lists(st.sampled_from(PUBLICS), max_size=2, unique=True),
            "horaires": st.sampled_from(HORAIRES),
            "statut": st.sampled_from(["actif", "actif", "actif", "fermé"]),
        }
    ),
    min_size=0,
    max_size=9,
)


def _construire(tirage: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        acteur(
            t["x"],
            t["y"],
            id=f"id{k:02d}",
            services=t["services"],
            publics_specifiquement_adresses=t["publics"],
            horaires=t["horaires"],
            statut=t["statut"],
        )
        for k, t in enumerate(tirage)
    ]


def _resultat(r: pd.DataFrame) -> dict[tuple[str, str, str, str], Any]:
    return {
        (x.id_a, x.id_b, x.service, x.public): (
            round(x.distance_m, 6),
            None if pd.isna(x.minutes_communes) else int(x.minutes_communes),
            x.statut_horaires,
        )
        for x in r.itertuples()
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(acteurs_st, st.sampled_from([150.0, 500.0, 1200.0]), st.booleans())
def test_egal_a_la_force_brute(tirage: list[dict[str, Any]], distance: float, distincts: bool) -> None:
    acteurs = _construire(tirage)
    if not acteurs:
        assert chevauchements(pd.DataFrame({"id": []})).empty
        return
    r = chevauchements(
        frame(acteurs), distance_m=distance, exclure_doublons=False, inclure_horaires_distincts=distincts
    )
    assert _resultat(r) == _oracle(acteurs, distance, distincts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(acteurs_st, st.floats(10, 2000), st.floats(10, 2000), st.randoms(use_true_random=False))
def test_invariants(tirage: list[dict[str, Any]], d1: float, d2: float, hasard: Any) -> None:
    acteurs = _construire(tirage)
    if len(acteurs) < 2:
        return
    d1, d2 = min(d1, d2), max(d1, d2)
    a = frame(acteurs)
    r1 = chevauchements(a, distance_m=d1, exclure_doublons=False, inclure_horaires_distincts=True)
    r2 = chevauchements(a, distance_m=d2, exclure_doublons=False, inclure_horaires_distincts=True)
    # ids ordered, one row per (pair, service, public), distance within the catchment
    assert (r2.id_a < r2.id_b).all()
    assert not r2.duplicated(["id_a", "id_b", "service", "public"]).any()
    assert (r2.distance_m <= d2 + 1e-9).all()
    # monotone in the catchment: every pair at d1 is there at d2, unchanged
    assert _resultat(r1).items() <= _resultat(r2).items()
    # common minutes never exceed what either is open
    ouvert = {x["id"]: minutes_ouverture(x["horaires"]) for x in acteurs}
    for x in r2.itertuples():
        if not pd.isna(x.minutes_communes):
            assert x.minutes_communes <= min(ouvert[x.id_a], ouvert[x.id_b])
    # symmetric: the order of the rows changes nothing
    melange = acteurs[:]
    hasard.shuffle(melange)
    r3 = chevauchements(
        frame(melange), distance_m=d2, exclure_doublons=False, inclure_horaires_distincts=True
    )
    pd.testing.assert_frame_equal(r2, r3)


def test_minutes_ouverture() -> None:
    assert minutes_ouverture("Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00") == 5 * 7 * 60 + 180
    assert minutes_ouverture("24/7") == 7 * 24 * 60
    assert minutes_ouverture("off") == 0
    assert minutes_ouverture(None) is None and minutes_ouverture("bof") is None


# --- real data: the Hauts-de-France store --------------------------------------------------------

MAUBEUGE = "200043396"
GIP = "cnfs-62aafdde8255a806e299c6aa"
GIP_BIS = "di-conseiller-numerique-62aafdde8255a806e299c6aa"  # the same place from data·inclusion
EPINETTE = "cnfs-62bc48808dd70306dc40bdcb"


@pytest.mark.donnees_reelles
def test_hauts_de_france_maubeuge(depot_hdf: Path) -> None:
    from ecosysteme.analyse.resume import rattacher
    from ecosysteme.depot import ouvrir_depot

    with ouvrir_depot(depot_hdf) as depot:
        acteurs = rattacher(depot.acteurs_gdf(), depot.communes())
    assert len(acteurs) > 2000
    debut = time.perf_counter()
    paires = chevauchements(acteurs)
    duree = time.perf_counter() - debut
    print(
        f"\n{len(acteurs)} acteurs HdF : {len(paires)} lignes, "
        f"{len(paires.drop_duplicates(['id_a', 'id_b']))} paires, en {duree:.2f} s"
    )
    assert (paires.id_a < paires.id_b).all() and not paires.doublon_probable.any()
    # checked by hand: GIP Réussir en Sambre Avesnois, 20 av. Alphonse de Lamartine, Maubeuge,
    # « Mo-Fr 08:30-12:00,13:30-17:00 », and the Centre socio-culturel de l'Épinette, 201 rue
    # Émile Verhaeren, « Mo-Fr 08:30-12:00,13:30-16:30 »: both offer « Maîtrise des outils
    # numériques du quotidien » and « Compréhension du monde numérique », no public restricted;
    # common 5 × (3 h 30 + 3 h) = 1,950 min; 125 m apart (0.000406° of longitude, 0.001093° of
    # latitude at 50.29° N)
    m = paires[(paires.epci_a == MAUBEUGE) | (paires.epci_b == MAUBEUGE)]
    # the GIP is recorded twice (GIP, GIP_BIS): its overlap with the Épinette counts once, under the
    # closer record (it was listed twice, and summed twice per EPCI)
    assert set(zip(m.id_a, m.id_b, strict=True)) == {(GIP, EPINETTE)}
    assert len(m) == 2
    x = m[(m.id_a == GIP) & (m.id_b == EPINETTE)]
    assert set(x.service) == {OUTILS, "Compréhension du monde numérique"}
    assert set(x.public) == {TOUT_PUBLIC} and set(x.statut_horaires) == {STATUT_CHEVAUCHEMENT}
    assert set(x.minutes_communes) == {1950}
    a = acteurs.set_index("id")
    _, _, geodesique = Geod(ellps="WGS84").inv(
        a.longitude[GIP], a.latitude[GIP], a.longitude[EPINETTE], a.latitude[EPINETTE]
    )
    assert x.distance_m.iloc[0] == pytest.approx(geodesique, abs=0.5)
    assert x.distance_m.iloc[0] == pytest.approx(125.13, abs=0.01)
    # the GIP recorded twice is a probable duplicate, not an overlap
    assert not ((paires.id_a == GIP) & (paires.id_b == GIP_BIS)).any()
    tout = chevauchements(acteurs, exclure_doublons=False)
    assert tout[(tout.id_a == GIP) & (tout.id_b == GIP_BIS)].doublon_probable.all()
    # one group per service: the Épinette with the GIP (once)
    g = groupes(paires)
    gm = g[g.epci.map(lambda e: MAUBEUGE in e)]
    assert len(gm) == 2 and all(sorted(mm) == sorted([GIP, EPINETTE]) for mm in gm.membres)
    t = par_epci(paires, acteurs)
    tm = t[t.siren_epci == MAUBEUGE].set_index("service")
    assert tm.loc[OUTILS, "paires"] == 1 and tm.loc[OUTILS, "acteurs"] == 2
    assert tm.loc[OUTILS, "minutes_communes"] == 1950
    c = lignes(paires, acteurs)
    assert len(c) == len(paires.drop_duplicates(["id_a", "id_b"]))
    assert (c.geometry.is_valid | c.meme_point).all() and (
        c.meme_point == (shapely.length(c.geometry.values) == 0)
    ).all()
    print(f"{int(c.meme_point.sum())} paires au même point")
