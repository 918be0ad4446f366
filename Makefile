# Two commands on a fresh clone: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

# Python writes the bytecode of what it imports (into .venv and the ignored __pycache__
# folders): the install leaves compiling to first use (--no-compile below), and a
# PYTHONDONTWRITEBYTECODE set for the shell would otherwise make every test's subprocess
# compile torch's and transformers' modules from source again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: install index run chromium servers test test-fast bench bench-quick load clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# --no-compile: pip would compile every module of torch, transformers and SymPy to
	# bytecode, one at a time (about two thirds of the install's time); Python compiles the
	# few a process imports on first use instead, once (see PYTHONDONTWRITEBYTECODE above).
	# The CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build.
	$(BIN)/python -m pip install -q --no-compile torch==2.13.0
	$(BIN)/python -m pip install -q --no-compile -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# incremental: says "up to date" and returns quickly when no article changed
index: install
	$(BIN)/kb index

# the help portal on http://$(HOST):$(PORT)/ (waitress; picks up `kb index` rebuilds live)
run: index
	$(BIN)/kb serve --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here).
# Installed when missing and we may (root or sudo); otherwise those tests are skipped.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian chromium for the browser tests"; \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "chromium not found and cannot be installed here: browser tests will be skipped"; fi; }

# The store and replica tests start real PostgreSQL and Redis servers, and the deployment
# test runs deploy/nginx.conf in a real nginx (Debian's packages, in a temp folder on a free
# port). Installed when missing and we may; otherwise their tests are skipped.
servers:
	@{ ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1 \
	   && { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian postgresql, redis-server and nginx for the store, replica and deployment tests"; \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq postgresql redis-server nginx >/dev/null; \
	  else echo "postgresql/redis-server/nginx not found and cannot be installed here: their tests will be skipped"; fi; }

# two workers, one test file each at a time: most tests wait on a subprocess, a server or the
# browser, so two keep both cores busy (module fixtures stay with their file)
TEST_WORKERS ?= 2

test: install chromium servers
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=15

test-fast: install servers
	$(BIN)/python -m pytest -q -m "not browser and not slow"

bench: install
	$(BIN)/python -m pip install -q --no-compile -e '.[bench]'
	$(BIN)/python bench/retrieval.py --json bench/out/retrieval.json
	$(BIN)/python bench/perf.py --json bench/out/perf.json
	$(BIN)/python bench/hnsw_growth.py --json bench/out/hnsw_growth.json

bench-quick: install
	$(BIN)/python -m pip install -q --no-compile -e '.[bench]'
	$(BIN)/python bench/retrieval.py --quick
	$(BIN)/python bench/perf.py --quick --json bench/out/perf-quick.json

# 60 s at 32 concurrent clients against the real server while the index is rebuilt
load: install
	$(BIN)/python bench/load.py --seconds 60 --clients 32 --json bench/out/load.json

clean:
	rm -rf indexes test-output .pytest_cache
