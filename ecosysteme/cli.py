"""The ``ecosysteme`` command: French words, exit code 0 on success, a clear message otherwise."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from ecosysteme.domaine import config
from ecosysteme.domaine.erreurs import EcosystemeError, TelechargementImpossible
from ecosysteme.domaine.validation import sans_controles

if TYPE_CHECKING:
    from ecosysteme.depot import Depot

app = typer.Typer(
    name="ecosysteme",
    help="Inclusion numérique autour des quartiers prioritaires (QPV) : données, couverture, carte.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(width=None if sys.stdout.isatty() else 200, emoji=False)
erreurs = Console(stderr=True, emoji=False)


def _brut(texte: object) -> str:
    """A text from the data or the user, printed as it is through Rich: invisible characters
    (terminal escape sequences, bidirectional overrides…) removed, Rich markup escaped (``[/]``
    in a value made Rich fail after the data was stored)."""
    return escape(sans_controles(str(texte)))


StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store", help=f"Fichier du dépôt GeoPackage (défaut : ${config.ENV_STORE} ou data/ecosysteme.gpkg)."
    ),
]
AuteurOpt = Annotated[str | None, typer.Option("--auteur", help="Nom inscrit au journal des modifications.")]
RegionOpt = Annotated[str, typer.Option("--region", help="Code INSEE de la région (32 : Hauts-de-France).")]
MiroirOpt = Annotated[
    str | None,
    typer.Option(
        "--miroir",
        help=f"Dossier local ou URL de base remplaçant les sources officielles (${config.ENV_MIROIR}).",
    ),
]

#: Import order: territories first, then populations, then actors.
ORDRE_IMPORT = (
    "communes",
    "epci",
    "qpv",
    "population",
    "france-services",
    "conseillers-numeriques",
    "data-inclusion",
    "bibliotheques",
    "standard",
)


def _milliers(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _sans_offre(ligne: dict[Hashable, Any]) -> str:
    pop_v, dist_v = ligne["population"], ligne["distance_m"]
    pop = "population inconnue" if pop_v is None or pop_v != pop_v else f"{_milliers(int(pop_v))} hab."
    dist = (
        "aucun acteur dans le territoire"
        if dist_v is None or dist_v != dist_v
        else f"plus proche à {_milliers(round(float(dist_v)))} m"
    )
    return f"{ligne['code_qp']} {ligne['lib_qp']} — {pop}, {dist}"


def _echec(exc: EcosystemeError | OSError) -> typer.Exit:
    msg = (
        exc.message
        if isinstance(exc, EcosystemeError)
        else f"{exc.strerror or exc} ({getattr(exc, 'filename', '')})"
    )
    if isinstance(exc, EcosystemeError) and str(exc.emplacement):
        msg = f"{exc.emplacement} : {msg}"
    erreurs.print(f"[bold red]Erreur :[/] {_brut(msg)}", highlight=False)
    return typer.Exit(code=1)


def _ouvrir(store: Path | None, creer: bool = False) -> Depot:
    from ecosysteme.depot import ouvrir_depot

    chemin = config.store_path(store)
    if not creer and not chemin.exists():
        raise EcosystemeError(
            f"le dépôt « {chemin} » n'existe pas encore : lancez `ecosysteme init` (ou `make run`)."
        )
    chemin.parent.mkdir(parents=True, exist_ok=True)
    return ouvrir_depot(chemin, creer=creer)


@app.command()
def init(store: StoreOpt = None) -> None:
    """Créer le dépôt (GeoPackage, lisible par QGIS) s'il n'existe pas ; vérifier son intégrité sinon."""
    try:
        with _ouvrir(store, creer=True) as depot:
            n = depot.compter()
    except (EcosystemeError, OSError) as exc:
        raise _echec(exc) from exc
    console.print(f"Dépôt prêt : {_brut(config.store_path(store))} ({n} acteurs).")


@app.command()
def telecharger(
    miroir: MiroirOpt = None,
    region: RegionOpt = config.REGION_PAR_DEFAUT,
    forcer: Annotated[bool, typer.Option("--forcer", help="Ignorer le cache et tout retélécharger.")] = False,
) -> None:
    """Télécharger les données officielles (QPV, populations, territoires, acteurs) dans le cache."""
    from ecosysteme.sources import catalogue as catalog
    from ecosysteme.sources import telechargement as download

    try:
        res = download.telecharger(catalog.sources(), region=region, miroir=miroir, forcer=forcer)
    except (EcosystemeError, OSError) as exc:
        raise _echec(exc) from exc
    console.print(_brut(download.resume(res)), highlight=False)


@app.command()
def importer(
    fichiers: Annotated[list[Path], typer.Argument(help="Fichier(s) à importer.", exists=False)],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="auto, standard, france-services, conseillers-numeriques, "
            "data-inclusion, bibliotheques, qpv, population, communes, epci, arrets "
            "(arrêts de services itinérants : une ligne par arrêt avec id_service)",
        ),
    ] = "auto",
    simulation: Annotated[
        bool, typer.Option("--simulation", help="Tout vérifier sans rien enregistrer.")
    ] = False,
    region: Annotated[str | None, typer.Option("--region", help="Ne garder que cette région.")] = None,
    strict: Annotated[
        bool | None,
        typer.Option(
            "--strict/--tolerant",
            help="Valeur hors standard : rejeter la ligne (strict) ou l'ignorer avec un avertissement.",
        ),
    ] = None,
    store: StoreOpt = None,
    auteur: AuteurOpt = None,
) -> None:
    """Importer un ou plusieurs fichiers ; chaque fichier est un lot, enregistré en entier ou pas du tout."""
    from ecosysteme.inventaire.importation import FORMATS, importer_fichier

    if format not in FORMATS:
        erreurs.print(
            f"[bold red]Erreur :[/] format « {_brut(format)} » inconnu ; possibles : {', '.join(FORMATS)}."
        )
        raise typer.Exit(code=2)
    code = 0
    try:
        depot = None if simulation else _ouvrir(store, creer=True)
    except (EcosystemeError, OSError) as exc:
        raise _echec(exc) from exc
    try:
        for f in fichiers:
            try:
                r = importer_fichier(
                    f,
                    depot,
                    format=format,
                    simulation=simulation,
                    auteur=config.auteur(auteur),
                    region=region,
                    strict=strict,
                )
            except (EcosystemeError, OSError) as exc:
                _echec(exc)
                erreurs.print("  Rien n'a été enregistré pour ce fichier.")
                code = 1
                continue
            console.print(_brut(r.resume()), highlight=False)
            if r.acceptees == 0 and r.lignes_lues > 0:
                code = 1
    finally:
        if depot is not None:
            depot.close()
    raise typer.Exit(code=code)


@app.command()
def preparer(
    miroir: MiroirOpt = None,
    region: RegionOpt = config.REGION_PAR_DEFAUT,
    store: StoreOpt = None,
    auteur: AuteurOpt = None,
) -> None:
    """Télécharger les données officielles du territoire et construire le dépôt (déjà importé : ignoré)."""
    try:
        preparer_depot(store=store, miroir=miroir, region=region, auteur=config.auteur(auteur))
    except (EcosystemeError, OSError) as exc:
        raise _echec(exc) from exc


def preparer_depot(*, store: Path | None, miroir: str | None, region: str, auteur: str) -> int:
    """Download then import every catalog source not yet imported; returns the number of imports."""
    from ecosysteme.inventaire.importation import importer_fichier
    from ecosysteme.sources import catalogue as catalog
    from ecosysteme.sources import telechargement as download

    sources = catalog.sources()
    res = download.telecharger(sources, region=region, miroir=miroir, progression=sys.stdout.isatty())
    par_id = {s.id: s for s in sources}
    prets = [r for r in res if r.ok]
    for r in res:
        if not r.ok:
            console.print(f"  [yellow]—[/] {_brut(r.source_id)} : {_brut(r.raison)}", highlight=False)
    prets.sort(key=lambda r: ORDRE_IMPORT.index(par_id[r.source_id].importeur))
    n = 0
    echecs: list[str] = []
    with _ouvrir(store, creer=True) as depot:
        deja = {(lot.sha256, lot.format) for lot in depot.lots() if not lot.annule}
        couches = {"qpv": "qpv", "population": "qpv_populations", "communes": "communes", "epci": "epci"}
        for fmt, couche in couches.items():
            src_couche = depot.etat_territoire().get(couche, {}).get("source", "")
            if src_couche:
                deja.add((src_couche.rsplit(" ", 1)[-1], fmt))
        for r in prets:
            src = par_id[r.source_id]
            if (r.sha256, src.importeur) in deja:
                console.print(f"  [green]✓[/] {_brut(src.id)} : déjà importé.")
                continue
            assert r.chemin is not None
            try:
                rapport = importer_fichier(
                    r.chemin, depot, format=src.importeur, auteur=auteur, region=region, nom=r.chemin.name
                )
            except EcosystemeError as exc:  # that source only: each import is its own transaction
                echecs.append(src.id)
                _echec_source(src.id, r.origine, str(exc))
                continue
            if rapport.acceptees == 0 and rapport.lignes_lues > 0:
                echecs.append(src.id)
                raison = rapport.rejets[0].texte(rapport.fichier) if rapport.rejets else "aucune ligne valide"
                _echec_source(
                    src.id, r.origine, f"aucune des {rapport.lignes_lues} lignes acceptée ({raison})"
                )
                continue
            n += 1
            console.print(
                f"  [green]✓[/] {_brut(src.id)} : {rapport.acceptees} acceptés, {rapport.rejetees} rejetés"
                + (f", {rapport.ignorees} hors région" if rapport.ignorees else ""),
                highlight=False,
            )
    if echecs:
        raise EcosystemeError(
            f"{len(echecs)} source(s) non importée(s) : {', '.join(echecs)} (voir ci-dessus) ; "
            "les autres l'ont été."
        )
    return n


def _echec_source(source: str, origine: str | None, message: str) -> None:
    """One source of ``preparer`` that could not be imported (the others are)."""
    de = f" (obtenue de « {origine} »)" if origine else ""
    erreurs.print(f"  [bold red]✗[/] {_brut(source)}{de} : {_brut(message)}", highlight=False)
    erreurs.print("    Rien n'a été enregistré pour cette source.", highlight=False)


@app.command()
def stats(
    epci: Annotated[str | None, typer.Option("--epci", help="SIREN de l'EPCI.")] = None,
    store: StoreOpt = None,
) -> None:
    """Résumé du territoire : QPV, habitants des QPV, acteurs par catégorie, par EPCI."""
    from ecosysteme.analyse.resume import (
        CATEGORIES,
        chiffres_cles,
        dans_les_territoires,
        rattacher,
        resume_par_epci,
    )

    try:
        with _ouvrir(store) as depot:
            epcis = depot.epci(siren_epci=epci)
            if epci is not None and epcis.empty:
                raise EcosystemeError(f"EPCI « {epci} » absent du dépôt (SIREN à 9 chiffres attendu).")
            qpv = depot.qpv(siren_epci=epci)
            acteurs = rattacher(depot.acteurs_gdf(siren_epci=epci), depot.communes())
            if epci is not None:
                acteurs = acteurs[dans_les_territoires(acteurs, "epci_geo", (epci,))]  # stops included
    except (EcosystemeError, OSError) as exc:
        raise _echec(exc) from exc
    df = resume_par_epci(qpv, acteurs, epcis)
    t = RichTable(title="Résumé par EPCI")
    for col in ("EPCI", "QPV", "Habitants QPV", *CATEGORIES):
        t.add_column(col, justify="left" if col == "EPCI" else "right")
    for d in df.to_dict("records"):
        pop = d["population_qpv"]
        pop_txt = "inconnue" if pd.isna(pop) else _milliers(int(pop))
        if d["qpv_population_inconnue"]:
            pop_txt += f" (+{d['qpv_population_inconnue']} QPV inconnus)"
        t.add_row(
            _brut(f"{d['nom_epci'] or ''} ({d['siren_epci']})"),
            str(d["qpv"]),
            pop_txt,
            *[str(d[c]) for c in CATEGORIES],
        )
    console.print(t)
    cles = chiffres_cles(qpv, acteurs)
    total_pop, n_qpv, n_act = (
        int(str(cles["population_qpv"])),
        int(str(cles["qpv"])),
        int(str(cles["acteurs"])),
    )
    console.print(f"Total : {n_qpv} QPV, {_milliers(total_pop)} habitants en QPV, {n_act} acteurs actifs.")


@app.command()
def couverture(
    epci: Annotated[str | None, typer.Option("--epci", help="SIREN de l'EPCI.")] = None,
    departement: Annotated[str | None, typer.Option("--departement", help="Code du département.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Code INSEE de la région.")] = None,
    france: Annotated[bool, typer.Option("--france", help="Tous les QPV (métropole et outre-mer).")] = False,
    service: Annotated[
        list[str] | None, typer.Option("--service", help="Service du standard (répétable).")
    ] = None,
    filtre_: Annotated[
        list[str] | None,
        typer.Option(
            "--filtre",
            help="Autre filtre : tous, gratuit, categorie:Médiathèque, public:Seniors… (répétable).",
        ),
    ] = None,
    seuil: Annotated[
        float, typer.Option("--seuil", help="Distance à vol d'oiseau (m) pour « couvert ».")
    ] = 1000.0,
    bandes: Annotated[
        str, typer.Option("--bandes", help="Bandes de distance en mètres, séparées par des virgules.")
    ] = "300,1000",
    sortie: Annotated[
        Path | None, typer.Option("--sortie", help="Fichier .csv, .xlsx ou .gpkg (une ligne par QPV).")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Ce qui est à portée de chaque QPV : nombre d'acteurs dedans et par bande, distance au plus proche."""
    from ecosysteme.analyse.couverture import Parametres, filtre, tous_les_filtres
    from ecosysteme.analyse.couverture import couverture as calculer
    from ecosysteme.analyse.lacunes import qpv_sans_offre, resume_couverture, tableau_large
    from ecosysteme.exports.tableaux import ecrire_tableau

    choix = [x for x in (epci, departement, region) if x] + (["france"] if france else [])
    if len(choix) != 1:
        erreurs.print(
            "[bold red]Erreur :[/] indiquez exactement un territoire : "
            "--epci, --departement, --region ou --france."
        )
        raise typer.Exit(code=2)
    try:
        cles = [f"service:{s}" for s in (service or [])] + list(filtre_ or [])
        filtres = tuple(filtre(c) for c in cles) if cles else tous_les_filtres()
        if cles and all(f.famille != "tous" for f in filtres):
            filtres = (filtre("tous"), *filtres)
        try:
            liste_bandes = tuple(float(b) for b in bandes.split(",") if b.strip())
        except ValueError as exc:
            raise EcosystemeError(
                f"bandes « {bandes} » : des nombres de mètres séparés par des virgules sont attendus."
            ) from exc
        p = Parametres(bandes=liste_bandes, seuil=seuil, filtres=filtres)
        with _ouvrir(store) as depot:
            qpv = depot.qpv(siren_epci=epci, insee_dep=departement, insee_reg=region)
            if qpv.empty:
                raise EcosystemeError(
                    "aucun QPV pour ce territoire dans le dépôt (code exact ? données importées ?)."
                )
            acteurs = depot.acteurs_gdf()
        couv = calculer(qpv, acteurs, p)
        if sortie is not None:
            ecrire_tableau(tableau_large(couv, qpv), sortie, gdf=qpv)
    except (EcosystemeError, OSError) as exc:
        raise _echec(exc) from exc
    par = "siren_epci" if epci else "insee_dep"
    resume = resume_couverture(couv, qpv, acteurs, p, par=par)
    groupe = epci or departement or None
    vue = resume[resume[par] == groupe] if groupe else resume
    t = RichTable(title=f"Part des habitants des QPV ayant l'offre à moins de {seuil:g} m à vol d'oiseau")
    for col in ("filtre", "QPV couverts", "habitants couverts", "part", "acteurs à portée / 10 000 hab."):
        t.add_column(col, justify="left" if col == "filtre" else "right")
    agreg = vue.groupby("filtre", sort=False).agg(
        qpv=("qpv", "sum"),
        couverts=("qpv_couverts", "sum"),
        pop=("population_qpv", "sum"),
        popc=("population_couverte", "sum"),
        acteurs=("acteurs_a_portee", "sum"),
    )
    for f in p.filtres:
        if f.cle not in agreg.index:
            continue
        r: dict[str, float] = {str(k): float(v) for k, v in agreg.loc[f.cle].to_dict().items()}
        part = f"{100 * r['popc'] / r['pop']:.0f} %" if r["pop"] else "inconnue"
        densite = f"{10_000 * r['acteurs'] / r['pop']:.1f}" if r["pop"] else "inconnue"
        t.add_row(
            _brut(f.libelle),
            f"{r['couverts']:.0f}/{r['qpv']:.0f}",
            _milliers(round(r["popc"])),
            part,
            densite,
        )
    console.print(t)
    sans = qpv_sans_offre(couv, qpv, "tous")
    if len(sans):
        console.print(f"QPV sans aucun acteur à moins de {seuil:g} m ({len(sans)}), par nombre d'habitants :")
        for ligne in sans.head(15).to_dict("records"):
            console.print(f"  {_brut(_sans_offre(ligne))}", highlight=False)
    else:
        console.print(f"Tous les QPV ont au moins un acteur à moins de {seuil:g} m.")
    if sortie is not None:
        console.print(f"Tableau écrit : {_brut(sortie)} ({len(qpv)} QPV).")


