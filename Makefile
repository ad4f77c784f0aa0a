# Siheyuan: two commands. `make run` serves the app; `make test` runs everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test translations migrate lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test
	./scripts/ensure-chromium.sh $(BIN)/python

translations: install
	$(FLASK) translate compile

migrate: install
	$(FLASK) db upgrade

## make run — set up, migrate, load the demo street when empty, serve on http://127.0.0.1:5000
run: translations migrate
	$(FLASK) demo --if-empty
	$(BIN)/python -m app.serve --host $(HOST) --port $(PORT)

## make test — the whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set
test: install-test translations
	$(BIN)/ruff check .
	./scripts/run-tests.sh $(BIN)/python

lint: install-test
	$(BIN)/ruff check .

bench: install-test translations
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
