# Groepswijzer. Needs only Python 3.11 and make; everything else installs into .venv.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000

.PHONY: run install install-test migrate demo test test-fast lint format bench bench-scale clean messages totp

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_demo

## make run: set up everything and serve the demo site on http://127.0.0.1:8000
run: demo
	$(MANAGE) runserver $(HOST)

## make test: the whole suite (browser tests included when Chromium is installed), one worker
## per core (TEST_WORKERS=0: all in one process)
TEST_WORKERS ?= auto
test: install-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-fast: install-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

## make lint: ruff (style, imports at the top) and import-linter (layers, no cycles)
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## make format: tidy the code the way make lint wants it
format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make messages: update the English catalogue and compile all (needs GNU gettext)
messages: install
	$(MANAGE) makemessages -l en --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=media
	$(MANAGE) compilemessages --ignore=.venv

## make bench: sign-ups against a bare transaction, pages against a plain view (demo data), the periodic run
## on the demo and a 1/100 set. PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set (bench/README.md).
bench: install-test
	$(BIN)/python bench/signup.py
	$(BIN)/python bench/pages.py --data demo
	$(BIN)/python bench/periodic.py --scales demo,0.01

## make bench-scale: pages, admin, export and the periodic run at national scale (BENCH_FACTOR=1). The first
## time it generates the data set (minutes); it is kept in its own database and reused.
BENCH_FACTOR ?= 1
bench-scale: install-test
	$(BIN)/python bench/scale.py --factor $(BENCH_FACTOR)
	$(BIN)/python bench/finder.py --factor $(BENCH_FACTOR)
	$(BIN)/python bench/periodic.py --scales 0.1,$(BENCH_FACTOR)
	$(BIN)/python bench/pages.py --data generated --factor $(BENCH_FACTOR)

clean:
	rm -rf $(VENV) .pytest_cache .test-media staticfiles

## make totp EMAIL=...: the current two-step login code of a demo staff account (development only)
totp: install
	$(MANAGE) demo_totp $(EMAIL)
