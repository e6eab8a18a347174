"""Coverage maps (``ecosysteme.cartes``): escaping, offline assets, legend, simplification,
empty inputs, click helpers, measure classes; one real-data map (CA Maubeuge Val de Sambre and
all Hauts-de-France from ../shared/data)."""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from folium.plugins import Fullscreen, MarkerCluster
from shapely.geometry import Point, Polygon

from ecosysteme.cartes import (
    SYMBOLES,
    Mesure,
    Simplification,
    acteur_clique,
    actifs_statiques,
    bandes_distance,
    carte_couverture,
    code_qp_clique,
    html_autonome,
    id_acteur_clique,
    installer,
    json_script,
    lignes_acteurs,
    nombre_sommets,
    simplifier,
    texte_brut,
    texte_html,
)
from ecosysteme.cartes.construire import LignesActeurs
from ecosysteme.cartes.geometrie import lignes_entieres
from ecosysteme.cartes.mesure import distance_fr, habitants
from ecosysteme.domaine.erreurs import ErreurEcosysteme

# Strings that run script if a map puts them raw into HTML, a JavaScript template literal or a
# Jinja template (folium renders its output a second time through Jinja).
CHARGES = (
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`x`",
    "</script><script>alert(1)</script>",
    "a\u2028b",
    "jinja{{ 7*7 }}jinja",
    "C{{ cycler.__init__.__globals__.os.getcwd() }}D",
    "boucle{% for x in range(3) %}R{% endfor %}",
    "{# commentaire non fermé",
    "back\\slash",
)
CDN = ("cdn", "jsdelivr", "cloudflare", "bootstrap", "jquery", "font-awesome", "fontawesome", "unpkg")
DISTANCE = Mesure("distance_m", "Acteur le plus proche")


def carre(x: float, y: float, cote: float = 0.01) -> Polygon:
    return Polygon([(x, y), (x + cote, y), (x + cote, y + cote), (x, y + cote)])


def qpv_petits(noms: tuple[str, ...] = ("Europe", "Faubourg")) -> gpd.GeoDataFrame:
    n = len(noms)
    return gpd.GeoDataFrame(
        {
            "code_qp": [f"QN{i:05d}M" for i in range(n)],
            "lib_qp": list(noms),
            "population": [5822.0, np.nan, *([100.0] * (n - 2))][:n],
            "distance_m": [0.0, 450.0, *([np.nan] * (n - 2))][:n],
            "insee_dep": ["59"] * n,
        },
        geometry=[carre(3.0 + 0.02 * i, 50.6) for i in range(n)],
        crs=4326,
    )


def acteurs_petits(noms: tuple[str, ...] = ("Médiathèque Jean Macé", "EPN du centre")) -> gpd.GeoDataFrame:
    n = len(noms)
    categories = [s.categorie for s in SYMBOLES]
    return gpd.GeoDataFrame(
        {
            "id": [f"A{i}" for i in range(n)],
            "nom": list(noms),
            "categorie": [categories[i % len(categories)] for i in range(n)],
            "adresse": [f"{i} rue de la Paix" for i in range(n)],
            "commune": ["Lille"] * n,
            "date_maj": ["2022-03-12"] * n,
            "services": [["Aide aux démarches administratives"]] * n,
        },
        geometry=[Point(3.005 + 0.013 * i, 50.605 + 0.001 * i) for i in range(n)],
        crs=4326,
    )


def rendre(carte: folium.Map) -> str:
    return str(carte.get_root().render())


def communes_petites() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["59350", "59299"], "nom": ["Lille", "Hem"], "insee_dep": ["59", "59"]},
        geometry=[carre(2.99, 50.59, 0.03), carre(3.02, 50.59, 0.03)],
        crs=4326,
    )


def epci_petit() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"siren_epci": ["200093201"], "nom_epci": ["MEL"]}, geometry=[carre(2.99, 50.59, 0.06)], crs=4326
    )


# --- escaping -------------------------------------------------------------------------------------


