"""Shared fixtures: the real data folder beside the checkout, a fresh store."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import aide_postgis
import pytest
from hypothesis import settings
from typer.testing import CliRunner

from ecosysteme.cli import app

# Property tests: random examples on a developer's machine (that is how they find bugs); the same
# examples on every CI run (« ci », set by .ci/run) so that a landing never depends on the draw;
# « fouille » for a long search before a release (HYPOTHESIS_PROFILE=fouille make test).
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("fouille", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

RACINE = Path(__file__).resolve().parents[1]
DONNEES = RACINE.parent / "shared" / "data"
REFERENCE = RACINE.parent / "shared" / "reference"


@pytest.fixture
def base_postgis() -> Iterator[str]:
    """A throwaway PostGIS database holding an empty store (tests/aide_postgis.py)."""
    with aide_postgis.base_jetable() as adresse:
        yield adresse


@pytest.fixture(params=["geopackage", "postgis"])
def adresse(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """A store's address on each backend: a GeoPackage file to create, a PostGIS database."""
    if request.param == "geopackage":
        return tmp_path / "depot.gpkg"
    return str(request.getfixturevalue("base_postgis"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get(aide_postgis.ENV_PG):
        aide_postgis.supprimer_modele()


@pytest.fixture(scope="session")
def donnees() -> Path:
    """``../shared/data`` (real public files); tests needing it are skipped without it."""
    if not (DONNEES / "qpv2024_hdf.geojson").exists():
        pytest.skip("../shared/data absent : données réelles indisponibles")
    return DONNEES


@pytest.fixture(scope="session")
def reference() -> Path:
    if not REFERENCE.exists():
        pytest.skip("../shared/reference absent")
    return REFERENCE


@pytest.fixture(scope="session")
def depot_hdf(tmp_path_factory: pytest.TempPathFactory, donnees: Path) -> Path:
    """A store built by `ecosysteme preparer --miroir ../shared/data` (région 32)."""
    d = tmp_path_factory.mktemp("hdf")
    store = d / "store.gpkg"
    env = {"ECOSYSTEME_CACHE": str(d / "cache")}
    res = CliRunner().invoke(app, ["preparer", "--miroir", str(donnees), "--store", str(store)], env=env)
    assert res.exit_code == 0, res.output
    assert "déjà importé" not in res.output
    # a second run imports nothing again
    res2 = CliRunner().invoke(app, ["preparer", "--miroir", str(donnees), "--store", str(store)], env=env)
    assert res2.exit_code == 0 and res2.output.count("déjà importé") >= 8, res2.output
    return store


@pytest.fixture(params=["geopackage", "postgis"])
def store_copie(
    request: pytest.FixtureRequest, depot_hdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str | Path]:
    """A writable copy of the Hauts-de-France store used by the app (``ECOSYSTEME_STORE``), on
    each backend: a GeoPackage file, a PostGIS database (copied from a template of that store)."""
    if request.param == "geopackage":
        copie = tmp_path / "store.gpkg"
        shutil.copy(depot_hdf, copie)
        monkeypatch.setenv("ECOSYSTEME_STORE", str(copie))
        yield copie
        return
    with aide_postgis.base_copie_de(depot_hdf) as base:
        monkeypatch.setenv("ECOSYSTEME_STORE", base)
        yield base
