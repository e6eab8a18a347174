"""Document-quality maps (ecosysteme.exports.cartes): pure helpers by hand and by property, a
hand-made territory exported to PDF and PNG (page size, text, pixels, dpi), and the real CA
Maubeuge Val de Sambre page rendered with pdftoppm into tests/artefacts/ for a visual check."""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from aide_pdf import texte_pdf
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from shapely.geometry import Point, box

from ecosysteme.cartes.mesure import Mesure
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.exports.cartes import (
    carte_document,
    carte_epci,
    convergence_nord,
    crs_carte,
    distance_echelle,
    etiquette_arret,
    exporter_carte,
    ligne_sources,
    longueur_echelle,
    nom_court,
    placer_etiquettes,
)

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
SIREN_MAUBEUGE = "200043396"
A4_PT = (595.28, 841.89)
DATE = dt.date(2026, 11, 26)
SOURCES = ("ANCT — QPV 2024",)
LIGNE = "Sources : ANCT — QPV 2024 ; inventaire local au 26/11/2026"


def _pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext absent (apt-get install poppler-utils)")
    sortie = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True)
    # narrow no-break spaces (thousands) read as plain spaces; lines joined
    return " ".join(sortie.stdout.decode("utf-8").replace("\u202f", " ").split())


def _mediabox(pdf: Path) -> tuple[float, float]:
    trouve = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    assert trouve, "MediaBox absente du PDF"
    return float(trouve.group(1)), float(trouve.group(2))


# --- pure helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("largeur", "part", "attendu"),
    [
        (10_000, 0.25, 2000),
        (4_000, 0.25, 1000),
        (100_000, 0.22, 20_000),
        (30_000, 0.25, 5000),
        (900, 0.25, 200),
    ],
)
def test_longueur_echelle_a_la_main(largeur: float, part: float, attendu: float) -> None:
    assert longueur_echelle(largeur, part) == pytest.approx(attendu)


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=1.0, max_value=5e6), st.floats(min_value=0.05, max_value=1.0))
def test_longueur_echelle_ronde_et_proche(largeur: float, part: float) -> None:
    longueur = longueur_echelle(largeur, part)
    cible = largeur * part
    assert longueur <= cible * (1 + 1e-9)
    assert longueur > cible / 2.5 * (1 - 1e-9)
    mantisse = longueur / 10 ** math.floor(math.log10(longueur) + 1e-12)
    assert min(abs(mantisse - m) for m in (1, 2, 5)) < 1e-9


def test_longueur_echelle_refuse_une_largeur_nulle() -> None:
    with pytest.raises(ErreurEcosysteme, match="barre d'échelle"):
        longueur_echelle(0.0)


@pytest.mark.parametrize(
    ("metres", "texte"),
    [(500, "500 m"), (1000, "1 km"), (2500, "2,5 km"), (20_000, "20 km"), (1_000_000, "1\u202f000 km")],
)
def test_distance_echelle(metres: float, texte: str) -> None:
    assert distance_echelle(metres) == texte


def test_ligne_sources() -> None:
    assert ligne_sources(SOURCES, DATE) == LIGNE
    assert ligne_sources(("A", " ", "B"), None) == "Sources : A ; B"
    assert ligne_sources((), None) == ""


def test_nom_court() -> None:
    nom = "Quartier Intercommunal Sous-Le Bois Montplaisir Rue D'Hautmont"
    court = nom_court(nom)
    lignes = court.split("\n")
    assert lignes[:2] == ["Quartier Intercommunal", "Sous-Le Bois"]
    assert len(lignes) == 3 and lignes[2].endswith("…")
    assert all(len(x) <= 22 for x in lignes)
    assert nom_court("Centre  Lambreçon") == "Centre Lambreçon"
    assert nom_court(None) == "" and nom_court(float("nan")) == ""


