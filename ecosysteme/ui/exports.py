"""Page « Exports » : the files of the feuille de route numérique for the chosen territory, in
one place — the fiche territoire of an EPCI (DOCX to edit, PDF to send), the geodata for a GIS
(GeoPackage in the metric CRS, GeoJSON in EPSG:4326) and where the other exports live (each map's
« Exporter cette carte », the gap matrix on « Lacunes », the national standard on « Inventaire »).
Every file is made on demand and offered only while the territory and settings are unchanged."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from ecosysteme.analyse.selection import Selection
from ecosysteme.domaine import reglages, standard
from ecosysteme.domaine.fichiers import ecrire_atomique
from ecosysteme.domaine.reglages import LIBELLE_DISTANCE
from ecosysteme.exports.fiche import SERVICE_DEFAUT, fiche_territoire, typographie
from ecosysteme.exports.geodonnees import exporter_geojson_couches, exporter_gpkg
from ecosysteme.ui import donnees
from ecosysteme.ui.widgets.entete import entete
from ecosysteme.ui.widgets.export_carte import fichier_prepare

CLE = "exports_"
MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _legende(texte: str) -> None:
    st.caption(typographie(texte))


def _fiche(siren: str, service: str, seuil: float, extension: str) -> Callable[[Path], Path]:
    def fabriquer(dossier: Path) -> Path:
        # the territory the pages already read (cached per store version): no store read here
        return fiche_territoire(
            donnees.charger(),
            siren,
            dossier / f"fiche_territoire_{siren}.{extension}",
            service=service,
            seuil=seuil,
        )

    return fabriquer


def _gpkg(selection: Selection) -> Callable[[Path], Path]:
    def fabriquer(dossier: Path) -> Path:
        return exporter_gpkg(
            donnees.charger(),
            dossier / f"ecosysteme_{selection.cle_fichier}.gpkg",
            siren_epci=selection.siren,
            insee_dep=None if selection.siren else list(selection.departements),
        )

    return fabriquer


def _geojson(selection: Selection) -> Callable[[Path], Path]:
    def fabriquer(dossier: Path) -> Path:
        couches = dossier / "couches"
        fichiers = exporter_geojson_couches(
            donnees.charger(),
            couches,
            siren_epci=selection.siren,
            insee_dep=None if selection.siren else list(selection.departements),
            prefixe=f"{selection.cle_fichier}_",
        )

        def zipper(tmp: Path) -> None:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
                for chemin in fichiers.values():
                    z.write(chemin, arcname=chemin.name)

        return ecrire_atomique(dossier / f"ecosysteme_{selection.cle_fichier}_geojson.zip", zipper)

    return fabriquer


def afficher() -> None:
    e = entete(
        "Exports de la feuille de route",
        typographie(
            "Les fichiers à joindre à la feuille de route numérique : fiche territoire, géodonnées pour un "
            "SIG. Les cartes s'exportent depuis chaque carte (« Exporter cette carte »), la matrice des "
            "lacunes depuis la page « Lacunes », l'inventaire au standard national depuis « Inventaire »."
        ),
    )
    if e is None:
        return
    vue = e.vue
    selection = vue.selection
    sig = donnees.signature()

    st.markdown("#### Fiche territoire")
    if selection.siren is None:
        st.info(
            typographie("La fiche territoire se fait pour un EPCI : choisissez-le dans la barre latérale.")
        )
    else:
        _legende(
            "Carte, chiffres clés, lacunes par quartier, quartiers sans offre, recommandation de lieu "
            "totem, sources et date ; typographie française. DOCX à compléter, PDF à diffuser."
        )
        c1, c2 = st.columns([3, 1])
        services = list(standard.enumerations()["services"])
        service = str(
            c1.selectbox(
                "Offre mesurée (carte et lieu totem)",
                services,
                index=services.index(SERVICE_DEFAUT),
                key=CLE + "service",
            )
        )
        seuil = float(
            c2.select_slider(
                LIBELLE_DISTANCE,
                list(reglages.DISTANCES_PROPOSEES),
                value=int(reglages.DISTANCE_MARCHE),
                key=CLE + "seuil",
            )
        )
        parametres = (sig, selection.siren, service, seuil)
        d1, d2 = st.columns(2)
        with d1:
            fichier_prepare(
                CLE + "fiche_docx",
                "Préparer la fiche (DOCX)",
                parametres,
                _fiche(selection.siren, service, seuil, "docx"),
                MIME_DOCX,
            )
        with d2:
            fichier_prepare(
                CLE + "fiche_pdf",
                "Préparer la fiche (PDF)",
                parametres,
                _fiche(selection.siren, service, seuil, "pdf"),
                "application/pdf",
            )

    st.markdown("#### Géodonnées")
    _legende(
        "Couches « qpv », « acteurs » (actifs et fermés, avec leur statut), « couverture » (une ligne "
        "par QPV, distances et nombres par offre) et « scenarios ». GeoPackage dans la projection "
        "métrique du territoire (Lambert-93 en métropole) pour QGIS ; GeoJSON en WGS 84 (EPSG:4326)."
    )
    g1, g2 = st.columns(2)
    with g1:
        fichier_prepare(
            CLE + "gpkg",
            "Préparer le GeoPackage",
            (sig, selection),
            _gpkg(selection),
            "application/geopackage+sqlite3",
        )
    with g2:
        fichier_prepare(
            CLE + "geojson",
            "Préparer les GeoJSON (zip)",
            (sig, selection),
            _geojson(selection),
            "application/zip",
        )
