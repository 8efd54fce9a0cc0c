# Truedesk developer commands. `make run` and `make test` set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export TRUEDESK_DATA_DIR ?= $(CURDIR)/var
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint check-migrations bench clean messages

run: setup  ## Set up, load demo data and serve on http://127.0.0.1:8000 with a worker
	$(BIN)/truedesk migrate --no-input -v 0
	$(BIN)/truedesk demo --if-empty
	$(BIN)/truedesk run --host $(HOST) --port $(PORT)

test: setup lint  ## Set up and run the whole suite (DATABASE_URL picks the database)
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

setup: $(STAMP)

$(STAMP): pyproject.toml package.json package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Truedesk needs Python 3.11 or newer"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		{ echo "Could not create a virtual environment: install python3-venv (Debian: apt-get install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

lint: setup  ## Style, types, architecture contracts and missing migrations
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	TRUEDESK_DATA_DIR=$$(mktemp -d) $(BIN)/truedesk makemigrations --check --dry-run

messages: setup  ## Refresh the translation catalogues from the source
	cd src/truedesk && ../../$(BIN)/truedesk makemessages -l lt -l uk -l ru --no-obsolete \
		--ignore=*/tests/* && ../../$(BIN)/truedesk makemessages -d djangojs -l lt -l uk -l ru --no-obsolete

bench: setup  ## Run the benchmarks and rewrite docs/benchmarks.md
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