def test_texte_html_neutralise_html_js_et_jinja() -> None:
    assert texte_html(None) == "" and texte_html(float("nan")) == "" and texte_html(pd.NA) == ""
    assert texte_html(np.float64("nan")) == "" and texte_html(pd.NaT) == ""
    assert texte_html(5822) == "5822"
    for charge in CHARGES:
        sur = texte_html(charge)
        assert not set(sur) & set("<>\"'`$\\{}\u2028\u2029"), (charge, sur)
        assert texte_brut(sur) == charge
    assert texte_html("${x}") == "&#36;&#123;x&#125;"
    assert texte_html("`\\") == "&#96;&#92;"


def test_json_script_sans_fin_de_balise_ni_jinja() -> None:
    valeur = {"a": list(CHARGES), "b": [1, 2.5, None], "c": {"d": "{{x}}"}}
    texte = json_script(valeur)
    assert json.loads(texte) == valeur
    for motif in ("</", "<!--", "{{", "{%", "{#", "\u2028", "<"):
        assert motif not in texte


@pytest.fixture(scope="module")
def carte_piegee() -> folium.Map:
    """Every text field of every input carries the payloads."""
    noms = tuple(CHARGES)
    qpv = qpv_petits(noms)
    qpv["code_qp"] = [f"QN{i}{c}" for i, c in enumerate(CHARGES)]
    acteurs = acteurs_petits(noms)
    for col in ("adresse", "commune", "id", "categorie"):
        acteurs[col] = list(CHARGES)
    acteurs["date_maj"] = list(CHARGES)
    # stops of a mobile service: name, address, commune and schedule from data too
    acteurs["horaires"] = list(CHARGES)
    acteurs["arrets"] = [
        [{"nom": c, "adresse": c, "commune": c, "horaires": c, "longitude": 3.01, "latitude": 50.61}]
        for c in CHARGES
    ]
    communes = communes_petites()
    communes["nom"] = [CHARGES[0], CHARGES[5]]
    epci = epci_petit()
    epci["nom_epci"] = [CHARGES[6]]
    mesure = Mesure("distance_m", "<b>piège</b> ${alert(1)} {{ 7*7 }}")
    return carte_couverture(qpv, mesure, acteurs, communes=communes, epci=epci, bandes=(300.0,))


def test_aucune_charge_brute_dans_la_page(carte_piegee: folium.Map) -> None:
    for page in (rendre(carte_piegee), html_autonome(carte_piegee)):
        for charge in CHARGES:
            assert charge not in page, charge
        assert "${" not in page.replace("${this", "")  # no template literal substitution from data
        assert "jinja49jinja" not in page and "boucleRRR" not in page  # Jinja did not run the data
        assert os.getcwd() not in page
        assert "\u2028" not in page
        # the only <script> end tags are those of the page's own script elements
        assert page.count("</script>") == page.count("<script")


def test_textes_presents_une_fois_echappes(carte_piegee: folium.Map) -> None:
    page = rendre(carte_piegee)
    # the QPV name reaches the page HTML-escaped (inside JSON, where < is \u003c)
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page or "&lt;img src=x onerror" in page
    assert "&#36;&#123;alert(1)&#125;" in page or "\\u0026#36;\\u0026#123;alert(1)\\u0026#125;" in page


# --- offline assets ------------------------------------------------------------------------------


def test_aucun_cdn_sans_tuiles() -> None:
    carte = carte_couverture(qpv_petits(), DISTANCE, acteurs_petits(), communes=communes_petites())
    page = rendre(carte).lower()
    assert not re.search(r"https?://", page)
    for hote in CDN:
        assert hote not in page, hote
    assert "/app/static/vendor/leaflet-1.9.3/leaflet.js" in page
    assert "/app/static/vendor/leaflet.markercluster-1.4.1/leaflet.markercluster.js" in page


