"""Benchmark: the dashboard's map page, server side and in a real browser.

In one process, on a Hauts-de-France store built from ../shared/data (`ecosysteme preparer
--miroir`):

1. payload: the bytes streamlit-folium sends to the browser for the map (script + HTML + header
   of the folium map, as `st_folium` extracts them), for one EPCI (CA Maubeuge Val de Sambre)
   and for the whole région;
2. server time of the page (`streamlit.testing.AppTest`, medians of N): first run (empty
   caches), a rerun with nothing changed, a filter change (a new map), and the same filter
   change with every Streamlit cache cleared first (the page without its caches: the baseline);
3. first map in a browser: from `streamlit run` to QPV polygons drawn in headless Chromium with
   no network (needs /usr/bin/chromium and playwright; skipped otherwise).

Run: ``.venv/bin/python benchmarks/tableau_de_bord.py [--repetitions 5]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

RACINE = Path(__file__).resolve().parents[1]
DONNEES = RACINE.parent / "shared" / "data"
MAUBEUGE = "200043396"
PAGE = str(RACINE / "pages" / "2_Carte.py")


def construire_depot(dossier: Path) -> Path:
    from ecosysteme.cli import app

    store = dossier / "store.gpkg"
    env = {"ECOSYSTEME_CACHE": str(dossier / "cache")}
    res = CliRunner().invoke(app, ["preparer", "--miroir", str(DONNEES), "--store", str(store)], env=env)
    if res.exit_code != 0:
        raise SystemExit(res.output)
    return store


def charge_utile(store: Path, siren: str | None, avec_communes: bool) -> tuple[int, int, int]:
    """Bytes of the map sent by st_folium (script, HTML, header), QPV and actors drawn; with or
    without the commune outlines (the app leaves them out for a whole région)."""
    import streamlit_folium

    from ecosysteme.analyse.couverture import Parametres, couverture
    from ecosysteme.analyse.resume import rattacher
    from ecosysteme.analyse.selection import Selection, filtrer
    from ecosysteme.cartes import Mesure, carte_couverture
    from ecosysteme.depot import ouvrir_depot

    with ouvrir_depot(store) as d:
        qpv, epci, communes = d.qpv(), d.epci(), d.communes()
        acteurs = rattacher(d.acteurs_gdf(), communes)
    vue = filtrer(qpv, epci, communes, acteurs, Selection("32", "59" if siren else None, siren))
    couv = couverture(vue.qpv, vue.acteurs, Parametres())
    q = vue.qpv.copy()
    q["valeur"] = q["code_qp"].map(couv[couv["filtre"] == "tous"].set_index("code_qp")["distance_m"])
    carte = carte_couverture(
        q,
        Mesure("valeur", "Tout acteur", "distance"),
        vue.acteurs,
        communes=vue.communes if avec_communes else None,
        epci=vue.epci,
    )
    carte.get_root().render()
    octets = (
        len(streamlit_folium._get_map_string(carte).encode())
        + len(streamlit_folium._get_html(carte).encode())
        + len(streamlit_folium._get_header(carte).encode())
    )
    return octets, len(vue.qpv), len(vue.acteurs)


def mediane(temps: list[float]) -> float:
    return statistics.median(temps)


def temps_serveur(n: int) -> dict[str, float]:
    """Medians (s) of the page's runs at regional scale (no EPCI chosen)."""
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(PAGE, default_timeout=300)
    t = time.perf_counter()
    at.run()
    premier = time.perf_counter() - t
    assert not at.exception, at.exception
    offres = ["service:Aide aux démarches administratives", "categorie:Médiathèque", "tous"]
    rien, change, sans_cache = [], [], []
    for k in range(n):
        t = time.perf_counter()
        at.run()
        rien.append(time.perf_counter() - t)
        at.selectbox(key="carte_offre").set_value(offres[k % 3])
        t = time.perf_counter()
        at.run()
        change.append(time.perf_counter() - t)
        assert not at.exception, at.exception
    for k in range(n):
        st.cache_data.clear()
        st.cache_resource.clear()
        at.selectbox(key="carte_offre").set_value(offres[k % 3])
        t = time.perf_counter()
        at.run()
        sans_cache.append(time.perf_counter() - t)
    return {
        "premier": premier,
        "rien": mediane(rien),
        "filtre": mediane(change),
        "sans_cache": mediane(sans_cache),
    }


def premiere_carte(store: Path, attente: float) -> tuple[float, float] | None:
    """(seconds from the server's start to its health answer, seconds from opening the map page
    to QPV drawn), the page opened ``attente`` seconds after the server answers."""
    sys.path.insert(0, str(RACINE / "tests"))
    from navigateur import CHROMIUM, page_hors_ligne, serveur_streamlit

    if not CHROMIUM.exists():
        return None
    t = time.perf_counter()
    with serveur_streamlit(store) as url, page_hors_ligne() as (page, _r, _d, _e):
        pret = time.perf_counter() - t
        page.goto(f"{url}/_stcore/health")
        time.sleep(attente)
        t = time.perf_counter()
        page.goto(f"{url}/Carte?epci={MAUBEUGE}")
        cadre = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
        cadre.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=120_000)
        return pret, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repetitions", type=int, default=5)
    n = ap.parse_args().repetitions
    with tempfile.TemporaryDirectory() as tmp:
        store = construire_depot(Path(tmp))
        os.environ["ECOSYSTEME_STORE"] = str(store)
        print("charge utile de la carte (ce que st_folium envoie au navigateur) :")
        cas = [
            ("CA Maubeuge Val de Sambre", MAUBEUGE, True, 1.0),
            ("Hauts-de-France (app)", None, False, 5.0),
            ("Hauts-de-France + communes", None, True, 5.0),
        ]
        for nom, siren, communes, plafond in cas:
            octets, nq, na = charge_utile(store, siren, communes)
            print(f"  {nom:28} {octets / 1e6:6.2f} Mo (objectif ≤ {plafond:g} Mo) — {nq} QPV, {na} acteurs")
        print(f"\ntemps serveur de la page Carte, région entière (médianes sur {n}, AppTest) :")
        t = temps_serveur(n)
        print(f"  premier affichage (caches vides)       {t['premier']:6.2f} s")
        print(f"  réexécution sans changement           {t['rien']:6.2f} s")
        print(f"  changement de filtre (carte refaite)  {t['filtre']:6.2f} s (objectif ≤ 0,3 s)")
        print(f"  même changement, caches vidés (réf.)  {t['sans_cache']:6.2f} s")
        print(f"  rapport référence / changement de filtre : × {t['sans_cache'] / t['filtre']:.1f}")
        for attente in (0.0, 10.0):
            d = premiere_carte(store, attente)
            if d is None:
                print("\npremière carte dans Chromium : ignoré (Chromium absent)")
                break
            print(
                f"\npremière carte dans Chromium (page ouverte {attente:g} s après le démarrage) : "
                f"serveur prêt en {d[0]:.1f} s, puis QPV dessinés {d[1]:.1f} s après l'ouverture"
            )


if __name__ == "__main__":
    main()
