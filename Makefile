# Koepel: `make run` starts the whole platform, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-koepel

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast bench bench-import bench-money bench-outcomes lint i18n i18n-extract clean-instance

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  make %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install Koepel with its development tools

run: $(STAMP) ## Start the platform: embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL are set, web + worker, demo data
	$(BIN)/koepel dev

test: $(STAMP) ## Run every test (TEST_DATABASE_URL/TEST_REDIS_URL, else embedded servers)
	$(BIN)/python -m pytest

test-fast: $(STAMP) ## Run the tests without the browser and live-process ones
	$(BIN)/python -m pytest -m "not browser and not live"

bench: bench-import bench-money bench-outcomes ## Run every benchmark (scratch databases on BENCH_DATABASE_URL, TEST_DATABASE_URL or embedded)

bench-import: $(STAMP) ## Benchmark: import 5,000 members from CSV and XLSX
	$(BIN)/python bench/import_members.py

bench-money: $(STAMP) ## Benchmark: payments posted and split per second beside pgbench; closing a month
	$(BIN)/python bench/money.py

bench-outcomes: $(STAMP) ## Benchmark: outcome aggregation and municipality dashboard latency (250 coops, 25,000 members)
	$(BIN)/python bench/outcomes.py

lint: $(STAMP) ## Check the code with ruff
	$(BIN)/ruff check .

i18n-extract: $(STAMP) ## Extract messages and merge them into the nl and en catalogs
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -o platform/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i platform/translations/messages.pot -d platform/translations

i18n: $(STAMP) ## Compile the catalogs (after translating what i18n-extract added)
	$(BIN)/pybabel compile --statistics -d platform/translations

clean-instance: ## Delete the local data of `make run` (embedded database, Redis, exports)
	rm -rf instance
