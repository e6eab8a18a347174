"""What-if scenarios on hand-made geometries: closing, adding and re-timing actors changes the
coverage as expected; the stored inventory (the input table, the store) never changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from aide_store import instantane
from shapely.geometry import box
from test_couverture import AIDE, VERS_WGS84, X0, Y0, acteur, frame, qpv_metrique

from ecosysteme.analyse.couverture import Parametres, filtre
from ecosysteme.analyse.scenarios import Scenario, SiteHypothetique, appliquer, comparer, comparer_scenarios
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import DonneeInvalide

P = Parametres(filtres=(filtre("tous"), filtre(f"service:{AIDE}")), seuil=1000.0)


def territoire() -> tuple:  # two 1 km squares 5 km apart, one actor near the first
    q = qpv_metrique([box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 6000, Y0, X0 + 7000, Y0 + 1000)])
    q["population"] = [3000, 2000]
    q["siren_epci"] = "200000001"
    a = frame([acteur(X0 + 500, Y0 + 1500, id="a1", horaires="Mo-Fr 09:00-12:00")])
    return q, a


def point(dx: float, dy: float) -> tuple[float, float]:
    return VERS_WGS84.transform(X0 + dx, Y0 + dy)


def test_fermer_l_acteur_fait_perdre_le_quartier() -> None:
    q, a = territoire()
    c = comparer(q, a, Scenario("fermeture", fermetures=("a1",)), P)
    t = c.qpv[c.qpv.filtre == "tous"].set_index("code_qp")
    assert t.loc["QN08000M", "changement"] == "perd" and t.loc["QN08001M", "changement"] == "="
    e = c.epci[c.epci.filtre == "tous"].iloc[0]
    assert (e.population_couverte_avant, e.population_couverte_apres, e.difference) == (3000, 0, -3000)


def test_un_site_hypothetique_couvre_le_second_quartier() -> None:
    q, a = territoire()
    lon, lat = point(6500, 500)
    site = SiteHypothetique("Lieu totem", lon, lat, services=(AIDE,))
    c = comparer(q, a, Scenario("totem", ajouts=(site,)), P)
    t = c.qpv[c.qpv.filtre == f"service:{AIDE}"].set_index("code_qp")
    assert t.loc["QN08001M", "changement"] == "gagne" and t.loc["QN08001M", "distance_m_apres"] == 0
    e = c.epci[c.epci.filtre == f"service:{AIDE}"].iloc[0]
    assert e.difference == 2000


def test_changer_les_horaires_n_affecte_que_les_creneaux() -> None:
    q, a = territoire()
    modifie = appliquer(a, Scenario("soir", horaires=(("a1", "Mo-Fr 17:00-20:00"),)))
    assert modifie.loc[0, "horaires"] == "Mo-Fr 17:00-20:00"
    assert a.loc[0, "horaires"] == "Mo-Fr 09:00-12:00"  # the input is never modified


def test_le_tableau_d_entree_n_est_jamais_modifie_et_les_erreurs_sont_claires() -> None:
    q, a = territoire()
    copie = a.copy()
    appliquer(a, Scenario("x", fermetures=("a1",), ajouts=(SiteHypothetique("N", *point(0, 0)),)))
    assert a.equals(copie)
    with pytest.raises(DonneeInvalide, match="inconnu"):
        appliquer(a, Scenario("x", fermetures=("absent",)))
    with pytest.raises(DonneeInvalide, match="pas en France"):
        appliquer(a, Scenario("x", ajouts=(SiteHypothetique("Loin", 50.0, 3.0),)))  # swapped


def test_comparer_plusieurs_scenarios_cote_a_cote() -> None:
    q, a = territoire()
    s1 = Scenario("fermeture", fermetures=("a1",))
    s2 = Scenario("totem", ajouts=(SiteHypothetique("T", *point(6500, 500), services=(AIDE,)),))
    t = comparer_scenarios(q, a, [s1, s2], P).set_index("filtre")
    assert list(t.columns) == ["inventaire actuel", "fermeture", "totem"]
    assert t.loc["tous"].tolist() == [3000, 0, 5000]
    with pytest.raises(DonneeInvalide, match="même nom"):
        comparer_scenarios(q, a, [s1, s1], P)


def test_enregistrer_recharger_un_scenario_sans_toucher_l_inventaire(tmp_path: Path) -> None:
    s = Scenario(
        "Totem à Sous-le-Bois",
        ajouts=(SiteHypothetique("Totem", 3.95, 50.28, services=(AIDE,), horaires="Sa 10:00-12:00"),),
        fermetures=("a1",),
        horaires=(("a2", None),),
    )
    assert Scenario.depuis_json(s.en_json()) == s
    with ouvrir_depot(tmp_path / "d.gpkg", creer=True) as d:
        avant = instantane(d.chemin)["acteurs"]
        d.enregistrer_scenario(s.nom, s.en_json(), "alice")
        d.enregistrer_scenario(s.nom, s.en_json(), "bob")  # replaced, not duplicated
        ((nom, contenu, auteur, _),) = d.scenarios()
        assert (nom, auteur) == (s.nom, "bob") and Scenario.depuis_json(contenu) == s
        assert instantane(d.chemin)["acteurs"] == avant
        with pytest.raises(DonneeInvalide):
            d.enregistrer_scenario("x", "pas du json", "bob")
        d.supprimer_scenario(s.nom)
        assert d.scenarios() == []
