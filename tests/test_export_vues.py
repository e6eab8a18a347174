"""Document maps of the lieu totem and overlaps views (ecosysteme.exports.vues) and the extra
layers of a document page (``Couche``, ``Etats``, ``emprise``, ``precision``): by hand on a
hand-made territory, then CA Maubeuge Val de Sambre on the real store, each page read back."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from aide_pdf import texte_pdf
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from pyproj import Transformer
from shapely.geometry import LineString, Point, box

from ecosysteme.analyse.chevauchements import STATUT_CHEVAUCHEMENT, chevauchements
from ecosysteme.analyse.couverture import filtre
from ecosysteme.analyse.totem import totem_epci
from ecosysteme.cartes.mesure import Classe, Etats
from ecosysteme.cartes.totem import etat_qpv
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.exports.cartes import Couche, carte_document, exporter_carte
from ecosysteme.exports.vues import precision_filtres, vue_epci

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
MAUBEUGE = "200043396"
ADA = "Aide aux démarches administratives"
DATE = dt.date(2026, 11, 26)
X, Y = 700_000.0, 6_600_000.0  # Lambert-93, on the projection's central meridian


def _l93(*geoms: object) -> gpd.GeoSeries:
    return gpd.GeoSeries(list(geoms), crs=2154).to_crs(4326)


# --- pure pieces ---------------------------------------------------------------------------------


def test_etats_classer_et_classes() -> None:
    e = Etats("etat", "état", (("a", Classe("A", "#111111")), ("b", Classe("B", "#222222"))))
    assert [c.libelle for c in e.classes()] == ["A", "B", "inconnu"]
    assert e.classer(pd.Series(["b", "a", None, "z", np.nan])).tolist() == [1, 0, 2, 2, 2]
    with pytest.raises(ErreurEcosysteme, match="distincts"):
        Etats("etat", "état", (("a", Classe("A", "#1")), ("a", Classe("B", "#2"))))
    with pytest.raises(ErreurEcosysteme, match="distincts"):
        Etats("etat", "état", ())


def test_precision_filtres_dit_la_regle_des_filtres() -> None:
    assert precision_filtres([]) is None
    assert precision_filtres([filtre("tous")]) is None
    assert precision_filtres([filtre("categorie:Médiathèque")]) == "Acteurs affichés : catégorie Médiathèque"
    # within a family: either; across families: each must hold; slots: at least one
    texte = precision_filtres(
        [
            filtre("categorie:Médiathèque"),
            filtre(f"service:{ADA}"),
            filtre("categorie:EPN"),
            filtre("gratuit"),
        ],
        ["soir", "samedi"],
    )
    assert texte == (
        "Acteurs affichés : catégorie Médiathèque ou EPN ; service Aide aux démarches administratives ; "
        "gratuits ; ouverts le soir en semaine ou le samedi"
    )
    assert precision_filtres([], ["dimanche"]) == "Acteurs affichés : ouverts le dimanche"


def test_couche_refuse_en_francais() -> None:
    points = _l93(Point(X, Y))
    with pytest.raises(ErreurEcosysteme, match="genre « carré » inconnu"):
        Couche(points, "x", "#000000", "carré")  # type: ignore[arg-type]
    with pytest.raises(ErreurEcosysteme, match="rayon"):
        Couche(points, "x", "#000000", "cercle")
    with pytest.raises(ErreurEcosysteme, match="rayon"):
        Couche(points, "x", "#000000", "cercle", rayon_m=float("nan"))


# --- a hand-made territory -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def territoire() -> dict[str, gpd.GeoDataFrame]:
    """A 4 km square commune = the EPCI; QPV « Les Tilleuls » (state « nouveau ») and « La Gare »
    (state unknown to the colouring: « ailleurs »); one active médiathèque."""
    commune = box(X, Y, X + 4000, Y + 4000)
    qpv = gpd.GeoDataFrame(
        {
            "code_qp": ["QN00001A", "QN00002B"],
            "lib_qp": ["Les Tilleuls", "La Gare"],
            "population": [1200, 3400],
            "etat": ["nouveau", "ailleurs"],
        },
        geometry=_l93(box(X + 500, Y + 500, X + 900, Y + 900), box(X + 2500, Y + 2500, X + 2900, Y + 2900)),
    )
    communes = gpd.GeoDataFrame({"code": ["03999"], "nom": ["Testville"]}, geometry=_l93(commune))
    epci = gpd.GeoDataFrame({"siren_epci": ["200000001"], "nom_epci": ["CC de Test"]}, geometry=_l93(commune))
    acteurs = gpd.GeoDataFrame(
        {"id": ["a1"], "nom": ["Médiathèque"], "categorie": ["Médiathèque"], "statut": ["actif"]},
        geometry=_l93(Point(X + 700, Y + 700)),
    )
    return {"qpv": qpv, "communes": communes, "epci": epci, "acteurs": acteurs}


ETATS_TEST = Etats(
    "etat",
    "selon le site",
    (("nouveau", Classe("Nouvellement à portée", "#1b9e77")), ("hors", Classe("Hors", "#e6550d"))),
)


def _page(t: dict[str, gpd.GeoDataFrame], **options: object) -> Figure:
    site = _l93(Point(X + 1000, Y + 1000))
    couches = [
        Couche(site, "Site proposé", "#6a3d9a", "point", section="Projet", marqueur="*", etiquettes=("1",)),
        Couche(site, "à moins de 500 m", "#6a3d9a", "cercle", section="Projet", rayon_m=500.0, compter=False),
        Couche(
            _l93(
                LineString([(X + 700, Y + 700), (X + 1000, Y + 1000)]),
                LineString([(X + 3000, Y), (X + 3100, Y)]),
            ),
            "liens",
            "#e6550d",
            "ligne",
            section="Liens",
        ),
    ]
    return carte_document(
        t["qpv"],
        t["communes"],
        t["epci"],
        t["acteurs"],
        titre="Carte de test",
        territoire="CC de Test",
        mesure=ETATS_TEST,
        date=DATE,
        sources=("ANCT — QPV 2024",),
        precision="Acteurs affichés : catégorie Médiathèque",
        couches=couches,
        titre_acteurs="Offre existante",
        **options,  # type: ignore[arg-type]
    )


def test_couches_etats_et_precision_dans_le_pdf(
    territoire: dict[str, gpd.GeoDataFrame], tmp_path: Path
) -> None:
    texte = texte_pdf(exporter_carte(_page(territoire), tmp_path / "p.pdf"))
    for attendu in (
        "Carte de test",
        "CC de Test",
        "Acteurs affichés : catégorie Médiathèque",
        "QPV — selon le site",
        "Nouvellement à portée (1)",
        "Hors (0)",
        "inconnu (1)",  # « ailleurs » is not a state of the colouring
        "Offre existante (1)",
        "Médiathèque (1)",
        "Projet",
        "Site proposé (1)",
        "Liens",
        "liens (2)",  # both lines lie in the frame
    ):
        assert attendu in texte, attendu
    assert "à moins de 500 m" in texte and "à moins de 500 m (" not in texte  # compter=False


def test_pas_de_ligne_inconnu_quand_tout_est_connu(
    territoire: dict[str, gpd.GeoDataFrame], tmp_path: Path
) -> None:
    t = {**territoire, "qpv": territoire["qpv"].assign(etat=["nouveau", "hors"])}
    texte = texte_pdf(exporter_carte(_page(t), tmp_path / "p.pdf"))
    assert "Hors (1)" in texte and "inconnu" not in texte


def test_le_cercle_a_son_vrai_rayon_au_sol(territoire: dict[str, gpd.GeoDataFrame]) -> None:
    fig = _page(territoire)
    ax = fig.axes[0]
    violet = mcolors.to_rgba("#6a3d9a")
    cercles = [
        c
        for c in ax.collections
        if isinstance(c, LineCollection)
        and len(c.get_edgecolor())
        and np.allclose(c.get_edgecolor()[0], violet)
    ]
    assert len(cercles) == 1
    sommets = np.vstack([p.vertices for p in cercles[0].get_paths()])
    # drawn in Lambert-93, where 500 m on the ground is 500 m on the map (scale error < 0.1 %)
    assert np.ptp(sommets[:, 0]) == pytest.approx(1000.0, rel=1e-3)
    assert np.ptp(sommets[:, 1]) == pytest.approx(1000.0, rel=1e-3)
    assert sommets[:, 0].min() == pytest.approx(X + 500, abs=1) and sommets[:, 1].max() == pytest.approx(
        Y + 1500, abs=1
    )
    # the site's number is written beside it
    assert any(t.get_text() == "1" for t in ax.texts)


def test_emprise_zoome_sur_ce_qui_compte(territoire: dict[str, gpd.GeoDataFrame]) -> None:
    large = _page(territoire).axes[0]
    ouest, sud = Transformer.from_crs(2154, 4326, always_xy=True).transform(X + 400, Y + 400)
    est, nord = Transformer.from_crs(2154, 4326, always_xy=True).transform(X + 1000, Y + 1000)
    zoom = _page(territoire, emprise=(ouest, sud, est, nord)).axes[0]
    x0, x1 = zoom.get_xlim()
    y0, y1 = zoom.get_ylim()
    assert x0 <= X + 400 and x1 >= X + 1000 and y0 <= Y + 400 and y1 >= Y + 1000
    assert (x1 - x0) < (large.get_xlim()[1] - large.get_xlim()[0]) / 3
    with pytest.raises(ErreurEcosysteme, match="emprise"):
        _page(territoire, emprise=(est, sud, ouest, nord))


# --- CA Maubeuge Val de Sambre -------------------------------------------------------------------


@pytest.mark.donnees_reelles
def test_lieu_totem_maubeuge_a4(depot_hdf: Path, tmp_path: Path) -> None:
    with ouvrir_depot(depot_hdf) as depot:
        res, expl = totem_epci(depot, MAUBEUGE, service=ADA, rayon=1000.0, sites=1)
        vue = vue_epci(depot, MAUBEUGE, "totem", services=[ADA], distance_m=1000.0, date=DATE)
        pdf = exporter_carte(vue.document("paysage"), tmp_path / f"{vue.nom}.pdf")
        html = vue.html()
    assert vue.nom == f"lieu_totem_{MAUBEUGE}"
    texte = texte_pdf(pdf)
    site = str(expl.sites["libelle"].iloc[0])
    comptes = etat_qpv(res).value_counts()
    for attendu in (
        "Lieu totem du numérique",
        "CA Maubeuge Val de Sambre (SIREN 200043396)",
        f"Offre : {ADA} ; distance à vol d'oiseau : 1 000 m",
        f"{res.objectif:,} habitant(s) des QPV nouvellement à portée (optimal".replace(",", " "),
        f"Nouvellement à portée ({comptes.get('nouveau', 0)})",
        f"Déjà couvert par l'offre existante ({comptes.get('deja', 0)})",
        f"Toujours hors de portée ({comptes.get('hors', 0)})",
        "Lieu(x) totem proposé(s)",
        "à moins de 1 000 m à vol d'oiseau",
        "inventaire local au 26/11/2026",
    ):
        assert attendu in texte, attendu
    assert " ".join(f"1. {site}".split()) in texte
    assert "<script src=" not in html and "Content-Security-Policy" in html
    assert f"Offre : {ADA}" in html and "Lieu totem du numérique" in html
    if shutil.which("pdftoppm"):
        ARTEFACTS.mkdir(exist_ok=True)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "100",
                "-singlefile",
                str(pdf),
                str(ARTEFACTS / "lieu_totem_maubeuge_a4"),
            ],
            check=True,
        )


@pytest.mark.donnees_reelles
def test_chevauchements_maubeuge_a4(depot_hdf: Path, tmp_path: Path) -> None:
    with ouvrir_depot(depot_hdf) as depot:
        paires = chevauchements(
            depot.acteurs_gdf(siren_epci=MAUBEUGE), distance_m=500.0, non_doublons=depot.non_doublons()
        )
        vue = vue_epci(depot, MAUBEUGE, "chevauchements", distance_m=500.0, date=DATE)
        fig = vue.document("portrait")
        pdf = exporter_carte(fig, tmp_path / f"{vue.nom}.pdf")
        html = vue.html()
        vide = vue_epci(depot, MAUBEUGE, "chevauchements", services=[ADA], distance_m=500.0, date=DATE)
        texte_vide = texte_pdf(exporter_carte(vide.document("paysage"), tmp_path / "vide.pdf"))
    uniques = paires.drop_duplicates(["id_a", "id_b"])
    assert len(uniques) > 0
    n = int((uniques["statut_horaires"] == STATUT_CHEVAUCHEMENT).sum())
    texte = texte_pdf(pdf)
    for attendu in (
        "Offres qui se chevauchent",
        "Chevauchements (à moins de 500 m à vol d'oiseau)",
        f"ouverts aux mêmes heures ({n})",
        f"proches, horaires inconnus ({len(uniques) - n})",
        f"{n} paire(s) d'acteurs distincts ouverts aux mêmes heures",
        "Acteurs concernés",
    ):
        assert attendu in texte, attendu
    # the page zooms on the pairs (a few hundred metres), not on the 30 km wide EPCI
    x0, x1 = fig.axes[0].get_xlim()
    assert x1 - x0 < 8000
    assert "<script src=" not in html and "Ouverts aux mêmes heures" in html
    # no pair for this service: a page that says so, framed on the EPCI
    assert "Aucune paire d'acteurs distincts" in texte_vide and "ouverts aux mêmes heures (0)" in texte_vide


@pytest.mark.donnees_reelles
def test_vue_epci_refuse_en_francais(depot_hdf: Path) -> None:
    with ouvrir_depot(depot_hdf) as depot:
        with pytest.raises(ErreurEcosysteme, match="carte « atlas » inconnue"):
            vue_epci(depot, MAUBEUGE, "atlas")
        with pytest.raises(ErreurEcosysteme, match="absent du dépôt"):
            vue_epci(depot, "999999999", "totem")
        with pytest.raises(ErreurEcosysteme, match="un seul service"):
            vue_epci(
                depot, MAUBEUGE, "couverture", services=[ADA, "Insertion professionnelle via le numérique"]
            )


def test_noms_de_qpv_qui_se_chevaucheraient_laisses_de_cote(tmp_path: Path) -> None:
    """40 QPV packed in 1 km of a 20 km EPCI: their names cannot all be written without
    overlapping, so those that do not fit are left out and the page says how many are shown;
    with 30 QPV or fewer, every name is written (an EPCI's handful of quartiers all matter)."""

    def page(n: int) -> Figure:
        qpv = gpd.GeoDataFrame(
            {
                "code_qp": [f"QN{k:05d}X" for k in range(n)],
                "lib_qp": [f"Quartier prioritaire numéro {k}" for k in range(n)],
                "population": [1000 + k for k in range(n)],
            },
            geometry=_l93(*(box(X + 150 * (k % 7), Y + 150 * (k // 7), X + 150 * (k % 7) + 60, Y + 150 * (k // 7) + 60)
                            for k in range(n))),
        )  # fmt: skip
        epci = gpd.GeoDataFrame(
            {"nom_epci": ["CC"]}, geometry=_l93(box(X - 10_000, Y - 10_000, X + 10_000, Y + 10_000))
        )
        return carte_document(qpv, None, epci, None, titre="Test", territoire="CC", date=DATE)

    def noms(fig: Figure) -> set[str]:
        return {t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("Quartier")}

    beaucoup = page(40)
    ecrits = noms(beaucoup)
    assert 0 < len(ecrits) < 40
    assert f"noms de {len(ecrits)} QPV sur 40 (les autres se chevaucheraient)" in texte_pdf(
        exporter_carte(beaucoup, tmp_path / "beaucoup.pdf")
    )
    peu = page(28)
    assert len(noms(peu)) == 28
    assert "se chevaucheraient" not in texte_pdf(exporter_carte(peu, tmp_path / "peu.pdf"))
