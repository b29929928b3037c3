# The task file. README's commands and .ci/run call exactly these targets.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# Two cores: pytest-xdist with two workers.
PYTEST_ARGS ?= -n 2

.PHONY: install run demo test lint typecheck unit assets chromium virtuoso icu java bench clean screenshots

# FollowTheMoney (the `ftm` extra) needs PyICU, which compiles from source: Debian's
# libicu-dev, pkg-config and a C++ compiler first (CI machines start without them).
icu:
	@{ command -v g++ >/dev/null 2>&1 && command -v pkg-config >/dev/null 2>&1 && \
	   pkg-config --exists icu-uc; } || { \
	  SUDO=$$(command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    libicu-dev pkg-config g++; }

$(STAMP): pyproject.toml | icu
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,bench,ftm,spark]'
	touch $(STAMP)

install: $(STAMP) assets

assets:
	@if [ -f api/assets/package.json ]; then cd api/assets && npm ci --no-audit --no-fund --loglevel=error; fi

# Debian's chromium for the browser tests (CI machines start without it), CJK fonts
# so that Chinese names render in pages and screenshots, and iso-codes, from which
# seeds/countries.ttl is generated (a test checks that the committed file has not drifted).
chromium:
	@{ command -v chromium >/dev/null 2>&1 && [ -d /usr/share/fonts/opentype/noto ] && \
	   [ -d /usr/share/iso-codes/json ]; } || { \
	  SUDO=$$(command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium chromium-driver fonts-noto-cjk iso-codes; }

# Debian's OpenJDK 17 for `survkg ranking --engine spark` (pyspark runs in a JVM; CI
# machines start without one). Skipped when a `java` is already on the PATH.
java:
	@command -v java >/dev/null 2>&1 || { \
	  SUDO=$$(command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    openjdk-17-jre-headless; }

# Debian's Virtuoso 7.2 (virtuoso-t, isql-vt) for the remote-store conformance tests and
# the store-servers bench; CI machines start without it. No dba password is preseeded, so
# debconf asks nothing; the tests start their own virtuoso-t on free loopback ports, and
# the package's system service (ports 1111 and 8890, default password) is stopped and
# disabled so that nothing is left listening.
virtuoso:
	@{ command -v virtuoso-t >/dev/null 2>&1 && command -v isql-vt >/dev/null 2>&1; } || { \
	  SUDO=$$(command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends virtuoso-opensource && { \
	  $$SUDO invoke-rc.d virtuoso-opensource-7 stop >/dev/null 2>&1; \
	  $$SUDO update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1; \
	  if command -v systemctl >/dev/null 2>&1; then \
	    $$SUDO systemctl disable --now virtuoso-opensource-7 >/dev/null 2>&1; fi; true; }; }

# Main job on the embedded default store: seed it, print what it holds and who is
# exposed, then serve the endpoint, the API and the pages on http://127.0.0.1:8000.
run: install
	$(BIN)/survkg info
	$(BIN)/survkg ranking
	$(BIN)/survkg serve

# Same as run, without starting the server.
demo: install
	$(BIN)/survkg info
	$(BIN)/survkg ranking

lint: $(STAMP)
	$(BIN)/ruff check graph api tests bench

typecheck: $(STAMP)
	$(BIN)/mypy graph api

unit: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test: install chromium virtuoso java lint typecheck unit

# Refresh the README's screenshots from the browser tests.
screenshots: install chromium
	SURVKG_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest -m browser -p no:randomly

bench: install
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache api/assets/node_modules
