"""Page « Import » : the import wizard, in six steps, nothing written before the last one.

1. « Fichier » : the upload, checked and written into a private temporary folder
   (:mod:`ecosysteme.sources.televersement`: size, ZIP guard, a shapefile layer);
2. « Lecture » : type recognised from the content, encoding, separator, rows, columns, and the
   format (one of the importers') or « format libre »;
3. « Correspondance des colonnes » (free format only): one choice per field of the standard,
   prefilled with the mapping remembered for this source or with suggestions
   (:mod:`ecosysteme.sources.correspondance`);
4. « Aperçu » : the first rows as actors and every row's problems (row, field, message);
5. « Simulation » : ``importer_fichier(..., simulation=True)`` and, against the store read
   only, how many actors would be created, updated or left unchanged;
6. « Import » : one batch, in one transaction, which « Annuler cet import » undoes as a whole.
   Past batches are listed below with their own undo.

Only actors are imported here: a batch of actors can be undone, a territory layer (QPV,
communes, EPCI, populations) is replaced as a whole and is loaded with ``ecosysteme importer``.

The steps' logic is in :mod:`ecosysteme.inventaire.assistant` (no Streamlit: :func:`lire`,
:func:`preparer`, :func:`bilan`, :func:`importer`); :func:`afficher` draws. The session keeps only
what the page shows (the file's columns and counts, the first actors, the report); each step
reads the file again, in a child process for a large upload, so that the server gives its memory
back. Caches of the other pages are keyed on the store's modification time
(:func:`ecosysteme.ui.donnees.signature`): an import or an undo changes it, so nothing needs
clearing here.

Streamlit's own upload widget refuses in English: it is given no type list and a size limit
above ours (:data:`TAILLE_NAVIGATEUR_MO`), and our code refuses in French (the extension,
:func:`ecosysteme.sources.televersement.refus_extension`; the size,
:func:`ecosysteme.sources.televersement.recevoir`).
Only a file over :data:`TAILLE_NAVIGATEUR_MO` still gets the widget's English message.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from ecosysteme.depot import ouvrir_depot
from ecosysteme.domaine.erreurs import EcosystemeError
from ecosysteme.inventaire import assistant
from ecosysteme.inventaire.assistant import (
    APERCU_LIGNES,
    FORMAT_LIBRE,
    LIBELLES_FORMATS,
    Bilan,
    Lecture,
    Preparation,
    bilan,
    importer,
    lire,
    preparer,
    simuler,
)
from ecosysteme.sources import correspondance as corr
from ecosysteme.sources import televersement as tv
from ecosysteme.sources.lecture import NOMS_TYPES
from ecosysteme.ui import donnees
from ecosysteme.ui.editeur import nom_editeur
from ecosysteme.ui.texte import md

log = logging.getLogger(__name__)

#: Environment variable naming the folder of the private upload folders (default: the system's
#: temporary folder / ``ecosysteme-televersements-<uid>``).
ENV_TELEVERSEMENTS = "ECOSYSTEME_TELEVERSEMENTS"
#: Problems listed at most.
PROBLEMES_MAX = 1000
AUCUNE = "— aucune colonne —"
#: The upload widget's own limit (Mo), above ours (``tv.TAILLE_MAX``): between the two, our code
#: refuses in French; Streamlit's server accepts 200 Mo by default (``server.maxUploadSize``).
TAILLE_NAVIGATEUR_MO = 2 * tv.TAILLE_MAX // tv.MIO

__all__ = [
    "APERCU_LIGNES",
    "AUCUNE",
    "ENV_TELEVERSEMENTS",
    "FORMAT_LIBRE",
    "LIBELLES_FORMATS",
    "Bilan",
    "Lecture",
    "Preparation",
    "afficher",
    "bilan",
    "importer",
    "lire",
    "preparer",
    "simuler",
]
_TYPES = NOMS_TYPES
_ENCODAGES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (avec BOM)",
    "cp1252": "Windows-1252 (cp1252)",
    "latin_1": "ISO-8859-1 (Latin-1)",
}
_COLONNES_APERCU = (
    "id",
    "nom",
    "adresse",
    "code_postal",
    "commune",
    "latitude",
    "longitude",
    "categorie",
    "services",
    "telephone",
    "horaires",
)

# session_state keys
_LECTURE = "import_lecture"
_PREPARATION = "import_preparation"
_SIMULATION = "import_simulation"
_FAIT = "import_fait"
_MESSAGE = "import_message"


# --------------------------------------------------------------------------------------------
# Logic (no Streamlit)
# --------------------------------------------------------------------------------------------


def dossier_televersements() -> Path:
    """Where each upload gets its private temporary folder (one per system user by default)."""
    env = os.environ.get(ENV_TELEVERSEMENTS)
    if env:
        return Path(env)
    uid = getattr(os, "getuid", None)
    suffixe = f"-{uid()}" if uid is not None else ""
    return Path(tempfile.gettempdir()) / f"ecosysteme-televersements{suffixe}"


def nom_source(nom_fichier: str) -> str:
    """The default source name: the file's name without its extension."""
    nom = PurePosixPath(nom_fichier)
    return nom.stem if nom.suffix else nom.name


