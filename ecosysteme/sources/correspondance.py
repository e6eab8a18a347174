"""Column mapping for a file in a free format (pure functions, no Streamlit, no store).

When the format of a table is not recognised (:func:`ecosysteme.inventaire.importation.detecter_format`
raises ``FormatInconnu``), its columns are matched to the fields of the national standard:
:func:`suggerer` proposes, for each field, the column that looks like it (same name, a known
synonym such as « CP » or « Raison sociale », or a near spelling found with RapidFuzz), each
with a confidence; the user corrects; :func:`verifier` says in French what is wrong with a
mapping; :func:`appliquer` turns the table into one in the standard's format, which
``convertir_table(table, "standard", rapport, strict=False)`` turns into actors with per-row
problems, as for any other file.

A mapping is a ``{standard field: column of the file}`` dictionary (the store remembers it per
source in that direction).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from ecosysteme.domaine import normalisation as nz
from ecosysteme.domaine import standard
from ecosysteme.domaine.erreurs import CorrespondanceInvalide, Emplacement
from ecosysteme.sources.lecture import Table

#: The fields offered first, in the order a person fills them.
_PRINCIPAUX = (
    "nom",
    "adresse",
    "code_postal",
    "commune",
    "latitude",
    "longitude",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "services",
    "typologie",
    "categorie",
    "id",
    "pivot",
    "code_insee",
    "complement_adresse",
)

#: Columns the standard converter needs to find (empty when not mapped).
_REQUIS_CONVERTISSEUR = ("id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj")

#: Known names of each field in partners' files (compared once normalised: lower case, no
#: accents, every non-alphanumeric sign a space).
SYNONYMES: dict[str, tuple[str, ...]] = {
    "id": ("identifiant", "identifiant unique", "id lieu", "id structure", "code structure", "uid", "ref",
           "reference", "numero", "num"),
    "pivot": ("siret", "siren", "rna", "numero siret", "n siret", "siret structure"),
    "nom": ("nom de la structure", "nom structure", "raison sociale", "denomination", "nom du lieu",
            "nom lieu", "nom de l etablissement", "nom etablissement", "etablissement", "structure",
            "libelle", "intitule", "name", "nom usuel", "enseigne"),
    "adresse": ("adresse postale", "voie", "rue", "adresse ligne 1", "adresse 1", "numero et voie", "address",
                "street", "adresse du lieu"),
    "complement_adresse": ("complement adresse", "complement d adresse", "adresse 2", "adresse ligne 2",
                           "complement"),
    "code_postal": ("cp", "code post", "codepostal", "postal", "zip", "postcode", "code postal du lieu"),
    "commune": ("ville", "localite", "nom commune", "nom de la commune", "libelle commune", "city",
                "municipalite"),
    "code_insee": ("insee", "code commune", "code commune insee", "cog", "insee com", "citycode",
                   "code insee commune"),
    "latitude": ("lat", "y", "coord y", "coordonnee y", "coordonnees y", "lat wgs84", "latitude wgs84",
                 "gps lat", "latitude gps", "ylat"),
    "longitude": ("lon", "lng", "long", "x", "coord x", "coordonnee x", "coordonnees x", "lon wgs84",
                  "longitude wgs84", "gps lon", "longitude gps", "xlong"),
    "telephone": ("tel", "tel fixe", "telephone fixe", "numero de telephone", "n telephone", "phone",
                  "telephone accueil", "contact telephone", "tel accueil"),
    "courriels": ("courriel", "mail", "email", "e mail", "adresse mail", "adresse email", "adresse e mail",
                  "adresse electronique", "mel", "contact mail", "contact email"),
    "site_web": ("site", "site internet", "url", "web", "lien", "website", "page web", "site web du lieu"),
    "horaires": ("horaires d ouverture", "heures d ouverture", "ouverture", "horaire", "opening hours",
                 "jours et horaires", "horaires ouverture"),
    "presentation_resume": ("presentation", "description courte", "resume", "presentation courte"),
    "presentation_detail": ("description", "presentation detaillee", "descriptif", "description longue"),
    "source": ("producteur", "fournisseur", "origine"),
    "structure_parente": ("structure porteuse", "porteur", "reseau", "gestionnaire",
                          "organisme gestionnaire"),
    "date_maj": ("date de mise a jour", "mise a jour", "derniere mise a jour", "date maj", "maj",
                 "date modification", "updated at", "date mise a jour"),
    "services": ("service", "offre", "offres", "activites", "prestations", "services proposes",
                 "services numeriques"),
    "typologie": ("type de structure", "type structure", "typologie structure"),
    "categorie": ("type", "type de lieu", "type lieu", "nature", "famille", "categorie de lieu"),
    "itinerance": ("itinerant", "fixe ou itinerant", "lieu itinerant"),
    "publics_specifiquement_adresses": ("publics", "public", "publics accueillis", "public cible",
                                        "publics cibles"),
    "prise_en_charge_specifique": ("prise en charge", "handicap", "accessibilite handicap"),
    "frais_a_charge": ("frais", "tarif", "tarifs", "cout", "gratuite", "prix", "conditions tarifaires"),
    "dispositif_programmes_nationaux": ("dispositif", "dispositifs", "programmes nationaux",
                                        "dispositifs nationaux", "labels nationaux"),
    "formations_labels": ("labels", "label", "formations", "labels formations"),
    "autres_formations_labels": ("autres labels", "autres formations"),
    "modalites_acces": ("modalites d acces", "acces", "conditions d acces", "mode d acces"),
    "modalites_accompagnement": ("modalites d accompagnement", "accompagnement", "type d accompagnement"),
    "fiche_acces_libre": ("acceslibre", "acces libre", "fiche acceslibre"),
    "prise_rdv": ("prise de rendez vous", "rendez vous", "rdv", "lien rdv", "prise de rdv"),
    "statut": ("etat", "statut du lieu", "ouvert ferme"),
}  # fmt: skip

#: Confidence of each kind of match.
CONFIANCE_NOM = 1.0
CONFIANCE_MEMORISEE = 1.0
CONFIANCE_SYNONYME = 0.95
CONFIANCE_PREFIXE = 0.65
#: RapidFuzz ratio (0–100) from which a near spelling is suggested.
SEUIL_RESSEMBLANCE = 85.0


@dataclass(frozen=True)
class Suggestion:
    """One proposed pairing of a standard field with a column, and why."""

    champ: str
    colonne: str
    #: 0 to 1.
    confiance: float
    raison: str


@dataclass(frozen=True)
class Remarque:
    """One problem of a mapping: blocking ones prevent :func:`appliquer`."""

    message: str
    bloquante: bool = True
    colonne: str | None = None


def champs() -> tuple[str, ...]:
    """The fields a column can be mapped to: the standard's 32 (most useful first), then our
    ``categorie`` and ``statut``."""
    return _champs()


@cache
def _champs() -> tuple[str, ...]:
    reste = [c for c in standard.noms_champs() if c not in _PRINCIPAUX]
    return (*_PRINCIPAUX, *reste, "statut")


def normaliser(nom: str) -> str:
    """A column name as compared: lower case, no accents, signs as single spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", nz.cle(nom)).split())


