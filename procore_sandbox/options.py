"""The sandbox's options: what `procore-sandbox` takes as flags, as one dataclass."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime

RUNTIME_KEYS = ("latency_ms", "error_rate", "rate_limit_hourly", "rate_limit_spike", "token_ttl")
MAX_RECORDS_PER_PROJECT = 2000
MAX_PROJECTS_TOTAL = 50_000


class OptionsError(ValueError):
    """An option value the sandbox cannot run with."""


@dataclass(frozen=True)
class SandboxOptions:
    """Everything that shapes a sandbox: its seeded data, its credentials and its behaviour.

    `projects` is per company. `records_per_project` is the number of RFIs of a medium project
    (each project's profile scales it: busy ones hold 2-3 times as many, small and tiny ones fewer or
    none, see `profiles.py`); submittals, budget rows and change events scale with it. `start_time`
    (ISO-8601) pins the sandbox clock's start; without it the clock starts at the real current time,
    and the seeded timestamps are laid out relative to that start (same seed: same ids and fields,
    timestamps shifted).
    """

    seed: int = 42
    companies: int = 2
    projects: int = 150
    records_per_project: int = 20
    client_id: str = "sandbox-client-id"
    client_secret: str = "sandbox-client-secret"
    latency_ms: float = 0.0
    error_rate: float = 0.0
    rate_limit_hourly: int = 3600
    rate_limit_spike: int = 100
    token_ttl: int = 5400
    start_time: str | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.companies < 1:
            problems.append("companies must be at least 1")
        if self.projects < 0:
            problems.append("projects must not be negative")
        if self.companies * self.projects > MAX_PROJECTS_TOTAL:
            problems.append(f"at most {MAX_PROJECTS_TOTAL} projects in total")
        if not 0 <= self.records_per_project <= MAX_RECORDS_PER_PROJECT:
            problems.append(f"records_per_project must be between 0 and {MAX_RECORDS_PER_PROJECT}")
        problems += runtime_problems({k: getattr(self, k) for k in RUNTIME_KEYS})
        if not self.client_id or not self.client_secret:
            problems.append("client_id and client_secret must not be empty")
        if self.start_time is not None:
            try:
                parse_start_time(self.start_time)
            except ValueError:
                problems.append(f"start_time {self.start_time!r} is not an ISO-8601 timestamp")
        if problems:
            raise OptionsError("; ".join(problems))

    def with_changes(self, **changes: object) -> SandboxOptions:
        """A copy with `changes` applied (validated again)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise OptionsError(f"unknown sandbox option(s): {', '.join(unknown)}")
        return replace(self, **changes)

    def as_dict(self) -> dict:
        """The options as plain JSON-ready values."""
        return asdict(self)


def runtime_problems(values: dict) -> list[str]:
    """What is wrong with runtime settings (`latency_ms`, `error_rate`, rate limits, `token_ttl`)."""
    problems = []
    for key, value in values.items():
        if key not in RUNTIME_KEYS:
            problems.append(f"{key} is not a runtime setting (use one of {', '.join(RUNTIME_KEYS)})")
        elif not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(f"{key} must be a number")
        elif key == "error_rate" and not 0 <= value <= 1:
            problems.append("error_rate must be between 0 and 1")
        elif key in ("rate_limit_hourly", "rate_limit_spike", "token_ttl") and value < 1:
            problems.append(f"{key} must be at least 1")
        elif value < 0:
            problems.append(f"{key} must not be negative")
    return problems


def parse_start_time(text: str) -> datetime:
    """An ISO-8601 timestamp (`Z` allowed) as an aware UTC datetime; naive means UTC."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
