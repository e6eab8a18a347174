"""Page « Scénarios » : what if a site opened, an actor closed, hours changed? Coverage before and
after, QPV gaining or losing, scenarios saved by name, reloaded and compared side by side. The
stored inventory is never changed by a scenario."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ecosysteme.analyse.couverture import Parametres, filtre, tous_les_filtres
from ecosysteme.analyse.scenarios import Scenario, SiteHypothetique, comparer, comparer_scenarios
from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine import reglages, standard
from ecosysteme.domaine.erreurs import ErreurEcosysteme
from ecosysteme.domaine.modeles import Categorie
from ecosysteme.domaine.reglages import LIBELLE_DISTANCE
from ecosysteme.domaine.semaine import erreur_osm
from ecosysteme.ui import donnees
from ecosysteme.ui.texte import md
from ecosysteme.ui.widgets.entete import entete

CLE = "scenario_"
COLONNES_SITES = ("nom", "latitude", "longitude", "categorie", "horaires")


def afficher() -> None:
    e = entete(
        "Scénarios",
        "Et si un lieu ouvrait, si un acteur fermait, si des horaires changeaient ? La couverture des "
        "quartiers avant et après, sans jamais modifier l'inventaire enregistré.",
        auteur=True,
    )
    if e is None:
        return
    data, vue, auteur = e
    message = st.session_state.pop(CLE + "message", None)
    if message:
        st.success(md(message))
    enregistres = _enregistres()
    choix = st.selectbox(
        "Partir d'un scénario enregistré",
        ["(nouveau)", *enregistres],
        key=CLE + "charger",
    )
    base = enregistres.get(choix) if choix != "(nouveau)" else None
    scenario = _formulaire(base, vue.acteurs)
    seuil = st.select_slider(
        LIBELLE_DISTANCE,
        list(reglages.DISTANCES_PROPOSEES),
        value=int(reglages.DISTANCE_MARCHE),
        key=CLE + "seuil",
    )
    filtres = st.multiselect(
        "Offres à comparer",
        [f.cle for f in tous_les_filtres()],
        default=["tous", "service:Aide aux démarches administratives"],
        format_func=lambda c: filtre(c).libelle,
        key=CLE + "filtres",
        placeholder="Choisir…",
    )
    if not filtres:
        st.info("Choisissez au moins une offre à comparer.")
        return
    p = Parametres(seuil=float(seuil), filtres=tuple(filtre(c) for c in filtres))
    if scenario is None:
        return
    try:
        c = comparer(vue.qpv, data.acteurs, scenario, p)
    except ErreurEcosysteme as exc:
        st.error(md(exc.message))
        return
    _resultats(c.epci, c.qpv, vue.qpv, vue.selection.siren)
    c1, c2 = st.columns(2)
    if c1.button("Enregistrer ce scénario", key=CLE + "enregistrer", type="primary"):
        try:
            with ouvrir_depot(donnees.adresse()) as depot:
                depot.enregistrer_scenario(scenario.nom, scenario.en_json(), auteur)
        except ErreurEcosysteme as exc:
            st.error(md(exc.message))
        else:
            st.session_state[CLE + "message"] = (
                f"Scénario « {scenario.nom} » enregistré (l'inventaire n'a pas changé)."
            )
            st.rerun()
    st.markdown("#### Comparer des scénarios enregistrés")
    noms = st.multiselect("Scénarios", list(enregistres), key=CLE + "comparer", placeholder="Choisir…")
    if noms:
        try:
            t = comparer_scenarios(vue.qpv, data.acteurs, [enregistres[n] for n in noms], p)
        except ErreurEcosysteme as exc:
            st.error(md(exc.message))
        else:
            t["filtre"] = [filtre(c).libelle for c in t["filtre"]]
            st.caption("Habitants des QPV du territoire ayant l'offre à portée.")
            st.dataframe(t.rename(columns={"filtre": "offre"}), hide_index=True, width="stretch")


def _enregistres() -> dict[str, Scenario]:
    with ouvrir_depot(donnees.adresse()) as depot:
        return {nom: Scenario.depuis_json(contenu) for nom, contenu, _, _ in depot.scenarios()}


def _formulaire(base: Scenario | None, acteurs: pd.DataFrame) -> Scenario | None:
    """The scenario being edited (None with a message while it is incomplete)."""
    k = CLE + (base.nom if base else "nouveau") + "_"
    nom = st.text_input("Nom du scénario", value=base.nom if base else "", key=k + "nom")
    st.markdown("##### Sites ajoutés")
    depart = pd.DataFrame(
        [{c: getattr(s, c) for c in COLONNES_SITES} for s in (base.ajouts if base else ())],
        columns=list(COLONNES_SITES),
    ).astype({"latitude": float, "longitude": float})
    sites = st.data_editor(
        depart,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=k + "sites",
        column_config={
            "nom": st.column_config.TextColumn("Nom", required=True),
            "latitude": st.column_config.NumberColumn("Latitude", format="%.6f"),
            "longitude": st.column_config.NumberColumn("Longitude", format="%.6f"),
            "categorie": st.column_config.SelectboxColumn(
                "Catégorie", options=[c.value for c in Categorie], default=Categorie.TIERS_LIEU.value
            ),
            "horaires": st.column_config.TextColumn("Horaires (OSM)"),
        },
    )
    services = st.multiselect(
        "Services offerts par les sites ajoutés",
        list(standard.enumerations()["services"]),
        default=list(base.ajouts[0].services) if base and base.ajouts else [],
        key=k + "services",
        placeholder="Choisir…",
    )
    noms = dict(zip(acteurs["id"].astype(str), acteurs["nom"].astype(str), strict=True))
    fermes = st.multiselect(
        "Acteurs fermés dans ce scénario",
        sorted(noms, key=lambda i: noms[i].lower()),
        default=[i for i in (base.fermetures if base else ()) if i in noms],
        format_func=lambda i: f"{noms[i]} ({i})",
        key=k + "fermes",
        placeholder="Choisir…",
    )
    etiquettes = {f"{noms[i]} ({i})": i for i in noms}
    h_depart = pd.DataFrame(
        [{"acteur": f"{noms.get(i, i)} ({i})", "horaires": h} for i, h in (base.horaires if base else ())],
        columns=["acteur", "horaires"],
    )
    st.markdown("##### Horaires changés")
    horaires_t = st.data_editor(
        h_depart,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=k + "horaires",
        column_config={
            "acteur": st.column_config.SelectboxColumn("Acteur", options=sorted(etiquettes), required=True),
            "horaires": st.column_config.TextColumn("Nouveaux horaires (OSM, vide : inconnus)"),
        },
    )
    horaires: list[tuple[str, str | None]] = []
    for _, r in horaires_t.iterrows():
        if pd.isna(r["acteur"]) or r["acteur"] not in etiquettes:
            continue
        texte = (
            None if pd.isna(r["horaires"]) or not str(r["horaires"]).strip() else str(r["horaires"]).strip()
        )
        probleme = erreur_osm(texte) if texte else None
        if probleme:
            st.warning(md(f"{r['acteur']} : {probleme} ; horaires comptés comme inconnus."))
        horaires.append((etiquettes[r["acteur"]], texte))
    if not nom.strip():
        st.info("Donnez un nom au scénario pour voir son effet.")
        return None
    ajouts: list[SiteHypothetique] = []
    for i, r in sites.iterrows():
        if pd.isna(r["latitude"]) or pd.isna(r["longitude"]) or not str(r["nom"] or "").strip():
            st.warning(
                f"Site ajouté n° {int(str(i)) + 1} : nom, latitude et longitude sont nécessaires ; ignoré."
            )
            continue
        ajouts.append(
            SiteHypothetique(
                nom=str(r["nom"]).strip(),
                longitude=float(r["longitude"]),
                latitude=float(r["latitude"]),
                categorie=str(r["categorie"] or Categorie.TIERS_LIEU.value),
                services=tuple(services),
                horaires=(str(r["horaires"]).strip() or None) if not pd.isna(r["horaires"]) else None,
            )
        )
    return Scenario(nom=nom.strip(), ajouts=tuple(ajouts), fermetures=tuple(fermes), horaires=tuple(horaires))


def _resultats(epci: pd.DataFrame, qpv_t: pd.DataFrame, qpv: Any, siren: str | None) -> None:
    e = epci if siren is None else epci[epci["siren_epci"] == siren]
    e = e.assign(offre=[filtre(c).libelle for c in e["filtre"]])
    st.markdown("##### Habitants des QPV ayant l'offre à portée")
    st.dataframe(
        e[
            [
                "siren_epci",
                "offre",
                "population_qpv",
                "population_couverte_avant",
                "population_couverte_apres",
                "difference",
            ]
        ].rename(
            columns={
                "siren_epci": "EPCI",
                "population_qpv": "habitants des QPV",
                "population_couverte_avant": "couverts aujourd'hui",
                "population_couverte_apres": "couverts dans le scénario",
                "difference": "différence",
            }
        ),
        hide_index=True,
        width="stretch",
    )
    changes = qpv_t[qpv_t["changement"] != "="]
    noms = dict(zip(qpv["code_qp"], qpv.get("lib_qp", qpv["code_qp"]), strict=True))
    if changes.empty:
        st.info("Aucun quartier ne gagne ni ne perd l'offre à portée dans ce scénario.")
        return
    st.markdown("##### Quartiers qui gagnent ou perdent l'offre")
    st.dataframe(
        pd.DataFrame(
            {
                "QPV": [noms.get(c, c) for c in changes["code_qp"]],
                "code": changes["code_qp"],
                "offre": [filtre(c).libelle for c in changes["filtre"]],
                "changement": changes["changement"],
                "distance avant (m)": changes["distance_m_avant"].round(0),
                "distance après (m)": changes["distance_m_apres"].round(0),
            }
        ),
        hide_index=True,
        width="stretch",
    )
