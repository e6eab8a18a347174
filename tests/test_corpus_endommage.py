"""Damaged and unexpected files through every entry point (issue 12, point 2).

A corpus generated here (no committed binary): truncated and invalid JSON / GeoJSON, empty files
of every format, binary content under a ``.csv`` name, UTF-16 and EBCDIC texts, a header alone,
null geometries, polygons where points are expected, NaN / Infinity / 1e308 / 1e309
coordinates, files of another format under a known extension, an XLSX that is not a ZIP, a cut
workbook, a small workbook declaring hundreds of megabytes, a cut GeoPackage, a SQLite base that
is not a GeoPackage, NUL bytes, very long values, metres without a declared coordinate system, a
wrong declaration; and territory-shaped files (QPV, populations) damaged the same ways.

Each file goes through each entry point: ``ecosysteme importer`` (format recognised from the
content), the territory imports (``importer --format qpv`` and ``--format population``),
``ecosysteme preparer`` (the file served by a mirror under a catalogue name) and the upload page
(``streamlit.testing``). Every one must answer with a French message naming the file (and the
line and field where the case has them), exit code 1 on the command line, no traceback and no
English library message, and the store byte for byte as it was. The table of every case × entry
point (message, exit code, store checksum) is written to ``tests/artefacts/corpus_endommage.tsv``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aide_store import classeur_xlsx, instantane
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from ecosysteme.cli import app
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import FichierInvalide
from ecosysteme.inventaire.importation import importer_fichier
from ecosysteme.ui.importation import ENV_TELEVERSEMENTS

RACINE = Path(__file__).resolve().parents[1]
PAGE = RACINE / "pages" / "5_Import.py"
ARTEFACTS = RACINE / "tests" / "artefacts"

ENTETE = "id,pivot,nom,commune,code_postal,adresse,latitude,longitude,date_maj,services"
LIGNE = (
    "lieu-1,43493312300029,Médiathèque Jean Macé,Hem,59510,2 rue du Général Leclerc,50.6521,3.1862,"
    '2024-05-02,"Aide aux démarches administratives"'
)
PROPRIETES = {
    "id": "lieu-1",
    "pivot": "43493312300029",
    "nom": "Médiathèque Jean Macé",
    "commune": "Hem",
    "code_postal": "59510",
    "adresse": "2 rue du Général Leclerc",
    "date_maj": "2024-05-02",
    "services": "Aide aux démarches administratives",
}
#: English words of the libraries' own messages, never shown to a user.
ANGLAIS = (
    "Traceback",
    "Error",
    "Failed",
    "Unterminated",
    "Expecting",
    "Unexpected",
    "Unrecognized",
    "field larger",
    "malformed",
    "not a zip",
    "No such file",
    "Exception",
    "codec can't",
    "invalid value",
)


# --------------------------------------------------------------------------------------------
# the corpus
# --------------------------------------------------------------------------------------------


def _csv(*lignes: str, encodage: str = "utf-8") -> bytes:
    return ("\n".join(lignes) + "\n").encode(encodage)


def _entite(geometrie: Any, **proprietes: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": proprietes or dict(PROPRIETES), "geometry": geometrie}


def _point(x: Any, y: Any) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y]}


def _collection(*entites: dict[str, Any], crs: str | None = None) -> bytes:
    fc: dict[str, Any] = {"type": "FeatureCollection", "features": list(entites)}
    if crs is not None:
        fc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(fc, ensure_ascii=False).encode()


def _nombre_brut(valeur: str) -> bytes:
    """A GeoJSON point whose longitude is written as ``valeur`` (NaN, Infinity, 1e309: not JSON)."""
    return _collection(_entite(_point(1.5, 50.6521))).replace(b"1.5", valeur.encode())


def _coupe_dans_une_chaine(data: bytes) -> bytes:
    k = data.index("Médiathèque".encode())
    return data[: k + 6]


def _classeur_bombe() -> bytes:
    """A real workbook whose sheet declares 120 MiB of XML for about 120 kio compressed."""
    source = zipfile.ZipFile(io.BytesIO(classeur_xlsx([ENTETE.split(","), LIGNE.split(",")])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zf.writestr(info.filename, source.read(info))
                continue
            with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
                bloc = b" " * (1 << 20)
                for _ in range(120):
                    fh.write(bloc)
    return buf.getvalue()


def _zip(membres: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for nom, data in membres.items():
            zf.writestr(nom, data)
    return buf.getvalue()


def _geopackage(dossier: Path) -> bytes:
    import geopandas as gpd
    from shapely.geometry import Point

    gdf = gpd.GeoDataFrame({k: [v] for k, v in PROPRIETES.items()}, geometry=[Point(3.18, 50.65)], crs=4326)
    chemin = dossier / "source.gpkg"
    gdf.to_file(chemin, engine="pyogrio")
    return chemin.read_bytes()


def _sqlite(dossier: Path) -> bytes:
    chemin = dossier / "base.sqlite"
    cx = sqlite3.connect(chemin)
    cx.execute("CREATE TABLE lieux (id TEXT, nom TEXT)")
    cx.execute("INSERT INTO lieux VALUES ('lieu-1', 'Médiathèque')")
    cx.commit()
    cx.close()
    return chemin.read_bytes()


def _binaire(n: int, graine: int = 12) -> bytes:
    """Deterministic bytes that look like nothing (NUL included)."""
    out = bytearray()
    x = graine
    while len(out) < n:
        x = (1103515245 * x + 12345) % 2**31
        out.append(x >> 16 & 0xFF)
    return bytes(out)


def _lambert(n: int = 4) -> list[dict[str, Any]]:
    return [
        _entite(_point(704_000 + 10 * i, 7_059_000 + 10 * i), **{**PROPRIETES, "id": f"lieu-{i}"})
        for i in range(n)
    ]


def _qpv(geometrie: Any, crs: str | None = None) -> bytes:
    return _collection(_entite(geometrie, code_qp="QN05999M", lib_qp="Quartier d'essai"), crs=crs)


CARRE = {
    "type": "Polygon",
    "coordinates": [[[3.0, 50.0], [3.01, 50.0], [3.01, 50.01], [3.0, 50.01], [3.0, 50.0]]],
}


@dataclass(frozen=True)
class Cas:
    """One damaged or unexpected file."""

    #: The name the user gives the file.
    nom: str
    fabrique: Callable[[Path], bytes]
    #: Expected in the message of ``importer`` (content recognised) and of the page.
    motifs: tuple[str, ...]
    #: What the file looks like: chooses the catalogue name a mirror serves it under.
    genre: str = "acteurs"


CORPUS: dict[str, Cas] = {
    # JSON and GeoJSON
    "geojson_coupe_dans_une_chaine": Cas(
        "lieux.geojson",
        lambda d: _coupe_dans_une_chaine(_collection(_entite(_point(3.1862, 50.6521)))),
        ("JSON mal formé ligne 1", "chaîne de caractères non terminée", "ligne 1"),
    ),
    "geojson_invalide": Cas(
        "lieux.geojson",
        lambda d: b'{"type": "FeatureCollection", "features": [}',
        ("JSON mal formé ligne 1", "caractère inattendu"),
    ),
    "json_coupe": Cas(
        "lieux.json",
        lambda d: _coupe_dans_une_chaine(json.dumps([PROPRIETES], ensure_ascii=False).encode()),
        ("JSON mal formé ligne 1", "chaîne de caractères non terminée"),
    ),
    "json_invalide": Cas("lieux.json", lambda d: b'[{"id": "lieu-1",}]', ("JSON mal formé ligne 1",)),
    # empty files of every format
    "vide_csv": Cas("lieux.csv", lambda d: b"", ("le fichier est vide",)),
    "vide_geojson": Cas("lieux.geojson", lambda d: b"", ("le fichier est vide",)),
    "vide_xlsx": Cas("lieux.xlsx", lambda d: b"", ("le fichier est vide",)),
    "vide_gpkg": Cas("lieux.gpkg", lambda d: b"", ("le fichier est vide",)),
    "blancs_csv": Cas("lieux.csv", lambda d: b"  \r\n\r\n \t\n", ("le fichier est vide",)),
    # binary content, other formats under a known extension
    "binaire_sous_csv": Cas("lieux.csv", lambda d: _binaire(4096), ("fichier binaire", "pas un texte CSV")),
    "pdf_sous_geojson": Cas(
        "lieux.geojson", lambda d: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + _binaire(2048), ("document PDF",)
    ),
    "html_sous_csv": Cas(
        "lieux.csv",
        lambda d: b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>",
        ("XML/HTML",),
    ),
    "zip_sous_xlsx": Cas("lieux.xlsx", lambda d: _zip({"lisez-moi.txt": b"rien"}), ("archive",)),
    "xlsx_qui_n_est_pas_un_zip": Cas(
        "lieux.xlsx", lambda d: _binaire(3000, graine=5), ("n'est pas un classeur XLSX",)
    ),
    # encodings
    "geojson_utf16": Cas(
        "lieux.geojson",
        lambda d: _collection(_entite(_point(3.1862, 50.6521))).decode().encode("utf-16"),
        ("UTF-16", "UTF-8"),
    ),
    "csv_utf16_coupe": Cas(
        "lieux.csv", lambda d: _csv(ENTETE, LIGNE, encodage="utf-16")[:-1], ("encodage illisible",)
    ),
    "csv_ebcdic": Cas("lieux.csv", lambda d: _csv(ENTETE, LIGNE, encodage="cp500"), ("séparateur",)),
    # a header alone, nothing inside
    "csv_entete_seule": Cas("lieux.csv", lambda d: _csv(ENTETE), ("aucune ligne de données", "ligne 2")),
    "xlsx_entete_seule": Cas(
        "lieux.xlsx", lambda d: classeur_xlsx([ENTETE.split(",")]), ("aucune ligne de données", "ligne 2")
    ),
    "geojson_sans_objet": Cas("lieux.geojson", lambda d: _collection(), ("aucun objet",)),
    # geometries
    "geometries_nulles": Cas(
        "lieux.geojson",
        lambda d: _collection(_entite(None)),
        ("géométrie absente", "ligne 1", "champ « geometry »"),
    ),
    "polygones_au_lieu_de_points": Cas(
        "lieux.geojson",
        lambda d: _collection(_entite(CARRE)),
        ("géométrie de type Polygon", "un point", "ligne 1", "champ « geometry »"),
    ),
    "longitude_nan": Cas("lieux.geojson", lambda d: _nombre_brut("NaN"), ("non finies", "ligne 1")),
    "longitude_infinie": Cas("lieux.geojson", lambda d: _nombre_brut("Infinity"), ("non finies", "ligne 1")),
    "longitude_1e308": Cas(
        "lieux.geojson", lambda d: _nombre_brut("1e308"), ("hors de l'intervalle", "ligne 1")
    ),
    "longitude_1e309": Cas(
        "lieux.geojson", lambda d: _nombre_brut("1e309"), ("nombre non reconnu", "1e309", "ligne 1")
    ),
    "csv_nan_inf_1e308": Cas(
        "lieux.csv",
        lambda d: _csv(
            ENTETE,
            LIGNE.replace("3.1862", "NaN"),
            LIGNE.replace("lieu-1", "lieu-2").replace("3.1862", "inf"),
            LIGNE.replace("lieu-1", "lieu-3").replace("3.1862", "1e308"),
        ),
        ("ligne 3, champ « longitude »", "n'est pas un nombre", "ligne 4", "hors de l'intervalle"),
    ),
    "metres_sans_systeme_declare": Cas(
        "lieux.geojson", lambda d: _collection(*_lambert()), ("en mètres", "Lambert-93", "Web Mercator")
    ),
    "degres_declares_en_lambert93": Cas(
        "lieux.geojson",
        lambda d: _collection(_entite(_point(3.1862, 50.6521)), crs="urn:ogc:def:crs:EPSG::2154"),
        ("déclare le système", "EPSG:2154", "degrés"),
    ),
    # workbooks and GeoPackages
    "xlsx_coupe": Cas(
        "lieux.xlsx",
        lambda d: classeur_xlsx([ENTETE.split(","), LIGNE.split(",")])[:-300],
        ("classeur illisible",),
    ),
    "xlsx_bombe": Cas("lieux.xlsx", lambda d: _classeur_bombe(), ("bombe de décompression",)),
    "gpkg_coupe": Cas(
        "lieux.gpkg", lambda d: _geopackage(d)[:8192], ("fichier géographique illisible", "abîmée")
    ),
    "sqlite_qui_n_est_pas_un_gpkg": Cas("lieux.gpkg", _sqlite, ("n'est pas un GeoPackage",)),
    # NUL bytes, very long values, a CSV cut inside quotes
    "csv_octet_nul": Cas(
        "lieux.csv", lambda d: _csv(ENTETE, LIGNE.replace("Hem", "H\x00em")), ("octet nul", "ligne 2")
    ),
    "csv_valeur_demesuree": Cas(
        "lieux.csv",
        lambda d: _csv(ENTETE, LIGNE.replace("Médiathèque Jean Macé", "A" * 300_000)),
        ("131 072 caractères", "ligne 2"),
    ),
    "geojson_valeur_demesuree": Cas(
        "lieux.geojson",
        lambda d: _collection(_entite(_point(3.1862, 50.6521), **{**PROPRIETES, "nom": "B" * 300_000})),
        ("caractères", "ligne 1", "champ « nom »"),
    ),
    "csv_coupe_dans_des_guillemets": Cas(
        "lieux.csv", lambda d: _csv(ENTETE, LIGNE)[:-25], ("tronqué", "ligne 2")
    ),
    # territory-shaped files
    "qpv_points": Cas(
        "qpv.geojson",
        lambda d: _qpv(_point(3.0, 50.0)),
        ("géométrie de type Point", "polygone", "ligne 1", "champ « geometry »"),
        genre="qpv",
    ),
    "qpv_geometrie_nulle": Cas(
        "qpv.geojson", lambda d: _qpv(None), ("géométrie absente", "ligne 1"), genre="qpv"
    ),
    "qpv_nan": Cas(
        "qpv.geojson",
        lambda d: _qpv(
            {"type": "Polygon", "coordinates": [[[3.0, 50.0], [math.nan, 50.0], [3.1, 50.1], [3.0, 50.0]]]}
        ),
        ("non finies", "ligne 1"),
        genre="qpv",
    ),
    "qpv_metres_sans_systeme": Cas(
        "qpv.geojson",
        lambda d: _qpv(
            {
                "type": "Polygon",
                "coordinates": [
                    [[704_000, 7_059_000], [705_000, 7_059_000], [705_000, 7_060_000], [704_000, 7_059_000]]
                ],
            }
        ),
        ("en mètres", "Lambert-93"),
        genre="qpv",
    ),
    "qpv_coupe": Cas("qpv.geojson", lambda d: _qpv(CARRE)[:60], ("JSON mal formé", "ligne 1"), genre="qpv"),
    "populations_entete_seule": Cas(
        "populations.csv",
        lambda d: _csv("codeQPV,popMuniQPV"),
        ("aucune ligne de données",),
        genre="population",
    ),
    "populations_coupees": Cas(
        "populations.csv",
        lambda d: _csv("codeQPV,libQPV,popMuniQPV", "QN05999M,\"Quartier d'es"),
        ("tronqué", "ligne 2"),
        genre="population",
    ),
}

#: The name a mirror serves a case under (region 32), by its kind and extension.
NOMS_MIROIR = {
    ("acteurs", "geo"): "france_services_2022-12-01_hdf.geojson",
    ("acteurs", "table"): "france_services_2022-12-01_france.csv",
    ("qpv", "geo"): "qpv2024_hdf.geojson",
    ("qpv", "table"): "qpv2024_hdf.geojson",
    ("population", "geo"): "qpv2024_indicateurs_hdf.csv",
    ("population", "table"): "qpv2024_indicateurs_hdf.csv",
}
POINTS_D_ENTREE = ("importer", "importer --format qpv", "importer --format population", "preparer", "page")


# --------------------------------------------------------------------------------------------
# the store, and what each entry point answered
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def modele(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one actor, one QPV and its population: what no damaged file may change."""
    d = tmp_path_factory.mktemp("modele")
    store = d / "store.gpkg"
    (d / "base.csv").write_bytes(_csv(ENTETE, LIGNE))
    (d / "qpv.geojson").write_bytes(_qpv(CARRE))
    (d / "pop.csv").write_bytes(_csv("codeQPV,popMuniQPV", "QN05999M,1234"))
    with ouvrir_depot(store, creer=True) as depot:
        for f in ("base.csv", "qpv.geojson", "pop.csv"):
            importer_fichier(d / f, depot, auteur="modele")
        assert depot.compter() == 1 and len(depot.qpv()) == 1
    return store


