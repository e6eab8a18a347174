"""The « Import » page with `streamlit.testing` on a COPY of the real Hauts-de-France store:
every real file of ../shared/data through the page (actors to a dry run, territories turned
away), a commit and its undo, a free-format file with its remembered mapping, and broken files,
each with its French message and the store left byte for byte as it was.

The four national CSV files are cut to their first 300 records (in a temporary file) to keep
the test fast; the Hauts-de-France files go through whole.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aide_store import classeur_xlsx, instantane
from streamlit.testing.v1 import AppTest

from ecosysteme.depot import ouvrir_depot
from ecosysteme.inventaire.importation import importer_fichier
from ecosysteme.ui import donnees
from ecosysteme.ui.importation import AUCUNE, ENV_TELEVERSEMENTS, LIBELLES_FORMATS

pytestmark = pytest.mark.donnees_reelles
RACINE = Path(__file__).resolve().parents[1]
DONNEES = RACINE.parent / "shared" / "data"
PAGE = RACINE / "pages" / "5_Import.py"
RECORDS_NATIONAUX = 300

ACTEURS = {
    "bibliotheques_publiques_france.csv": "bibliotheques",
    "bibliotheques_publiques_hdf.geojson": "bibliotheques",
    "data_inclusion_structures_2022-07_france.csv": "data-inclusion",
    "data_inclusion_structures_2022-07_hdf.geojson": "data-inclusion",
    "france_services_2022-12-01_france.csv": "france-services",
    "france_services_2022-12-01_hdf.geojson": "france-services",
    "lieux_conseillers_numeriques_2022-06_france.csv": "conseillers-numeriques",
    "lieux_conseillers_numeriques_2022-06_hdf.geojson": "conseillers-numeriques",
}
TERRITOIRES = {
    "qpv2024_france.geojson": "qpv",
    "qpv2024_hdf.geojson": "qpv",
    "qpv2024_hdf.gpkg": "qpv",
    "qpv2024_indicateurs_france.csv": "population",
    "qpv2024_indicateurs_hdf.csv": "population",
    "communes_hdf_2026.geojson": "communes",
    "departements_hdf.geojson": "communes",  # recognised as communes by detecter_format (code + nom)
    "epci_hdf_2026.geojson": "epci",
}
# real files the importers do not read yet, with the issue that will read them
A_VENIR = {
    "ifn_communes.csv": "indice de fragilité numérique par commune (--format ifn, priorités)",
    "ifn_epci.csv": "indice de fragilité numérique par EPCI (--format ifn, priorités)",
}

ENTETE = "id,pivot,nom,commune,code_postal,adresse,latitude,longitude,date_maj,services"
LIGNE_OK = '"lieu-1",43493312300029,Médiathèque Jean Macé,Hem,59510,2 rue du Général Leclerc,50.6521,3.1862,2024-05-02,"Aide aux démarches administratives"'


def test_chaque_fichier_reel_est_couvert() -> None:
    if not DONNEES.exists():
        pytest.skip("../shared/data absent")
    reels = {p.name for p in DONNEES.iterdir() if p.suffix in (".csv", ".geojson", ".gpkg")}
    assert reels == set(ACTEURS) | set(TERRITOIRES) | set(A_VENIR)


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


@pytest.fixture
def store(depot_hdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the session's HdF store (never written to), and a private upload folder that
    must be empty after the test."""
    copie = tmp_path / "store.gpkg"
    shutil.copy(depot_hdf, copie)
    monkeypatch.setenv("ECOSYSTEME_STORE", str(copie))
    dossier = tmp_path / "televersements"
    monkeypatch.setenv(ENV_TELEVERSEMENTS, str(dossier))
    yield copie
    assert not dossier.exists() or list(dossier.iterdir()) == []


def etat(store: Path) -> tuple[str, dict[str, list[tuple[Any, ...]]]]:
    """The store file's SHA-256 and every row of every table."""
    return hashlib.sha256(store.read_bytes()).hexdigest(), instantane(store)


