"""The fiche territoire (ecosysteme.exports.fiche): French typography by hand and by property,
and the real CA Maubeuge Val de Sambre fiche in DOCX (headings, gap table, image, lieu totem,
sources) and PDF (pages, text)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from aide_store import DepotCompte
from hypothesis import given
from hypothesis import strategies as st

from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.exports.fiche import (
    TITRES_SECTIONS,
    distance_fr,
    fiche_territoire,
    habitants_fr,
    nombre_fr,
    pourcentage_fr,
    typographie,
)

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
MAUBEUGE = "200043396"
DATE = dt.date(2026, 11, 26)
NBSP = "\u00a0"
FINE = "\u202f"
SERVICES = (
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
)


# --- typography by hand ---------------------------------------------------------------------------


def test_typographie_a_la_main() -> None:
    assert typographie("Sources : ANCT ; INSEE") == f"Sources{NBSP}: ANCT{FINE}; INSEE"
    assert typographie("Sources: a") == f"Sources{NBSP}: a"
    assert typographie("Vraiment ? Oui !") == f"Vraiment{FINE}? Oui{FINE}!"
    assert typographie("« Aide »") == f"«{NBSP}Aide{NBSP}»"
    assert typographie("«Aide»") == f"«{NBSP}Aide{NBSP}»"
    # neither addresses nor times are touched
    assert (
        typographie("https://exemple.fr ouvert de 9:00 à 18:30")
        == "https://exemple.fr ouvert de 9:00 à 18:30"
    )
    # already typeset text is left as it is
    deja = f"Sources{NBSP}: a{FINE}; «{NBSP}b{NBSP}»"
    assert typographie(deja) == deja


def test_nombres_a_la_main() -> None:
    assert nombre_fr(3953) == f"3{FINE}953"
    assert nombre_fr(1_234_567.891, 2) == f"1{FINE}234{FINE}567,89"
    assert nombre_fr(0.456, 1) == "0,5"
    assert nombre_fr(999) == "999"
    assert nombre_fr(-1500) == f"-1{FINE}500"
    assert pourcentage_fr(0.5039) == f"50,4{FINE}%"
    assert distance_fr(1250.4) == f"1{FINE}250{NBSP}m"
    assert distance_fr(0.0) == f"0{NBSP}m"
    for rien in (None, float("nan"), float("inf"), "x"):
        assert distance_fr(rien) == "aucun"
    assert habitants_fr(None) == "inconnue" and habitants_fr(float("nan")) == "inconnue"
    assert habitants_fr(10341) == f"10{FINE}341"
    with pytest.raises(ErreurEcosysteme, match="non fini"):
        nombre_fr(float("nan"))


# --- typography by property -----------------------------------------------------------------------

_texte = st.text(alphabet=st.sampled_from(list("ab :;!?«»/9\u00a0\u202f")), max_size=40)


@given(_texte)
def test_typographie_idempotente_et_sans_espace_ordinaire(texte: str) -> None:
    une = typographie(texte)
    assert typographie(une) == une
    # never an ordinary space before a high mark ending a word, nor inside guillemets
    assert not re.search(r" [:;!?](?=[ »]|$)", une)
    assert not re.search(r"[ \u202f]»", une)
    assert "« " not in une
    # letters, digits and marks are kept, in order
    assert re.sub(r"[\s\u00a0\u202f]", "", une) == re.sub(r"[\s\u00a0\u202f]", "", texte)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_nombre_fr_milliers(n: int) -> None:
    texte = nombre_fr(n)
    assert texte.replace(FINE, "") == str(n)
    groupes = texte.lstrip("-").split(FINE)
    assert all(len(g) == 3 for g in groupes[1:]) and 1 <= len(groupes[0]) <= 3


# --- the real fiche of CA Maubeuge Val de Sambre ----------------------------------------------------


@pytest.fixture(scope="module")
def fiches(depot_hdf: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    dossier = tmp_path_factory.mktemp("fiche")
    with ouvrir_depot(depot_hdf) as depot:
        docx = fiche_territoire(depot, MAUBEUGE, dossier / "fiche.docx", date=DATE)
        pdf = fiche_territoire(depot, MAUBEUGE, dossier / "fiche.pdf", date=DATE)
    return docx, pdf


def test_fichiers_ecrits_sans_reste(fiches: tuple[Path, Path]) -> None:
    docx, pdf = fiches
    assert sorted(p.name for p in docx.parent.iterdir()) == ["fiche.docx", "fiche.pdf"]


def test_docx_titres_dans_l_ordre(fiches: tuple[Path, Path]) -> None:
    from docx import Document

    doc = Document(str(fiches[0]))
    titre = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Title"]
    assert titre == [f"Fiche territoire{NBSP}: CA Maubeuge Val de Sambre"]
    titres = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert (
        titres
        == list(TITRES_SECTIONS)
        == [
            "Chiffres clés",
            "Carte",
            "Lacunes par quartier",
            "Quartiers sans offre à portée",
            "Lieu totem",
            "Sources",
        ]
    )


def _tableau_lacunes(doc: object) -> list[list[str]]:
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]  # type: ignore[attr-defined]
    trouves = [t for t in tables if t[0][:2] == ["Quartier", "Habitants"]]
    assert len(trouves) == 1, [t[0] for t in tables]
    return trouves[0]


def test_docx_tableau_des_lacunes(fiches: tuple[Path, Path]) -> None:
    from docx import Document

    lignes = _tableau_lacunes(Document(str(fiches[0])))
    assert len(lignes) == 1 + 11  # header + the 11 QPV of the EPCI
    assert lignes[0] == ["Quartier", "Habitants", *SERVICES]
    assert all(len(r) == 11 for r in lignes)
    codes = {m.group(1) for r in lignes[1:] for m in [re.search(r"\((QN\d{5}[A-Z])\)$", r[0])] if m}
    assert len(codes) == 11
    motif = re.compile(rf"^(aucun|\d{{1,3}}({FINE}\d{{3}})*{NBSP}m)$")
    assert all(motif.match(v) for r in lignes[1:] for v in r[2:]), lignes
    assert any(v == "aucun" for r in lignes[1:] for v in r[2:])

    # the share of residents with « Aide aux démarches administratives » within 1 000 m, in the
    # key figures, is the share of the rows whose distance is at most 1 000 m
    def metres(v: str) -> float:
        return float("inf") if v == "aucun" else float(v.replace(FINE, "").replace(NBSP + "m", ""))

    pop = [int(r[1].replace(FINE, "")) for r in lignes[1:]]
    proches = [p for p, r in zip(pop, lignes[1:], strict=True) if metres(r[2]) <= 1000]
    assert sum(pop) == 29_239
    attendu = f"{100 * sum(proches) / sum(pop):.1f}".replace(".", ",") + f"{FINE}%"
    chiffres = [[[c.text for c in r.cells] for r in t.rows] for t in Document(str(fiches[0])).tables][0]
    part = [r[1] for r in chiffres if r[0].startswith("Habitants des QPV à moins de 1")]
    assert part == [attendu] == [f"50,4{FINE}%"]


def test_docx_une_image_et_les_sources(fiches: tuple[Path, Path]) -> None:
    from docx import Document

    doc = Document(str(fiches[0]))
    assert len(doc.inline_shapes) == 1
    forme = doc.inline_shapes[0]
    assert forme.width is not None and forme.height is not None and forme.width > forme.height > 0
    sources = [p.text for p in doc.paragraphs if p.text.startswith(f"Sources{NBSP}:")]
    assert len(sources) == 1
    ligne = sources[0]
    assert ligne.startswith(f"Sources{NBSP}: périmètres des QPV 2024 (ANCT)")
    assert ligne.endswith("inventaire local au 26/11/2026")
    for fichier in ("qpv-perimetres-32.geojson", "france-services-32.geojson", "bibliotheques-32.geojson"):
        assert fichier in ligne
    assert " ;" not in ligne and " :" not in ligne


def test_docx_lieu_totem_maubeuge(fiches: tuple[Path, Path]) -> None:
    from docx import Document

    doc = Document(str(fiches[0]))
    textes = [p.text for p in doc.paragraphs]
    debut, fin = textes.index("Lieu totem"), textes.index("Sources")
    section = " ".join(textes[debut:fin])
    # the known answer: 1 site within 1 000 m for « Aide aux démarches administratives »
    assert re.search(r"nouvellement couverts\u00a0: 3[\u202f\u00a0]953 ", section), section
    assert f"«{NBSP}Aide aux démarches administratives{NBSP}»" in section
    assert f"(1 site, rayon de 1{FINE}000{NBSP}m à vol d'oiseau)" in section
    assert "MEDIATHEQUE MUNICIPALE de Maubeuge" in section


def _pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext absent (apt-get install poppler-utils)")
    sortie = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True)
    return " ".join(sortie.stdout.decode("utf-8").replace(FINE, " ").replace(NBSP, " ").split())


def test_pdf_pages_et_texte(fiches: tuple[Path, Path]) -> None:
    pdf = fiches[1]
    octets = pdf.read_bytes()
    assert octets.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", octets))
    assert pages >= 2
    assert b"/FontFile2" in octets  # TrueType fonts embedded: text kept as text
    texte = _pdftotext(pdf)
    assert "Fiche territoire : CA Maubeuge Val de Sambre" in texte
    assert "Sources" in texte and "Lacunes par quartier" in texte
    assert "3 953" in texte


def test_format_et_territoire_inconnus(depot_hdf: Path, tmp_path: Path) -> None:
    with ouvrir_depot(depot_hdf) as depot:
        with pytest.raises(ErreurEcosysteme, match=r"\.docx ou \.pdf"):
            fiche_territoire(depot, MAUBEUGE, tmp_path / "fiche.odt")
        with pytest.raises(ErreurEcosysteme, match="absent du dépôt"):
            fiche_territoire(depot, "999999999", tmp_path / "fiche.docx")
        with pytest.raises(ErreurEcosysteme, match="seuil"):
            fiche_territoire(depot, MAUBEUGE, tmp_path / "fiche.docx", seuil=0)
    assert list(tmp_path.iterdir()) == []


def test_ecriture_atomique_un_echec_laisse_l_ancien_fichier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecosysteme.exports import fiche

    def ecrire_puis_echouer(contenu: object, chemin: Path) -> None:
        chemin.write_bytes(b"moitie")
        raise ErreurEcosysteme("disque plein")

    monkeypatch.setattr(fiche, "contenu_fiche", lambda *a, **k: None)
    monkeypatch.setattr(fiche, "ecrire_docx", ecrire_puis_echouer)
    cible = tmp_path / "fiche.docx"
    cible.write_bytes(b"ancienne fiche")
    with pytest.raises(ErreurEcosysteme, match="disque plein"):
        fiche.fiche_territoire(None, MAUBEUGE, cible)  # type: ignore[arg-type]
    assert cible.read_bytes() == b"ancienne fiche"
    assert [p.name for p in tmp_path.iterdir()] == ["fiche.docx"]


# --- the DOCX as a word processor renders it (LibreOffice) ------------------------------------------


def _pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    sortie = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return [(float(a), float(b)) for a, b in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", sortie)]


def _police_installee(famille: str) -> bool:
    """Whether fontconfig knows the family itself (fc-match always answers, with a fallback if need be)."""
    if shutil.which("fc-list") is None:
        return False
    familles = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=True).stdout
    return any(famille in ligne.split(",") for ligne in familles.splitlines())


def test_docx_rendu_par_libreoffice(fiches: tuple[Path, Path], tmp_path: Path) -> None:
    """What python-docx cannot tell: the file opens in a word processor, on A4 pages (python-docx's
    template is US Letter), the gap table on a landscape page, the map drawn, the text French."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdfinfo") is None:
        pytest.skip("LibreOffice ou poppler absent (apt-get install libreoffice-writer-nogui poppler-utils)")
    # the layout below holds with Arial or its metric twin only: without it LibreOffice falls back to a
    # wider font and words break inside the table cells. Say which package is missing, not a text mismatch.
    assert _police_installee("Liberation Sans") or _police_installee("Arial"), (
        "police Liberation Sans (ou Arial) absente : apt-get install fonts-liberation2 (.ci/run l'installe)"
    )
    docx, _ = fiches
    profil = tmp_path / "profil-libreoffice"
    subprocess.run(
        [
            soffice, f"-env:UserInstallation={profil.as_uri()}", "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir", str(tmp_path / "rendu"), str(docx),
        ],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    pdf = tmp_path / "rendu" / "fiche.pdf"
    pages = _pdf_pages(pdf)
    assert len(pages) >= 3
    a4 = (595.3, 841.9)
    for largeur, hauteur in pages:
        assert sorted((largeur, hauteur)) == [pytest.approx(a4[0], abs=1), pytest.approx(a4[1], abs=1)]
    assert pages[0][0] < pages[0][1]  # portrait first page
    assert any(largeur > hauteur for largeur, hauteur in pages)  # the gap table in landscape
    texte = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
        .stdout.replace(NBSP, " ")
        .replace(FINE, " ")
        .split()
    )
    for titre in TITRES_SECTIONS:
        assert titre in texte, titre
    # each service's name whole in the gap table's header (a too narrow column cut
    # « administrativ/es » in the middle of the word)
    for service in SERVICES:
        assert service in texte, service
    assert "CA Maubeuge Val de Sambre" in texte and "Sources" in texte
    polices = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert (
        "LiberationSans" in polices or "Arial" in polices
    )  # the text font asked for (Arial or its metric twin)
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True)
    assert len(images.stdout.strip().splitlines()) >= 3  # two header lines + the map
    if shutil.which("pdftoppm"):
        ARTEFACTS.mkdir(exist_ok=True)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "3",
                str(pdf),
                str(ARTEFACTS / "fiche_docx_libreoffice"),
            ],
            check=True,
        )


