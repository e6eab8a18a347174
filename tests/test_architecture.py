"""The layout keeps its shape (docs/ARCHITECTURE.md): each layer imports only the layers below it,
Streamlit only in the UI, no module too long, every category drawn with its own map symbol."""

from __future__ import annotations

import ast
import re
from pathlib import Path

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


def _imports(chemin: Path, *, noms: bool = False) -> list[tuple[int, str]]:
    """Every ecosysteme module ``chemin`` imports, with its line (imports under ``if TYPE_CHECKING``
    included: a type is a dependency too). ``noms``: ``from ecosysteme.ui import carte`` gives
    ``ecosysteme.ui.carte`` (the name may be a module), not only ``ecosysteme.ui``."""
    arbre = ast.parse(chemin.read_text(encoding="utf-8"))
    trouves: list[tuple[int, str]] = []
    for noeud in ast.walk(arbre):
        if isinstance(noeud, ast.ImportFrom) and noeud.module and noeud.level == 0:
            if noeud.module == "ecosysteme":
                trouves += [(noeud.lineno, f"ecosysteme.{a.name}") for a in noeud.names]
            elif noeud.module.startswith("ecosysteme.") and noms:
                trouves += [(noeud.lineno, f"{noeud.module}.{a.name}") for a in noeud.names]
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


def _paquet(module: str, chemin: Path) -> str:
    """The package a module belongs to (a package's ``__init__`` is its own package)."""
    return module if chemin.stem == "__init__" else module.rsplit(".", 1)[0]


def test_pas_de_nom_prive_importe_d_un_autre_paquet() -> None:
    """A name with a leading underscore stays in its package: what a second store backend (or
    another layer) needs is public, so that changing a private helper never breaks a neighbour."""
    fautes = []
    for chemin in _fichiers():
        paquet = _paquet(_module(chemin), chemin)
        for noeud in ast.walk(ast.parse(chemin.read_text(encoding="utf-8"))):
            if not (
                isinstance(noeud, ast.ImportFrom) and noeud.module and noeud.module.startswith("ecosysteme")
            ):
                continue
            source = noeud.module.rsplit(".", 1)[0]
            prives = [a.name for a in noeud.names if a.name.startswith("_")]
            if prives and source != paquet and noeud.module != paquet:
                fautes.append(
                    f"{chemin.relative_to(RACINE)}:{noeud.lineno} {noeud.module} : {', '.join(prives)}"
                )
    assert not fautes, "noms privés importés d'un autre paquet :\n" + "\n".join(fautes)


#: English words of the domain that have their French name here (docs/ARCHITECTURE.md, « Règle de
#: nommage »): a module or public name using one of them is in the wrong language.
ANGLAIS = (
    "store",
    "coverage",
    "hours",
    "summary",
    "catalog",
    "download",
    "reader",
    "actor",
    "layer",
    "batch",
    "merge",
    "mapping",
    "gaps",
    "overlap",
    "duplicate",
    "settings",
    "history",
    "error",
)


