"""French labels of the actors' fields, as the sheets, the inventory and the exports show them."""

from __future__ import annotations

#: Fields of an actor sheet, in order, with their French labels.
CHAMPS_FICHE: tuple[tuple[str, str], ...] = (
    ("categorie", "Catégorie"),
    ("typologie", "Typologie"),
    ("adresse", "Adresse"),
    ("complement_adresse", "Complément d'adresse"),
    ("code_postal", "Code postal"),
    ("commune", "Commune"),
    ("horaires", "Horaires (OSM)"),
    ("services", "Services"),
    ("publics_specifiquement_adresses", "Publics spécifiquement adressés"),
    ("prise_en_charge_specifique", "Prise en charge spécifique"),
    ("frais_a_charge", "Frais à charge"),
    ("modalites_acces", "Modalités d'accès"),
    ("modalites_accompagnement", "Modalités d'accompagnement"),
    ("dispositif_programmes_nationaux", "Programmes nationaux"),
    ("formations_labels", "Formations et labels"),
    ("telephone", "Téléphone"),
    ("courriels", "Courriels"),
    ("site_web", "Site web"),
    ("prise_rdv", "Prise de rendez-vous"),
    ("presentation_resume", "Présentation"),
    ("structure_parente", "Structure parente"),
    ("pivot", "SIRET / RNA"),
    ("source", "Source"),
    ("statut", "Statut"),
    ("id", "Identifiant"),
)
