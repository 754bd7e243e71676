"""Side-by-side comparison of a sandbox record with a real Procore sample: keys and JSON types.

The rule, recursively (paths are dotted, list items `[]`, e.g. `assignees[].locale`):
- every key of the sample is in the record, with the same JSON type (a `common` sample, from a related
  endpoint such as a v1.1 show, constrains only the top-level keys the record shares with it, and
  allows record keys it lacks: the record's own endpoint's sample checks those) (`integer` and `number`
  distinct, except that a `number` sample accepts an integral value);
- `null` on either side matches only where Procore is known to send null there (`Rules.nullable`, each
  entry naming its non-null types and why null is known); null on both sides always matches;
- a type the sample does not show is accepted only where the real API is known to send it
  (`Rules.variants`: e.g. an RFI's `priority.name` is a label or `false`);
- nested objects and every list item are compared the same way, list items against the sample's first
  item (or, where the sample's list is empty, against `Rules.items`, a real item of the same shape from
  another sample);
- `Rules.maps` are objects keyed by ids (`custom_fields`): each value is `{data_type, value}`;
- with `Rules.labels`, top-level keys named after budget column labels (not snake_case) are compared
  as a class: the sample's label columns and the record's must all be strings;
- a record key the sample lacks must be a real Procore key listed in `Rules.extra` with its source.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "procore_samples"
_SNAKE = re.compile(r"[a-z0-9_]+")


def sample(name: str) -> Any:
    """A fixture of `tests/fixtures/procore_samples/`."""
    return json.loads((SAMPLES / name).read_text())


def json_type(value: Any) -> str:
    """The JSON type of a decoded value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def is_label(key: str) -> bool:
    """A budget detail row key named after a column label ("Current Budget", "% Complete")."""
    return not _SNAKE.fullmatch(key)


@dataclass
class Rules:
    """What a comparison allows beyond equal keys and types, each entry with the reason it is real."""

    nullable: dict[str, tuple[set[str], str]] = field(default_factory=dict)
    variants: dict[str, tuple[set[str], str]] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    items: dict[str, Any] = field(default_factory=dict)
    maps: frozenset[str] = frozenset({"custom_fields"})
    labels: bool = False


def compare(expected: Any, actual: Any, rules: Rules, mode: str = "keys") -> list[str]:
    """Every difference between a real sample and a sandbox record (empty when they agree)."""
    problems: list[str] = []
    _value(expected, actual, rules, "", problems, mode)
    return problems


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _value(expected: Any, actual: Any, rules: Rules, path: str, problems: list[str], mode: str) -> None:
    want, got = json_type(expected), json_type(actual)
    where = path or "(record)"
    if "null" in (want, got):
        if want == got:
            return
        declared = rules.nullable.get(path)
        if declared is None:
            problems.append(f"{where}: sample {want}, sandbox {got}; null is not known there (declare it)")
        elif (got if want == "null" else want) not in declared[0]:
            problems.append(f"{where}: {got if want == 'null' else want} where Procore sends {sorted(declared[0])}")
        return
    allowed = {want} | (rules.variants.get(path, (set(), ""))[0])
    if want == "number" and got == "integer":
        allowed.add("integer")
    if got not in allowed:
        problems.append(f"{where}: sample {want}, sandbox {got}")
        return
    if want == got == "object":
        if path in rules.maps:
            _map(expected, actual, where, problems)
        else:
            _object(expected, actual, rules, path, problems, mode)
    elif want == got == "array":
        template = expected[0] if expected else rules.items.get(f"{path}[]")
        if template is None:
            if actual:
                problems.append(f"{where}: {len(actual)} item(s) but no real item to compare them with (declare one)")
            return
        for item in actual:
            _value(template, item, rules, f"{path}[]", problems, mode)


def _map(expected: dict, actual: dict, where: str, problems: list[str]) -> None:
    for side, values in (("sample", expected), ("sandbox", actual)):
        for key, value in values.items():
            if not (isinstance(value, dict) and set(value) == {"data_type", "value"}
                    and isinstance(value["data_type"], str)):
                problems.append(f"{where}.{key}: {side} entry is not {{data_type, value}}")


def _object(expected: dict, actual: dict, rules: Rules, path: str, problems: list[str], mode: str) -> None:
    labels = rules.labels and not path
    for key, value in expected.items():
        if labels and is_label(key):
            continue
        if key not in actual:
            if mode != "common" or path:
                problems.append(f"{_join(path, key)}: missing in the sandbox")
            continue
        _value(value, actual[key], rules, _join(path, key), problems, mode)
    if labels:
        _labels(expected, actual, problems)
    if mode == "common":
        return
    for key in actual.keys() - expected.keys():
        if labels and is_label(key):
            continue
        if _join(path, key) not in rules.extra:
            problems.append(f"{_join(path, key)}: sandbox key the sample lacks (list it in extra, with its source)")


def _labels(expected: dict, actual: dict, problems: list[str]) -> None:
    """Label-named money columns, as a class: present, and strings on both sides."""
    want = {json_type(v) for k, v in expected.items() if is_label(k)}
    got = {json_type(v) for k, v in actual.items() if is_label(k)}
    if not got:
        problems.append("label-named amount columns: none in the sandbox record")
    elif got != want:
        problems.append(f"label-named amount columns: sample {sorted(want)}, sandbox {sorted(got)}")
