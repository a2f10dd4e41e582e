# Two commands set up and run everything on a fresh machine:
#   make run   – create .venv, install, build the offline index, store the bundled seed articles
#                of seeds/index.json in a new store (before the server starts), start the app
#   make test  – create .venv, install dev tools, lint, run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test lint bench eval benchmarks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

# Only this machine may connect unless ADDRESS says otherwise (README: "Sharing the app").
run: ADDRESS ?= 127.0.0.1
run: $(VENV)/.runtime
	$(BIN)/python -m geo gazetteer build
	$(BIN)/python -m geo seed
	$(BIN)/streamlit run streamlit_app.py --server.address $(ADDRESS) --server.port $(PORT)

lint: $(VENV)/.dev
	$(BIN)/ruff check geo tests streamlit_app.py
	$(BIN)/ruff format --check geo tests streamlit_app.py
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

bench: $(VENV)/.runtime
	$(BIN)/python -m geo bench

eval: $(VENV)/.runtime
	$(BIN)/python ../shared/eval/score.py ../shared/eval --cmd "$(BIN)/python -m geo extract"

benchmarks: $(VENV)/.runtime
	$(BIN)/python -m geo eval all

clean:
	rm -rf data/cache .pytest_cache .mypy_cache .ruff_cache artifacts
