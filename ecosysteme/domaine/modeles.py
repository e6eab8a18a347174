"""Canonical models (DESIGN §3): Acteur, Arret, QPV, Commune, EPCI.

``Acteur`` carries the 32 fields of the national standard v1.0.2 with their exact names, plus
our extensions. Values are expected already normalised (see ``normalize``); the validators
here refuse anything outside the standard's enumerations, so a stored actor always conforms.

Every text goes through the rules of :mod:`ecosysteme.domaine.validation` (« Règles du texte »): invisible
characters removed, no formula sign first, no markup, web and e-mail addresses that are ones. The
model being what every entry builds (importers, form, merge, scenario), they are the same rules
everywhere. Reading the store passes :data:`LECTURE` as context: texts are then only cleaned,
never refused, so that an actor stored before a rule existed can still be opened and fixed.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ecosysteme.domaine import standard
from ecosysteme.domaine.normalisation import PIVOT_INCONNU
from ecosysteme.domaine.validation import (
    probleme_courriel,
    probleme_texte,
    probleme_url,
    sans_controles,
    texte_propre,
)


class Categorie(StrEnum):
    """Our own category of an actor, derived from ``typologie`` and the source, editable."""

    EPN = "EPN"
    FABLAB = "Fablab"
    TIERS_LIEU = "Tiers-lieu"
    MEDIATHEQUE = "Médiathèque"
    CCAS = "CCAS"
    FRANCE_SERVICES = "France Services"
    CENTRE_SOCIAL = "Centre social"
    CONSEILLER_NUMERIQUE = "Conseiller numérique"
    ASSOCIATION = "Association"
    AUTRE = "Autre"


class Statut(StrEnum):
    ACTIF = "actif"
    FERME = "fermé"
    EN_PROJET = "en projet"


class Pilier(StrEnum):
    """The four pillars of the contrat de ville."""

    COHESION_SOCIALE = "Cohésion sociale"
    CADRE_DE_VIE = "Cadre de vie et renouvellement urbain"
    EMPLOI = "Développement économique et emploi"
    CITOYENNETE = "Valeurs de la République et citoyenneté"


#: Fields of the standard that hold ``|``-separated lists.
CHAMPS_LISTES: tuple[str, ...] = (
    "typologie",
    "courriels",
    "site_web",
    "itinerance",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
)

#: Validation context of a read from the store: texts cleaned, never refused.
LECTURE: dict[str, bool] = {"lecture": True}

_Genre = Literal["ligne", "texte", "url", "courriel", "provenance"]
#: Fields that cannot be empty: an emptied text stays "" so that the required check names it.
_REQUIS = ("id", "nom")


def _regle_texte(valeur: Any, genre: _Genre, info: ValidationInfo) -> Any:
    """One text by the rules of ``validation`` (other types are left to the field's own check)."""
    if not isinstance(valeur, str):
        return valeur
    if genre == "provenance" or (info.context or {}).get("lecture"):
        propre = sans_controles(valeur, lignes=genre == "texte")
        return propre.strip() or None if genre == "provenance" else propre
    texte = texte_propre(valeur, lignes=genre == "texte")
    if texte:
        probleme = (
            probleme_url(texte)
            if genre == "url"
            else probleme_courriel(texte)
            if genre == "courriel"
            else probleme_texte(texte, lignes=genre == "texte")
        )
        if probleme is not None:
            raise ValueError(probleme)
    return texte if texte or info.field_name in _REQUIS else None


def _regle_liste(valeurs: Any, genre: _Genre, info: ValidationInfo) -> Any:
    if not isinstance(valeurs, list | tuple):
        return valeurs
    sortie = [_regle_texte(v, genre, info) for v in valeurs]
    return [v for v in sortie if v not in (None, "")]


_TEL = re.compile(r"^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)(\d){6,9}$")


def _check_coords(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        raise ValueError("latitude et longitude doivent être données ensemble")
    if lat is not None and lon is not None:
        if not (-90.0 <= lat <= 90.0):
            raise ValueError(f"latitude {lat} hors de [-90, 90]")
        if not (-180.0 <= lon <= 180.0):
            raise ValueError(f"longitude {lon} hors de [-180, 180]")


class Arret(BaseModel):
    """One stop of a mobile service: a place and a schedule (OSM ``opening_hours``)."""

    model_config = ConfigDict(extra="forbid")

    nom: str
    adresse: str | None = None
    commune: str | None = None
    code_insee: str | None = None
    latitude: float
    longitude: float
    horaires: str | None = None

    @field_validator("nom", "adresse", "commune", "horaires", mode="before")
    @classmethod
    def _textes(cls, valeur: Any, info: ValidationInfo) -> Any:
        return _regle_texte(valeur, "ligne", info)

    @model_validator(mode="after")
    def _coords(self) -> Arret:
        _check_coords(self.latitude, self.longitude)
        return self


class Acteur(BaseModel):
    """A place or structure offering digital inclusion (standard v1.0.2 + extensions)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # --- the 32 fields of the standard, in its order ---
    id: str = Field(min_length=1)
    pivot: str = PIVOT_INCONNU
    nom: str = Field(min_length=1)
    commune: str | None = None
    code_postal: str | None = None
    code_insee: str | None = None
    adresse: str | None = None
    complement_adresse: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    typologie: list[str] = Field(default_factory=list)
    telephone: str | None = None
    courriels: list[str] = Field(default_factory=list)
    site_web: list[str] = Field(default_factory=list)
    horaires: str | None = None
    presentation_resume: str | None = None
    presentation_detail: str | None = None
    source: str | None = None
    itinerance: list[str] = Field(default_factory=list)
    structure_parente: str | None = None
    date_maj: dt.date | None = None
    services: list[str] = Field(default_factory=list)
    publics_specifiquement_adresses: list[str] = Field(default_factory=list)
    prise_en_charge_specifique: list[str] = Field(default_factory=list)
    frais_a_charge: list[str] = Field(default_factory=list)
    dispositif_programmes_nationaux: list[str] = Field(default_factory=list)
    formations_labels: list[str] = Field(default_factory=list)
    autres_formations_labels: list[str] = Field(default_factory=list)
    modalites_acces: list[str] = Field(default_factory=list)
    modalites_accompagnement: list[str] = Field(default_factory=list)
    fiche_acces_libre: str | None = None
    prise_rdv: str | None = None

    # --- our extensions ---
    categorie: Categorie = Categorie.AUTRE
    statut: Statut = Statut.ACTIF
    arrets: list[Arret] = Field(default_factory=list)
    piliers: list[Pilier] = Field(default_factory=list)
    provenance_fichier: str | None = None
    provenance_format: str | None = None
    provenance_auteur: str | None = None
    date_import: dt.datetime | None = None
    #: Optimistic-locking version, managed by the store (0 = never stored).
    version: int = 0

    @field_validator(
        "id",
        "nom",
        "commune",
        "adresse",
        "complement_adresse",
        "horaires",
        "source",
        "structure_parente",
        mode="before",
    )
    @classmethod
    def _lignes(cls, valeur: Any, info: ValidationInfo) -> Any:
        return _regle_texte(valeur, "ligne", info)

    @field_validator("presentation_resume", "presentation_detail", mode="before")
    @classmethod
    def _presentations(cls, valeur: Any, info: ValidationInfo) -> Any:
        return _regle_texte(valeur, "texte", info)

    @field_validator("fiche_acces_libre", "prise_rdv", mode="before")
    @classmethod
    def _url(cls, valeur: Any, info: ValidationInfo) -> Any:
        return _regle_texte(valeur, "url", info)

    @field_validator("site_web", mode="before")
    @classmethod
    def _sites(cls, valeurs: Any, info: ValidationInfo) -> Any:
        return _regle_liste(valeurs, "url", info)

    @field_validator("courriels", mode="before")
    @classmethod
    def _courriels(cls, valeurs: Any, info: ValidationInfo) -> Any:
        return _regle_liste(valeurs, "courriel", info)

    @field_validator("autres_formations_labels", mode="before")
    @classmethod
    def _autres_labels(cls, valeurs: Any, info: ValidationInfo) -> Any:
        return _regle_liste(valeurs, "ligne", info)

    @field_validator("provenance_fichier", "provenance_format", "provenance_auteur", mode="before")
    @classmethod
    def _provenance(cls, valeur: Any, info: ValidationInfo) -> Any:
        return _regle_texte(valeur, "provenance", info)

    @field_validator(
        "services",
        "publics_specifiquement_adresses",
        "prise_en_charge_specifique",
        "frais_a_charge",
        "dispositif_programmes_nationaux",
        "formations_labels",
        "modalites_acces",
        "modalites_accompagnement",
        "itinerance",
    )
    @classmethod
    def _enum(cls, values: list[str], info: Any) -> list[str]:
        allowed = standard.enumerations()[info.field_name]
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValueError(f"valeur(s) hors du standard : {', '.join(repr(b) for b in bad)}")
        return list(dict.fromkeys(values))

    @field_validator("typologie")
    @classmethod
    def _typologie(cls, values: list[str]) -> list[str]:
        known = standard.typologies()
        bad = [v for v in values if v not in known]
        if bad:
            raise ValueError(f"typologie inconnue : {', '.join(repr(b) for b in bad)}")
        return list(dict.fromkeys(values))

    @field_validator("telephone")
    @classmethod
    def _telephone(cls, value: str | None) -> str | None:
        if value is not None and not _TEL.fullmatch(value):
            raise ValueError(f"téléphone {value!r} pas au format E.164 attendu (+33…)")
        return value

    @field_validator("pivot")
    @classmethod
    def _pivot(cls, value: str) -> str:
        if not re.fullmatch(r"[a-zA-Z0-9]{9,14}", value):
            raise ValueError(f"pivot {value!r} : SIRET, SIREN ou RNA attendu (9 à 14 caractères)")
        return value

    @field_validator("code_postal")
    @classmethod
    def _cp(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{5}", value):
            raise ValueError(f"code postal {value!r} : cinq chiffres attendus")
        return value

    @field_validator("code_insee")
    @classmethod
    def _insee(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"([013-9]\d|2[AB1-9])\d{3}", value):
            raise ValueError(f"code INSEE {value!r} invalide")
        return value

    @field_validator("presentation_resume")
    @classmethod
    def _resume(cls, value: str | None) -> str | None:
        if value is not None and len(value) > 280:
            raise ValueError("présentation résumée de plus de 280 caractères")
        return value

    @model_validator(mode="after")
    def _coords(self) -> Acteur:
        _check_coords(self.latitude, self.longitude)
        return self

    @property
    def localise(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def mobile(self) -> bool:
        return "Itinérant" in self.itinerance or bool(self.arrets)

    def points(self) -> list[tuple[float, float]]:
        """(longitude, latitude) of every place where this actor serves: its stops, or itself."""
        pts = [(a.longitude, a.latitude) for a in self.arrets]
        if self.localise and not pts:
            assert self.latitude is not None and self.longitude is not None
            pts.append((self.longitude, self.latitude))
        return pts


class QPV(BaseModel):
    """A quartier prioritaire de la politique de la ville (2024 perimeters)."""

    model_config = ConfigDict(extra="forbid")

    code_qp: str
    lib_qp: str
    insee_com: list[str] = Field(default_factory=list)
    lib_com: list[str] = Field(default_factory=list)
    insee_dep: str | None = None
    insee_reg: str | None = None
    siren_epci: str | None = None
    population: int | None = None
    millesime: int = 2024


class Commune(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str
    nom: str
    insee_dep: str | None = None
    insee_reg: str | None = None
    population: int | None = None
    codes_postaux: list[str] = Field(default_factory=list)
    siren_epci: str | None = None


class EPCI(BaseModel):
    model_config = ConfigDict(extra="forbid")

    siren_epci: str
    nom_epci: str
    type_epci: str | None = None
    population: int | None = None
