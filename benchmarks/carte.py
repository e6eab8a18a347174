"""Benchmark: the coverage map (``ecosysteme.cartes.carte_couverture``) against folium's defaults.

Data: a Hauts-de-France store built from ../shared/data (``ecosysteme preparer --miroir``, in a
temporary folder), coverage « tout acteur » (``coverage.couverture``) giving each QPV its
``distance_m``. Two workloads:

- one EPCI: CA Maubeuge Val de Sambre (SIREN 200043396): its QPV, communes, EPCI outline and
  its active actors (``acteurs_gdf(siren_epci=…)``);
- all Hauts-de-France: 204 QPV, 3,782 communes, 92 EPCI, every active actor.

For each, in one process, medians over N runs:

- ecosysteme: ``carte_couverture`` (simplification QPV 15 m, communes / EPCI 75 m, bands
  300 m and 1,000 m, MarkerCluster filled in the browser, no tiles), then render;
  « assemblage » = the same with geometries already simplified (what the app does with its
  cache);
- naive folium: ``folium.Map()`` (CDN assets, OSM tiles), ``folium.GeoJson`` of the raw
  frames (QPV with ``style_function`` and ``GeoJsonTooltip``), one ``folium.Marker`` with a
  tooltip per actor in a ``MarkerCluster``.

Payload = ``len(carte.get_root().render())`` (characters of the HTML page; the scripts and
styles it links to are not counted, ``html_autonome`` is also given: Leaflet and MarkerCluster
inlined). Run: ``.venv/bin/python benchmarks/carte.py [--repetitions 5]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import platform
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.plugins import MarkerCluster
from mesure import mediane

from ecosysteme.analyse.couverture import Parametres, couverture, filtre
from ecosysteme.cartes import (
    Mesure,
    bandes_distance,
    carte_couverture,
    html_autonome,
    nombre_sommets,
    simplifier,
)
from ecosysteme.cli import preparer_depot
from ecosysteme.depot import ouvrir_depot

DONNEES = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SIREN_MAUBEUGE = "200043396"
MESURE = Mesure("distance_m", "Acteur le plus proche")
BANDES = (300.0, 1000.0)
MIO = 1024 * 1024


@dataclass
class Charge:
    nom: str
    qpv: gpd.GeoDataFrame
    acteurs: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame


def charger(dossier: Path) -> tuple[Charge, Charge]:
    store = dossier / "hdf.gpkg"
    with contextlib.redirect_stdout(io.StringIO()):
        preparer_depot(store=store, miroir=str(DONNEES), region="32", auteur="banc-carte")
    with ouvrir_depot(store) as d:
        qpv, communes, epci = d.qpv(), d.communes(), d.epci()
        acteurs = d.acteurs_gdf(statut="actif")
        acteurs_epci = d.acteurs_gdf(siren_epci=SIREN_MAUBEUGE, statut="actif")
    table = couverture(qpv, acteurs, Parametres(filtres=(filtre("tous"),)))
    qpv = qpv.merge(table[["code_qp", "distance_m"]], on="code_qp", how="left")
    une = Charge(
        "CA Maubeuge Val de Sambre",
        qpv[qpv["siren_epci"] == SIREN_MAUBEUGE].reset_index(drop=True),
        acteurs_epci.reset_index(drop=True),
        communes[communes["siren_epci"] == SIREN_MAUBEUGE].reset_index(drop=True),
        epci[epci["siren_epci"] == SIREN_MAUBEUGE].reset_index(drop=True),
    )
    toutes = Charge("Hauts-de-France", qpv, acteurs, communes, epci)
    return une, toutes


def carte_naive(c: Charge) -> folium.Map:
    """What one writes with folium's defaults."""
    m = folium.Map(location=[50.3, 2.8], zoom_start=9)
    folium.GeoJson(c.communes[["code", "nom", "geometry"]], name="Communes").add_to(m)
    folium.GeoJson(c.epci[["siren_epci", "nom_epci", "geometry"]], name="EPCI").add_to(m)
    couleurs = {True: "#2c7bb6", False: "#d7191c"}
    folium.GeoJson(
        c.qpv[["code_qp", "lib_qp", "population", "distance_m", "geometry"]],
        name="QPV",
        style_function=lambda f: {"fillColor": couleurs[(f["properties"]["distance_m"] or 1e9) <= 1000]},
        tooltip=folium.GeoJsonTooltip(fields=["lib_qp", "code_qp", "population", "distance_m"]),
    ).add_to(m)
    grappe = MarkerCluster(name="Acteurs").add_to(m)
    for _, a in c.acteurs.iterrows():
        folium.Marker([a.geometry.y, a.geometry.x], tooltip=a["nom"]).add_to(grappe)
    folium.LayerControl().add_to(m)
    return m