def test_convergence_nord_lambert93() -> None:
    # Lambert-93: γ = n (λ − 3°), n = 0.7256 (true north leans west east of the central meridian)
    assert convergence_nord(2154, 3.0, 46.5) == pytest.approx(0.0, abs=1e-6)
    assert convergence_nord(2154, 7.0, 48.0) == pytest.approx(4 * 0.72561, abs=0.01)
    assert convergence_nord(2154, -1.0, 48.0) == pytest.approx(-4 * 0.72561, abs=0.01)


def test_placer_etiquettes_a_la_main() -> None:
    occupee = (0.0, 0.0, 2.0, 2.0)
    candidats = [
        [(1.0, 1.0, 3.0, 3.0), (3.0, 3.0, 5.0, 5.0)],  # first overlaps the occupied box
        [(3.5, 3.5, 4.5, 4.5), (6.0, 6.0, 7.0, 7.0)],  # first overlaps label 0
        [(20.0, 20.0, 30.0, 30.0)],  # outside the frame
    ]
    assert placer_etiquettes(candidats, [occupee], (0.0, 0.0, 10.0, 10.0)) == [1, 1, None]


boites = st.tuples(st.floats(0, 90), st.floats(0, 90), st.floats(0.5, 20), st.floats(0.5, 20)).map(
    lambda t: (t[0], t[1], t[0] + t[2], t[1] + t[3])
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(boites, min_size=1, max_size=5), max_size=25), st.lists(boites, max_size=3))
def test_placer_etiquettes_sans_chevauchement(candidats: list[list[tuple]], occupees: list[tuple]) -> None:
    cadre = (0.0, 0.0, 100.0, 100.0)
    choix = placer_etiquettes(candidats, occupees, cadre)
    assert len(choix) == len(candidats)
    places = [candidats[i][k] for i, k in enumerate(choix) if k is not None]
    for b in places:
        assert cadre[0] <= b[0] and b[2] <= cadre[2] and cadre[1] <= b[1] and b[3] <= cadre[3]
    tout = [*occupees, *places]
    for i in range(len(tout)):
        for j in range(max(i + 1, len(occupees)), len(tout)):  # occupied boxes may overlap each other
            a, b = tout[i], tout[j]
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


# --- a hand-made territory -----------------------------------------------------------------------


def _l93(*geoms: object) -> gpd.GeoSeries:
    return gpd.GeoSeries(list(geoms), crs=2154).to_crs(4326)


@pytest.fixture(scope="module")
def territoire() -> dict[str, gpd.GeoDataFrame]:
    """Near Lambert-93's origin meridian: a 4 km commune = the EPCI, two 400 m square QPV, a
    médiathèque inside QPV A, a France Services 500 m east of it, a closed EPN."""
    x, y = 700_000.0, 6_600_000.0
    commune = box(x, y, x + 4000, y + 4000)
    qpv = gpd.GeoDataFrame(
        {
            "code_qp": ["QN00001A", "QN00002B"],
            "lib_qp": ["Les Érables", "Cœur de ville - Gare"],
            "population": [1200, 3400],
            "insee_dep": ["03", "03"],
            "distance_m": [0.0, 1500.0],
        },
        geometry=_l93(box(x + 500, y + 500, x + 900, y + 900), box(x + 2500, y + 2500, x + 2900, y + 2900)),
    )
    communes = gpd.GeoDataFrame({"code": ["03999"], "nom": ["Testville"]}, geometry=_l93(commune))
    epci = gpd.GeoDataFrame({"siren_epci": ["200000001"], "nom_epci": ["CC de Test"]}, geometry=_l93(commune))
    acteurs = gpd.GeoDataFrame(
        {
            "id": ["a1", "a2", "a3"],
            "nom": ["Médiathèque", "France Services", "EPN fermé"],
            "categorie": ["Médiathèque", "France Services", "EPN"],
            "statut": ["actif", "actif", "fermé"],
        },
        geometry=_l93(Point(x + 700, y + 700), Point(x + 1400, y + 700), Point(x + 3000, y + 1000)),
    )
    return {"qpv": qpv, "communes": communes, "epci": epci, "acteurs": acteurs}


