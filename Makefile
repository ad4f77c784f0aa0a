# Siheyuan: two commands. `make run` serves the app; `make test` runs everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test translations migrate lint bench lock clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The *.lock files pin every package, dependencies of dependencies too (what CI tested, Python 3.11 on
# Linux); requirements*.txt name what the app asks for. Installing with the lock as constraints gives
# a fresh machine the same set. `make lock` regenerates both locks after a change to requirements*.txt.
$(VENV)/.installed: requirements.txt requirements.lock $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt -c requirements.lock
	touch $@

$(VENV)/.installed-test: requirements-test.txt requirements-test.lock requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt -c requirements-test.lock
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

## make lock — re-pin requirements.lock and requirements-test.lock after a change to requirements*.txt
## (pip-tools, in a venv of its own; pins not concerned stay; LOCK_ARGS=--upgrade re-resolves them all).
## The test set is resolved under the runtime lock, so both locks agree on every package they share.
LOCK_VENV := .venv-lock
LOCK_ARGS ?=
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --strip-extras \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "make lock: the pins are for Python 3.11: PYTHON=python3.11 make lock")'
	[ -x $(LOCK_VENV)/bin/pip-compile ] || { $(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install --quiet pip-tools==7.7.0; }
	$(PIP_COMPILE) -o requirements.lock requirements.txt
	$(PIP_COMPILE) -c requirements.lock -o requirements-test.lock requirements-test.txt

clean:
	rm -rf $(VENV) $(LOCK_VENV) .pytest_cache .ruff_cache
