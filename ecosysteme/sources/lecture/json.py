"""JSON files: an array of objects (the JSON form of the national standard) as string rows."""

from __future__ import annotations

import json
from pathlib import Path

from ecosysteme.domaine.erreurs import Emplacement, FichierInvalide
from ecosysteme.sources.lecture.table import Table, lire_octets, traduire
from ecosysteme.sources.lecture.texte import decoder

#: Python's json messages in French (the position is given apart).
_JSON = (
    ("Unterminated string starting at", "chaîne de caractères non terminée"),
    ("Expecting value", "valeur attendue"),
    ("Expecting ',' delimiter", "virgule attendue"),
    ("Expecting ':' delimiter", "deux-points attendus"),
    ("Expecting property name enclosed in double quotes", "nom de propriété entre guillemets attendu"),
    ("Invalid control character at", "caractère de contrôle non échappé"),
    ("Invalid \\escape", "séquence d'échappement invalide"),
    ("Invalid \\uXXXX escape", "séquence \\uXXXX invalide"),
    ("Extra data", "données en trop après la fin du JSON"),
)


def lire_json(path: Path, nom: str | None = None) -> Table:
    """A JSON array of objects (the JSON form of the national standard)."""
    nom = nom or path.name
    texte, encodage, avert = decoder(lire_octets(path, nom), nom)
    try:
        data = json.loads(texte)
    except json.JSONDecodeError as exc:
        francais = next(
            (traduire(fr, exc.msg[len(en) :]) for en, fr in _JSON if exc.msg.startswith(en)), exc.msg
        )
        raise FichierInvalide(
            f"JSON mal formé ligne {exc.lineno}, colonne {exc.colno} ({francais}) : "
            "fichier tronqué ou abîmé ?",
            Emplacement(nom, exc.lineno),
        ) from exc
    except RecursionError as exc:
        raise FichierInvalide(
            "JSON imbriqué trop profondément pour être lu : fichier abîmé ou piégé ?", Emplacement(nom)
        ) from exc
    if isinstance(data, dict):
        for key in ("data", "lieux", "items", "results"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise FichierInvalide(
            "JSON inattendu : une liste d'objets (un par lieu) est attendue.", Emplacement(nom)
        )
    colonnes: list[str] = []
    for obj in data:
        for k in obj:
            if k not in colonnes:
                colonnes.append(k)
    lignes = [{k: _json_cell(obj.get(k)) for k in colonnes} for obj in data]
    return Table(
        nom, "json", colonnes, lignes, list(range(1, len(lignes) + 1)), None, encodage, None, None, avert
    )


def _json_cell(v: object) -> str | None:
    if v is None:
        return None
    if isinstance(v, list):
        return "|".join(str(x) for x in v if x is not None) or None
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    s = str(v).strip()
    return s or None
