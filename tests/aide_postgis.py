"""PostGIS for the tests: a throwaway database per test (or per module), copied from a template
that holds an empty ecosysteme store, on the server named by ``ECOSYSTEME_TEST_PG``.

``ECOSYSTEME_TEST_PG`` is an administrator's address (``postgresql://postgres@127.0.0.1:5432/
postgres``); ``.ci/run`` sets it after making PostGIS available. Without it the PostGIS cases are
skipped on a developer's machine and FAIL in CI (``CI`` set): CI never passes without them.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ENV_PG = "ECOSYSTEME_TEST_PG"
_compteur = itertools.count()
_modele: str | None = None
_copies: dict[str, str] = {}


def admin() -> str:
    adresse = os.environ.get(ENV_PG)
    if not adresse:
        message = f"PostGIS indisponible : {ENV_PG} non défini (voir README, « Serveur partagé »)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return adresse


def adresse_base(nom: str) -> str:
    """The administrator's address with another database name (a ``postgresql://`` URL)."""
    from urllib.parse import urlsplit, urlunsplit

    parties = urlsplit(admin())
    return urlunsplit(parties._replace(path=f"/{nom}"))


def _executer_admin(*instructions: str) -> None:
    import psycopg

    with psycopg.connect(admin(), autocommit=True) as cx:
        for instruction in instructions:
            cx.execute(instruction)  # type: ignore[arg-type]


def modele() -> str:
    """The template database (made once per test process): PostGIS and an empty store."""
    global _modele
    if _modele is None:
        from ecosysteme.depot import ouvrir_depot

        nom = f"eco_modele_{os.getpid()}"
        _executer_admin(f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)", f"CREATE DATABASE {nom}")
        ouvrir_depot(adresse_base(nom), creer=True).close()
        _modele = nom
    return _modele


def supprimer_modele() -> None:
    for nom in [_modele, *_copies.values()]:
        if nom is not None:
            _executer_admin(f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)")


@contextmanager
def base_copie_de(source: Path) -> Iterator[str]:
    """A throwaway database holding a copy of the store ``source`` (a GeoPackage): copied once
    per test process into a template (``copier_depot``), then each time from that template."""
    from ecosysteme.depot.sauvegarde import copier_depot

    if str(source) not in _copies:
        nom = f"eco_hdf_{os.getpid()}_{len(_copies)}"
        _executer_admin(
            f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)", f"CREATE DATABASE {nom} TEMPLATE {modele()}"
        )
        copier_depot(source, adresse_base(nom))
        _copies[str(source)] = nom
    with copie(adresse_base(_copies[str(source)]), source) as adresse:
        yield str(adresse)


@contextmanager
def base_jetable(vide: bool = False) -> Iterator[str]:
    """A new database with an empty store (``vide``: without the store, PostGIS only), dropped
    after use; yields its address."""
    nom = f"eco_t_{os.getpid()}_{next(_compteur)}"
    if vide:
        _executer_admin(f"CREATE DATABASE {nom}")
    else:
        _executer_admin(f"CREATE DATABASE {nom} TEMPLATE {modele()}")
    try:
        yield adresse_base(nom)
    finally:
        _executer_admin(f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)")


def est_postgres(adresse: str | Path) -> bool:
    from ecosysteme.domaine.config import est_base_postgres

    return est_base_postgres(adresse)


def instantane(adresse: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the store, for 'nothing changed' comparisons."""
    if not est_postgres(adresse):
        cx = sqlite3.connect(adresse)
        try:
            tables = [
                r[0] for r in cx.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            ]
            return {t: cx.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
        finally:
            cx.close()
    import psycopg

    with psycopg.connect(str(adresse)) as pg:
        tables = [
            r[0]
            for r in pg.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys' "
                "ORDER BY tablename"
            )
        ]
        return {t: pg.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}  # type: ignore[arg-type]


def executer(adresse: str | Path, requete: str, parametres: Sequence[Any] = ()) -> None:
    """Write to the store outside the application (as another tool would), ``?`` placeholders."""
    if not est_postgres(adresse):
        cx = sqlite3.connect(adresse)
        try:
            cx.execute(requete, parametres)
            cx.commit()
        finally:
            cx.close()
        return
    import psycopg

    with psycopg.connect(str(adresse), autocommit=True) as pg:
        pg.execute(requete.replace("?", "%s"), list(parametres))  # type: ignore[arg-type]


def adresse_de(depot: object) -> str | Path:
    """The address of an open store (a GeoPackage's path, a database's address)."""
    chemin = getattr(depot, "chemin", None)
    return chemin if isinstance(chemin, Path) else str(getattr(depot, "adresse"))  # noqa: B009


@contextmanager
def copie(adresse: str | Path, fichier: Path) -> Iterator[str | Path]:
    """A copy of a closed store: the GeoPackage copied to ``fichier``; a PostGIS database
    copied as a new database (dropped after use)."""
    if not est_postgres(adresse):
        import shutil

        shutil.copyfile(adresse, fichier)
        yield fichier
        return
    from urllib.parse import urlsplit

    source = urlsplit(str(adresse)).path.lstrip("/")
    nom = f"eco_c_{os.getpid()}_{next(_compteur)}"
    _executer_admin(f"CREATE DATABASE {nom} TEMPLATE {source}")
    try:
        yield adresse_base(nom)
    finally:
        _executer_admin(f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)")
