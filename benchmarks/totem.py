"""Benchmark: the lieu totem (``ecosysteme.analyse.totem.implanter``) beside spopt's ``MCLP``.

Instances (real QPV polygons and populations of ../shared/data, seeded synthetic candidates):
- an EPCI: 50 QPV (Nord, by code) × 5,000 candidates;
- a region: 400 metropolitan QPV × 5,000 candidates;
candidates are points drawn around the QPV (within 3 km of a random QPV's centre, seeded); no
existing offer; radius 1,000 m; p = 1, 3, 10.

In one process, for each instance and p, medians over N runs, end to end from the same
EPSG:4326 inputs:
- ecosysteme: ``implanter`` (coverage matrix by exact polygon distances, reduction, HiGHS);
- spopt 0.7: the dense QPV × candidate cost matrix of exact polygon distances (shapely, in
  Lambert-93, not centroids), ``MCLP.from_cost_matrix`` then ``solve(pulp.HiGHS())``.
The covered residents must be equal (both exact). Needs the ``bench`` extra (spopt):
``.venv/bin/pip install -c constraints.txt -e ".[bench]"``, then
``.venv/bin/python benchmarks/totem.py [N]``.
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from ecosysteme.analyse.totem import candidats_points, implanter

DONNEES = Path(__file__).resolve().parents[2] / "shared" / "data"
RAYON = 1000.0
SITES = (1, 3, 10)
N_CANDIDATS = 5000


def charger_qpv() -> gpd.GeoDataFrame:
    q = gpd.read_file(DONNEES / "qpv2024_france.geojson", engine="pyogrio")
    q = q[q["insee_reg"].notna() & ~q["insee_dep"].astype(str).str.startswith("97")]
    q = q.rename(columns={"pop_muni_qpv": "population"})
    q["population"] = pd.to_numeric(q["population"], errors="coerce").astype("Int64")
    return q.sort_values("code_qp").reset_index(drop=True)[
        ["code_qp", "lib_qp", "insee_dep", "population", "geometry"]
    ]


def candidats_autour(qpv: gpd.GeoDataFrame, n: int, graine: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(graine)
    centres = qpv.to_crs(2154).geometry.representative_point()
    k = rng.integers(0, len(qpv), n)
    ang = rng.uniform(0, 2 * np.pi, n)
    r = 3000 * np.sqrt(rng.uniform(0, 1, n))
    x = centres.x.to_numpy()[k] + r * np.cos(ang)
    y = centres.y.to_numpy()[k] + r * np.sin(ang)
    lon, lat = Transformer.from_crs(2154, 4326, always_xy=True).transform(x, y)
    return candidats_points(
        pd.DataFrame({"id": [f"c{i:05d}" for i in range(n)], "longitude": lon, "latitude": lat})
    )


AUCUN = pd.DataFrame({"id": [], "statut": [], "longitude": [], "latitude": []})


def ecosysteme(qpv: gpd.GeoDataFrame, cands: gpd.GeoDataFrame, p: int) -> tuple[int, dict[str, int]]:
    r = implanter(qpv, cands, AUCUN, rayon=RAYON, sites=p)
    assert r.statut == "optimal", r.statut
    return r.objectif, r.taille


def spopt_mclp(qpv: gpd.GeoDataFrame, cands: gpd.GeoDataFrame, p: int) -> int:
    import pulp
    from spopt.locate import MCLP

    tr = Transformer.from_crs(4326, 2154, always_xy=True)
    polys = shapely.transform(
        qpv.geometry.to_numpy(), lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
    )
    px, py = tr.transform(cands.geometry.x.to_numpy(), cands.geometry.y.to_numpy())
    pts = shapely.points(px, py)
    couts = shapely.distance(polys[:, None], pts[None, :])  # exact polygon distances, dense
    poids = qpv["population"].fillna(0).to_numpy(dtype=float)
    m = MCLP.from_cost_matrix(couts, poids, RAYON, p_facilities=p)
    m.solve(pulp.HiGHS(msg=False))
    couverts = np.zeros(len(qpv), dtype=bool)
    for clients in m.fac2cli:
        if len(clients):
            couverts[np.asarray(clients, dtype=int)] = True
    return int(round(float(poids[couverts].sum())))


def mesurer(f, *args: object, n: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    temps = []
    res: object = None
    for _ in range(n):
        t = time.perf_counter()
        res = f(*args)
        temps.append(time.perf_counter() - t)
    return statistics.median(temps), res


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    warnings.simplefilter("ignore")
    tous = charger_qpv()
    instances = {
        "EPCI (50 QPV × 5 000)": tous[tous["insee_dep"] == "59"].head(50).reset_index(drop=True),
        "région (400 QPV × 5 000)": tous.sample(400, random_state=7)
        .sort_values("code_qp")
        .reset_index(drop=True),
    }
    print(f"médianes sur {n} exécutions ; rayon {RAYON:g} m ; pas d'offre existante")
    print(
        f"{'instance':26} {'p':>3} {'habitants':>10} {'ecosysteme':>11} {'spopt':>9} {'ratio':>7}"
        "  modèle réduit"
    )
    for nom, qpv in instances.items():
        cands = candidats_autour(qpv, N_CANDIDATS, graine=len(qpv))
        for p in SITES:
            t_eco, (obj_eco, taille) = mesurer(ecosysteme, qpv, cands, p, n=n)  # type: ignore[misc]
            t_sp, obj_sp = mesurer(spopt_mclp, qpv, cands, p, n=n)
            assert obj_eco == obj_sp, (nom, p, obj_eco, obj_sp)
            print(
                f"{nom:26} {p:>3} {obj_eco:>10,} {t_eco * 1000:>9.0f}ms {t_sp:>8.2f}s {t_sp / t_eco:>6.0f}×  "
                f"{taille['qpv']} QPV × {taille['candidats']} candidats, {taille['non_zeros']} non-zéros"
            )


if __name__ == "__main__":
    main()
