"""The analysts' API (docs/api.md): the names exposed at the package's root resolve, load lazily,
and the example of docs/api.md runs on the Hauts-de-France store built by the tests."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ecosysteme

RACINE = Path(__file__).resolve().parents[1]


def test_chaque_nom_public_se_charge() -> None:
    assert ecosysteme.__all__ == sorted(ecosysteme._OU)
    for nom in ecosysteme.__all__:
        assert getattr(ecosysteme, nom) is not None, nom
    with pytest.raises(AttributeError):
        _ = ecosysteme.inexistant


def test_import_leger() -> None:
    """``import ecosysteme`` loads none of the heavy libraries (they come with the first use)."""
    code = "import sys, ecosysteme; print(sorted(m for m in ('geopandas', 'folium', 'streamlit') if m in sys.modules))"
    sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert sortie.stdout.strip() == "[]"


def test_erreurs_sont_aussi_les_exceptions_standard() -> None:
    from ecosysteme.domaine import erreurs

    assert issubclass(erreurs.FichierInvalide, ValueError)
    assert issubclass(erreurs.DonneeInvalide, ValueError)
    assert issubclass(erreurs.Introuvable, LookupError)
    assert issubclass(erreurs.DepotInvalide, OSError)
    with pytest.raises(LookupError):
        raise erreurs.Introuvable("acteur « x » introuvable.")
    # every error of the module means a built-in one besides Exception
    for classe in vars(erreurs).values():
        nos_erreurs = isinstance(classe, type) and issubclass(classe, erreurs.ErreurEcosysteme)
        if nos_erreurs and classe is not erreurs.ErreurEcosysteme:
            bases = [b for b in classe.__mro__ if b.__module__ == "builtins"]
            assert bases[0] not in (Exception, BaseException, object), classe


#: What numpydoc must not find in a public entry point (codes of ``numpydoc.validate``): no
#: docstring; a summary missing, without its period or opening in the third person (« Returns »);
#: a parameter undocumented, unknown, without description or not starting with a capital; a
#: function without ``Returns``, or a return value without description.
CODES_NUMPYDOC = ("GL08", "SS01", "SS03", "SS05", "PR01", "PR02", "PR07", "PR08", "RT01", "RT03")


def test_les_points_d_entree_ont_une_documentation_numpydoc() -> None:
    """Every name of ``ecosysteme.__all__`` keeps a numpydoc docstring, checked by numpydoc itself
    on the object of the module that defines it (``ecosysteme._OU``)."""
    from importlib import import_module

    from numpydoc.validate import validate

    fautes = []
    for nom in ecosysteme.__all__:
        objet = getattr(ecosysteme, nom)
        module = ecosysteme._OU[nom]
        assert getattr(import_module(module), nom) is objet, nom
        resultat = validate(f"{module}.{nom}")
        # numpydoc read the object itself (not a lazy stand-in): same type, same source file
        assert resultat["type"] == type(objet).__name__, (nom, resultat["type"])
        assert resultat["file"] == inspect.getsourcefile(objet), (nom, resultat["file"])
        codes = set(CODES_NUMPYDOC)
        if inspect.isclass(objet):
            codes.discard("RT01")
        if getattr(objet, "_is_protocol", False):
            # a Protocol has no constructor of its own: typing gives it « (*args, **kwargs) »
            codes -= {"PR01", "PR02"}
        fautes += [f"{nom} {code} : {message}" for code, message in resultat["errors"] if code in codes]
    assert not fautes, "\n".join(fautes)


@pytest.mark.donnees_reelles
def test_exemple_de_la_documentation(
    depot_hdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    texte = (RACINE / "docs" / "api.md").read_text(encoding="utf-8")
    blocs = re.findall(r"```python\n(.*?)```", texte, flags=re.S)
    assert len(blocs) == 1
    monkeypatch.setenv("ECOSYSTEME_STORE", str(depot_hdf))
    monkeypatch.chdir(tmp_path)
    espace: dict[str, object] = {}
    exec(compile(blocs[0], "docs/api.md", "exec"), espace)  # noqa: S102 - our own documentation
    sortie = capsys.readouterr().out
    assert "code_qp" in sortie
    carte = tmp_path / "maubeuge.html"
    assert carte.exists() and "leaflet" in carte.read_text(encoding="utf-8").lower()
    couv = espace["couv"]
    assert set(couv["code_qp"]) <= set(espace["qpv"]["code_qp"]) and len(espace["qpv"]) > 5  # type: ignore[index]
