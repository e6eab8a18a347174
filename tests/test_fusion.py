"""Field-by-field merge of two records of one place (pure)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecosysteme.domaine.modeles import Acteur
from ecosysteme.inventaire.fusion import champs_differents, choix_par_defaut, fusionner

AIDE = "Aide aux démarches administratives"
OUTILS = "Maîtrise des outils numériques du quotidien"


def cn() -> Acteur:
    return Acteur(
        id="cn-1",
        nom="Médiathèque de Hem",
        version=3,
        telephone=None,
        services=[AIDE],
        courriels=["a@hem.fr"],
        date_maj=dt.date(2022, 6, 1),
        source="conseillers-numeriques",
        latitude=50.65,
        longitude=3.18,
    )


def di() -> Acteur:
    return Acteur(
        id="di-9",
        nom="Médiathèque municipale de Hem",
        version=1,
        telephone="+33320000000",
        services=[OUTILS, AIDE],
        courriels=["a@hem.fr", "b@hem.fr"],
        date_maj=dt.date(2022, 7, 1),
        source="data-inclusion",
        latitude=50.6501,
        longitude=3.1801,
    )


def test_champs_differents_sans_la_gestion() -> None:
    assert set(champs_differents(cn(), di())) == {
        "nom",
        "latitude",
        "longitude",
        "telephone",
        "courriels",
        "source",
        "date_maj",
        "services",
    }


def test_proposition_par_defaut() -> None:
    c = choix_par_defaut(cn(), di())
    assert c["services"] == "les deux" and c["courriels"] == "les deux"
    assert c["telephone"] == "autre"  # empty in the kept record
    assert c["nom"] == "autre"  # the other record is more recent


def test_fusion_garde_identite_et_version() -> None:
    f = fusionner(cn(), di(), {"telephone": "autre", "services": "les deux", "courriels": "les deux"})
    assert (f.id, f.version, f.nom) == ("cn-1", 3, "Médiathèque de Hem")
    assert f.telephone == "+33320000000"
    assert f.services == [AIDE, OUTILS]
    assert f.courriels == ["a@hem.fr", "b@hem.fr"]


def test_choix_impossibles() -> None:
    with pytest.raises(ValueError, match="liste"):
        fusionner(cn(), di(), {"nom": "les deux"})
    with pytest.raises(ValueError, match="ne se choisit pas"):
        fusionner(cn(), di(), {"id": "autre"})


@given(
    st.lists(st.sampled_from([AIDE, OUTILS, "Accès internet et matériel informatique"]), max_size=3),
    st.lists(st.sampled_from([AIDE, OUTILS, "Accès internet et matériel informatique"]), max_size=3),
)
def test_les_deux_est_une_union_sans_doublon(a: list[str], b: list[str]) -> None:
    f = fusionner(
        cn().model_copy(update={"services": a}),
        di().model_copy(update={"services": b}),
        {"services": "les deux"},
    )
    assert set(f.services) == set(a) | set(b) and len(f.services) == len(set(f.services))
