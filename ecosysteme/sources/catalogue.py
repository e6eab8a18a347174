"""Catalogs of the official data sources (``data/qpv/catalogue.toml``, ``data/acteurs/catalogue.toml``).

Each catalog is a TOML file holding an array of ``[[source]]`` tables. One table describes one
official source: where to download it (``url``, http(s) only, ``{region}`` templating allowed),
what it is (``titre``, ``producteur``, ``licence``, ``page``), how the file is shaped
(``format``, ``membre`` for a ZIP, ``encodage`` and ``separateur`` for CSV, ``colonnes``), which
importer reads it (``importeur``), an optional pinned ``sha256`` of the downloaded file, and the
names under which a mirror holds an already-extracted copy (``miroir``, tried in order,
``{region_slug}`` and ``{region}`` templating allowed).

Every problem found in a catalog is collected and reported at once, in French, as a
:class:`~ecosysteme.domaine.erreurs.FichierInvalide` naming the catalog file.
"""

from __future__ import annotations

import codecs
import re
import string
import tomllib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ecosysteme.domaine.config import DATA_DIR
from ecosysteme.domaine.erreurs import Emplacement, FichierInvalide, Introuvable

#: Themes, i.e. sub-folders of ``data/`` holding a ``catalogue.toml``.
THEMES: tuple[str, ...] = ("qpv", "acteurs")
#: Name of the catalog file inside each theme folder.
NOM_CATALOGUE = "catalogue.toml"

#: Names of the importer formats a source can be read with.
IMPORTEURS: tuple[str, ...] = (
    "qpv",
    "population",
    "communes",
    "epci",
    "france-services",
    "conseillers-numeriques",
    "data-inclusion",
    "bibliotheques",
    "standard",
)

Theme = Literal["qpv", "acteurs"]
FormatSource = Literal["geojson", "csv", "zip"]
Importeur = Literal[
    "qpv",
    "population",
    "communes",
    "epci",
    "france-services",
    "conseillers-numeriques",
    "data-inclusion",
    "bibliotheques",
    "standard",
]

#: Short names of the regions (INSEE code → slug) used in mirror file names (``{region_slug}``).
SLUGS_REGION: dict[str, str] = {
    "01": "gua",
    "02": "mtq",
    "03": "guf",
    "04": "reu",
    "06": "myt",
    "11": "idf",
    "24": "cvl",
    "27": "bfc",
    "28": "nor",
    "32": "hdf",
    "44": "ges",
    "52": "pdl",
    "53": "bre",
    "75": "naq",
    "76": "occ",
    "84": "ara",
    "93": "paca",
    "94": "cor",
}

#: Extensions of the files a source finally yields (after ZIP extraction), by format.
EXTENSIONS: dict[str, str] = {".geojson": "geojson", ".csv": "csv"}

#: Default ceiling (bytes) on a downloaded file and on an extracted ZIP member.
TAILLE_MAX_DEFAUT = 500_000_000

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_CHAMPS_URL = frozenset({"region"})
_CHAMPS_MIROIR = frozenset({"region", "region_slug"})


def slug_region(region: str) -> str:
    """The short name of a region (``"32"`` → ``"hdf"``); French error if the code is unknown."""
    try:
        return SLUGS_REGION[region]
    except KeyError:
        connus = ", ".join(sorted(SLUGS_REGION))
        raise Introuvable(
            f"Code région « {region} » inconnu : utilisez un code INSEE de région ({connus})."
        ) from None


def _champs_modele(modele: str) -> set[str]:
    """Names of the ``{...}`` fields of a template; ValueError if the braces are malformed."""
    try:
        return {nom for _, nom, _, _ in string.Formatter().parse(modele) if nom is not None}
    except ValueError as exc:
        raise ValueError(f"accolades mal formées dans « {modele} »") from exc


def _verifier_http(valeur: str, champ: str) -> None:
    """Raise ValueError unless ``valeur`` is an absolute http(s) URL."""
    parts = urlsplit(valeur)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"{champ} doit être une adresse http:// ou https:// complète (reçu « {valeur} ») ; "
            "les autres schémas (file://, ftp://...) sont refusés"
        )


