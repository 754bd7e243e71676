"""Who may import whom, read from every module's imports (`ast`, deferred imports included).

- `pipeline_settings` and `procore_sandbox` import nothing of this project (the sandbox is Procore, seen
  from outside); `transforms` imports only the standard library and duckdb.
- `procore_source` and `warehouse` never import dagster; `procore_source` imports only `pipeline_settings`
  of the project, `warehouse` only `pipeline_settings`, `procore_source` and `transforms`.
- `webhooks` imports only `pipeline_settings` and `procore_source`; `dashboard` only `pipeline_settings`
  (it reads nothing but its snapshot and its store); `operations` anything but `dashboard`.
- Nothing imports `orchestration` (the Dagster wiring) but itself, `operations`, tests, bench and scripts.
- No two packages import each other, directly or round a longer circle.

Each failure names the file, the line and the import.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("pipeline_settings", "procore_source", "procore_sandbox", "warehouse", "transforms", "orchestration",
            "dashboard", "webhooks", "operations")
OUTSIDE = ("tests", "bench", "scripts")  # they may import anything
STDLIB = set(sys.stdlib_module_names)

# package -> the project packages it may import (besides itself); None: any
MAY_IMPORT: dict[str, set[str] | None] = {
    "pipeline_settings": set(),
    "procore_sandbox": set(),
    "transforms": set(),
    "procore_source": {"pipeline_settings"},
    "warehouse": {"pipeline_settings", "procore_source", "transforms"},
    "webhooks": {"pipeline_settings", "procore_source"},
    "dashboard": {"pipeline_settings"},
    "orchestration": {"pipeline_settings", "procore_source", "warehouse", "transforms", "webhooks"},
    "operations": {"pipeline_settings", "procore_source", "procore_sandbox", "warehouse", "transforms",
                   "orchestration", "webhooks"},
}
NEVER_DAGSTER = ("procore_source", "warehouse", "pipeline_settings", "procore_sandbox", "transforms", "dashboard",
                 "webhooks")
THIRD_PARTY_ALLOWED = {"transforms": {"duckdb"}}  # packages held to a list of outside libraries


@dataclass(frozen=True)
class Import:
    """One import statement: the file, its line, the module it names, and the package the file belongs to."""

    path: Path
    line: int
    module: str
    package: str

    @property
    def top(self) -> str:
        """The top-level name the import reaches (`warehouse` for `warehouse.sync`)."""
        return self.module.split(".", 1)[0]

    def where(self, root: Path) -> str:
        return f"{self.path.relative_to(root)}:{self.line} imports {self.module}"


def imports_of(root: Path, folders: tuple[str, ...] = PACKAGES) -> Iterator[Import]:
    """Every import of every module under `root/<folder>` (relative imports resolved to their package)."""
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        yield Import(path, node.lineno, alias.name, folder)
                elif isinstance(node, ast.ImportFrom):
                    module = node.module or ""
                    yield Import(path, node.lineno, folder + "." + module if node.level else module, folder)


def rule_breaks(root: Path) -> list[str]:
    """One line per import that breaks a rule of the module docstring."""
    found = []
    for imp in imports_of(root):
        allowed = MAY_IMPORT[imp.package]
        if imp.top in PACKAGES and imp.top != imp.package and allowed is not None and imp.top not in allowed:
            found.append(f"{imp.where(root)}: {imp.package} may import only "
                         f"{', '.join(sorted(allowed)) or 'nothing'} of this project")
        if imp.package in NEVER_DAGSTER and imp.top.startswith("dagster"):
            found.append(f"{imp.where(root)}: {imp.package} never imports dagster")
        third = THIRD_PARTY_ALLOWED.get(imp.package)
        if third is not None and imp.top not in PACKAGES and imp.top not in STDLIB and imp.top not in third:
            found.append(f"{imp.where(root)}: {imp.package} imports only the standard library and "
                         f"{', '.join(sorted(third))}")
    return found


def package_circles(root: Path) -> list[str]:
    """Every circle of imports between packages, each with one import per step."""
    edges: dict[str, dict[str, Import]] = {}
    for imp in imports_of(root):
        if imp.top in PACKAGES and imp.top != imp.package:
            edges.setdefault(imp.package, {}).setdefault(imp.top, imp)
    circles: set[tuple[str, ...]] = set()

    def walk(node: str, path: tuple[str, ...]) -> None:
        for nxt in edges.get(node, {}):
            if nxt in path:
                loop = path[path.index(nxt):]
                start = loop.index(min(loop))
                circles.add(loop[start:] + loop[:start])
            else:
                walk(nxt, (*path, nxt))

    for package in sorted(edges):
        walk(package, (package,))
    described = []
    for loop in sorted(circles):
        steps = [edges[a][b].where(root) for a, b in zip(loop, (*loop[1:], loop[0]), strict=True)]
        described.append(" -> ".join((*loop, loop[0])) + ": " + "; ".join(steps))
    return described


def test_every_package_imports_only_what_it_may():
    breaks = rule_breaks(ROOT)
    assert not breaks, "import rules broken:\n" + "\n".join(breaks)


def test_no_two_packages_import_each_other():
    circles = package_circles(ROOT)
    assert not circles, "packages import each other:\n" + "\n".join(circles)


def test_only_operations_tests_bench_and_scripts_import_the_orchestration():
    importers = {imp.package for imp in imports_of(ROOT) if imp.top == "orchestration"} - {"orchestration"}
    assert importers <= {"operations"}, importers
    outside = {imp.package for imp in imports_of(ROOT, OUTSIDE) if imp.top == "orchestration"}
    assert outside, "the rules read no import of the orchestration at all: is the walk broken?"


def test_every_package_is_under_a_rule():
    folders = {p.parent.name for p in ROOT.glob("*/__init__.py")} - set(OUTSIDE)
    assert folders == set(PACKAGES), "give the new package its rules in tests/test_architecture.py"


@pytest.mark.parametrize(("files", "expected"), [
    ({"warehouse/sync.py": "import dagster as dg\n"},
     "warehouse/sync.py:1 imports dagster: warehouse never imports dagster"),
    ({"dashboard/app.py": "\n\nfrom warehouse.publish import SERVED_MARTS\n"},
     "dashboard/app.py:3 imports warehouse.publish: dashboard may import only pipeline_settings of this project"),
    ({"transforms/runner.py": "def f():\n    import pandas\n"},
     "transforms/runner.py:2 imports pandas: transforms imports only the standard library and duckdb"),
    ({"procore_sandbox/app.py": "from .store import RESOURCES\nfrom procore_source.streams import RFIS\n"},
     "procore_sandbox/app.py:2 imports procore_source.streams: procore_sandbox may import only nothing of this "
     "project"),
])
def test_a_broken_rule_names_the_file_and_the_import(tmp_path, files, expected):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert rule_breaks(tmp_path) == [expected]


def test_a_circle_between_packages_is_named_with_its_imports(tmp_path):
    for name, text in {"webhooks/a.py": "from operations import b\n", "operations/b.py": "import webhooks.a\n"}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert package_circles(tmp_path) == [
        "operations -> webhooks -> operations: operations/b.py:1 imports webhooks.a; webhooks/a.py:1 imports "
        "operations"]
