# Twintrack: `make demo` runs the main job on the bundled demo; `make test` runs the suite.
# Both create .venv in the repo root if missing and install the project into it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export QT_QPA_PLATFORM ?= offscreen

.PHONY: demo test gallery model install install-test system-deps system-deps-test warmup bench \
	clean app test-app install-desktop uninstall-desktop icons

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

# The main job on the demo track, written to demo-output/; then, when a display is there
# (DISPLAY or WAYLAND_DISPLAY set and Qt can connect: python -m gui.display decides),
# the window opens on the demo track with that render as lane B.  Without one it stays
# headless and exits.  The window must not inherit the tests' offscreen default above
# (a QT_QPA_PLATFORM set by the user is kept).
DEMO_TRACK  := resources/demo/karissa_hobbs-lets_go_fishin.ogg
DEMO_RENDER := demo-output/karissa_hobbs-lets_go_fishin.render.wav
GUI_ENV     := $(if $(filter file,$(origin QT_QPA_PLATFORM)),env -u QT_QPA_PLATFORM,env)

demo: install
	$(BIN)/twintrack warmup --quiet
	$(BIN)/twintrack demo --out-dir demo-output
	@if $(GUI_ENV) $(BIN)/python -m gui.display; then \
		echo "opening the demo track and its render in the window (close it to finish)"; \
		$(GUI_ENV) $(BIN)/twintrack gui $(DEMO_TRACK) --render $(DEMO_RENDER); \
	else \
		echo "no window: the results are in demo-output/"; \
	fi

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
	$(BIN)/python -m bench.analysis

# The one-folder desktop app, dist/twintrack/ (its binary is the whole `twintrack`
# command; `dist/twintrack/twintrack gui` opens the window).  PYINSTALLER and
# APP_PYTHON may name another environment's (the shared one of a worktree).
APP_PYTHON  ?= $(BIN)/python
PYINSTALLER ?= $(BIN)/pyinstaller
$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(UV_INSTALL) -e '.[app]'
	@touch $@

app:
	@if [ "$(PYINSTALLER)" = "$(BIN)/pyinstaller" ]; then $(MAKE) $(VENV)/.installed-app; fi
	$(PYINSTALLER) --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/twintrack.spec

# The smoke test of the frozen app (slow; not part of `make test`): --version, analyze
# on the demo, the window offscreen for a few seconds.
test-app: app
	@if [ "$(APP_PYTHON)" = "$(BIN)/python" ]; then $(MAKE) $(VENV)/.installed-test; fi
	$(APP_PYTHON) -m pytest -q -p no:cacheprovider --run-app tests/test_frozen_app.py

# The icon's PNG sizes, drawn from resources/icons/twintrack.svg (committed).
icons:
	$(APP_PYTHON) -m tools.make_icons

# The desktop entry and icons, into the user's XDG folders (no root needed).
XDG_DATA_HOME ?= $(HOME)/.local/share
install-desktop:
	bash packaging/desktop-entry.sh install "$(XDG_DATA_HOME)"

uninstall-desktop:
	bash packaging/desktop-entry.sh uninstall "$(XDG_DATA_HOME)"

clean:
	rm -rf demo-output .pytest_cache .hypothesis
