# The two commands a new user runs: `make test` and `make lab`. Each does its own setup.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
ROOT_FLAG = $$( [ "$$(id -u)" = 0 ] && echo --allow-root )
# the Lab terminal: layerlab and autograder on PATH, and binder/bin's `docker` (layerlab) after
# any real docker
LAB_ENV = PATH="$(CURDIR)/$(VENV)/bin:$$PATH:$(CURDIR)/binder/bin"

.PHONY: test lab lab-instructor practice release distribute setup oracle-deps clean bench docs lite lite-serve

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[course,grid,test]'
	@# bytecode now, so each `layerlab` command does not compile ~80 modules where the
	@# environment sets PYTHONDONTWRITEBYTECODE (containers often do)
	$(PY) -m compileall -q layerlab autograder
	touch $(STAMP)

# JupyterLab defaults of the course (no news toast; Markdown opens rendered), as on Binder
$(LAB_SETTINGS): binder/learner/overrides.json $(STAMP)
	mkdir -p $(dir $@)
	cp $< $@

setup: $(STAMP) $(LAB_SETTINGS)

# As root on Debian, install the system packages the oracle tests need (no-op otherwise).
oracle-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  sh tests/install_oracles.sh; \
	else echo "oracle-deps: not root or not Debian; oracle tests will skip with a reason"; fi

test: $(STAMP) oracle-deps
	$(PY) -m pytest

practice: $(STAMP)
	$(VENV)/bin/autograder release --practice

release: $(STAMP)
	$(VENV)/bin/autograder release

# The learner's view: the practice release, opened at its start page, nbgrader's instructor
# panels off (binder/learner), as the Binder badge shows it.
lab: setup practice
	$(LAB_ENV) JUPYTER_CONFIG_PATH="$(CURDIR)/binder/learner" \
	  $(VENV)/bin/jupyter lab --ServerApp.root_dir=practice practice/00-start-here.ipynb $(ROOT_FLAG) $(LAB_ARGS)

# The instructor's view: the sources in notebooks/ (solutions, hidden tests), release/ and
# practice/ next to them, nbgrader's panels on.
lab-instructor: setup practice release
	$(LAB_ENV) $(VENV)/bin/jupyter lab --ServerApp.root_dir=. notebooks/00-start-here.ipynb $(ROOT_FLAG) $(LAB_ARGS)

# The tree a public learner repository serves (no solutions, no hidden tests): DIST=folder
DIST ?= dist/course
distribute: $(STAMP)
	$(VENV)/bin/autograder distribute $(DIST) --force

# The course in the browser, no server: a static JupyterLite site of the practice release in
# LITE/ (binder/lite/build.py: pinned downloads from PyPI and npm at build time only, its own
# .lite-venv); `make lite-serve` serves it on loopback. Publish the folder on any static host.
LITE ?= _lite
LITE_PORT ?= 8000
lite:
	$(PYTHON) binder/lite/build.py --output $(LITE)

lite-serve:
	@test -f $(LITE)/jupyter-lite.json || { echo "no site in $(LITE)/: run make lite first"; exit 1; }
	@echo "the course: http://127.0.0.1:$(LITE_PORT)/lab/index.html?path=00-start-here.ipynb"
	$(PYTHON) -m http.server --bind 127.0.0.1 --directory $(LITE) $(LITE_PORT)

bench: $(STAMP)
	$(PY) benchmarks/engine.py
	$(PY) benchmarks/cli.py

# Generated docs (tests never write tracked files): docs/conformance.md from a conformance run
docs: $(STAMP) oracle-deps
	LAYERLAB_WRITE_DOCS=1 $(PY) -m pytest tests/conformance -q -p no:cacheprovider

clean:
	rm -rf $(VENV) .pytest_cache .lite-venv .lite-cache _lite
