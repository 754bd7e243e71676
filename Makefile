# Procore Pipelines: `make demo` runs the product on its embedded default; `make test` runs the checks.
# Both set themselves up: they create .venv with uv (installing uv with pip when it is missing).

VENV   := .venv
PYTHON := $(VENV)/bin/python

.PHONY: setup demo demo-smoke test lint bench clean prod-local rebuild-warehouse soak

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/setup_venv.sh
	@bash scripts/setup_venv.sh
	@touch $@

# `make demo ARGS="--dashboard-port 8601"` passes flags on (see `python scripts/demo.py --help`).
demo: setup
	$(PYTHON) scripts/demo.py $(ARGS)

# Starts everything, checks every address answers from the processes it started and the history is filled, stops.
demo-smoke: setup
	$(PYTHON) scripts/demo.py --smoke $(ARGS)

lint: setup
	$(VENV)/bin/ruff check .

test: lint
	$(VENV)/bin/pytest

bench: setup
	$(PYTHON) bench/run_all.py

soak: setup
	$(PYTHON) bench/soak.py

# The production shape on this machine: dagster-webserver + dagster-daemon on PostgreSQL, dashboard, webhooks.
prod-local: setup
	$(PYTHON) scripts/prod_local.py

# Rebuild a lost or corrupted warehouse.duckdb by a full sync (docs/operations.md).
rebuild-warehouse: setup
	$(PYTHON) -m operations.rebuild

clean:
	rm -rf data .dagster_home .dagster_prod_home test-artifacts .pytest_cache .ruff_cache
