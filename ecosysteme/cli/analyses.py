"""Commands that analyse: stats, couverture, totem."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.table import Table as RichTable

from ecosysteme.cli.commun import (
    OptionDepot,
    app,
    brut,
    console,
    echec,
    erreurs,
    milliers,
    ouvrir,
)
from ecosysteme.domaine import reglages
from ecosysteme.domaine.erreurs import ErreurEcosysteme

if TYPE_CHECKING:
    pass


def _sans_offre(ligne: dict[Hashable, Any]) -> str:
    pop_v, dist_v = ligne["population"], ligne["distance_m"]
    pop = "population inconnue" if pop_v is None or pop_v != pop_v else f"{milliers(int(pop_v))} hab."
    dist = (
        "aucun acteur dans le territoire"
        if dist_v is None or dist_v != dist_v
        else f"plus proche à {milliers(round(float(dist_v)))} m"
    )
    return f"{ligne['code_qp']} {ligne['lib_qp']} — {pop}, {dist}"


@app.command()
def stats(
    epci: Annotated[str | None, typer.Option("--epci", help="SIREN de l'EPCI.")] = None,
    store: OptionDepot = None,
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
        with ouvrir(store) as depot:
            epcis = depot.epci(siren_epci=epci)
            if epci is not None and epcis.empty:
                raise ErreurEcosysteme(f"EPCI « {epci} » absent du dépôt (SIREN à 9 chiffres attendu).")
            qpv = depot.qpv(siren_epci=epci)
            acteurs = rattacher(depot.acteurs_gdf(siren_epci=epci), depot.communes())
            if epci is not None:
                acteurs = acteurs[dans_les_territoires(acteurs, "epci_geo", (epci,))]  # stops included
    except (ErreurEcosysteme, OSError) as exc:
        raise echec(exc) from exc
    df = resume_par_epci(qpv, acteurs, epcis)
    t = RichTable(title="Résumé par EPCI")
    for col in ("EPCI", "QPV", "Habitants QPV", *CATEGORIES):
        t.add_column(col, justify="left" if col == "EPCI" else "right")
    for d in df.to_dict("records"):
        pop = d["population_qpv"]
        pop_txt = "inconnue" if pd.isna(pop) else milliers(int(pop))
        if d["qpv_population_inconnue"]:
            pop_txt += f" (+{d['qpv_population_inconnue']} QPV inconnus)"
        t.add_row(
            brut(f"{d['nom_epci'] or ''} ({d['siren_epci']})"),
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
    console.print(f"Total : {n_qpv} QPV, {milliers(total_pop)} habitants en QPV, {n_act} acteurs actifs.")


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
    ] = reglages.DISTANCE_MARCHE,
    bandes: Annotated[
        str, typer.Option("--bandes", help="Bandes de distance en mètres, séparées par des virgules.")
    ] = ",".join(f"{b:g}" for b in reglages.BANDES),
    sortie: Annotated[
        Path | None, typer.Option("--sortie", help="Fichier .csv, .xlsx ou .gpkg (une ligne par QPV).")
    ] = None,
    store: OptionDepot = None,
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
            raise ErreurEcosysteme(
                f"bandes « {bandes} » : des nombres de mètres séparés par des virgules sont attendus."
            ) from exc
        p = Parametres(bandes=liste_bandes, seuil=seuil, filtres=filtres)
        with ouvrir(store) as depot:
            qpv = depot.qpv(siren_epci=epci, insee_dep=departement, insee_reg=region)
            if qpv.empty:
                raise ErreurEcosysteme(
                    "aucun QPV pour ce territoire dans le dépôt (code exact ? données importées ?)."
                )
            acteurs = depot.acteurs_gdf()
        couv = calculer(qpv, acteurs, p)
        if sortie is not None:
            ecrire_tableau(tableau_large(couv, qpv), sortie, gdf=qpv)
    except (ErreurEcosysteme, OSError) as exc:
        raise echec(exc) from exc
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
            brut(f.libelle),
            f"{r['couverts']:.0f}/{r['qpv']:.0f}",
            milliers(round(r["popc"])),
            part,
            densite,
        )
    console.print(t)
    sans = qpv_sans_offre(couv, qpv, "tous")
    if len(sans):
        console.print(f"QPV sans aucun acteur à moins de {seuil:g} m ({len(sans)}), par nombre d'habitants :")
        for ligne in sans.head(15).to_dict("records"):
            console.print(f"  {brut(_sans_offre(ligne))}", highlight=False)
    else:
        console.print(f"Tous les QPV ont au moins un acteur à moins de {seuil:g} m.")
    if sortie is not None:
        console.print(f"Tableau écrit : {brut(sortie)} ({len(qpv)} QPV).")


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
    ] = reglages.DISTANCE_MARCHE,
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
    store: OptionDepot = None,
) -> None:
    """Où implanter le lieu totem : les sites qui atteignent le plus d'habitants des QPV non couverts."""
    from ecosysteme.analyse.totem import totem_epci
    from ecosysteme.exports.tableaux import ecrire_tableau

    try:
        with ouvrir(store) as depot:
            res, expl = totem_epci(
                depot, epci, service=service or None, rayon=rayon, sites=sites, candidats=candidats
            )
        ecrits: list[Path] = []
        if sortie is not None:
            for nom, tableau in expl.tableaux().items():
                ecrits.append(
                    ecrire_tableau(tableau, sortie.with_name(f"{sortie.stem}_{nom}{sortie.suffix}"))
                )
    except (ErreurEcosysteme, OSError) as exc:
        raise echec(exc) from exc
    offre = ", ".join(service) if service else "tout acteur"
    console.print(
        f"Lieu totem, EPCI {brut(epci)}, offre : {brut(offre)}, à moins de {rayon:g} m à vol d'oiseau, "
        f"{sites} site(s) parmi "
        f"{len(res.candidats)} candidats ({res.methode}, {res.statut}"
        + (f", écart {100 * res.ecart:.1f} %" if res.ecart > 0 else "")
        + ")."
    )
    console.print(f"Habitants des QPV nouvellement à portée : {milliers(res.objectif)}.")
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
            brut(r["libelle"]),
            brut(r["origine"]),
            str(r["qpv_atteints"]),
            milliers(int(r["habitants_atteints"])),
            milliers(int(r["habitants_nouveaux"])),
            str(r["acteurs_en_doublon"]),
        )
    console.print(t)
    for a in res.avertissements:
        console.print(f"[yellow]Attention :[/] {brut(a)}", highlight=False)
    for chemin in ecrits:
        console.print(f"Tableau écrit : {brut(chemin)}")
