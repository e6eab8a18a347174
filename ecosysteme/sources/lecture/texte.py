"""Text files: bytes decoded (UTF-8 first, else the detected single-byte encoding), the CSV
separator detected, and a CSV read as string rows with its errors in French."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import charset_normalizer

from ecosysteme.domaine.erreurs import Emplacement, FichierInvalide
from ecosysteme.sources.lecture.detection import encodage_large, refuser_binaire
from ecosysteme.sources.lecture.table import (
    SEPARATEURS,
    Table,
    lire_octets,
    nettoyer_entete,
    neutre,
    verifier_entetes,
)


def decoder(data: bytes, nom: str) -> tuple[str, str, list[str]]:
    """Decode bytes: UTF-8 (with or without BOM) first, else the detected single-byte encoding.

    Returns (text, encoding name, warnings). cp1252 is preferred to latin-1 (it has « œ », « € »).
    """
    if not data.strip():
        raise FichierInvalide("le fichier est vide.", Emplacement(nom))
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", []
        except UnicodeDecodeError as exc:
            raise _erreur_encodage(data, exc, nom) from exc
    large = encodage_large(data[:65536])
    if large is not None:
        try:
            texte = data.decode(large)
        except UnicodeDecodeError as exc:
            raise _erreur_encodage(data, exc, nom, large) from exc
        avert = [f"fichier en {large.upper()} sans marque d'ordre : lu comme tel."]
        if large in ("utf-16", "utf-32"):
            avert = []
        return texte.lstrip("\ufeff"), large, avert
    echantillon = data[:65536]
    refuser_binaire(data, nom)
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Single-byte French text: Windows-1252 (a superset of Latin-1 with « œ », « € », « ’ »);
    # charset-normalizer confirms, and Latin-1 is the last resort for undefined cp1252 bytes.
    best = charset_normalizer.from_bytes(echantillon, cp_isolation=["cp1252", "latin_1"]).best()
    encoding = "latin_1" if best is not None and best.encoding == "latin_1" else "cp1252"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        encoding = "latin_1"
        text = data.decode(encoding)
    ligne = data[: utf8_error.start].count(b"\n") + 1
    message = (
        f"le fichier n'est pas en UTF-8 (premier octet invalide ligne {ligne}) : "
        f"encodage détecté {_nom_encodage(encoding)}, lu comme tel. Enregistrez-le en UTF-8 "
        "pour éviter toute ambiguïté."
    )
    return text, encoding, [message]


def _nom_encodage(enc: str) -> str:
    noms = {"cp1252": "Windows-1252 (cp1252)", "latin_1": "ISO-8859-1 (Latin-1)", "utf-8": "UTF-8"}
    return noms.get(enc, enc.upper())


def _erreur_encodage(
    data: bytes, exc: UnicodeDecodeError, nom: str, encodage: str = "utf-8"
) -> FichierInvalide:
    debut = data[: exc.start]
    if encodage.startswith(("utf-16", "utf-32")):
        ligne = debut.decode(encodage, errors="ignore").count("\n") + 1
    else:
        ligne = debut.count(b"\n") + 1
    if exc.reason == "truncated data" or exc.end >= len(data):
        quoi = "le fichier se termine au milieu d'un caractère (fichier tronqué ?)"
    else:
        quoi = f"octet 0x{data[exc.start]:02X} invalide"
    return FichierInvalide(
        f"encodage illisible ({_nom_encodage(encodage)}) : {quoi}, ligne {ligne}. Enregistrez le fichier en "
        "UTF-8.",
        Emplacement(nom, ligne),
    )


def detecter_separateur(texte: str, nom: str) -> str:
    """The CSV separator among `,` `;` `|` tab, from the header and the first lines."""
    echantillon = texte[:262144]
    lignes = echantillon.splitlines()[:51]
    if len(echantillon) < len(texte) and len(lignes) > 1:
        lignes = lignes[:-1]  # perhaps cut in the middle
    lignes = [ligne for ligne in lignes[:50] if ligne.strip()]
    if not lignes:
        raise FichierInvalide("le fichier est vide.", Emplacement(nom))
    try:
        dialect = csv.Sniffer().sniff("\n".join(lignes[:20]), delimiters="".join(SEPARATEURS))
        sep = str(dialect.delimiter)
    except csv.Error:
        sep = max(SEPARATEURS, key=lambda s: lignes[0].count(s))
    header_counts = {s: next(csv.reader([lignes[0]], delimiter=s)).__len__() for s in SEPARATEURS}
    # The header decides when the sniffer hesitates: the separator that splits it the most.
    best = max(SEPARATEURS, key=lambda s: header_counts[s])
    if header_counts.get(sep, 1) < header_counts[best]:
        sep = best
    return sep


def _lignes_texte(texte: str) -> Iterator[str]:
    """The lines of ``texte`` with their ends, as a file opened with ``newline=""`` gives them
    to the csv module, without copying the whole text (``io.StringIO`` holds 4 bytes a
    character). Line feeds end lines; a text with carriage returns only (old Mac) ends them
    there."""
    fin_ligne = "\n" if "\n" in texte[:65536] or "\r" not in texte[:65536] else "\r"
    debut = 0
    while True:
        fin = texte.find(fin_ligne, debut)
        if fin < 0:
            if debut < len(texte):
                yield texte[debut:]
            return
        yield texte[debut : fin + 1]
        debut = fin + 1


#: Longest value of a CSV cell (characters): the csv module's default; a longer one is an unclosed
#: quote or a damaged file.
LIMITE_CHAMP_CSV = 131_072


def _erreur_csv(exc: csv.Error, ligne: int, nom: str) -> FichierInvalide:
    detail = str(exc)
    if "field larger than field limit" in detail:
        return FichierInvalide(
            f"une valeur dépasse {LIMITE_CHAMP_CSV:_} caractères à partir de la ligne {ligne} : "
            "guillemet ouvert jamais fermé (fichier tronqué ?) ou valeur démesurée.".replace("_", "\u202f"),
            Emplacement(nom, ligne),
        )
    if "unexpected end of data" in detail or "EOF" in detail:
        return FichierInvalide(
            f"CSV mal formé vers la ligne {ligne} : le fichier se termine au milieu d'une valeur entre "
            "guillemets (fichier tronqué ou guillemet non fermé ?).",
            Emplacement(nom, ligne),
        )
    if "',' expected after '\"'" in detail or "expected after" in detail:
        return FichierInvalide(
            f"CSV mal formé vers la ligne {ligne} : caractère inattendu après un guillemet fermant "
            "(guillemet non doublé dans une valeur ? fichier tronqué ?).",
            Emplacement(nom, ligne),
        )
    if "new-line character seen in unquoted field" in detail:
        return FichierInvalide(
            f"CSV mal formé vers la ligne {ligne} : retour chariot isolé dans une valeur sans guillemets "
            "(fichier tronqué ou abîmé ?).",
            Emplacement(nom, ligne),
        )
    return FichierInvalide(
        f"CSV mal formé vers la ligne {ligne} ({detail}) : fichier tronqué ou guillemet non fermé ?",
        Emplacement(nom, ligne),
    )


def lire_csv(path: Path, nom: str | None = None) -> Table:
    """A CSV file as string rows: encoding and separator detected, BOM removed, codes kept as text."""
    nom = nom or path.name
    data = lire_octets(path, nom)
    texte, encodage, avert = decoder(data, nom)
    del data
    sep = detecter_separateur(texte, nom)
    # the csv module's field limit is global and other libraries change it when imported
    # (frictionless sets 20 MB): ours is set at every read, so a file gets the same answer
    # whatever was imported before
    csv.field_size_limit(LIMITE_CHAMP_CSV)
    reader = csv.reader(_lignes_texte(texte), delimiter=sep, strict=True)
    try:
        premiere = next(reader, None)
    except csv.Error as exc:
        raise _erreur_csv(exc, reader.line_num, nom) from exc
    if premiere is None:
        raise FichierInvalide("le fichier est vide.", Emplacement(nom))
    header = [nettoyer_entete(h) for h in premiere]
    if len(header) == 1:
        raise FichierInvalide(
            "une seule colonne lue : séparateur non reconnu (attendu virgule, point-virgule, "
            "barre verticale ou tabulation).",
            Emplacement(nom, 1),
        )
    verifier_entetes(header, nom)
    lignes: list[dict[str, str | None]] = []
    numeros: list[int] = []
    debut = reader.line_num + 1
    while True:
        try:
            row = next(reader, None)
        except csv.Error as exc:
            raise _erreur_csv(exc, debut, nom) from exc
        if row is None:
            break
        numero, debut = debut, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise FichierInvalide(
                f"{len(row)} valeurs au lieu de {len(header)} : ligne incomplète (fichier tronqué ?) "
                "ou séparateur dans une valeur sans guillemets.",
                Emplacement(nom, numero),
            )
        lignes.append({h: (neutre(v)) for h, v in zip(header, row, strict=True)})
        numeros.append(numero)
    return Table(nom, "csv", header, lignes, numeros, None, encodage, sep, None, avert)
