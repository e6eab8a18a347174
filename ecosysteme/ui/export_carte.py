"""« Exporter cette carte » : the block every map page ends with — the map as a self-contained
HTML page (opens with no network) and as an A4 page for a document (PDF or PNG at 300 dpi,
landscape or portrait), each prepared on demand (a button) and offered for download.

A prepared file is tied to the parameters it was made with (``parametres``): when the user
changes the territory, the offer or a filter, the old file is no longer offered (it would not
show what the page shows)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Hashable
from pathlib import Path

import streamlit as st
from matplotlib.figure import Figure

from ecosysteme.errors import EcosystemeError
from ecosysteme.exports.cartes import Orientation, exporter_carte

ORIENTATIONS: dict[str, str] = {"paysage": "A4 paysage", "portrait": "A4 portrait"}
FORMATS: dict[str, tuple[str, str]] = {
    "pdf": ("PDF (document, texte sélectionnable)", "application/pdf"),
    "png": ("PNG (image 300 dpi)", "image/png"),
}


def _octets(fig: Figure, suffixe: str) -> bytes:
    with tempfile.TemporaryDirectory() as dossier:
        return exporter_carte(fig, Path(dossier) / f"carte.{suffixe}").read_bytes()


def bloc_export(
    cle: str,
    nom_fichier: str,
    parametres: Hashable,
    *,
    html: Callable[[], str] | None,
    document: Callable[[Orientation], Figure] | None,
    pourquoi_pas_de_document: str | None = None,
) -> None:
    """The export block of a map page. ``cle``: prefix of the widget keys and of the session
    entries (``{cle}html``, ``{cle}document``: (parametres, bytes, file name, mime)); ``html``
    returns the self-contained page, ``document`` draws the A4 page in the given orientation
    (None: no document for this view, ``pourquoi_pas_de_document`` says why)."""
    with st.expander("Exporter cette carte"):
        c1, c2 = st.columns(2)
        with c1:
            st.markdown("**Carte interactive** (un fichier HTML qui s'ouvre sans Internet)")
            if html is not None and st.button("Préparer la carte HTML", key=cle + "html_bouton"):
                st.session_state[cle + "html"] = (parametres, html().encode("utf-8"))
            pret = st.session_state.get(cle + "html")
            if pret and pret[0] == parametres:
                st.download_button(
                    "Télécharger la carte (HTML)",
                    pret[1],
                    file_name=f"{nom_fichier}.html",
                    mime="text/html",
                    key=cle + "html_telecharger",
                )
        with c2:
            st.markdown("**Carte pour un document** (A4, 300 dpi, légende, échelle, sources)")
            if document is None:
                st.caption(pourquoi_pas_de_document or "Pas de carte A4 pour cette vue.")
                return
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
            voulu = (parametres, orientation, format_)
            if st.button("Préparer la carte A4", key=cle + "document_bouton"):
                try:
                    with st.spinner("Dessin de la carte A4…"):
                        octets = _octets(document(orientation), format_)  # type: ignore[arg-type]
                except EcosystemeError as exc:
                    st.error(exc.message)
                    return
                nom = f"{nom_fichier}_{orientation}.{format_}"
                st.session_state[cle + "document"] = (voulu, octets, nom, FORMATS[format_][1])
            doc = st.session_state.get(cle + "document")
            if doc and doc[0] == voulu:
                st.download_button(
                    f"Télécharger la carte A4 ({format_.upper()})",
                    doc[1],
                    file_name=doc[2],
                    mime=doc[3],
                    key=cle + "document_telecharger",
                )


def fichier_prepare(
    cle: str,
    bouton: str,
    parametres: Hashable,
    fabriquer: Callable[[Path], Path],
    mime: str,
    *,
    aide: str | None = None,
) -> None:
    """A button that makes one file (``fabriquer(dossier)`` writes it in a temporary folder and
    returns its path) and, once made with the current ``parametres``, its download button (the
    file keeps the name ``fabriquer`` gave it). An :class:`EcosystemeError` is shown in French;
    nothing is offered then."""
    if st.button(bouton, key=cle + "_bouton", help=aide):
        try:
            with st.spinner("Préparation du fichier…"), tempfile.TemporaryDirectory() as dossier:
                chemin = fabriquer(Path(dossier))
                st.session_state[cle] = (parametres, chemin.read_bytes(), chemin.name, mime)
        except EcosystemeError as exc:
            st.session_state.pop(cle, None)
            st.error(exc.message)
    pret = st.session_state.get(cle)
    if pret and pret[0] == parametres:
        st.download_button(
            f"Télécharger « {pret[2]} »", pret[1], file_name=pret[2], mime=pret[3], key=cle + "_telecharger"
        )