def test_tuiles_seulement_sur_demande() -> None:
    page = rendre(carte_couverture(qpv_petits(), DISTANCE, tuiles=True))
    urls = set(re.findall(r"https?://[^\"' )]+", page))
    assert urls and all("tile.openstreetmap.org" in u or "openstreetmap.org/copyright" in u for u in urls), (
        urls
    )
    assert "tile.openstreetmap.org" not in rendre(carte_couverture(qpv_petits(), DISTANCE, tuiles=False))


def test_classes_folium_intactes() -> None:
    avant_carte, avant_grappe = list(folium.Map.default_js), list(MarkerCluster.default_js)
    carte_couverture(qpv_petits(), DISTANCE, acteurs_petits())
    assert folium.Map.default_js == avant_carte and MarkerCluster.default_js == avant_grappe
    assert any("jquery" in u for _, u in folium.Map.default_js)  # still folium's own defaults


def test_html_autonome_sans_ressource_externe() -> None:
    carte = carte_couverture(qpv_petits(), DISTANCE, acteurs_petits(), communes=communes_petites())
    page = html_autonome(carte, titre="Carte <test>")
    assert not re.search(r"<script[^>]*\bsrc=|<link[^>]*\bhref=", page, flags=re.IGNORECASE)
    urls = set(re.findall(r"https?://[A-Za-z0-9./_-]+", page))
    # what Leaflet's own files mention: an SVG namespace, its attribution link, a CSS comment
    assert urls <= {
        "http://www.w3.org/2000/svg",
        "https://leafletjs.com",
        "https://bugzilla.mozilla.org/show_bug.cgi",
    }
    assert "Content-Security-Policy" in page and "script-src 'sha256-" in page
    assert "unsafe-inline" not in page.split("script-src", 1)[1].split(";", 1)[0]
    assert "L.markerClusterGroup" in page and "window.L=" in page.replace(" ", "")
    assert "<title>Carte &lt;test&gt;</title>" in page
    assert "url(data:image/png;base64," in page


def test_html_autonome_titre_et_sources_echappes() -> None:
    carte = carte_couverture(qpv_petits(), DISTANCE, acteurs_petits(), communes=communes_petites())
    page = html_autonome(
        carte,
        titre="Couverture <b>Hem</b>",
        sources="Sources : ANCT — QPV 2024 ; inventaire local au 26/11/2026",
    )
    corps = page.split("<body", 1)[1]
    assert "Couverture &lt;b&gt;Hem&lt;/b&gt;" in corps and "<b>Hem</b>" not in corps
    assert "Sources : ANCT — QPV 2024 ; inventaire local au 26/11/2026" in corps


def test_html_autonome_refuse_un_plugin_cdn() -> None:
    carte = carte_couverture(qpv_petits(), DISTANCE)
    Fullscreen().add_to(carte)
    with pytest.raises(ErreurEcosysteme, match="ressource externe"):
        html_autonome(carte)


def test_installer_idempotent(tmp_path: Path) -> None:
    vendor = installer(tmp_path / "static")
    fichiers = sorted(p for p in vendor.rglob("*") if p.is_file())
    noms = {p.relative_to(vendor).as_posix() for p in fichiers}
    for _, url in (*actifs_statiques().js, *actifs_statiques().css):
        assert url.removeprefix("/app/static/vendor/") in noms
    assert "leaflet-1.9.3/images/layers.png" in noms
    dates = {p: p.stat().st_mtime_ns for p in fichiers}
    os.utime(fichiers[0], ns=(1, 1))  # older date, same bytes: still skipped
    installer(tmp_path / "static")
    assert fichiers[0].stat().st_mtime_ns == 1
    assert all(p.stat().st_mtime_ns == dates[p] for p in fichiers[1:])
    fichiers[1].write_bytes(b"abime")
    installer(tmp_path / "static")
    assert fichiers[1].read_bytes() != b"abime"
    assert not [p for p in vendor.rglob("*.tmp")]


def test_actifs_statiques_prefixe() -> None:
    a = actifs_statiques("/static/x/")
    assert dict(a.js)["leaflet"] == "/static/x/leaflet-1.9.3/leaflet.js"
    with pytest.raises(ErreurEcosysteme):
        actifs_statiques('/x"><script>')


