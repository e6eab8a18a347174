"""The « Import » page and what Streamlit's upload widget would refuse in English (issue 12,
point 14), and large uploads read in a child process so that the server gives its memory back
(point 13).

Streamlit's widget refuses a file type outside its list (« application/… files are not
allowed ») and a size over its limit in English, in the browser. The page gives it no type list
and a limit above ours: the refusals are ours, in French. ``streamlit.testing`` does not run the
browser's checks, so the widget's own settings are asserted here; the real browser test is in
``test_navigateur_import.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from ecosysteme.depot import ouvrir_depot
from ecosysteme.inventaire import assistant
from ecosysteme.inventaire.importation import importer_fichier
from ecosysteme.sources import televersement as tv
from ecosysteme.ui.importation import ENV_TELEVERSEMENTS, TAILLE_NAVIGATEUR_MO

RACINE = Path(__file__).resolve().parents[1]
PAGE = RACINE / "pages" / "5_Import.py"
ENTETE = "id,pivot,nom,commune,code_postal,adresse,latitude,longitude,date_maj,services"
LIGNE = (
    "lieu-1,43493312300029,Médiathèque Jean Macé,Hem,59510,2 rue du Général Leclerc,50.6521,3.1862,"
    '2024-05-02,"Aide aux démarches administratives"'
)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    chemin = tmp_path / "store.gpkg"
    with ouvrir_depot(chemin, creer=True):
        pass
    monkeypatch.setenv("ECOSYSTEME_STORE", str(chemin))
    dossier = tmp_path / "televersements"
    monkeypatch.setenv(ENV_TELEVERSEMENTS, str(dossier))
    yield chemin
    assert not dossier.exists() or list(dossier.iterdir()) == []


def page() -> AppTest:
    return AppTest.from_file(str(PAGE), default_timeout=180).run()


def televerser(at: AppTest, nom: str, data: bytes) -> AppTest:
    at.file_uploader(key="import_fichier").set_value((nom, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at


def textes(elements: Any) -> list[str]:
    return [
        " ".join(str(e.value).replace("\\", "").replace("\u2060", "").replace("**", "").split())
        for e in elements
    ]


def metriques(at: AppTest) -> dict[str, int]:
    return {m.label: int(str(m.value).replace("\u202f", "")) for m in at.metric}


def test_le_widget_ne_refuse_rien_lui_meme(store: Path) -> None:
    """No type list, a limit above ours: Streamlit's English refusals never come first."""
    proto = page().file_uploader(key="import_fichier").proto
    assert list(proto.type) == []
    assert proto.max_upload_size_mb == TAILLE_NAVIGATEUR_MO > tv.TAILLE_MAX // tv.MIO


@pytest.mark.parametrize(
    ("nom", "motif"),
    [
        ("lieux.xlsm", "classeur avec macros (.xlsm) : enregistrez-le au format .xlsx"),
        ("lieux.xls", "ancien format Excel (.xls)"),
        ("lieux.ods", "OpenDocument"),
        ("carte.kml", "format KML non pris en charge : exportez-le en GeoJSON"),
        ("carte.kmz", "format KMZ"),
        ("couche.shp", "envoyez-les ensemble dans une archive .zip"),
        ("archive.7z", "archive .7z non prise en charge"),
        ("programme.exe", "extension « .exe » non prise en charge"),
    ],
)
def test_extension_refusee_en_francais(store: Path, nom: str, motif: str) -> None:
    at = televerser(page(), nom, b"id,nom\n1,a\n")
    (erreur,) = textes(at.error)
    assert motif in erreur and f"« {nom} »" in erreur, erreur
    assert "import_simuler" not in {str(b.key) for b in at.button}