@app.command()
def totem(
    epci: Annotated[str, typer.Option("--epci", help="SIREN de l'EPCI.")],
    service: Annotated[
        list[str] | None,
        typer.Option(
            "--service", help="Service du standard que le lieu offrira (répétable ; aucun : tout acteur)."
        ),
    ] = None,
    rayon: Annotated[
        float, typer.Option("--rayon", help="Distance à vol d'oiseau (m) qui compte comme « à portée ».")
    ] = 1000.0,
    sites: Annotated[int, typer.Option("--sites", help="Nombre de sites à choisir (1 à 10).")] = 1,
    candidats: Annotated[
        str,
        typer.Option(
            "--candidats", help="« acteurs » (lieux existants), « grille » ou un fichier de points."
        ),
    ] = "acteurs",
    sortie: Annotated[
        Path | None,
        typer.Option(
            "--sortie",
            help="Fichier .csv ou .xlsx : un fichier par tableau (sites, qpv, doublons, alternatives).",
        ),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Où implanter le lieu totem : les sites qui atteignent le plus d'habitants des QPV non couverts."""
    from ecosysteme.analyse.totem import totem_epci
    from ecosysteme.exports.tableaux import ecrire_tableau

    try:
        with _ouvrir(store) as depot:
            res, expl = totem_epci(
                depot, epci, service=service or None, rayon=rayon, sites=sites, candidats=candidats
            )
        ecrits: list[Path] = []
        if sortie is not None:
            for nom, tableau in expl.tableaux().items():
                ecrits.append(
                    ecrire_tableau(tableau, sortie.with_name(f"{sortie.stem}_{nom}{sortie.suffix}"))
                )
    except (EcosystemeError, OSError) as exc:
        raise _echec(exc) from exc
    offre = ", ".join(service) if service else "tout acteur"
    console.print(
        f"Lieu totem, EPCI {_brut(epci)}, offre : {_brut(offre)}, à moins de {rayon:g} m à vol d'oiseau, "
        f"{sites} site(s) parmi "
        f"{len(res.candidats)} candidats ({res.methode}, {res.statut}"
        + (f", écart {100 * res.ecart:.1f} %" if res.ecart > 0 else "")
        + ")."
    )
    console.print(f"Habitants des QPV nouvellement à portée : {_milliers(res.objectif)}.")
    t = RichTable(title="Sites retenus")
    for col in (
        "site",
        "origine",
        "QPV atteints",
        "habitants atteints",
        "dont nouveaux",
        "acteurs en doublon",
    ):
        t.add_column(col, justify="left" if col in ("site", "origine") else "right")
    for r in expl.sites.to_dict("records"):
        t.add_row(
            _brut(r["libelle"]),
            _brut(r["origine"]),
            str(r["qpv_atteints"]),
            _milliers(int(r["habitants_atteints"])),
            _milliers(int(r["habitants_nouveaux"])),
            str(r["acteurs_en_doublon"]),
        )
    console.print(t)
    for a in res.avertissements:
        console.print(f"[yellow]Attention :[/] {_brut(a)}", highlight=False)
    for chemin in ecrits:
        console.print(f"Tableau écrit : {_brut(chemin)}")


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
                "(défaut 1000 ; 500 entre offres qui se chevauchent)."
            ),
        ),
    ] = None,
    sites: Annotated[int, typer.Option("--sites", help="Lieu totem : nombre de sites (1 à 5).")] = 1,
    store: StoreOpt = None,
) -> None:
    """Les fichiers de la feuille de route : cartes A4 (PDF, PNG) et interactives (HTML) de la
    couverture, du lieu totem ou des chevauchements, matrice des lacunes (XLSX, CSV), inventaire au
    standard national, géodonnées (GeoPackage, GeoJSON), fiche territoire (DOCX, PDF) ; un fichier
    par EPCI."""
    import datetime as dt

    from ecosysteme.analyse.chevauchements import DISTANCE_DEFAUT
    from ecosysteme.analyse.couverture import Parametres, filtres_famille
    from ecosysteme.analyse.couverture import couverture as calculer
    from ecosysteme.analyse.lacunes import matrice
    from ecosysteme.analyse.resume import sirens
    from ecosysteme.exports.cartes import exporter_carte
    from ecosysteme.exports.geodonnees import exporter_geojson_couches, exporter_gpkg
    from ecosysteme.exports.standard import exporter_standard
    from ecosysteme.exports.tableaux import ecrire_tableau, ecrire_texte
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
    metres = distance if distance is not None else DISTANCE_DEFAUT if carte == "chevauchements" else 1000.0
    if (epci is None) == (departement is None):
        erreurs.print("[bold red]Erreur :[/] indiquez --epci ou --departement (l'un des deux).")
        raise typer.Exit(code=2)
    ecrits: list[Path] = []
    try:
        with _ouvrir(store) as depot:
            qpv = depot.qpv(siren_epci=epci, insee_dep=departement)
            if qpv.empty:
                raise EcosystemeError(
                    "aucun QPV pour ce territoire dans le dépôt (code exact ? données importées ?)."
                )
            liste = [epci] if epci else sorted({s for v in qpv["siren_epci"] for s in sirens(v)})
            tous_epci = depot.epci()
            noms = dict(zip(tous_epci["siren_epci"], tous_epci["nom_epci"], strict=True))
            acteurs = depot.acteurs_gdf() if format_ in ("xlsx", "csv") else None
            for siren in liste:
                nom = noms.get(siren, siren)
                if format_ in ("html", "pdf", "png"):
                    vue = vue_epci(
                        depot, siren, carte, services=service or (), distance_m=metres, sites=sites
                    )
                    if format_ == "html":
                        ecrits.append(ecrire_texte(sortie / f"{vue.nom}.html", vue.html()))
                    else:
                        fig = vue.document(orientation)  # type: ignore[arg-type]
                        ecrits.append(exporter_carte(fig, sortie / f"{vue.nom}_{orientation}.{format_}"))
                elif format_ in ("xlsx", "csv"):
                    q = depot.qpv(siren_epci=siren)
                    filtres = filtres_famille("service")
                    couv = calculer(q, acteurs, Parametres(filtres=filtres))
                    ecrits.append(
                        ecrire_tableau(matrice(couv, q, filtres), sortie / f"lacunes_{siren}.{format_}")
                    )
                elif format_ == "standard":
                    ecrits.append(
                        exporter_standard(
                            depot.lister(siren_epci=siren),
                            sortie,
                            producteur=producteur or siren,
                            date=dt.date.today(),
                            territoire=nom,
                        )
                    )
                elif format_ in ("docx", "fiche-pdf"):
                    from ecosysteme.exports.fiche import fiche_territoire

                    extension = "docx" if format_ == "docx" else "pdf"
                    ecrits.append(
                        fiche_territoire(depot, siren, sortie / f"fiche_territoire_{siren}.{extension}")
                    )
                elif format_ == "gpkg":
                    ecrits.append(exporter_gpkg(depot, sortie / f"ecosysteme_{siren}.gpkg", siren_epci=siren))
                else:
                    ecrits.extend(
                        exporter_geojson_couches(
                            depot, sortie, siren_epci=siren, prefixe=f"{siren}_"
                        ).values()
                    )
    except (EcosystemeError, OSError) as exc:
        raise _echec(exc) from exc
    for chemin in ecrits:
        console.print(f"Écrit : {_brut(chemin)}")
    console.print(f"{len(ecrits)} fichier(s) pour {len(liste)} EPCI.")


