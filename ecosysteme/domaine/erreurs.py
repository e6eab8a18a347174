"""Errors of ecosysteme: every message is in French and says what is wrong and where."""

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


class FichierInvalide(EcosystemeError):
    """The file as a whole cannot be imported (encoding, separator, columns, CRS...)."""


class DonneeInvalide(EcosystemeError):
    """One value of one row is invalid."""


class FormatInconnu(EcosystemeError):
    """The format of a file could not be recognised from its content."""


class ConflitDeVersion(EcosystemeError):
    """Someone else saved the record since it was read."""

    def __init__(self, message: str, actuel: dict[str, object], propose: dict[str, object]) -> None:
        super().__init__(message)
        self.actuel = actuel
        self.propose = propose


class IntrouvableError(EcosystemeError):
    """The record asked for does not exist."""


class StoreInvalide(EcosystemeError):
    """The store file is missing, corrupt or not an ecosysteme store."""


class TelechargementImpossible(EcosystemeError):
    """A download failed (offline, server error, bad checksum)."""