def _verifier_nom_relatif(nom: str, champ: str, *, dossiers: bool) -> None:
    """Raise ValueError if ``nom`` is absolute, climbs with ``..`` or (unless allowed) has folders."""
    if not nom or nom.strip() != nom:
        raise ValueError(f"{champ} vide ou entouré d'espaces")
    if "\\" in nom or nom.startswith("/") or re.match(r"^[A-Za-z]:", nom):
        raise ValueError(f"{champ} « {nom} » : chemin absolu ou séparateur « \\ » refusé")
    parts = PurePosixPath(nom).parts
    if ".." in parts or "." in parts:
        raise ValueError(f"{champ} « {nom} » : les composants « .. » et « . » sont refusés")
    if not dossiers and len(parts) != 1:
        raise ValueError(f"{champ} « {nom} » : un simple nom de fichier est attendu, sans dossier")


def format_de_nom(nom: str) -> str | None:
    """``"geojson"`` or ``"csv"`` from a file name's extension, else None."""
    return EXTENSIONS.get(PurePosixPath(nom).suffix.lower())


class Source(BaseModel):
    """One official data source, as described by a catalog entry."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    id: str = Field(min_length=1)
    theme: Theme
    titre: str = Field(min_length=1)
    producteur: str = Field(min_length=1)
    licence: str = Field(min_length=1)
    #: Official download URL (http/https, ``{region}`` allowed); None when no direct link is known.
    url: str | None = None
    #: Landing page of the dataset, for people.
    page: str | None = None
    #: Shape of the file the official URL serves.
    format: FormatSource
    #: For ``format = "zip"``: path of the member to extract (``/``-separated).
    membre: str | None = None
    encodage: str | None = None
    separateur: str | None = None
    importeur: Importeur
    #: Columns the importer relies on (present both in the official file and in the mirror copy).
    colonnes: tuple[str, ...] = Field(min_length=1)
    #: Pinned sha256 of the file served by ``url`` (the ZIP itself for a ZIP source).
    sha256: str | None = None
    #: Mirror file names tried in order (regional first, then national).
    miroir: tuple[str, ...] = ()
    #: Ceiling in bytes on the download and on the extracted member.
    taille_max: int = Field(default=TAILLE_MAX_DEFAUT, gt=0)
    #: Free remark for people reading the catalog or the CLI listing.
    remarque: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, valeur: str) -> str:
        if not _ID_RE.match(valeur):
            raise ValueError(f"identifiant « {valeur} » invalide : minuscules, chiffres et tirets seulement")
        return valeur

    @field_validator("url", "page", "encodage", "separateur", "membre", "sha256", "remarque", mode="before")
    @classmethod
    def _vide_vers_none(cls, valeur: Any) -> Any:
        if isinstance(valeur, str) and valeur.strip() == "":
            return None
        return valeur

    @field_validator("url")
    @classmethod
    def _url(cls, valeur: str | None) -> str | None:
        if valeur is None:
            return None
        inconnus = _champs_modele(valeur) - _CHAMPS_URL
        if inconnus:
            raise ValueError(f"variable(s) inconnue(s) dans l'adresse : {', '.join(sorted(inconnus))}")
        _verifier_http(valeur.replace("{region}", "00"), "l'adresse")
        return valeur

    @field_validator("page")
    @classmethod
    def _page(cls, valeur: str | None) -> str | None:
        if valeur is not None:
            _verifier_http(valeur, "la page")
        return valeur

    @field_validator("membre")
    @classmethod
    def _membre(cls, valeur: str | None) -> str | None:
        if valeur is None:
            return None
        _verifier_nom_relatif(valeur, "le membre", dossiers=True)
        if format_de_nom(valeur) is None:
            raise ValueError(f"le membre « {valeur} » doit finir par .geojson ou .csv")
        return valeur

    @field_validator("encodage")
    @classmethod
    def _encodage(cls, valeur: str | None) -> str | None:
        if valeur is None:
            return None
        try:
            codecs.lookup(valeur)
        except LookupError:
            raise ValueError(f"encodage « {valeur} » inconnu (exemples : utf-8, utf-8-sig, cp1252)") from None
        return valeur

    @field_validator("separateur")
    @classmethod
    def _separateur(cls, valeur: str | None) -> str | None:
        if valeur is not None and len(valeur) != 1:
            raise ValueError(f"le séparateur doit être un seul caractère (reçu « {valeur} »)")
        return valeur

    @field_validator("sha256")
    @classmethod
    def _sha256(cls, valeur: str | None) -> str | None:
        if valeur is None:
            return None
        valeur = valeur.lower()
        if not _SHA256_RE.match(valeur):
            raise ValueError("empreinte sha256 invalide : 64 caractères hexadécimaux attendus (ou vide)")
        return valeur

    @field_validator("colonnes")
    @classmethod
    def _colonnes(cls, valeur: tuple[str, ...]) -> tuple[str, ...]:
        if any(not c for c in valeur):
            raise ValueError("nom de colonne vide")
        doubles = sorted({c for c in valeur if valeur.count(c) > 1})
        if doubles:
            raise ValueError(f"colonne(s) en double : {', '.join(doubles)}")
        return valeur

    @field_validator("miroir")
    @classmethod
    def _miroir(cls, valeur: tuple[str, ...]) -> tuple[str, ...]:
        for nom in valeur:
            inconnus = _champs_modele(nom) - _CHAMPS_MIROIR
            if inconnus:
                raise ValueError(f"variable(s) inconnue(s) dans « {nom} » : {', '.join(sorted(inconnus))}")
            _verifier_nom_relatif(nom, "le nom de miroir", dossiers=False)
            if format_de_nom(nom) is None:
                raise ValueError(f"le nom de miroir « {nom} » doit finir par .geojson ou .csv")
        return valeur

    @model_validator(mode="after")
    def _coherence(self) -> Source:
        if self.format == "zip" and self.membre is None:
            raise ValueError("une source « zip » doit indiquer le membre à extraire (champ « membre »)")
        if self.format != "zip" and self.membre is not None:
            raise ValueError("le champ « membre » n'a de sens que pour une source « zip »")
        noms = [*self.miroir, *([self.membre] if self.membre else [])]
        csv_en_jeu = self.format == "csv" or any(format_de_nom(n) == "csv" for n in noms)
        if csv_en_jeu and (self.encodage is None or self.separateur is None):
            raise ValueError("une source CSV doit indiquer « encodage » et « separateur »")
        return self

    # -- helpers used by the downloader ------------------------------------------------------

    @property
    def format_fichier(self) -> str:
        """Format (``geojson`` or ``csv``) of the file obtained from the official URL."""
        if self.membre is not None:
            return format_de_nom(self.membre) or self.format
        return self.format

    @property
    def url_regionale(self) -> bool:
        """True when the official URL depends on the region."""
        return self.url is not None and "region" in _champs_modele(self.url)

    def url_pour(self, region: str | None) -> str | None:
        """The official URL for ``region`` (None when the catalog has no direct link)."""
        if self.url is None:
            return None
        if self.url_regionale:
            if region is None:
                raise Introuvable(
                    f"La source « {self.id} » se télécharge région par région : indiquez une région."
                )
            slug_region(region)  # refuse unknown codes with a French message
            return self.url.format(region=region)
        return self.url

    def noms_miroir(self, region: str | None) -> list[tuple[str, bool]]:
        """Mirror file names to try in order, each with ``True`` when it is a regional file.

        Regional names are skipped when ``region`` is None.
        """
        noms: list[tuple[str, bool]] = []
        slug = slug_region(region) if region is not None else None
        for modele in self.miroir:
            regional = bool(_champs_modele(modele))
            if regional:
                if region is None or slug is None:
                    continue
                noms.append((modele.format(region=region, region_slug=slug), True))
            else:
                noms.append((modele, False))
        return noms


# -- loading ------------------------------------------------------------------------------------


def _message_erreur(err: Any) -> str:
    """A French rendering of one pydantic error."""
    typ = err.get("type", "")
    ctx = err.get("ctx") or {}
    if typ == "missing":
        return "champ obligatoire absent"
    if typ == "extra_forbidden":
        return "champ inconnu (vérifiez son orthographe)"
    if typ == "literal_error":
        return f"valeur « {err.get('input')} » non autorisée (valeurs possibles : {ctx.get('expected', '')})"
    if typ == "value_error":
        return str(ctx.get("error", err.get("msg", "")))
    if typ in ("string_type", "str_type"):
        return "texte attendu"
    if typ in ("int_type", "int_parsing"):
        return "nombre entier attendu"
    if typ in ("tuple_type", "list_type"):
        return "liste attendue"
    if typ in ("too_short", "string_too_short"):
        return "valeur vide"
    if typ.startswith("greater_than"):
        return f"nombre strictement positif attendu (reçu {err.get('input')})"
    return f"valeur invalide ({err.get('msg', typ)})"


def _lieu(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc]
    return ".".join(parts) if parts else "entrée"


def charger_catalogue(chemin: str | Path, theme: str | None = None) -> list[Source]:
    """Load and validate one catalog file.

    ``theme`` defaults to the name of the folder holding the file (``qpv`` or ``acteurs``).
    Raises :class:`FichierInvalide` listing every problem found, in French.
    """
    chemin = Path(chemin)
    ou = Emplacement(fichier=str(chemin))
    theme = theme or chemin.parent.name
    if theme not in THEMES:
        raise FichierInvalide(
            f"Thème « {theme} » inconnu pour ce catalogue (thèmes possibles : {', '.join(THEMES)}).", ou
        )
    try:
        with chemin.open("rb") as fichier:
            brut = tomllib.load(fichier)
    except FileNotFoundError:
        raise FichierInvalide("Catalogue introuvable : le fichier n'existe pas.", ou) from None
    except tomllib.TOMLDecodeError as exc:
        raise FichierInvalide(f"Catalogue illisible : syntaxe TOML invalide ({exc}).", ou) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise FichierInvalide(f"Catalogue illisible : {exc}.", ou) from exc

    inconnues = sorted(set(brut) - {"source"})
    problemes: list[str] = []
    if inconnues:
        problemes.append(
            f"clé(s) de premier niveau inconnue(s) : {', '.join(inconnues)} (seul [[source]] est attendu)"
        )
    entrees = brut.get("source", [])
    if not isinstance(entrees, list) or not all(isinstance(e, dict) for e in entrees):
        raise FichierInvalide("Catalogue invalide : les sources doivent être des tables [[source]].", ou)
    if not entrees:
        problemes.append("aucune source déclarée ([[source]] absent)")

    resultat: list[Source] = []
    vus: dict[str, int] = {}
    for numero, entree in enumerate(entrees, start=1):
        nom = entree.get("id", "?")
        if "theme" in entree and entree["theme"] != theme:
            problemes.append(
                f"source n° {numero} (« {nom} ») : thème « {entree['theme']} » "
                f"différent du dossier « {theme} »"
            )
            continue
        try:
            src = Source.model_validate({**entree, "theme": theme})
        except ValidationError as exc:
            for err in exc.errors():
                problemes.append(
                    f"source n° {numero} (« {nom} »), champ « {_lieu(err.get('loc', ()))} » : "
                    f"{_message_erreur(err)}"
                )
            continue
        if src.id in vus:
            problemes.append(
                f"source n° {numero} : identifiant « {src.id} » déjà utilisé par la source n° {vus[src.id]}"
            )
            continue
        vus[src.id] = numero
        resultat.append(src)

    if problemes:
        detail = "\n  - ".join(problemes)
        raise FichierInvalide(f"Catalogue invalide ({len(problemes)} problème(s)) :\n  - {detail}", ou)
    return resultat


def chemin_catalogue(theme: str, dossier: str | Path | None = None) -> Path:
    """Path of the catalog of ``theme`` under ``dossier`` (default: the project's ``data/``)."""
    return Path(dossier or DATA_DIR) / theme / NOM_CATALOGUE


def sources(theme: str | None = None, *, dossier: str | Path | None = None) -> list[Source]:
    """All sources of the catalogs (or of one theme), in catalog order.

    Raises :class:`Introuvable` for an unknown theme and :class:`FichierInvalide` for a
    malformed catalog or an id used in two catalogs.
    """
    if theme is not None and theme not in THEMES:
        raise Introuvable(f"Thème « {theme} » inconnu (thèmes possibles : {', '.join(THEMES)}).")
    themes = (theme,) if theme is not None else THEMES
    resultat: list[Source] = []
    vus: dict[str, Path] = {}
    for nom in themes:
        chemin = chemin_catalogue(nom, dossier)
        for src in charger_catalogue(chemin, nom):
            if src.id in vus:
                raise FichierInvalide(
                    f"Identifiant « {src.id} » déclaré deux fois (aussi dans « {vus[src.id]} »).",
                    Emplacement(fichier=str(chemin), champ="id"),
                )
            vus[src.id] = chemin
            resultat.append(src)
    return resultat


def source(id: str, *, dossier: str | Path | None = None) -> Source:
    """The source with this id; :class:`Introuvable` (French, listing known ids) otherwise."""
    toutes = sources(dossier=dossier)
    for src in toutes:
        if src.id == id:
            return src
    connues = ", ".join(s.id for s in toutes)
    raise Introuvable(f"Source « {id} » inconnue. Sources du catalogue : {connues}.")
