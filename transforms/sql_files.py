"""The SQL files of `transforms/`: their `-- key: value` header lines and the tables they read.

A header line is `-- <key>: <value>` for one of the keys a caller asks for (`grain` for a model;
`checks`, `severity`, `blocking`, `description`, `failing rows` for a check); a following comment
line indented by three or more spaces (`--   ...`) continues it. Other comment lines are prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_COMMENT = re.compile(r"--[^\n]*")
# a schema-qualified table of the warehouse: raw.<stream>, marts.<model> (meta tables are no assets)
_TABLE = re.compile(r"\b(raw|marts)\.([a-z_][a-z0-9_]*)\b")


def strip_comments(sql: str) -> str:
    """`sql` without its `--` comments (the files keep `--` out of string literals)."""
    return _COMMENT.sub("", sql)


def tables_read(sql: str) -> tuple[str, ...]:
    """Every `raw.<x>` and `marts.<y>` table the statements of `sql` name, sorted (its own target included)."""
    return tuple(sorted({f"{schema}.{name}" for schema, name in _TABLE.findall(strip_comments(sql))}))


def header(sql: str, keys: Iterable[str]) -> dict[str, str]:
    """The values of the `-- <key>: <value>` lines (among `keys`) of the comment block that opens `sql`."""
    wanted = set(keys)
    values: dict[str, str] = {}
    current = None
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        text = line[2:]
        key, sep, value = text.strip().partition(":")
        if sep and key in wanted:
            current, values[key] = key, value.strip()
        elif current is not None and text.startswith("   ") and text.strip():
            values[current] += " " + text.strip()
        else:
            current = None
    return values