def _page(t: dict[str, gpd.GeoDataFrame], orientation: str, mesure: Mesure | None = None) -> object:
    return carte_document(
        t["qpv"],
        t["communes"],
        t["epci"],
        t["acteurs"],
        titre="Carte de test",
        territoire="CC de Test",
        mesure=mesure
        if mesure is not None
        else Mesure("distance_m", "Tout acteur : distance au plus proche"),
        orientation=orientation,  # type: ignore[arg-type]
        date=DATE,
        sources=SOURCES,
    )


@pytest.mark.parametrize(
    ("orientation", "taille", "echelle"),
    [
        # 4 km + 2 × 4 % margins = 4 320 m; landscape box 207 × 164 mm → 5 453 m wide, 22 % = 1 199 m
        # → 1 km; portrait box square: 22 % of 4 320 m = 950 m → 500 m
        ("paysage", A4_PT[::-1], "0 500 m 1 km"),
        ("portrait", A4_PT, "0 250 m 500 m"),
    ],
)
def test_pdf_a4_texte_et_taille(
    territoire: dict[str, gpd.GeoDataFrame],
    tmp_path: Path,
    orientation: str,
    taille: tuple[float, float],
    echelle: str,
) -> None:
    pdf = exporter_carte(_page(territoire, orientation), tmp_path / "carte.pdf")  # type: ignore[arg-type]
    assert [p.name for p in tmp_path.iterdir()] == ["carte.pdf"]  # no temp file left
    largeur, hauteur = _mediabox(pdf)
    assert largeur == pytest.approx(taille[0], abs=0.3) and hauteur == pytest.approx(taille[1], abs=0.3)
    texte = _pdftotext(pdf)
    for attendu in (
        "Carte de test",
        "CC de Test",
        LIGNE,
        "Légende",
        "Tout acteur : distance au plus proche",
        "dans le QPV (1)",
        "1 000 à 2 000 m (1)",
        "jusqu'à 300 m (0)",
        "aucun dans le territoire (0)",
        "Acteurs sur la carte (2)",
        "Médiathèque (1)",
        "France Services (1)",
        "limite d'EPCI",
        "limite de commune",
        "Les Érables",
        "Cœur de ville - Gare",
        "EPSG:2154",
    ):
        assert attendu in texte, attendu
    assert "EPN" not in texte  # a closed actor is not drawn
    assert "Northing" not in texte and "Easting" not in texte
    assert echelle in texte


def test_pdf_sans_mesure(territoire: dict[str, gpd.GeoDataFrame], tmp_path: Path) -> None:
    t = {**territoire, "acteurs": territoire["acteurs"].iloc[:0]}
    fig = carte_document(
        t["qpv"],
        t["communes"],
        None,
        t["acteurs"],
        titre="Sans mesure",
        territoire="Test",
        date=None,
        sources=(),
    )
    texte = _pdftotext(exporter_carte(fig, tmp_path / "sans.pdf"))
    assert "Quartier prioritaire (QPV) (2)" in texte
    assert "aucun acteur sur la carte" in texte and "Acteurs sur la carte (0)" in texte
    assert "limite d'EPCI" not in texte and "Sources" not in texte


@pytest.mark.parametrize(("orientation", "pixels"), [("paysage", (3508, 2480)), ("portrait", (2480, 3508))])
def test_png_300_dpi(
    territoire: dict[str, gpd.GeoDataFrame], tmp_path: Path, orientation: str, pixels: tuple[int, int]
) -> None:
    png = exporter_carte(_page(territoire, orientation), tmp_path / "carte.png")  # type: ignore[arg-type]
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.size == pixels
        dpi = image.info["dpi"]
        assert dpi[0] == pytest.approx(300, abs=0.5) and dpi[1] == pytest.approx(300, abs=0.5)
        couleurs = {c for _, c in image.convert("RGB").getcolors(maxcolors=1_000_000) or []}
    # the class colours of the two QPV are painted (alpha 0.85 over the territory's background)
    assert any(abs(r - 0x3F) < 25 and abs(g - 0x83) < 25 and abs(b - 0xBA) < 25 for r, g, b in couleurs)
    assert len(couleurs) > 50


