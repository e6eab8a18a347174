"""Benchmark: the coverage engine (``ecosysteme.analyse.couverture.couverture``, DESIGN §4).

Two workloads, all 1,584 national QPV (metropolitan and overseas):
- (a) the real actors of the four national files of ../shared/data (about 26,500 accepted);
- (b) 80,000 synthetic actors (seeded): points around QPV and uniformly in each territory's
  extent (Polynésie left empty on purpose: the « no actor » case), random categories, services,
  publics, supports, programmes, fees, hours, 2 % closed and 2 % mobile actors with 2–3 stops.

For each workload, in one process, medians over N runs (hours cache cleared before every run,
so each run parses opening hours, as a fresh process would):
- ecosysteme, full metric set: every filter (44), counts inside / 300 m / 1,000 m, nearest
  distance, covered, opening-hours counts;
- ecosysteme restricted to the baseline's filters (apples-to-apples);
- baseline: the geopandas idiom on those filters, per territory CRS: ``sjoin`` (``intersects``,
  then ``dwithin`` 300 m and 1,000 m) for distinct-actor counts and hours, ``sjoin_nearest``
  (ties removed) for the nearest distance. Its table must equal ecosysteme's (counts exactly,
  distances within 1e-6 m).

Then a brute-force reference on 60 QPV (overseas included) × all filters: a plain Python loop
of ``shapely.distance(polygon, point)`` over every active place of the QPV's territory.

Run: ``.venv/bin/python benchmarks/couverture.py [--repetitions 5]``.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from ecosysteme.analyse import couverture as module_couverture
from ecosysteme.analyse.couverture import (
    Parametres,
    couverture,
    creneaux_horaires,
    filtre,
    tous_les_filtres,
)
from ecosysteme.domaine.modeles import Categorie
from ecosysteme.domaine.projection import (
    TERRITOIRES,
    crs_par_qpv,
    territoire_de_point,
    territoires_des_points,
    territoires_par_qpv,
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
#: The baseline's filters: any actor, 4 categories, 3 services.
FILTRES_BASE = (
    "tous",
    "categorie:Médiathèque",
    "categorie:France Services",
    "categorie:Conseiller numérique",
    "categorie:Centre social",
    "service:Aide aux démarches administratives",
    "service:Maîtrise des outils numériques du quotidien",
    "service:Accès internet et matériel informatique",
)
BANDES = (0.0, 300.0, 1000.0)
SEUIL = 1000.0
COMPTES = ["n_interieur", "n_300m", "n_1000m"]
CRENEAUX = ["n_ouvert_soir", "n_ouvert_samedi", "n_ouvert_dimanche", "n_horaires_inconnus"]
#: Actor field read by each filter family (written here independently of the engine).
CHAMPS = {
    "service": "services",
    "public": "publics_specifiquement_adresses",
    "prise_en_charge": "prise_en_charge_specifique",
    "programme": "dispositif_programmes_nationaux",
}
HORAIRES = [
    "Mo-Fr 09:00-12:00,13:30-17:30",
    "Mo-Fr 09:00-19:00",
    "Tu-Sa 10:00-18:00",
    "Mo,We,Fr 14:00-18:00; Sa 09:00-12:00",
    "We 10:00-12:00; Su 10:00-13:00",
    "Mo-Th 17:00-20:30",
    "24/7",
    None,
    None,
]


# --- data ---------------------------------------------------------------------------------------


def acteurs_reels() -> gpd.GeoDataFrame:
    """Accepted actors of the four national files (importers' checks), as a GeoDataFrame."""
    acteurs = []
    for fmt, nom in FICHIERS.items():
        acteurs += convertir_table(lire_table(DONNEES / nom), fmt, RapportImport(nom, fmt))
    df = pd.DataFrame([a.model_dump(mode="json") for a in acteurs])
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.longitude, df.latitude), crs=4326)


