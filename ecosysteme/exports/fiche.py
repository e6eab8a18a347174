"""The « fiche territoire » of an EPCI for its feuille de route: DOCX (python-docx) and PDF.

:func:`fiche_territoire` gathers, from the EPCI's territory
(:class:`~ecosysteme.analyse.territoire.Territoire`: the store read once, the coverage of each
offer computed once), what the other modules compute — the map of
:func:`~ecosysteme.exports.cartes.carte_epci`, the key figures of
:func:`~ecosysteme.analyse.resume.chiffres_cles`, the gap matrix of
:func:`~ecosysteme.analyse.lacunes.matrice` for the 9 services of the standard, the QPV without
any offer within the threshold
(:func:`~ecosysteme.analyse.lacunes.qpv_sans_offre`), the lieu totem of
:func:`~ecosysteme.analyse.totem.totem_epci` — and writes them atomically as:

- ``.docx``: a title, the headings « Chiffres clés », « Carte », « Lacunes par quartier »,
  « Quartiers sans offre à portée », « Lieu totem », « Sources », the map as a PNG image and
  real Word tables;
- ``.pdf``: page 1 the map, then pages of key figures and tables drawn with matplotlib (text
  kept as text: TrueType fonts, ``pdf.fonttype`` 42).

Every text goes through :func:`typographie` (French typography: no-break spaces before
« : ; ! ? » and inside « » guillemets); numbers through :func:`nombre_fr` (thousands separated
by a narrow no-break space U+202F, decimal comma). Texts from the data are written as text:
invisible characters removed (python-docx refuses a control character), and in the PDF a « $ »
stays a dollar (matplotlib would read ``$…$`` as a formula, and fail on an odd one). The
typography lives in ``exports.typographie``, the DOCX and PDF writers in ``exports.fiche_rendu``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from ecosysteme.analyse.couverture import Parametres, filtre, filtres_famille
from ecosysteme.analyse.lacunes import matrice, qpv_sans_offre
from ecosysteme.analyse.resume import chiffres_cles
from ecosysteme.analyse.territoire import Territoire, territoire_epci
from ecosysteme.analyse.totem import totem_epci
from ecosysteme.depot.interface import Depot, Lot
from ecosysteme.domaine import reglages
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.fichiers import ecrire_atomique
from ecosysteme.domaine.reglages import MESURE_DISTANCE
from ecosysteme.exports.cartes import carte_epci
from ecosysteme.exports.fiche_rendu import (
    TITRES_SECTIONS,
    ContenuFiche,
    Tableau,
    ecrire_docx,
    ecrire_pdf,
    pages_pdf,
)
from ecosysteme.exports.typographie import (
    AUCUN,
    distance_fr,
    habitants_fr,
    nombre_fr,
    pourcentage_fr,
    typographie,
)

__all__ = [
    "SERVICE_DEFAUT",
    "TITRES_SECTIONS",
    "ContenuFiche",
    "Tableau",
    "contenu_fiche",
    "distance_fr",
    "ecrire_docx",
    "ecrire_pdf",
    "fiche_territoire",
    "habitants_fr",
    "ligne_sources_fiche",
    "nombre_fr",
    "pages_pdf",
    "pourcentage_fr",
    "typographie",
]

SERVICE_DEFAUT = "Aide aux démarches administratives"
TITRE = "Fiche territoire"
#: Names of the territory layers in the sources line.
COUCHES = {
    "qpv": "périmètres des QPV 2024 (ANCT)",
    "qpv_populations": "population des QPV (INSEE)",
    "communes": "communes (IGN, geo.api.gouv.fr)",
    "epci": "EPCI (IGN, geo.api.gouv.fr)",
}


# --- content --------------------------------------------------------------------------------------


def _date_fr(d: dt.date | dt.datetime | None) -> str:
    return "date inconnue" if d is None else f"{d:%d/%m/%Y}"


def ligne_sources_fiche(etat: Mapping[str, Mapping[str, str]], lots: Sequence[Lot], date: dt.date) -> str:
    """« Sources : périmètres des QPV 2024 (ANCT), fichier qpv.geojson du 26/11/2026 ; … ;
    inventaire local au 26/11/2026 »: the territory layers (``Depot.etat_territoire``) then the
    actors' import batches still in force (``Depot.lots``), oldest first."""
    parties: list[str] = []
    for cle, libelle in COUCHES.items():
        info = etat.get(cle)
        if not info:
            continue
        fichier = (info.get("source") or "").split(" ")[0]
        le = info.get("le", "")[:10]
        quand = f"{le[8:10]}/{le[5:7]}/{le[0:4]}" if len(le) == 10 else "date inconnue"
        parties.append(f"{libelle}, fichier {fichier or 'inconnu'} du {quand}")
    for lot in sorted(lots, key=lambda x: x.id):
        if lot.annule:
            continue
        parties.append(f"acteurs {lot.format}, fichier {lot.fichier} du {_date_fr(lot.fin or lot.debut)}")
    parties.append(f"inventaire local au {_date_fr(date)}")
    return typographie("Sources : " + " ; ".join(parties))


