# The course's commands. Everything runs from the project's own virtual environment (.venv),
# created and filled from pyproject.toml on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: install serve site test lint release clean
.PRECIOUS: $(VENV)/.installed-%

# One stamp per set of extras: building the site installs only what the site needs.
$(VENV)/.installed-%: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$*]"
	@touch $@

install: $(VENV)/.installed-dev

## serve: build the site and serve it with live reload on http://127.0.0.1:8000
serve: site
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

## site: strict build of the three-language site into site/
site: $(VENV)/.installed-site
	$(BIN)/mkdocs build --strict

## test: the whole test suite, browser tests included, in two processes (a test file stays in one:
## its module fixtures, a Dask cluster or a graded batch, are built once). TEST_WORKERS=0 runs it in one.
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest --numprocesses $(TEST_WORKERS) --dist loadfile

## lint: ruff over the Python code, and the type checker over the packages
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## release: regenerate exercises/ (the student versions) from solutions/
release: install
	$(BIN)/cx-grader release

clean:
	rm -rf site .pytest_cache