@app.command()
def lots(store: StoreOpt = None) -> None:
    """Lister les lots d'import (fichier, date, nombres, annulé ou non)."""
    try:
        with _ouvrir(store) as depot:
            liste = depot.lots()
    except (EcosystemeError, OSError) as exc:
        raise _echec(exc) from exc
    t = RichTable(title="Lots d'import")
    for col in ("n°", "fichier", "format", "date", "auteur", "créés", "mis à jour", "rejetées", "état"):
        t.add_column(col)
    for lot in liste:
        t.add_row(
            str(lot.id),
            _brut(lot.fichier),
            _brut(lot.format),
            lot.debut.strftime("%d/%m/%Y %H:%M"),
            _brut(lot.auteur),
            str(lot.crees),
            str(lot.mis_a_jour),
            str(lot.rejetees),
            "annulé" if lot.annule else "actif",
        )
    console.print(t)


@app.command("annuler-lot")
def annuler_lot(lot_id: int, store: StoreOpt = None, auteur: AuteurOpt = None) -> None:
    """Annuler un lot d'import entier (refusé si un acteur a été modifié depuis)."""
    try:
        with _ouvrir(store) as depot:
            lot = depot.annuler_lot(lot_id, config.auteur(auteur))
    except (EcosystemeError, OSError) as exc:
        raise _echec(exc) from exc
    console.print(f"Lot n° {lot.id} ({_brut(lot.fichier)}) annulé.")