@cache
def _connus() -> dict[str, list[tuple[str, str]]]:
    """Normalised name → [(field, kind)] for the fields' own names and their synonyms."""
    out: dict[str, list[tuple[str, str]]] = {}
    for champ in _champs():
        out.setdefault(normaliser(champ), []).append((champ, "nom"))
        for s in SYNONYMES.get(champ, ()):
            out.setdefault(normaliser(s), []).append((champ, "synonyme"))
    return out


def _candidats(colonne: str) -> list[Suggestion]:
    """Every field ``colonne`` could be, with a confidence."""
    norme = normaliser(colonne)
    if not norme:
        return []
    out: list[Suggestion] = []
    connus = _connus()
    for cle in (norme, norme.replace(" ", "")):
        for champ, genre in connus.get(cle, []):
            if genre == "nom":
                out.append(Suggestion(champ, colonne, CONFIANCE_NOM, "même nom que le champ du standard"))
            else:
                out.append(Suggestion(champ, colonne, CONFIANCE_SYNONYME, "nom usuel de ce champ"))
    if out:
        return out
    longs = [c for c in connus if len(c) >= 4]
    for cle, score, _ in process.extract(norme, longs, scorer=fuzz.ratio, score_cutoff=SEUIL_RESSEMBLANCE):
        confiance = round(0.6 + 0.3 * (score - SEUIL_RESSEMBLANCE) / (100 - SEUIL_RESSEMBLANCE), 2)
        for champ, _genre in connus[cle]:
            out.append(Suggestion(champ, colonne, confiance, f"ressemble à « {cle} » ({score:.0f} %)"))
    mots = norme + " "
    for cle in connus:
        if len(cle) >= 5 and mots.startswith(cle + " "):
            for champ, _genre in connus[cle]:
                out.append(Suggestion(champ, colonne, CONFIANCE_PREFIXE, f"commence par « {cle} »"))
    return out


