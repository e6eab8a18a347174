"""Receiving uploads: our own names and private folders, the size limit, the ZIP guard (bombs,
dangerous member names, nested archives), one shapefile layer, and nothing left behind."""

from __future__ import annotations

import io
import os
import stat
import struct
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecosysteme.domaine.erreurs import FichierInvalide
from ecosysteme.sources import televersement as tv
from ecosysteme.sources.lecture import lire_table

CSV = b"id,nom,commune\n1,Lieu,Hem\n"


def contenu(dossier: Path) -> list[str]:
    return sorted(str(p.relative_to(dossier)) for p in dossier.rglob("*")) if dossier.exists() else []


def zipper(membres: list[tuple[str | zipfile.ZipInfo, bytes]], niveau: int = 6) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=niveau) as zf:
        for nom, data in membres:
            zf.writestr(nom, data)
    return buf.getvalue()


def refus(donnees: bytes, nom: str, dossier: Path, *motifs: str, **kw: int) -> FichierInvalide:
    """Refused with each motif in the message and the client's name; nothing left on disk."""
    with pytest.raises(FichierInvalide) as exc:
        tv.recevoir(donnees, nom, dossier, **kw)
    texte = str(exc.value)
    assert exc.value.emplacement.fichier == tv.nom_affiche(nom), texte
    for m in motifs:
        assert m in texte, texte
    assert contenu(dossier) == [], contenu(dossier)
    return exc.value


def patcher(data: bytes, *, taille: int | None = None, drapeaux: int | None = None) -> bytes:
    """Rewrite the declared (uncompressed) size and/or the flags of every member, in the local
    headers and in the central directory, as a forger would."""
    b = bytearray(data)
    for signature, off_drapeaux, off_taille in ((b"PK\x03\x04", 6, 22), (b"PK\x01\x02", 8, 24)):
        i = b.find(signature)
        while i != -1:
            if drapeaux is not None:
                struct.pack_into("<H", b, i + off_drapeaux, drapeaux)
            if taille is not None:
                struct.pack_into("<I", b, i + off_taille, taille)
            i = b.find(signature, i + 4)
    return bytes(b)


# --------------------------------------------------------------------------------------------
# names, folders, size
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client", "affiche"),
    [
        ("../../etc/passwd.csv", "passwd.csv"),
        ("con.csv", "con.csv"),
        ("C:\\Users\\marie\\Bureau\\lieux.csv", "lieux.csv"),
        ("lieux\u202egpj.exe", "lieuxgpj.exe"),  # right-to-left override removed
        ("médiathèques  de\tHem.xlsx", "médiathèques de Hem.xlsx"),
        ("..", "fichier"),
        ("", "fichier"),
        ("/", "fichier"),
        ("nul\x00.csv", "nul.csv"),
    ],
)
def test_nom_affiche(client: str, affiche: str) -> None:
    assert tv.nom_affiche(client) == affiche


def test_nom_long_raccourci_extension_gardee() -> None:
    nom = tv.nom_affiche("a" * 500 + ".geojson")
    assert len(nom) == tv.NOM_AFFICHE_MAX and nom.endswith("….geojson")


@pytest.mark.parametrize(
    ("client", "ecrit"),
    [
        ("../../etc/passwd.csv", "televersement.csv"),
        ("con.csv", "televersement.csv"),
        ("Lieux.GeoJSON", "televersement.geojson"),
        ("programme.exe", "televersement"),
        ("archive.tar.gz", "televersement"),
        ("données", "televersement"),
    ],
)
def test_nom_ecrit_est_le_notre(tmp_path: Path, client: str, ecrit: str) -> None:
    with tv.televerse(CSV, client, tmp_path) as tel:
        assert tel.chemin.name == ecrit
        assert tel.chemin.parent == tel.dossier and tel.dossier.parent == tmp_path
        assert tel.chemin.read_bytes() == CSV
        assert stat.S_IMODE(tel.dossier.stat().st_mode) == 0o700
        assert stat.S_IMODE(tel.chemin.stat().st_mode) == 0o600
        assert tel.taille == len(CSV) and not tel.archive
        assert lire_table(tel.chemin, tel.nom).lignes == [{"id": "1", "nom": "Lieu", "commune": "Hem"}]
    assert contenu(tmp_path) == []
    assert not (tmp_path.parent / "etc").exists()


