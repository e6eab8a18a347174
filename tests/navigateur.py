"""Helpers for the real-browser tests: a `streamlit run` server on 127.0.0.1 and Debian's headless
Chromium driven by Playwright, with every request leaving 127.0.0.1 refused (no network).

Tests using them skip (with the reason) when /usr/bin/chromium or playwright is missing.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

RACINE = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS_CHROMIUM = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTEFACTS = RACINE / "tests" / "artefacts"


def exiger_navigateur() -> None:
    if not CHROMIUM.exists():
        pytest.skip("Chromium absent (/usr/bin/chromium) : `apt-get install chromium`")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright absent")


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serveur_streamlit(store: Path, env_sup: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run app.py` on a free port of 127.0.0.1 with the given store; yields the base
    URL once the health endpoint answers; stops the server (and logs its output on failure)."""
    port = port_libre()
    env = {**os.environ, "ECOSYSTEME_STORE": str(store), **(env_sup or {})}
    journal = ARTEFACTS / f"streamlit-{port}.log"
    ARTEFACTS.mkdir(exist_ok=True)
    with open(journal, "wb") as sortie:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ecosysteme.ui.serveur",  # what `ecosysteme lancer` starts
                str(RACINE / "app.py"),
                "--server.address=127.0.0.1",
                f"--server.port={port}",
                "--server.headless=true",
                "--browser.gatherUsageStats=false",
            ],
            cwd=RACINE,
            env=env,
            stdout=sortie,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            limite = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as rep:
                        if rep.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if proc.poll() is not None or time.monotonic() > limite:
                    raise RuntimeError(f"streamlit n'a pas démarré : {journal.read_text()[-2000:]}")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextlib.contextmanager
def page_hors_ligne() -> Iterator[tuple[Any, list[str], list[str], list[str]]]:
    """A Playwright page in headless Chromium where any request not to 127.0.0.1 (or data:/blob:)
    is aborted and recorded. Yields (page, refused URLs, dialogs opened, page errors)."""
    from playwright.sync_api import sync_playwright

    refusees: list[str] = []
    dialogues: list[str] = []
    erreurs: list[str] = []
    with sync_playwright() as pw:
        navigateur = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS_CHROMIUM)
        contexte = navigateur.new_context(viewport={"width": 1400, "height": 1600}, locale="fr-FR")

        def filtrer(route: Any) -> None:
            u = route.request.url
            if u.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
                route.continue_()
            else:
                refusees.append(u)
                route.abort()

        contexte.route("**/*", filtrer)

        def dialogue(d: Any) -> None:
            dialogues.append(f"{d.type}: {d.message}")
            d.dismiss()

        contexte.on("dialog", dialogue)
        page = contexte.new_page()
        page.on("pageerror", lambda e: erreurs.append(str(e)))
        try:
            yield page, refusees, dialogues, erreurs
        finally:
            contexte.close()
            navigateur.close()
