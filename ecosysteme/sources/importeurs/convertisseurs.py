"""Per-source converters of actor files: one input row (a :class:`Ligne`) to the fields of
``Acteur``, for the national standard (v1.0.2 and legacy v0), France Services, conseillers
numériques 2022, data·inclusion structures 2022 and public libraries. The shared pipeline that
checks and finalises the rows is ``importeurs.acteurs``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ecosysteme.domaine import normalisation as nz
from ecosysteme.domaine.categories import categorie_depuis_texte
from ecosysteme.domaine.dates import lire_date
from ecosysteme.domaine.erreurs import DonneeInvalide, Emplacement
from ecosysteme.domaine.horaires import horaires_france_services
from ecosysteme.domaine.modeles import Statut


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
    iso = lire_date(s)
    if iso is not None:
        return iso
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