# --- legend and content ---------------------------------------------------------------------------


def test_legende_en_francais() -> None:
    carte = carte_couverture(
        qpv_petits(),
        DISTANCE,
        acteurs_petits(),
        communes=communes_petites(),
        epci=epci_petit(),
        bandes=(300,),
    )
    page = rendre(carte)
    legende = next(e for e in carte._children.values() if type(e).__name__ == "Legende")
    html = json.loads(legende.html_json)
    for libelle in (
        "Acteur le plus proche",
        "dans le QPV",
        "jusqu&#x27;à 300 m",
        "300 à 1\u202f000 m",
        "plus de 2\u202f000 m",
        "aucun dans le territoire",
        "Acteurs (2)",
        "EPN",
        "Fablab",
        "limite d&#x27;EPCI",
        "limite de commune",
        "à 300 m d&#x27;un QPV",
    ):
        assert libelle in html, libelle
    assert 'class="ecs-acteur ecs-cat-0">EP<' in html
    assert "ecs-legende" in page


def test_infobulle_qpv_et_proprietes() -> None:
    carte = carte_couverture(qpv_petits(), DISTANCE)
    geojson = next(e for e in carte._children.values() if isinstance(e, folium.GeoJson))
    props = [f["properties"] for f in geojson.data["features"]]
    assert [p["code_qp"] for p in props] == ["QN00000M", "QN00001M"]
    assert [p["classe"] for p in props] == [0, 2]
    assert "5\u202f822 habitants" in props[0]["infobulle"] and "dans le QPV" in props[0]["infobulle"]
    assert "population inconnue" in props[1]["infobulle"] and "à 450 m" in props[1]["infobulle"]


def test_lignes_acteurs_compactes() -> None:
    acteurs = acteurs_petits(("Un", "Deux", "Trois"))
    acteurs.loc[1, "geometry"] = None
    acteurs.loc[2, "categorie"] = "catégorie inventée"
    lignes, comptes = lignes_acteurs(acteurs)
    assert len(lignes) == 2 and comptes.sum() == 2
    lat, lon, k, ident, nom, *details = lignes[0]
    assert (lat, lon, k, ident, nom) == (50.605, 3.005, 0, "A0", "Un")
    assert details == ["0 rue de la Paix, Lille", "1 service déclaré", "mis à jour le 12/03/2022"]
    assert lignes[1][2] == len(SYMBOLES) - 1  # unknown category → « Autre »
    assert all(len(str(v).split(".")[-1]) <= 5 for v in lignes[0][:2])


# --- simplification -------------------------------------------------------------------------------


def test_simplification_reduit_et_reste_dans_la_tolerance() -> None:
    rng = np.random.default_rng(1)
    t = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    r = 0.01 * (1 + 0.05 * rng.standard_normal(len(t)))
    poly = Polygon(np.column_stack([3.06 + r * np.cos(t) * 1.5, 50.63 + r * np.sin(t)]))
    gdf = gpd.GeoDataFrame({"code_qp": ["Q"], "insee_dep": ["59"]}, geometry=[poly], crs=4326)
    for tolerance in (15.0, 75.0):
        simple = simplifier(gdf, tolerance)
        assert nombre_sommets(simple) < nombre_sommets(gdf) / 3
        a = gdf.to_crs(2154).geometry.iloc[0]
        b = simple.to_crs(2154).geometry.iloc[0]
        assert shapely.hausdorff_distance(a, b, densify=0.05) <= tolerance + 1.0
        coords = shapely.get_coordinates(simple.geometry.to_numpy())
        assert np.allclose(coords, np.round(coords, 5), atol=1e-12, rtol=0)


def test_simplification_garde_index_et_ignore_vides() -> None:
    gdf = qpv_petits(("a", "b", "c"))
    gdf.loc[1, "geometry"] = None
    simple = simplifier(gdf, 15.0)
    assert list(simple.index) == [0, 2] and list(simple["lib_qp"]) == ["a", "c"]
    assert simplifier(gdf.iloc[:0], 15.0).empty
    with pytest.raises(ErreurEcosysteme):
        simplifier(gdf.to_crs(2154), 15.0)


