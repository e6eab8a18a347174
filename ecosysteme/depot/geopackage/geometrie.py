"""GeoPackage binary geometries ("GP" header, then WKB): encoding and decoding in bulk."""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from ecosysteme.depot.couches import SRS_WGS84
from ecosysteme.domaine.erreurs import DepotInvalide

_MAGIC = b"GP"


_ENTETE = struct.Struct("<2sBBi")


_ENTETE_ENVELOPPE = struct.Struct("<2sBBi4d")


#: Envelope contents indicator (flags bits 1-3) → envelope size in bytes.
_TAILLE_ENVELOPPE = (0, 32, 48, 48, 64)


_LITTLE_ENDIAN = 0b1


_ENVELOPPE_XY = 0b10


_VIDE = 0b10000


_ETENDU = 0b100000


_TYPE_POINT = 0


def encoder_geometries(geometries: Iterable[Any], srs_id: int = SRS_WGS84) -> list[bytes | None]:
    """Encode shapely geometries as GeoPackage binary blobs (``None`` stays ``None``).

    Header: magic ``GP``, version 0, flags (little-endian; envelope [minx, maxx, miny, maxy] for
    everything but points; empty flag), ``srs_id``, then the 2D little-endian WKB.
    """
    tableau = np.asarray(
        list(geometries) if not isinstance(geometries, np.ndarray) else geometries, dtype=object
    )
    wkbs = shapely.to_wkb(tableau, output_dimension=2, byte_order=1, include_srid=False)
    bornes = shapely.bounds(tableau)
    types = shapely.get_type_id(tableau)
    vides = shapely.is_empty(tableau)
    blobs: list[bytes | None] = []
    for wkb, (minx, miny, maxx, maxy), type_id, vide in zip(wkbs, bornes, types, vides, strict=True):
        if wkb is None:
            blobs.append(None)
        elif vide:
            blobs.append(_ENTETE.pack(_MAGIC, 0, _LITTLE_ENDIAN | _VIDE, srs_id) + wkb)
        elif type_id == _TYPE_POINT:
            blobs.append(_ENTETE.pack(_MAGIC, 0, _LITTLE_ENDIAN, srs_id) + wkb)
        else:
            drapeaux = _LITTLE_ENDIAN | _ENVELOPPE_XY
            blobs.append(_ENTETE_ENVELOPPE.pack(_MAGIC, 0, drapeaux, srs_id, minx, maxx, miny, maxy) + wkb)
    return blobs


def _wkb(blob: bytes) -> bytes:
    """The WKB part of one GeoPackage blob (the header is skipped by its envelope size)."""
    if len(blob) < _ENTETE.size or blob[:2] != _MAGIC or blob[2] != 0:
        raise DepotInvalide(
            "Une géométrie du dépôt n'est pas au format binaire GeoPackage (en-tête « GP » attendu)."
        )
    drapeaux = blob[3]
    code = (drapeaux >> 1) & 0b111
    if drapeaux & _ETENDU or code >= len(_TAILLE_ENVELOPPE):
        raise DepotInvalide(
            f"Une géométrie du dépôt a un en-tête GeoPackage non géré (drapeaux {drapeaux:#04x})."
        )
    return blob[_ENTETE.size + _TAILLE_ENVELOPPE[code] :]


def decoder_geometries(blobs: Sequence[bytes | None]) -> NDArray[np.object_]:
    """Decode GeoPackage binary blobs into an array of shapely geometries (``None`` kept)."""
    wkbs = np.array([None if b is None else _wkb(b) for b in blobs], dtype=object)
    resultat: NDArray[np.object_] = shapely.from_wkb(wkbs)
    return resultat
