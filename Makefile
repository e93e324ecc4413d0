# Clinic intake: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: system-packages bench-packages install run translations test test-postgres smoke lint format bench bench-db bench-outcomes clean

# Checked on every run (fast, dpkg-query only); order-only, so it never forces a reinstall.
system-packages: ## Install (as root) or name the Debian libraries WeasyPrint needs
	@scripts/system-packages

$(BIN)/python: | system-packages
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt | system-packages
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the app with its dev tools

run: $(STAMP) ## Upgrade the SQLite database, create demo accounts once, serve on 127.0.0.1:$(PORT) with the alert worker beside it
	$(BIN)/flask --app intake db upgrade
	$(BIN)/flask --app intake setup-demo
	$(BIN)/flask --app intake worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/flask --app intake run --host 127.0.0.1 --port $(PORT)

translations: $(STAMP) ## Extract the patient side's texts (babel.cfg), update the Spanish catalogue, compile it (the .mo files are committed)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k say --no-location --sort-output -o intake/translations/messages.pot .
	$(BIN)/pybabel update -i intake/translations/messages.pot -d intake/translations --no-fuzzy-matching --ignore-obsolete --width 100
	$(BIN)/pybabel compile -d intake/translations --statistics

test: $(STAMP) ## Run the whole suite (SQLite, or INTAKE_TEST_DATABASE_URL)
	$(BIN)/python -m pytest

test-postgres: $(STAMP) ## The whole suite on the local PostgreSQL
	INTAKE_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres $(BIN)/python -m pytest

smoke: $(STAMP) ## Production smoke test: migrate, create accounts, 2 gunicorn workers, real HTTP
	$(BIN)/python -m tests.smoke.production_smoke

bench-packages: ## Install (as root) or name the load generator the benchmarks drive (Debian's wrk)
	@scripts/system-packages wrk

bench: $(STAMP) bench-packages ## Benchmarks: rules throughput, page render times, requests/s, the patient pages against bare Flask (PostgreSQL), the queue at 1M (builds intake_bench once), the outcomes dashboard at 10,000 courses, API intakes through a PostgreSQL restart
	$(BIN)/python -m bench

bench-db: $(STAMP) ## Build the PostgreSQL database intake_bench once: 1,000,000 demo submissions, seed 1 (BENCH_REBUILD=1 to redo)
	$(BIN)/python -m bench.bench_db

bench-outcomes: $(STAMP) ## The clinic outcomes dashboard and CSV over 10,000 courses, 200,000 check-ins (builds intake_bench_courses once)
	$(BIN)/python -m bench.outcomes_bench

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