def test_fichier_trop_gros_refuse_en_francais(store: Path) -> None:
    data = b"a,b\n" + b"1,2\n" * ((tv.TAILLE_MAX + 16) // 4)
    at = televerser(page(), "gros.csv", data)
    (erreur,) = textes(at.error)
    assert "« gros.csv »" in erreur and "trop volumineux" in erreur and "100,0 Mio" in erreur, erreur


def test_fichier_sans_extension_lu_d_apres_son_contenu(store: Path) -> None:
    at = televerser(page(), "export_partenaire", f"{ENTETE}\n{LIGNE}\n".encode())
    assert not at.error, textes(at.error)
    assert metriques(at)["Acceptées"] == 1


def test_la_session_ne_garde_que_ce_que_la_page_montre(store: Path) -> None:
    lignes = [ENTETE] + [LIGNE.replace("lieu-1", f"lieu-{i}") for i in range(60)]
    at = televerser(page(), "lieux.csv", ("\n".join(lignes) + "\n").encode())
    lecture = at.session_state["import_lecture"][1]
    assert len(lecture.table.lignes) <= assistant.APERCU_LIGNES and lecture.lignes == 60
    prep = at.session_state["import_preparation"][1]
    assert len(prep.acteurs) <= assistant.APERCU_LIGNES and prep.total == 60
    assert "Lignes : 60 ;" in textes(at.markdown)[0]
    assert metriques(at)["Acceptées"] == 60


@pytest.mark.donnees_reelles
def test_gros_fichier_lu_dans_un_processus_enfant(
    store: Path, donnees: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Above the threshold every step runs in a child process (here the threshold is 0): the
    same counts as the command line, the dry run, the import as one batch, its undo."""
    monkeypatch.setattr(assistant, "SEUIL_PROCESSUS", 0)
    appels: list[str] = []
    executer = assistant.executer

    def espion(fonction: Any, *args: Any, **kwargs: Any) -> Any:
        appels.append(fonction.__name__)
        return executer(fonction, *args, **kwargs)

    monkeypatch.setattr(assistant, "executer", espion)
    nom = "france_services_2022-12-01_hdf.geojson"
    data = (donnees / nom).read_bytes()
    temoin = tmp_path / nom
    temoin.write_bytes(data)
    attendu = importer_fichier(temoin, None, simulation=True)
    at = televerser(page(), nom, data)
    assert not at.error, textes(at.error)
    m = metriques(at)
    assert (m["Lignes lues"], m["Acceptées"], m["Rejetées"]) == (
        attendu.lignes_lues,
        attendu.acceptees,
        attendu.rejetees,
    )
    at.button(key="import_simuler").click().run()
    assert metriques(at)["À créer"] == attendu.acceptees
    at.button(key="import_valider").click().run()
    assert not at.error, textes(at.error)
    assert appels == ["lecture_page", "preparation_page", "simulation_page", "import_page"]
    with ouvrir_depot(store) as depot:
        (lot,) = depot.lots()
        assert lot.crees == attendu.acceptees and depot.compter() == attendu.acceptees
        assert lot.fichier == nom  # the user's name, never ours


def test_fichier_endommage_dans_un_processus_enfant(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child's French error comes back as it is, naming the user's file."""
    monkeypatch.setattr(assistant, "SEUIL_PROCESSUS", 0)
    at = televerser(page(), "coupe.geojson", b'{"type": "FeatureCollection", "features": [{"type": "Fea')
    (erreur,) = textes(at.error)
    assert "« coupe.geojson »" in erreur and "JSON mal formé ligne 1" in erreur, erreur
    assert "televersement" not in erreur


def test_processus_enfant_mort_dit_en_francais(tmp_path: Path) -> None:
    """A child that dies (memory exhausted, killed) gives a French message naming the file."""
    from ecosysteme.domaine.erreurs import FichierInvalide

    with tv.televerse(b"a,b\n1,2\n", "lieux.csv", tmp_path) as tel, pytest.raises(FichierInvalide) as exc:
        assistant.executer(_mourir, tel)
    assert "« lieux.csv »" in str(exc.value) and "interrompue" in str(exc.value)


def _mourir(tel: tv.Televersement) -> None:
    import os

    os._exit(9)


def test_copie_du_dossier_de_televersement_jamais_nommee(store: Path) -> None:
    """Every message names the user's file, never our private copy « televersement.* »."""
    for nom, data in (
        ("Lieux Partenaire.csv", b""),
        ("Lieux Partenaire.geojson", b'{"type": "FeatureCollection", "features": [{'),
        ("Lieux Partenaire.xlsx", b"PK\x03\x04[Content_Types].xml" + b"\x00" * 50),
        ("Lieux Partenaire.gpkg", b"SQLite format 3\x00" + b"\x00" * 200),
    ):
        at = televerser(page(), nom, data)
        (erreur,) = textes(at.error)
        assert f"« {nom} »" in erreur and "televersement" not in erreur, erreur


def test_la_page_reexporte_la_logique_des_etapes() -> None:
    """The steps' logic moved to ``ecosysteme.inventaire.assistant`` (no Streamlit, importable by
    a child process); the page module still exposes it."""
    from ecosysteme.ui import importation

    assert importation.lire is assistant.lire and importation.Preparation is assistant.Preparation
