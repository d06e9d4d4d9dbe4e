# Two commands do everything: `make run` starts the app, `make test` runs the whole test suite headless.
# Both set up .venv (and the system libraries Qt needs) first, when needed.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.bootstrapped

.PHONY: run test test-fast lint format bench package clean

$(STAMP): pyproject.toml scripts/bootstrap.sh scripts/apt.sh
	VENV=$(VENV) scripts/bootstrap.sh
	touch $@

# The compiled translations (build outputs): rebuilt when their .ts changes.
QM := $(patsubst %.ts,%.qm,$(wildcard resources/i18n/*.ts))
$(QM): %.qm: %.ts $(STAMP)
	$(PY) scripts/i18n.py build

run: $(STAMP) $(QM)
	$(PY) -m bertviz_app

test: $(STAMP) $(QM)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest
	$(VENV)/bin/ruff check .

test-fast: $(STAMP) $(QM)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

bench: $(STAMP)
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_app.py

# Offline installers in dist/: the one-folder app, a .deb and a self-extracting .run (see packaging/README.md).
package: $(STAMP)
	VENV=$(VENV) packaging/build.sh

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
