# Two commands matter: `make run` (set up everything and serve) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
export DATABASE_URL ?= sqlite+aiosqlite:///./var/portal.db

.PHONY: run serve install migrate demo test test-plain test-postgres browser check lint format openapi bench fuzz races clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

migrate: install
	$(BIN)/portal migrate

demo: migrate
	$(BIN)/portal demo

## make run: venv, install, migrate the SQLite database under ./var/, demo account, serve on 127.0.0.1:8000
run: demo
	$(BIN)/portal serve

serve: install
	$(BIN)/portal serve

## make browser: Debian's chromium for the browser tests (Playwright drives it; nothing is downloaded)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "browser tests need Debian's chromium: sudo apt-get install chromium"; fi; }
	@# Fonts for the scripts the portal is written in (screenshots in ja, ko, zh, th show boxes without them).
	@command -v fc-list >/dev/null 2>&1 && fc-list :lang=ja | grep -q . || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fonts-thai-tlwg >/dev/null \
	      || echo "could not install fonts-noto-cjk fonts-thai-tlwg: CJK and Thai screenshots show boxes"; \
	  else echo "CJK and Thai screenshots need fonts: sudo apt-get install fonts-noto-cjk fonts-thai-tlwg"; fi; }

## make test: the suite on SQLite; again on PostgreSQL when TEST_DATABASE_URL is set
test: install browser
	env -u TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then echo "== again on PostgreSQL"; $(BIN)/pytest; fi

## make test-plain: the API, portal, store and race suites with the store's fast path off (STORE_FAST_PATH=false)
test-plain: install
	env -u TEST_DATABASE_URL STORE_FAST_PATH=false $(BIN)/pytest -q tests/api tests/portal tests/store tests/races tests/events

test-postgres: install browser
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(BIN)/pytest

## make check: lint, format, types, migrations in sync with the models, OpenAPI in sync with the app
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	rm -f var/check.db && DATABASE_URL=sqlite+aiosqlite:///./var/check.db $(BIN)/alembic upgrade head \
		&& DATABASE_URL=sqlite+aiosqlite:///./var/check.db $(BIN)/alembic check && rm -f var/check.db*
	$(BIN)/portal openapi --check

lint: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

openapi: install
	$(BIN)/portal openapi

## make bench: load benchmarks as ratios to the stack's floor (not part of make test); BENCH_ROWS=100000 for a quick run
bench: install
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench.run

## make fuzz: the longer schemathesis pass (CI runs a short one in make test); FUZZ_EXAMPLES, FUZZ_SEED, FUZZ_DATABASE_URL
fuzz: install
	$(BIN)/python -m tests.fuzz.fuzz

## make races: the race suite, RACE_TRIALS (200) trials of each race on SQLite and PostgreSQL (make test runs 2)
races: install
	$(BIN)/python -m tests.races.run

clean:
	rm -rf $(VENV) var/*.db var/*.db-* .mypy_cache .ruff_cache
