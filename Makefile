# webstat — two commands on a fresh machine: `make demo` and `make test`.
# Both create .venv at the repository root when it is missing and reuse it otherwise.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
export DO_NOT_TRACK := 1

.DEFAULT_GOAL := help
.PHONY: help install install-test system-packages demo test test-fast lint sql-fix bench bench-full lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "webstat needs Python 3.11 or newer (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# re-install whenever pyproject.toml changes
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install -c constraints.txt -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed  ## create/refresh .venv with webstat

install-test: $(VENV)/.installed-test  ## ... with the test extras

# what the reports need from the system, as the Dockerfile installs it (Debian/Ubuntu):
# Pango, DejaVu (Cyrillic), fontconfig (fc-match names the font file), and HarfBuzz's
# subsetter (without it WeasyPrint subsets the fonts with fontTools, ~0.1 s a font a PDF)
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core libharfbuzz-subset0 fontconfig
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

system-packages:  ## Debian/Ubuntu: the system libraries the reports use (apt-get, root or sudo)
	$(SUDO) apt-get update -qq
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES)

demo: install  ## generate a sample week, run the daily DAG for each day, print where results are
	$(BIN)/webstat demo

test: install-test  ## the whole test suite (real Postgres, dbt, Airflow, S3 API)
	$(BIN)/python -m pytest -q

test-fast: install-test  ## unit tests only (no server)
	$(BIN)/python -m pytest -q tests/unit

lint: install-test  ## ruff (check + format), sqlfluff (dbt templater), mypy: what CI runs first
	$(BIN)/ruff check plugins dags tests benchmarks tools
	$(BIN)/ruff format --check plugins dags tests benchmarks tools
	$(BIN)/python tools/sqlfluff_dbt.py lint dbt_project
	$(BIN)/mypy

sql-fix: install-test  ## sqlfluff fix over the dbt project (then review the diff)
	$(BIN)/python tools/sqlfluff_dbt.py fix dbt_project

bench: install-test  ## benchmarks, quick mode (writes docs/benchmarks.md)
	$(BIN)/python benchmarks/run.py --quick

bench-full: install-test  ## benchmarks, full mode (10 M events; long)
	$(BIN)/python benchmarks/run.py --full

lock: install-test  ## refresh constraints.txt from the current .venv
	@{ head -2 constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^webstat'; } > constraints.tmp
	mv constraints.tmp constraints.txt

clean:  ## remove the embedded warehouse state and generated data (keeps .venv)
	-$(BIN)/webstat warehouse stop
	rm -rf .webstat data
