# casebook: `make book` builds everything from a fresh clone; `make test` runs the whole test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

book: $(STAMP)
	@for s in $$($(BIN)/casebook list | cut -d' ' -f1); do $(BIN)/casebook results $$s || exit $$?; echo; done

test: $(STAMP)
	$(BIN)/python -m pytest -q

check: $(STAMP)
	$(BIN)/casebook check

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
