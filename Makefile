# `make run` and `make test` do all the set-up on a fresh machine: they create .venv if missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export COLORIZER_DATA ?= $(abspath ../shared/data)

.PHONY: install run test bench fuzz lint dist clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[dev,train]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/colorizer gui resources/samples

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -s tests/benchmarks -p no:cacheprovider -o addopts=""

# The long fuzz run whose figures are in the README (CI runs 300 cases of each).
fuzz: $(STAMP)
	COLORIZER_FUZZ=20000 $(PY) -m pytest -q -s tests/test_badfiles.py -k fuzz -p no:cacheprovider

lint: $(STAMP)
	$(VENV)/bin/ruff check colorizer_app tests
	$(VENV)/bin/ruff format --check colorizer_app tests
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

dist: $(STAMP)
	$(PY) -m pip install 'pyinstaller>=6'
	$(VENV)/bin/pyinstaller --noconfirm --distpath dist --workpath build/pyinstaller installer/colorizer.spec
	du -sh dist/Colorizer

clean:
	rm -rf build dist out *.egg-info .pytest_cache