def test_crs_outre_mer(territoire: dict[str, gpd.GeoDataFrame], tmp_path: Path) -> None:
    reunion = gpd.GeoDataFrame(
        {"code_qp": ["QN97401X"], "lib_qp": ["Le Chaudron"], "insee_dep": ["974"], "population": [5000]},
        geometry=[box(55.48, -20.90, 55.49, -20.89)],
        crs=4326,
    )
    assert crs_carte(reunion) == 2975
    assert crs_carte(territoire["qpv"]) == 2154
    assert crs_carte(None, territoire["epci"]) == 2154
    fig = carte_document(reunion, None, None, None, titre="Réunion", territoire="Saint-Denis", date=DATE)
    assert "EPSG:2975" in _pdftotext(exporter_carte(fig, tmp_path / "r.pdf"))


def test_erreurs_en_francais(territoire: dict[str, gpd.GeoDataFrame], tmp_path: Path) -> None:
    fig = _page(territoire, "paysage")
    with pytest.raises(ErreurEcosysteme, match=r"\.pdf ou \.png"):
        exporter_carte(fig, tmp_path / "carte.svg")  # type: ignore[arg-type]
    with pytest.raises(ErreurEcosysteme, match="orientation"):
        _page(territoire, "oblique")
    with pytest.raises(ErreurEcosysteme, match="colonne de mesure"):
        _page(territoire, "paysage", Mesure("absente", "x"))
    vide = territoire["qpv"].iloc[:0]
    with pytest.raises(ErreurEcosysteme, match="rien à cartographier"):
        carte_document(vide, None, None, None, titre="t", territoire="t")
    with pytest.raises(ErreurEcosysteme, match="EPSG:4326"):
        carte_document(territoire["qpv"].to_crs(2154), None, None, None, titre="t", territoire="t")
    with pytest.raises(ErreurEcosysteme, match="A4"):
        carte_document(territoire["qpv"], None, None, None, titre="t", territoire="t", format="A3")


# --- the real case ---------------------------------------------------------------------------------


@pytest.mark.donnees_reelles
def test_maubeuge_pdf_puis_png_artefact(depot_hdf: Path, tmp_path: Path) -> None:
    with ouvrir_depot(depot_hdf) as depot:
        n_qpv = len(depot.qpv(siren_epci=SIREN_MAUBEUGE))
        fig = carte_epci(depot, SIREN_MAUBEUGE, date=DATE)
        with pytest.raises(ErreurEcosysteme, match="absent du dépôt"):
            carte_epci(depot, "999999999")
        with pytest.raises(ErreurEcosysteme, match="filtre"):
            carte_epci(depot, SIREN_MAUBEUGE, filtre="categorie:Boulangerie")
    pdf = exporter_carte(fig, tmp_path / "carte_maubeuge_a4.pdf")
    largeur, hauteur = _mediabox(pdf)
    assert largeur == pytest.approx(A4_PT[1], abs=0.3) and hauteur == pytest.approx(A4_PT[0], abs=0.3)
    texte = _pdftotext(pdf)
    assert "CA Maubeuge Val de Sambre" in texte and "inventaire local au 26/11/2026" in texte
    for nom in ("Centre Lambreçon", "Bois Du Quesnoy", "Pont De Pierre", "Louvroil centre"):
        assert nom in texte, nom
    # the legend's class counts add up to the EPCI's QPV
    classes = re.findall(
        r"(?:dans le QPV|jusqu'à 300 m|300 à 1 000 m|1 000 à 2 000 m|plus de 2 000 m|aucun dans le territoire)"
        r" \((\d+)\)",
        texte,
    )
    assert len(classes) == 6 and sum(map(int, classes)) == n_qpv == 11
    assert re.search(r"Médiathèque \(\d+\)", texte)

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm absent (apt-get install poppler-utils) : pas de rendu visuel")
    ARTEFACTS.mkdir(exist_ok=True)
    cible = ARTEFACTS / "carte_maubeuge_a4"
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(cible)], check=True)
    with Image.open(cible.with_suffix(".png")) as image:
        assert image.size == (pytest.approx(1754, abs=2), pytest.approx(1240, abs=2))
        couleurs = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
    assert len(couleurs) > 100  # a drawn map, not a blank page


