"""The exporter command: maps, tables, the national standard, geodata, the fiche territoire."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ecosysteme.cli.commun import (
    OptionDepot,
    app,
    brut,
    console,
    echec,
    erreurs,
    ouvrir,
)
from ecosysteme.domaine import reglages
from ecosysteme.domaine.erreurs import ErreurEcosysteme

if TYPE_CHECKING:
    pass


#: Formats of `ecosysteme exporter`.
FORMATS_EXPORT = ("html", "pdf", "png", "xlsx", "csv", "standard", "gpkg", "geojson", "docx", "fiche-pdf")


@app.command()
def exporter(
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            help="pdf, png, xlsx, csv, standard, gpkg, geojson, docx ou fiche-pdf (fiche territoire).",
        ),
    ],
    sortie: Annotated[Path, typer.Option("--sortie", help="Dossier où écrire les fichiers.")],
    epci: Annotated[str | None, typer.Option("--epci", help="SIREN de l'EPCI.")] = None,
    departement: Annotated[
        str | None,
        typer.Option("--departement", help="Code du département : un fichier par EPCI ayant des QPV."),
    ] = None,
    orientation: Annotated[
        str, typer.Option("--orientation", help="Cartes : paysage ou portrait.")
    ] = "paysage",
    producteur: Annotated[
        str | None,
        typer.Option("--producteur", help="Standard : SIRET/SIREN du producteur (défaut : l'EPCI)."),
    ] = None,
    carte: Annotated[
        str,
        typer.Option(
            "--carte", help="Cartes (html, pdf, png) : couverture, totem (lieu totem) ou chevauchements."
        ),
    ] = "couverture",
    service: Annotated[
        list[str] | None,
        typer.Option("--service", help="Cartes : service du standard mesuré (répétable pour le lieu totem)."),
    ] = None,
    distance: Annotated[
        float | None,
        typer.Option(
            "--distance",
            help=(
                "Cartes : distance à vol d'oiseau en mètres "
                f"(défaut {reglages.DISTANCE_MARCHE:g} ; {reglages.DISTANCE_CHEVAUCHEMENT:g} "
                "entre offres qui se chevauchent)."
            ),
        ),
    ] = None,
    sites: Annotated[int, typer.Option("--sites", help="Lieu totem : nombre de sites (1 à 5).")] = 1,
    store: OptionDepot = None,
) -> None:
    """Les fichiers de la feuille de route : cartes A4 (PDF, PNG) et interactives (HTML) de la
    couverture, du lieu totem ou des chevauchements, matrice des lacunes (XLSX, CSV), inventaire au
    standard national, géodonnées (GeoPackage, GeoJSON), fiche territoire (DOCX, PDF) ; un fichier
    par EPCI."""
    import datetime as dt

    from ecosysteme.analyse.couverture import Parametres, filtres_famille
    from ecosysteme.analyse.lacunes import matrice
    from ecosysteme.analyse.resume import sirens
    from ecosysteme.analyse.territoire import Territoire
    from ecosysteme.domaine.fichiers import ecrire_texte
    from ecosysteme.exports.cartes import exporter_carte
    from ecosysteme.exports.geodonnees import exporter_geojson_couches, exporter_gpkg
    from ecosysteme.exports.standard import exporter_standard
    from ecosysteme.exports.tableaux import ecrire_tableau
    from ecosysteme.exports.vues import VUES, vue_epci

    if format_ not in FORMATS_EXPORT or orientation not in ("paysage", "portrait"):
        erreurs.print(
            f"[bold red]Erreur :[/] format parmi {', '.join(FORMATS_EXPORT)} ; "
            "orientation paysage ou portrait."
        )
        raise typer.Exit(code=2)
    if carte not in VUES or not 1 <= sites <= 5:
        erreurs.print(f"[bold red]Erreur :[/] carte parmi {', '.join(VUES)} ; --sites de 1 à 5.")
        raise typer.Exit(code=2)
    if distance is not None and not (math.isfinite(distance) and 0 < distance <= 5000):
        erreurs.print("[bold red]Erreur :[/] --distance en mètres, entre 0 et 5 000.")
        raise typer.Exit(code=2)
    metres = distance  # None: the map's default (reglages), chosen by vue_epci
    if (epci is None) == (departement is None):
        erreurs.print("[bold red]Erreur :[/] indiquez --epci ou --departement (l'un des deux).")
        raise typer.Exit(code=2)
    ecrits: list[Path] = []
    try:
        with ouvrir(store) as depot:
            qpv = depot.qpv(siren_epci=epci, insee_dep=departement)
            if qpv.empty:
                raise ErreurEcosysteme(
                    "aucun QPV pour ce territoire dans le dépôt (code exact ? données importées ?)."
                )
            liste = [epci] if epci else sorted({s for v in qpv["siren_epci"] for s in sirens(v)})
            # every EPCI of the atlas read at once: the store's actors once, not once per EPCI
            lu = Territoire.lire(depot, siren_epci=liste)
            for siren in liste:
                partie = lu.partie(siren_epci=siren)
                if format_ in ("html", "pdf", "png"):
                    vue = vue_epci(
                        partie, siren, carte, services=service or (), distance_m=metres, sites=sites
                    )
                    if format_ == "html":
                        ecrits.append(ecrire_texte(sortie / f"{vue.nom}.html", vue.html()))
                    else:
                        fig = vue.document(orientation)  # type: ignore[arg-type]
                        ecrits.append(exporter_carte(fig, sortie / f"{vue.nom}_{orientation}.{format_}"))
                elif format_ in ("xlsx", "csv"):
                    filtres = filtres_famille("service")
                    couv = partie.couverture(Parametres(filtres=filtres))
                    ecrits.append(
                        ecrire_tableau(
                            matrice(couv, partie.qpv, filtres), sortie / f"lacunes_{siren}.{format_}"
                        )
                    )
                elif format_ == "standard":
                    ecrits.append(
                        exporter_standard(
                            depot.lister(siren_epci=siren),
                            sortie,
                            producteur=producteur or siren,
                            date=dt.date.today(),
                            territoire=partie.nom or siren,
                        )
                    )
                elif format_ in ("docx", "fiche-pdf"):
                    from ecosysteme.exports.fiche import fiche_territoire

                    extension = "docx" if format_ == "docx" else "pdf"
                    ecrits.append(
                        fiche_territoire(partie, siren, sortie / f"fiche_territoire_{siren}.{extension}")
                    )
                elif format_ == "gpkg":
                    ecrits.append(
                        exporter_gpkg(partie, sortie / f"ecosysteme_{siren}.gpkg", siren_epci=siren)
                    )
                else:
                    ecrits.extend(
                        exporter_geojson_couches(
                            partie, sortie, siren_epci=siren, prefixe=f"{siren}_"
                        ).values()
                    )
    except (ErreurEcosysteme, OSError) as exc:
        raise echec(exc) from exc
    for chemin in ecrits:
        console.print(f"Écrit : {brut(chemin)}")
    console.print(f"{len(ecrits)} fichier(s) pour {len(liste)} EPCI.")
