"""The only private Dagster names the project uses are still where `operations/run_launcher.py` imports them,
and the installed Dagster is the minor version `pyproject.toml` pins."""

from __future__ import annotations

import importlib
import importlib.metadata
import re
from pathlib import Path

import pytest

from operations import run_launcher

ROOT = Path(__file__).resolve().parents[2]
FIX = "update operations/run_launcher.py and the dagster pin in pyproject.toml"


def _pinned(package: str) -> tuple[str, str]:
    """The (lower, upper) bounds `pyproject.toml` gives `package`."""
    found = re.search(rf'"{re.escape(package)}>=([\d.]+),<([\d.]+)"', (ROOT / "pyproject.toml").read_text())
    assert found, f"pyproject.toml must pin {package} to a minor version (>=X.Y,<X.Y+1)"
    return found.group(1), found.group(2)


@pytest.mark.parametrize(("module", "name"), [(m, n) for m, names in run_launcher.PRIVATE_DAGSTER_NAMES.items()
                                              for n in names])
def test_private_names_are_where_the_launcher_imports_them(module, name):
    version = importlib.metadata.version("dagster")
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        pytest.fail(f"dagster {version} moved {module}.{name}: {FIX}")
    assert getattr(run_launcher, name) is found, f"dagster {version} moved {module}.{name}: {FIX}"


def test_the_health_answer_has_the_shape_the_launcher_builds():
    version = importlib.metadata.version("dagster")
    result = run_launcher.CheckRunHealthResult(run_launcher.WorkerStatus.FAILED, "gone")
    assert (result.status, result.msg) == (run_launcher.WorkerStatus.FAILED, "gone"), \
        f"dagster {version} changed CheckRunHealthResult: {FIX}"
    assert {"RUNNING", "FAILED"} <= {s.name for s in run_launcher.WorkerStatus}, \
        f"dagster {version} changed WorkerStatus: {FIX}"
    assert "dagster_run" in run_launcher.LaunchRunContext._fields, f"dagster {version} changed LaunchRunContext: {FIX}"


@pytest.mark.parametrize("package", ["dagster", "dagster-webserver", "dagster-postgres"])
def test_installed_dagster_is_the_pinned_minor_version(package):
    lower, upper = _pinned(package)
    installed = tuple(int(p) for p in importlib.metadata.version(package).split(".")[:2])
    assert tuple(int(p) for p in lower.split(".")[:2]) <= installed < tuple(int(p) for p in upper.split(".")[:2]), (
        f"{package} {importlib.metadata.version(package)} is outside the pin >={lower},<{upper}: {FIX}")
