"""Start the Streamlit server with a warm-up: ``python -m ecosysteme.ui.serveur app.py [options]``.

Streamlit runs a page only when a browser connects, so the first visitor would pay for the heavy
imports (geopandas, folium: about 2 s), the store read and the coverage of every QPV. Here a
background thread does that work as soon as the server runs, filling the same caches the pages
use; the server itself is Streamlit's own command line (``streamlit run``), unchanged.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

log = logging.getLogger(__name__)


def _attendre_runtime(delai: float = 60.0) -> bool:
    from streamlit.runtime import Runtime

    limite = time.monotonic() + delai
    while time.monotonic() < limite:
        if Runtime.exists():
            return True
        time.sleep(0.1)
    return False


def prechauffer() -> None:
    """Import the pages' modules and fill the caches of the default view (région shown first,
    coverage at the default walking distance and bands of ``domaine.reglages``, the parameters
    the pages ask for at first display, map layers). Any failure is logged: the pages then do
    the work."""
    from ecosysteme.domaine.erreurs import ErreurEcosysteme

    if not _attendre_runtime():
        return
    debut = time.perf_counter()
    try:
        # not streamlit_folium: a component must be declared from a page (declared here, its
        # files were not served: « source error - 404 »)
        from ecosysteme.analyse.selection import Selection, filtrer, regions_presentes
        from ecosysteme.domaine import reglages
        from ecosysteme.ui import accueil, carte, donnees, lacunes  # noqa: F401
        from ecosysteme.ui.widgets import fonds_carte

        fonds_carte.installer_actifs()
        if not donnees.depot_pret()[0]:
            return
        sig = donnees.signature()
        data = donnees.territoire(sig)
        donnees.couverture_depot(sig, reglages.DISTANCE_MARCHE, reglages.BANDES)
        regions = regions_presentes(data.qpv)
        if regions:
            region = "32" if "32" in regions else regions[0]
            vue = filtrer(data.qpv, data.epci, data.communes, data.acteurs, Selection(region))
            fonds_carte.fonds_vue(sig, vue)
    except (ErreurEcosysteme, OSError, ValueError, KeyError) as exc:
        log.warning("préchauffage interrompu : %s", exc)
        return
    log.info("préchauffage terminé en %.1f s", time.perf_counter() - debut)


def _adresse_demandee(arguments: list[str]) -> str:
    """The listening address given on the command line (``--server.address X`` or ``=X``), else the
    project's ``.streamlit/config.toml`` default (127.0.0.1)."""
    adresse = "127.0.0.1"
    for k, arg in enumerate(arguments):
        if arg == "--server.address" and k + 1 < len(arguments):
            adresse = arguments[k + 1]
        elif arg.startswith("--server.address="):
            adresse = arg.split("=", 1)[1]
    return adresse


def main() -> None:
    from streamlit.web import cli

    from ecosysteme.domaine.config import refus_adresse

    refus = refus_adresse(_adresse_demandee(sys.argv[1:]))
    if refus is not None:
        print(f"Erreur : {refus}", file=sys.stderr)
        raise SystemExit(1)
    threading.Thread(target=prechauffer, name="prechauffage", daemon=True).start()
    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
