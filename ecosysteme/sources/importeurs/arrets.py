"""Stops of mobile services read from files (DESIGN §3: ``arrets``, each a place and a schedule).

A mobile service (bus France Services, fablab mobile…) serves at its stops; the coverage counts it
at each stop with that stop's hours. Two shapes of file carry stops (README, « Arrêts des
services itinérants ») :

- **GeoJSON or JSON**: an ``arrets`` list on each service (a feature's properties, or an object of
  the JSON array), each stop an object ``{"nom", "latitude", "longitude", "horaires", "adresse",
  "commune", "code_insee"}`` (``nom``, ``latitude`` and ``longitude`` required; ``horaires`` in
  the OpenStreetMap ``opening_hours`` syntax). The service itself may have no point: a service
  known only by its stops is accepted. Read by the actor importers (:func:`arrets_de_la_cellule`,
  called from ``importers.acteurs``).
- **CSV or XLSX** (or a JSON array of stop rows): one row per stop, with the service's id in
  ``id_service`` (or ``id_acteur``, ``id``) and the stop's fields in the columns above (``nom`` or
  ``nom_arret``; ``lat``/``lon`` accepted); rows keep their order within a service.
  :func:`lire_arrets` reads it; :func:`ecosysteme.inventaire.importation.importer_arrets` gives
  the stops to services already in the store (one import batch, undoable);
  ``convertir_table(..., arrets=…)`` to the services of an actor file imported with it.

Every stop is checked as an actor's point is (coordinates present, in degrees, not Lambert-93;
texts without markup or formula); unreadable hours are dropped with a warning (unknown, not
closed). A service's stops replace the ones it had.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from ecosysteme.domaine import normalisation as nz
from ecosysteme.domaine.erreurs import DonneeInvalide, Emplacement, FichierInvalide
from ecosysteme.domaine.horaires import valider_horaires
from ecosysteme.domaine.modeles import Acteur, Arret
from ecosysteme.domaine.validation import coordonnees, texte_sur
from ecosysteme.sources.importeurs.base import RapportImport
from ecosysteme.sources.lecture import Table

#: Format name of a stops file in the import batches and reports.
FORMAT_ARRETS = "arrets"
#: Columns naming the service a stop belongs to, in order of preference.
COLONNES_SERVICE = ("id_service", "id_acteur", "id")
#: Accepted column names of each field of a stop.
ALIAS: dict[str, tuple[str, ...]] = {
    "nom": ("nom", "nom_arret", "arret"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng"),
    "horaires": ("horaires", "horaires_arret"),
    "adresse": ("adresse",),
    "commune": ("commune",),
    "code_insee": ("code_insee",),
}
#: Longest ``arrets`` cell read (a service with hundreds of stops stays far below).
TAILLE_CELLULE_MAX = 200_000

Avertissements = list[tuple[str | None, str]]


def _valeur(d: Mapping[str, Any], champ: str) -> str | None:
    for nom in ALIAS[champ]:
        v = d.get(nom)
        if v is not None and not (isinstance(v, float) and v != v):
            return nz.texte(v if isinstance(v, str) else str(v))
    return None


def convertir_arret(d: Mapping[str, Any], numero: int, ou: Emplacement) -> tuple[Arret, Avertissements]:
    """One stop (a mapping of its fields, texts or numbers) checked and converted; ``numero``: its
    rank in the service's round (1, 2…), for the messages. ``DonneeInvalide`` (French, naming the
    stop and the field) when it cannot be placed or carries markup; warnings otherwise."""
    avertissements: Avertissements = []
    quel = f"arrêt n° {numero}"

    def champ(nom: str) -> Emplacement:
        return Emplacement(ou.fichier, ou.ligne, f"arrets[{numero}].{nom}")

    try:
        c = coordonnees(
            _valeur(d, "longitude"),
            _valeur(d, "latitude"),
            ou,
            f"arrets[{numero}].longitude",
            f"arrets[{numero}].latitude",
        )
    except DonneeInvalide as exc:
        raise DonneeInvalide(f"{quel} : {exc.message}", exc.emplacement) from exc
    textes: dict[str, str | None] = {}
    for nom in ("nom", "adresse", "commune"):
        try:
            textes[nom] = texte_sur(_valeur(d, nom), champ(nom))
        except DonneeInvalide as exc:
            raise DonneeInvalide(f"{quel} : {exc.message}", exc.emplacement) from exc
    nom_arret = textes["nom"]
    if nom_arret is None:
        nom_arret = f"Arrêt {numero}"
        avertissements.append((champ("nom").champ, f"{quel} sans nom : « {nom_arret} » retenu."))
    horaires, probleme = valider_horaires(_valeur(d, "horaires"))
    if probleme:
        avertissements.append((champ("horaires").champ, f"{quel} : {probleme} (horaires inconnus)."))
    code = _valeur(d, "code_insee")
    insee = nz.code_insee(code) if code else None
    if code and insee is None:
        avertissements.append(
            (champ("code_insee").champ, f"{quel} : code INSEE « {code} » invalide, ignoré.")
        )
    try:
        arret = Arret(
            nom=nom_arret,
            adresse=textes["adresse"],
            commune=textes["commune"],
            code_insee=insee,
            latitude=c.latitude,
            longitude=c.longitude,
            horaires=horaires,
        )
    except ValidationError as exc:  # pragma: no cover - every field was checked above
        raise DonneeInvalide(f"{quel} invalide : {exc.errors()[0].get('msg')}.", ou) from exc
    return arret, avertissements


def _liste_cellule(brut: str, ou: Emplacement) -> list[Any]:
    """The list of stop objects held by one ``arrets`` cell: JSON text, or the text the file
    readers make of a list read from GeoJSON (``[{…}, {…}]``) or JSON (``{…}|{…}``)."""
    if len(brut) > TAILLE_CELLULE_MAX:
        raise DonneeInvalide(
            f"liste d'arrêts trop longue ({len(brut)} caractères, au plus {TAILLE_CELLULE_MAX}).", ou
        )
    texte = brut.strip()
    try:
        valeur: Any = json.loads(texte)
    except json.JSONDecodeError:
        if texte.startswith("{") and texte.endswith("}"):
            texte = "[" + texte.replace("}|{", "}, {") + "]"
        try:
            valeur = ast.literal_eval(texte)  # literals only: nothing is evaluated
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
            raise DonneeInvalide(
                "liste d'arrêts illisible : une liste d'objets est attendue, par exemple "
                '[{"nom": "Place du marché", "latitude": 50.28, "longitude": 3.97, '
                '"horaires": "Sa 09:00-12:00"}].',
                ou,
            ) from exc
    if isinstance(valeur, dict):
        valeur = [valeur]
    if not isinstance(valeur, list | tuple) or not all(isinstance(a, dict) for a in valeur):
        raise DonneeInvalide(
            "liste d'arrêts inattendue : une liste d'objets (un par arrêt) est attendue.", ou
        )
    return list(valeur)


def arrets_de_la_cellule(brut: object, ou: Emplacement) -> tuple[list[Arret], Avertissements]:
    """The stops of one service from its ``arrets`` cell (see :func:`_liste_cellule`), checked;
    an empty cell gives none. ``DonneeInvalide`` when the list or one stop is unusable (the
    service's row is then rejected, with the stop and field named)."""
    if brut is None:
        return [], []
    if isinstance(brut, list | tuple):
        objets: list[Any] = list(brut)
    else:
        texte = nz.texte(str(brut))
        if texte is None or texte in ("[]", "null"):
            return [], []
        objets = _liste_cellule(texte, Emplacement(ou.fichier, ou.ligne, "arrets"))
    arrets: list[Arret] = []
    avertissements: Avertissements = []
    for numero, objet in enumerate(objets, start=1):
        if not isinstance(objet, Mapping):
            raise DonneeInvalide(f"arrêt n° {numero} : un objet est attendu.", ou)
        arret, avert = convertir_arret(objet, numero, ou)
        arrets.append(arret)
        avertissements += avert
    return arrets, avertissements


def colonne_service(table: Table) -> str:
    """The column holding each stop's service id, or ``FichierInvalide`` (French) naming them."""
    for col in COLONNES_SERVICE:
        if col in table.colonnes:
            return col
    raise FichierInvalide(
        "fichier d'arrêts sans colonne d'identifiant du service : « id_service » attendue (une ligne "
        "par arrêt, avec l'identifiant du service itinérant, puis nom, latitude, longitude, horaires). "
        f"Colonnes lues : {', '.join(table.colonnes[:12])}.",
        Emplacement(table.fichier, 1, COLONNES_SERVICE[0]),
    )


def lire_arrets(table: Table, rapport: RapportImport) -> dict[str, list[Arret]]:
    """Stops of a stops file (one row per stop, the service's id in ``id_service``), by service
    id, in the file's order. A row that cannot be used is rejected with its reason; the other
    rows of its service are kept."""
    col = colonne_service(table)
    manquantes = [c for c in ("latitude", "longitude") if not set(ALIAS[c]) & set(table.colonnes)]
    if manquantes and table.points is None:
        raise FichierInvalide(
            f"fichier d'arrêts sans colonne « {manquantes[0]} » : chaque arrêt doit être placé.",
            Emplacement(table.fichier, 1, manquantes[0]),
        )
    rapport.lignes_lues = len(table.lignes)
    par_service: dict[str, list[Arret]] = {}
    points = table.points or [None] * len(table.lignes)
    for valeurs, numero, point in zip(table.lignes, table.numeros, points, strict=True):
        ou = Emplacement(table.fichier, numero)
        service = nz.texte(valeurs.get(col))
        if service is None:
            rapport.rejeter(
                numero, col, "identifiant du service absent : à quel service cet arrêt appartient-il ?"
            )
            continue
        champs: dict[str, Any] = dict(valeurs)
        if point is not None:
            champs["longitude"], champs["latitude"] = point
        rang = len(par_service.get(service, [])) + 1
        try:
            arret, avertissements = convertir_arret(champs, rang, ou)
        except DonneeInvalide as exc:
            rapport.rejeter(numero, exc.emplacement.champ, exc.message)
            continue
        for champ, message in avertissements:
            rapport.avertir(numero, champ, message)
        par_service.setdefault(service, []).append(arret)
    rapport.acceptees = sum(len(v) for v in par_service.values())
    return par_service


def donner_arrets(
    acteurs: Sequence[Acteur], arrets: Mapping[str, list[Arret]], rapport: RapportImport
) -> list[Acteur]:
    """``acteurs`` with the stops of ``arrets`` (by service id) in place of theirs; a service id
    of ``arrets`` matching no actor is reported as a warning."""
    connus = {a.id for a in acteurs}
    for ident, liste in arrets.items():
        if ident not in connus:
            rapport.avertir(
                None,
                COLONNES_SERVICE[0],
                f"service « {ident} » absent : ses {len(liste)} arrêt(s) sont ignorés.",
            )
    return [a.model_copy(update={"arrets": arrets[a.id]}) if a.id in arrets else a for a in acteurs]
