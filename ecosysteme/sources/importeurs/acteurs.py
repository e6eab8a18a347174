"""Actor importers: the national standard (v1.0.2 and legacy v0), France Services,
conseillers numériques 2022, data·inclusion structures 2022, public libraries.

Each source has a converter from one row to the fields of ``Acteur``; the shared pipeline
reads the file, checks it as a whole, converts every row (a bad row is rejected with its
reason, never silently dropped) and hands the accepted actors to the store as one batch.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from ecosysteme.domaine import normalisation as nz
from ecosysteme.domaine.categories import categorie_depuis, categorie_depuis_texte
from ecosysteme.domaine.erreurs import DonneeInvalide, Emplacement, FichierInvalide
from ecosysteme.domaine.horaires import horaires_france_services, valider_horaires
from ecosysteme.domaine.modeles import Acteur, Arret, Categorie, Statut
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


@dataclass
class Ligne:
    """One input row being converted, collecting its warnings."""

    fichier: str
    numero: int
    valeurs: dict[str, str | None]
    point: tuple[float, float] | None
    strict: bool
    avertissements: list[tuple[str | None, str]] = field(default_factory=list)
    #: Why the feature of a geographic file gives no point (``readers.probleme_geometrie``).
    geometrie: str | None = None

    def get(self, *colonnes: str) -> str | None:
        for c in colonnes:
            v = nz.texte(self.valeurs.get(c))
            if v is not None:
                return v
        return None

    def ou(self, champ: str | None = None) -> Emplacement:
        return Emplacement(self.fichier, self.numero, champ)

    def avertir(self, champ: str | None, message: str) -> None:
        self.avertissements.append((champ, message))

    def enum(self, champ: str, valeurs: list[str]) -> list[str]:
        ok, inconnues = nz.valeurs_enum(champ, valeurs)
        self._inconnues(champ, inconnues)
        return ok

    def _inconnues(self, champ: str, inconnues: list[str]) -> None:
        if not inconnues:
            return
        quoted = ", ".join(f"« {v} »" for v in inconnues)
        if self.strict:
            raise DonneeInvalide(f"valeur(s) hors du standard : {quoted}.", self.ou(champ))
        self.avertir(champ, f"valeur(s) non reconnue(s) ignorée(s) : {quoted}.")


Convertisseur = Callable[[Ligne], dict[str, Any]]


def _date(ligne: Ligne, champ: str, valeur: str | None) -> dt.date | None:
    if valeur is None:
        return None
    s = valeur.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(s[:10], fmt).date()
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(s).date()
    except ValueError:
        pass
    if ligne.strict:
        raise DonneeInvalide(f"date « {valeur} » illisible (attendu AAAA-MM-JJ).", ligne.ou(champ))
    ligne.avertir(champ, f"date « {valeur} » illisible, ignorée (attendu AAAA-MM-JJ).")
    return None


def _services(ligne: Ligne, brut: str | None) -> list[str]:
    ok, inconnues = nz.services_depuis(nz.decouper(brut))
    ligne._inconnues("services", inconnues)
    return ok


def _commun_standard(ligne: Ligne) -> dict[str, Any]:
    """Fields of the standard (v1.0.2, or a v0 export with `;` and former values)."""
    d: dict[str, Any] = {
        "id": ligne.get("id"),
        "pivot": ligne.get("pivot"),
        "nom": ligne.get("nom"),
        "commune": ligne.get("commune"),
        "code_postal": ligne.get("code_postal"),
        "code_insee": ligne.get("code_insee"),
        "adresse": ligne.get("adresse"),
        "complement_adresse": ligne.get("complement_adresse"),
        "telephone": ligne.get("telephone"),
        "courriels": nz.decouper(ligne.get("courriels", "courriel")),
        "site_web": nz.decouper(ligne.get("site_web")),
        "horaires": ligne.get("horaires"),
        "presentation_resume": ligne.get("presentation_resume"),
        "presentation_detail": ligne.get("presentation_detail"),
        "source": ligne.get("source"),
        "structure_parente": ligne.get("structure_parente"),
        "date_maj": _date(ligne, "date_maj", ligne.get("date_maj")),
        "services": _services(ligne, ligne.get("services")),
        "fiche_acces_libre": ligne.get("fiche_acces_libre"),
        "prise_rdv": ligne.get("prise_rdv"),
        "autres_formations_labels": nz.decouper(ligne.get("autres_formations_labels")),
    }
    typo = nz.decouper(ligne.get("typologie"))
    from ecosysteme.domaine import standard

    connues = standard.typologies()
    d["typologie"] = [t for t in typo if t in connues]
    inconnues = [t for t in typo if t not in connues]
    ligne._inconnues("typologie", inconnues)
    itin = nz.decouper(ligne.get("itinerance"))
    d["itinerance"] = ligne.enum("itinerance", itin)
    for champ in (
        "publics_specifiquement_adresses",
        "prise_en_charge_specifique",
        "frais_a_charge",
        "dispositif_programmes_nationaux",
        "formations_labels",
        "modalites_acces",
    ):
        d[champ] = ligne.enum(champ, nz.decouper(ligne.get(champ)))
    acc, inconnues = nz.depuis_table(
        {**{v: v for v in standard.enumerations()["modalites_accompagnement"]}, **nz.ACCOMPAGNEMENTS_ANCIENS},
        nz.decouper(ligne.get("modalites_accompagnement")),
    )
    ligne._inconnues("modalites_accompagnement", inconnues)
    d["modalites_accompagnement"] = acc
    # --- former (v0 / 2022) columns, mapped to the current ones ---
    anciens_publics = nz.decouper(ligne.get("publics_accueillis"))
    if anciens_publics:
        pub, pec, inconnues = nz.publics_depuis(anciens_publics)
        d["publics_specifiquement_adresses"] = list(dict.fromkeys(d["publics_specifiquement_adresses"] + pub))
        d["prise_en_charge_specifique"] = list(dict.fromkeys(d["prise_en_charge_specifique"] + pec))
        ligne._inconnues("publics_accueillis", inconnues)
    conditions = nz.decouper(ligne.get("conditions_acces", "conditions_access"))
    if conditions:
        frais, inconnues = nz.depuis_table(nz.CONDITIONS_ANCIENNES, conditions)
        d["frais_a_charge"] = list(dict.fromkeys(d["frais_a_charge"] + frais))
        ligne._inconnues("conditions_acces", inconnues)
    labels = nz.decouper(ligne.get("labels_nationaux"))
    if labels:
        disp, inconnues = nz.depuis_table(nz.LABELS_ANCIENS, labels)
        d["dispositif_programmes_nationaux"] = list(
            dict.fromkeys(d["dispositif_programmes_nationaux"] + disp)
        )
        d["autres_formations_labels"] = list(dict.fromkeys(d["autres_formations_labels"] + inconnues))
    categorie = ligne.get("categorie")
    if categorie:
        cat = categorie_depuis_texte(categorie)
        if cat is None:
            ligne.avertir("categorie", f"catégorie « {categorie} » inconnue, déduite de la typologie.")
        else:
            d["categorie"] = cat
    statut = ligne.get("statut")
    if statut:
        for s in Statut:
            if nz.cle(s.value) == nz.cle(statut):
                d["statut"] = s
                break
        else:
            ligne.avertir("statut", f"statut « {statut} » inconnu (actif, fermé, en projet) : actif retenu.")
    return d


def convertir_standard(ligne: Ligne) -> dict[str, Any]:
    return _commun_standard(ligne)


def convertir_conseillers(ligne: Ligne) -> dict[str, Any]:
    d = _commun_standard(ligne)
    d["id"] = f"cnfs-{d['id']}" if d["id"] else None
    if "Conseillers numériques" not in d["dispositif_programmes_nationaux"]:
        d["dispositif_programmes_nationaux"].append("Conseillers numériques")
    d["source"] = d["source"] or "conseiller-numerique"
    return d


def convertir_data_inclusion(ligne: Ligne) -> dict[str, Any]:
    d = _commun_standard(ligne)
    src = ligne.get("source") or "data-inclusion"
    d["id"] = f"di-{src}-{d['id']}" if d["id"] else None
    return d


_FORMAT_FS_ITINERANT = {"itinerante", "itinerant", "bus_equivalent", "bus equivalent", "bus"}


def convertir_france_services(ligne: Ligne) -> dict[str, Any]:
    jours = {
        j: ligne.get(j) for j in ("h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi", "h_samedi")
    }
    horaires, avert = horaires_france_services(jours)
    for a in avert:
        ligne.avertir("horaires", a)
    itinerant = nz.cle(ligne.get("itinerance") or "") in {"oui", "itinerant", "itinerante"}
    fmt = nz.cle(ligne.get("format_fs") or "").replace("-", "_")
    itinerant = itinerant or fmt in _FORMAT_FS_ITINERANT or "bus" in nz.cle(ligne.get("lib_fs") or "").split()
    ident = ligne.get("id_fs")
    return {
        "id": f"fs-{ident}" if ident else None,
        "pivot": nz.PIVOT_INCONNU,
        "nom": ligne.get("lib_fs"),
        "adresse": ligne.get("adresse"),
        "complement_adresse": ligne.get("complement_adresse"),
        "code_insee": ligne.get("insee_com"),
        "code_postal": ligne.get("code_postal"),
        "commune": ligne.get("lib_com"),
        "courriels": nz.decouper(ligne.get("mail")),
        "telephone": ligne.get("telephone"),
        "horaires": horaires,
        "source": "france-services",
        "typologie": ["RFS"],
        "itinerance": ["Itinérant"] if itinerant else ["Fixe"],
        # Every France Services helps with online administrative procedures and offers a free
        # computer access point (charter of the label).
        "services": ["Aide aux démarches administratives", "Accès internet et matériel informatique"],
        "dispositif_programmes_nationaux": ["France Services"],
        "frais_a_charge": ["Gratuit"],
        "modalites_acces": ["Se présenter", "Téléphoner"],
        "presentation_resume": ligne.get("commentaire"),
    }


def convertir_bibliotheques(ligne: Ligne) -> dict[str, Any]:
    ident = ligne.get("Code_bib")
    type_adresse = nz.cle(ligne.get("type_adresse") or "")
    services: list[str] = []
    if nz.cle(ligne.get("connexion_wi_fi") or "") == "oui":
        services.append("Accès internet et matériel informatique")
    d: dict[str, Any] = {
        "id": f"bib-{ident}" if ident else None,
        "pivot": nz.PIVOT_INCONNU,
        "nom": ligne.get("nom_de_l_etablissement"),
        "adresse": ligne.get("Adresse"),
        "code_postal": ligne.get("CP"),
        "commune": ligne.get("Ville"),
        "site_web": nz.decouper(ligne.get("site_internet"))
        if "http" in (ligne.get("site_internet") or "")
        else [],
        "source": "bibliotheques",
        "typologie": ["BIB"],
        "services": services,
        "frais_a_charge": ["Gratuit"] if nz.cle(ligne.get("gratuite_des_services") or "") == "oui" else [],
        "itinerance": ["Itinérant"] if "bibliobus" in type_adresse else ["Fixe"],
    }
    if type_adresse in {"lieu uniquement administratif", "reserve de documents non ouverte au public"}:
        d["modalites_acces"] = ["Ce lieu n'accueille pas de public"]
        d["statut"] = Statut.FERME
        ligne.avertir(
            "type_adresse",
            f"« {ligne.get('type_adresse')} » : lieu non ouvert au public, enregistré comme fermé.",
        )
    return d


CONVERTISSEURS: dict[str, Convertisseur] = {
    "standard": convertir_standard,
    "conseillers-numeriques": convertir_conseillers,
    "data-inclusion": convertir_data_inclusion,
    "france-services": convertir_france_services,
    "bibliotheques": convertir_bibliotheques,
}


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
