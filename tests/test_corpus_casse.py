"""A corpus of broken files generated here: each gives its clear French message naming file,
row and field, and leaves the store exactly as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from ecosysteme.cli import app
from ecosysteme.depot import Depot, ouvrir_depot
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.inventaire.importation import importer_fichier

ENTETE = "id,pivot,nom,commune,code_postal,adresse,latitude,longitude,date_maj,services"
LIGNE_OK = 'lieu-1,43493312300029,Médiathèque Jean Macé,Hem,59510,2 rue du Général Leclerc,50.6521,3.1862,2024-05-02,"Aide aux démarches administratives"'


def _csv(tmp_path: Path, nom: str, lignes: list[str], encodage: str = "utf-8") -> Path:
    p = tmp_path / nom
    p.write_bytes(("\n".join(lignes) + "\n").encode(encodage))
    return p


def _etat(depot: Depot) -> tuple[Any, ...]:
    acteurs = sorted(json.dumps(a.model_dump(mode="json"), sort_keys=True) for a in depot.lister())
    return len(acteurs), tuple(acteurs), len(depot.lots()), len(depot.qpv())


@pytest.fixture
def depot(tmp_path: Path) -> Iterator[Depot]:
    with ouvrir_depot(tmp_path / "store.gpkg", creer=True) as d:
        importer_fichier(_csv(tmp_path, "base.csv", [ENTETE, LIGNE_OK]), d, auteur="test")
        yield d


def _echoue(path: Path, depot: Depot, *motifs: str, **kw: Any) -> ErreurEcosysteme:
    avant = _etat(depot)
    with pytest.raises(ErreurEcosysteme) as exc:
        importer_fichier(path, depot, auteur="test", **kw)
    texte = str(exc.value)
    assert path.name in texte, texte
    for m in motifs:
        assert m in texte, texte
    assert _etat(depot) == avant
    return exc.value


def _rejete(path: Path, depot: Depot, champ: str, *motifs: str) -> None:
    avant = _etat(depot)
    r = importer_fichier(path, depot, auteur="test")
    assert r.acceptees == 0 and r.rejetees == r.lignes_lues >= 1, r.resume()
    p = r.rejets[0]
    assert p.champ == champ and p.ligne == 2
    texte = p.texte(r.fichier)
    assert path.name in texte
    for m in motifs:
        assert m in texte, texte
    assert _etat(depot) == avant


def test_vide(tmp_path: Path, depot: Depot) -> None:
    p = tmp_path / "vide.csv"
    p.write_bytes(b"")
    _echoue(p, depot, "vide")


def test_tronque(tmp_path: Path, depot: Depot) -> None:
    p = tmp_path / "tronque.csv"
    p.write_text(ENTETE + "\n" + LIGNE_OK[:60], encoding="utf-8")
    e = _echoue(p, depot, "ligne 2")
    assert "tronqué" in e.message


def test_tronque_dans_guillemets(tmp_path: Path, depot: Depot) -> None:
    p = tmp_path / "tronque2.csv"
    p.write_text(ENTETE + "\n" + LIGNE_OK[:-20], encoding="utf-8")
    _echoue(p, depot, "tronqué")


def test_cp1252_point_virgule_lu_et_signale(tmp_path: Path, depot: Depot) -> None:
    entete = ENTETE.replace(",", ";")
    ligne = "lieu-2;43493312300029;Cœur de quartier à Hem;Hem;59510;1 place de l'Église;50,65;3,18;2024-05-02;Prendre en main un ordinateur"
    p = _csv(tmp_path, "ancien_v0.csv", [entete, ligne], encodage="cp1252")
    r = importer_fichier(p, depot, auteur="test")
    assert r.acceptees == 1
    assert "encodage : cp1252" in r.infos and "séparateur : point-virgule" in r.infos
    assert any("Windows-1252" in a.message for a in r.avertissements)
    a = depot.obtenir("lieu-2")
    assert a.nom == "Cœur de quartier à Hem"  # not "Cur"
    assert a.services == ["Maîtrise des outils numériques du quotidien"]  # legacy service mapped


def test_utf16_sans_bom_lu(tmp_path: Path, depot: Depot) -> None:
    p = tmp_path / "utf16.csv"
    p.write_bytes((ENTETE + "\n" + LIGNE_OK.replace("lieu-1", "lieu-16") + "\n").encode("utf-16-le"))
    r = importer_fichier(p, depot, auteur="test")
    assert r.acceptees == 1 and depot.obtenir("lieu-16").nom == "Médiathèque Jean Macé"


def test_fichier_binaire(tmp_path: Path, depot: Depot) -> None:
    p = tmp_path / "classeur.csv"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00\x01\x02" * 100)
    _echoue(p, depot, ".xls")
    p.write_bytes(b"id,nom\n\x00\x01\x02\x03" * 50)
    _echoue(p, depot, "binaire")


def test_colonne_requise_absente_separateur_nomme(tmp_path: Path, depot: Depot) -> None:
    p = _csv(
        tmp_path,
        "sans_adresse.csv",
        [ENTETE.replace("adresse,", ""), LIGNE_OK.replace("2 rue du Général Leclerc,", "")],
    )
    _echoue(p, depot, "« adresse »", "ligne 1", "virgule", format="standard")


def test_coordonnees_inversees(tmp_path: Path, depot: Depot) -> None:
    lignes = [ENTETE] + [
        f'lieu-{i},43493312300029,Lieu {i},Lille,59000,{i} rue X,3.0{i},50.6{i},2024-01-01,"Aide aux démarches administratives"'
        for i in range(5)
    ]
    _echoue(_csv(tmp_path, "inverse.csv", lignes), depot, "inversées")


def test_une_ligne_inversee_rejetee(tmp_path: Path, depot: Depot) -> None:
    ligne = LIGNE_OK.replace("50.6521,3.1862", "3.1862,50.6521")
    _rejete(_csv(tmp_path, "une_inversee.csv", [ENTETE, ligne]), depot, "latitude", "inversées")


def test_lambert93_dans_wgs84(tmp_path: Path, depot: Depot) -> None:
    lignes = [ENTETE] + [
        f"lieu-{i},43493312300029,Lieu {i},Lille,59000,{i} rue X,{7050000 + i * 100},{704000 + i * 50},2024-01-01,"
        '"Aide aux démarches administratives"'
        for i in range(5)
    ]
    _echoue(_csv(tmp_path, "l93.csv", lignes), depot, "Lambert-93")


def test_latitude_hors_limites(tmp_path: Path, depot: Depot) -> None:
    ligne = LIGNE_OK.replace("50.6521", "95.2")
    _rejete(_csv(tmp_path, "lat95.csv", [ENTETE, ligne]), depot, "latitude", "95.2", "[-90, 90]")


def test_identifiants_en_double(tmp_path: Path, depot: Depot) -> None:
    _echoue(
        _csv(tmp_path, "doublons.csv", [ENTETE, LIGNE_OK, LIGNE_OK.replace("Jean Macé", "Bis")]),
        depot,
        "« lieu-1 » en double",
        "lignes 2 et 3",
    )


def test_valeur_hors_enumeration_citee(tmp_path: Path, depot: Depot) -> None:
    ligne = LIGNE_OK.replace("Aide aux démarches administratives", "Aide aux démarches|Cours de cuisine")
    _rejete(
        _csv(tmp_path, "enum.csv", [ENTETE, ligne]),
        depot,
        "services",
        "« Cours de cuisine »",
        "« Aide aux démarches »",
    )


def test_nom_avec_html(tmp_path: Path, depot: Depot) -> None:
    ligne = LIGNE_OK.replace("Médiathèque Jean Macé", "<img src=x onerror=alert(1)>")
    _rejete(_csv(tmp_path, "html.csv", [ENTETE, ligne]), depot, "nom", "HTML")


def test_nom_formule(tmp_path: Path, depot: Depot) -> None:
    ligne = LIGNE_OK.replace("Médiathèque Jean Macé", '"=HYPERLINK(""http://x"",""clic"")"')
    _rejete(_csv(tmp_path, "formule.csv", [ENTETE, ligne]), depot, "nom", "formule")


def test_formule_dans_un_site_web_ou_un_courriel_non_retenue(tmp_path: Path, depot: Depot) -> None:
    entete = ENTETE + ",site_web,courriels"
    ligne = LIGNE_OK + ',"=HYPERLINK(""http://x"")|https://hem.fr","@SUM(A1)|contact@hem.fr"'
    r = importer_fichier(_csv(tmp_path, "liens.csv", [entete, ligne]), depot, auteur="test")
    assert r.acceptees == 1
    a = depot.obtenir("lieu-1")
    assert a.site_web == ["https://hem.fr"] and a.courriels == ["contact@hem.fr"]
    avertissements = " ".join(p.message for p in r.avertissements)
    assert "formule" in avertissements and "non retenue" in avertissements


def test_qpv_geometrie_vide_ou_invalide(tmp_path: Path, depot: Depot) -> None:
    fc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": [
            {
                "type": "Feature",
                "properties": {"code_qp": "QN05999M", "lib_qp": "Vide"},
                "geometry": {"type": "Polygon", "coordinates": []},
            },
            {
                "type": "Feature",
                "properties": {"code_qp": "QN05998M", "lib_qp": "Ligne"},
                "geometry": {"type": "LineString", "coordinates": [[3.0, 50.0], [3.1, 50.1]]},
            },
        ],
    }
    p = tmp_path / "qpv_casse.geojson"
    p.write_text(json.dumps(fc), encoding="utf-8")
    avant = _etat(depot)
    r = importer_fichier(p, depot, auteur="test", format="qpv")
    assert r.acceptees == 0 and r.rejetees == 2
    assert "vide" in r.rejets[0].message and "polygone" in r.rejets[1].message
    assert _etat(depot)[:3] == avant[:3]


def test_qpv_noeud_papillon_repare(tmp_path: Path, depot: Depot) -> None:
    bowtie = [[3.0, 50.0], [3.01, 50.01], [3.01, 50.0], [3.0, 50.01], [3.0, 50.0]]
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code_qp": "QN05997M", "lib_qp": "Papillon"},
                "geometry": {"type": "Polygon", "coordinates": [bowtie]},
            }
        ],
    }
    p = tmp_path / "papillon.geojson"
    p.write_text(json.dumps(fc), encoding="utf-8")
    r = importer_fichier(p, depot, auteur="test", format="qpv")
    assert r.acceptees == 1
    assert "invalide" in r.avertissements[0].message and "réparée" in r.avertissements[0].message
    assert depot.qpv().geometry.iloc[0].area > 0


def test_vrt_deguise(tmp_path: Path, depot: Depot) -> None:
    p = tmp_path / "qpv.geojson"
    p.write_text(
        "<OGRVRTDataSource><OGRVRTLayer name='a'><SrcDataSource>/etc/passwd</SrcDataSource>"
        "</OGRVRTLayer></OGRVRTDataSource>",
        encoding="utf-8",
    )
    _echoue(p, depot, "VRT")


def test_cli_message_et_code_retour(tmp_path: Path, depot: Depot) -> None:
    p = _csv(tmp_path, "doublons.csv", [ENTETE, LIGNE_OK, LIGNE_OK])
    store = Path(str(depot.chemin)) if hasattr(depot, "chemin") else tmp_path / "store.gpkg"
    res = CliRunner().invoke(app, ["importer", str(p), "--store", str(store)])
    assert res.exit_code == 1
    sortie = res.output + (res.stderr if res.stderr_bytes is not None else "")
    assert "doublons.csv" in sortie and "en double" in sortie and "Rien n'a été enregistré" in sortie
    assert "Traceback" not in sortie