def acteurs_synthetiques(qpv: gpd.GeoDataFrame, n: int = 80_000, graine: int = 20261126) -> gpd.GeoDataFrame:
    """``n`` seeded synthetic actors: 75 % around QPV (σ 600 m or 3 km), 25 % uniform in each
    territory's extent (by its QPV count); Polynésie (987) gets none, on purpose."""
    rng = np.random.default_rng(graine)
    crs = crs_par_qpv(qpv)
    garder = (qpv["insee_dep"] != "987").to_numpy()
    centres = qpv.geometry.representative_point()[garder]
    cx, cy = centres.x.to_numpy(), centres.y.to_numpy()
    n_autour = int(n * 0.75)
    k = rng.integers(0, len(cx), n_autour)
    sigma = np.where(rng.random(n_autour) < 0.7, 600.0, 3000.0) / 111_000.0
    lat = cy[k] + rng.normal(0, 1, n_autour) * sigma
    lon = cx[k] + rng.normal(0, 1, n_autour) * sigma / np.cos(np.radians(cy[k]))
    groupes = [(e, g) for e, g in qpv[garder].groupby(crs[garder])]
    poids = np.array([len(g) for _, g in groupes], float)
    tirage = rng.multinomial(n - n_autour, poids / poids.sum())
    lons, lats = [lon], [lat]
    for (_, g), m in zip(groupes, tirage, strict=True):
        x0, y0, x1, y1 = g.total_bounds
        lons.append(rng.uniform(x0, x1, m))
        lats.append(rng.uniform(y0, y1, m))
    lon, lat = np.concatenate(lons), np.concatenate(lats)
    categories = [c.value for c in Categorie]
    services = list(tous_les_champs("service"))
    publics = list(tous_les_champs("public"))
    supports = list(tous_les_champs("prise_en_charge"))
    programmes = list(tous_les_champs("programme"))
    frais = [["Gratuit"], ["Payant"], ["Gratuit sous condition"], ["Gratuit", "Payant"], []]

    def sous_ensemble(valeurs: list[str], p: float) -> list[str]:
        return [v for v in valeurs if rng.random() < p]

    lignes = []
    for i in range(n):
        arrets = []
        if rng.random() < 0.02:  # mobile: 2–3 stops within ~5 km of its depot
            for s in range(int(rng.integers(2, 4))):
                arrets.append(
                    {
                        "nom": f"arrêt {s}",
                        "longitude": float(lon[i] + rng.normal(0, 0.04)),
                        "latitude": float(lat[i] + rng.normal(0, 0.03)),
                        "horaires": HORAIRES[int(rng.integers(len(HORAIRES)))],
                    }
                )
        lignes.append(
            {
                "id": f"S{i:06d}",
                "statut": str(rng.choice(["actif", "fermé", "en projet"], p=[0.95, 0.02, 0.03])),
                "categorie": categories[int(rng.integers(len(categories)))],
                "latitude": float(lat[i]),
                "longitude": float(lon[i]),
                "services": sous_ensemble(services, 0.3),
                "frais_a_charge": frais[int(rng.integers(len(frais)))],
                "publics_specifiquement_adresses": sous_ensemble(publics, 0.15),
                "prise_en_charge_specifique": sous_ensemble(supports, 0.1),
                "dispositif_programmes_nationaux": sous_ensemble(programmes, 0.08),
                "arrets": arrets,
                "horaires": HORAIRES[int(rng.integers(len(HORAIRES)))],
            }
        )
    df = pd.DataFrame(lignes)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.longitude, df.latitude), crs=4326)


def tous_les_champs(famille: str) -> tuple[str, ...]:
    return tuple(f.valeur for f in tous_les_filtres() if f.famille == famille and f.valeur)


# --- shared by baseline and brute force: who matches what, where the places are -------------------


def _contient(colonne: pd.Series, valeur: str) -> np.ndarray:
    """Whether each list of ``colonne`` holds ``valeur`` (non-lists hold nothing)."""
    listes = colonne.map(lambda v: list(v) if isinstance(v, list | tuple | np.ndarray) else [])
    dedans = listes.explode().eq(valeur).groupby(level=0).any()
    return dedans.reindex(colonne.index, fill_value=False).to_numpy()


