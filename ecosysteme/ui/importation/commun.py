"""What the steps of the import wizard share: the private upload folders, the session keys, the
running of a step (in a child process for a large upload), the French error."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import streamlit as st

from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.inventaire import assistant
from ecosysteme.sources import televersement as tv
from ecosysteme.ui.texte import md

log = logging.getLogger(__name__)

#: Environment variable naming the folder of the private upload folders (default: the system's
#: temporary folder / ``ecosysteme-televersements-<uid>``).
ENV_TELEVERSEMENTS = "ECOSYSTEME_TELEVERSEMENTS"
#: The upload widget's own limit (Mo), above ours (``tv.TAILLE_MAX``): between the two, our code
#: refuses in French; Streamlit's server accepts 200 Mo by default (``server.maxUploadSize``).
TAILLE_NAVIGATEUR_MO = 2 * tv.TAILLE_MAX // tv.MIO

# session_state keys
LECTURE = "import_lecture"
PREPARATION = "import_preparation"
SIMULATION = "import_simulation"
FAIT = "import_fait"
MESSAGE = "import_message"


def dossier_televersements() -> Path:
    """Where each upload gets its private temporary folder (one per system user by default)."""
    env = os.environ.get(ENV_TELEVERSEMENTS)
    if env:
        return Path(env)
    uid = getattr(os, "getuid", None)
    suffixe = f"-{uid()}" if uid is not None else ""
    return Path(tempfile.gettempdir()) / f"ecosysteme-televersements{suffixe}"


def nom_source(nom_fichier: str) -> str:
    """The default source name: the file's name without its extension."""
    nom = PurePosixPath(nom_fichier)
    return nom.stem if nom.suffix else nom.name


def erreur(exc: ErreurEcosysteme) -> None:
    """A refusal, in French, on the page."""
    st.error(md(str(exc)))


T = TypeVar("T")


def executer(tel: tv.Televersement, fonction: Callable[..., T], *args: Any) -> T:
    """One step of the wizard: in a child process for a large upload (the server gives its
    memory back when the step is done), here otherwise."""
    if assistant.a_isoler(tel):
        return assistant.executer(fonction, tel, *args)
    return fonction(tel, *args)


def cle_import(
    tel: tv.Televersement,
    format_: str,
    correspondance: Mapping[str, str] | None,
    source: str | None,
    auteur: str,
) -> tuple[Any, ...]:
    """What a dry run and an import are made for: the file, its format, the chosen mapping, the
    source and the editor (a result made for another key is not offered)."""
    return (tel.sha256, format_, tuple(sorted((correspondance or {}).items())), source, auteur)
