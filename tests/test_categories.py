"""Derivation of our category from typologie, source format, name and national programmes."""

from __future__ import annotations

import pytest

from ecosysteme.domaine import standard
from ecosysteme.domaine.categories import LIBELLES, TYPOLOGIES, categorie_depuis, categorie_depuis_texte
from ecosysteme.domaine.modeles import Categorie

C = Categorie


def cat(
    typologie: list[str] | None = None,
    source_format: str | None = None,
    nom: str | None = None,
    dispositifs: list[str] | None = None,
) -> Categorie:
    return categorie_depuis(typologie or [], source_format, nom, dispositifs or [])


# --- rule 1: typologie codes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "attendu"),
    [
        ("BIB", C.MEDIATHEQUE),
        ("RELAIS_LECTURE", C.MEDIATHEQUE),
        ("EPN", C.EPN),
        ("EPI", C.EPN),
        ("ENM", C.EPN),
        ("FABLAB", C.FABLAB),
        ("FABRIQUE", C.FABLAB),
        ("TIERS_LIEUX", C.TIERS_LIEU),
        ("CCAS", C.CCAS),
        ("CIAS", C.CCAS),
        ("RFS", C.FRANCE_SERVICES),
        ("MSAP", C.FRANCE_SERVICES),
        ("CS", C.CENTRE_SOCIAL),
        ("CSC", C.CENTRE_SOCIAL),
        ("EVS", C.CENTRE_SOCIAL),
        ("MQ", C.CENTRE_SOCIAL),
        ("MDH", C.CENTRE_SOCIAL),
    ],
)
def test_regle_1_typologie(code: str, attendu: Categorie) -> None:
    assert cat([code]) == attendu
    assert cat(["MUNI", code]) == attendu
    assert cat([f" {code.lower()} "]) == attendu  # tolerant spelling of the code


def test_regle_1_codes_du_standard() -> None:
    connus = set(standard.typologies())
    for _categorie, codes in TYPOLOGIES:
        assert codes <= connus


def test_regle_1_ordre_entre_typologies() -> None:
    assert cat(["CS", "BIB"]) == C.MEDIATHEQUE
    assert cat(["CCAS", "EPN"]) == C.EPN
    assert cat(["RFS", "TIERS_LIEUX"]) == C.TIERS_LIEU
    assert cat(["CS", "RFS"]) == C.FRANCE_SERVICES
    assert cat(["FABRIQUE", "CIAS"]) == C.FABLAB


def test_regle_1_avant_les_suivantes() -> None:
    # a library typologie in the conseillers numériques file stays a médiathèque
    assert cat(["BIB"], "conseillers-numeriques") == C.MEDIATHEQUE
    assert cat(["BIB"], "france-services", "France Services de Guise", ["France Services"]) == C.MEDIATHEQUE
    assert cat(["CCAS"], None, "Médiathèque du centre") == C.CCAS
    assert cat(["EPN"], None, "Association Tremplin") == C.EPN


def test_regle_1_codes_sans_categorie() -> None:
    assert cat(["MUNI", "PIJ_BIJ"]) == C.AUTRE
    assert cat(["MUNI"], None, "Mairie") == C.AUTRE


# --- rule 2: source format ---------------------------------------------------------------


def test_regle_2_format_source() -> None:
    assert cat([], "france-services", "Bus itinérant Thiérache") == C.FRANCE_SERVICES
    assert cat([], "bibliotheques", "Point lecture de Hem") == C.MEDIATHEQUE
    assert cat([], "France_Services", "X") == C.FRANCE_SERVICES
    assert cat([], "bibliothèques", "X") == C.MEDIATHEQUE


def test_regle_2_avant_le_nom() -> None:
    # a "Médiathèque" name in the France Services file: the source wins (rule 2 before 3)
    assert cat([], "france-services", "Médiathèque de Guise") == C.FRANCE_SERVICES
    assert cat([], "bibliotheques", "Espace public numérique de la médiathèque") == C.MEDIATHEQUE
    assert cat([], "bibliotheques", "Centre social Lino Ventura") == C.MEDIATHEQUE


def test_regle_2_autres_formats_sans_effet() -> None:
    assert cat([], "standard", "Mairie") == C.AUTRE
    assert cat([], "data-inclusion", "Médiathèque") == C.MEDIATHEQUE


