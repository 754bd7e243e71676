# Procore Pipelines: `make demo` runs the product on its embedded default; `make test` runs the checks.
# Both set themselves up: they create .venv with uv (installing uv with pip when it is missing).
# `--python` pins the target: `python3 -m uv` would otherwise install into the interpreter running it.

VENV   := .venv
PYTHON := $(VENV)/bin/python
UV     := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")

.PHONY: setup demo test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install -q uv
	$(UV) venv -q --allow-existing $(VENV)
	$(UV) pip install -q --python $(PYTHON) -e '.[dev]'
	@touch $@

demo: setup
	$(PYTHON) scripts/demo.py

lint: setup
	$(VENV)/bin/ruff check .

test: lint
	$(VENV)/bin/pytest

bench: setup
	$(PYTHON) bench/run_all.py

clean:
	rm -rf data .dagster_home test-artifacts .pytest_cache .ruff_cache