def _noms_publics(chemin: Path) -> list[tuple[int, str]]:
    arbre = ast.parse(chemin.read_text(encoding="utf-8"))
    noms = [(n.lineno, n.name) for n in arbre.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    for n in arbre.body:
        if isinstance(n, ast.ClassDef):
            noms += [(m.lineno, m.name) for m in n.body if isinstance(m, ast.FunctionDef)]
    return [(ligne, nom) for ligne, nom in noms if not nom.startswith("_")]


def test_les_noms_parlent_la_langue_du_domaine() -> None:
    fautes = []
    for chemin in _fichiers():
        relatif = chemin.relative_to(RACINE)
        candidats = [(0, p) for p in relatif.with_suffix("").parts] + _noms_publics(chemin)
        for ligne, nom in candidats:
            mots = [m.lower() for m in re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", nom)]
            if any(m in ANGLAIS or m.removesuffix("s") in ANGLAIS for m in mots):
                fautes.append(f"{relatif}:{ligne} {nom}")
    assert not fautes, "noms en anglais dans un domaine qui parle français :\n" + "\n".join(fautes)


#: Modules and packages of ecosysteme/ui/ that are not a page's body: the shared elements
#: (ui/widgets/), the data access, the navigation, the territory chooser, the server's launcher.
PARTAGES_UI = {"__init__", "donnees", "texte", "nav", "serveur", "territoire", "widgets"}
#: The server's launcher fills the pages' caches before the first visit: it may import them.
LANCEUR_UI = "ecosysteme.ui.serveur"
#: Lines of code of a module of ecosysteme/ui/ at most.
TAILLE_UI = 300


def _page(module: str) -> str | None:
    """The page whose body holds ``module`` (a module or a package of ecosysteme/ui/):
    « ecosysteme.ui.importation.lecture » → « importation »; None outside the pages."""
    parties = module.split(".")
    if len(parties) < 3 or parties[:2] != ["ecosysteme", "ui"] or parties[2] in PARTAGES_UI:
        return None
    return parties[2]


def test_les_pages_n_importent_pas_d_autres_pages() -> None:
    """A page's body (ecosysteme/ui/<page>.py, or the package ecosysteme/ui/<page>/) may use the
    shared widgets (ecosysteme/ui/widgets/) and the data access (donnees, texte, territoire),
    never another page's body; the widgets and the data access use no page at all."""
    fautes = []
    for chemin in sorted((PAQUET / "ui").rglob("*.py")):
        module = _module(chemin)
        if module == LANCEUR_UI:
            continue
        page = _page(module)
        for ligne, importe in _imports(chemin, noms=True):
            cible = _page(importe)
            if cible is not None and cible != page:
                fautes.append(f"{chemin.relative_to(PAQUET)}:{ligne} importe la page {cible}")
    assert not fautes, "\n".join(fautes)


def test_les_pages_streamlit_sont_minces() -> None:
    """app.py and pages/*.py set the page up and call the body of their page in ecosysteme/ui/:
    they import Streamlit and ecosysteme.ui only."""
    fautes = []
    for chemin in [RACINE / "app.py", *sorted((RACINE / "pages").glob("*.py"))]:
        arbre = ast.parse(chemin.read_text(encoding="utf-8"))
        for noeud in ast.walk(arbre):
            if isinstance(noeud, ast.ImportFrom) and noeud.module not in (
                "__future__",
                "streamlit",
                "ecosysteme.ui",
            ):
                fautes.append(f"{chemin.relative_to(RACINE)}:{noeud.lineno} importe {noeud.module}")
            elif isinstance(noeud, ast.Import) and any(
                a.name not in ("logging", "streamlit") for a in noeud.names
            ):
                fautes.append(f"{chemin.relative_to(RACINE)}:{noeud.lineno}")
    assert not fautes, "\n".join(fautes)


def test_taille_des_modules_de_l_interface() -> None:
    """Every module of ecosysteme/ui/ (pages' bodies, their steps, the widgets) stays readable."""
    trop = {m: n for m, n in lignes_de_code().items() if m.startswith("ui/") and n > TAILLE_UI}
    assert not trop, trop


#: Code lines (no blank line, comment or docstring): the largest module, and the size above which
#: at most ``GROS_MODULES_MAX`` modules may stand.
TAILLE_MAX = 600
TAILLE_GROS = 400
GROS_MODULES_MAX = 5


def test_taille_des_modules() -> None:
    tailles = lignes_de_code()
    trop = {m: n for m, n in tailles.items() if n > TAILLE_MAX}
    assert not trop, trop
    gros = sorted((n, m) for m, n in tailles.items() if n > TAILLE_GROS)
    assert len(gros) <= GROS_MODULES_MAX, gros


def test_taille_des_fonctions() -> None:
    """Function bodies stay short: median ≤ 12 lines, 90th percentile ≤ 40 (physical lines of the
    definition, docstring included)."""
    longueurs = sorted(
        (noeud.end_lineno or noeud.lineno) - noeud.lineno
        for chemin in _fichiers()
        for noeud in ast.walk(ast.parse(chemin.read_text(encoding="utf-8")))
        if isinstance(noeud, ast.FunctionDef | ast.AsyncFunctionDef)
    )
    mediane = longueurs[len(longueurs) // 2]
    p90 = longueurs[int(0.9 * len(longueurs))]
    assert mediane <= 12 and p90 <= 40, (mediane, p90)


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


def test_chaque_categorie_a_son_symbole() -> None:
    """Every category of actor is drawn with a symbol of its own on the interactive and the A4 maps
    (both read :data:`ecosysteme.cartes.construire.SYMBOLES`); a category without one would silently
    be drawn as « Autre »."""
    from ecosysteme.cartes.construire import SYMBOLES
    from ecosysteme.domaine.modeles import Categorie

    assert [s.categorie for s in SYMBOLES] == [c.value for c in Categorie]
    assert len({s.lettres for s in SYMBOLES}) == len(SYMBOLES)
    assert len({s.couleur for s in SYMBOLES}) == len(SYMBOLES)
