"""The checks of the marts, one SQL file each in `transforms/checks/`, next to the models they check.

A check file opens with its header (see `transforms.sql_files`):

    -- checks: marts.project_metrics        the model it checks
    -- severity: ERROR                      or WARN
    -- blocking: yes                        yes: a failure stops the snapshot; no: it only warns
    -- description: what must hold          (continued on lines indented by three spaces)
    -- failing rows: what the rows it returns are

and its query returns the failing rows (none: the check passes). The orchestration makes one Dagster
asset check of each (`orchestration.mart_checks`); `failing_rows` runs one without Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from transforms.sql_files import header, strip_comments, tables_read

CHECKS_DIR = Path(__file__).parent / "checks"
SEVERITIES = ("ERROR", "WARN")
_KEYS = ("checks", "severity", "blocking", "description", "failing rows")


class MartCheckError(ValueError):
    """A check file's header is missing a line or has a value that is not allowed."""


@dataclass(frozen=True)
class MartCheck:
    """One check of a mart: the table it checks, how much a failure weighs, and its query."""

    name: str
    table: str
    severity: str
    blocking: bool
    description: str
    failing: str
    sql: str

    @property
    def reads(self) -> tuple[str, ...]:
        """The other tables the query reads (`raw.*`, `marts.*`), besides the one it checks."""
        return tuple(t for t in tables_read(self.sql) if t != self.table)


def parse_check(name: str, sql: str) -> MartCheck:
    """The check `transforms/checks/<name>.sql` declares; raises `MartCheckError` naming the file."""
    values = header(sql, _KEYS)
    missing = [k for k in _KEYS if not values.get(k)]
    if missing:
        raise MartCheckError(f"checks/{name}.sql: header lacks {', '.join(f'-- {k}:' for k in missing)}")
    if not values["checks"].startswith("marts."):
        raise MartCheckError(f"checks/{name}.sql: '-- checks:' names a mart (marts.<model>), not {values['checks']!r}")
    if values["severity"] not in SEVERITIES:
        raise MartCheckError(f"checks/{name}.sql: '-- severity:' is one of {', '.join(SEVERITIES)}")
    if values["blocking"] not in ("yes", "no"):
        raise MartCheckError(f"checks/{name}.sql: '-- blocking:' is yes or no")
    return MartCheck(name, values["checks"], values["severity"], values["blocking"] == "yes",
                     values["description"], values["failing rows"], sql)


@cache
def mart_checks() -> tuple[MartCheck, ...]:
    """Every check of `transforms/checks/`, by name."""
    return tuple(parse_check(p.stem, p.read_text(encoding="utf-8")) for p in sorted(CHECKS_DIR.glob("*.sql")))


def failing_rows(con: duckdb.DuckDBPyConnection, check: MartCheck) -> list[tuple]:
    """The rows that fail `check` on the warehouse `con` (empty: it passes)."""
    return con.execute(strip_comments(check.sql)).fetchall()
