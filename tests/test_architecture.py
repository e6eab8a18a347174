"""The layout keeps its shape (docs/ARCHITECTURE.md): each layer imports only the layers below it,
Streamlit only in the UI, no module too long, every category drawn with its own map symbol."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[1]
PAQUET = RACINE / "ecosysteme"

#: From the bottom up: a module may import its own layer and the ones before it in this list.
COUCHES = ("domaine", "sources", "depot", "inventaire", "analyse", "cartes", "exports", "cli", "ui")
#: Modules at the package's top (the public API imports every layer, nothing imports it back).
HORS_COUCHES = {"__init__"}


def _couche(module: str) -> str:
    """« ecosysteme.analyse.couverture » → « analyse »; « ecosysteme.cli » → « cli »."""
    parties = module.split(".")
    return parties[1] if len(parties) > 1 else ""


def _module(chemin: Path) -> str:
    relatif = chemin.relative_to(RACINE).with_suffix("")
    parties = [p for p in relatif.parts if p != "__init__"]
    return ".".join(parties)


def _imports(chemin: Path) -> list[tuple[int, str]]:
    """Every ecosysteme module ``chemin`` imports, with its line (imports under ``if TYPE_CHECKING``
    included: a type is a dependency too)."""
    arbre = ast.parse(chemin.read_text(encoding="utf-8"))
    trouves: list[tuple[int, str]] = []
    for noeud in ast.walk(arbre):
        if isinstance(noeud, ast.ImportFrom) and noeud.module and noeud.level == 0:
            if noeud.module == "ecosysteme":
                trouves += [(noeud.lineno, f"ecosysteme.{a.name}") for a in noeud.names]
            elif noeud.module.startswith("ecosysteme."):
                trouves.append((noeud.lineno, noeud.module))
        elif isinstance(noeud, ast.Import):
            trouves += [(noeud.lineno, a.name) for a in noeud.names if a.name.startswith("ecosysteme.")]
    return trouves


def _fichiers() -> list[Path]:
    return sorted(p for p in PAQUET.rglob("*.py") if ".venv" not in p.parts)


def test_les_imports_descendent() -> None:
    fautes = []
    for chemin in _fichiers():
        module = _module(chemin)
        couche = _couche(module)
        if chemin.stem in HORS_COUCHES and chemin.parent == PAQUET:
            continue
        assert couche in COUCHES, f"{module} : couche inconnue (à ranger dans {COUCHES})"
        rang = COUCHES.index(couche)
        for ligne, importe in _imports(chemin):
            cible = _couche(importe)
            if cible not in COUCHES:
                fautes.append(f"{chemin.relative_to(RACINE)}:{ligne} importe {importe} (hors couches)")
            elif COUCHES.index(cible) > rang:
                fautes.append(f"{chemin.relative_to(RACINE)}:{ligne} ({couche}) importe {importe} ({cible})")
    assert not fautes, "imports qui remontent :\n" + "\n".join(fautes)


def test_streamlit_seulement_dans_l_interface() -> None:
    fautes = []
    for chemin in _fichiers():
        if "ui" in chemin.relative_to(PAQUET).parts:
            continue
        arbre = ast.parse(chemin.read_text(encoding="utf-8"))
        for noeud in ast.walk(arbre):
            noms = (
                [a.name for a in noeud.names]
                if isinstance(noeud, ast.Import)
                else [noeud.module or ""]
                if isinstance(noeud, ast.ImportFrom)
                else []
            )
            if any(n == "streamlit" or n.startswith(("streamlit.", "streamlit_folium")) for n in noms):
                fautes.append(f"{chemin.relative_to(RACINE)}:{noeud.lineno}")
    assert not fautes, "Streamlit importé hors de ecosysteme/ui/ : " + ", ".join(fautes)


@pytest.mark.xfail(strict=True, reason="en cours (issue 13) : éléments partagés vers ecosysteme/ui/widgets/")
def test_les_pages_n_importent_pas_d_autres_pages() -> None:
    """A page's body (ecosysteme/ui/*.py) may use the shared widgets (ecosysteme/ui/widgets/) and
    the data access (donnees, texte), never another page's body."""
    pages = {p.stem for p in (PAQUET / "ui").glob("*.py")} - PARTAGES_UI
    fautes = []
    for chemin in sorted((PAQUET / "ui").glob("*.py")):
        for ligne, importe in _imports(chemin):
            nom = importe.rsplit(".", 1)[-1]
            if importe.startswith("ecosysteme.ui.") and nom in pages and nom != chemin.stem:
                fautes.append(f"ui/{chemin.name}:{ligne} importe la page {nom}")
    assert not fautes, "\n".join(fautes)


#: Modules of ecosysteme/ui/ that are not a page's body.
PARTAGES_UI = {"__init__", "donnees", "texte", "nav", "serveur", "territoire"}


@pytest.mark.xfail(strict=True, reason="en cours (issue 13) : dépôt GeoPackage et gros modules à découper")
@pytest.mark.parametrize("limite", [600])
def test_taille_des_modules(limite: int) -> None:
    """Lines of code (no blank line, comment or docstring) per module."""
    trop = {m: n for m, n in lignes_de_code().items() if n > limite}
    assert not trop, trop


def lignes_de_code() -> dict[str, int]:
    tailles = {}
    for chemin in _fichiers():
        source = chemin.read_text(encoding="utf-8")
        arbre = ast.parse(source)
        docs: set[int] = set()
        for noeud in ast.walk(arbre):
            if isinstance(noeud, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                corps = noeud.body
                premier = corps[0] if corps else None
                valeur = premier.value if isinstance(premier, ast.Expr) else None
                if premier is not None and isinstance(valeur, ast.Constant) and isinstance(valeur.value, str):
                    docs.update(range(premier.lineno, (premier.end_lineno or premier.lineno) + 1))
        n = sum(
            1
            for i, ligne in enumerate(source.splitlines(), start=1)
            if ligne.strip() and not ligne.strip().startswith("#") and i not in docs
        )
        tailles[str(chemin.relative_to(PAQUET))] = n
    return tailles