def suggerer(colonnes: Sequence[str], memorisee: Mapping[str, str] | None = None) -> dict[str, Suggestion]:
    """For each field that can be matched, the best column (each column used once at most).

    A mapping remembered for the source comes first (its columns absent from this file are
    left out); then the matches from the most to the least confident.
    """
    presentes = set(colonnes)
    ordre = {c: i for i, c in enumerate(_champs())}
    choisies: dict[str, Suggestion] = {}
    prises: set[str] = set()
    for champ, colonne in (memorisee or {}).items():
        if champ in ordre and colonne in presentes and colonne not in prises and champ not in choisies:
            choisies[champ] = Suggestion(
                champ, colonne, CONFIANCE_MEMORISEE, "correspondance mémorisée pour cette source"
            )
            prises.add(colonne)
    candidats = [s for c in colonnes for s in _candidats(c)]
    rang = {c: i for i, c in enumerate(colonnes)}
    candidats.sort(key=lambda s: (-s.confiance, ordre[s.champ], rang[s.colonne]))
    for s in candidats:
        if s.champ not in choisies and s.colonne not in prises:
            choisies[s.champ] = s
            prises.add(s.colonne)
    return {c: choisies[c] for c in _champs() if c in choisies}


def verifier(
    correspondance: Mapping[str, str], colonnes: Sequence[str], *, points: bool = False
) -> list[Remarque]:
    """What is wrong with a mapping (``points``: the file has point geometries).

    Blocking: a field or a column that does not exist, a column chosen for two fields, no
    ``nom``, one coordinate without the other, neither coordinates nor an address.
    """
    out: list[Remarque] = []
    connus = set(_champs())
    presentes = set(colonnes)
    par_colonne: dict[str, list[str]] = {}
    for champ, colonne in correspondance.items():
        if champ not in connus:
            out.append(Remarque(f"« {champ} » n'est pas un champ du standard.", colonne=colonne))
        if colonne not in presentes:
            out.append(
                Remarque(
                    f"la colonne « {colonne} » (choisie pour « {champ} ») n'existe pas dans le fichier.",
                    colonne=colonne,
                )
            )
        par_colonne.setdefault(colonne, []).append(champ)
    for colonne, liste in par_colonne.items():
        if len(liste) > 1:
            out.append(
                Remarque(
                    f"la colonne « {colonne} » est choisie pour plusieurs champs ("
                    + ", ".join(f"« {c} »" for c in liste)
                    + ") : une colonne ne peut remplir qu'un champ.",
                    colonne=colonne,
                )
            )
    if "nom" not in correspondance:
        out.append(
            Remarque("le champ « nom » est obligatoire : choisissez la colonne qui contient le nom du lieu.")
        )
    lat, lon = "latitude" in correspondance, "longitude" in correspondance
    if lat != lon:
        manque, present = ("longitude", "latitude") if lat else ("latitude", "longitude")
        out.append(Remarque(f"« {present} » est choisie sans « {manque} » : il faut les deux coordonnées."))
    coordonnees = (lat and lon) or points
    if not coordonnees and "adresse" not in correspondance:
        out.append(
            Remarque(
                "ni coordonnées (latitude et longitude) ni adresse : choisissez au moins les colonnes des "
                "coordonnées ou celle de l'adresse."
            )
        )
    elif not coordonnees:
        out.append(
            Remarque(
                "adresse sans coordonnées : les lignes sans latitude ni longitude seront rejetées (les "
                "adresses ne sont pas encore géocodées).",
                bloquante=False,
            )
        )
    if "id" not in correspondance:
        out.append(
            Remarque(
                "pas de colonne d'identifiant : chaque lieu reçoit un identifiant calculé à partir de la "
                "source, de son nom et de son adresse (le même à chaque import du même fichier).",
                bloquante=False,
            )
        )
    return out