# --------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------


def _erreur(exc: EcosystemeError) -> None:
    st.error(md(str(exc)))


def afficher() -> None:
    st.title("Importer des acteurs")
    st.caption(
        "Six étapes : fichier, lecture, correspondance des colonnes, aperçu, simulation, import. "
        "Rien n'est enregistré avant la dernière ; un import s'annule en entier."
    )
    auteur = nom_editeur()
    message = st.session_state.pop(_MESSAGE, None)
    if message is not None:
        genre, texte = message
        (st.success if genre == "succes" else st.error)(md(texte))
    st.subheader("1. Fichier")
    # no type list and a limit above ours: the refusals are ours, in French (see the module)
    envoi = st.file_uploader(
        "Fichier à importer",
        max_upload_size=TAILLE_NAVIGATEUR_MO,
        key="import_fichier",
        help="Le format est reconnu d'après le contenu, pas d'après le nom du fichier.",
    )
    st.caption(
        "CSV, XLSX, JSON ou GeoJSON (dont le standard national des lieux de médiation numérique), "
        f"GeoPackage, shapefile zippé (une seule couche) ; {tv.TAILLE_MAX // tv.MIO} Mo au plus, "
        f"{tv.DECOMPRESSE_MAX // tv.MIO} Mo une fois décompressé."
    )
    if envoi is None:
        for cle in (_LECTURE, _PREPARATION, _SIMULATION):
            st.session_state.pop(cle, None)
    else:
        _assistant(envoi.getvalue(), envoi.name, auteur)
    _lots_passes(auteur)


def _assistant(contenu: bytes, nom_client: str, auteur: str) -> None:
    dossier = dossier_televersements()
    tv.purger(dossier)
    try:
        tv.verifier_extension(nom_client)
        tel = tv.recevoir(contenu, nom_client, dossier)
    except EcosystemeError as exc:
        log.info("import refusé : %s", exc)
        _erreur(exc)
        return
    del contenu  # on disk now: the steps read the file
    try:
        _etapes(tel, auteur)
    except EcosystemeError as exc:
        log.info("import refusé : %s", exc)
        _erreur(exc)
    finally:
        tv.nettoyer(tel)


T = TypeVar("T")


def _executer(tel: tv.Televersement, fonction: Callable[..., T], *args: Any) -> T:
    """One step of the wizard: in a child process for a large upload (the server gives its
    memory back when the step is done), here otherwise."""
    if assistant.a_isoler(tel):
        return assistant.executer(fonction, tel, *args)
    return fonction(tel, *args)


