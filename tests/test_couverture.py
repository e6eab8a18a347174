"""Coverage on tiny hand-made geometries whose answers can be checked by hand.

Shapes are drawn in metres (Lambert-93, or the local CRS overseas) and converted to EPSG:4326,
as real inputs are; the engine projects them back, so expected distances are exact to a µm.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume as hypothesis_assume
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, box

from ecosysteme.analyse.couverture import Parametres, couverture, creneaux_horaires, filtre, paires
from ecosysteme.domaine.erreurs import ErreurEcosysteme

X0, Y0 = 700_000.0, 7_000_000.0  # Lambert-93, near Amiens
VERS_WGS84 = Transformer.from_crs(2154, 4326, always_xy=True)
AIDE = "Aide aux démarches administratives"


def qpv_metrique(geoms: list[Polygon | MultiPolygon], crs: int = 2154, dep: str = "80") -> gpd.GeoDataFrame:
    g = gpd.GeoDataFrame(
        {"code_qp": [f"QN0800{i}M" for i in range(len(geoms))], "insee_dep": [dep] * len(geoms)},
        geometry=geoms,
        crs=crs,
    )
    return g.to_crs(4326)


def acteur(x: float, y: float, crs: int = 2154, **champs: Any) -> dict[str, Any]:
    lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(x, y)
    base: dict[str, Any] = {
        "id": champs.pop("id", f"a{x:.0f}-{y:.0f}"),
        "statut": "actif",
        "categorie": "EPN",
        "longitude": lon,
        "latitude": lat,
        "services": [AIDE],
        "frais_a_charge": ["Gratuit"],
        "publics_specifiquement_adresses": [],
        "prise_en_charge_specifique": [],
        "dispositif_programmes_nationaux": [],
        "arrets": [],
        "horaires": None,
    }
    base.update(champs)
    return base


def frame(acteurs: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    df = pd.DataFrame(acteurs)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.longitude, df.latitude), crs=4326)


def ligne(c: pd.DataFrame, code: str, cle: str = "tous") -> pd.Series:
    r = c[(c.code_qp == code) & (c.filtre == cle)]
    assert len(r) == 1
    return r.iloc[0]


P = Parametres(
    filtres=(filtre("tous"), filtre(f"service:{AIDE}"), filtre("categorie:Médiathèque"), filtre("gratuit"))
)
CARRE = box(X0, Y0, X0 + 1000, Y0 + 1000)


def test_distance_au_polygone_et_bandes() -> None:
    q = qpv_metrique([CARRE])
    a = frame(
        [
            acteur(X0 + 500, Y0 + 500, id="dedans"),
            acteur(X0 + 1200, Y0 + 500, id="a200"),
            acteur(X0 + 1000 + 600, Y0 + 1000 + 780, id="a1000"),
            acteur(X0 + 3000, Y0, id="a2000"),
        ]
    )
    c = couverture(q, a, P)
    r = ligne(c, "QN08000M")
    assert (r.n_interieur, r["n_300m"], r["n_1000m"]) == (1, 2, 3)  # the corner one is 984 m away
    assert r.distance_m == 0 and r.couvert
    p = paires(q, a, 5000).set_index("id")["distance_m"]
    assert p["dedans"] == 0
    assert p["a200"] == pytest.approx(200, abs=1e-6)
    assert p["a1000"] == pytest.approx((600**2 + 780**2) ** 0.5, abs=1e-6)  # to the corner, not the centre
    assert p["a2000"] == pytest.approx(2000, abs=1e-6)


def test_point_dans_un_trou_n_est_pas_dedans() -> None:
    trou = [(X0 + 400, Y0 + 400), (X0 + 600, Y0 + 400), (X0 + 600, Y0 + 600), (X0 + 400, Y0 + 600)]
    q = qpv_metrique([Polygon(CARRE.exterior.coords, [trou])])
    c = couverture(q, frame([acteur(X0 + 500, Y0 + 500)]), P)
    r = ligne(c, "QN08000M")
    assert r.n_interieur == 0 and r["n_300m"] == 1
    assert r.distance_m == pytest.approx(100, abs=1e-6)  # to the hole's ring


def test_point_sur_la_limite_est_dedans() -> None:
    q = qpv_metrique([CARRE])
    r = ligne(couverture(q, frame([acteur(X0 + 1000, Y0 + 300)]), P), "QN08000M")
    assert r.n_interieur == 1 and r.distance_m == pytest.approx(0, abs=1e-6)


def test_qpv_en_plusieurs_polygones() -> None:
    deux = MultiPolygon([CARRE, box(X0 + 5000, Y0, X0 + 6000, Y0 + 1000)])
    q = qpv_metrique([deux])
    r = ligne(couverture(q, frame([acteur(X0 + 5500, Y0 + 500)]), P), "QN08000M")
    assert r.n_interieur == 1 and r.distance_m == 0
    r = ligne(couverture(q, frame([acteur(X0 + 3000, Y0 + 500)]), P), "QN08000M")
    assert r.distance_m == pytest.approx(2000, abs=1e-6)  # equidistant from both parts


def test_qpv_sur_deux_communes_joint_par_geometrie() -> None:
    q = qpv_metrique([CARRE])
    q["insee_com"] = "80021,80022"
    a = frame([acteur(X0 + 100, Y0 + 100, code_insee="80999"), acteur(X0 + 900, Y0 + 900, code_insee=None)])
    assert ligne(couverture(q, a, P), "QN08000M").n_interieur == 2  # codes carried by actors are ignored


def test_filtres_et_acteurs_fermes() -> None:
    q = qpv_metrique([CARRE])
    a = frame(
        [
            acteur(X0 + 100, Y0 + 100, id="mediatheque", categorie="Médiathèque", services=[]),
            acteur(X0 + 200, Y0 + 100, id="ferme", statut="fermé"),
            acteur(X0 + 1500, Y0 + 500, id="aide", frais_a_charge=["Payant"]),
        ]
    )
    c = couverture(q, a, P)
    assert ligne(c, "QN08000M").n_interieur == 1  # the closed one never counts
    r = ligne(c, "QN08000M", f"service:{AIDE}")
    assert r.n_interieur == 0 and r.distance_m == pytest.approx(500, abs=1e-6)
    assert ligne(c, "QN08000M", "categorie:Médiathèque").n_interieur == 1
    assert ligne(c, "QN08000M", "gratuit").distance_m == 0


def test_service_mobile_compte_a_chaque_arret_une_fois_par_qpv() -> None:
    q = qpv_metrique([CARRE, box(X0 + 10_000, Y0, X0 + 11_000, Y0 + 1000)])
    arrets = [
        {
            "nom": "arrêt 1",
            "longitude": VERS_WGS84.transform(X0 + 100, Y0 + 100)[0],
            "latitude": VERS_WGS84.transform(X0 + 100, Y0 + 100)[1],
            "horaires": "Sa 09:00-12:00",
        },
        {
            "nom": "arrêt 2",
            "longitude": VERS_WGS84.transform(X0 + 900, Y0 + 900)[0],
            "latitude": VERS_WGS84.transform(X0 + 900, Y0 + 900)[1],
            "horaires": "Tu 09:00-12:00",
        },
        {
            "nom": "arrêt 3",
            "longitude": VERS_WGS84.transform(X0 + 10_500, Y0 + 1200)[0],
            "latitude": VERS_WGS84.transform(X0 + 10_500, Y0 + 1200)[1],
            "horaires": None,
        },
    ]
    bus = acteur(X0 + 50_000, Y0, id="bus", itinerance=["Itinérant"], arrets=arrets)  # depot far away
    c = couverture(q, frame([bus]), P)
    r0, r1 = ligne(c, "QN08000M"), ligne(c, "QN08001M")
    assert r0.n_interieur == 1  # two stops inside, one actor
    assert r1.n_interieur == 0 and r1.distance_m == pytest.approx(200, abs=1e-6)
    assert r0.n_ouvert_samedi == 1 and r0.n_horaires_inconnus == 0


def test_creneaux_horaires() -> None:
    assert creneaux_horaires("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00") == (True, True, False)
    assert creneaux_horaires("Mo-Fr 09:00-17:00") == (False, False, False)
    assert creneaux_horaires("Su 10:00-12:00") == (False, False, True)
    assert creneaux_horaires("24/7") == (True, True, True)
    assert creneaux_horaires("n'importe quoi") is None
    assert creneaux_horaires(None) is None


def test_horaires_dans_le_seuil() -> None:
    q = qpv_metrique([CARRE])
    a = frame(
        [
            acteur(X0 + 100, Y0 + 100, id="soir", horaires="Mo-Fr 14:00-20:00"),
            acteur(X0 + 200, Y0 + 100, id="inconnu"),
            acteur(X0 + 5000, Y0, id="loin", horaires="Su 10:00-12:00"),
        ]
    )
    r = ligne(couverture(q, a, P), "QN08000M")
    assert (r.n_ouvert_soir, r.n_ouvert_samedi, r.n_ouvert_dimanche, r.n_horaires_inconnus) == (1, 0, 0, 1)


def test_outre_mer_dans_son_crs_egale_la_geodesie() -> None:
    # Pointe-à-Pitre, Guadeloupe: a 400 m square in RGAF09 / UTM 20N, an actor 1,500 m east
    x, y = 657_000.0, 1_793_000.0
    q = qpv_metrique([box(x, y, x + 400, y + 400)], crs=5490, dep="971")
    a = frame([acteur(x + 400 + 1500, y + 200, crs=5490)])
    r = ligne(couverture(q, a, P), "QN08000M")
    to4326 = Transformer.from_crs(5490, 4326, always_xy=True)
    lon1, lat1 = to4326.transform(x + 400, y + 200)
    lon2, lat2 = to4326.transform(x + 1900, y + 200)
    geodesique = Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2]
    assert abs(r.distance_m - geodesique) / geodesique < 0.005


def test_aucun_acteur_dans_le_territoire_distance_inconnue() -> None:
    q = qpv_metrique([box(657_000, 1_793_000, 657_400, 1_793_400)], crs=5490, dep="971")
    a = frame([acteur(X0, Y0)])  # only an actor in metropolitan France
    r = ligne(couverture(q, a, P), "QN08000M")
    assert np.isnan(r.distance_m) and not r.couvert and r["n_1000m"] == 0


def test_crs_geographique_exige() -> None:
    q = qpv_metrique([CARRE]).to_crs(2154)
    with pytest.raises(ErreurEcosysteme, match="4326"):
        couverture(q, frame([acteur(X0, Y0)]), P)


def test_reproductible_et_ordre_des_entrees_sans_effet() -> None:
    q = qpv_metrique([CARRE, box(X0 + 3000, Y0, X0 + 3500, Y0 + 500)])
    a = frame([acteur(X0 + i * 337.0, Y0 + (i % 5) * 211.0, id=f"a{i}") for i in range(25)])
    c1 = couverture(q, a, P)
    c2 = couverture(q.iloc[::-1], a.iloc[::-1], P)
    pd.testing.assert_frame_equal(c1, c2)


coord = st.floats(min_value=-3000, max_value=4000, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(coord, coord, st.booleans()), min_size=1, max_size=30))
def test_invariants_bandes_et_distance(points: list[tuple[float, float, bool]]) -> None:
    trou = [(X0 + 300, Y0 + 300), (X0 + 500, Y0 + 300), (X0 + 500, Y0 + 500), (X0 + 300, Y0 + 500)]
    q = qpv_metrique([Polygon(CARRE.exterior.coords, [trou])])
    a = frame(
        [
            acteur(X0 + dx, Y0 + dy, id=f"a{i}", statut="actif" if ok else "fermé")
            for i, (dx, dy, ok) in enumerate(points)
        ]
    )
    c = couverture(q, a, P)
    assert (c.n_interieur <= c["n_300m"]).all() and (c["n_300m"] <= c["n_1000m"]).all()
    tous = ligne(c, "QN08000M")
    assert (tous.n_interieur > 0) == (tous.distance_m == 0)
    assert (tous["n_300m"] > 0) == (tous.distance_m <= 300)
    assert tous.couvert == (tous.distance_m <= 1000)
    # against shapely directly, in metres
    poly = Polygon(CARRE.exterior.coords, [trou])
    d = [poly.distance(Point(X0 + dx, Y0 + dy)) for dx, dy, ok in points if ok]
    if d:
        assert tous.distance_m == pytest.approx(min(d), abs=1e-3)
        assert (
            tous["n_1000m"] == sum(1 for v in d if v <= 1000 + 1e-6)
            or abs(min(abs(v - 1000) for v in d)) < 1e-3
        )
    else:
        assert np.isnan(tous.distance_m)


def test_resultat_independant_des_autres_qpv_du_calcul() -> None:
    qpv = gpd.GeoDataFrame(
        {"code_qp": ["A", "B"], "insee_dep": ["59", "13"]},
        geometry=[box(3.0, 50.0, 3.01, 50.01), box(5.0, 43.3, 5.01, 43.31)],
        crs=4326,
    )
    a = frame([acteur(*Transformer.from_crs(4326, 2154, always_xy=True).transform(3.0, 47.5))])
    seul = ligne(couverture(qpv.iloc[:1], a, P), "A").distance_m
    ensemble = ligne(couverture(qpv, a, P), "A").distance_m
    assert seul == pytest.approx(ensemble) and 270_000 < seul < 290_000


def test_pas_de_distance_par_dessus_la_mer() -> None:
    # a Martinique QPV; the only actor is in Guadeloupe (same CRS, another island)
    q = qpv_metrique([box(707_000, 1_610_000, 707_400, 1_610_400)], crs=5490, dep="972")
    a = frame([acteur(657_000, 1_793_000, crs=5490)])
    assert np.isnan(ligne(couverture(q, a, P), "QN08000M").distance_m)
    # a Corsican QPV is not served from the mainland
    corse = gpd.GeoDataFrame(
        {"code_qp": ["C"], "insee_dep": ["2A"]}, geometry=[box(8.73, 41.92, 8.74, 41.93)], crs=4326
    )
    assert np.isnan(ligne(couverture(corse, frame([acteur(X0, Y0)]), P), "C").distance_m)


def test_acteur_en_projet_ne_compte_pas_encore() -> None:
    q = qpv_metrique([CARRE])
    a = frame([acteur(X0 + 100, Y0 + 100, statut="en projet"), acteur(X0 + 2000, Y0, id="actif")])
    r = ligne(couverture(q, a, P), "QN08000M")
    assert r.n_interieur == 0 and r.distance_m == pytest.approx(1000, abs=1e-6)


# --- the nearest place beyond the largest band (bounded KD-tree search) ------------------------

#: A C-shaped QPV (its centre lies far from its arms) and a thin diagonal one.
EN_C = Polygon(
    [
        (X0, Y0),
        (X0 + 3000, Y0),
        (X0 + 3000, Y0 + 600),
        (X0 + 600, Y0 + 600),
        (X0 + 600, Y0 + 2400),
        (X0 + 3000, Y0 + 2400),
        (X0 + 3000, Y0 + 3000),
        (X0, Y0 + 3000),
    ]
)
EN_BIAIS = Polygon([(X0 + 8000, Y0), (X0 + 8200, Y0), (X0 + 12_200, Y0 + 4000), (X0 + 12_000, Y0 + 4000)])
loin = st.floats(min_value=-15_000, max_value=25_000, allow_nan=False)


@pytest.mark.parametrize("dense", [False, True], ids=["arbres_par_filtre", "arbre_commun"])
@settings(max_examples=40, deadline=None)
@given(
    points=st.lists(st.tuples(loin, loin, st.booleans(), st.booleans()), min_size=1, max_size=60),
)
def test_plus_proche_au_dela_des_bandes_egale_la_force_brute(
    dense: bool, points: list[tuple[float, float, bool, bool]]
) -> None:
    """Small fetch sizes force every path of the search (balls fuller than the k fetched,
    the shared tree for « dense » filters, the filter's own tree when none of the k nearest
    matches); the nearest distance per filter must equal shapely's, place by place."""
    import ecosysteme.analyse.couverture as moteur

    q = qpv_metrique([EN_C, EN_BIAIS])
    a = frame(
        [
            acteur(
                X0 + dx,
                Y0 + dy,
                id=f"a{i}",
                categorie="Médiathèque" if med else "EPN",
                services=[AIDE] if aide else [],
            )
            for i, (dx, dy, med, aide) in enumerate(points)
        ]
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(moteur, "_DENSE", 0 if dense else 10**9)
        mp.setattr(moteur, "_K_DENSE", 2)
        mp.setattr(moteur, "_K_BOULE", (1, 2))
        c = couverture(q, a, Parametres(bandes=(100.0,), seuil=100.0, filtres=P.filtres))
    for code, poly in zip(q.code_qp, (EN_C, EN_BIAIS), strict=True):
        for cle, garde in [
            ("tous", lambda m, s: True),
            (f"service:{AIDE}", lambda m, s: s),
            ("categorie:Médiathèque", lambda m, s: m),
        ]:
            d = [poly.distance(Point(X0 + dx, Y0 + dy)) for dx, dy, m, s in points if garde(m, s)]
            obtenu = ligne(c, code, cle).distance_m
            if d:
                assert obtenu == pytest.approx(min(d), abs=1e-3), (code, cle)
            else:
                assert np.isnan(obtenu), (code, cle)


def test_filtres_lus_sur_des_valeurs_de_toutes_formes() -> None:
    """A category given as the enumeration, a lone string for a list field, a tuple, a list
    holding a non-text value, a missing value: each read as a user would expect."""
    from ecosysteme.domaine.modeles import Categorie

    q = qpv_metrique([CARRE])
    a = frame(
        [
            acteur(X0 + 100, Y0 + 100, id="enum", categorie=Categorie("Médiathèque"), services=AIDE),
            acteur(X0 + 200, Y0 + 100, id="tuple", services=(AIDE,)),
            acteur(X0 + 300, Y0 + 100, id="melange", services=[None, 3, AIDE]),
            acteur(X0 + 400, Y0 + 100, id="rien", services=None, frais_a_charge=np.nan),
        ]
    )
    c = couverture(q, a, P)
    assert ligne(c, "QN08000M", "categorie:Médiathèque").n_interieur == 1
    assert ligne(c, "QN08000M", f"service:{AIDE}").n_interieur == 3
    assert ligne(c, "QN08000M", "gratuit").n_interieur == 3
    assert ligne(c, "QN08000M", "tous").n_interieur == 4


# --- mobile services: each stop counts with its own hours (issue 12, point 4) ---------------------


def arret(x: float, y: float, horaires: str | None, nom: str = "arrêt") -> dict[str, Any]:
    lon, lat = VERS_WGS84.transform(x, y)
    return {"nom": nom, "longitude": lon, "latitude": lat, "horaires": horaires}


def test_service_mobile_horaires_de_l_arret_a_portee() -> None:
    """A stop open on Saturday in QPV A, a stop open only on Tuesday in QPV B: Saturday counts in A
    only; B counts the service, open neither on Saturday nor with unknown hours."""
    qa = CARRE
    qb = box(X0 + 10_000, Y0, X0 + 11_000, Y0 + 1000)
    q = qpv_metrique([qa, qb])
    bus = acteur(
        X0 + 50_000,
        Y0,
        id="bus",
        itinerance=["Itinérant"],
        horaires="Mo-Su 08:00-22:00",  # the service's own hours: not those of its stops
        arrets=[arret(X0 + 500, Y0 + 500, "Sa 09:00-12:00"), arret(X0 + 10_500, Y0 + 500, "Tu 14:00-17:00")],
    )
    c = couverture(q, frame([bus]), P)
    a, b = ligne(c, "QN08000M"), ligne(c, "QN08001M")
    assert (a.n_interieur, a.n_ouvert_soir, a.n_ouvert_samedi, a.n_ouvert_dimanche) == (1, 0, 1, 0)
    assert a.n_horaires_inconnus == 0
    assert (b.n_interieur, b.n_ouvert_soir, b.n_ouvert_samedi, b.n_ouvert_dimanche) == (1, 0, 0, 0)
    assert b.n_horaires_inconnus == 0
    # the same for every filter the service matches, and not for the others
    assert ligne(c, "QN08001M", f"service:{AIDE}").n_ouvert_samedi == 0
    assert ligne(c, "QN08000M", f"service:{AIDE}").n_ouvert_samedi == 1
    assert ligne(c, "QN08000M", "categorie:Médiathèque").n_ouvert_samedi == 0


def test_service_mobile_arrets_dans_le_seuil_seulement() -> None:
    """Within the threshold of one QPV: two stops (Tuesday evening, Sunday) both count; a
    Saturday stop 1,500 m away does not; a stop without hours takes the service's; a QPV reached
    only by stops of unknown hours counts the service as « horaires inconnus »."""
    q = qpv_metrique([CARRE, box(X0 + 20_000, Y0, X0 + 21_000, Y0 + 1000)])
    bus = acteur(
        X0 + 50_000,
        Y0,
        id="bus",
        horaires=None,
        arrets=[
            arret(X0 + 100, Y0 + 100, "Tu 17:00-20:00"),
            arret(X0 + 1000 + 800, Y0 + 500, "Su 10:00-12:00"),  # 800 m east: within 1 km
            arret(X0 + 1000 + 1500, Y0 + 500, "Sa 09:00-12:00"),  # 1,500 m: beyond the threshold
            arret(X0 + 20_500, Y0 + 500, None),  # hours unknown (neither the stop's nor the service's)
            arret(X0 + 20_500, Y0 + 1500, "n'importe quoi"),  # unreadable: unknown too
        ],
    )
    velo = acteur(
        X0 + 60_000,
        Y0,
        id="velo",
        horaires="Sa 10:00-12:00",  # the service's hours, for its stop without hours
        arrets=[arret(X0 + 300, Y0 + 300, None)],
    )
    c = couverture(q, frame([bus, velo]), P)
    a, b = ligne(c, "QN08000M"), ligne(c, "QN08001M")
    assert (a.n_1000m, a.n_ouvert_soir, a.n_ouvert_samedi, a.n_ouvert_dimanche) == (2, 1, 1, 1)
    assert a.n_horaires_inconnus == 0
    assert (b.n_1000m, b.n_ouvert_soir, b.n_ouvert_samedi, b.n_ouvert_dimanche) == (1, 0, 0, 0)
    assert b.n_horaires_inconnus == 1
    # the actor filter of the map keeps the union of the stops: open on Saturday somewhere
    from ecosysteme.analyse.couverture import filtrer_acteurs

    assert list(filtrer_acteurs(frame([bus, velo]), creneaux=("samedi",))["id"]) == ["bus", "velo"]
    assert list(filtrer_acteurs(frame([bus, velo]), creneaux=("soir",))["id"]) == ["bus"]


HORAIRES_ARRETS = (
    None,
    "Sa 09:00-12:00",
    "Tu 14:00-17:00",
    "Mo-Fr 17:00-19:30",
    "Su 10:00-12:00",
    "24/7",
    "n'importe quoi",
)
decalage = st.floats(min_value=-2500, max_value=3500, allow_nan=False)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(decalage, decalage, st.sampled_from(HORAIRES_ARRETS)), min_size=1, max_size=5),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from([300.0, 1000.0]),
)
def test_propriete_service_mobile_compte_avec_ses_arrets_a_portee(
    services: list[list[tuple[float, float, str | None]]], seuil: float
) -> None:
    """For actors with k stops each: a QPV counts an actor in a slot iff one of its stops within
    the threshold is open in that slot; as « horaires inconnus » iff it has a stop within the
    threshold and none of those has readable hours; within the threshold iff one stop is."""
    poly = box(X0, Y0, X0 + 1000, Y0 + 1000)
    q = qpv_metrique([poly])
    acteurs = []
    attendu = np.zeros(5, dtype=int)  # within, evening, Saturday, Sunday, unknown
    for i, arrets in enumerate(services):
        distances = [poly.distance(Point(X0 + dx, Y0 + dy)) for dx, dy, _ in arrets]
        hypothesis_assume(all(abs(d - seuil) > 1e-3 for d in distances))
        acteurs.append(
            acteur(X0 + 90_000, Y0, id=f"m{i}", arrets=[arret(X0 + dx, Y0 + dy, h) for dx, dy, h in arrets])
        )
        a_portee = [
            creneaux_horaires(h) for (_, _, h), d in zip(arrets, distances, strict=True) if d <= seuil
        ]
        if not a_portee:
            continue
        connus = [v for v in a_portee if v is not None]
        attendu += [1, *(int(any(v[k] for v in connus)) for k in range(3)), int(not connus)]
    c = couverture(q, frame(acteurs), Parametres(bandes=(seuil,), seuil=seuil, filtres=(filtre("tous"),)))
    r = ligne(c, "QN08000M")
    obtenu = [
        r[f"n_{seuil:g}m"],
        r.n_ouvert_soir,
        r.n_ouvert_samedi,
        r.n_ouvert_dimanche,
        r.n_horaires_inconnus,
    ]
    assert obtenu == attendu.tolist()
