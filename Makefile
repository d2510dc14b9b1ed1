# Twintrack: `make demo` runs the main job on the bundled demo; `make test` runs the suite.
# Both create .venv in the repo root if missing and install the project into it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export QT_QPA_PLATFORM ?= offscreen

.PHONY: demo test gallery model install install-test system-deps system-deps-test warmup bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv

# --compile-bytecode: write every .pyc at install time.  Some environments set
# PYTHONDONTWRITEBYTECODE, and then every process would recompile ~1500 modules
# from source (about 5 s of a cold start).
UV_INSTALL = $(BIN)/uv pip install -q --compile-bytecode --python $(BIN)/python

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(UV_INSTALL) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(UV_INSTALL) -e '.[test]'
	@touch $@ $(VENV)/.installed

system-deps:
	@bash packaging/install-system-deps.sh runtime

system-deps-test:
	@bash packaging/install-system-deps.sh test

install: system-deps $(VENV)/.installed

install-test: system-deps-test $(VENV)/.installed-test

# Compile and cache librosa's numba functions once, so later processes start fast.
warmup: install
	$(BIN)/twintrack warmup

demo: install
	$(BIN)/twintrack warmup --quiet
	$(BIN)/twintrack demo --out-dir demo-output

test: install-test
	$(BIN)/twintrack warmup --quiet
	$(BIN)/python -m pytest -q

# One render per genre plus momentum and valence sweeps: WAV + spectrogram PNG each.
gallery: install
	$(BIN)/twintrack gallery --out-dir gallery

# The shipped default descriptor model, reproducibly: a corpus of 20 renders per active
# descriptor (10/30/60 s), then the hierarchical MLP (about 30-60 min on 2 cores).
model: install
	$(BIN)/twintrack corpus build/corpus20 --per-descriptor 20 --durations 10,30,60
	$(BIN)/twintrack train build/corpus20 --kind mlp --seed 0 --out resources/models/default.skops

bench: install
	$(BIN)/python bench/analysis.py

clean:
	rm -rf demo-output .pytest_cache .hypothesis
