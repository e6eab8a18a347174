"""What-if scenarios: add hypothetical sites, close actors, change opening hours, and compare the
coverage before and after (pure; DESIGN §5). A scenario never touches the stored inventory: it is
applied to a copy of the actors' table, and saved apart (``Depot.enregistrer_scenario``) as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pydantic import ValidationError

from ecosysteme.analyse.couverture import Parametres, couverture
from ecosysteme.analyse.lacunes import resume_couverture
from ecosysteme.domaine.erreurs import DonneeInvalide
from ecosysteme.domaine.modeles import Acteur, Categorie, Statut
from ecosysteme.domaine.validation import en_france


@dataclass(frozen=True)
class SiteHypothetique:
    """A site that does not exist yet (a planned lieu totem, a partner's project…)."""

    nom: str
    longitude: float
    latitude: float
    categorie: str = Categorie.TIERS_LIEU.value
    services: tuple[str, ...] = ()
    publics_specifiquement_adresses: tuple[str, ...] = ()
    frais_a_charge: tuple[str, ...] = ()
    horaires: str | None = None


@dataclass(frozen=True)
class Scenario:
    """Changes to the inventory, applied to a copy only."""

    nom: str
    ajouts: tuple[SiteHypothetique, ...] = ()
    #: Identifiers of actors closed in the scenario.
    fermetures: tuple[str, ...] = ()
    #: (actor id, new OSM opening hours or None for unknown).
    horaires: tuple[tuple[str, str | None], ...] = field(default=())

    def en_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def depuis_json(cls, texte: str) -> Scenario:
        d = json.loads(texte)
        return cls(
            nom=str(d["nom"]),
            ajouts=tuple(
                SiteHypothetique(**{**a, **{k: tuple(v) for k, v in a.items() if isinstance(v, list)}})
                for a in d.get("ajouts", [])
            ),
            fermetures=tuple(d.get("fermetures", [])),
            horaires=tuple((str(i), h) for i, h in d.get("horaires", [])),
        )


def _acteur_hypothetique(k: int, site: SiteHypothetique) -> Acteur:
    ou = f"site hypothétique n° {k} « {site.nom} »"
    if not en_france(site.longitude, site.latitude):
        raise DonneeInvalide(f"{ou} : le point ({site.latitude}, {site.longitude}) n'est pas en France.")
    try:
        return Acteur(
            id=f"scenario-{k}",
            nom=site.nom,
            longitude=site.longitude,
            latitude=site.latitude,
            categorie=Categorie(site.categorie),
            services=list(site.services),
            publics_specifiquement_adresses=list(site.publics_specifiquement_adresses),
            frais_a_charge=list(site.frais_a_charge),
            horaires=site.horaires,
            source="scénario",
            statut=Statut.ACTIF,
        )
    except (ValidationError, ValueError) as exc:
        raise DonneeInvalide(f"{ou} : {exc}") from exc


def appliquer(acteurs: gpd.GeoDataFrame, scenario: Scenario) -> gpd.GeoDataFrame:
    """A copy of the actors with the scenario applied (the input is never modified). An unknown
    identifier in the closures or hours changes is refused with a French message."""
    out = acteurs.copy()
    ids = out["id"].astype(str)
    for quoi, liste in (("fermeture", scenario.fermetures), ("horaires", [i for i, _ in scenario.horaires])):
        inconnus = sorted(set(liste) - set(ids))
        if inconnus:
            raise DonneeInvalide(
                f"scénario « {scenario.nom} », {quoi} : acteur(s) inconnu(s) {', '.join(inconnus[:5])}."
            )
    if scenario.fermetures:
        out.loc[ids.isin(scenario.fermetures).to_numpy(), "statut"] = Statut.FERME.value
    for ident, horaires in scenario.horaires:
        out.loc[(ids == ident).to_numpy(), "horaires"] = horaires
    if scenario.ajouts:
        nouveaux = [
            _acteur_hypothetique(k, s).model_dump(mode="json") for k, s in enumerate(scenario.ajouts, 1)
        ]
        cadre = gpd.GeoDataFrame(
            pd.DataFrame(nouveaux),
            geometry=gpd.points_from_xy(
                [n["longitude"] for n in nouveaux], [n["latitude"] for n in nouveaux]
            ),
            crs=4326,
        )
        out = gpd.GeoDataFrame(
            pd.concat([out, cadre], ignore_index=True), geometry=out.geometry.name, crs=4326
        )
    return out


@dataclass(frozen=True)
class Comparaison:
    """Coverage before and after a scenario."""

    #: One row per (code_qp, filtre): distance and covered before / after, and the change
    #: (« gagne », « perd », « = »).
    qpv: pd.DataFrame
    #: Per EPCI and filter: residents covered before / after and the difference.
    epci: pd.DataFrame


def comparer(
    qpv: gpd.GeoDataFrame, acteurs: gpd.GeoDataFrame, scenario: Scenario, parametres: Parametres
) -> Comparaison:
    """Coverage of the stored inventory and of the scenario, side by side."""
    modifies = appliquer(acteurs, scenario)
    avant = couverture(qpv, acteurs, parametres)
    apres = couverture(qpv, modifies, parametres)
    cles = ["code_qp", "filtre"]
    t = avant[[*cles, "distance_m", "couvert"]].merge(
        apres[[*cles, "distance_m", "couvert"]], on=cles, suffixes=("_avant", "_apres")
    )
    t["changement"] = np.select(
        [t["couvert_apres"] & ~t["couvert_avant"], t["couvert_avant"] & ~t["couvert_apres"]],
        ["gagne", "perd"],
        default="=",
    )
    r_avant = resume_couverture(avant, qpv, acteurs, parametres)
    r_apres = resume_couverture(apres, qpv, modifies, parametres)
    g = ["siren_epci", "filtre"]
    e = r_avant[[*g, "population_qpv", "population_couverte"]].merge(
        r_apres[[*g, "population_couverte"]], on=g, suffixes=("_avant", "_apres")
    )
    e["difference"] = e["population_couverte_apres"] - e["population_couverte_avant"]
    return Comparaison(t, e)


def comparer_scenarios(
    qpv: gpd.GeoDataFrame,
    acteurs: gpd.GeoDataFrame,
    scenarios: Sequence[Scenario],
    parametres: Parametres,
) -> pd.DataFrame:
    """Residents covered per filter: the inventory as stored, then one column per scenario."""
    pop = qpv.set_index("code_qp")["population"] if "population" in qpv.columns else None

    def habitants(acts: gpd.GeoDataFrame) -> pd.Series:
        c = couverture(qpv, acts, parametres)
        p = c["code_qp"].map(pop) if pop is not None else pd.Series(np.nan, index=c.index)
        return p.where(c["couvert"], 0).groupby(c["filtre"]).sum(min_count=1)

    colonnes: dict[str, pd.Series] = {"inventaire actuel": habitants(acteurs)}
    noms = [s.nom for s in scenarios]
    if len(set(noms)) != len(noms):
        raise DonneeInvalide("deux scénarios portent le même nom : renommez-en un pour les comparer.")
    for s in scenarios:
        colonnes[s.nom] = habitants(appliquer(acteurs, s))
    ordre = [f.cle for f in parametres.filtres]
    return pd.DataFrame(colonnes).reindex(ordre).rename_axis("filtre").reset_index()


def scenario_depuis(valeurs: Mapping[str, Any]) -> Scenario:
    """A scenario from plain values (a form, a JSON file), checked."""
    nom = " ".join(str(valeurs.get("nom", "")).split())
    if not nom:
        raise DonneeInvalide("un scénario doit avoir un nom.")
    return Scenario.depuis_json(json.dumps({**valeurs, "nom": nom}))
