"""The inventory as a CSV of the national standard « lieux de médiation numérique » v1.0.2.

The file follows the standard's own valid example (``exemple-valide.csv``): UTF-8 without BOM,
``,`` between columns, every value in double quotes, ``|`` between the values of a list, dates
``AAAA-MM-JJ``, telephone in E.164, decimal point, the 32 columns in the schema's order and
nothing else (our extensions — categorie, statut, arrets, piliers, provenance, version — stay
out). It is validated against the embedded schema with ``frictionless`` before it is put in
place, and named as the standard recommends::

    AAAAMMJJ_idProducteur_lieux-de-mediation-numerique_Territoire.csv

Decisions (the standard is silent on them):

- **Status**: the standard has no status field, and every row reads as a place open to the
  public. Only actors whose ``statut`` is in ``statuts`` are written: by default the active ones
  (closed places and places « en projet » are left out); pass ``statuts=tuple(Statut)`` to
  write them all.
- **Faithful values, no formula neutralisation**: the file is for data exchange, so no value is
  altered (a leading apostrophe would change the data, and would break the telephone, which
  must begin with ``+``; only invisible characters are removed, :func:`ecosysteme.domaine.validation.
  sans_controles`). Instead, an actor holding a text that a spreadsheet would run as a formula
  (first character ``=``, ``+``, ``-``, ``@``, tab or carriage return — OWASP's list), or markup,
  or a text too long — the rules of every entry, :func:`ecosysteme.domaine.validation.probleme_texte` —
  is *not published* and its reason is given, like an actor missing a field the standard
  requires (``date_maj`` is never invented) or holding a ``|`` inside one value of a list (the
  standard cannot write it). Fix the record, then export again. Every entry (importers, form)
  refuses the same values, so only an actor stored before those rules can be left out for them;
  what is exported is what they read back. The telephone is the one field that begins with
  ``+``: its pattern (E.164, digits only) leaves no room for a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Collection, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecosysteme.domaine import standard
from ecosysteme.domaine.erreurs import Emplacement, ErreurEcosysteme
from ecosysteme.domaine.fichiers import ecrire_atomique
from ecosysteme.domaine.modeles import CHAMPS_LISTES, Acteur, Statut
from ecosysteme.domaine.texte import sans_accents
from ecosysteme.domaine.validation import probleme_texte, sans_controles

SEPARATEUR_LISTE = "|"
#: Statuses written by default: only places open today.
STATUTS_PUBLIES: tuple[Statut, ...] = (Statut.ACTIF,)
_PRODUCTEUR = re.compile(r"[A-Za-z0-9]{9,14}")
_NOM_JEU = "lieux-de-mediation-numerique"
_TEXTES_LIBRES = ("presentation_resume", "presentation_detail")
#: Text fields a spreadsheet could run (the telephone is checked by its own E.164 pattern).
_TEXTES = tuple(
    c.nom for c in standard.champs() if c.type == "string" and c.nom not in (*CHAMPS_LISTES, "telephone")
)


# --- rows ------------------------------------------------------------------------------------
def _nombre(x: float | None) -> str | None:
    """Shortest exact decimal writing, never an exponent (``0.00001``, not ``1e-05``)."""
    if x is None:
        return None
    return str(np.format_float_positional(x, trim="0"))


def _valeur(acteur: Acteur, champ: str) -> str | None:
    v: Any = getattr(acteur, champ)
    if v is None:
        return None
    if champ == "services":  # the standard's order, as our importer writes them back
        ordre = standard.enumerations()["services"]
        v = sorted(v, key=ordre.index)
    if champ in CHAMPS_LISTES:
        return SEPARATEUR_LISTE.join(sans_controles(x, lignes=False).strip() for x in v) if v else None
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return _nombre(v)
    return sans_controles(str(v), lignes=champ in _TEXTES_LIBRES).strip()


def lignes_standard(
    acteurs: Sequence[Acteur], *, statuts: Collection[Statut] = STATUTS_PUBLIES
) -> pd.DataFrame:
    """One row per actor whose status is in ``statuts`` (default: active only): the 32 columns
    of the standard in its order, every value a string or ``None`` (lists joined with ``|``,
    dates ISO, telephone as stored, in E.164; ``services`` in the standard's order, the other
    lists as stored). Nothing is checked here: see
    :func:`acteurs_exportables`."""
    noms = standard.noms_champs()
    lignes = [[_valeur(a, c) for c in noms] for a in acteurs if a.statut in statuts]
    return pd.DataFrame(lignes, columns=list(noms), dtype=object)


def raisons_non_exportable(acteur: Acteur) -> list[str]:
    """Why an actor cannot be written in the standard (empty: it can), in French."""
    raisons: list[str] = []
    manquants = [c for c in standard.champs_requis() if _valeur(acteur, c) is None]
    if manquants:
        raisons.append(
            "champ(s) requis par le standard absent(s) : " + ", ".join(f"« {c} »" for c in manquants)
        )
    for champ in CHAMPS_LISTES:
        for v in getattr(acteur, champ):
            if SEPARATEUR_LISTE in v:
                raisons.append(f"« {v[:60]} » (champ « {champ} ») contient « | », le séparateur des listes")
    textes = [(c, getattr(acteur, c)) for c in _TEXTES] + [
        (c, v) for c in CHAMPS_LISTES for v in getattr(acteur, c)
    ]
    for champ, v in textes:  # the rules of every entry (a value stored before them)
        probleme = probleme_texte(sans_controles(v).strip(), lignes=champ in _TEXTES_LIBRES) if v else None
        if probleme is not None:
            raisons.append(f"champ « {champ} » : {probleme}")
    return raisons


def acteurs_exportables(
    acteurs: Sequence[Acteur], *, statuts: Collection[Statut] = STATUTS_PUBLIES
) -> tuple[list[Acteur], list[str]]:
    """The actors that go into the standard file, and one French message per actor left out
    because of its content (actors of another status are simply not counted)."""
    gardes: list[Acteur] = []
    ecartes: list[str] = []
    for a in acteurs:
        if a.statut not in statuts:
            continue
        raisons = raisons_non_exportable(a)
        if raisons:
            ecartes.append(f"acteur « {a.id} » ({a.nom}) non publié : " + " ; ".join(raisons) + ".")
        else:
            gardes.append(a)
    return gardes, ecartes


# --- validation ------------------------------------------------------------------------------
@cache
def _schema() -> Any:
    from frictionless import Schema

    return Schema.from_descriptor(standard.schema())


_TYPES = {
    "type-error": "valeur du mauvais type",
    "constraint-error": "valeur non conforme",
    "missing-cell": "cellule manquante",
    "extra-cell": "cellule en trop",
    "blank-row": "ligne vide",
    "primary-key": "identifiant en double",
    "unique-error": "valeur en double",
    "incorrect-label": "en-tête de colonne incorrect",
    "missing-label": "en-tête de colonne manquant",
    "extra-label": "colonne en trop",
    "duplicate-label": "en-tête de colonne en double",
    "blank-label": "en-tête de colonne vide",
}


def _message(err: Any, fichier: str) -> str:
    """One frictionless error as a French sentence with file, row and field."""
    ligne = getattr(err, "row_number", None)
    champ = getattr(err, "field_name", None) or getattr(err, "label", None)
    cellule = getattr(err, "cell", None)
    note = str(getattr(err, "note", "") or "")
    quoi = _TYPES.get(err.type, err.type)
    detail = note
    if note.startswith('constraint "required"'):
        quoi, detail = "valeur requise absente", ""
    elif note.startswith('constraint "pattern"'):
        detail = "ne suit pas le motif du standard"
    elif note.startswith('constraint "maxLength"'):
        detail = "trop longue (" + note.split(" is ")[-1].strip('"') + " caractères au plus)"
    elif err.type == "type-error":
        detail = "attendu : " + note.split(" is ")[-1].strip('"').replace("/default", "")
    if cellule not in (None, ""):
        quoi += f" « {str(cellule)[:80]} »"
    texte = quoi + (f" : {detail}" if detail else "")
    return f"{Emplacement(fichier, ligne, champ or None)} : {texte}."


def valider(chemin: Path | str) -> list[str]:
    """Validate a CSV against the embedded schema of the standard v1.0.2 with ``frictionless``:
    one French message per error (file, row — header = 1 — and field); empty when valid."""
    from frictionless import Dialect, Resource
    from frictionless.formats import CsvControl

    chemin = Path(chemin)
    # frictionless refuses absolute paths as « not safe »: a name relative to its folder
    ressource = Resource(
        path=chemin.name,
        basepath=str(chemin.parent),
        schema=_schema(),
        format="csv",
        encoding="utf-8",
        dialect=Dialect(controls=[CsvControl(delimiter=",")]),
    )
    rapport = ressource.validate(limit_errors=1000)
    nom = chemin.name
    return [_message(e, nom) for tache in rapport.tasks for e in tache.errors] + [
        f"{Emplacement(nom)} : {e.message}" for e in rapport.errors
    ]


# --- file ------------------------------------------------------------------------------------
def _territoire(nom: str) -> str:
    """« Région Sud » → ``RegionSud``: no accents, words capitalised and joined."""
    sans = sans_accents(nom).encode("ascii", "ignore").decode("ascii")
    return "".join(m[:1].upper() + m[1:] for m in re.split(r"[^A-Za-z0-9]+", sans) if m)


def nom_fichier_standard(producteur: str, date: dt.date, territoire: str | None = None) -> str:
    """The name the standard recommends: ``AAAAMMJJ_idProducteur_lieux-de-mediation-numerique
    _Territoire.csv`` (the producer's SIRET, SIREN or RNA; territory without accents)."""
    producteur = re.sub(r"\s", "", producteur)
    if not _PRODUCTEUR.fullmatch(producteur):
        raise ErreurEcosysteme(
            f"producteur « {producteur} » : numéro SIRET, SIREN ou RNA attendu (9 à 14 lettres ou "
            "chiffres), comme le recommande le standard pour nommer le fichier."
        )
    parties = [date.strftime("%Y%m%d"), producteur, _NOM_JEU]
    if territoire and _territoire(territoire):
        parties.append(_territoire(territoire))
    return "_".join(parties) + ".csv"


def ecrire_csv_standard(lignes: pd.DataFrame, chemin: Path) -> None:
    """Write rows in the standard's dialect (no validation, not atomic: see exporter_standard)."""
    lignes.to_csv(
        chemin, index=False, encoding="utf-8", quoting=csv.QUOTE_ALL, lineterminator="\n", na_rep=""
    )


def exporter_standard(
    acteurs: Sequence[Acteur],
    dossier_ou_chemin: Path | str,
    *,
    producteur: str,
    date: dt.date,
    territoire: str | None = None,
    statuts: Collection[Statut] = STATUTS_PUBLIES,
    ecarter: bool = True,
) -> Path:
    """Write the actors as a CSV of the national standard and return its path.

    Actors that cannot be published (:func:`acteurs_exportables`) are left out when ``ecarter``
    is true, else the export is refused with their reasons. The temp file is validated with
    ``frictionless`` *before* it is renamed into place: an invalid export leaves no file (an
    existing one untouched).

    Parameters
    ----------
    acteurs : sequence of Acteur
        The actors of the inventory.
    dossier_ou_chemin : pathlib.Path or str
        A folder (the file gets the recommended name, :func:`nom_fichier_standard`) or a
        ``.csv`` path.
    producteur : str
        The producer's SIRET, SIREN or RNA (9 to 14 letters or digits), in the file's name.
    date : datetime.date
        The date in the file's name (``AAAAMMJJ``).
    territoire : str or None, default None
        The territory at the end of the file's name (written without accents).
    statuts : collection of Statut, default STATUTS_PUBLIES
        The statuses written: by default the active actors only; ``tuple(Statut)`` writes all.
    ecarter : bool, default True
        Leave out the actors that cannot be published; False: refuse the export instead.

    Returns
    -------
    pathlib.Path
        The CSV written.

    Raises
    ------
    ErreurEcosysteme
        An invalid ``producteur``; actors that cannot be published while ``ecarter`` is false
        (with their reasons); a file failing the validation of the schema (with every error).
    """
    cible = Path(dossier_ou_chemin)
    nom = nom_fichier_standard(producteur, date, territoire)
    if cible.suffix.lower() != ".csv" or cible.is_dir():
        cible = cible / nom
    gardes, ecartes = acteurs_exportables(acteurs, statuts=statuts)
    if ecartes and not ecarter:
        raise ErreurEcosysteme(
            f"export au standard refusé : {len(ecartes)} acteur(s) non publiable(s). "
            + " ".join(ecartes[:20])
            + (" …" if len(ecartes) > 20 else "")
        )
    lignes = lignes_standard(gardes, statuts=statuts)

    def ecrire(tmp: Path) -> None:
        ecrire_csv_standard(lignes, tmp)
        erreurs = valider(tmp)
        if erreurs:
            raise ErreurEcosysteme(
                f"export au standard refusé : le fichier ne passe pas la validation du schéma "
                f"v{standard.VERSION} ({len(erreurs)} erreur(s)). "
                + " ".join(e.replace(tmp.name, cible.name) for e in erreurs[:20])
                + (" …" if len(erreurs) > 20 else "")
            )

    return ecrire_atomique(cible, ecrire)