def _etapes(tel: tv.Televersement, auteur: str) -> None:
    st.subheader("2. Lecture")
    lecture = _lecture(tel)
    _montrer_lecture(tel, lecture)
    if not lecture.acteurs:
        assert lecture.format is not None
        st.info(
            f"« {md(tel.nom)} » contient des {LIBELLES_FORMATS.get(lecture.format, lecture.format)}. "
            "Cette page importe des acteurs (un import d'acteurs s'annule en entier) ; les territoires "
            "remplacent toute leur couche et se chargent avec la commande « ecosysteme importer FICHIER »."
        )
        return
    correspondance: dict[str, str] | None = None
    source: str | None = None
    st.subheader("3. Correspondance des colonnes")
    if lecture.format is None:
        choix = _correspondance(tel, lecture)
        if choix is None:
            return
        correspondance, source = choix
    else:
        st.caption("Format reconnu : ses colonnes sont connues, pas de correspondance à choisir.")
    st.subheader("4. Aperçu")
    prep = _preparation(tel, lecture, auteur, correspondance, source)
    _apercu(prep)
    pret, raison = donnees.depot_pret()
    st.subheader("5. Simulation")
    if not pret:
        st.warning(md(raison or "Aucun dépôt."))
        return
    cle = _cle(tel, prep.format, correspondance, source, auteur)
    if st.button("Lancer la simulation", key="import_simuler", disabled=not prep.total):
        with st.spinner("Simulation…"):
            resultats = _executer(
                tel, assistant.simulation_page, auteur, correspondance, source, donnees.chemin_depot()
            )
        st.session_state[_SIMULATION] = (cle, *resultats)
    sim = st.session_state.get(_SIMULATION)
    resultat: Bilan | None = sim[1] if sim is not None and sim[0] == cle else None
    if not prep.total:
        st.error(
            md(
                f"Aucune ligne du fichier « {tel.nom} » n'est acceptée : corrigez-le (les problèmes, "
                "ligne par ligne et champ par champ, sont listés ci-dessus). Rien n'a été enregistré."
            )
        )
        return
    if resultat is None:
        st.caption("La simulation lit le dépôt sans rien y écrire.")
    else:
        _montrer_bilan(resultat)
    st.subheader("6. Import")
    _valider(tel, prep, cle, resultat, auteur, correspondance, source)


def _cle(
    tel: tv.Televersement,
    format_: str,
    correspondance: Mapping[str, str] | None,
    source: str | None,
    auteur: str,
) -> tuple[Any, ...]:
    return (tel.sha256, format_, tuple(sorted((correspondance or {}).items())), source, auteur)


def _lecture(tel: tv.Televersement) -> Lecture:
    """Step 2, read once per file (kept in the session)."""
    memo = st.session_state.get(_LECTURE)
    if memo is not None and memo[0] == tel.sha256:
        lecture: Lecture = memo[1]
        return lecture
    with st.spinner("Lecture du fichier…"):
        lecture = _executer(tel, assistant.lecture_page)
    st.session_state[_LECTURE] = (tel.sha256, lecture)
    return lecture


def _montrer_lecture(tel: tv.Televersement, lecture: Lecture) -> None:
    t = lecture.table
    lignes = [
        f"**Fichier** : {md(tel.nom)} ({tv.taille_lisible(tel.taille)})",
        f"**Type reconnu** : {_TYPES.get(t.type, t.type)}"
        + (f", extrait de l'archive ({md(', '.join(tel.membres))})" if tel.archive else ""),
    ]
    if t.encodage:
        lignes.append(f"**Encodage** : {_ENCODAGES.get(t.encodage, md(t.encodage))}")
    if t.separateur:
        lignes.append(f"**Séparateur** : {md(t.nom_separateur)}")
    if t.crs:
        converti = "" if t.crs in ("EPSG:4326", "OGC:CRS84") else " (converti en WGS84)"
        lignes.append(f"**Système de coordonnées** : {md(t.crs)}{converti}")
    lignes.append(
        f"**Lignes** : {lecture.lignes} ; **colonnes** ({len(t.colonnes)}) : {md(', '.join(t.colonnes))}"
    )
    libelle = LIBELLES_FORMATS.get(lecture.format or FORMAT_LIBRE, lecture.format or "")
    lignes.append(f"**Format** : {md(libelle)}")
    st.markdown("  \n".join(lignes))
    if lecture.format is None and lecture.raison:
        st.caption(md(lecture.raison))
    for avert in t.avertissements:
        st.warning(md(avert))


