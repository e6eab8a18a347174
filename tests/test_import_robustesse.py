"""Imports that die or run side by side: the store is never half-written, no row is lost."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from ecosysteme.depot import ouvrir_depot
from ecosysteme.inventaire.importation import importer_fichier

pytestmark = [pytest.mark.lent, pytest.mark.donnees_reelles]
ENFANT = Path(__file__).with_name("enfant_import.py")


def _contenu(store: Path) -> tuple[object, ...]:
    """Every row of every table, to compare a store before and after (byte for byte)."""
    cx = sqlite3.connect(store)
    try:
        tables = [r[0] for r in cx.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        assert cx.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return tuple((t, tuple(cx.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall())) for t in tables)
    finally:
        cx.close()


def test_kill9_pendant_un_import_laisse_le_depot_tel_quel(tmp_path: Path, donnees: Path) -> None:
    store = tmp_path / "store.gpkg"
    with ouvrir_depot(store, creer=True) as depot:
        importer_fichier(donnees / "qpv2024_hdf.gpkg", depot, auteur="test")
        importer_fichier(donnees / "france_services_2022-12-01_hdf.geojson", depot, auteur="test")
    avant = _contenu(store)
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ENFANT),
            str(store),
            str(donnees / "bibliotheques_publiques_france.csv"),
            "--tuer-avant-commit",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    ligne = proc.stdout.readline()  # 15,538 actors inserted, COMMIT not yet run
    assert ligne.strip() == "AVANT_COMMIT"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert _contenu(store) == avant
    with ouvrir_depot(store) as depot:  # opens, integrity checked, and still writable
        assert depot.compter() == 189
        r = importer_fichier(donnees / "bibliotheques_publiques_hdf.geojson", depot, auteur="test")
        assert depot.compter() == 189 + r.acceptees


def test_plusieurs_processus_importent_ensemble(tmp_path: Path, donnees: Path) -> None:
    store = tmp_path / "store.gpkg"
    with ouvrir_depot(store, creer=True):
        pass
    fichiers = [
        "lieux_conseillers_numeriques_2022-06_hdf.geojson",
        "data_inclusion_structures_2022-07_hdf.geojson",
        "france_services_2022-12-01_hdf.geojson",
        "bibliotheques_publiques_hdf.geojson",
        "lieux_conseillers_numeriques_2022-06_france.csv",
    ]
    procs = [
        subprocess.Popen(
            [sys.executable, str(ENFANT), str(store), str(donnees / f)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in fichiers
    ]
    resultats = []
    for p in procs:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, err
        assert "locked" not in err
        resultats.append(json.loads(out.strip().splitlines()[-1]))
    with ouvrir_depot(store) as depot:
        lots = depot.lots()
        assert len(lots) == len(fichiers)
        # the national CN file re-imports the HdF CN places (same ids): updated, not duplicated
        ids_cn_hdf = {a.id for a in depot.lister() if a.provenance_format == "conseillers-numeriques"}
        attendu = sum(r["acceptees"] for r in resultats[:4]) + resultats[4]["acceptees"] - 420
        assert depot.compter() == attendu
        assert len(ids_cn_hdf) == resultats[4]["acceptees"]


@pytest.mark.parametrize("nom", ["france_services_2022-12-01_hdf.geojson", "qpv2024_hdf.gpkg"])
def test_fichier_geographique_abime_donne_un_message_clair(donnees: Path, tmp_path: Path, nom: str) -> None:
    """Bytes flipped at random in a real GeoJSON / GeoPackage: the file reads, or the reader says
    in French that it cannot (FichierInvalide) — never a raw GDAL, GEOS or decoding error."""
    import random

    from ecosysteme.domaine.erreurs import FichierInvalide
    from ecosysteme.sources.importeurs.territoire import lire_geodataframe
    from ecosysteme.sources.lecture import lire_table

    source = (donnees / nom).read_bytes()
    hasard = random.Random(20261126)
    for essai in range(25):
        abime = bytearray(source)
        for _ in range(30):
            abime[hasard.randrange(len(abime))] = hasard.randrange(256)
        chemin = tmp_path / f"{essai}{Path(nom).suffix}"
        chemin.write_bytes(bytes(abime))
        for lire in (lire_table, lire_geodataframe):
            try:
                lire(chemin)
            except FichierInvalide as exc:
                assert exc.message
