# The two commands a new user runs: `make test` and `make lab`. Each does its own setup.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: test lab setup oracle-deps clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[course,test]'
	touch $(STAMP)

setup: $(STAMP)

# As root on Debian, install the system packages the oracle tests need (no-op otherwise).
oracle-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  sh tests/install_oracles.sh; \
	else echo "oracle-deps: not root or not Debian; oracle tests will skip with a reason"; fi

test: $(STAMP) oracle-deps
	$(PY) -m pytest

# JupyterLab on the course: instructor sources in notebooks/, the student version in release/.
lab: $(STAMP)
	$(VENV)/bin/autograder release
	$(VENV)/bin/jupyter lab --notebook-dir=. $$( [ "$$(id -u)" = 0 ] && echo --allow-root ) $(LAB_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/engine.py

clean:
	rm -rf $(VENV) .pytest_cache
