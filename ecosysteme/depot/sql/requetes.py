"""SQL text shared by the store's concerns: actor rows (select, insert, update) and the
conditions of the layer and actor filters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ecosysteme.depot.interface import Codes
from ecosysteme.depot.lignes import CHAMPS_ACTEUR, COLONNES_LUES, service_valide, valeur_enumeree
from ecosysteme.domaine.modeles import Categorie, Statut

_SELECT_ACTEURS = f"SELECT {', '.join(COLONNES_LUES)} FROM acteurs"


def insert_acteur(geometrie: str) -> str:
    """INSERT of one actor row; ``geometrie``: the backend's SQL of a geometry parameter."""
    return (
        f"INSERT INTO acteurs (geom, {', '.join(CHAMPS_ACTEUR)}, cree_le, modifie_le, modifie_par, lot_id) "
        f"VALUES ({geometrie}, {', '.join('?' * (len(CHAMPS_ACTEUR) + 4))})"
    )


def update_acteur(geometrie: str) -> str:
    """UPDATE of one actor row by ``id`` (same ``geometrie`` as :func:`insert_acteur`)."""
    return (
        f"UPDATE acteurs SET geom = {geometrie}, "
        + ", ".join(f"{c} = ?" for c in CHAMPS_ACTEUR if c != "id")
        + ", modifie_le = ?, modifie_par = ?, lot_id = ? WHERE id = ?"
    )


_PAQUET = 500


def _condition_codes(colonne: str, codes: Codes, liste_de_codes: bool = False) -> tuple[str, list[str]]:
    if codes is None:
        return "", []
    liste = [codes] if isinstance(codes, str) else list(codes)
    if not liste:
        return "1 = 0", []
    if liste_de_codes:
        membre = f"(',' || replace({colonne}, ' ', '') || ',') LIKE '%,' || ? || ',%'"
        return "(" + " OR ".join([membre] * len(liste)) + ")", liste
    return f"{colonne} IN ({', '.join('?' * len(liste))})", liste


def _where(conditions: Iterable[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    textes: list[str] = []
    params: list[Any] = []
    for texte, valeurs in conditions:
        if texte:
            textes.append(texte)
            params.extend(valeurs)
    return (" WHERE " + " AND ".join(textes) if textes else ""), params


def _prefiltre(zones: list[Any]) -> tuple[str, list[Any]]:
    """SQL condition: own point inside the zones' common bounding box (uses ``acteurs_lonlat``)."""
    minx, miny, maxx, maxy = zones[0].bounds
    for zone in zones[1:]:
        zx0, zy0, zx1, zy1 = zone.bounds
        minx, miny, maxx, maxy = max(minx, zx0), max(miny, zy0), min(maxx, zx1), min(maxy, zy1)
    return "longitude BETWEEN ? AND ? AND latitude BETWEEN ? AND ?", [minx, maxx, miny, maxy]


def _conditions_acteurs(
    contient_service: str,
    categorie: Categorie | str | None,
    service: str | None,
    statut: Statut | str | None,
    code_insee: str | None,
    inclure_fermes: bool,
) -> list[tuple[str, list[Any]]]:
    """SQL conditions of the attribute filters of ``lister`` (values checked, French errors)."""
    conditions: list[tuple[str, list[Any]]] = []
    if categorie is not None:
        conditions.append(("categorie = ?", [valeur_enumeree(Categorie, categorie, "Catégorie")]))
    if statut is not None:
        conditions.append(("statut = ?", [valeur_enumeree(Statut, statut, "Statut")]))
    if not inclure_fermes:
        conditions.append(("statut <> ?", [Statut.FERME.value]))
    if code_insee is not None:
        conditions.append(("code_insee = ?", [code_insee]))
    if service is not None:
        conditions.append((contient_service, [service_valide(service)]))
    return conditions