def test_bandes_a_la_bonne_distance() -> None:
    qpv = qpv_petits(("a",))
    zones = bandes_distance(qpv, (300.0, 1000.0), tolerance_m=15.0)
    assert list(zones["distance_m"]) == [300.0, 1000.0]
    poly = qpv.to_crs(2154).geometry.iloc[0]
    for d, zone in zip(zones["distance_m"], zones.to_crs(2154).geometry, strict=True):
        points = shapely.points(shapely.get_coordinates(zone.exterior))
        distances = shapely.distance(points, poly)
        assert np.all(np.abs(distances - d) <= 15.0 + 2.0), (d, distances.min(), distances.max())
    assert bandes_distance(qpv.iloc[:0], (300.0,)).empty


def test_lignes_entieres_decodables() -> None:
    geoms = np.array([carre(3.0, 50.6), None, Point(1, 1)], dtype=object)
    t = lignes_entieres(geoms).tolist()
    n, x, y = t[0], t[1], t[2]
    points = [(x, y)]
    for k in range(1, n):
        x, y = x + t[1 + 2 * k], y + t[2 + 2 * k]
        points.append((x, y))
    assert len(t) == 1 + 2 * n and n == 5
    assert points == [
        (300000, 5060000),
        (301000, 5060000),
        (301000, 5061000),
        (300000, 5061000),
        (300000, 5060000),
    ]


# --- empty inputs -------------------------------------------------------------------------------


@pytest.mark.parametrize("cas", ["rien", "sans_qpv", "sans_acteur", "acteurs_vides"])
def test_entrees_vides_donnent_une_carte(cas: str) -> None:
    qpv = qpv_petits() if cas in ("sans_acteur", "acteurs_vides") else qpv_petits().iloc[:0]
    acteurs = {
        "rien": None,
        "sans_qpv": acteurs_petits(),
        "sans_acteur": None,
        "acteurs_vides": acteurs_petits().iloc[:0],
    }[cas]
    carte = carte_couverture(qpv, DISTANCE, acteurs, communes=communes_petites().iloc[:0], bandes=(300.0,))
    page = rendre(carte)
    assert "L.map(" in page and "fitBounds" in page and "ecs-legende" in page
    bornes = re.search(r"fitBounds\(\s*\[\[([-\d.]+), ([-\d.]+)\], \[([-\d.]+), ([-\d.]+)\]\]", page)
    assert bornes
    s, w, n, e = map(float, bornes.groups())
    if cas == "rien":
        assert (s, w, n, e) == (41.3, -5.2, 51.1, 9.6)
    elif cas == "sans_qpv":
        assert (s, w, n, e) == pytest.approx((50.605, 3.005, 50.606, 3.018))
    else:
        assert s == pytest.approx(50.6, abs=1e-4) and n == pytest.approx(50.61, abs=1e-4)
    if cas in ("sans_acteur", "acteurs_vides"):
        assert "markerClusterGroup" not in page


def test_colonne_de_mesure_absente() -> None:
    with pytest.raises(ErreurEcosysteme, match="colonne de mesure"):
        carte_couverture(qpv_petits(), Mesure("n_300m", "Acteurs à 300 m", "compte"))


def test_carte_sans_mesure() -> None:
    page = rendre(carte_couverture(qpv_petits(), None, simplification=None))
    assert "Quartier prioritaire (QPV)" in page


# --- clicks ---------------------------------------------------------------------------------------


