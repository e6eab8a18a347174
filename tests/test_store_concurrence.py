"""The store under several processes and under ``kill -9`` (reference/PITFALLS.md, "Writing the store").

Each child is ``tests/aide_store.py`` run in its own interpreter; a child that meets any error
other than an expected version conflict exits non-zero with a traceback on stderr.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aide_postgis
import pytest
from aide_store import acteur, instantane, integrite, lot_acteurs

from ecosysteme.depot import ouvrir_depot

pytestmark = pytest.mark.lent

AIDE = Path(__file__).resolve().parent / "aide_store.py"


def lancer(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(AIDE), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=AIDE.parent.parent,
    )


def terminer(proc: subprocess.Popen[str], delai: float = 240) -> dict[str, Any]:
    sortie, erreurs = proc.communicate(timeout=delai)
    assert proc.returncode == 0, erreurs
    assert "locked" not in erreurs and "Traceback" not in erreurs, erreurs
    resultat: dict[str, Any] = json.loads(sortie.strip().splitlines()[-1])
    return resultat


def test_huit_processus_deux_cents_ajouts_chacun(adresse: str | Path) -> None:
    chemin = adresse
    ouvrir_depot(chemin, creer=True).close()
    depart = str(time.time() + 4)
    procs = [lancer("ajouter", str(chemin), f"p{i}", "200", "--depart", depart) for i in range(8)]
    resultats = [terminer(p) for p in procs]
    assert sum(r["ajouts"] for r in resultats) == 1600
    with ouvrir_depot(chemin) as d:
        assert d.compter() == 1600
        assert len({a.id for a in d.lister()}) == 1600
    journal = instantane(chemin)["journal"]
    assert sum(1 for ligne in journal if "ajout" in ligne) == 1600
    assert integrite(chemin) == ["ok"]


def test_quatre_processus_modifient_le_meme_acteur(adresse: str | Path) -> None:
    chemin = adresse
    with ouvrir_depot(chemin, creer=True) as d:
        d.ajouter(acteur("commun", nom="Base"), "alice")
    depart = str(time.time() + 4)
    procs = [lancer("modifier", str(chemin), "commun", "50", "--depart", depart) for _ in range(4)]
    resultats = [terminer(p) for p in procs]
    succes = sum(r["succes"] for r in resultats)
    conflits = sum(r["conflits"] for r in resultats)
    print(f"\n{succes} modifications réussies, {conflits} conflits détectés puis rejoués")
    assert succes == 200
    with ouvrir_depot(chemin) as d:
        final = d.obtenir("commun")
        assert final.version == 1 + succes
        historique = d.historique("commun")
    assert len(historique) == 1 + succes  # every saved edit journaled, none lost
    versions = [e.apres["version"] for e in reversed(historique) if e.apres]
    assert versions == list(range(1, 2 + succes))


def test_creations_simultanees_du_meme_depot(tmp_path: Path) -> None:
    chemin = tmp_path / "nouveau" / "depot.gpkg"
    procs = [lancer("creer", str(chemin)) for _ in range(4)]
    for p in procs:
        terminer(p)
    cx = sqlite3.connect(chemin)
    assert cx.execute("SELECT count(*) FROM meta WHERE cle = 'version_schema'").fetchone()[0] == 1
    assert cx.execute("SELECT count(*) FROM gpkg_spatial_ref_sys").fetchone()[0] == 3
    cx.close()
    ouvrir_depot(chemin).close()


def test_creations_simultanees_d_une_base_postgis() -> None:
    """Four processes create the store in one empty database at once: created once (the
    schema's transaction holds the writers' lock and looks again once it has it)."""
    with aide_postgis.base_jetable(vide=True) as base:
        procs = [lancer("creer", base) for _ in range(4)]
        for p in procs:
            terminer(p)
        meta = instantane(base)["meta"]
        assert [ligne[0] for ligne in meta].count("version_schema") == 1
        with ouvrir_depot(base) as d:
            assert d.compter() == 0 and d.version() == 0


def _depot_initial(chemin: str | Path) -> None:
    """300 actors; the big batch re-imports them (one edited by hand since: updated) and adds 19,700."""
    with ouvrir_depot(chemin, creer=True) as d:
        d.importer_lot(
            lot_acteurs(300, prefixe="K"),
            fichier="ancien.csv",
            format="csv",
            sha256="0",
            auteur="a",
            rapport={},
        )
        d.modifier(d.obtenir("K000005").model_copy(update={"nom": "Édité à la main"}), "alice")


def _tuer(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


def test_kill_9_juste_avant_le_commit_ne_laisse_rien(adresse: str | Path) -> None:
    chemin = adresse
    _depot_initial(chemin)
    avant = instantane(chemin)
    for _ in range(2):
        proc = lancer("importer", str(chemin), "20000", "--signal")
        assert proc.stdout is not None
        lignes = []
        for ligne in proc.stdout:  # PRET, then AVANT_COMMIT once every row is written
            lignes.append(ligne.strip())
            if ligne.strip() == "AVANT_COMMIT":
                break
        assert lignes[-1] == "AVANT_COMMIT", lignes
        _tuer(proc)
        assert integrite(chemin) == ["ok"]
        assert instantane(chemin) == avant
    with ouvrir_depot(chemin) as d:  # opens fine, checks pass, still writable
        assert d.compter() == 300
        assert d.obtenir("K000005").nom == "Édité à la main"
        d.ajouter(acteur("apres"), "alice")


def test_kill_9_a_des_instants_aleatoires(adresse: str | Path, tmp_path: Path) -> None:
    """Killed anywhere: the store is exactly as before, or holds the whole batch (never half)."""
    origine = adresse
    _depot_initial(origine)
    avant = instantane(origine)
    with aide_postgis.copie(origine, tmp_path / "mesure.gpkg") as chemin:  # how long it takes here
        debut = time.monotonic()
        terminer(lancer("importer", str(chemin), "20000"))
        duree = time.monotonic() - debut
    hasard = random.Random(20240501)
    issues = []
    for essai in range(6):
        with aide_postgis.copie(origine, tmp_path / f"essai{essai}.gpkg") as chemin:
            issues.append(_tuer_au_hasard(chemin, avant, hasard.uniform(0.0, 1.2 * duree)))
    print(f"\nimport entier : {duree:.1f} s ; issues des kill -9 : {issues}")


def _tuer_au_hasard(chemin: str | Path, avant: dict[str, Any], delai: float) -> str:
    """Start the big import, kill it after ``delai`` seconds; the store must be as before or
    hold the whole batch. Returns which."""
    proc = lancer("importer", str(chemin), "20000")
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "PRET"
    time.sleep(delai)
    _tuer(proc)
    assert integrite(chemin) == ["ok"]
    if instantane(chemin) == avant:
        return "avant"
    with ouvrir_depot(chemin) as d:
        lot = d.lots()[0]
        assert (len(d.lots()), lot.crees, lot.mis_a_jour, lot.inchanges) == (2, 19_700, 1, 299)
        assert d.compter() == 20_000
    return "complet"
