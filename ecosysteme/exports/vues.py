"""Document maps (A4 PDF / PNG, :mod:`ecosysteme.exports.cartes`) of the other map views:

- :func:`carte_totem_document`: the lieu totem — QPV coloured by what the chosen sites change
  (newly reached, already covered, still out of reach, as on the interactive map), each site
  numbered with its walking radius drawn true on the ground, the existing matching offer;
- :func:`carte_chevauchements_document`: overlaps — a line between two actors offering the
  same service to the same public within the distance (orange: open at the same hours; grey:
  hours unknown), the actors concerned by category;
- :func:`precision_filtres`: the line telling which actors a coverage map shows (category,
  service, public, programme, free, opening slots), so that a page exported with filters says so;
- :func:`vue_epci`: any of the three views of one EPCI read from a store, as an A4 page and as a
  self-contained HTML page (the batch command ``ecosysteme exporter --carte …``).

The drawing functions are pure functions of frames in EPSG:4326.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely
from matplotlib.figure import Figure

from ecosysteme.analyse.chevauchements import STATUT_CHEVAUCHEMENT, chevauchements
from ecosysteme.analyse.couverture import Filtre, Parametres, filtre, filtrer_acteurs
from ecosysteme.analyse.territoire import Territoire, territoire_epci
from ecosysteme.analyse.totem import Explication, Resultat, totem_epci
from ecosysteme.cartes.actifs import actifs_statiques, html_autonome
from ecosysteme.cartes.chevauchements import (
    COULEUR_CHEVAUCHEMENT,
    COULEUR_HORAIRES_INCONNUS,
    carte_chevauchements,
)
from ecosysteme.cartes.construire import carte_couverture
from ecosysteme.cartes.geometrie import contours
from ecosysteme.cartes.mesure import Classe, Etats, Mesure, entier_fr
from ecosysteme.cartes.totem import COULEUR_SITE, ETATS, carte_totem, etat_qpv
from ecosysteme.depot.interface import Depot
from ecosysteme.domaine import reglages
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.reglages import MESURE_DISTANCE
from ecosysteme.exports.cartes import Couche, Orientation, carte_document, carte_epci, ligne_sources

SOURCES_DEFAUT = ("ANCT — QPV 2024", "INSEE — population des QPV", "IGN / geo.api.gouv.fr — communes et EPCI")
#: Words of the opening slots of ``coverage.CRENEAUX``.
CRENEAUX_FR = {"soir": "le soir en semaine", "samedi": "le samedi", "dimanche": "le dimanche"}
FAMILLES_FR = {
    "categorie": "catégorie",
    "service": "service",
    "public": "public",
    "prise_en_charge": "prise en charge",
    "programme": "programme",
}


def precision_filtres(filtres: Sequence[Filtre], creneaux: Sequence[str] = ()) -> str | None:
    """« Acteurs affichés : catégorie Médiathèque ou EPN ; service Aide aux démarches
    administratives ; gratuits ; ouverts le soir ou le samedi » — None when every active actor is
    shown. The rule of ``coverage.filtrer_acteurs``: any value within a family, every family
    (each « ; » part must hold), open in at least one of the chosen slots."""
    familles: dict[str, list[str]] = {}
    for f in filtres:
        if f.famille != "tous":
            familles.setdefault(f.famille, []).append(f.libelle)
    parties = [
        "gratuits" if famille == "gratuit" else f"{FAMILLES_FR.get(famille, famille)} {' ou '.join(libelles)}"
        for famille, libelles in familles.items()
    ]
    if creneaux:
        parties.append("ouverts " + " ou ".join(CRENEAUX_FR.get(c, c) for c in creneaux))
    return "Acteurs affichés : " + " ; ".join(parties) if parties else None


def carte_totem_document(
    qpv: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None,
    epci: gpd.GeoDataFrame | None,
    resultat: Resultat,
    explication: Explication,
    *,
    territoire: str,
    offre: str,
    orientation: Orientation = "paysage",
    date: dt.date | None = None,
    sources: Sequence[str] = SOURCES_DEFAUT,
) -> Figure:
    """The lieu totem page of a siting result over its QPV: sites numbered as in
    ``explication.sites`` (legend: name and residents newly within reach), radius circles,
    existing offer (``resultat.existants``) by category, QPV by state."""
    etats = etat_qpv(resultat)
    q = qpv.copy()
    q["etat"] = q["code_qp"].map(etats).fillna("hors")
    mesure = Etats("etat", "avec le(s) lieu(x) totem proposé(s)", _etats_classes())
    sites = explication.sites.reset_index(drop=True)
    points = gpd.GeoSeries(
        shapely.points(sites["longitude"].to_numpy(float), sites["latitude"].to_numpy(float)), crs=4326
    )
    couches = [
        Couche(
            points.iloc[[k]],
            f"{k + 1}. {s['libelle']} — {entier_fr(int(s['habitants_nouveaux']))} hab. nouvellement à portée",
            COULEUR_SITE,
            "point",
            section="Lieu(x) totem proposé(s)",
            marqueur="*",
            taille=160.0,
            etiquettes=(str(k + 1),),
            compter=False,
        )
        for k, s in sites.iterrows()
        if isinstance(k, int)
    ]
    if len(points):
        couches.append(
            Couche(
                points,
                f"à moins de {entier_fr(resultat.rayon)} m {MESURE_DISTANCE}",
                COULEUR_SITE,
                "cercle",
                section="Lieu(x) totem proposé(s)",
                rayon_m=float(resultat.rayon),
                compter=False,
            )
        )
    precision = precision_totem(resultat, offre)
    return carte_document(
        q,
        communes,
        epci,
        resultat.existants,
        titre="Lieu totem du numérique : où il atteindrait le plus d'habitants",
        territoire=territoire,
        mesure=mesure,
        orientation=orientation,
        date=date or dt.date.today(),
        sources=sources,
        precision=precision,
        couches=couches,
        titre_acteurs="Offre existante",
    )


def precision_totem(resultat: Resultat, offre: str) -> str:
    """« Offre : … ; distance à vol d'oiseau : 1 000 m ; 7 285 habitant(s) des QPV nouvellement à portée
    (optimal, parmi 56 emplacements possibles) »."""
    statut = resultat.statut + (f", écart ≤ {100 * resultat.ecart:.1f} %" if resultat.ecart > 0 else "")
    return (
        f"Offre : {offre} ; distance {MESURE_DISTANCE} : {entier_fr(resultat.rayon)} m ; "
        f"{entier_fr(resultat.objectif)} habitant(s) des QPV nouvellement à portée ({statut}, "
        f"parmi {entier_fr(len(resultat.candidats))} emplacements possibles)"
    )


def precision_chevauchements(paires: pd.DataFrame) -> str:
    """« 2 paire(s) d'acteurs distincts ouverts aux mêmes heures, 0 autre(s) aux horaires
    inconnus ; services : … »."""
    if paires.empty:
        return "Aucune paire d'acteurs distincts offrant le même service au même public à cette distance"
    uniques = paires.drop_duplicates(["id_a", "id_b"])
    n = int((uniques["statut_horaires"].to_numpy(dtype=object) == STATUT_CHEVAUCHEMENT).sum())
    services = sorted(set(paires["service"].dropna().astype(str)))
    return (
        f"{entier_fr(n)} paire(s) d'acteurs distincts ouverts aux mêmes heures, "
        f"{entier_fr(len(uniques) - n)} autre(s) aux horaires inconnus"
        + (f" ; services : {', '.join(services)}" if services else "")
    )


def _etats_classes() -> tuple[tuple[str, Classe], ...]:
    return tuple((k, Classe(lib, couleur)) for k, (couleur, lib) in ETATS.items())


def carte_chevauchements_document(
    qpv: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None,
    epci: gpd.GeoDataFrame | None,
    acteurs: gpd.GeoDataFrame,
    paires: pd.DataFrame,
    *,
    territoire: str,
    distance_m: float,
    orientation: Orientation = "paysage",
    date: dt.date | None = None,
    sources: Sequence[str] = SOURCES_DEFAUT,
) -> Figure:
    """The overlaps page: one line per pair of actors (``chevauchements.chevauchements`` rows,
    several services of a pair drawn once), the actors of the pairs by category, the QPV plain."""
    uniques = paires.drop_duplicates(["id_a", "id_b"])
    certains = uniques["statut_horaires"].to_numpy(dtype=object) == STATUT_CHEVAUCHEMENT
    couches = []
    for garde, libelle, couleur in (
        (certains, "ouverts aux mêmes heures", COULEUR_CHEVAUCHEMENT),
        (~certains, "proches, horaires inconnus", COULEUR_HORAIRES_INCONNUS),
    ):
        part = uniques[garde]
        lignes = shapely.linestrings(
            [
                [(a, b), (c, d)]
                for a, b, c, d in zip(part["lon_a"], part["lat_a"], part["lon_b"], part["lat_b"], strict=True)
            ]
        ) if len(part) else []  # fmt: skip
        couches.append(
            Couche(
                gpd.GeoSeries(lignes, crs=4326),
                libelle,
                couleur,
                "ligne",
                section=f"Chevauchements (à moins de {entier_fr(distance_m)} m {MESURE_DISTANCE})",
            )
        )
    emprise = _emprise_paires(uniques, marge_m=max(3.0 * distance_m, 1500.0)) if len(uniques) else None
    ids = set(uniques["id_a"]) | set(uniques["id_b"])
    concernes = acteurs[acteurs["id"].isin(ids)] if "id" in acteurs.columns else acteurs.iloc[:0]
    precision = precision_chevauchements(paires)
    return carte_document(
        qpv,
        communes,
        epci,
        concernes,
        titre="Offres qui se chevauchent : même service, même public, mêmes heures",
        territoire=territoire,
        mesure=None,
        orientation=orientation,
        date=date or dt.date.today(),
        sources=sources,
        precision=precision,
        couches=couches,
        titre_acteurs="Acteurs concernés",
        emprise=emprise,
    )


def _emprise_paires(paires: pd.DataFrame, marge_m: float) -> tuple[float, float, float, float]:
    """Lon/lat bounds of the pairs' places, widened by ``marge_m`` metres on every side: the
    page zooms on the overlaps (a few hundred metres each) rather than the whole territory."""
    lons = pd.concat([paires["lon_a"], paires["lon_b"]]).astype(float)
    lats = pd.concat([paires["lat_a"], paires["lat_b"]]).astype(float)
    dlat = marge_m / 111_320.0
    dlon = dlat / max(math.cos(math.radians(float(lats.abs().max()))), 0.1)
    return (
        float(lons.min()) - dlon,
        float(lats.min()) - dlat,
        float(lons.max()) + dlon,
        float(lats.max()) + dlat,
    )


# --- from the store (the batch command) ---------------------------------------------------------


@dataclass(frozen=True)
class VueCarte:
    """One map view of one EPCI, ready to be written: ``nom`` (file name without extension),
    ``document`` (the A4 page in an orientation) and ``html`` (the self-contained page)."""

    nom: str
    document: Callable[[Orientation], Figure]
    html: Callable[[], str]


VUES = ("couverture", "totem", "chevauchements")


def vue_epci(
    source: Depot | Territoire,
    siren: str,
    carte: str = "couverture",
    *,
    services: Sequence[str] = (),
    distance_m: float | None = None,
    sites: int = reglages.SITES_TOTEM,
    date: dt.date | None = None,
) -> VueCarte:
    """The map ``carte`` (« couverture », « totem » or « chevauchements ») of the EPCI ``siren``
    read from ``source`` (a store, or a territory already read: nothing is read again), as the
    pages draw it: coverage of the offer (one service of ``services``, else any actor) with the
    walking distance ``distance_m``; the lieu totem for ``services`` within ``distance_m`` with
    ``sites`` sites; the overlaps within ``distance_m`` (restricted to ``services`` when
    given)."""
    lu = territoire_epci(source, siren)
    lu.exiger_epci()
    lignes_epci = lu.epci
    nom = str(lignes_epci["nom_epci"].iloc[0])
    territoire = f"{nom} (SIREN {siren})"
    jour = date or dt.date.today()
    if distance_m is None:
        chevauche = carte == "chevauchements"
        distance_m = reglages.DISTANCE_CHEVAUCHEMENT if chevauche else reglages.DISTANCE_MARCHE
    if carte == "couverture":
        if len(services) > 1:
            raise ErreurEcosysteme("carte de couverture : un seul service à la fois (--service).")
        return _vue_couverture(lu, siren, nom, services[0] if services else None, distance_m, jour)
    if carte == "totem":
        qpv, communes = lu.qpv, lu.communes
        resultat, explication = totem_epci(
            lu, siren, service=list(services) or None, rayon=distance_m, sites=sites
        )
        offre = ", ".join(services) or "tout acteur"
        return VueCarte(
            f"lieu_totem_{siren}",
            lambda o: carte_totem_document(
                qpv,
                communes,
                lignes_epci,
                resultat,
                explication,
                territoire=territoire,
                offre=offre,
                orientation=o,
                date=jour,
            ),  # fmt: skip
            lambda: html_autonome(
                carte_totem(qpv, resultat, actifs_statiques(), contours(communes)),
                f"Lieu totem du numérique — {territoire}",
                ligne_sources(SOURCES_DEFAUT, jour),
                precision_totem(resultat, offre),
            ),
        )
    if carte == "chevauchements":
        qpv, communes, acteurs = lu.qpv, lu.communes, lu.acteurs_epci(siren)
        paires = chevauchements(
            acteurs, distance_m=distance_m, services=list(services) or None, non_doublons=lu.non_doublons
        )
        return VueCarte(
            f"chevauchements_{siren}",
            lambda o: carte_chevauchements_document(
                qpv,
                communes,
                lignes_epci,
                acteurs,
                paires,
                territoire=territoire,
                distance_m=distance_m,
                orientation=o,
                date=jour,
            ),  # fmt: skip
            lambda: html_autonome(
                carte_chevauchements(paires, contours(communes), actifs_statiques(), qpv),
                f"Offres qui se chevauchent (à moins de {entier_fr(distance_m)} m {MESURE_DISTANCE}) "
                f"— {territoire}",
                ligne_sources(SOURCES_DEFAUT, jour),
                precision_chevauchements(paires),
            ),
        )
    raise ErreurEcosysteme(f"carte « {carte} » inconnue : {', '.join(VUES)}.")


def _vue_couverture(
    territoire: Territoire, siren: str, nom: str, service: str | None, seuil: float, jour: dt.date
) -> VueCarte:
    offre = filtre(f"service:{service}") if service else filtre("tous")

    def html() -> str:
        qpv = territoire.qpv
        couv = territoire.couverture(Parametres(seuil=seuil, filtres=(offre,)))
        qpv = qpv.assign(valeur=qpv["code_qp"].map(couv.set_index("code_qp")["distance_m"]))
        mesure = Mesure("valeur", f"{offre.libelle} : distance au plus proche", "distance")
        du_territoire = filtrer_acteurs(territoire.acteurs_epci(siren), (offre,))
        carte = carte_couverture(
            qpv, mesure, du_territoire, communes=territoire.communes, epci=territoire.epci
        )
        return html_autonome(
            carte, f"{mesure.libelle} — {nom} ({siren})", ligne_sources(SOURCES_DEFAUT, jour)
        )

    return VueCarte(
        f"carte_{siren}",
        lambda o: carte_epci(territoire, siren, filtre=offre.cle, seuil=seuil, orientation=o, date=jour),
        html,
    )
