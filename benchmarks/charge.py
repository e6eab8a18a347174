"""Load: N people open the map page of one EPCI at once, on one app server.

One server (``python -m ecosysteme.ui.serveur app.py``, what ``ecosysteme lancer`` starts) on a
Hauts-de-France store (a GeoPackage built from ../shared/data, or ``--store`` a PostGIS
address); one headless Chromium with N separate sessions (contexts) opening
``/Carte?epci=200043396`` together, after one person has already seen it (warm caches). For each
wave:

- time per visitor, from opening the page to the QPV drawn on the map (median and slowest);
- the server's CPU time per view: the server process's user + system time over the wave (read
  from /proc), divided by N — apart from the browsers' own CPU;
- memory per session: the server's resident memory with the N sessions open, minus before,
  divided by N.

The browsers run on the same 2 cores as the server: the times per visitor include their
contention; the server CPU per view does not.

Run: ``.venv/bin/python benchmarks/charge.py [--vagues 1,10,20] [--store ADRESSE]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

RACINE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RACINE / "tests"))

from navigateur import ARGS_CHROMIUM, CHROMIUM, serveur_streamlit  # noqa: E402

from ecosysteme.cli import preparer_depot  # noqa: E402

DONNEES = RACINE.parent / "shared" / "data"
MAUBEUGE = "200043396"
TICKS = os.sysconf("SC_CLK_TCK")


def pid_du_serveur(url: str) -> int:
    """The server process listening on ``url``'s port (found by its command line)."""
    port = url.rsplit(":", 1)[1]
    for entree in Path("/proc").iterdir():
        if entree.name.isdigit():
            with contextlib.suppress(OSError):
                ligne = (entree / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                if "ecosysteme.ui.serveur" in ligne and f"--server.port={port}" in ligne:
                    return int(entree.name)
    raise RuntimeError(f"serveur du port {port} introuvable")


def cpu(pid: int) -> float:
    """User + system CPU seconds of the process (its threads included)."""
    champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(champs[11]) + int(champs[12])) / TICKS


def memoire(pid: int) -> float:
    """Resident memory of the process, in MB."""
    for ligne in Path(f"/proc/{pid}/status").read_text().splitlines():
        if ligne.startswith("VmRSS:"):
            return int(ligne.split()[1]) / 1024
    return 0.0


async def visite(navigateur: object, url: str) -> tuple[float, object]:
    contexte = await navigateur.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    page = await contexte.new_page()
    debut = time.perf_counter()
    await page.goto(f"{url}/Carte?epci={MAUBEUGE}", wait_until="commit", timeout=300_000)
    cadre = page.frame_locator("iframe[title='streamlit_folium.st_folium']")
    await cadre.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=300_000)
    return time.perf_counter() - debut, contexte


async def vague(url: str, pid: int, n: int) -> dict[str, float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        navigateur = await pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS_CHROMIUM)
        rss, cpu0 = memoire(pid), cpu(pid)
        resultats = await asyncio.gather(*(visite(navigateur, url) for _ in range(n)))
        cpu1, rss1 = cpu(pid), memoire(pid)
        for _, contexte in resultats:
            await contexte.close()  # type: ignore[attr-defined]
        await navigateur.close()
    temps = [t for t, _ in resultats]
    return {
        "mediane": statistics.median(temps),
        "max": max(temps),
        "cpu_vue": (cpu1 - cpu0) / n,
        "memoire_session": (rss1 - rss) / n,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vagues", default="1,10,20")
    ap.add_argument("--store", default=None)
    args = ap.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit("Chromium absent (/usr/bin/chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        store: str | Path = args.store or Path(tmp) / "hdf.gpkg"
        if args.store is None:
            with contextlib.redirect_stdout(io.StringIO()):
                preparer_depot(store=store, miroir=str(DONNEES), region="32", auteur="charge")
        with serveur_streamlit(store) as url:  # type: ignore[arg-type]
            pid = pid_du_serveur(url)
            asyncio.run(vague(url, pid, 1))  # someone has seen the page: warm caches
            print(f"serveur {pid}, dépôt {store}")
            print(
                "| visiteurs simultanés | médiane s | plus lent s | CPU serveur par vue s "
                "| mémoire par session Mo |"
            )
            for n in (int(x) for x in args.vagues.split(",")):
                r = asyncio.run(vague(url, pid, n))
                print(
                    f"| {n} | {r['mediane']:.1f} | {r['max']:.1f} | {r['cpu_vue']:.2f} | "
                    f"{r['memoire_session']:.1f} |"
                )


if __name__ == "__main__":
    main()
