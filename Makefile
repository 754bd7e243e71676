# Procore Pipelines: `make demo` runs the product on its embedded default; `make test` runs the checks.
# Both set themselves up: they create .venv with uv (installing uv with pip when it is missing).

VENV   := .venv
PYTHON := $(VENV)/bin/python

.PHONY: setup demo test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/setup_venv.sh
	@bash scripts/setup_venv.sh
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
