"""The national standard "lieux de médiation numérique" v1.0.2, read from its own schema.

The schema JSON and the typologies list are bundled with the package (licence etalab-2.0);
enumerations are derived from the schema's regular expressions so that they stay exact.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DIR = Path(__file__).resolve().parent
SCHEMA_PATH = _DIR / "schema-lieux-mediation-numerique-1.0.2.json"
TYPOLOGIES_PATH = _DIR / "typologies.csv"
VERSION = "1.0.2"

_ENUM_RE = re.compile(r"^\(\?:\(\?:\^\|\\\|\)\((?P<alts>.*)\)\)\+\$$")


@dataclass(frozen=True)
class Champ:
    """One field of the standard."""

    nom: str
    type: str
    requis: bool
    motif: str | None
    longueur_max: int | None
    description: str


@cache
def schema() -> dict[str, object]:
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        data: dict[str, object] = json.load(fh)
    return data


@cache
def champs() -> tuple[Champ, ...]:
    """The 32 fields in the standard's order."""
    out: list[Champ] = []
    fields = schema()["fields"]
    assert isinstance(fields, list)
    for f in fields:
        c = f.get("constraints", {})
        out.append(
            Champ(
                nom=f["name"],
                type=f.get("type", "string"),
                requis=bool(c.get("required")),
                motif=c.get("pattern"),
                longueur_max=c.get("maxLength"),
                description=f.get("description", ""),
            )
        )
    return tuple(out)


def noms_champs() -> tuple[str, ...]:
    return tuple(c.nom for c in champs())


def champs_requis() -> tuple[str, ...]:
    return tuple(c.nom for c in champs() if c.requis)


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


@cache
def enumerations() -> dict[str, tuple[str, ...]]:
    """Field name → allowed values, for every enumerated (``|``-list) field of the standard."""
    out: dict[str, tuple[str, ...]] = {}
    for c in champs():
        if not c.motif:
            continue
        m = _ENUM_RE.match(c.motif)
        if m is None:
            continue
        out[c.nom] = tuple(_unescape(v) for v in m.group("alts").split("|"))
    return out


@cache
def typologies() -> dict[str, str]:
    """The 92 ``typologie`` codes with their labels."""
    with TYPOLOGIES_PATH.open(encoding="utf-8", newline="") as fh:
        return {row["code"]: row["libelle"] for row in csv.DictReader(fh)}


def motif(champ: str) -> re.Pattern[str] | None:
    """The field's pattern compiled for *full* matching (a partial match lets junk through)."""
    for c in champs():
        if c.nom == champ and c.motif:
            return re.compile(c.motif)
    return None