def _tableau_chiffres(
    chiffres: dict[str, object], couv: pd.DataFrame, qpv: pd.DataFrame, cle: str, service: str, seuil: float
) -> Tableau:
    pop = pd.to_numeric(qpv.set_index("code_qp")["population"], errors="coerce")
    couverts = couv[(couv["filtre"] == cle) & couv["couvert"]]["code_qp"]
    total = float(pop.sum())
    part = float(pop.reindex(couverts).sum()) / total if total > 0 else float("nan")
    sans = couv[(couv["filtre"] == "tous") & ~couv["couvert"]]
    lignes: list[tuple[str, str]] = [
        ("Quartiers prioritaires (QPV)", nombre_fr(float(str(chiffres["qpv"])))),
        ("Habitants des QPV", nombre_fr(float(str(chiffres["population_qpv"])))),
    ]
    if int(str(chiffres["qpv_population_inconnue"])):
        lignes.append(
            ("QPV de population inconnue", nombre_fr(float(str(chiffres["qpv_population_inconnue"]))))
        )
    lignes.append(("Acteurs actifs sur le territoire", nombre_fr(float(str(chiffres["acteurs"])))))
    par_cat = chiffres["acteurs_par_categorie"]
    if isinstance(par_cat, dict):
        for categorie, n in par_cat.items():
            if n:
                lignes.append((f"  dont {categorie}", nombre_fr(float(n))))
    lignes.append(
        (
            f"Habitants des QPV à moins de {distance_fr(seuil)} ({MESURE_DISTANCE}) d'un lieu « {service} »",
            AUCUN if math.isnan(part) else pourcentage_fr(part),
        )
    )
    lignes.append((f"QPV sans aucun acteur à moins de {distance_fr(seuil)}", nombre_fr(float(len(sans)))))
    return Tableau(("Indicateur", "Valeur"), tuple((typographie(a), typographie(b)) for a, b in lignes))


def _tableau_lacunes(couv: pd.DataFrame, qpv: pd.DataFrame) -> Tableau:
    services = filtres_famille("service")
    m = matrice(couv, qpv, services, "distance_m")
    entetes = ("Quartier", "Habitants", *(f.libelle for f in services))
    lignes = tuple(
        (
            typographie(f"{ligne['lib_qp']} ({ligne['code_qp']})"),
            habitants_fr(ligne["population"]),
            *(distance_fr(ligne[f.libelle]) for f in services),
        )
        for _, ligne in m.iterrows()
    )
    return Tableau(tuple(typographie(e) for e in entetes), lignes)


def _tableau_sans_offre(couv: pd.DataFrame, qpv: pd.DataFrame) -> Tableau:
    s = qpv_sans_offre(couv, qpv, "tous")
    lignes = tuple(
        (
            typographie(str(ligne["lib_qp"])),
            str(ligne["code_qp"]),
            habitants_fr(ligne["population"]),
            distance_fr(ligne["distance_m"]),
        )
        for _, ligne in s.iterrows()
    )
    return Tableau(("Quartier", "Code", "Habitants", "Acteur le plus proche"), lignes)


def _totem(
    territoire: Territoire, siren: str, service: str, seuil: float
) -> tuple[tuple[str, ...], Tableau | None]:
    try:
        res, expl = totem_epci(territoire, siren, service=service, rayon=seuil, sites=1)
    except ErreurEcosysteme as exc:
        return (typographie(f"Pas de recommandation : {exc}"),), None
    if not res.choisis or res.objectif <= 0:
        return (
            typographie(
                f"Pas de lieu totem à recommander pour « {service} » : aucun lieu du territoire "
                f"ne couvrirait d'habitants de QPV non encore couverts à moins de {distance_fr(seuil)}."
            ),
        ), None
    site = expl.sites.iloc[0]
    phrases = (
        typographie(
            f"Lieu recommandé pour « {service} » (1 site, rayon de {distance_fr(seuil)} {MESURE_DISTANCE}) : "
            f"{site['libelle']} ({site['id']})."
        ),
        typographie(
            f"Habitants de QPV nouvellement couverts : {nombre_fr(float(res.objectif))} "
            f"({nombre_fr(float(site['qpv_atteints']))} QPV atteints, "
            f"{nombre_fr(float(site['habitants_atteints']))} habitants à portée ; résolution : {res.statut})."
        ),
    )
    q = expl.qpv
    lignes = tuple(
        (
            typographie(f"{ligne['lib_qp']} ({ligne['code_qp']})"),
            habitants_fr(ligne["population"]),
            distance_fr(ligne["distance_m"]),
            typographie(str(ligne["etat"])),
        )
        for _, ligne in q.sort_values("distance_m").iterrows()
    )
    return phrases, Tableau(("Quartier atteint", "Habitants", "Distance", "État"), lignes)


