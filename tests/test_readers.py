"""Reading files: type from content, encoding and separator detected, unsafe content refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecosysteme.domaine.erreurs import FichierInvalide, FormatInconnu
from ecosysteme.sources.lecture import detecter_type, lire_csv, lire_table


def ecrire(tmp_path: Path, nom: str, data: bytes) -> Path:
    p = tmp_path / nom
    p.write_bytes(data)
    return p


def test_cp1252_point_virgule_detectes(tmp_path: Path) -> None:
    p = ecrire(tmp_path, "a.csv", "id;nom;commune\n1;Cœur de ville;Hem\n".encode("cp1252"))
    t = lire_csv(p)
    assert t.encodage == "cp1252"
    assert t.separateur == ";"
    assert t.lignes[0]["nom"] == "Cœur de ville"  # not "Cur" as latin-1 would give
    assert any("UTF-8" in a for a in t.avertissements)


def test_bom_et_codes_proteges(tmp_path: Path) -> None:
    p = ecrire(tmp_path, "a.csv", '\ufeffcode;nom\n="01053";Bourg\n'.encode())
    t = lire_csv(p)
    assert t.colonnes == ["code", "nom"]
    assert t.lignes[0]["code"] == "01053"
    assert t.encodage == "utf-8-sig"


def test_barre_verticale_et_tabulation(tmp_path: Path) -> None:
    assert lire_csv(ecrire(tmp_path, "a.csv", b"a|b\n1|2\n")).separateur == "|"
    assert lire_csv(ecrire(tmp_path, "b.csv", b"a\tb\n1\t2\n")).separateur == "\t"


def test_virgule_malgre_point_virgule_dans_valeurs(tmp_path: Path) -> None:
    p = ecrire(tmp_path, "a.csv", b'id,services\n1,"x;y;z"\n2,"a;b"\n')
    t = lire_csv(p)
    assert t.separateur == ","
    assert t.lignes[0]["services"] == "x;y;z"


def test_vide(tmp_path: Path) -> None:
    with pytest.raises(FichierInvalide, match="vide"):
        lire_table(ecrire(tmp_path, "vide.csv", b""))
    with pytest.raises(FichierInvalide, match="vide"):
        lire_table(ecrire(tmp_path, "blanc.csv", b"  \n\n"))


def test_tronque_guillemet(tmp_path: Path) -> None:
    p = ecrire(tmp_path, "t.csv", b'id,nom\n1,"Lieu\n2,Autre\n')
    with pytest.raises(FichierInvalide) as exc:
        lire_csv(p)
    assert "t.csv" in str(exc.value)
    assert "tronqué" in exc.value.message


def test_tronque_ligne_incomplete(tmp_path: Path) -> None:
    p = ecrire(tmp_path, "t.csv", b"id,nom,commune\n1,Lieu,Hem\n2,Aut")
    with pytest.raises(FichierInvalide) as exc:
        lire_csv(p)
    assert exc.value.emplacement.ligne == 3


def test_numeros_de_ligne_avec_cellule_multiligne(tmp_path: Path) -> None:
    p = ecrire(tmp_path, "m.csv", b'id,nom\n1,"a\nb"\n2,c\n')
    t = lire_csv(p)
    assert t.numeros == [2, 4]


def test_vrt_refuse(tmp_path: Path) -> None:
    vrt = (
        b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/os-release'
        b"</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>"
    )
    with pytest.raises(FichierInvalide, match="VRT"):
        lire_table(ecrire(tmp_path, "piege.geojson", vrt))


def test_type_selon_contenu_pas_extension(tmp_path: Path) -> None:
    assert (
        detecter_type(ecrire(tmp_path, "x.csv", b'{"type": "FeatureCollection", "features": []}'))
        == "geojson"
    )
    assert detecter_type(ecrire(tmp_path, "x.geojson", b"a,b\n1,2\n")) == "csv"
    assert detecter_type(ecrire(tmp_path, "x.txt", b"SQLite format 3\x00" + b"\x00" * 100)) == "gpkg"
    with pytest.raises(FormatInconnu):
        detecter_type(ecrire(tmp_path, "x.csv", b"<html><body>404</body></html>"))


def test_une_seule_colonne(tmp_path: Path) -> None:
    with pytest.raises(FichierInvalide, match="séparateur"):
        lire_csv(ecrire(tmp_path, "a.csv", b"id nom commune\n1 a b\n"))


def test_colonne_en_double(tmp_path: Path) -> None:
    with pytest.raises(FichierInvalide, match="deux fois"):
        lire_csv(ecrire(tmp_path, "a.csv", b"id,nom,nom\n1,a,b\n"))