# --- stops of mobile services (issue 12, point 4) ---------------------------------------------------


def test_arrets_dessines_avec_leurs_horaires(territoire: dict[str, gpd.GeoDataFrame], tmp_path: Path) -> None:
    """A service known only by its stops (no point of its own) is drawn at each stop in the
    frame, each labelled with its name and schedule; a closed service's stops are not drawn."""
    x, y = 700_000.0, 6_600_000.0
    (p1, p2, p3, loin) = _l93(
        Point(x + 600, y + 1200), Point(x + 2700, y + 2300), Point(x + 3500, y + 3500), Point(x + 90_000, y)
    )

    def arret(nom: str, p: Point, horaires: str | None) -> dict[str, object]:
        return {"nom": nom, "longitude": p.x, "latitude": p.y, "horaires": horaires}

    bus = gpd.GeoDataFrame(
        {
            "id": ["bus", "ferme"],
            "nom": ["Bus numérique", "Bus fermé"],
            "categorie": ["France Services", "EPN"],
            "statut": ["actif", "fermé"],
            "horaires": ["We 10:00-12:00", None],
            "arrets": [
                [
                    arret("Place du marché", p1, "Sa 09:00-12:00"),
                    arret("Gare", p2, "Tu 14:00-17:00"),
                    arret("Stade", p3, None),  # the service's hours
                    arret("Ailleurs", loin, "Mo 09:00-10:00"),  # out of the frame
                ],
                [arret("Fermé", p1, "Mo 09:00-12:00")],
            ],
        },
        geometry=[None, None],
        crs=4326,
    )
    acteurs = gpd.GeoDataFrame(pd.concat([territoire["acteurs"], bus], ignore_index=True), crs=4326)
    fig = carte_document(
        territoire["qpv"], territoire["communes"], territoire["epci"], acteurs,
        titre="Arrêts", territoire="CC de Test", date=DATE, sources=SOURCES,
    )  # fmt: skip
    texte = texte_pdf(exporter_carte(fig, tmp_path / "arrets.pdf"))
    for attendu in (
        "Place du marché : sam. 09:00–12:00",
        "Gare : mar. 14:00–17:00",
        "Stade : mer. 10:00–12:00",
        "Services itinérants",
        "nom et horaires à côté) (3)",
        "Acteurs sur la carte (2)",  # the service has no point: only its stops
    ):
        assert attendu in texte, attendu
    assert "Ailleurs" not in texte and "Fermé" not in texte


def test_etiquette_arret_courte() -> None:
    from ecosysteme.cartes.arrets import ArretCarte

    a = ArretCarte(3.0, 50.0, 0, "bus", "Bus", "EPN", 2, "", "", "", "Mo-Fr 09:00-12:00,14:00-17:00")
    assert etiquette_arret(a) == "arrêt 2 : lun.–ven. 09:00–12:00, 14:00–17:00"
    assert etiquette_arret(a, largeur=32) == "arrêt 2 : lun.–ven. 09:00–12:00,\n14:00–17:00"
    long = ArretCarte(3.0, 50.0, 0, "bus", "Bus", "EPN", 1, "x " * 100, "", "", None)
    assert len(etiquette_arret(long).split("\n")) == 3
