# ecosysteme — commandes usuelles. `make run` : l'application ; `make test` : les tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installe

.PHONY: install run test lint bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Installe, télécharge les données de la région (ou les lit dans $ECOSYSTEME_MIROIR), construit le dépôt et lance l'application.
run: $(STAMP)
	$(VENV)/bin/ecosysteme lancer --preparer

## Installe puis lance toute la suite de tests.
test: $(STAMP)
	$(VENV)/bin/pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy ecosysteme

## Les bancs d'essai (spopt, la référence du lieu totem, est installé à part : extra « bench »).
bench: $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev,bench]"
	$(PY) benchmarks/import_acteurs.py
	$(PY) benchmarks/couverture.py
	$(PY) benchmarks/carte.py
	$(PY) benchmarks/tableau_de_bord.py
	$(PY) benchmarks/doublons.py
	$(PY) benchmarks/totem.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
