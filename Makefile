# The course's commands. Everything runs from the project's own virtual environment (.venv),
# created and filled from pyproject.toml on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export NO_MKDOCS_2_WARNING := 1

.PHONY: install serve site test lint release clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

## serve: build the site and serve it with live reload on http://127.0.0.1:8000
serve: site
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

## site: strict build of the three-language site into site/
site: install
	$(BIN)/mkdocs build --strict

## test: the whole test suite, browser tests included
test: install
	$(BIN)/python -m pytest

## lint: ruff over the Python code
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## release: regenerate exercises/ (the student versions) from solutions/
release: install
	$(BIN)/cx-grader release

clean:
	rm -rf site .pytest_cache
