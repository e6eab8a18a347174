"""Errors of ecosysteme, in one module: every message is in French and says what is wrong and where.

Each error is also a subclass of the built-in exception it means, so that a caller who does not
know ours can catch it: a bad file or value is a ``ValueError``, a record not found a
``LookupError``, a store that cannot be opened an ``OSError``. ``ErreurEcosysteme`` catches them all.
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


class ErreurEcosysteme(Exception):
    """Base error of ecosysteme: catching it catches every error of the package.

    ``message`` is a complete French sentence meant for the user; the text of the exception is
    the message preceded by its place (« fichier « x.csv », ligne 3, champ « nom » : … ») when
    one is known. Each subclass is also the built-in exception it means (``ValueError``,
    ``LookupError``, ``OSError``…), so that a caller who does not know ours can catch it.

    Parameters
    ----------
    message : str
        What is wrong, as a complete French sentence meant for the user.
    emplacement : Emplacement or None, default None
        Where the problem was found (file, row, field), when known.

    Attributes
    ----------
    message : str
        The French message, without the place.
    emplacement : Emplacement
        The place (empty when unknown).
    """

    def __init__(self, message: str, emplacement: Emplacement | None = None) -> None:
        self.message = message
        self.emplacement = emplacement or Emplacement()
        where = str(self.emplacement)
        super().__init__(f"{where} : {message}" if where else message)


class FichierInvalide(ErreurEcosysteme, ValueError):
    """The file as a whole cannot be imported (encoding, separator, columns, CRS...).

    Also a ``ValueError``.

    Parameters
    ----------
    message : str
        What is wrong, as a complete French sentence meant for the user.
    emplacement : Emplacement or None, default None
        The file (and field) concerned, when known.
    """


class DonneeInvalide(ErreurEcosysteme, ValueError):
    """One value of one row is invalid.

    Also a ``ValueError``; its place names the file, the row (1-based, header excluded) and the
    field when known.

    Parameters
    ----------
    message : str
        What is wrong, as a complete French sentence meant for the user.
    emplacement : Emplacement or None, default None
        Where the problem was found (file, row, field), when known.
    """


class FormatInconnu(ErreurEcosysteme, ValueError):
    """The format of a file could not be recognised from its content."""


class ConflitDeVersion(ErreurEcosysteme, RuntimeError):
    """Someone else saved the record since it was read."""

    def __init__(self, message: str, actuel: dict[str, object], propose: dict[str, object]) -> None:
        super().__init__(message)
        self.actuel = actuel
        self.propose = propose


class Introuvable(ErreurEcosysteme, LookupError):
    """The record asked for does not exist.

    Also a ``LookupError``: an actor, an import batch, a scenario, a source of the catalogue…
    that is not there.

    Parameters
    ----------
    message : str
        What is wrong, as a complete French sentence meant for the user.
    emplacement : Emplacement or None, default None
        Where the problem was found (file, row, field), when known.
    """


class DepotInvalide(ErreurEcosysteme, OSError):
    """The store file is missing, corrupt or not an ecosysteme store.

    Also an ``OSError``: a store that cannot be opened (:func:`ecosysteme.ouvrir_depot`), or
    whose content cannot be read back.

    Parameters
    ----------
    message : str
        What is wrong, as a complete French sentence meant for the user.
    emplacement : Emplacement or None, default None
        Usually None: the message names the store file.
    """


class TelechargementImpossible(ErreurEcosysteme, OSError):
    """A download failed (offline, server error, bad checksum)."""


class ActeurExisteDeja(ErreurEcosysteme, ValueError):
    """``ajouter`` was given an identifier already in the store."""


class AnnulationImpossible(ErreurEcosysteme, RuntimeError):
    """An undo (of a batch or of a last change) would lose later work: nothing was changed."""


class CoucheInvalide(ErreurEcosysteme, ValueError):
    """A territory GeoDataFrame cannot be stored (CRS, columns, codes, geometries)."""


class DepotOccupe(ErreurEcosysteme, TimeoutError):
    """Another writer held the store longer than the waiting delay."""


class DepotInjoignable(ErreurEcosysteme, ConnectionError):
    """The store's database server cannot be reached, or the connection was lost (nothing was
    written; the next action reconnects)."""


class CorrespondanceInvalide(ErreurEcosysteme, ValueError):
    """The column mapping cannot be applied (``nom`` missing, no place, a column used twice…)."""


class ErreurGeocodage(ErreurEcosysteme, OSError):
    """The address could not be geocoded; ``message`` says why, in French."""