def _correspondance(tel: tv.Televersement, lecture: Lecture) -> tuple[dict[str, str], str] | None:
    """Step 3: the source's name, then one choice per field; ``None`` while not usable."""
    t = lecture.table
    source = " ".join(
        st.text_input(
            "Nom de la source",
            value=nom_source(tel.nom),
            key=f"import_source_{tel.sha256[:12]}",
            max_chars=80,
            help="La correspondance choisie est retenue pour cette source et proposée au prochain import.",
        ).split()
    )
    if not source:
        st.error("Donnez un nom à la source : il préfixe les identifiants et retient la correspondance.")
        return None
    memorisee = _memorisee(source)
    if memorisee:
        absentes = [f"{c} ← {col}" for c, col in memorisee.items() if col not in t.colonnes]
        st.info(md(f"Correspondance retenue pour la source « {source} » reprise."))
        if absentes:
            st.warning(
                md("Colonnes de la correspondance retenue absentes de ce fichier : " + ", ".join(absentes))
            )
    suggestions = corr.suggerer(t.colonnes, memorisee)
    options = [AUCUNE, *t.colonnes]
    suffixe = hashlib.sha256(f"{tel.sha256}\x1f{source}".encode()).hexdigest()[:12]
    choix: dict[str, str] = {}
    principaux = corr.champs()[:13]
    colonnes = st.columns(3)
    for i, champ in enumerate(principaux):
        with colonnes[i % 3]:
            _choisir(champ, options, suggestions.get(champ), suffixe, choix)
    with st.expander("Autres champs du standard"):
        colonnes = st.columns(3)
        for i, champ in enumerate(corr.champs()[13:]):
            with colonnes[i % 3]:
                _choisir(champ, options, suggestions.get(champ), suffixe, choix)
    if suggestions:
        with st.expander("Suggestions et leur confiance"):
            st.dataframe(
                pd.DataFrame(
                    [
                        {"champ": s.champ, "colonne": s.colonne, "confiance": s.confiance, "raison": s.raison}
                        for s in suggestions.values()
                    ]
                ),
                hide_index=True,
                width="stretch",
                column_config={
                    "confiance": st.column_config.ProgressColumn(
                        format="percent", min_value=0.0, max_value=1.0
                    )
                },
            )
    remarques = corr.verifier(choix, t.colonnes, points=lecture.points)
    for r in remarques:
        (st.error if r.bloquante else st.info)(md(r.message[0].upper() + r.message[1:]))
    if any(r.bloquante for r in remarques):
        return None
    return choix, source


def _choisir(
    champ: str, options: list[str], suggestion: corr.Suggestion | None, suffixe: str, choix: dict[str, str]
) -> None:
    index = options.index(suggestion.colonne) if suggestion is not None else 0
    aide = (
        f"Suggestion : « {suggestion.colonne} » ({suggestion.raison}, confiance {suggestion.confiance:.0%})."
        if suggestion is not None
        else "Aucune colonne ne ressemble à ce champ."
    )
    valeur = st.selectbox(
        champ + (" (obligatoire)" if champ == "nom" else ""),
        options,
        index=index,
        key=f"import_champ_{suffixe}_{champ}",
        help=aide,
    )
    if valeur is not None and valeur != AUCUNE:
        choix[champ] = valeur