def test_code_qp_clique() -> None:
    feature = {"type": "Feature", "properties": {"code_qp": "QN05918M", "classe": 1}, "geometry": {}}
    assert code_qp_clique(feature) == "QN05918M"
    assert code_qp_clique({"properties": {"code_qp": texte_html("QN<1>")}}) == "QN<1>"
    assert code_qp_clique(None) is None
    assert code_qp_clique({"type": "Feature", "properties": {"id": "A1"}}) is None
    assert code_qp_clique({"properties": None}) is None
    assert code_qp_clique({"properties": {"code_qp": 12}}) is None
    marqueur = {"type": "Feature", "properties": {"id": texte_html("A&1"), "categorie": 0}}
    assert id_acteur_clique(marqueur) == "A&1"
    assert id_acteur_clique(feature) is None and id_acteur_clique(None) is None


def test_acteur_clique() -> None:
    acteurs = acteurs_petits(("a", "b", "c"))
    lignes, _ = lignes_acteurs(acteurs)
    lat, lng = lignes[1][0], lignes[1][1]  # where the browser draws the marker
    assert acteur_clique(acteurs, lat, lng) == "A1"
    assert acteur_clique(acteurs, lat + 0.0001, lng) is None  # 11 m away
    assert acteur_clique(acteurs, lat + 0.0001, lng, tolerance_m=15.0) == "A1"
    assert acteur_clique(acteurs, None, None) is None
    assert acteur_clique(acteurs.iloc[:0], lat, lng) is None
    assert acteur_clique(acteurs, float("nan"), lng) is None


# --- measure classes ------------------------------------------------------------------------------


def test_classes_de_distance_aux_bornes() -> None:
    valeurs = np.array([0.0, -1.0, 0.5, 300.0, 300.1, 1000.0, 1000.1, 2000.0, 2000.1, np.nan])
    assert DISTANCE.classer(valeurs).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 5]
    assert [c.libelle for c in DISTANCE.classes()][5] == "aucun dans le territoire"
    assert DISTANCE.classes()[5].couleur == "#bdbdbd"
    assert len({c.couleur for c in DISTANCE.classes()}) == 6
    assert DISTANCE.classer(pd.Series([300, None], dtype=object)).tolist() == [1, 5]
    autre = Mesure("d", "d", seuils=(500.0,))
    assert autre.classer(np.array([0, 500, 501, np.nan])).tolist() == [0, 1, 2, 3]
    with pytest.raises(ErreurEcosysteme):
        Mesure("d", "d", seuils=(300.0, 300.0))
    with pytest.raises(ErreurEcosysteme):
        Mesure("d", "d", genre="autre")  # type: ignore[arg-type]


def test_classes_de_compte_et_couvert() -> None:
    compte = Mesure("n_1000m", "Acteurs à moins de 1 km", "compte")
    assert compte.classer(np.array([0, 1, 2, 4, 5, 40, np.nan])).tolist() == [0, 1, 2, 2, 3, 3, 4]
    assert [c.libelle for c in compte.classes()] == ["aucun", "1", "2 à 4", "5 ou plus", "inconnu"]
    couvert = Mesure("couvert", "Couvert", "couvert")
    assert couvert.classer(pd.Series([True, False, None, np.nan], dtype=object)).tolist() == [0, 1, 2, 2]
    assert [couvert.formater(v) for v in (True, False, None)] == ["oui", "non", "inconnu"]
    assert [compte.formater(v) for v in (0, 1, 3, math.nan)] == ["aucun", "1 acteur", "3 acteurs", "inconnu"]


def test_textes_francais() -> None:
    assert habitants(5822) == "5\u202f822 habitants"
    assert habitants(1) == "1 habitant" and habitants(None) == "population inconnue"
    assert habitants(float("nan")) == "population inconnue"
    assert distance_fr(0) == "dans le QPV" and distance_fr(450.4) == "à 450 m"
    assert distance_fr(1254) == "à 1\u202f250 m" and distance_fr(math.nan) == "aucun dans le territoire"
    assert DISTANCE.formater(None) == "aucun dans le territoire"


# --- real data ------------------------------------------------------------------------------------