def test_deux_envois_du_meme_nom_ne_se_melangent_pas(tmp_path: Path) -> None:
    a = tv.recevoir(b"a,b\n1,2\n", "x.csv", tmp_path)
    b = tv.recevoir(b"a,b\n3,4\n", "x.csv", tmp_path)
    assert a.dossier != b.dossier and a.chemin.read_bytes() != b.chemin.read_bytes()
    tv.nettoyer(a)
    assert b.chemin.exists()
    tv.nettoyer(b)
    tv.nettoyer(b)  # twice: nothing to do
    assert contenu(tmp_path) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nom=st.text(max_size=300))
def test_propriete_le_chemin_reste_dans_le_dossier_prive(tmp_path: Path, nom: str) -> None:
    base = tmp_path / "televersements"
    with tv.televerse(CSV, nom, base) as tel:
        assert tel.chemin.resolve().parent == tel.dossier.resolve()
        assert tel.dossier.resolve().parent == base.resolve()
        assert tel.chemin.name in {f"televersement{e}" for e in ("", *tv.EXTENSIONS)}
        assert [p.name for p in base.iterdir()] == [tel.dossier.name]
        assert 0 < len(tel.nom) <= tv.NOM_AFFICHE_MAX and "/" not in tel.nom and "\\" not in tel.nom
    assert list(base.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["televersements"]


def test_vide_et_trop_gros(tmp_path: Path) -> None:
    refus(b"", "vide.csv", tmp_path, "vide")
    refus(CSV, "gros.csv", tmp_path, "trop volumineux", "limite", taille_max=10)
    assert tv.recevoir(CSV, "juste.csv", tmp_path, taille_max=len(CSV)).taille == len(CSV)


def test_televerse_nettoie_meme_en_cas_d_erreur(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), tv.televerse(CSV, "a.csv", tmp_path) as tel:
        assert tel.chemin.exists()
        raise RuntimeError("boum")
    assert contenu(tmp_path) == []


def test_purger_les_dossiers_abandonnes(tmp_path: Path) -> None:
    vieux = tv.recevoir(CSV, "a.csv", tmp_path)
    recent = tv.recevoir(CSV, "b.csv", tmp_path)
    autre = tmp_path / "a-moi"
    autre.mkdir()
    il_y_a_deux_jours = time.time() - 2 * 86400
    os.utime(vieux.dossier, (il_y_a_deux_jours, il_y_a_deux_jours))
    os.utime(autre, (il_y_a_deux_jours, il_y_a_deux_jours))
    assert tv.purger(tmp_path) == 1
    assert not vieux.dossier.exists() and recent.dossier.exists() and autre.exists()
    assert tv.purger(tmp_path / "absent") == 0


# --------------------------------------------------------------------------------------------
# ZIP guard
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bombe_1gio() -> bytes:
    """A real zip of a few MiB whose one member inflates to 1 GiB of zeros."""
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf,
        zf.open("lieux.csv", "w", force_zip64=True) as fh,
    ):
        bloc = b"\x00" * (16 * tv.MIO)
        for _ in range(64):
            fh.write(bloc)
    data = buf.getvalue()
    assert len(data) < 8 * tv.MIO
    return data


def test_bombe_de_quelques_mio_annoncant_un_gio(tmp_path: Path, bombe_1gio: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(bombe_1gio)) as zf:
        assert zf.infolist()[0].file_size == 1024 * tv.MIO
    e = refus(bombe_1gio, "bombe.zip", tmp_path, "1024,0 Mio", "bombe de décompression")
    assert "lieux.csv" in e.message


