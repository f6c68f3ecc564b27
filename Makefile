# qcity: two commands. `make run` serves the demo city; `make test` runs every gate.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(VENV)

VENDOR := src/qcity/web/static/vendor

.PHONY: run test install browser lint typecheck pytest bench clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode is compiled at install: with PYTHONDONTWRITEBYTECODE set (common in containers)
# every process would otherwise compile its imports from source (about 10 s a process).
$(VENV)/.installed: pyproject.toml uv.lock | $(BIN)/uv
	$(BIN)/uv sync --frozen --inexact --quiet --compile-bytecode
	touch $@

$(VENV)/.compiled: $(VENV)/.installed $(shell find src -name '*.py')
	$(BIN)/python -m compileall -q -j 0 src/qcity
	touch $@

# Front-end libraries from npm (pinned by package-lock.json), served locally: no CDN.
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/i18n/langEN.js \
	   node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	touch $@

install: $(VENV)/.installed $(VENV)/.compiled $(VENDOR)/.installed

# Debian Chromium and a CJK font for the browser tests (installed only when missing).
browser:
	.ci/ensure-browser

run: install
	$(BIN)/qcity db upgrade
	$(BIN)/qcity demo build --if-missing
	$(BIN)/qcity analytics rebuild
	$(BIN)/qcity users ensure-demo-admin
	$(BIN)/qcity serve

test: install lint typecheck pytest

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

pytest: install browser
	$(BIN)/pytest -n 2

# Benchmarks print ratios against named baselines; they are slow (minutes) and not part of CI.
bench: install
	$(BIN)/python bench/spc.py
	$(BIN)/python bench/demo_build.py
	$(BIN)/python bench/inspection_import.py
	$(BIN)/python bench/inspection_query.py
	$(BIN)/python bench/epcis_capture.py
	$(BIN)/python bench/trace.py --events 1000000

clean:
	rm -rf $(VENV) $(VENDOR) node_modules .mypy_cache .ruff_cache .pytest_cache