@pytest.mark.donnees_reelles
def test_cartes_reelles_maubeuge_et_hdf(donnees: Path) -> None:
    from ecosysteme.analyse.couverture import Parametres, couverture, filtre
    from ecosysteme.sources.importeurs.acteurs import convertir_table
    from ecosysteme.sources.importeurs.base import RapportImport
    from ecosysteme.sources.lecture import lire_table

    qpv = gpd.read_file(donnees / "qpv2024_hdf.geojson").rename(columns={"pop_muni_qpv": "population"})
    communes = gpd.read_file(donnees / "communes_hdf_2026.geojson")
    epci = gpd.read_file(donnees / "epci_hdf_2026.geojson")
    acteurs = []
    for fmt, nom in (
        ("france-services", "france_services_2022-12-01_hdf.geojson"),
        ("conseillers-numeriques", "lieux_conseillers_numeriques_2022-06_hdf.geojson"),
        ("bibliotheques", "bibliotheques_publiques_hdf.geojson"),
    ):
        acteurs += convertir_table(lire_table(donnees / nom), fmt, RapportImport(nom, fmt))
    df = pd.DataFrame([a.model_dump(mode="json") for a in acteurs])
    acteurs_gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.longitude, df.latitude), crs=4326)
    table = couverture(qpv, acteurs_gdf, Parametres(filtres=(filtre("tous"),)))
    qpv = qpv.merge(table[["code_qp", "distance_m"]], on="code_qp")

    siren = "200043396"  # CA Maubeuge Val de Sambre
    contour = epci[epci["siren_epci"] == siren]
    assert contour["nom_epci"].tolist() == ["CA Maubeuge Val de Sambre"]
    q = qpv[qpv["siren_epci"] == siren]
    a = acteurs_gdf[acteurs_gdf.within(contour.geometry.iloc[0])]
    carte = carte_couverture(
        q, DISTANCE, a, communes=communes[communes["siren_epci"] == siren], epci=contour, bandes=(300, 1000)
    )
    page = rendre(carte)
    assert len(page.encode("utf-8")) <= 1_000_000
    geojson = next(e for e in carte._children.values() if isinstance(e, folium.GeoJson))
    props = {f["properties"]["code_qp"]: f["properties"] for f in geojson.data["features"]}
    assert {f"QN0591{i}M" for i in range(5, 10)} <= set(props)
    assert len(props) == len(q) == 11
    assert "10\u202f341 habitants" in props["QN05918M"]["infobulle"]
    assert "Sous-Le Bois" in props["QN05918M"]["infobulle"]
    assert "https://" not in page and "http://" not in page
    assert len(a) > 0 and f"Acteurs ({len(a)})" in json.loads(
        next(e for e in carte._children.values() if type(e).__name__ == "Legende").html_json
    )

    toute = carte_couverture(qpv, DISTANCE, acteurs_gdf, communes=communes, epci=epci, bandes=(300, 1000))
    assert len(rendre(toute).encode("utf-8")) <= 5_000_000
    assert len(html_autonome(toute).encode("utf-8")) <= 5_000_000


def test_simplification_none_garde_les_geometries() -> None:
    qpv = simplifier(qpv_petits(), 15.0)
    carte = carte_couverture(qpv, DISTANCE, simplification=None)
    geojson = next(e for e in carte._children.values() if isinstance(e, folium.GeoJson))
    assert geojson.data["features"][0]["geometry"]["coordinates"][0][0] == [3.0, 50.6]
    assert Simplification().qpv_m == 15.0


# --- stops of mobile services (issue 12, point 4) ---------------------------------------------------


def test_horaires_fr() -> None:
    from ecosysteme.cartes.arrets import horaires_fr

    assert horaires_fr("Sa 09:00-12:00") == "samedi 09:00–12:00"
    assert horaires_fr("Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00") == (
        "du lundi au vendredi 09:00–12:00, 14:00–17:00 ; samedi 09:00–12:00"
    )
    assert horaires_fr("Tu,We 14:00-17:00") == "mardi et mercredi 14:00–17:00"
    assert horaires_fr("Tu,Th 14:00-17:00") == "mardi 14:00–17:00 ; jeudi 14:00–17:00"
    assert horaires_fr("Mo-Fr 09:00-12:00", court=True) == "lun.–ven. 09:00–12:00"
    assert horaires_fr("24/7") == "tous les jours, 24 h sur 24"
    assert horaires_fr(None) == horaires_fr("  ") == "horaires inconnus"
    assert horaires_fr("Mo-Fr 09:00-12:00; PH off") == "du lundi au vendredi 09:00–12:00"
    assert horaires_fr("Jan-Mar Sa 10:00-12:00") == "Jan-Mar Sa 10:00-12:00"  # not a weekly grid: as is


