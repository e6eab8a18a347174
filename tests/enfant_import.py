"""Child process for tests/test_import_robustesse.py: import one real file into a store.

``python tests/enfant_import.py STORE FICHIER [--tuer-avant-commit]``: with the flag, prints
``AVANT_COMMIT`` right before the batch's COMMIT and waits to be killed; otherwise prints
one JSON line with the report's counts.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from ecosysteme.depot import DepotGeoPackage
from ecosysteme.inventaire.importation import importer_fichier


class DepotQuiAttend(DepotGeoPackage):
    def _avant_validation(self) -> None:
        print("AVANT_COMMIT", flush=True)
        time.sleep(60)


def main() -> None:
    store, fichier = Path(sys.argv[1]), Path(sys.argv[2])
    cls = DepotQuiAttend if "--tuer-avant-commit" in sys.argv else DepotGeoPackage
    with cls(store, creer=True) as depot:
        r = importer_fichier(fichier, depot, auteur=f"processus-{fichier.stem}")
    print(json.dumps({"acceptees": r.acceptees, "rejetees": r.rejetees, "lot": r.lot_id}), flush=True)


if __name__ == "__main__":
    main()