def prefixe_source(source: str) -> str:
    """The prefix of the identifiers of a source: ``"Ville de Hem — EPN"`` → ``"ville-de-hem-epn"``."""
    slug = re.sub(r"[^a-z0-9]+", "-", nz.cle(source)).strip("-")[:40].strip("-")
    return slug or "import"


def identifiant(source: str, nom: str | None, adresse: str | None, code_postal: str | None,
                commune: str | None) -> str:  # fmt: skip
    """A deterministic identifier from the source and the place's name and address (the same at
    each import of the same place, whatever its row)."""
    cle = "\x1f".join(nz.cle(v or "") for v in (nom, adresse, code_postal, commune))
    return f"{prefixe_source(source)}-{hashlib.sha256(cle.encode()).hexdigest()[:12]}"


def appliquer(table: Table, correspondance: Mapping[str, str], *, source: str | None = None) -> Table:
    """The table in the standard's format: mapped columns renamed, the others dropped.

    Identifiers are prefixed with the source (``source``, default: the file name without
    extension) so that two partners' « 1 » never overwrite each other; a row without one gets
    :func:`identifiant` (``-2``, ``-3``… for repeats within the file). Row numbers, point
    geometries, encoding and separator are kept, so problems still point at the right row.
    Raises :class:`CorrespondanceInvalide` when :func:`verifier` finds a blocking problem.
    """
    points = table.points is not None and any(p is not None for p in table.points)
    bloquantes = [r for r in verifier(correspondance, table.colonnes, points=points) if r.bloquante]
    if bloquantes:
        raise CorrespondanceInvalide(
            "correspondance des colonnes incomplète : " + " ; ".join(r.message for r in bloquantes),
            Emplacement(table.fichier, 1, bloquantes[0].colonne),
        )
    source = source or table.fichier.rsplit(".", 1)[0]
    prefixe = prefixe_source(source)
    ordre = _champs()
    mappes = [c for c in ordre if c in correspondance]
    colonnes = [*_REQUIS_CONVERTISSEUR, *(c for c in mappes if c not in _REQUIS_CONVERTISSEUR)]
    lignes: list[dict[str, str | None]] = []
    vus: dict[str, int] = {}
    for valeurs in table.lignes:
        ligne: dict[str, str | None] = dict.fromkeys(colonnes)
        for champ in mappes:
            ligne[champ] = valeurs.get(correspondance[champ])
        brut = nz.texte(ligne["id"])
        if brut is not None:
            ident = f"{prefixe}-{brut}"
        else:
            ident = identifiant(
                source, ligne["nom"], ligne["adresse"], ligne["code_postal"], ligne["commune"]
            )
            vus[ident] = vus.get(ident, 0) + 1
            if vus[ident] > 1:
                ident = f"{ident}-{vus[ident]}"
        ligne["id"] = ident
        lignes.append(ligne)
    return Table(
        table.fichier,
        table.type,
        colonnes,
        lignes,
        list(table.numeros),
        list(table.points) if table.points is not None else None,
        table.encodage,
        table.separateur,
        table.crs,
        list(table.avertissements),
    )
