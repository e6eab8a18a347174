"""Settings defined once (issue 13, point 4): the default walking distance is one line of
``ecosysteme/domaine/reglages.py``, and changing that line reaches coverage, the pages, the
cache warm-up, the maps, the fiche and the lieu totem; no walking distance or band is written
as a number anywhere else in the package."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from matplotlib.text import Text
from streamlit.testing.v1 import AppTest

from ecosysteme.analyse.couverture import Parametres, couverture, filtre
from ecosysteme.analyse.totem import totem_epci
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine import reglages

RACINE = Path(__file__).resolve().parents[1]
MODULE = RACINE / "ecosysteme" / "domaine" / "reglages.py"
MAUBEUGE = "200043396"


def changer_distance(monkeypatch: pytest.MonkeyPatch, metres: float) -> None:
    """Make the one-line change (« DISTANCE_MARCHE = … ») in a copy of the module's source, run
    it, and give the live module every value that changed (the bands and the distances offered
    follow the walking distance there)."""
    source, n = re.subn(
        r"^DISTANCE_MARCHE = .*$",
        f"DISTANCE_MARCHE = {metres!r}",
        MODULE.read_text(encoding="utf-8"),
        flags=re.M,
    )
    assert n == 1, "DISTANCE_MARCHE doit être défini sur une seule ligne"
    valeurs: dict[str, object] = {}
    exec(compile(source, str(MODULE), "exec"), valeurs)  # noqa: S102 - the project's own module
    for nom, valeur in valeurs.items():
        if nom.isupper() and getattr(reglages, nom, None) != valeur:
            monkeypatch.setattr(reglages, nom, valeur)


def test_reglages_documentes_et_coherents() -> None:
    texte = MODULE.read_text(encoding="utf-8")
    for nom in [n for n in dir(reglages) if n.isupper()]:
        assert re.search(rf"^#: .+\n{nom} = ", texte, flags=re.M), f"{nom} sans ligne de documentation"
    assert reglages.BANDES == (reglages.BANDE_PROCHE, reglages.DISTANCE_MARCHE) == (300.0, 1000.0)
    assert reglages.DISTANCES_PROPOSEES == (300, 500, 1000, 1500, 2000)
    assert int(reglages.DISTANCE_CHEVAUCHEMENT) in reglages.DISTANCES_CHEVAUCHEMENT


def test_changer_la_distance_change_les_valeurs_derivees(monkeypatch: pytest.MonkeyPatch) -> None:
    changer_distance(monkeypatch, 700.0)
    assert reglages.DISTANCE_MARCHE == 700.0
    assert reglages.BANDES == (300.0, 700.0)
    assert 700 in reglages.DISTANCES_PROPOSEES
    assert reglages.PALIERS_DISTANCE == (300.0, 700.0, 2000.0)
    p = Parametres()
    assert (p.seuil, p.bandes) == (700.0, (300.0, 700.0))


@pytest.mark.donnees_reelles
def test_distance_de_marche_atteint_couverture_carte_fiche_totem(
    depot_hdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecosysteme.exports.cartes import carte_epci
    from ecosysteme.exports.fiche import contenu_fiche

    changer_distance(monkeypatch, 700.0)
    with ouvrir_depot(depot_hdf) as depot:
        qpv, acteurs = depot.qpv(siren_epci=MAUBEUGE), depot.acteurs_gdf()
        # coverage: the default threshold and bands
        tous = (filtre("tous"),)
        defaut = couverture(qpv, acteurs, Parametres(filtres=tous))
        explicite = couverture(qpv, acteurs, Parametres(bandes=(300.0, 700.0), seuil=700.0, filtres=tous))
        assert "n_700m" in defaut.columns and "n_1000m" not in defaut.columns
        assert defaut["couvert"].tolist() == explicite["couvert"].tolist()
        assert (defaut["couvert"] == (defaut["distance_m"] <= 700.0)).all()
        # the A4 map: its legend says the walking distance
        figure = carte_epci(depot, MAUBEUGE, genre="couvert")
        textes = " ".join(t.get_text() for t in figure.findobj(Text))
        assert "à moins de 700 m" in textes and "1 000 m" not in textes.replace("\u202f", " ")
        # the lieu totem: its radius
        resultat, _ = totem_epci(depot, MAUBEUGE)
        assert resultat.rayon == 700.0
        # the fiche: its texts
        fiche = contenu_fiche(depot, MAUBEUGE)
        tableaux = [fiche.chiffres, fiche.lacunes, fiche.sans_offre]
        cellules = [c for t in tableaux for ligne in (t.entetes, *t.lignes) for c in ligne]
        phrases = re.sub(r"[\u00a0\u202f]", " ", " ".join([*fiche.totem, *fiche.notes, *cellules]))
        assert "à moins de 700 m" in phrases and "rayon de 700 m" in phrases
        assert "1 000 m" not in phrases


@pytest.mark.donnees_reelles
def test_distance_de_marche_atteint_les_pages_et_le_prechauffage(
    depot_hdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # imported before anything is patched: the pages keep their own references
    from ecosysteme.ui import accueil, carte, donnees, lacunes, serveur  # noqa: F401
    from ecosysteme.ui.widgets import fonds_carte

    monkeypatch.setenv("ECOSYSTEME_STORE", str(depot_hdf))
    changer_distance(monkeypatch, 700.0)
    appels: list[tuple[float, tuple[float, ...]]] = []
    original = donnees.couverture_depot

    def couverture_depot(sig: tuple[str, float], seuil: float, bandes: tuple[float, ...]) -> object:
        appels.append((seuil, tuple(bandes)))
        return original(sig, seuil, bandes)

    monkeypatch.setattr(donnees, "couverture_depot", couverture_depot)
    # the warm-up asks for the coverage the pages will ask for
    monkeypatch.setattr(serveur, "_attendre_runtime", lambda: True)
    monkeypatch.setattr(fonds_carte, "installer_actifs", lambda: None)
    monkeypatch.setattr(fonds_carte, "fonds_vue", lambda sig, vue: {})
    serveur.prechauffer()
    assert appels == [(700.0, (300.0, 700.0))]
    # the home page and the map page: the distance chooser starts at the walking distance
    page_accueil = AppTest.from_file(str(RACINE / "app.py"), default_timeout=90).run()
    assert not page_accueil.exception
    assert page_accueil.select_slider(key="seuil").value == 700
    assert appels[1:] and set(appels[1:]) == {(700.0, (300.0, 700.0))}
    page_carte = AppTest.from_file(str(RACINE / "pages" / "2_Carte.py"), default_timeout=90).run()
    assert not page_carte.exception
    assert page_carte.select_slider(key="carte_seuil").value == 700


# --- no walking distance or band written outside reglages.py ---------------------------------

#: Numbers that are (today) a walking distance or a band.
NOMBRES = {300, 500, 1000, 2000}
#: Names of parameters, keywords and constants that hold a distance in metres.
NOMS_DISTANCE = re.compile(r"seuil|rayon|distance|bande|metre|marche|value|^options$|pas_m", re.I)


def _distances_ecrites(source: str) -> list[tuple[int, str]]:
    """(line, why) of every number of ``NOMBRES`` used as a distance: a parameter's or a field's
    default, a keyword argument or a constant named like a distance, a tuple of distances, or an
    argument of a call given a distance (« couverture_depot(sig, 1000.0, (300.0, 1000.0)) »).
    Not flagged: unit conversions (``m / 1000``), HTTP statuses, counts, sizes, resolutions."""
    arbre = ast.parse(source)
    trouves: list[tuple[int, str]] = []

    def nombres(noeud: ast.AST | None) -> list[ast.Constant]:
        if noeud is None:
            return []
        if isinstance(noeud, ast.Constant) and type(noeud.value) in (int, float) and noeud.value in NOMBRES:
            return [noeud]
        if isinstance(noeud, (ast.Tuple, ast.List, ast.Set)):
            return [c for e in noeud.elts for c in nombres(e)]
        if isinstance(noeud, ast.IfExp):  # « distance if distance is not None else 1000.0 »
            return [*nombres(noeud.body), *nombres(noeud.orelse)]
        if isinstance(noeud, ast.Call):  # int(1000), float(1000)
            return [c for a in noeud.args for c in nombres(a)]
        return []

    for n in ast.walk(arbre):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = n.args
            positionnels = [*a.posonlyargs, *a.args]
            paires = list(zip(positionnels[len(positionnels) - len(a.defaults) :], a.defaults, strict=True))
            paires += [(p, d) for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if d is not None]
            trouves += [(c.lineno, f"défaut de {p.arg}") for p, d in paires for c in nombres(d)]
        elif isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name):
            trouves += [(c.lineno, f"champ {n.target.id}") for c in nombres(n.value)]
        elif isinstance(n, ast.Assign):
            cibles = [t.id for t in n.targets if isinstance(t, ast.Name)]
            if any(NOMS_DISTANCE.search(c) for c in cibles) or isinstance(n.value, (ast.Tuple, ast.List)):
                trouves += [(c.lineno, f"constante {', '.join(cibles)}") for c in nombres(n.value)]
        elif isinstance(n, ast.Call):
            trouves += [
                (c.lineno, f"argument {k.arg}")
                for k in n.keywords
                if k.arg and NOMS_DISTANCE.search(k.arg)
                for c in nombres(k.value)
            ]
            trouves += [
                (c.lineno, "tuple de distances en argument")
                for a in n.args
                if isinstance(a, ast.Tuple)
                for c in nombres(a)
            ]
            trouves += [
                (c.lineno, "distance en argument")
                for a in n.args
                if isinstance(a, ast.Constant) and isinstance(a.value, float)
                for c in nombres(a)
            ]
    return trouves


@pytest.mark.parametrize(
    "ancien",
    [
        "def f(seuil: float = 1000.0): ...",
        "def f(*, rayon: float = 1000.0): ...",
        "class P:\n    bandes: tuple[float, ...] = (300.0, 1000.0)\n    seuil: float = 1000.0",
        "SEUILS_MARCHE = (300, 500, 1000, 1500, 2000)",
        "BANDES = (300.0, 1000.0)",
        "DISTANCE_DEFAUT = 500.0",
        "donnees.couverture_depot(sig, 1000.0, (300.0, 1000.0))",
        "st.select_slider('Distance', list(SEUILS), value=1000, key='seuil')",
        "Parametres(bandes=(300.0, seuil), seuil=seuil)",
        "metres = distance if distance is not None else 1000.0",
    ],
)
def test_le_controle_reconnait_les_anciennes_ecritures(ancien: str) -> None:
    assert _distances_ecrites(ancien), ancien


@pytest.mark.parametrize(
    "autre",
    [
        "DPI = 300",
        "_PAQUET = 500",
        "PROBLEMES_MAX = 1000",
        "if statut >= 500: pass",
        "km = metres / 1000",
        "arrondi = round(m) if m < 1000 else round(m, -1)",
        "rapport = ressource.validate(limit_errors=1000)",
        "st.dataframe(t, height=300)",
    ],
)
def test_le_controle_ignore_les_autres_nombres(autre: str) -> None:
    assert not _distances_ecrites(autre), autre


def test_aucune_distance_de_marche_ni_bande_hors_des_reglages() -> None:
    trouves = [
        f"{chemin.relative_to(RACINE)}:{ligne} ({pourquoi})"
        for chemin in sorted((RACINE / "ecosysteme").rglob("*.py"))
        if chemin != MODULE
        for ligne, pourquoi in _distances_ecrites(chemin.read_text(encoding="utf-8"))
    ]
    assert not trouves, "distances écrites hors de ecosysteme/domaine/reglages.py :\n" + "\n".join(trouves)
