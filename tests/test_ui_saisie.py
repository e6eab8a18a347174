"""The form widgets (week editor, place chooser) driven with ``streamlit.testing``.

The address search runs against the local BAN server of ``test_geocodage`` (never the internet).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from test_geocodage import ServeurBAN, demarrer_serveur

from ecosysteme.domaine.semaine import erreur_osm
from ecosysteme.sources.geocodage import ENV_BAN_URL, MESSAGE_INDISPONIBLE
from ecosysteme.ui.widgets.horaires import LIBELLE_BRUT, Horaires
from ecosysteme.ui.widgets.lieu import Lieu


def app_horaires(valeur: str | None) -> None:
    import streamlit as st

    from ecosysteme.ui.widgets.horaires import editeur_horaires

    st.session_state["resultat"] = editeur_horaires("h", valeur)


def app_lieu(
    adresse: str | None, lon: float | None, lat: float | None, fond: dict[str, object] | None = None
) -> None:
    import streamlit as st

    from ecosysteme.ui.widgets.lieu import choisir_lieu

    st.session_state["lieu"] = choisir_lieu("l", adresse, lon, lat, fond=fond)


def horaires(valeur: str | None) -> AppTest:
    at = AppTest.from_function(app_horaires, args=(valeur,), default_timeout=30).run()
    assert not at.exception
    return at


def lieu(
    adresse: str | None = None,
    lon: float | None = None,
    lat: float | None = None,
    fond: dict[str, Any] | None = None,
) -> AppTest:
    at = AppTest.from_function(app_lieu, args=(adresse, lon, lat, fond), default_timeout=30).run()
    assert not at.exception
    return at


def textes(elements: Any) -> list[str]:
    """Messages as read on screen (the widgets escape Markdown with backslashes)."""
    return [str(e.value).replace("\\", "") for e in elements]


def resultat(at: AppTest) -> Horaires:
    r = at.session_state["resultat"]
    assert isinstance(r, Horaires)
    return r


def saisir(at: AppTest, jour: int, plage: int, debut: str, fin: str) -> None:
    at.text_input(key=f"h_j{jour}_p{plage}_debut").input(debut)
    at.text_input(key=f"h_j{jour}_p{plage}_fin").input(fin)


# -- opening hours -------------------------------------------------------------------------------


def test_semaine_valide_donne_la_chaine_osm() -> None:
    at = horaires(None)
    assert resultat(at) == Horaires(None, None, None)  # nothing typed: hours unknown
    # typed then copied in the same run (a click right after typing)
    saisir(at, 0, 0, "9h", "12:00")
    saisir(at, 0, 1, "14:00", "18")
    at.button(key="h_copier").click().run()
    assert at.text_input(key="h_j4_p1_fin").value == "18"
    saisir(at, 5, 0, "09:00", "12:00")
    at.checkbox(key="h_ph").check().run()
    assert not at.exception and not at.error
    attendu = "Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off"
    assert resultat(at) == Horaires(attendu, None, attendu)
    assert at.code[0].value == attendu


def test_jour_ferme() -> None:
    at = horaires("Mo-Tu 09:00-12:00")
    at.checkbox(key="h_j1_ferme").check().run()
    assert resultat(at).texte == "Mo 09:00-12:00"
    # the cells are kept (disabled): unchecking brings them back
    at.checkbox(key="h_j1_ferme").uncheck().run()
    assert resultat(at).texte == "Mo-Tu 09:00-12:00"


def test_grille_invalide_message_en_ligne() -> None:
    at = horaires(None)
    saisir(at, 1, 0, "14:00", "12:00")
    saisir(at, 3, 0, "25:00", "26:00")
    saisir(at, 4, 0, "09:00", "")
    at.run()
    assert textes(at.error) == [
        "mardi : 14:00–12:00, la fin précède le début",
        "jeudi, début de la plage 1 : « 25:00 » n'est pas une heure (écrivez HH:MM, de 00:00 à 24:00)",
        "jeudi, fin de la plage 1 : « 26:00 » n'est pas une heure (écrivez HH:MM, de 00:00 à 24:00)",
        "vendredi, plage 1 : indiquez le début et la fin",
    ]
    r = resultat(at)
    assert r.texte is None and not r.valide
    assert r.erreur is not None and r.erreur.startswith("mardi : 14:00–12:00, la fin précède le début")
    # what a caller might store anyway is refused by the parser too
    assert r.brut and erreur_osm(r.brut) is not None
    assert not at.code  # no OSM string shown for an invalid grid


def test_valeur_existante_dans_la_grille() -> None:
    at = horaires("Mo-Fr 09:00-12:00,14:00-17:00; We off; PH off")
    assert at.text_input(key="h_j0_p0_debut").value == "09:00"
    assert at.text_input(key="h_j4_p1_fin").value == "17:00"
    assert at.checkbox(key="h_j2_ferme").value is True
    assert at.checkbox(key="h_j5_ferme").value is True
    assert at.checkbox(key="h_ph").value is True
    # unchanged, the editor gives back the canonical string of the same week
    assert resultat(at).texte == "Mo-Tu,Th-Fr 09:00-12:00,14:00-17:00; PH off"


def test_valeur_hors_grille_champ_brut_seul() -> None:
    valeur = "week 1-53 Mo 09:00-12:00"
    at = horaires(valeur)
    assert [t.label for t in at.text_input] == [LIBELLE_BRUT]
    assert at.text_input(key="h_brut").value == valeur
    assert not at.radio  # no grid offered
    assert any("ne peuvent pas être montrés dans la grille" in t for t in textes(at.info))
    assert resultat(at) == Horaires(valeur, None, valeur)


def test_champ_brut_invalide_message() -> None:
    at = horaires("Mo 14:00-14:00")  # 24 hours for OSM: shown raw
    assert any("début et une fin identiques" in t for t in textes(at.info))
    at.text_input(key="h_brut").input("lundi 9h-12h").run()
    assert textes(at.error) == [
        "« lundi 9h-12h » ne suit pas la syntaxe OpenStreetMap des horaires, vers le caractère 1. "
        "Exemple : « Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00 »."
    ]
    r = resultat(at)
    assert r.texte is None and r.brut == "lundi 9h-12h" and r.erreur is not None
    # corrected into a simple week: valid, and the grid is offered again
    at.text_input(key="h_brut").input("Mo 14:00-18:00").run()
    assert not at.error and resultat(at).texte == "Mo 14:00-18:00"
    at.radio(key="h_mode").set_value("grille").run()
    assert at.text_input(key="h_j0_p0_debut").value == "14:00"
    assert resultat(at).texte == "Mo 14:00-18:00"


def test_passage_grille_texte_et_retour() -> None:
    at = horaires("Mo 09:00-12:00")
    # a cell changed and the mode switched in the same run
    saisir(at, 0, 0, "08:00", "12:00")
    at.radio(key="h_mode").set_value("texte").run()
    assert at.text_input(key="h_brut").value == "Mo 08:00-12:00"
    at.text_input(key="h_brut").input("Tu,Th 10:00-11:30").run()
    at.radio(key="h_mode").set_value("grille").run()
    assert not at.exception
    assert at.text_input(key="h_j0_p0_debut").value == ""
    assert at.text_input(key="h_j3_p0_fin").value == "11:30"
    assert resultat(at).texte == "Tu,Th 10:00-11:30"


def app_horaires_variable() -> None:
    import streamlit as st

    from ecosysteme.ui.widgets.horaires import editeur_horaires

    st.session_state["resultat"] = editeur_horaires("h", st.session_state.get("valeur"))


def test_nouvelle_valeur_recharge_l_editeur() -> None:
    at = AppTest.from_function(app_horaires_variable, default_timeout=30)
    at.session_state["valeur"] = "Mo 09:00-12:00"
    at.run()
    saisir(at, 0, 0, "14:00", "18:00")
    saisir(at, 0, 1, "08:00", "12:00")  # afternoon typed first: fine
    at.run()
    assert resultat(at).texte == "Mo 08:00-12:00,14:00-18:00"
    # the caller gives back what the editor returned: nothing is reloaded (cells stay as typed)
    at.session_state["valeur"] = "Mo 08:00-12:00,14:00-18:00"
    at.run()
    assert at.text_input(key="h_j0_p0_debut").value == "14:00"
    # another actor's hours: the grid shows them
    at.session_state["valeur"] = "Tu 10:00-11:00"
    at.run()
    assert not at.exception
    assert at.text_input(key="h_j0_p0_debut").value == ""
    assert at.text_input(key="h_j1_p0_debut").value == "10:00"
    assert resultat(at).texte == "Tu 10:00-11:00"


# -- the place: coordinates ----------------------------------------------------------------------


def coordonnees(at: AppTest, lat: str, lon: str) -> AppTest:
    at.text_input(key="l_lat").input(lat)
    at.text_input(key="l_lon").input(lon)
    return at.run()


def test_coordonnees_valides() -> None:
    at = lieu("Place Vauban", 3.9711, 50.2775)
    assert at.radio(key="l_mode").value == "coordonnees"
    assert at.session_state["lieu"] == Lieu(3.9711, 50.2775, "coordonnees")
    coordonnees(at, "50,6292", "3.0573")  # decimal comma accepted
    assert not at.error
    assert at.session_state["lieu"] == Lieu(3.0573, 50.6292, "coordonnees")


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        ("3.9711", "50.2775", "Coordonnées : longitude (50.2775) et latitude (3.9711) semblent inversées."),
        (
            "6920000",
            "780000",
            "Coordonnées : coordonnées (780000, 6920000) en mètres (Lambert-93 EPSG:2154, Web Mercator "
            "EPSG:3857 ou une autre projection) alors que des degrés WGS84 (longitude, latitude) sont attendus.",
        ),
        (
            "780000",
            "6920000",
            "Coordonnées : coordonnées (780000, 6920000) en mètres (Lambert-93 EPSG:2154, Web Mercator "
            "EPSG:3857 ou une autre projection) alors que des degrés WGS84 (longitude, latitude) sont attendus.",
        ),
        (
            "40.75",
            "-73.98",
            "Coordonnées : le point (latitude 40.75, longitude -73.98) n'est pas en France (métropole ou outre-mer).",
        ),
        ("95", "3", "Coordonnées : latitude 95.0 hors de l'intervalle [-90, 90]."),
        ("cinquante", "3", "Coordonnées : latitude « cinquante » n'est pas un nombre."),
        ("50.2", "", "Coordonnées : coordonnées absentes : le lieu ne peut pas être placé sur la carte."),
    ],
)
def test_coordonnees_refusees(lat: str, lon: str, message: str) -> None:
    at = coordonnees(lieu(None, 3.9711, 50.2775), lat, lon)
    assert textes(at.error) == [message]
    assert at.session_state["lieu"] is None


def test_coordonnees_outre_mer() -> None:
    at = lieu()
    at.radio(key="l_mode").set_value("coordonnees").run()
    assert at.session_state["lieu"] is None and not at.error
    coordonnees(at, "-21.1151", "55.5364")  # La Réunion
    assert at.session_state["lieu"] == Lieu(55.5364, -21.1151, "coordonnees")


# -- the place: address --------------------------------------------------------------------------


@pytest.fixture
def ban(monkeypatch: pytest.MonkeyPatch) -> Iterator[ServeurBAN]:
    serveur = demarrer_serveur()
    monkeypatch.setenv(ENV_BAN_URL, serveur.url("ok"))
    yield serveur
    serveur.shutdown()
    serveur.server_close()


def test_recherche_adresse(ban: ServeurBAN, monkeypatch: pytest.MonkeyPatch) -> None:
    at = lieu("8 bd du port")
    assert at.radio(key="l_mode").value == "adresse"
    assert at.text_input(key="l_q").value == "8 bd du port"
    assert at.session_state["lieu"] is None
    at.button(key="l_chercher").click().run()
    assert not at.exception and not at.error
    assert ban.requetes[-1][1] == {"q": ["8 bd du port"], "limit": ["5"]}
    choix = at.radio(key="l_choix")
    assert [o.replace("\\", "") for o in choix.options] == [
        "8 Boulevard du Port 80000 Amiens — numéro, pertinence 49 %",
        "8 Boulevard du Port 95000 Cergy — numéro, pertinence 46 %",
    ]
    assert at.session_state["lieu"] == Lieu(
        2.290084, 49.897443, "adresse", "8 Boulevard du Port 80000 Amiens", "80000", "80021", "Amiens"
    )
    choix.set_value(1).run()
    assert at.session_state["lieu"].commune == "Cergy"
    # a new search starts from its first result
    at.button(key="l_chercher").click().run()
    assert at.session_state["lieu"].commune == "Amiens"
    monkeypatch.setenv(ENV_BAN_URL, ban.url("maubeuge"))
    at.text_input(key="l_q").input("place Vauban").run()
    at.button(key="l_chercher").click().run()
    assert not at.exception
    assert at.session_state["lieu"].commune == "Maubeuge"
    monkeypatch.setenv(ENV_BAN_URL, ban.url("ok"))
    at.button(key="l_chercher").click().run()
    at.radio(key="l_choix").set_value(1).run()
    # the results survive a trip to another mode
    at.radio(key="l_mode").set_value("coordonnees").run()
    at.radio(key="l_mode").set_value("adresse").run()
    assert at.session_state["lieu"].commune == "Cergy"


def test_recherche_sans_resultat_et_erreur(ban: ServeurBAN, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BAN_URL, ban.url("vide"))
    at = lieu("nulle part")
    at.button(key="l_chercher").click().run()
    assert textes(at.info) == [
        "Aucune adresse trouvée pour « nulle part » : précisez la commune, ou placez le lieu sur la carte."
    ]
    monkeypatch.setenv(ENV_BAN_URL, ban.url("panne"))
    at.button(key="l_chercher").click().run()
    assert textes(at.error)[0].startswith(
        "La Base Adresse Nationale ne répond pas correctement (erreur HTTP 500)"
    )
    at.text_input(key="l_q").input("").run()
    at.button(key="l_chercher").click().run()
    assert textes(at.error)[0].startswith("adresse vide")
    assert at.session_state["lieu"] is None


def test_recherche_hors_ligne(ban: ServeurBAN) -> None:
    at = lieu("8 bd du port")
    ban.shutdown()
    ban.server_close()  # nobody listens any more: connection refused
    at.button(key="l_chercher").click().run()
    assert not at.exception
    assert textes(at.warning) == [MESSAGE_INDISPONIBLE]
    assert at.session_state["lieu"] is None


# -- the place: map ------------------------------------------------------------------------------


def test_carte_sans_clic() -> None:
    at = lieu()
    at.radio(key="l_mode").set_value("carte").run()
    assert not at.exception
    assert at.session_state["lieu"] is None
    assert any("Cliquez sur la carte" in t for t in textes(at.caption))


@pytest.mark.parametrize(
    ("clic", "attendu", "erreur"),
    [
        ({"lat": 50.27751234567, "lng": 3.97109876543}, Lieu(3.971099, 50.277512, "carte"), None),
        ({"lat": 40.75, "lng": -73.98}, None, "n'est pas en France"),
    ],
)
def test_carte_clic(
    monkeypatch: pytest.MonkeyPatch, clic: dict[str, float], attendu: Lieu | None, erreur: str | None
) -> None:
    """The browser's click (streamlit-folium's ``last_clicked``) replaced by a stub: AppTest does not
    run the map's JavaScript."""
    import streamlit_folium

    vus: list[dict[str, Any]] = []

    def st_folium(carte: Any, **kwargs: Any) -> dict[str, Any]:
        vus.append(kwargs)
        html = carte.get_root().render()
        assert "cdn" not in html.lower() and "/app/static/vendor/leaflet" in html
        return {"last_clicked": clic}

    monkeypatch.setattr(streamlit_folium, "st_folium", st_folium)
    at = lieu()
    at.radio(key="l_mode").set_value("carte").run()
    assert not at.exception
    assert vus and vus[-1]["returned_objects"] == ["last_clicked"]
    assert at.session_state["lieu"] == attendu
    if erreur:
        assert any(erreur in t for t in textes(at.error))
    else:
        assert not at.error


def test_carte_fond_et_tuiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outlines given by the caller are drawn (offline background); OSM tiles only when asked."""
    import streamlit_folium

    pages: list[str] = []

    def st_folium(carte: Any, **kwargs: Any) -> dict[str, Any]:
        pages.append(carte.get_root().render())
        return {"last_clicked": None}

    monkeypatch.setattr(streamlit_folium, "st_folium", st_folium)
    contour = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"nom": "Maubeuge"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[3.9, 50.25], [4.0, 50.25], [4.0, 50.3], [3.9, 50.25]]],
                },
            }
        ],
    }
    at = lieu(None, 3.9711, 50.2775, fond=contour)
    at.radio(key="l_mode").set_value("carte").run()
    assert not at.exception
    # the known position is the starting point
    assert at.session_state["lieu"] == Lieu(3.9711, 50.2775, "carte")
    # offline first: no tiles until asked for
    assert "[3.9, 50.25]" in pages[-1].replace("\n", "") and "tile.openstreetmap.org" not in pages[-1]
    at.checkbox(key="l_tuiles").check().run()
    assert "tile.openstreetmap.org" in pages[-1]