def _bus() -> gpd.GeoDataFrame:
    """A service known only by its stops (no point), and a fixed place."""
    return gpd.GeoDataFrame(
        {
            "id": ["bus", "A0"],
            "nom": ["France Services itinérante", "EPN du centre"],
            "categorie": ["France Services", "EPN"],
            "horaires": ["We 10:00-12:00", None],
            "arrets": [
                [
                    {"nom": "Place du marché", "adresse": "1 place du Marché", "commune": "Lille",
                     "longitude": 3.005, "latitude": 50.605, "horaires": "Sa 09:00-12:00"},
                    {"nom": "Mairie", "commune": "Hem", "longitude": 3.035, "latitude": 50.61,
                     "horaires": "Tu 14:00-17:00"},
                    {"nom": "Gare", "longitude": 3.045, "latitude": 50.615},  # the service's hours
                ],
                [],
            ],
        },
        geometry=[None, Point(3.02, 50.6)],
        crs=4326,
    )  # fmt: skip


def test_arrets_dessines_avec_leurs_horaires() -> None:
    from ecosysteme.cartes.arrets import GroupeArrets

    carte = carte_couverture(qpv_petits(), DISTANCE, _bus())
    groupe = next(e for e in carte._children.values() if isinstance(e, GroupeArrets))
    lignes = json.loads(groupe.lignes_json)
    assert [r[3:6] for r in lignes] == [
        ["bus", 1, "Place du marché"],
        ["bus", 2, "Mairie"],
        ["bus", 3, "Gare"],
    ]
    assert lignes[0][:3] == [50.605, 3.005, 5]  # France Services: its symbol's colour
    assert lignes[0][6:] == [
        "Arrêt 1 de « France Services itinérante » (service itinérant)",
        "1 place du Marché, Lille",
        "Horaires : samedi 09:00–12:00",
    ]
    assert lignes[1][-1] == "Horaires : mardi 14:00–17:00"
    assert lignes[2][-1] == "Horaires : mercredi 10:00–12:00"  # no hours of its own: the service's
    page = rendre(carte)
    assert "ecs-arret" in page and "Arr\\u00eats des services itin\\u00e9rants" in page  # layer control
    legende = next(e for e in carte._children.values() if type(e).__name__ == "Legende")
    html = json.loads(legende.html_json)
    assert "Services itinérants" in html and '<span class="ecs-n">3</span>' in html
    assert "Acteurs (1)" in html  # the service has no marker of its own: only its stops


def test_arrets_suivent_les_filtres_d_acteurs() -> None:
    prets = LignesActeurs.depuis(_bus())
    assert len(prets.arrets) == 3 and len(prets.lignes) == 1
    assert len(prets.parmi(["bus"]).arrets) == 3 and len(prets.parmi(["bus"]).lignes) == 0
    assert prets.parmi(["A0"]).arrets == []
    # the view fits the stops when they are all there is
    carte = carte_couverture(qpv_petits().iloc[:0], None, prets.parmi(["bus"]))
    assert "ecs-arret" in rendre(carte)
    limites = [v for v in carte._children.values() if type(v).__name__ == "FitBounds"]
    assert limites and limites[0].bounds == [[50.605, 3.005], [50.615, 3.045]]


def test_clic_sur_un_arret_donne_le_service() -> None:
    assert id_acteur_clique({"properties": {"id": "bus", "categorie": 5, "arret": 2}}) == "bus"
