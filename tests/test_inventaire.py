"""The inventory table and the actor forms' checking (pure functions, hand-made cases)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from ecosysteme.domaine.modeles import Acteur, Categorie, Statut
from ecosysteme.inventaire.tableau import (
    ErreursFormulaire,
    FiltresInventaire,
    acteur_depuis_formulaire,
    compter_fraicheur,
    differences,
    tableau,
)

AUJOURDHUI = dt.date(2026, 11, 26)
AIDE = "Aide aux démarches administratives"


def table() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": "a",
                "nom": "Médiathèque Émile Zola",
                "categorie": "Médiathèque",
                "commune": "Hem",
                "adresse": "1 rue de la Gare",
                "statut": "actif",
                "date_maj": dt.date(2026, 9, 1),
                "services": [AIDE],
                "provenance_format": "bibliotheques",
                "version": 3,
                "epci_geo": "200093201",
            },
            {
                "id": "b",
                "nom": "CCAS de Hem",
                "categorie": "CCAS",
                "commune": "Hem",
                "statut": "fermé",
                "date_maj": dt.date(2024, 1, 5),
                "services": [],
                "source": "saisie",
                "version": 1,
            },
            {
                "id": "c",
                "nom": "Espace numérique",
                "categorie": "EPN",
                "commune": "Roubaix",
                "statut": "actif",
                "date_maj": None,
                "services": [AIDE, "Accès internet et matériel informatique"],
                "version": 2,
            },
        ]
    )


def test_tableau_colonnes_tri_et_fraicheur() -> None:
    t = tableau(table(), FiltresInventaire(), AUJOURDHUI)
    assert list(t["nom"]) == ["CCAS de Hem", "Espace numérique", "Médiathèque Émile Zola"]
    assert list(t["fraicheur"]) == ["18 mois ou plus", "inconnue", "moins de 6 mois"]
    assert list(t["source"]) == ["saisie", "saisie", "bibliotheques"]
    assert compter_fraicheur(t) == {
        "moins de 6 mois": 1,
        "6 à 12 mois": 0,
        "12 à 18 mois": 0,
        "18 mois ou plus": 1,
        "inconnue": 1,
    }


@pytest.mark.parametrize(
    ("filtres", "attendus"),
    [
        (FiltresInventaire(texte="emile ZOLA"), {"a"}),  # accents and case ignored
        (FiltresInventaire(texte="gare hem"), {"a"}),  # every word, anywhere (address, commune)
        (FiltresInventaire(categories=("CCAS", "EPN")), {"b", "c"}),
        (FiltresInventaire(services=(AIDE,)), {"a", "c"}),
        (FiltresInventaire(fraicheurs=("inconnue",)), {"c"}),
        (FiltresInventaire(sources=("bibliotheques",)), {"a"}),
        (FiltresInventaire(statuts=("fermé",)), {"b"}),
        (FiltresInventaire(epci=("200093201",)), {"a"}),
        (FiltresInventaire(categories=("EPN",), texte="hem"), set()),
    ],
)
def test_filtres(filtres: FiltresInventaire, attendus: set[str]) -> None:
    assert set(tableau(table(), filtres, AUJOURDHUI)["id"]) == attendus


def valeurs(**champs: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "nom": "  Espace France Services de Hem ",
        "categorie": "France Services",
        "adresse": "2 place de la République",
        "code_postal": "59510",
        "commune": "Hem",
        "latitude": "50,6553",
        "longitude": "3.1880",
        "telephone": "03 20 00 00 00",
        "courriels": "contact@hem.fr\naccueil@hem.fr",
        "site_web": "https://www.ville-hem.fr",
        "horaires": "Mo-Fr 09:00-12:00,14:00-17:30",
        "services": [AIDE],
        "arrets": [],
    }
    base.update(champs)
    return base


def test_un_acteur_valide() -> None:
    a = acteur_depuis_formulaire(valeurs(), None, AUJOURDHUI, "alice")
    assert a.nom == "Espace France Services de Hem"
    assert a.id.startswith("saisie-") and a.version == 0
    assert a.categorie == Categorie.FRANCE_SERVICES
    assert (a.latitude, a.longitude) == (50.6553, 3.188)
    assert a.telephone == "+33320000000"
    assert a.courriels == ["contact@hem.fr", "accueil@hem.fr"]
    assert a.date_maj == AUJOURDHUI and a.source == "saisie" and a.provenance_auteur == "alice"


def test_modifier_garde_l_identifiant_et_la_version_lue() -> None:
    base = Acteur(id="x1", nom="Ancien", version=4, latitude=50.0, longitude=3.0, statut=Statut.FERME)
    a = acteur_depuis_formulaire({"nom": "Nouveau", "courriels": ""}, base, AUJOURDHUI, "bob")
    assert (a.id, a.version, a.nom, a.statut) == ("x1", 4, "Nouveau", Statut.FERME)
    assert (a.latitude, a.longitude) == (50.0, 3.0)


@pytest.mark.parametrize(
    ("champs", "champ", "morceau"),
    [
        ({"nom": "   "}, "nom", "obligatoire"),
        ({"latitude": "cinquante"}, "latitude", "n'est pas un nombre"),
        ({"longitude": ""}, "longitude", "vont ensemble"),
        ({"latitude": "95", "longitude": "3"}, "latitude", "hors de [-90, 90]"),
        ({"latitude": "3.188", "longitude": "50.6553"}, "latitude", "inversées"),
        ({"courriels": "contact@hem"}, "courriels", "contact@hem"),
        ({"site_web": "www.hem.fr"}, "site_web", "https://"),
        ({"horaires": "Mo-Fr 9h à 12h"}, "horaires", "opening_hours"),
        ({"telephone": "12"}, "telephone", "non reconnu"),
        ({"code_postal": "59A10"}, "code_postal", "code postal"),
        ({"presentation_resume": "x" * 300}, "presentation_resume", "280"),
        ({"arrets": [{"nom": "", "latitude": 50.6, "longitude": None}]}, "arrets", "arrêt n° 1"),
        (
            {"arrets": [{"nom": "Place", "latitude": 50.6, "longitude": 3.1, "horaires": "demain"}]},
            "arrets",
            "n° 1",
        ),
    ],
)
def test_chaque_champ_faux_a_son_message(champs: dict[str, Any], champ: str, morceau: str) -> None:
    with pytest.raises(ErreursFormulaire) as exc:
        acteur_depuis_formulaire(valeurs(**champs), None, AUJOURDHUI, "alice")
    assert champ in exc.value.erreurs, exc.value.erreurs
    assert morceau in exc.value.erreurs[champ]
    assert "Rien n'a été enregistré" in exc.value.message


def test_toutes_les_erreurs_ensemble() -> None:
    with pytest.raises(ErreursFormulaire) as exc:
        acteur_depuis_formulaire(valeurs(nom="", courriels="x", site_web="y"), None, AUJOURDHUI, "alice")
    assert set(exc.value.erreurs) == {"nom", "courriels", "site_web"}


def test_service_itinerant_et_ses_arrets() -> None:
    arrets = [
        {
            "nom": "Marché",
            "adresse": None,
            "commune": "Hem",
            "latitude": 50.65,
            "longitude": 3.18,
            "horaires": "We 08:00-12:00",
        },
        {"nom": "Mairie annexe", "latitude": "50,66", "longitude": "3.19", "horaires": ""},
    ]
    a = acteur_depuis_formulaire(valeurs(arrets=arrets), None, AUJOURDHUI, "alice")
    assert [s.nom for s in a.arrets] == ["Marché", "Mairie annexe"]
    assert a.arrets[1].latitude == 50.66 and a.arrets[1].horaires is None


def test_differences_champ_par_champ() -> None:
    d = differences(
        {"nom": "A", "services": [AIDE], "version": 1}, {"nom": "B", "services": [AIDE], "version": 2}
    )
    assert d.to_dict("records") == [{"champ": "Nom", "avant": "A", "après": "B"}]
    assert differences(None, {"nom": "A"}).to_dict("records") == [{"champ": "Nom", "avant": "", "après": "A"}]
