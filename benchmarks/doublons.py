"""Benchmark and evaluation: the duplicate finder (``ecosysteme.inventaire.doublons``, DESIGN §5).

Speed, in one process, medians over N runs:
- ``candidats()`` on the accepted actors of the four national files of ../shared/data (about
  26,500: conseillers numériques, data·inclusion, France Services, public libraries), « froid »
  (the module's normalisation caches emptied before each run, as a fresh process) and « chaud »;
- the same on a subset (the Hauts-de-France actors, by postcode) against two baselines:
  (1) the geopandas idiom: per territory ``to_crs`` + ``sjoin(predicate="dwithin")`` for the
  pairs within 100 m, a pandas self-merge on the normalised address, then RapidFuzz and the score
  row by row (``iterrows``); its pairs must be among the module's;
  (2) no blocking at all: every pair of the subset through the module's own scoring (a Python
  loop), which also measures what the blocking misses.

Precision, measured by hand (``tests/donnees/doublons_verifies.csv``): ``candidats()`` on the
union of the conseillers numériques file (4,908 accepted places) and the data·inclusion file
(3,372) proposes 3,734 pairs at the default threshold (70), 3,098 of them across the two files;
2,809 of these are exact copies (data·inclusion re-publishes 2,540 conseillers numériques places
with the same identifier, name, address and point) and 289 are not. Two samples were drawn
(seed 20261126) and every pair was read by hand (names, addresses, points, phones, e-mails,
SIRET, categories):
- 50 pairs at random among the 3,098: 47 yes, 2 no, 1 uncertain: precision 47 / 49 = 95.9 %;
- 50 more at random among the 282 remaining non-copies: 46 yes, 1 no, 3 uncertain: 97.9 %;
- all 100: 93 / 96 = 96.9 %; weighted by stratum (copies 43 / 43 yes; non-copies 50 / 53 = 94.3 %),
  the estimated precision over the 3,098 proposals is about 99.5 %.
The three « no »: a town hall and its annex 430 m apart with the annex given the town hall's
address; a building holding a science centre and a médiathèque (two offers, 19 m); an association
whose Bernay site carries the address of its head office 39 km away (same address, « whatever the
distance »). The four « uncertain »: two services of one association in one building, a town hall
and its CCAS at one point, a département's reading service at its head office address with points
11 km apart, a commune and its reading service at the town hall.

Recall, crudely: every cross-source pair whose names normalise identically within 50 m (2,935,
found independently with geopandas) is proposed, and so are the 2,540 re-published places.

Measured on 26/11/2026 (n = 5, medians; AMD EPYC, 2 shared cores under load from other jobs,
Python 3.11.7; ±30 % noise):
- national, 26,471 actors: ``candidats()`` 2.5 s froid (1.9–3.5 s over four runs of the day), 0.97 s
  chaud (0.76–2.05 s); 4,729 pairs proposed, 3,112 groups. Most of the cold time is normalising 26,000
  names, addresses and communes (accents folded by ``domaine.texte.plier``), kept in caches
  for the next calls. Geopandas baseline 7.8 s: × 3.1 cold, × 8.0 warm.
- Hauts-de-France, 2,083 actors: ``candidats(seuil=0)`` 0.30 s, geopandas baseline 0.75 s (× 2.5);
  each of the baseline's 702 pairs is among the module's 704. Without blocking: 2,168,403 pairs
  scored in 66 s (× 225); 468 pairs proposed, 467 of them found with blocking: the one missed is
  a library and a conseiller numérique place on the same street 139 m apart, one address without
  a number (blocking recall 99.8 % there).

Run: ``.venv/bin/python benchmarks/doublons.py [--repetitions 5]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from rapidfuzz import fuzz

from ecosysteme.domaine.projection import TERRITOIRES, territoires_des_points
from ecosysteme.inventaire import doublons, doublons_cles, doublons_paires
from ecosysteme.inventaire.doublons import (
    SEUIL_PROPOSITION,
    candidats,
    normaliser_adresse,
    normaliser_nom,
    score,
)
from ecosysteme.sources.importeurs.acteurs import convertir_table
from ecosysteme.sources.importeurs.base import RapportImport
from ecosysteme.sources.lecture import lire_table

DONNEES = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FICHIERS = {
    "conseillers-numeriques": "lieux_conseillers_numeriques_2022-06_france.csv",
    "data-inclusion": "data_inclusion_structures_2022-07_france.csv",
    "france-services": "france_services_2022-12-01_france.csv",
    "bibliotheques": "bibliotheques_publiques_france.csv",
}
DEPARTEMENTS_HDF = ("02", "59", "60", "62", "80")
DISTANCE = 100.0


def acteurs_reels() -> pd.DataFrame:
    """Accepted actors of the four national files (importers' checks), one frame."""
    morceaux = []
    for fmt, nom in FICHIERS.items():
        lus = convertir_table(lire_table(DONNEES / nom), fmt, RapportImport(nom, fmt))
        morceaux.append(pd.DataFrame([a.model_dump(mode="json") for a in lus]).assign(provenance_format=fmt))
    return pd.concat(morceaux, ignore_index=True)


def vider_caches() -> None:
    for f in (
        doublons_cles._plier,
        doublons_cles.normaliser_nom,
        doublons_cles._voie,
        doublons_cles._commune,
        doublons_cles._nom,
        doublons_cles._adresse,
    ):
        f.cache_clear()


def chrono(f: Callable[[], object], n: int, froid: bool = True) -> tuple[float, object]:
    """Median time of ``n`` runs; ``froid``: the module's caches emptied before each run."""
    temps = []
    res: object = None
    for _ in range(n):
        if froid:
            vider_caches()
        t = time.perf_counter()
        res = f()
        temps.append(time.perf_counter() - t)
    return statistics.median(temps), res


# --- baseline 1: the geopandas idiom, scored row by row -------------------------------------


def reference_geopandas(acteurs: pd.DataFrame) -> pd.DataFrame:
    """Pairs within 100 m (``sjoin`` ``dwithin`` per territory CRS) or at the same normalised
    address, each scored row by row (RapidFuzz on normalised names, the module's ``score``)."""
    gdf = gpd.GeoDataFrame(
        acteurs[["id", "nom", "adresse", "code_postal", "commune", "categorie"]].reset_index(drop=True),
        geometry=gpd.points_from_xy(acteurs["longitude"], acteurs["latitude"]),
        crs=4326,
    )
    gdf["territoire"] = territoires_des_points(gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy())
    morceaux = []
    for k, g in gdf[gdf["territoire"] >= 0].groupby("territoire"):
        gm = g.to_crs(TERRITOIRES[int(k)].epsg)
        j = gm.sjoin(gm, predicate="dwithin", distance=DISTANCE)
        j = j[j["id_left"] < j["id_right"]]
        autre = gm.geometry.loc[j["index_right"]].to_numpy()
        j = j.assign(distance_m=j.geometry.distance(gpd.GeoSeries(autre, index=j.index, crs=gm.crs)))
        morceaux.append(
            pd.DataFrame({"id_a": j["id_left"], "id_b": j["id_right"], "distance_m": j["distance_m"]})
        )
    spatiales = pd.concat(morceaux, ignore_index=True)
    cles = gdf.assign(
        cle=[
            normaliser_adresse(a, None, c) if isinstance(a, str) and isinstance(c, str) else ""
            for a, c in zip(gdf["adresse"], gdf["commune"], strict=True)
        ]
    )
    cles = cles[cles["cle"] != ""][["id", "cle"]]
    memes = cles.merge(cles, on="cle")
    memes = memes[memes["id_x"] < memes["id_y"]].rename(columns={"id_x": "id_a", "id_y": "id_b"})[
        ["id_a", "id_b"]
    ]
    paires = pd.concat([spatiales, memes.assign(distance_m=np.nan)]).drop_duplicates(["id_a", "id_b"])
    info = gdf.set_index("id")
    lignes = []
    for _, r in paires.iterrows():
        a, b = info.loc[r["id_a"]], info.loc[r["id_b"]]
        sim = fuzz.token_set_ratio(normaliser_nom(a["nom"]), normaliser_nom(b["nom"]))
        cle_a = normaliser_adresse(a["adresse"], None, a["commune"])
        meme = bool(cle_a) and cle_a == normaliser_adresse(b["adresse"], None, b["commune"])
        d = r["distance_m"]
        loc = 100.0 if meme else max(0.0, 100.0 * (DISTANCE - d) / (DISTANCE - 20.0)) if d == d else 0.0
        typ = 100.0 if a["categorie"] == b["categorie"] else 50.0
        lignes.append((r["id_a"], r["id_b"], score(sim, min(loc, 100.0), typ)))
    return pd.DataFrame(lignes, columns=["id_a", "id_b", "score"])


# --- baseline 2: no blocking ---------------------------------------------------------------


def toutes_les_paires(acteurs: pd.DataFrame) -> pd.DataFrame:
    """Every pair of rows through the module's own scoring: what blocking would find at best."""
    p = doublons_paires._preparer(acteurs)
    i, j = (np.array(x, dtype=np.int64) for x in zip(*combinations(range(len(acteurs)), 2), strict=True))
    cadre = doublons._evaluer(p, i, j, DISTANCE)
    return doublons._finir(p, cadre, (), SEUIL_PROPOSITION)


def machine() -> str:
    modele = "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for ligne in cpuinfo.read_text().splitlines():
            if ligne.startswith("model name"):
                modele = ligne.split(":", 1)[1].strip()
                break
    return f"{modele}, {os.cpu_count()} cœurs, Python {platform.python_version()}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repetitions", type=int, default=5)
    n = ap.parse_args().repetitions
    t = time.perf_counter()
    tous = acteurs_reels()
    print(f"acteurs : {len(tous)} ({time.perf_counter() - t:.1f} s d'import vérifié, non chronométré)")

    froid, res = chrono(lambda: candidats(tous), n)
    chaud, _ = chrono(lambda: candidats(tous), n, froid=False)
    assert isinstance(res, pd.DataFrame)
    print(f"\nnational, candidats() : froid {froid:.2f} s, chaud {chaud:.2f} s (médianes, n={n})")
    nb_groupes = len(doublons.groupes(res, SEUIL_PROPOSITION))
    print(f"  {len(res)} paires proposées (score ≥ {SEUIL_PROPOSITION:g}), {nb_groupes} groupes")
    t_ref, ref = chrono(lambda: reference_geopandas(tous), max(1, n // 2))
    assert isinstance(ref, pd.DataFrame)
    print(
        f"  référence geopandas (ligne à ligne) : {t_ref:.2f} s, "
        f"× {t_ref / froid:.1f} (froid), × {t_ref / chaud:.1f} (chaud)"
    )

    hdf = tous[tous["code_postal"].fillna("").str[:2].isin(DEPARTEMENTS_HDF)].reset_index(drop=True)
    t_mod, sous = chrono(lambda: candidats(hdf, seuil=0), n)
    t_ref_hdf, ref_hdf = chrono(lambda: reference_geopandas(hdf), n)
    assert isinstance(sous, pd.DataFrame) and isinstance(ref_hdf, pd.DataFrame)
    manquent = set(zip(ref_hdf["id_a"], ref_hdf["id_b"], strict=True)) - set(
        zip(sous["id_a"], sous["id_b"], strict=True)
    )
    print(
        f"\nHauts-de-France ({len(hdf)} acteurs) : candidats(seuil=0) {t_mod:.3f} s ; "
        f"référence geopandas {t_ref_hdf:.2f} s ; × {t_ref_hdf / t_mod:.1f}"
    )
    print(
        f"  paires examinées : module {len(sous)}, référence {len(ref_hdf)}, "
        f"de la référence absentes du module : {len(manquent)}"
    )
    t = time.perf_counter()
    brute = toutes_les_paires(hdf)
    t_brute = time.perf_counter() - t
    bloquees = sous[sous["score"] >= SEUIL_PROPOSITION]
    cles_b = set(zip(brute["id_a"], brute["id_b"], strict=True))
    cles_m = set(zip(bloquees["id_a"], bloquees["id_b"], strict=True))
    print(
        f"  sans blocage : {len(hdf) * (len(hdf) - 1) // 2} paires en {t_brute:.1f} s "
        f"(× {t_brute / t_mod:.0f}) ; "
        f"proposées {len(cles_b)}, dont manquées par le blocage {len(cles_b - cles_m)}, "
        f"en plus avec le blocage {len(cles_m - cles_b)}"
    )
    for a, b in sorted(cles_b - cles_m)[:10]:
        print(f"    manquée : {a} / {b} ({brute.set_index(['id_a', 'id_b']).loc[(a, b), 'raisons']})")
    print(f"\nmachine : {machine()}")


if __name__ == "__main__":
    main()