# --- a territory read once (issue 13) -------------------------------------------------------------


def test_fiche_maubeuge_un_territoire_lu_une_fois(
    depot_hdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fiche reads the QPV, the communes, the EPCI and the actors once, and computes the
    coverage of each offer once (the map reuses the fiche's table, the lieu totem its actors)."""
    from ecosysteme.analyse import couverture as module_couverture

    vraie = module_couverture.couverture
    offres: list[str] = []

    def comptee(qpv: object, acteurs: object, parametres: object = None) -> object:
        assert parametres is not None
        offres.extend(f.cle for f in parametres.filtres)  # type: ignore[attr-defined]
        return vraie(qpv, acteurs, parametres)  # type: ignore[arg-type]

    monkeypatch.setattr(module_couverture, "couverture", comptee)
    with ouvrir_depot(depot_hdf) as depot:
        compte = DepotCompte(depot)
        fiche_territoire(compte, MAUBEUGE, tmp_path / "fiche.docx", date=DATE)  # type: ignore[arg-type]
    assert compte.appels == {"qpv": 1, "communes": 1, "epci": 1, "acteurs_gdf": 1, "lister": 0}
    assert sorted(offres) == sorted(["tous", *(f"service:{s}" for s in SERVICES)])
    assert len(offres) == len(set(offres))  # each offer's coverage computed once


def test_territoire_comme_le_depot(depot_hdf: Path) -> None:
    """The territory's derived frames are the store's own answers (same rows, same order)."""
    import pandas as pd

    from ecosysteme.analyse.couverture import Parametres, filtre
    from ecosysteme.analyse.couverture import couverture as calculer
    from ecosysteme.analyse.territoire import Territoire

    with ouvrir_depot(depot_hdf) as depot:
        territoire = Territoire.lire(depot, siren_epci=MAUBEUGE)
        pd.testing.assert_frame_equal(territoire.acteurs_epci(), depot.acteurs_gdf(siren_epci=MAUBEUGE))
        boite = (3.8, 50.2, 4.1, 50.35)
        pd.testing.assert_frame_equal(territoire.acteurs_dans(boite), depot.acteurs_gdf(bbox=boite))
        tous = depot.acteurs_gdf()
    offres = (filtre("tous"), filtre(f"service:{SERVICES[0]}"), filtre("categorie:Médiathèque"))
    large = Parametres(bandes=(300.0, 1000.0), seuil=1000.0, filtres=offres)
    assert territoire.couverture(large) is territoire.couverture(large)
    for offre in offres:  # a subset of a table already computed: the same as computed alone
        seule = Parametres(bandes=(300.0, 1000.0), seuil=1000.0, filtres=(offre,))
        pd.testing.assert_frame_equal(territoire.couverture(seule), calculer(territoire.qpv, tous, seule))
