#!/usr/bin/env bash
# Creates .venv with uv and installs the project with its dev extras (what `make setup` runs).
# uv is taken from PATH, from `python3 -m uv`, or installed with pip: into the user site, else
# (where the system Python is "externally managed", PEP 668) into a small bootstrap venv.
set -euo pipefail
cd "$(dirname "$0")/.."

find_uv() {
  if command -v uv >/dev/null 2>&1; then echo uv; return 0; fi
  if python3 -m uv --version >/dev/null 2>&1; then echo "python3 -m uv"; return 0; fi
  for candidate in "$HOME/.local/bin/uv" .uv-bootstrap/bin/uv; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

if ! UV=$(find_uv); then
  echo "setup: uv not found; installing it with pip" >&2
  python3 -m pip install -q --user uv 2>/dev/null \
    || { python3 -m venv .uv-bootstrap && .uv-bootstrap/bin/pip install -q uv; }
  UV=$(find_uv)
fi

# --python pins the interpreter: `python3 -m uv` would otherwise install into the Python running it.
$UV venv -q --allow-existing --python "$(command -v python3)" .venv
# --compile-bytecode: this environment sets PYTHONDONTWRITEBYTECODE, so without it every process
# (each Dagster run worker included) compiles its imports from source, seconds per start.
$UV pip install -q --compile-bytecode --python .venv/bin/python -e '.[dev]'
