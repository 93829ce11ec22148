# casebook: `make book` builds everything from a fresh clone; `make test` runs the whole test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test check clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/casebook build

# The browser tests drive Debian's chromium (no browser download): install it when it is missing, with
# the Liberation fonts (metric-compatible with Arial, which the tables ask for first: without a narrow
# font the widest tables do not fit at 1280 px) and poppler-utils (pdftotext for the PDF tests).
chromium:
	@{ command -v chromium && command -v pdftotext && ls /usr/share/fonts/truetype/liberation*/LiberationSans-Regular.ttf; } \
	  >/dev/null 2>&1 || { \
	  echo "installing Debian chromium, fonts-liberation and poppler-utils for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation \
	    poppler-utils >/dev/null; }

test: $(STAMP) chromium
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

check: $(STAMP)
	$(BIN)/casebook check

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
