# The two commands of the README: `make demo` and `make test`. Both start from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench bench-quick clean golden readme

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dealbench demo

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

SIZES ?= S,M,L
bench: $(STAMP)
	$(BIN)/python bench/run.py --sizes $(SIZES)

bench-quick: $(STAMP)
	$(BIN)/python bench/run.py --quick

golden: $(STAMP)
	$(BIN)/pytest tests/test_golden.py --update-golden

readme: $(STAMP)
	$(BIN)/python tools/readme.py

clean:
	rm -rf $(VENV) out build *.egg-info src/*.egg-info