def contenu_fiche(
    depot: Depot | Territoire,
    siren: str,
    *,
    service: str = SERVICE_DEFAUT,
    seuil: float | None = None,
    date: dt.date | None = None,
) -> ContenuFiche:
    """Compute everything the fiche of the EPCI ``siren`` shows from its territory, read once
    from the store when ``depot`` is a store."""
    seuil = reglages.DISTANCE_MARCHE if seuil is None else seuil
    if not (math.isfinite(seuil) and seuil > 0):
        raise ErreurEcosysteme(f"seuil « {seuil} » invalide : une distance positive en mètres est attendue.")
    offre = filtre(f"service:{service}")
    if offre.famille != "service":
        raise ErreurEcosysteme(
            f"service « {service} » inconnu : l'un des 9 services du standard est attendu."
        )
    territoire = territoire_epci(depot, siren)
    territoire.exiger_epci()
    nom = str(territoire.epci["nom_epci"].iloc[0])
    qpv = territoire.qpv
    if qpv.empty:
        raise ErreurEcosysteme(f"aucun QPV pour l'EPCI « {siren} » dans le dépôt : pas de fiche à établir.")
    jour = date or dt.date.today()
    filtres = (filtre("tous"), *filtres_famille("service"))
    bandes = (reglages.BANDE_PROCHE, seuil)  # the table's bands: the near band and the chosen distance
    couv = territoire.couverture(Parametres(bandes=bandes, seuil=seuil, filtres=filtres))
    chiffres = chiffres_cles(qpv, territoire.acteurs_epci(siren))
    carte = carte_epci(territoire, siren, filtre=offre.cle, seuil=seuil, date=jour)
    phrases, tableau_totem = _totem(territoire, siren, service, seuil)
    return ContenuFiche(
        titre=typographie(f"{TITRE} : {nom}"),
        territoire=typographie(f"{nom} (SIREN {siren}) — fiche établie le {_date_fr(jour)}"),
        date=jour,
        chiffres=_tableau_chiffres(chiffres, couv, qpv, offre.cle, service, seuil),
        carte=carte,
        lacunes=_tableau_lacunes(couv, qpv),
        sans_offre=_tableau_sans_offre(couv, qpv),
        totem=phrases,
        totem_tableau=tableau_totem,
        sources=ligne_sources_fiche(territoire.etat, territoire.lots, jour),
        notes=(
            typographie(
                f"Distance au lieu le plus proche offrant chaque service, mesurée au périmètre du quartier ; "
                f"« {AUCUN} » : aucun lieu connu. Seuil de portée : {distance_fr(seuil)} {MESURE_DISTANCE}."
            ),
        ),
    )


# --- entry point ----------------------------------------------------------------------------------


def fiche_territoire(
    depot: Depot | Territoire,
    siren: str,
    chemin: Path,
    *,
    service: str = SERVICE_DEFAUT,
    seuil: float | None = None,
    date: dt.date | None = None,
) -> Path:
    """Write the fiche territoire of the EPCI ``siren`` to ``chemin`` (.docx or .pdf).

    The file is written through a temp file renamed into place: key figures, the map, the gaps
    per QPV for the 9 services, the QPV without any offer within the threshold, the lieu totem
    (when none can be recommended, the fiche says why) and the sources.

    Parameters
    ----------
    depot : Depot or Territoire
        The EPCI's :class:`~ecosysteme.analyse.territoire.Territoire`, or a store from which it
        is read once.
    siren : str
        SIREN of the EPCI (9 digits).
    chemin : pathlib.Path
        The file to write; its suffix, ``.docx`` or ``.pdf``, chooses the format.
    service : str, default SERVICE_DEFAUT
        One of the 9 services of the standard: the offer of the map and of the lieu totem
        (default « Aide aux démarches administratives »).
    seuil : float, optional
        The walking distance (metres) of coverage and of the lieu totem; default
        ``reglages.DISTANCE_MARCHE``.
    date : datetime.date, optional
        The date printed (default: today).

    Returns
    -------
    pathlib.Path
        ``chemin``.

    Raises
    ------
    ErreurEcosysteme
        A suffix other than .docx or .pdf, a ``seuil`` that is not a positive distance, an
        unknown ``service``, the EPCI absent from the store or without QPV, a territory of
        another EPCI.
    """
    chemin = Path(chemin)
    suffixe = chemin.suffix.lower()
    if suffixe not in (".docx", ".pdf"):
        raise ErreurEcosysteme(
            f"format de fiche « {suffixe or chemin.name} » inconnu : .docx ou .pdf attendu."
        )
    contenu = contenu_fiche(depot, siren, service=service, seuil=seuil, date=date)
    ecrire = ecrire_docx if suffixe == ".docx" else ecrire_pdf
    return ecrire_atomique(chemin, lambda tmp: ecrire(contenu, tmp))