@dataclass(frozen=True)
class Reponse:
    message: str
    code: int | None
    empreinte: str


RESULTATS: list[tuple[str, str, Reponse]] = []


@pytest.fixture(scope="module", autouse=True)
def tableau_des_resultats() -> Iterator[None]:
    """Writes every case × entry point (message, exit code, store checksum) once the module ran."""
    yield
    if not RESULTATS:
        return
    ARTEFACTS.mkdir(exist_ok=True)
    with (ARTEFACTS / "corpus_endommage.tsv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerow(["cas", "point d'entrée", "code de sortie", "empreinte du dépôt", "message"])
        for cas, point, r in sorted(RESULTATS, key=lambda x: (x[0], POINTS_D_ENTREE.index(x[1]))):
            w.writerow(
                [cas, point, "" if r.code is None else r.code, r.empreinte[:16], " ".join(r.message.split())]
            )


def empreinte(store: Path) -> str:
    """SHA-256 of the store file's bytes."""
    return hashlib.sha256(store.read_bytes()).hexdigest()


def _francais(message: str, nom: str) -> None:
    assert f"« {nom} »" in message, message
    for mot in ANGLAIS:
        assert mot not in message, (mot, message)


def _cli(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    res = CliRunner().invoke(app, args, env=env)
    sortie = res.output  # stdout and stderr interleaved (Click 8.2+)
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res.exit_code, " ".join(sortie.split())  # Rich wraps long lines


def _page(nom: str, data: bytes) -> tuple[AppTest, str]:
    at = AppTest.from_file(str(PAGE), default_timeout=120).run()
    at.file_uploader(key="import_fichier").set_value((nom, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    # as read: the Markdown escapes and the word joiners the page puts before « . » and « : » removed
    textes = [
        " ".join(str(e.value).replace("\\", "").replace("\u2060", "").split()) for e in (*at.error, *at.info)
    ]
    problemes = [
        f"ligne {p.ligne}, champ « {p.champ} » : {p.problème}"
        for d in at.dataframe
        if "gravité" in d.value.columns
        for p in d.value.itertuples()
    ]
    return at, "\n".join(textes + problemes)


@pytest.fixture
def store(modele: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    copie = tmp_path / "store.gpkg"
    shutil.copy(modele, copie)
    monkeypatch.setenv("ECOSYSTEME_STORE", str(copie))
    dossier = tmp_path / "televersements"
    monkeypatch.setenv(ENV_TELEVERSEMENTS, str(dossier))
    yield copie
    assert not dossier.exists() or list(dossier.iterdir()) == []  # nothing left behind


@pytest.mark.parametrize("point", POINTS_D_ENTREE)
@pytest.mark.parametrize("cas", sorted(CORPUS))
def test_fichier_endommage(store: Path, tmp_path: Path, cas: str, point: str) -> None:
    c = CORPUS[cas]
    data = c.fabrique(tmp_path)
    avant = (empreinte(store), instantane(store))
    chemin = tmp_path / "fichiers" / c.nom
    chemin.parent.mkdir()
    chemin.write_bytes(data)
    if point == "page":
        at, message = _page(c.nom, data)
        code = None
        _francais(message, c.nom)
        assert "televersement" not in message  # our private copy is never named
        assert "import_simuler" not in {str(b.key) for b in at.button if not b.disabled}
        if c.genre == "acteurs":
            for motif in c.motifs:
                assert motif in message, (motif, message)
    elif point == "preparer":
        miroir = tmp_path / "miroir"
        miroir.mkdir()
        sorte = "geo" if c.nom.endswith((".geojson", ".json", ".gpkg")) else "table"
        servi = NOMS_MIROIR[(c.genre, sorte)]
        (miroir / servi).write_bytes(data)
        code, message = _cli(
            ["preparer", "--miroir", str(miroir), "--store", str(store)],
            env={"ECOSYSTEME_CACHE": str(tmp_path / "cache")},
        )
        assert code == 1, message
        assert servi in "".join(message.split()), message  # the file as the mirror served it
        for mot in ANGLAIS:
            assert mot not in message, (mot, message)
        # refused at import (that source only), or already by the download (an HTML page)
        assert "Rien n'a été enregistré pour cette source" in message or "page web" in message, message
    else:
        args = ["importer", str(chemin), "--store", str(store), *point.split()[1:]]
        code, message = _cli(args)
        assert code == 1, message
        _francais(message, c.nom)
        if point == "importer":
            for motif in c.motifs:
                assert motif in message, (motif, message)
    apres = (empreinte(store), instantane(store))
    assert apres == avant, f"{cas} × {point} : le dépôt a changé"
    RESULTATS.append((cas, point, Reponse(message, code, apres[0])))


def test_le_corpus_couvre_chaque_format_et_chaque_piege() -> None:
    extensions = {Path(c.nom).suffix for c in CORPUS.values()}
    assert extensions == {".csv", ".json", ".geojson", ".xlsx", ".gpkg"}
    assert len(CORPUS) >= 40


# --------------------------------------------------------------------------------------------
# unexpected but readable: read by the content, and said
# --------------------------------------------------------------------------------------------


def test_csv_sous_un_nom_xlsx_lu_comme_csv_et_signale(store: Path, tmp_path: Path) -> None:
    chemin = tmp_path / "lieux.xlsx"
    chemin.write_bytes(_csv(ENTETE, LIGNE.replace("lieu-1", "lieu-csv")))
    code, sortie = _cli(["importer", str(chemin), "--store", str(store)])
    assert code == 0, sortie
    assert "se termine par « .xlsx »" in sortie and "texte CSV" in sortie
    with ouvrir_depot(store) as depot:
        assert depot.obtenir("lieu-csv").nom == "Médiathèque Jean Macé"


@pytest.mark.parametrize("encodage", ["utf-16", "utf-16-le", "utf-32", "cp1252"])
def test_csv_dans_d_autres_encodages_lu(tmp_path: Path, encodage: str) -> None:
    chemin = tmp_path / "lieux.csv"
    chemin.write_bytes(_csv(ENTETE, LIGNE.replace("Jean Macé", "Cœur de ville"), encodage=encodage))
    r = importer_fichier(chemin, None, simulation=True)
    assert r.acceptees == 1, r.resume()


def test_numero_de_ligne_d_un_octet_nul_lointain(tmp_path: Path) -> None:
    """A NUL byte far in the file (past the sample the type is guessed from) is still found."""
    lignes = [ENTETE] + [LIGNE.replace("lieu-1", f"lieu-{i}") for i in range(2000)]
    lignes[1500] = lignes[1500].replace("Hem", "H\x00em")
    chemin = tmp_path / "long.csv"
    chemin.write_bytes(_csv(*lignes))
    with pytest.raises(FichierInvalide) as exc:
        importer_fichier(chemin, None, simulation=True)
    assert "ligne 1501" in str(exc.value) and "octet nul" in str(exc.value)
