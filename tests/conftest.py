"""Shared fixtures: the real data folder beside the checkout, a fresh store."""

from __future__ import annotations

from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[1]
DONNEES = RACINE.parent / "shared" / "data"
REFERENCE = RACINE.parent / "shared" / "reference"


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