@app.command()
def lancer(
    port: Annotated[int, typer.Option("--port", help="Port HTTP de l'application.")] = 8501,
    adresse: Annotated[str, typer.Option("--adresse", help="Adresse d'écoute.")] = "127.0.0.1",
    preparer_donnees: Annotated[
        bool, typer.Option("--preparer/--sans-preparer", help="Construire le dépôt d'abord s'il est vide.")
    ] = False,
    miroir: MiroirOpt = None,
    region: RegionOpt = config.REGION_PAR_DEFAUT,
    store: StoreOpt = None,
) -> None:
    """Démarrer l'application (tableau de bord dans le navigateur), sur cette machine seulement."""
    refus = config.refus_adresse(adresse)
    if refus is not None:
        raise _echec(EcosystemeError(refus))
    chemin = config.store_path(store)
    if preparer_donnees:
        try:
            preparer_depot(store=chemin, miroir=miroir, region=region, auteur=config.auteur(None))
        except TelechargementImpossible as exc:
            erreurs.print(f"[yellow]Données non téléchargées :[/] {_brut(exc.message)}", highlight=False)
            erreurs.print(
                "L'application démarre quand même : importez vos fichiers avec "
                "`ecosysteme importer FICHIER` ou depuis la page « Import »."
            )
        except (EcosystemeError, OSError) as exc:
            raise _echec(exc) from exc
    env = {**os.environ, config.ENV_STORE: str(chemin.resolve())}
    app_py = config.PROJECT_ROOT / "app.py"
    cmd = [
        sys.executable,
        "-m",
        "ecosysteme.ui.serveur",  # `streamlit run` with a warm-up of the caches
        str(app_py),
        "--server.port",
        str(port),
        "--server.address",
        adresse,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    console.print(f"Application : http://{adresse}:{port}")
    raise typer.Exit(code=subprocess.call(cmd, env=env, cwd=config.PROJECT_ROOT))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