def masque(actifs: pd.DataFrame, cle: str) -> np.ndarray:
    """Which actors match a filter key (written independently of the engine)."""
    if cle == "tous":
        return np.ones(len(actifs), dtype=bool)
    if cle == "gratuit":
        return _contient(actifs["frais_a_charge"], "Gratuit")
    famille, valeur = cle.split(":", 1)
    if famille == "categorie":
        return (actifs["categorie"].astype(str) == valeur).to_numpy()
    return _contient(actifs[CHAMPS[famille]], valeur)


def creneaux_lieu(horaires: object) -> tuple[bool, bool, bool, bool]:
    """(evening, Saturday, Sunday, unknown) of one place's hours (unknown when unreadable)."""
    c = creneaux_horaires(horaires if isinstance(horaires, str) else None)
    return (False, False, False, True) if c is None else (c[0], c[1], c[2], False)


def table_acteurs(acteurs: pd.DataFrame, cles: tuple[str, ...]) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    """Active actors (closed dropped) with one boolean column per filter, and their places: the
    actor's point, or each stop of a mobile actor (``acteur`` = row number), each place with its
    hours flags (a stop: its own hours, else the actor's)."""
    actifs = acteurs[acteurs["statut"].astype(str) == "actif"].reset_index(drop=True)
    attrs = pd.DataFrame({cle: masque(actifs, cle) for cle in cles})
    lon: list[float] = []
    lat: list[float] = []
    rang: list[int] = []
    drapeaux: list[tuple[bool, bool, bool, bool]] = []
    colonnes = zip(actifs["longitude"], actifs["latitude"], actifs["arrets"], actifs["horaires"], strict=True)
    for i, (x0, y0, arrets, h) in enumerate(colonnes):
        stops = arrets if isinstance(arrets, list) else []
        for x, y, hh in [(s["longitude"], s["latitude"], s.get("horaires") or h) for s in stops] or [
            (x0, y0, h)
        ]:
            if x is not None and y is not None and not (math.isnan(x) or math.isnan(y)):
                lon.append(x)
                lat.append(y)
                rang.append(i)
                drapeaux.append(creneaux_lieu(hh))
    lieux = gpd.GeoDataFrame({"acteur": rang}, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    lieux[CRENEAUX] = np.array(drapeaux, dtype=bool).reshape(-1, len(CRENEAUX))
    return attrs, lieux


# --- baseline: the geopandas idiom ----------------------------------------------------------------


def reference_geopandas(qpv: gpd.GeoDataFrame, acteurs: pd.DataFrame, cles: tuple[str, ...]) -> pd.DataFrame:
    """Same metric set as the engine on ``cles``, with ``sjoin`` / ``sjoin_nearest`` per territory."""
    attrs, lieux = table_acteurs(acteurs, cles)
    return jointures(qpv, attrs, lieux, cles)


def jointures(
    qpv: gpd.GeoDataFrame, attrs: pd.DataFrame, lieux: gpd.GeoDataFrame, cles: tuple[str, ...]
) -> pd.DataFrame:
    """The spatial part of the baseline, on prepared actor attributes and places."""
    terr = pd.Series([t.nom for t in territoires_par_qpv(qpv)], index=qpv.index)
    par_nom = {t.nom: t for t in territoires_par_qpv(qpv)}
    lieux_terr = territoires_des_points(lieux.geometry.x.to_numpy(), lieux.geometry.y.to_numpy())
    morceaux = []
    for nom, groupe in qpv[["code_qp", "geometry"]].groupby(terr):
        t = par_nom[nom]
        epsg = t.epsg
        poly = groupe.to_crs(epsg).reset_index(drop=True)
        pts = lieux[lieux_terr == TERRITOIRES.index(t)].to_crs(epsg)
        res = pd.DataFrame({"code_qp": np.repeat(poly["code_qp"].to_numpy(), len(cles))})
        res["filtre"] = np.tile(np.array(cles, dtype=object), len(poly))
        for r, col in zip(BANDES, COMPTES, strict=True):
            kw = {"predicate": "intersects"} if r == 0 else {"predicate": "dwithin", "distance": r}
            jl = gpd.sjoin(poly, pts, how="inner", **kw)[["code_qp", "acteur", *CRENEAUX]]
            # one row per (QPV, actor), hours from its places within the band: open in a slot when
            # one of them is, unknown when none of them has known hours
            agreger = {c: "any" for c in CRENEAUX[:3]} | {CRENEAUX[3]: "all"}
            j = jl.groupby(["code_qp", "acteur"], as_index=False).agg(agreger)
            j = j.join(attrs, on="acteur")
            n = j.groupby("code_qp")[list(cles)].sum()
            res[col] = _deplier(n, res).astype(np.int64)
            if r == SEUIL:
                for c in CRENEAUX:
                    h = j[list(cles)].mul(j[c], axis=0).groupby(j["code_qp"]).sum()
                    res[c] = _deplier(h, res).astype(np.int64)
        dist = pd.DataFrame(index=poly["code_qp"], columns=list(cles), dtype=float)
        for cle in cles:
            p = pts[attrs[cle].to_numpy()[pts["acteur"].to_numpy()]]
            if len(p):
                j = gpd.sjoin_nearest(poly, p[["geometry"]], distance_col="distance_m")
                j = j[~j.index.duplicated()]  # ties: one row per tied point
                dist[cle] = j.set_index("code_qp")["distance_m"]
        res["distance_m"] = _deplier(dist, res, vide=np.nan)
        morceaux.append(res)
    out = pd.concat(morceaux, ignore_index=True)
    out["couvert"] = out["distance_m"] <= SEUIL
    return out


def _deplier(large: pd.DataFrame, res: pd.DataFrame, vide: float = 0) -> np.ndarray:
    """Wide (code_qp × filter) values as a column aligned on ``res`` rows."""
    empile = large.stack(future_stack=True)
    idx = pd.MultiIndex.from_arrays([res["code_qp"], res["filtre"]])
    return empile.reindex(idx).fillna(vide).to_numpy()


# --- brute force ----------------------------------------------------------------------------------


def force_brute(
    qpv: gpd.GeoDataFrame, acteurs: pd.DataFrame, codes: list[str], cles: tuple[str, ...]
) -> pd.DataFrame:
    """Plain loop: for each QPV, ``shapely.distance`` to every active place of its territory
    (fixed boxes of ``projection.TERRITOIRES``, tested point by point here); each actor once
    (its nearest place)."""
    attrs, lieux = table_acteurs(acteurs, cles)
    masques = attrs[list(cles)].to_numpy()
    flags = lieux[CRENEAUX].to_numpy()
    terr = territoires_par_qpv(qpv)
    lon, lat = lieux.geometry.x.to_numpy(), lieux.geometry.y.to_numpy()
    rangs = lieux["acteur"].to_numpy()
    territoires: dict[str, list[tuple[shapely.Point, int, int]]] = {}
    lignes = []
    for code in codes:
        i = int(np.flatnonzero(qpv["code_qp"].to_numpy() == code)[0])
        t = terr[i]
        epsg = t.epsg
        tr = Transformer.from_crs(4326, epsg, always_xy=True)
        if t.nom not in territoires:
            sel = [k for k in range(len(lon)) if territoire_de_point(float(lon[k]), float(lat[k])) == t]
            px, py = tr.transform(lon[sel], lat[sel])
            territoires[t.nom] = [
                (shapely.Point(x, y), int(rangs[k]), k) for x, y, k in zip(px, py, sel, strict=True)
            ]
        poly = shapely.transform(qpv.geometry.iloc[i], lambda xy, t=tr: np.column_stack(t.transform(*xy.T)))
        meilleur = np.full(len(attrs), np.inf)
        # hours of each actor from its places within the threshold (a stop elsewhere does not count)
        ouverts = np.zeros((len(attrs), 3), dtype=bool)
        connus = np.zeros(len(attrs), dtype=bool)
        for point, a, k in territoires[t.nom]:
            d = shapely.distance(poly, point)
            if d < meilleur[a]:
                meilleur[a] = d
            if d <= SEUIL:
                ouverts[a] |= flags[k, :3]
                connus[a] |= not flags[k, 3]
        drapeaux = np.column_stack([ouverts, ~connus])
        for j, cle in enumerate(cles):
            d = meilleur[masques[:, j]]
            proches = masques[:, j] & (meilleur <= SEUIL)
            lignes.append(
                {"code_qp": code, "filtre": cle}
                | {col: int((d <= r).sum()) for r, col in zip(BANDES, COMPTES, strict=True)}
                | {"distance_m": float(d.min()) if np.isfinite(d).any() else np.nan}
                | {c: int(drapeaux[proches, k].sum()) for k, c in enumerate(CRENEAUX)}
            )
    out = pd.DataFrame(lignes)
    out["couvert"] = out["distance_m"] <= SEUIL
    return out


# --- comparison and timing ------------------------------------------------------------------------


def comparer(attendu: pd.DataFrame, obtenu: pd.DataFrame, quoi: str) -> int:
    """Assert equal tables on (code_qp, filtre): counts exactly, distances within 1e-6 m, NaN
    on both sides together. Returns the number of compared cells."""
    m = attendu.merge(obtenu, on=["code_qp", "filtre"], how="left", suffixes=("", "_e"), indicator=True)
    assert (m["_merge"] == "both").all(), f"{quoi}: lignes absentes du moteur"
    ecarts = []
    for c in [*COMPTES, *CRENEAUX, "couvert"]:
        faux = m[c].to_numpy() != m[f"{c}_e"].to_numpy()
        ecarts += [(c, r) for r in m.loc[faux, ["code_qp", "filtre", c, f"{c}_e"]].to_numpy().tolist()]
    a, b = m["distance_m"].to_numpy(float), m["distance_m_e"].to_numpy(float)
    faux = (np.isnan(a) != np.isnan(b)) | (np.abs(np.nan_to_num(a - b)) > 1e-6)
    ecarts += [
        ("distance_m", r) for r in m.loc[faux, ["code_qp", "filtre", "distance_m", "distance_m_e"]].to_numpy()
    ]
    assert not ecarts, f"{quoi}: {len(ecarts)} écarts, par exemple {ecarts[:5]}"
    cellules = len(m) * (len(COMPTES) + len(CRENEAUX) + 2)
    print(f"  {quoi} : identique ({len(m)} lignes, {cellules} cellules comparées)")
    return cellules


def vider_caches() -> None:
    """Clear every cache of the engine's module (hours parsing, projected polygons)."""
    for objet in vars(module_couverture).values():
        if callable(getattr(objet, "cache_clear", None)):
            objet.cache_clear()
    module_couverture._PROJECTIONS.clear()


def chrono(f: Callable[[], object], n: int, froid: bool = True) -> tuple[float, object]:
    """Median time of ``n`` runs; ``froid``: caches cleared before each (as a fresh process)."""
    temps = []
    res: object = None
    for _ in range(n):
        if froid:
            vider_caches()
        t = time.perf_counter()
        res = f()
        temps.append(time.perf_counter() - t)
    return statistics.median(temps), res


def echantillon(qpv: gpd.GeoDataFrame, graine: int = 7) -> list[str]:
    """60 QPV: 40 metropolitan, 3 per overseas département (971–976), 3 Saint-Martin, 2 Polynésie."""
    rng = np.random.default_rng(graine)
    codes: list[str] = []
    for deps, k in [
        (None, 40),
        (["971"], 3),
        (["972"], 3),
        (["973"], 3),
        (["974"], 3),
        (["976"], 3),
        (["978"], 3),
        (["987"], 2),
    ]:
        dep = qpv["insee_dep"]
        sel = qpv[~dep.str.startswith(("97", "98"))] if deps is None else qpv[dep.isin(deps)]
        codes += list(rng.choice(sel["code_qp"].to_numpy(), size=min(k, len(sel)), replace=False))
    return codes


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
    qpv = gpd.read_file(DONNEES / "qpv2024_france.geojson")
    t = time.perf_counter()
    reels = acteurs_reels()
    print(f"acteurs réels : {len(reels)} ({time.perf_counter() - t:.1f} s d'import vérifié, non chronométré)")
    synth = acteurs_synthetiques(qpv)
    fermes, mobiles = int((synth["statut"] == "fermé").sum()), int((synth["arrets"].str.len() > 0).sum())
    print(f"acteurs synthétiques : {len(synth)} dont {fermes} fermés, {mobiles} mobiles")
    tous = Parametres()
    reduit = Parametres(filtres=tuple(filtre(c) for c in FILTRES_BASE))
    lignes = []
    cellules = 0
    for nom, acteurs in [("(a) réels", reels), ("(b) synthétiques", synth)]:
        print(f"\n{nom} — {len(qpv)} QPV × {len(acteurs)} acteurs, n={n}")
        t_tous, complet = chrono(lambda a=acteurs: couverture(qpv, a, tous), n)
        t_chaud, _ = chrono(lambda a=acteurs: couverture(qpv, a, tous), n, froid=False)
        t_reduit, moteur = chrono(lambda a=acteurs: couverture(qpv, a, reduit), n)
        t_base, base = chrono(lambda a=acteurs: reference_geopandas(qpv, a, FILTRES_BASE), n)
        attrs, lieux = table_acteurs(acteurs, FILTRES_BASE)
        t_joint, _ = chrono(lambda t=attrs, li=lieux: jointures(qpv, t, li, FILTRES_BASE), n)
        cellules += comparer(base, moteur, "référence geopandas = moteur (8 filtres)")
        sous = complet[complet["filtre"].isin(FILTRES_BASE)]
        cellules += comparer(base, sous, "référence geopandas = moteur complet (mêmes 8 filtres)")
        codes = echantillon(qpv)
        t = time.perf_counter()
        brute = force_brute(qpv, acteurs, codes, tuple(f.cle for f in tous.filtres))
        t_brute = time.perf_counter() - t
        cellules += comparer(brute, complet, f"force brute = moteur ({len(codes)} QPV × 44 filtres)")
        nan = int(brute["distance_m"].isna().sum())
        loin = int((brute["distance_m"] > SEUIL).sum())
        print(f"  dont {nan} distances « aucun » (NaN) et {loin} au-delà de {SEUIL:g} m")
        lignes.append((nom, len(acteurs), t_tous, t_chaud, t_reduit, t_base, t_joint, t_brute))
    print(f"\ntotal : {cellules} cellules comparées, toutes identiques\n")
    print(
        "médianes en secondes ; froid = caches vidés avant chaque passage (horaires relus), chaud = "
        "caches gardés ; jointures = référence sans la préparation des acteurs (filtres, horaires, lieux)"
    )
    print(
        f"{'charge':17} {'acteurs':>7} {'moteur 44 f.':>12} {'(chaud)':>8} {'moteur 8 f.':>11} "
        f"{'geopandas 8 f.':>14} {'(jointures)':>11} {'× 8 f.':>7} {'× jointures':>11} {'× 44 f.':>8} "
        f"{'brute 60 QPV':>12}"
    )
    for nom, na, tt, tc, tr, tb, tj, tf in lignes:
        print(
            f"{nom:17} {na:7d} {tt:12.2f} {tc:8.2f} {tr:11.2f} {tb:14.2f} {tj:11.2f} {tb / tr:7.1f} "
            f"{tj / tr:11.1f} {tb / tt:8.1f} {tf:12.1f}"
        )
    empreinte = hashlib.sha256(Path(module_couverture.__file__).read_bytes()).hexdigest()[:12]
    print(f"\nmachine : {machine()} ; moteur : coverage.py sha256 {empreinte}")


if __name__ == "__main__":
    main()