# --- rule 3: name keywords ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("nom", "attendu"),
    [
        ("Médiathèque Jean Macé", C.MEDIATHEQUE),
        ("MEDIATHEQUE DE MAUBEUGE", C.MEDIATHEQUE),
        ("Bibliothèque municipale", C.MEDIATHEQUE),
        ("bibliotheques de la ville", C.MEDIATHEQUE),
        ("Ludomédiathèque L'Îlot", C.MEDIATHEQUE),
        ("Ludo-médiathèque", C.MEDIATHEQUE),
        ("Espace Public Numérique de Méru", C.EPN),
        ("EPN de la Mairie", C.EPN),
        ("L'EPN", C.EPN),
        ("Cyber-base de Hem", C.EPN),
        ("Cyberbase", C.EPN),
        ("Cyber base du Boulonnais", C.EPN),
        ("Fablab d'Amiens", C.FABLAB),
        ("Le Fab Lab", C.FABLAB),
        ("FAB-LAB Sambre", C.FABLAB),
        ("Tiers-lieu La Verrerie", C.TIERS_LIEU),
        ("Tiers lieu rural", C.TIERS_LIEU),
        ("Les tiers-lieux du Vexin", C.TIERS_LIEU),
        ("Coworking Le Quai", C.TIERS_LIEU),
        ("Co-working", C.TIERS_LIEU),
        ("CCAS de Lille", C.CCAS),
        ("C.C.A.S. de Méru", C.CCAS),
        ("Centre Communal d'Action Sociale de Hem", C.CCAS),
        ("Centre communal d’action sociale", C.CCAS),
        ("CIAS du Pays de Bray", C.CCAS),
        ("Centre intercommunal d'action sociale", C.CCAS),
        ("France Services de Valserhône", C.FRANCE_SERVICES),
        ("Maison France Services", C.FRANCE_SERVICES),
        ("France-Services Guise", C.FRANCE_SERVICES),
        ("MSAP de Méru", C.FRANCE_SERVICES),
        ("Centre social Lino Ventura", C.CENTRE_SOCIAL),
        ("Centre Socio-Culturel Brassens", C.CENTRE_SOCIAL),
        ("Centre socioculturel", C.CENTRE_SOCIAL),
        ("Maison de quartier Sous-le-Bois", C.CENTRE_SOCIAL),
        ("Espace de vie sociale Les Tilleuls", C.CENTRE_SOCIAL),
    ],
)
def test_regle_3_nom(nom: str, attendu: Categorie) -> None:
    assert cat(nom=nom) == attendu


def test_regle_3_ordre_des_mots_cles() -> None:
    assert cat(nom="Espace public numérique de la médiathèque") == C.MEDIATHEQUE
    assert cat(nom="France Services du centre social") == C.FRANCE_SERVICES
    assert cat(nom="Fablab du tiers-lieu") == C.FABLAB
    assert cat(nom="EPN du CCAS") == C.EPN


def test_regle_3_avant_les_dispositifs() -> None:
    assert (
        cat([], "conseillers-numeriques", "Médiathèque de Hem", ["Conseillers numériques"]) == C.MEDIATHEQUE
    )
    assert cat([], None, "Centre social Brassens", ["France Services"]) == C.CENTRE_SOCIAL
    assert cat([], None, "Association du centre social", []) == C.CENTRE_SOCIAL


@pytest.mark.parametrize(
    "nom",
    [
        "Ccasino",
        "Casino Ccasino",
        "Le Repub",
        "Repnik",
        "Salle Cyber",
        "Fabrique à projets",
        "Labo photo",
        "Centre de loisirs",
        "Bibliothécaire en chef",
        "Maison des jeunes",
        "Francoise Services",
        "Tiers payant",
        "Lieu tiers",
        "Social club",
    ],
)
def test_regle_3_pas_de_faux_positif(nom: str) -> None:
    assert cat(nom=nom) == C.AUTRE


def test_regle_3_nom_vide() -> None:
    assert cat(nom=None) == C.AUTRE
    assert cat(nom="") == C.AUTRE


# --- rule 4: France Services programme ---------------------------------------------------


def test_regle_4_dispositif_france_services() -> None:
    assert cat([], None, "Mairie de Hem", ["France Services"]) == C.FRANCE_SERVICES
    assert cat([], None, "Mairie", ["Aidants Connect", "France Services"]) == C.FRANCE_SERVICES
    assert cat([], None, None, ["france services"]) == C.FRANCE_SERVICES


