# The two commands of the README: `make demo` and `make test`. Both start from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench bench-quick bench-analyze clean golden browser serve readme

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

pytest: $(STAMP) browser
	$(BIN)/pytest

# The browser tests drive the distribution's Chromium through chromedriver;
# install both when missing (Debian: needs root, as CI has).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "Installing Chromium and chromedriver for the browser tests (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

# The workbench records rounds and saves packages: it serves a copy of the example
# data (out/deals, as `dealbench demo` writes), never the tracked deals/ itself.
serve: $(STAMP)
	@test -d out/deals || { mkdir -p out && cp -R deals out/deals; }
	$(BIN)/dealbench serve out/deals

SIZES ?= S,M,L
bench: $(STAMP)
	$(BIN)/python bench/run.py --sizes $(SIZES)

bench-quick: $(STAMP)
	$(BIN)/python bench/run.py --quick

bench-analyze: $(STAMP)
	$(BIN)/python bench/analyze.py

golden: $(STAMP)
	$(BIN)/pytest tests/test_golden.py --update-golden

readme: $(STAMP)
	$(BIN)/python tools/readme.py

clean:
	rm -rf $(VENV) out build *.egg-info src/*.egg-info
