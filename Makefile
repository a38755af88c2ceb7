# Haven — the two commands a newcomer runs are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The embedded database `make run` serves; PostgreSQL via HAVEN_DATABASE_URL.
export HAVEN_DATABASE_URL ?= sqlite://haven.sqlite3

# The tablet app's server: `make run` serves here, `make mobile` signs in to it.
HAVEN_SERVER ?= http://127.0.0.1:8000

# Debian packages the tablet app needs: KivyMD pulls pycairo, which builds against cairo (found with
# pkg-config); Kivy draws through Mesa's EGL, offscreen in the tests and `make screenshots`.
DEBS := pkg-config libcairo2-dev libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri libgles2

# Headless Kivy: an offscreen GL surface, no command-line parsing, logs through Python's logging,
# no X clipboard tools to probe, a settings folder of our own.
KIVY_HEADLESS := SDL_VIDEODRIVER=offscreen KIVY_NO_ARGS=1 KIVY_LOG_MODE=PYTHON \
	KIVY_NO_CONSOLELOG=1 KIVY_CLIPBOARD=dummy KIVY_HOME=$(CURDIR)/$(VENV)/kivy-home

.PHONY: install debs run serve-prod mobile screenshots test test-postgres schema bench lint clean

$(STAMP): pyproject.toml | debs
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,mobile]'
	touch $(STAMP)

install: $(STAMP)

# Installs only what is missing, and only as root (CI runs as root on a clean clone); anyone else is
# told the command to run.
debs:
	@command -v dpkg >/dev/null || { echo "install: not Debian; install: $(DEBS)" >&2; exit 0; }; \
	missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "install: apt-get install" $$missing; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      -o Dpkg::Use-Pty=0 --no-install-recommends $$missing >/dev/null; \
	  else echo "install: missing Debian packages; run: sudo apt-get install" $$missing >&2; exit 1; \
	  fi; \
	fi

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

# The tablet app against `make run`'s server (HAVEN_SERVER to point it elsewhere).
mobile: install
	HAVEN_SERVER=$(HAVEN_SERVER) $(BIN)/python -m mobile

# Every screen, landscape and portrait, four languages, to screenshots/<lang>/<size>/<screen>.png,
# against a demo server of its own; fails on overflowing text, a touch target under 48 dp or an
# untranslated string (screenshots/report.json says which).
screenshots: install
	mkdir -p $(VENV)/kivy-home
	$(KIVY_HEADLESS) $(BIN)/python -m mobile.screenshots --out screenshots

# The tablet app's tests (tests/mobile) run it offscreen: no display needed.
test: install
	mkdir -p $(VENV)/kivy-home
	$(KIVY_HEADLESS) $(BIN)/python -m pytest

# The same suite on PostgreSQL, in its own process (Tortoise caches SQL per connection name). The
# tablet app's tests are left out: their servers run on SQLite files of their own.
test-postgres: install
	HAVEN_TEST_DATABASE_URL=$${HAVEN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} \
		$(BIN)/python -m pytest --ignore=tests/mobile

lint: install
	$(BIN)/ruff check server tests fixtures bench mobile main.py
	$(BIN)/ruff format --check server tests fixtures bench mobile main.py
	$(BIN)/mypy

schema: install
	$(BIN)/haven schema

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) haven.sqlite3 *.egg-info
