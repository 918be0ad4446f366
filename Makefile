# Two commands on a fresh clone: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install index run test test-fast bench bench-quick clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# the CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# incremental: says "up to date" and returns quickly when no article changed
index: install
	$(BIN)/kb index

# Until the web portal lands (issue 4) `make run` builds the index and answers one question.
run: index
	$(BIN)/kb search "Wo ist mein Paket?" --limit 3

test: install
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not browser and not slow"

bench: install
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/retrieval.py --json bench/out/retrieval.json

bench-quick: install
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/retrieval.py --quick

clean:
	rm -rf indexes test-output .pytest_cache