def rendre(m: folium.Map) -> str:
    return m.get_root().render()


def mesurer(c: Charge, n: int) -> list[dict[str, Any]]:
    lignes = []

    def ecosysteme() -> folium.Map:
        return carte_couverture(
            c.qpv, MESURE, c.acteurs, communes=c.communes, epci=c.epci, bandes=BANDES, tuiles=False
        )

    t_constr, carte = mediane(ecosysteme, n)
    t_rendu, page = mediane(lambda: rendre(carte), n)

    # the app's path: simplified geometries and bands cached, only the assembly runs
    q15 = simplifier(c.qpv, 15.0)
    com75, epci75 = simplifier(c.communes, 75.0), simplifier(c.epci, 75.0)
    zones = bandes_distance(c.qpv, BANDES)

    def assemblage() -> str:
        m = carte_couverture(
            q15, MESURE, c.acteurs, communes=com75, epci=epci75, bandes=zones, simplification=None
        )
        return rendre(m)

    t_assemblage, _ = mediane(assemblage, n)
    autonome = html_autonome(carte)
    sommets = nombre_sommets(q15) + nombre_sommets(com75) + nombre_sommets(epci75) + nombre_sommets(zones)
    lignes.append(
        {
            "charge": c.nom,
            "carte": "ecosysteme",
            "qpv": len(c.qpv),
            "communes": len(c.communes),
            "epci": len(c.epci),
            "acteurs": len(c.acteurs),
            "sommets": sommets,
            "construction_s": t_constr,
            "rendu_s": t_rendu,
            "total_s": t_constr + t_rendu,
            "assemblage_s": t_assemblage,
            "octets": len(page.encode("utf-8")),
            "autonome_octets": len(autonome.encode("utf-8")),
            "cdn": sum(page.count(h) for h in ("cdn.jsdelivr", "cdnjs.cloudflare", "code.jquery")),
        }
    )
    t_naif_c, naive = mediane(lambda: carte_naive(c), n)
    t_naif_r, page_naive = mediane(lambda: rendre(naive), n)
    sommets_bruts = nombre_sommets(c.qpv) + nombre_sommets(c.communes) + nombre_sommets(c.epci)
    lignes.append(
        {
            "charge": c.nom,
            "carte": "folium naïf",
            "qpv": len(c.qpv),
            "communes": len(c.communes),
            "epci": len(c.epci),
            "acteurs": len(c.acteurs),
            "sommets": sommets_bruts,
            "construction_s": t_naif_c,
            "rendu_s": t_naif_r,
            "total_s": t_naif_c + t_naif_r,
            "assemblage_s": np.nan,
            "octets": len(page_naive.encode("utf-8")),
            "autonome_octets": np.nan,
            "cdn": sum(page_naive.count(h) for h in ("cdn.jsdelivr", "cdnjs.cloudflare", "code.jquery")),
        }
    )
    return lignes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repetitions", type=int, default=5)
    n = ap.parse_args().repetitions
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        charges = charger(Path(d))
        print(f"dépôt HdF construit et couverture calculée en {time.perf_counter() - t:.1f} s")
    lignes = []
    for c in charges:
        lignes += mesurer(c, n)
    df = pd.DataFrame(lignes)
    print(f"\nn = {n} (médianes) ; Python {platform.python_version()}, folium {folium.__version__}\n")
    print(
        "| charge | carte | QPV | communes | EPCI | acteurs | sommets | constr. s | rendu s | total s "
        "| assemblage s | Mio | Mio autonome | liens CDN |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in df.itertuples():
        assemblage = "—" if np.isnan(r.assemblage_s) else f"{r.assemblage_s:.2f}"
        autonome = "—" if np.isnan(r.autonome_octets) else f"{r.autonome_octets / MIO:.2f}"
        print(
            f"| {r.charge} | {r.carte} | {r.qpv} | {r.communes:,} | {r.epci} | {r.acteurs:,} | {r.sommets:,} "
            f"| {r.construction_s:.2f} | {r.rendu_s:.2f} | {r.total_s:.2f} | {assemblage} "
            f"| {r.octets / MIO:.2f} | {autonome} | {r.cdn} |"
        )
    print()
    for nom, g in df.groupby("charge", sort=False):
        eco, naif = g.iloc[0], g.iloc[1]
        print(
            f"{nom} : {naif.octets / eco.octets:.1f}× moins d'octets, "
            f"{naif.total_s / eco.total_s:.1f}× plus rapide (construction + rendu), "
            f"{naif.total_s / eco.assemblage_s:.1f}× avec les géométries en cache"
        )


if __name__ == "__main__":
    main()