def contenus(store: Path) -> dict[str, dict[str, Any]]:
    """Every stored actor's content, its version aside."""
    with ouvrir_depot(store) as depot:
        return {a.id: a.model_dump(mode="json", exclude={"version"}) for a in depot.lister()}


def page() -> AppTest:
    return AppTest.from_file(str(PAGE), default_timeout=180).run()


def televerser(at: AppTest, nom: str, data: bytes) -> AppTest:
    at.file_uploader(key="import_fichier").set_value((nom, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at


def textes(elements: Any) -> list[str]:
    """Element texts with the Markdown escapes and bold marks removed."""
    return [str(e.value).replace("\\", "").replace("**", "") for e in elements]


def metriques(at: AppTest) -> dict[str, int]:
    return {m.label: int(str(m.value).replace("\u202f", "")) for m in at.metric}


def boutons(at: AppTest) -> set[str]:
    return {str(b.key) for b in at.button}


def tableau(at: AppTest, colonne: str) -> Any:
    """The first table of the page with that column."""
    return next(d.value for d in at.dataframe if colonne in d.value.columns)


def choix(at: AppTest, champ: str) -> Any:
    """The selectbox of a field of the standard in step 3."""
    (sb,) = [
        s
        for s in at.selectbox
        if str(s.key).startswith("import_champ_") and str(s.key).split("_", 3)[3] == champ
    ]
    return sb


def tranche(path: Path, n: int) -> bytes:
    """The header and the first ``n`` records of a CSV (records may span several lines)."""
    texte = path.read_bytes().decode("utf-8")
    lecteur = csv.reader(io.StringIO(texte, newline=""))
    for _ in range(n + 1):
        next(lecteur)
    lignes = list(io.StringIO(texte, newline=""))[: lecteur.line_num]
    return "".join(lignes).encode("utf-8")


def contenu_reel(nom: str) -> bytes:
    path = DONNEES / nom
    return tranche(path, RECORDS_NATIONAUX) if nom.endswith("_france.csv") else path.read_bytes()


# --------------------------------------------------------------------------------------------
# every real file
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("nom", sorted(ACTEURS))
def test_fichier_reel_jusqu_a_la_simulation(store: Path, tmp_path: Path, nom: str) -> None:
    data = contenu_reel(nom)
    # what the command line's dry run says of the same bytes, independently of the page
    temoin = tmp_path / "temoin" / nom
    temoin.parent.mkdir()
    temoin.write_bytes(data)
    attendu = importer_fichier(temoin, None, simulation=True)
    assert attendu.format == ACTEURS[nom] and attendu.lignes_lues > 0
    avant = etat(store)
    at = televerser(page(), nom, data)
    assert not at.error, textes(at.error)
    lecture = textes(at.markdown)[0]
    assert f"Format : {LIBELLES_FORMATS[ACTEURS[nom]]}" in lecture
    assert f"Lignes : {attendu.lignes_lues} ;" in lecture
    if nom.endswith(".csv"):
        assert "Encodage : UTF-8" in lecture and "Séparateur : virgule" in lecture
    m = metriques(at)
    assert (m["Lignes lues"], m["Acceptées"], m["Rejetées"]) == (
        attendu.lignes_lues,
        attendu.acceptees,
        attendu.rejetees,
    )
    if attendu.rejets or attendu.avertissements:
        problemes = tableau(at, "gravité")
        assert len(problemes) == min(len(attendu.rejets) + len(attendu.avertissements), 1000)
        assert set(problemes["gravité"]) <= {"rejet", "avertissement"}
    at.button(key="import_simuler").click().run()
    assert not at.exception and not at.error, textes(at.error)
    m = metriques(at)
    assert m["À créer"] + m["À mettre à jour"] + m["Inchangés"] == attendu.acceptees
    assert m["Lignes rejetées"] == attendu.rejetees
    assert any("rien n'a été enregistré" in t for t in textes(at.info))
    assert "import_valider" in boutons(at)
    assert etat(store) == avant


@pytest.mark.parametrize("nom", sorted(TERRITOIRES))
def test_fichier_de_territoire_renvoye_vers_la_commande(store: Path, nom: str) -> None:
    avant = etat(store)
    at = televerser(page(), nom, (DONNEES / nom).read_bytes())
    assert not at.error, textes(at.error)
    assert any(
        LIBELLES_FORMATS[TERRITOIRES[nom]] in t and "ecosysteme importer" in t for t in textes(at.info)
    ), textes(at.info)
    assert "import_simuler" not in boutons(at) and "import_valider" not in boutons(at)
    assert etat(store) == avant


# --------------------------------------------------------------------------------------------
# commit and undo
# --------------------------------------------------------------------------------------------


def test_import_puis_annulation(store: Path) -> None:
    nom = "bibliotheques_publiques_france.csv"
    with ouvrir_depot(store) as depot:
        n_avant = depot.compter()
        lots_avant = len(depot.lots())
    acteurs_avant = contenus(store)
    signature_avant = donnees.signature()
    at = televerser(page(), nom, contenu_reel(nom))
    assert "import_valider" not in boutons(at) or at.button(key="import_valider").disabled
    at.button(key="import_simuler").click().run()
    prevu = metriques(at)
    assert prevu["À créer"] > 0
    at.button(key="import_valider").click().run()
    assert not at.exception and not at.error, textes(at.error)
    (succes,) = [t for t in textes(at.success) if t.startswith("Import enregistré")]
    with ouvrir_depot(store) as depot:
        lot = depot.lots()[0]
        assert len(depot.lots()) == lots_avant + 1
        assert depot.compter() == n_avant + lot.crees
    assert f"lot n° {lot.id}" in succes
    assert (lot.crees, lot.mis_a_jour, lot.inchanges) == (
        prevu["À créer"],
        prevu["À mettre à jour"],
        prevu["Inchangés"],
    )
    assert (lot.fichier, lot.format, lot.auteur) == (nom, "bibliotheques", "anonyme")
    assert lot.sha256 == hashlib.sha256(contenu_reel(nom)).hexdigest()
    # the other pages' caches are keyed on the store's data version: the import bumped it once
    assert donnees.signature() == (str(store), signature_avant[1] + 1)
    # the new batch is listed with the past ones
    assert tableau(at, "annulé le")["n°"].iloc[0] == lot.id
    # the same file again: no second import without a new dry run
    at.run()
    assert "import_valider" not in boutons(at) and "import_annuler_dernier" in boutons(at)
    at.button(key="import_annuler_dernier").click().run()
    assert not at.exception
    assert any(f"Lot n° {lot.id}" in t and "annulé" in t for t in textes(at.success)), textes(at.success)
    with ouvrir_depot(store) as depot:
        assert depot.compter() == n_avant and depot.lots()[0].annule
    assert contenus(store) == acteurs_avant  # restored actors get a new version (never go back)
    # after the undo the file can be imported again, after a new dry run
    assert at.button(key="import_valider").disabled


def test_reimport_simulation_egale_au_lot(store: Path) -> None:
    """The dry run's created / updated / unchanged counts are what the store then does: a file
    already imported by the preparation (by another editor: provenance is not content) changes
    nothing, and neither does the same file again."""
    nom = "france_services_2022-12-01_hdf.geojson"
    data = (DONNEES / nom).read_bytes()
    for attendu in ("Inchangés", "Inchangés"):
        at = televerser(page(), nom, data)
        at.button(key="import_simuler").click().run()
        prevu = metriques(at)
        assert prevu[attendu] == prevu["Acceptées"] == 189, prevu
        at.button(key="import_valider").click().run()
        assert not at.error, textes(at.error)
        with ouvrir_depot(store) as depot:
            lot = depot.lots()[0]
        assert (lot.crees, lot.mis_a_jour, lot.inchanges) == (
            prevu["À créer"],
            prevu["À mettre à jour"],
            prevu["Inchangés"],
        )


def test_annulation_refusee_si_un_acteur_du_lot_a_change(store: Path) -> None:
    nom = "france_services_2022-12-01_france.csv"
    at = televerser(page(), nom, contenu_reel(nom))
    at.button(key="import_simuler").click().run()
    at.button(key="import_valider").click().run()
    with ouvrir_depot(store) as depot:
        lot = depot.lots()[0]
        change = next(a for a in depot.lister() if a.provenance_fichier == nom)
        change.nom = change.nom + " (modifié)"
        depot.modifier(change, "quelqu'un")
    avant = etat(store)
    at = page()  # a new session: the batch chosen in the list of past imports
    assert at.selectbox(key="import_lot_a_annuler").value == lot.id
    at.button(key="import_annuler_lot").click().run()
    assert not at.exception
    (erreur,) = textes(at.error)
    assert "Annulation refusée" in erreur and "ne peut pas être annulé" in erreur and change.id in erreur
    assert etat(store) == avant


# --------------------------------------------------------------------------------------------
# free format: mapping, remembered per source
# --------------------------------------------------------------------------------------------

LIBRE = (
    "Raison sociale;Adresse;CP;Ville;Localité;Lat;Lng;Téléphone;Mail;Horaires d'ouverture;Remarque\n"
    "Cœur de quartier;2 rue Jean Macé;59510;HEM;Hem;50,6521;3,1862;03 20 00 00 00;contact@coeur.fr;Mo-Fr 09:00-12:00;x\n"
    "EPN du Centre;1 place de l'Église;59100;ROUBAIX;Roubaix;50,69;3,17;;;;\n"
    "Sans coordonnées;3 rue;59000;LILLE;Lille;;;;;;\n"
)


def test_format_libre_correspondance_memorisee(store: Path) -> None:
    avant = etat(store)
    at = televerser(page(), "partenaire_hem.csv", LIBRE.encode("cp1252"))
    lecture = textes(at.markdown)[0]
    assert "Encodage : Windows-1252 (cp1252)" in lecture and "Séparateur : point-virgule" in lecture
    assert "Format : format libre" in lecture
    (source,) = [t for t in at.text_input if str(t.key).startswith("import_source_")]
    assert source.value == "partenaire_hem"
    attendu = {
        "nom": "Raison sociale",
        "adresse": "Adresse",
        "code_postal": "CP",
        "commune": "Ville",
        "latitude": "Lat",
        "longitude": "Lng",
        "telephone": "Téléphone",
        "courriels": "Mail",
        "horaires": "Horaires d'ouverture",
    }
    for champ, colonne in attendu.items():
        assert choix(at, champ).value == colonne, champ
    assert choix(at, "id").value == AUCUNE
    # without a name column nothing goes further
    choix(at, "nom").set_value(AUCUNE).run()
    assert any("« nom » est obligatoire" in t for t in textes(at.error))
    assert "import_simuler" not in boutons(at)
    choix(at, "nom").set_value("Raison sociale")
    choix(at, "commune").set_value("Localité").run()
    m = metriques(at)
    assert (m["Lignes lues"], m["Acceptées"], m["Rejetées"]) == (3, 2, 1)
    problemes = tableau(at, "gravité")
    rejet = problemes[problemes["gravité"] == "rejet"].iloc[0]
    assert rejet["ligne"] == 4 and "coordonnées absentes" in rejet["problème"]
    at.button(key="import_simuler").click().run()
    assert metriques(at)["À créer"] == 2
    assert etat(store) == avant  # nothing written before step 6
    at.button(key="import_valider").click().run()
    assert not at.error, textes(at.error)
    with ouvrir_depot(store) as depot:
        lot = depot.lots()[0]
        assert (lot.format, lot.crees, lot.rejetees) == ("libre", 2, 1)
        assert depot.correspondance("partenaire_hem") == {**attendu, "commune": "Localité"}
        coeur = next(a for a in depot.lister() if a.nom == "Cœur de quartier")
        assert (
            coeur.commune == "Hem"
            and coeur.id.startswith("partenaire-hem-")
            and coeur.telephone == "+33320000000"
        )
    # next file of the same source: the remembered choice, not the suggestion
    at = televerser(
        page(),
        "partenaire_hem.csv",
        (LIBRE + "Tiers-lieu;5 rue;59000;LILLE;Lille;50,63;3,06;;;;\n").encode("cp1252"),
    )
    assert choix(at, "commune").value == "Localité"
    assert any("reprise" in t for t in textes(at.info))
    # a new session undoes the batch from the list of past imports; the mapping stays remembered
    at = page()
    at.selectbox(key="import_lot_a_annuler").set_value(lot.id)
    at.button(key="import_annuler_lot").click().run()
    assert any(f"Lot n° {lot.id}" in t and "2 acteurs créés retirés" in t for t in textes(at.success))
    with ouvrir_depot(store) as depot:
        assert depot.lots()[0].annule and not any(a.provenance_format == "libre" for a in depot.lister())
        assert depot.correspondance("partenaire_hem") is not None
    assert all(not o.startswith(f"n° {lot.id} ") for o in at.selectbox(key="import_lot_a_annuler").options)


# --------------------------------------------------------------------------------------------
# broken files
# --------------------------------------------------------------------------------------------


def _zip(membres: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for nom, data in membres:
            zf.writestr(nom, data)
    return buf.getvalue()


def _bombe() -> bytes:
    """A few MiB declaring 1 GiB."""
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("lieux.csv", "w", force_zip64=True) as fh,
    ):
        bloc = b"\x00" * (16 * 1024 * 1024)
        for _ in range(64):
            fh.write(bloc)
    return buf.getvalue()


CASSES: dict[str, tuple[str, Any, tuple[str, ...]]] = {
    "vide": ("vide.csv", lambda: b"", ("« vide.csv »", "le fichier est vide")),
    "tronque": (
        "tronque.csv",
        lambda: (ENTETE + "\n" + LIGNE_OK[:70]).encode(),
        ("« tronque.csv »", "ligne 2", "tronqué"),
    ),
    "bombe": ("bombe.zip", _bombe, ("« bombe.zip »", "1024,0 Mio", "bombe de décompression")),
    "traversee": (
        "evasion.zip",
        lambda: _zip([("../../lieux.csv", b"a,b\n1,2\n")]),
        ("« evasion.zip »", "remonte hors du dossier"),
    ),
    "classeur_coupe": (
        "coupe.xlsx",
        lambda: classeur_xlsx([["id", "nom"], ["1", "A"]])[:-200],
        ("« coupe.xlsx »", "illisible"),
    ),
    "chemin_client": (
        "../../../tmp/x.zip",
        lambda: _zip([("/etc/passwd.csv", b"a,b\n1,2\n")]),
        ("« x.zip »", "chemin absolu"),
    ),
}


@pytest.mark.parametrize("cas", sorted(CASSES))
def test_fichier_casse_message_et_depot_intact(store: Path, cas: str) -> None:
    nom, fabrique, motifs = CASSES[cas]
    avant = etat(store)
    at = televerser(page(), nom, fabrique())
    (erreur,) = textes(at.error)
    for motif in motifs:
        assert motif in erreur, erreur
    assert "import_simuler" not in boutons(at)
    assert etat(store) == avant


def test_xlsx_formule_signalee_et_jamais_evaluee(store: Path) -> None:
    avant = etat(store)
    entete = ENTETE.split(",")
    ok = [
        "lieu-x1",
        "43493312300029",
        "Médiathèque",
        "Hem",
        "59510",
        "2 rue",
        "50.6521",
        "3.1862",
        "2024-05-02",
        "",
    ]
    formule = [
        "lieu-x2",
        "43493312300029",
        '=HYPERLINK("http://exemple.invalid","clic")',
        "Hem",
        "59510",
        "3 rue",
        "50.65",
        "3.18",
        "2024-05-02",
        "",
    ]
    at = televerser(page(), "classeur.xlsx", classeur_xlsx([entete, ok, formule]))
    assert "Type reconnu : classeur XLSX" in textes(at.markdown)[0]
    m = metriques(at)
    assert (m["Lignes lues"], m["Acceptées"], m["Rejetées"]) == (2, 1, 1)
    problemes = tableau(at, "gravité")
    (rejet,) = problemes[problemes["gravité"] == "rejet"].itertuples()
    assert rejet.ligne == 3 and rejet.champ == "nom"
    assert "=HYPERLINK" in rejet.problème and "formule de tableur" in rejet.problème
    at.button(key="import_simuler").click().run()
    assert metriques(at)["Lignes rejetées"] == 1
    assert etat(store) == avant


def test_cp1252_point_virgule_lu_et_montre(store: Path) -> None:
    avant = etat(store)
    entete = ENTETE.replace(",", ";")
    ligne = "lieu-2;43493312300029;Cœur de quartier à Hem;Hem;59510;1 place de l'Église;50,65;3,18;2024-05-02;Prendre en main un ordinateur"
    at = televerser(page(), "ancien_v0.csv", (entete + "\n" + ligne + "\n").encode("cp1252"))
    lecture = textes(at.markdown)[0]
    assert "Encodage : Windows-1252 (cp1252)" in lecture and "Séparateur : point-virgule" in lecture
    assert any("pas en UTF-8" in w for w in textes(at.warning))
    assert at.dataframe[0].value["nom"].iloc[0] == "Cœur de quartier à Hem"  # not « Cur »
    at.button(key="import_simuler").click().run()
    assert metriques(at)["À créer"] == 1
    assert etat(store) == avant


def test_sans_depot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECOSYSTEME_STORE", str(tmp_path / "absent.gpkg"))
    monkeypatch.setenv(ENV_TELEVERSEMENTS, str(tmp_path / "tv"))
    at = televerser(page(), "a.csv", (ENTETE + "\n" + LIGNE_OK + "\n").encode())
    assert metriques(at)["Acceptées"] == 1
    assert any("Aucun dépôt" in w for w in textes(at.warning))
    assert "import_simuler" not in boutons(at)
    assert not (tmp_path / "absent.gpkg").exists()


# --------------------------------------------------------------------------------------------
# damaged files the readers do not translate: step 2 still says it in French
# --------------------------------------------------------------------------------------------


def _classeur_abime(partie: str, contenu: bytes | None) -> bytes:
    """A real workbook with one part replaced (``None``: removed)."""
    source = zipfile.ZipFile(io.BytesIO(classeur_xlsx([["id", "nom"], ["1", "A"]])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            if info.filename != partie:
                zf.writestr(info.filename, source.read(info))
            elif contenu is not None:
                zf.writestr(info.filename, contenu)
    return buf.getvalue()


def _gpkg_anneau_ouvert(dossier: Path) -> bytes:
    """A GeoPackage whose polygon ring was damaged so that it no longer closes."""
    import struct

    import geopandas as gpd
    from shapely.geometry import Polygon

    x0 = 3.123456789
    gdf = gpd.GeoDataFrame(
        {"nom": ["a"]}, geometry=[Polygon([(x0, 50.0), (3.2, 50.0), (3.2, 50.1), (x0, 50.0)])], crs=4326
    )
    gdf.to_file(dossier / "p.gpkg", engine="pyogrio")
    data = (dossier / "p.gpkg").read_bytes()
    k = data.rfind(struct.pack("<d", x0))  # the ring's closing point, in the geometry blob
    return data[:k] + struct.pack("<d", 3.5) + data[k + 8 :]


@pytest.mark.parametrize(
    ("nom", "fabrique", "motif"),
    [
        ("sans_classeur.xlsx", lambda d: _classeur_abime("xl/workbook.xml", None), "classeur illisible"),
        (
            "feuille.xlsx",
            lambda d: _classeur_abime("xl/worksheets/sheet1.xml", b"<pas du xml"),
            "classeur illisible",
        ),
        ("styles.xlsx", lambda d: _classeur_abime("xl/styles.xml", b"<styleSheet"), "classeur illisible"),
        ("anneau.gpkg", _gpkg_anneau_ouvert, "fichier géographique illisible"),
        (
            "entete.geojson",
            lambda d: (
                b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"n\xbcm":"a"},'
                b'"geometry":{"type":"Point","coordinates":[3,50]}}]}'
            ),
            "fichier géographique illisible",
        ),
    ],
)
def test_fichier_abime_dit_en_francais(tmp_path: Path, nom: str, fabrique: Any, motif: str) -> None:
    from ecosysteme.domaine.erreurs import FichierInvalide
    from ecosysteme.sources import televersement as tv
    from ecosysteme.ui.importation import lire

    with tv.televerse(fabrique(tmp_path), nom, tmp_path / "tv") as tel, pytest.raises(FichierInvalide) as exc:
        lire(tel)
    assert motif in str(exc.value) and f"« {nom} »" in str(exc.value)
    assert str(tmp_path) not in str(exc.value)


def test_texte_du_fichier_affiche_comme_texte(store: Path) -> None:
    """Column names and values are shown escaped: no link, image or markup from the file."""
    entete = "Nom;[clic](http://exemple.invalid);<img src=x onerror=alert(1)>;Lat;Lon"
    at = televerser(page(), "piege.csv", f"{entete}\nLieu;a;b;50.6;3.0\n".encode())
    brut = str(at.markdown[0].value)
    assert "[clic](http" not in brut and "\\[clic\\]\\(http" in brut
    assert not re.search(r"(?<!\\)<img", brut) and "\\<img" in brut
    assert not at.exception


def test_bilan_suit_les_regles_du_depot(tmp_path: Path) -> None:
    """The dry run's counts equal what ``importer_lot`` then does, for each of its rules: new,
    identical, changed, closed by a person (stays closed), absorbed by a merge (skipped)."""
    from aide_store import acteur

    from ecosysteme.sources.importeurs.base import RapportImport
    from ecosysteme.ui.importation import Preparation, bilan

    with ouvrir_depot(tmp_path / "store.gpkg", creer=True) as depot:
        lat = {
            "same": 50.6,
            "change": 50.61,
            "ferme": 50.62,
            "garde": 50.63,
            "absorbe": 50.64,
            "ferme2": 50.65,
        }
        base = [acteur(i, latitude=y) for i, y in lat.items()]
        depot.importer_lot(base, fichier="a.csv", format="standard", sha256="x", auteur="t", rapport={})
        ferme = depot.obtenir("ferme")
        depot.fermer("ferme", ferme.version, "t")
        ferme2 = depot.obtenir("ferme2")
        depot.fermer("ferme2", ferme2.version, "t")
        garde = depot.obtenir("garde")
        depot.fusionner(garde, {"absorbe": depot.obtenir("absorbe").version}, "t")
        proposes = [
            acteur("same", latitude=50.6),
            acteur("change", latitude=50.61, nom="Nouveau nom"),
            acteur("ferme", latitude=50.62),  # same content, closed in the store: unchanged
            acteur("ferme2", latitude=50.65, nom="Autre"),  # changed and closed: updated, stays closed
            acteur("absorbe", latitude=50.64),
            acteur("nouveau"),
        ]
        prep = Preparation(
            "standard", proposes, RapportImport("b.csv", "standard", lignes_lues=6, acceptees=6)
        )
        b = bilan(prep, depot)
        assert (b.crees, b.mis_a_jour, b.inchanges) == (1, 2, 3)
        lot = depot.importer_lot(
            proposes, fichier="b.csv", format="standard", sha256="y", auteur="t", rapport={}
        )
        assert (lot.crees, lot.mis_a_jour, lot.inchanges) == (b.crees, b.mis_a_jour, b.inchanges)
        assert depot.obtenir("ferme2").statut.value == "fermé"
