"""Actor importers: the shared row pipeline. The file is checked as a whole (rows present,
required columns, unique ids, coordinate system), every row is converted by its source's
converter (``importeurs.convertisseurs``: the national standard v1.0.2 and legacy v0, France
Services, conseillers numériques 2022, data·inclusion structures 2022, public libraries), then
normalised and checked into an ``Acteur``: a bad row is rejected with its reason, never silently
dropped, and the accepted actors go to the store as one batch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from ecosysteme.domaine import normalisation as nz
from ecosysteme.domaine.categories import categorie_depuis
from ecosysteme.domaine.erreurs import DonneeInvalide, Emplacement, FichierInvalide
from ecosysteme.domaine.horaires import valider_horaires
from ecosysteme.domaine.modeles import Acteur, Arret, Categorie
from ecosysteme.domaine.validation import (
    LONGUEUR_TEXTE,
    coordonnees,
    nettoyer_textes,
    nombre,
    probleme_courriel,
    probleme_url,
    texte_propre,
    texte_sur,
    verifier_colonnes_coordonnees,
    verifier_point,
)
from ecosysteme.sources.importeurs.arrets import arrets_de_la_cellule
from ecosysteme.sources.importeurs.base import RapportImport
from ecosysteme.sources.importeurs.convertisseurs import CONVERTISSEURS, Ligne
from ecosysteme.sources.lecture import Table, exiger_lignes

FORMATS_ACTEURS = ("standard", "france-services", "conseillers-numeriques", "data-inclusion", "bibliotheques")

#: Columns without which a file of that format cannot be read at all.
COLONNES_REQUISES: dict[str, tuple[str, ...]] = {
    "standard": ("id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj"),
    "conseillers-numeriques": ("id", "nom", "services", "adresse", "code_postal", "commune"),
    "data-inclusion": ("id", "nom", "services", "adresse", "code_postal", "commune", "source"),
    "france-services": ("id_fs", "lib_fs", "adresse", "code_postal", "lib_com", "insee_com"),
    "bibliotheques": ("Code_bib", "nom_de_l_etablissement", "Adresse", "CP", "Ville"),
}

#: Coordinate columns (longitude, latitude) when the file has no point geometry.
COLONNES_COORDONNEES: dict[str, tuple[str, str]] = {
    "bibliotheques": ("Longitude", "Latitude"),
}

_TEXTES_SURS = ("nom", "commune", "adresse", "complement_adresse", "structure_parente", "source")
_TEXTES_LIBRES = ("presentation_resume", "presentation_detail")
_ADRESSES = {
    "courriels": probleme_courriel,
    "site_web": probleme_url,
    "prise_rdv": probleme_url,
    "fiche_acces_libre": probleme_url,
}
_BALISE = re.compile(r"<[^>]*>")


def _finaliser(
    d: dict[str, Any], ligne: Ligne, format_: str, arrets: Mapping[str, list[Arret]] | None = None
) -> Acteur:
    """Shared normalisation and checks, then the canonical model (its errors name the field).
    A mobile service's stops come from its ``arrets`` cell or from ``arrets`` (a stops file, by
    service id: ``importers.arrets``); with stops, the service needs no point of its own."""
    for champ in nettoyer_textes(d):  # the text rules of every entry (validation), before any use
        ligne.avertir(champ, "caractère(s) invisible(s) ou de contrôle retiré(s).")
    for champ in ("id", *_TEXTES_SURS):
        d[champ] = texte_sur(d.get(champ), ligne.ou(champ))
    if not d.get("id"):
        raise DonneeInvalide("identifiant absent.", ligne.ou("id"))
    if not d.get("nom"):
        raise DonneeInvalide("nom absent.", ligne.ou("nom"))
    for champ in _TEXTES_LIBRES:
        v = d.get(champ)
        if v and _BALISE.search(v):
            d[champ] = nz.texte(
                re.sub(r"\s*<br\s*/?>\s*", "\n", _retirer_commentaires(v)).replace("<li>", "\n- ")
            )
            d[champ] = nz.texte(_BALISE.sub("", d[champ] or ""))
            ligne.avertir(champ, "balisage HTML retiré du texte.")
        if d.get(champ) and len(d[champ]) > LONGUEUR_TEXTE:
            d[champ] = d[champ][: LONGUEUR_TEXTE - 1].rstrip() + "…"
            ligne.avertir(champ, f"texte raccourci à {LONGUEUR_TEXTE} caractères.")
        d[champ] = texte_sur(d.get(champ), ligne.ou(champ), lignes=True)
    # an address that is not one (or a formula, markup…): that value dropped, the row kept
    for champ, probleme in _ADRESSES.items():
        valeurs = d.get(champ)
        gardees: list[str] = []
        for v in valeurs if isinstance(valeurs, list) else [valeurs] if valeurs else []:
            texte = texte_propre(v)
            raison = probleme(texte) if texte else None
            if raison is not None:
                ligne.avertir(champ, f"{raison} ; valeur non retenue.")
            elif texte:
                gardees.append(texte)
        d[champ] = gardees if isinstance(valeurs, list) else next(iter(gardees), None)
    resume = d.get("presentation_resume")
    if resume and len(resume) > 280:
        d["presentation_resume"] = resume[:279].rstrip() + "…"
        ligne.avertir(
            "presentation_resume", "présentation résumée raccourcie à 280 caractères (limite du standard)."
        )
    d["code_postal"] = _code(ligne, "code_postal", d.get("code_postal"), nz.code_postal)
    d["code_insee"] = _code(ligne, "code_insee", d.get("code_insee"), nz.code_insee)
    dep = nz.departement_de(d.get("code_insee"), d.get("code_postal"))
    tel, avert = nz.telephone(d.get("telephone"), dep)
    if avert:
        ligne.avertir("telephone", avert)
    d["telephone"] = tel
    piv, avert = nz.pivot(d.get("pivot"))
    if avert:
        ligne.avertir("pivot", avert)
    d["pivot"] = piv
    if d.get("horaires"):
        h, avert = valider_horaires(d["horaires"])
        if avert:
            ligne.avertir("horaires", avert)
        d["horaires"] = h
    # stops of a mobile service (issue 12): its ``arrets`` cell, else a stops file
    d["arrets"], avertissements_arrets = arrets_de_la_cellule(ligne.valeurs.get("arrets"), ligne.ou())
    if arrets is not None and d["id"] in arrets:
        d["arrets"] = arrets[d["id"]]
    for champ_arret, message in avertissements_arrets:
        ligne.avertir(champ_arret, message)
    # coordinates: the geometry when there is one, else the columns (none for a service known
    # only by its stops)
    lon_col, lat_col = COLONNES_COORDONNEES.get(format_, ("longitude", "latitude"))
    if ligne.point is not None:
        c = verifier_point(ligne.point[0], ligne.point[1], ligne.ou("geometry"), "geometry", "geometry")
        d["longitude"], d["latitude"] = c.longitude, c.latitude
    elif ligne.geometrie and not d.get("arrets") and not (ligne.get(lon_col) or ligne.get(lat_col)):
        raise DonneeInvalide(ligne.geometrie, ligne.ou("geometry"))  # a null geometry, a polygon…
    elif not (d["arrets"] and ligne.get(lon_col) is None and ligne.get(lat_col) is None):
        c = coordonnees(ligne.get(lon_col), ligne.get(lat_col), ligne.ou(), lon_col, lat_col)
        d["longitude"], d["latitude"] = c.longitude, c.latitude
    if "categorie" not in d:
        d["categorie"] = _categorie(
            tuple(d.get("typologie", [])),
            format_,
            d.get("nom"),
            tuple(d.get("dispositif_programmes_nationaux", [])),
        )
    d = {k: v for k, v in d.items() if v is not None and v != []}
    try:
        return Acteur(**d)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc: str | None = ".".join(str(p) for p in err.get("loc", ())) or None
        msg = str(err.get("msg", "valeur invalide")).removeprefix("Value error, ")
        raise DonneeInvalide(f"{msg}.", ligne.ou(loc)) from exc


@lru_cache(maxsize=65536)
def _categorie(
    typologie: tuple[str, ...], format_: str, nom: str | None, dispositifs: tuple[str, ...]
) -> Categorie:
    return categorie_depuis(typologie, format_, nom, dispositifs)


def _retirer_commentaires(v: str) -> str:
    return re.sub(r"<!--.*?-->", "", v, flags=re.S)


def _code(ligne: Ligne, champ: str, valeur: str | None, f: Callable[[object], str | None]) -> str | None:
    if valeur is None:
        return None
    out = f(valeur)
    if out is None:
        if ligne.strict and champ == "code_postal":
            raise DonneeInvalide(f"{champ.replace('_', ' ')} « {valeur} » invalide.", ligne.ou(champ))
        ligne.avertir(champ, f"{champ.replace('_', ' ')} « {valeur} » invalide, ignoré.")
    return out


def _cle_unicite(format_: str, valeurs: dict[str, str | None]) -> str | None:
    if format_ == "data-inclusion":
        ident = nz.texte(valeurs.get("id"))
        return f"{nz.texte(valeurs.get('source'))}/{ident}" if ident else None
    col = {"france-services": "id_fs", "bibliotheques": "Code_bib"}.get(format_, "id")
    return nz.texte(valeurs.get(col))


def verifier_table(table: Table, format_: str) -> None:
    """File-level checks before any row: rows present, required columns, unique ids, coordinate
    system."""
    exiger_lignes(table)
    manquantes = [c for c in COLONNES_REQUISES[format_] if c not in table.colonnes]
    if manquantes:
        sep = f" (séparateur détecté : {table.nom_separateur})" if table.separateur else ""
        raise FichierInvalide(
            f"colonne(s) requise(s) absente(s) pour le format {format_} : "
            + ", ".join(f"« {c} »" for c in manquantes)
            + f"{sep}. Colonnes lues : {', '.join(table.colonnes[:12])}"
            + ("…" if len(table.colonnes) > 12 else "")
            + ".",
            Emplacement(table.fichier, 1, manquantes[0]),
        )
    vus: dict[str, int] = {}
    for valeurs, numero in zip(table.lignes, table.numeros, strict=True):
        k = _cle_unicite(format_, valeurs)
        if k is None:
            continue
        if k in vus:
            raise FichierInvalide(
                f"identifiant « {k} » en double (lignes {vus[k]} et {numero}) : chaque lieu doit avoir "
                "un identifiant unique.",
                Emplacement(table.fichier, numero, "id"),
            )
        vus[k] = numero
    if table.points is not None:
        pairs = [p for p in table.points if p is not None]
    else:
        lon_col, lat_col = COLONNES_COORDONNEES.get(format_, ("longitude", "latitude"))
        pairs = []
        for valeurs in table.lignes:
            try:
                x, y = nombre(valeurs.get(lon_col)), nombre(valeurs.get(lat_col))
            except ValueError:
                continue
            if x is not None and y is not None:
                pairs.append((x, y))
    # points were converted to WGS84 from the coordinate system the file declares (readers)
    verifier_colonnes_coordonnees(pairs, table.fichier)


def convertir_table(
    table: Table,
    format_: str,
    rapport: RapportImport,
    *,
    strict: bool | None = None,
    garder: Callable[[Acteur], bool] | None = None,
    arrets: Mapping[str, list[Arret]] | None = None,
) -> list[Acteur]:
    """Convert every row: accepted actors returned, rejected rows and warnings in the report.
    ``arrets``: stops of mobile services by service id (a stops file, ``importers.arrets``)."""
    verifier_table(table, format_)
    strict_ = format_ == "standard" if strict is None else strict
    convertir = CONVERTISSEURS[format_]
    acteurs: list[Acteur] = []
    rapport.lignes_lues = len(table.lignes)
    points = table.points or [None] * len(table.lignes)
    geometries = table.problemes_geometrie or [None] * len(table.lignes)
    for valeurs, numero, point, geo in zip(table.lignes, table.numeros, points, geometries, strict=True):
        ligne = Ligne(table.fichier, numero, valeurs, point, strict_, geometrie=geo)
        try:
            acteur = _finaliser(convertir(ligne), ligne, format_, arrets)
        except DonneeInvalide as exc:
            rapport.rejeter(numero, exc.emplacement.champ, exc.message)
            continue
        for champ, message in ligne.avertissements:
            rapport.avertir(numero, champ, message)
        if garder is not None and not garder(acteur):
            rapport.ignorees += 1
            continue
        acteurs.append(acteur)
    rapport.acceptees = len(acteurs)
    return acteurs