def test_regle_4_avant_la_regle_5() -> None:
    assert cat([], "conseillers-numeriques", "Mairie", ["France Services"]) == C.FRANCE_SERVICES
    assert cat([], None, "Mairie", ["Conseillers numériques", "France Services"]) == C.FRANCE_SERVICES


# --- rule 5: conseillers numériques ------------------------------------------------------


def test_regle_5_conseillers_numeriques() -> None:
    assert cat([], "conseillers-numeriques", "Mairie de Hem") == C.CONSEILLER_NUMERIQUE
    assert cat([], "Conseillers_Numériques", "Mairie de Hem") == C.CONSEILLER_NUMERIQUE
    assert cat([], None, "Mairie", ["Conseillers numériques"]) == C.CONSEILLER_NUMERIQUE
    assert cat([], "standard", "Mairie", ["Aidants Connect", "Conseillers numeriques"]) == (
        C.CONSEILLER_NUMERIQUE
    )


def test_regle_5_avant_la_regle_6() -> None:
    assert cat(["ASSO"], "conseillers-numeriques", "Association Tremplin") == C.CONSEILLER_NUMERIQUE
    assert cat([], None, "Association Tremplin", ["Conseillers numériques"]) == C.CONSEILLER_NUMERIQUE


# --- rule 6: associations ----------------------------------------------------------------


def test_regle_6_association() -> None:
    assert cat(["ASSO"]) == C.ASSOCIATION
    assert cat(["ASSO_CHOMEUR"], None, "Solidarité emploi") == C.ASSOCIATION
    assert cat([], None, "Association Tremplin") == C.ASSOCIATION
    assert cat([], None, "Les Compagnons, association d'entraide") == C.ASSOCIATION
    assert cat(["MUNI"], "standard", "ASSOCIATIONS RÉUNIES") == C.ASSOCIATION
    assert cat([], None, "Associatif du Nord") == C.AUTRE


# --- rule 7: other -----------------------------------------------------------------------


def test_regle_7_autre() -> None:
    assert cat() == C.AUTRE
    assert cat(["MUNI"], "standard", "Mairie de Méru", ["Aidants Connect"]) == C.AUTRE


# --- labels and user text ----------------------------------------------------------------


def test_libelles_complets() -> None:
    assert set(LIBELLES) == set(Categorie)
    assert LIBELLES[C.EPN] == "Espace public numérique (EPN)"
    assert len(set(LIBELLES.values())) == len(LIBELLES)


@pytest.mark.parametrize("categorie", list(Categorie))
def test_texte_valeurs_noms_libelles(categorie: Categorie) -> None:
    assert categorie_depuis_texte(categorie.value) == categorie
    assert categorie_depuis_texte(categorie.name) == categorie
    assert categorie_depuis_texte(LIBELLES[categorie]) == categorie
    assert categorie_depuis_texte(f"  {LIBELLES[categorie].upper()} ") == categorie


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("mediatheque", C.MEDIATHEQUE),
        ("MÉDIATHÈQUE", C.MEDIATHEQUE),
        ("Bibliothèque", C.MEDIATHEQUE),
        ("epn", C.EPN),
        ("Espace public numérique", C.EPN),
        ("Cyber-base", C.EPN),
        ("fab lab", C.FABLAB),
        ("tiers lieu", C.TIERS_LIEU),
        ("Tiers-lieux", C.TIERS_LIEU),
        ("tiers_lieu", C.TIERS_LIEU),
        ("centre communal d'action sociale", C.CCAS),
        ("CIAS", C.CCAS),
        ("france services", C.FRANCE_SERVICES),
        ("France-Services", C.FRANCE_SERVICES),
        ("centre socio-culturel", C.CENTRE_SOCIAL),
        ("Centres sociaux", C.CENTRE_SOCIAL),
        ("conseiller numerique", C.CONSEILLER_NUMERIQUE),
        ("Conseillers numériques", C.CONSEILLER_NUMERIQUE),
        ("CONSEILLER_NUMERIQUE", C.CONSEILLER_NUMERIQUE),
        ("associations", C.ASSOCIATION),
        ("autre", C.AUTRE),
    ],
)
def test_texte_variantes(texte: str, attendu: Categorie) -> None:
    assert categorie_depuis_texte(texte) == attendu


@pytest.mark.parametrize("texte", [None, "", "   ", "Mairie", "Médiathèque de Hem", "Ccasino", "EPN ou CCAS"])
def test_texte_inconnu(texte: str | None) -> None:
    assert categorie_depuis_texte(texte) is None