def _memorisee(source: str) -> dict[str, str] | None:
    pret, _ = donnees.depot_pret()
    if not pret:
        return None
    try:
        with ouvrir_depot(donnees.chemin_depot()) as depot:
            return depot.correspondance(source)
    except EcosystemeError as exc:
        log.warning("correspondance de « %s » illisible : %s", source, exc)
        return None


def _preparation(
    tel: tv.Televersement,
    lecture: Lecture,
    auteur: str,
    correspondance: dict[str, str] | None,
    source: str | None,
) -> Preparation:
    cle = _cle(tel, lecture.format or FORMAT_LIBRE, correspondance, source, auteur)
    memo = st.session_state.get(_PREPARATION)
    if memo is not None and memo[0] == cle:
        prep: Preparation = memo[1]
        return prep
    with st.spinner("Conversion des lignes…"):
        prep = _executer(tel, assistant.preparation_page, auteur, correspondance, source)
    st.session_state[_PREPARATION] = (cle, prep)
    return prep


def _apercu(prep: Preparation) -> None:
    r = prep.rapport
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Lignes lues", r.lignes_lues)
    c2.metric("Acceptées", r.acceptees)
    c3.metric("Rejetées", r.rejetees)
    c4.metric("Avertissements", len(r.avertissements))
    for info in r.infos:
        st.caption(md(info))
    if prep.acteurs:
        lignes = []
        for a in prep.acteurs[:APERCU_LIGNES]:
            d = a.model_dump(mode="json", include=set(_COLONNES_APERCU))
            d["services"] = " | ".join(d.get("services") or [])
            lignes.append(d)
        st.markdown(f"**Premiers acteurs** ({min(APERCU_LIGNES, len(prep.acteurs))} sur {prep.total})")
        st.dataframe(pd.DataFrame(lignes, columns=list(_COLONNES_APERCU)), hide_index=True, width="stretch")
    problemes = [
        {"ligne": p.ligne, "champ": p.champ, "problème": p.message, "gravité": "rejet"} for p in r.rejets
    ] + [
        {"ligne": p.ligne, "champ": p.champ, "problème": p.message, "gravité": "avertissement"}
        for p in r.avertissements
    ]
    if problemes:
        st.markdown(f"**Problèmes des lignes** ({len(problemes)})")
        tri = sorted(problemes, key=lambda p: (p["ligne"] is not None, p["ligne"] or 0))
        st.dataframe(
            pd.DataFrame(tri[:PROBLEMES_MAX], columns=["ligne", "champ", "problème", "gravité"]).astype(
                {"ligne": "Int64"}
            ),
            hide_index=True,
            width="stretch",
            key="import_problemes",
        )
        if len(problemes) > PROBLEMES_MAX:
            st.caption(f"… et {len(problemes) - PROBLEMES_MAX} autres.")
    else:
        st.success("Aucun problème dans les lignes.")


def _montrer_bilan(b: Bilan) -> None:
    st.info("Simulation : rien n'a été enregistré.")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("À créer", b.crees)
    c2.metric("À mettre à jour", b.mis_a_jour)
    c3.metric("Inchangés", b.inchanges)
    c4.metric("Lignes rejetées", b.rejetees)


