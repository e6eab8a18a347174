"""« Exporter cette carte » : the block every map page ends with — the map as a self-contained
HTML page (opens with no network) and as an A4 page for a document (PDF or PNG at 300 dpi,
landscape or portrait), each prepared on demand (a button) and offered for download.

A prepared file is tied to the parameters it was made with (``parametres``): when the user
changes the territory, the offer or a filter, the old file is no longer offered (it would not
show what the page shows). :func:`fichier_prepare` is the one mechanism behind every such
button (also on the « Exports » page)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Hashable
from pathlib import Path

import streamlit as st
from matplotlib.figure import Figure

from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.fichiers import ecrire_texte
from ecosysteme.exports.cartes import Orientation, exporter_carte

ORIENTATIONS: dict[str, str] = {"paysage": "A4 paysage", "portrait": "A4 portrait"}
FORMATS: dict[str, tuple[str, str]] = {
    "pdf": ("PDF (document, texte sélectionnable)", "application/pdf"),
    "png": ("PNG (image 300 dpi)", "image/png"),
}


def bloc_export(
    cle: str,
    nom_fichier: str,
    parametres: Hashable,
    *,
    html: Callable[[], str],
    document: Callable[[Orientation], Figure],
) -> None:
    """The export block of a map page. ``cle``: prefix of the widget keys and of the session
    entries (``{cle}html``, ``{cle}document``: see :func:`fichier_prepare`); ``html`` returns
    the self-contained page, ``document`` draws the A4 page in the given orientation."""
    with st.expander("Exporter cette carte"):
        c1, c2 = st.columns(2)
        with c1:
            st.markdown("**Carte interactive** (un fichier HTML qui s'ouvre sans Internet)")
            fichier_prepare(
                cle + "html",
                "Préparer la carte HTML",
                parametres,
                lambda dossier: ecrire_texte(dossier / f"{nom_fichier}.html", html()),
                "text/html",
                telecharger="Télécharger la carte (HTML)",
            )
        with c2:
            st.markdown("**Carte pour un document** (A4, 300 dpi, légende, échelle, sources)")
            orientation = st.radio(
                "Page", list(ORIENTATIONS), format_func=ORIENTATIONS.__getitem__, key=cle + "orientation",
                horizontal=True,
            )  # fmt: skip
            format_ = st.radio(
                "Format",
                list(FORMATS),
                format_func=lambda f: FORMATS[f][0],
                key=cle + "format",
                horizontal=True,
            )
            fichier_prepare(
                cle + "document",
                "Préparer la carte A4",
                (parametres, orientation, format_),
                lambda dossier: exporter_carte(
                    document(orientation),  # type: ignore[arg-type]
                    dossier / f"{nom_fichier}_{orientation}.{format_}",
                ),
                FORMATS[format_][1],
                telecharger=f"Télécharger la carte A4 ({format_.upper()})",
            )


def fichier_prepare(
    cle: str,
    bouton: str,
    parametres: Hashable,
    fabriquer: Callable[[Path], Path],
    mime: str,
    *,
    telecharger: str | None = None,
) -> None:
    """A button that makes one file (``fabriquer(dossier)`` writes it in a temporary folder and
    returns its path) and, once made with the current ``parametres``, its download button
    labelled ``telecharger`` (the file keeps the name ``fabriquer`` gave it). The file is kept in
    ``st.session_state[cle]`` as (parametres, bytes, file name, mime). An
    :class:`ErreurEcosysteme` is shown in French; nothing is offered then."""
    if st.button(bouton, key=cle + "_bouton"):
        try:
            with st.spinner("Préparation du fichier…"), tempfile.TemporaryDirectory() as dossier:
                chemin = fabriquer(Path(dossier))
                st.session_state[cle] = (parametres, chemin.read_bytes(), chemin.name, mime)
        except ErreurEcosysteme as exc:
            st.session_state.pop(cle, None)
            st.error(exc.message)
    pret = st.session_state.get(cle)
    if pret and pret[0] == parametres:
        st.download_button(
            telecharger or f"Télécharger « {pret[2]} »",
            pret[1],
            file_name=pret[2],
            mime=pret[3],
            key=cle + "_telecharger",
        )