def test_bombe_annoncee_honnetement_mais_trop_grosse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Incompressible members whose declared total exceeds the limit (no ratio involved)."""
    data = zipper([(f"part{i}.csv", os.urandom(4000)) for i in range(3)])
    monkeypatch.setattr(tv, "DECOMPRESSE_MAX", 10_000)
    refus(data, "gros.zip", tmp_path, "une fois décompressée", "limite")


def test_bombe_de_taux(tmp_path: Path) -> None:
    data = zipper([("lieux.csv", b"\x00" * (20 * tv.MIO))], niveau=9)
    assert len(data) < 100_000
    refus(data, "taux.zip", tmp_path, "taux de compression supérieur à 100")


def test_bombe_de_taux_cachee_par_un_gros_membre(tmp_path: Path) -> None:
    """One bomb member, and enough incompressible bytes beside it to keep the archive's ratio low."""
    data = zipper([("bombe.csv", b"\x00" * (20 * tv.MIO)), ("bruit.csv", os.urandom(400_000))], niveau=9)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        assert sum(i.file_size for i in infos) < tv.RATIO_MAX * sum(i.compress_size for i in infos)
    refus(data, "cachee.zip", tmp_path, "le membre « bombe.csv »", "taux de compression supérieur à 100")


def test_taux_total_sur_beaucoup_de_petits_membres(tmp_path: Path) -> None:
    """Each member under the ratio threshold, the archive as a whole over it."""
    data = zipper([(f"vide{i}.txt", b" " * (tv.RATIO_SEUIL // 2)) for i in range(8)], niveau=9)
    refus(data, "petits.zip", tmp_path, "l'archive annonce", "taux de compression")


def test_taille_annoncee_mensongere_arretee_au_budget(tmp_path: Path) -> None:
    """A member declaring 100 bytes that inflates to 8 MiB: stopped, never written in full."""
    data = patcher(zipper([("lieux.csv", b"x" * (8 * tv.MIO))]), taille=100)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.infolist()[0].file_size == 100
    refus(data, "menteur.zip", tmp_path, "lieux.csv", "corrompu")


def test_copier_borne_compte_les_octets_produits() -> None:
    sortie = io.BytesIO()
    assert tv.copier_borne(io.BytesIO(b"a" * 5000), sortie, 5000, "x", "f.zip") == 5000
    assert sortie.getvalue() == b"a" * 5000
    with pytest.raises(FichierInvalide, match="se décompresse en plus de"):
        tv.copier_borne(io.BytesIO(b"a" * 5001), io.BytesIO(), 5000, "le membre « x »", "f.zip")
    assert tv.copier_borne(io.BytesIO(b"a" * 3 * tv.MIO), None, 3 * tv.MIO, "x", "f.zip") == 3 * tv.MIO


@pytest.mark.parametrize(
    ("membre", "motif"),
    [
        ("../x.csv", "remonte hors du dossier"),
        ("donnees/../../x.csv", "remonte hors du dossier"),
        ("..\\..\\x.csv", "remonte hors du dossier"),
        ("/etc/cron.d/x.csv", "chemin absolu"),
        ("\\windows\\x.csv", "chemin absolu"),
        ("C:/Users/x.csv", "lecteur"),
        ("c:x.csv", "lecteur"),
        ("interne.zip", "archive"),
        ("dossier/interne.7z", "archive"),
        ("classeur.xlsx", "classeur directement"),
    ],
)
def test_noms_de_membres_dangereux(tmp_path: Path, membre: str, motif: str) -> None:
    data = zipper([("lieux.csv", CSV), (membre, b"a,b\n1,2\n")])
    refus(data, "piege.zip", tmp_path, motif)


def test_zip_dans_un_csv(tmp_path: Path) -> None:
    data = zipper([("lieux.csv", zipper([("a.csv", CSV)]))])
    refus(data, "poupee.zip", tmp_path, "lui-même une archive")


def test_lien_symbolique(tmp_path: Path) -> None:
    lien = zipfile.ZipInfo("lieux.csv")
    lien.external_attr = (stat.S_IFLNK | 0o777) << 16
    refus(zipper([(lien, b"/etc/passwd")]), "lien.zip", tmp_path, "lien symbolique")


def test_noms_en_double(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = zipper([("lieux.csv", CSV), ("lieux.csv", b"a,b\n1,2\n")])
    refus(data, "double.zip", tmp_path, "deux fois")
    refus(zipper([("Lieux.csv", CSV), ("lieux.CSV", CSV)]), "casse.zip", tmp_path, "deux fois")


def test_trop_de_membres(tmp_path: Path) -> None:
    data = zipper([(f"f{i}.txt", b"x") for i in range(tv.MEMBRES_MAX + 1)])
    refus(data, "foule.zip", tmp_path, f"{tv.MEMBRES_MAX + 1} membres", f"au plus {tv.MEMBRES_MAX}")
    data = zipper([(f"f{i}.txt", b"x") for i in range(tv.MEMBRES_MAX - 1)] + [("lieux.csv", CSV)])
    with tv.televerse(data, "assez.zip", tmp_path) as tel:
        assert tel.chemin.read_bytes() == CSV


def test_membre_chiffre(tmp_path: Path) -> None:
    refus(patcher(zipper([("lieux.csv", CSV)]), drapeaux=0x1), "secret.zip", tmp_path, "chiffré")


def test_zip_tronque_vide_ou_sans_donnees(tmp_path: Path) -> None:
    data = zipper([("lieux.csv", CSV * 100)])
    refus(data[: len(data) // 2], "coupe.zip", tmp_path, "illisible", "tronqué")
    refus(b"PK\x05\x06" + b"\x00" * 18, "vide.zip", tmp_path, "vide")
    refus(zipper([("LISEZMOI.pdf", b"%PDF"), ("notes.txt", b"x")]), "rien.zip", tmp_path, "aucun fichier")
    refus(
        zipper([("a.csv", CSV), ("b.geojson", b"{}")]),
        "deux.zip",
        tmp_path,
        "2 fichiers de données",
        "un par un",
    )


def test_zip_d_un_csv_extrait_sous_notre_nom(tmp_path: Path) -> None:
    data = zipper([("__MACOSX/._lieux.csv", b"\x00\x05"), ("export/Lieux.CSV", CSV), ("LISEZMOI.txt", b"x")])
    with tv.televerse(data, "export.zip", tmp_path) as tel:
        assert tel.chemin.name == "donnees.csv" and tel.chemin.parent == tel.dossier
        assert tel.membres == ("export/Lieux.CSV",) and tel.archive
        assert lire_table(tel.chemin, tel.nom).lignes[0]["nom"] == "Lieu"


def test_classeur_verifie_et_renomme_d_apres_le_contenu(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "nom"])
    ws.append(["1", "Lieu"])
    buf = io.BytesIO()
    wb.save(buf)
    with tv.televerse(buf.getvalue(), "export.bin", tmp_path) as tel:
        assert tel.chemin.name == "televersement.xlsx" and not tel.archive
        assert lire_table(tel.chemin, tel.nom).lignes == [{"id": "1", "nom": "Lieu"}]
    monkeypatch.setattr(tv, "DECOMPRESSE_MAX", 2000)
    refus(buf.getvalue(), "classeur.xlsx", tmp_path, "une fois décompressée")


# --------------------------------------------------------------------------------------------
# zipped shapefiles
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapefile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The parts of a 3-point shapefile in Lambert-93 (extension → bytes)."""
    import geopandas as gpd
    from shapely.geometry import Point

    gdf = gpd.GeoDataFrame(
        {"nom": ["Médiathèque", "EPN", "Centre social"], "cp": ["59510", "59100", "59000"]},
        geometry=[Point(3.1862, 50.6521), Point(3.17, 50.69), Point(3.06, 50.63)],
        crs=4326,
    ).to_crs(2154)
    d = tmp_path_factory.mktemp("shp")
    gdf.to_file(d / "lieux.shp", engine="pyogrio")
    return {p.suffix: p.read_bytes() for p in d.iterdir()}


def test_shapefile_zippe_une_couche(tmp_path: Path, shapefile: dict[str, bytes]) -> None:
    assert {".shp", ".shx", ".dbf", ".prj", ".cpg"} <= set(shapefile)
    membres = [(f"couches/lieux{ext}", data) for ext, data in shapefile.items()]
    membres += [("__MACOSX/couches/._lieux.shp", b"\x00\x05\x16\x07"), ("couches/lieux.shp.xml", b"<x/>")]
    with tv.televerse(zipper(membres), "lieux.zip", tmp_path) as tel:
        assert tel.chemin.name == "couche.geojson"
        assert "couches/lieux.shp" in tel.membres and "couches/lieux.dbf" in tel.membres
        assert any("Lambert-93" in a and "WGS84" in a for a in tel.avertissements)
        t = lire_table(tel.chemin, tel.nom)
        assert t.type == "geojson" and t.crs == "EPSG:4326"
        assert [r["nom"] for r in t.lignes] == ["Médiathèque", "EPN", "Centre social"]
        assert t.points is not None
        lon, lat = t.points[0] or (0.0, 0.0)
        assert lon == pytest.approx(3.1862, abs=1e-6) and lat == pytest.approx(50.6521, abs=1e-6)
        assert sorted(p.name for p in tel.dossier.iterdir()) == sorted(
            ["televersement.zip", "couche.geojson", *(f"couche{e}" for e in shapefile)]
        )
    assert contenu(tmp_path) == []


def test_shapefile_sans_prj_suppose_wgs84(tmp_path: Path, shapefile: dict[str, bytes]) -> None:
    membres = [(f"lieux{ext}", data) for ext, data in shapefile.items() if ext != ".prj"]
    with tv.televerse(zipper(membres), "lieux.zip", tmp_path) as tel:
        assert any("sans fichier .prj" in a for a in tel.avertissements)
        assert lire_table(tel.chemin, tel.nom).crs == "EPSG:4326"


def test_shapefile_sans_dbf(tmp_path: Path, shapefile: dict[str, bytes]) -> None:
    membres = [(f"lieux{ext}", data) for ext, data in shapefile.items() if ext != ".dbf"]
    refus(zipper(membres), "incomplet.zip", tmp_path, "incomplet", "« lieux.dbf »", ".shp, .shx et .dbf")


def test_shapefile_sans_shp(tmp_path: Path, shapefile: dict[str, bytes]) -> None:
    membres = [(f"lieux{ext}", data) for ext, data in shapefile.items() if ext != ".shp"]
    refus(zipper(membres), "sans_shp.zip", tmp_path, "le fichier .shp manque")


def test_shapefile_deux_couches(tmp_path: Path, shapefile: dict[str, bytes]) -> None:
    membres = [(f"{nom}{ext}", data) for nom in ("lieux", "autres") for ext, data in shapefile.items()]
    refus(zipper(membres), "deux.zip", tmp_path, "2 couches shapefile", "une seule couche")


def test_shapefile_et_csv(tmp_path: Path, shapefile: dict[str, bytes]) -> None:
    membres = [(f"lieux{ext}", data) for ext, data in shapefile.items()] + [("lieux.csv", CSV)]
    refus(zipper(membres), "melange.zip", tmp_path, "shapefile et d'autres données")


def test_shp_qui_n_en_est_pas_un(tmp_path: Path, shapefile: dict[str, bytes]) -> None:
    membres = [(f"lieux{ext}", data) for ext, data in shapefile.items()]
    membres[[m[0] for m in membres].index("lieux.shp")] = ("lieux.shp", b"<OGRVRTDataSource/>")
    refus(zipper(membres), "faux.zip", tmp_path, "n'est pas un shapefile")


@pytest.mark.parametrize(
    ("prj", "motif"),
    [
        (b"GEOGCS[n'importe quoi", None),
        (b'PROJCS["x",GEOGCS["y"]]', None),
        (b"\xb8\xff\xfe", ".prj illisible"),
    ],
)
def test_shapefile_prj_abime(
    tmp_path: Path, shapefile: dict[str, bytes], prj: bytes, motif: str | None
) -> None:
    membres = [(f"lieux{ext}", prj if ext == ".prj" else data) for ext, data in shapefile.items()]
    if motif is None:
        e = refus(zipper(membres), "abime.zip", tmp_path, "shapefile illisible", ".prj")
        assert str(tmp_path) not in e.message  # no server path in what the user reads
    else:
        with tv.televerse(zipper(membres), "abime.zip", tmp_path) as tel:
            assert any(motif in a and "supposées en degrés WGS84" in a for a in tel.avertissements)