def _valider(
    tel: tv.Televersement,
    prep: Preparation,
    cle: tuple[Any, ...],
    resultat: Bilan | None,
    auteur: str,
    correspondance: Mapping[str, str] | None,
    source: str | None,
) -> None:
    fait = st.session_state.get(_FAIT)
    lot_fait: int | None = fait[1] if fait is not None and fait[0] == cle else None
    if lot_fait is not None and not _lot_annule(lot_fait):
        st.success(f"Ce fichier a été importé : lot n° {lot_fait}.")
        st.button(
            "Annuler cet import", key="import_annuler_dernier", on_click=_annuler, args=(lot_fait, auteur)
        )
        return
    if resultat is None:
        st.caption("Lancez d'abord la simulation.")
    if not st.button("Importer", key="import_valider", type="primary", disabled=resultat is None):
        return
    try:
        with st.spinner("Import…"):
            lot = _executer(
                tel,
                assistant.import_page,
                auteur,
                correspondance,
                source,
                donnees.chemin_depot(),
                prep.format,
            )
        if correspondance is not None and source:
            with ouvrir_depot(donnees.chemin_depot()) as depot:
                try:
                    depot.memoriser_correspondance(source, correspondance, auteur)
                except EcosystemeError as exc:
                    st.warning(md(f"Import enregistré, mais la correspondance n'a pas été retenue : {exc}"))
    except EcosystemeError as exc:
        log.info("import refusé : %s", exc)
        st.error(md(f"Import refusé, rien n'a été enregistré : {exc}"))
        return
    st.session_state[_FAIT] = (cle, lot.id)
    st.session_state.pop(_SIMULATION, None)  # the store changed: a new dry run is needed
    st.success(
        f"Import enregistré : lot n° {lot.id} — {lot.crees} créés, {lot.mis_a_jour} mis à jour, "
        f"{lot.inchanges} inchangés, {lot.rejetees} lignes rejetées."
    )
    st.button("Annuler cet import", key="import_annuler_dernier", on_click=_annuler, args=(lot.id, auteur))


def _lot_annule(lot_id: int) -> bool:
    with ouvrir_depot(donnees.chemin_depot()) as depot:
        return any(lot.annule for lot in depot.lots() if lot.id == lot_id)


def _annuler(lot_id: int, auteur: str) -> None:
    """Undo a batch (button callback: runs before the page is drawn again)."""
    st.session_state.pop(_SIMULATION, None)
    try:
        with ouvrir_depot(donnees.chemin_depot()) as depot:
            lot = depot.annuler_lot(lot_id, auteur)
    except EcosystemeError as exc:
        st.session_state[_MESSAGE] = ("erreur", f"Annulation refusée : {exc.message}")
        return
    st.session_state[_MESSAGE] = (
        "succes",
        f"Lot n° {lot.id} (« {lot.fichier} ») annulé : {lot.crees} acteurs créés retirés, "
        f"{lot.mis_a_jour} remis dans leur état précédent.",
    )


def _lots_passes(auteur: str) -> None:
    st.subheader("Imports précédents")
    pret, raison = donnees.depot_pret()
    if not pret:
        st.info(md(raison or "Aucun dépôt."))
        return
    try:
        with ouvrir_depot(donnees.chemin_depot()) as depot:
            lots = depot.lots()
    except EcosystemeError as exc:
        _erreur(exc)
        return
    if not lots:
        st.info("Aucun import d'acteurs pour l'instant.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "n°": lot.id,
                    "fichier": lot.fichier,
                    "format": lot.format,
                    "importé le": lot.debut,
                    "par": lot.auteur,
                    "créés": lot.crees,
                    "mis à jour": lot.mis_a_jour,
                    "inchangés": lot.inchanges,
                    "rejetées": lot.rejetees,
                    "annulé le": lot.annule_le,
                }
                for lot in lots
            ]
        ),
        hide_index=True,
        width="stretch",
        key="import_lots",
    )
    annulables = [lot for lot in lots if not lot.annule]
    if not annulables:
        return
    libelles = {lot.id: f"n° {lot.id} — {lot.fichier} ({lot.debut:%d/%m/%Y %H:%M})" for lot in annulables}
    choisi = st.selectbox(
        "Lot à annuler", list(libelles), format_func=lambda i: libelles[i], key="import_lot_a_annuler"
    )
    if choisi is not None:
        st.button(
            "Annuler ce lot",
            key="import_annuler_lot",
            on_click=_annuler,
            args=(choisi, auteur),
            help="Retire les acteurs créés par ce lot et remet les autres dans leur état précédent ; "
            "refusé si l'un d'eux a été modifié depuis.",
        )
