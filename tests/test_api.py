"""The analysts' API (docs/api.md): the names exposed at the package's root resolve, load lazily,
and the example of docs/api.md runs on the Hauts-de-France store built by the tests."""

from __future__ import annotations

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
    assert issubclass(erreurs.IntrouvableError, LookupError)
    assert issubclass(erreurs.StoreInvalide, OSError)
    with pytest.raises(LookupError):
        raise erreurs.IntrouvableError("acteur « x » introuvable.")
    # every error of the module means a built-in one besides Exception
    for classe in vars(erreurs).values():
        nos_erreurs = isinstance(classe, type) and issubclass(classe, erreurs.EcosystemeError)
        if nos_erreurs and classe is not erreurs.EcosystemeError:
            bases = [b for b in classe.__mro__ if b.__module__ == "builtins"]
            assert bases[0] not in (Exception, BaseException, object), classe


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
