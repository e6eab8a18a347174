"""Errors of ecosysteme, in one module: every message is in French and says what is wrong and where.

Each error is also a subclass of the built-in exception it means, so that a caller who does not
know ours can catch it: a bad file or value is a ``ValueError``, a record not found a
``LookupError``, a store that cannot be opened an ``OSError``. ``EcosystemeError`` catches them all.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Emplacement:
    """Where a problem was found: file, row (1-based, header excluded) and field."""

    fichier: str | None = None
    ligne: int | None = None
    champ: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.fichier:
            parts.append(f"fichier « {self.fichier} »")
        if self.ligne is not None:
            parts.append(f"ligne {self.ligne}")
        if self.champ:
            parts.append(f"champ « {self.champ} »")
        return ", ".join(parts)


class EcosystemeError(Exception):
    """Base error: ``message`` is a complete French sentence meant for the user."""

    def __init__(self, message: str, emplacement: Emplacement | None = None) -> None:
        self.message = message
        self.emplacement = emplacement or Emplacement()
        where = str(self.emplacement)
        super().__init__(f"{where} : {message}" if where else message)


class FichierInvalide(EcosystemeError, ValueError):
    """The file as a whole cannot be imported (encoding, separator, columns, CRS...)."""


class DonneeInvalide(EcosystemeError, ValueError):
    """One value of one row is invalid."""


class FormatInconnu(EcosystemeError, ValueError):
    """The format of a file could not be recognised from its content."""


class ConflitDeVersion(EcosystemeError, RuntimeError):
    """Someone else saved the record since it was read."""

    def __init__(self, message: str, actuel: dict[str, object], propose: dict[str, object]) -> None:
        super().__init__(message)
        self.actuel = actuel
        self.propose = propose


class IntrouvableError(EcosystemeError, LookupError):
    """The record asked for does not exist."""


class StoreInvalide(EcosystemeError, OSError):
    """The store file is missing, corrupt or not an ecosysteme store."""


class TelechargementImpossible(EcosystemeError, OSError):
    """A download failed (offline, server error, bad checksum)."""


class ActeurExisteDeja(EcosystemeError, ValueError):
    """``ajouter`` was given an identifier already in the store."""


class AnnulationImpossible(EcosystemeError, RuntimeError):
    """An undo (of a batch or of a last change) would lose later work: nothing was changed."""


class CoucheInvalide(EcosystemeError, ValueError):
    """A territory GeoDataFrame cannot be stored (CRS, columns, codes, geometries)."""


class DepotOccupe(EcosystemeError, TimeoutError):
    """Another writer held the store longer than the waiting delay."""


class CorrespondanceInvalide(EcosystemeError, ValueError):
    """The column mapping cannot be applied (``nom`` missing, no place, a column used twice…)."""


class ErreurGeocodage(EcosystemeError, OSError):
    """The address could not be geocoded; ``message`` says why, in French."""
