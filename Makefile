# Haven — the two commands a newcomer runs are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The embedded database `make run` serves; PostgreSQL via HAVEN_DATABASE_URL.
export HAVEN_DATABASE_URL ?= sqlite://haven.sqlite3

.PHONY: install run serve-prod test test-postgres schema bench lint clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/haven migrate
	$(BIN)/haven demo --if-empty
	$(BIN)/haven serve

# A network's server: WORKERS processes on PostgreSQL, events between them through Redis, behind
# a TLS reverse proxy (README, "Running a network"). Migrate first, as the database's owner.
WORKERS ?= 4
serve-prod: install
	@case "$$HAVEN_DATABASE_URL" in postgres*|asyncpg*) ;; \
	  *) echo "serve-prod: set HAVEN_DATABASE_URL to PostgreSQL" >&2; exit 2;; esac
	@test -n "$$HAVEN_REDIS_URL" || { echo "serve-prod: set HAVEN_REDIS_URL" >&2; exit 2; }
	@test -n "$$HAVEN_DATA_KEY$$HAVEN_DATA_KEY_FILE" || \
	  { echo "serve-prod: set HAVEN_DATA_KEY or HAVEN_DATA_KEY_FILE" >&2; exit 2; }
	HAVEN_ENV=production $(BIN)/haven serve --workers $(WORKERS)

test: install
	$(BIN)/python -m pytest

# The same suite on PostgreSQL, in its own process (Tortoise caches SQL per connection name).
test-postgres: install
	HAVEN_TEST_DATABASE_URL=$${HAVEN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} \
		$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check server tests fixtures bench
	$(BIN)/ruff format --check server tests fixtures bench
	$(BIN)/mypy

schema: install
	$(BIN)/haven schema

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) haven.sqlite3 *.egg-info
