"""Settings the SQL models are rendered with: today's date, the timezone, the budget view and labels.

Everything here is bound into the SQL as parameters (never formatted into it). The transforms read
no environment: the caller passes plain values (`TransformSettings.from_values`, which parses the
JSON label map), as the orchestration's `TransformsResource` does from the deployment's settings and
`warehouse.settings.transform_settings(PipelineSettings.from_env())` does without Dagster. Tests pass
`now=` to pin "today".

| value | default | meaning (deployment variable) |
|---|---|---|
| `timezone` | `UTC` | IANA zone that decides "today", day and week boundaries (`PIPELINES_TIMEZONE`) |
| `budget_view` | None | budget view name to use per project; None: the lowest id (`PIPELINES_BUDGET_VIEW`) |
| `budget_labels` | (defaults below) | JSON `{"measure": [labels]}` over the defaults (`PIPELINES_BUDGET_LABELS`) |
| `web_base_url` | `https://app.procore.com` | base of the links into Procore (`PROCORE_WEB_BASE_URL`) |
| `as_of` / `now` | None: now | the moment "today" is computed from (`PIPELINES_AS_OF`: tests, replays) |
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class TransformSettingsError(ValueError):
    """A transform setting is malformed (unknown timezone, bad label JSON, unknown measure)."""


# Label-named budget columns -> measure. Earlier labels win when a view has several of them.
DEFAULT_BUDGET_LABELS: dict[str, tuple[str, ...]] = {
    "revised_budget": ("Revised Budget", "Current Budget"),
    "approved_changes": ("Approved COs", "Approved Changes", "Approved Budget Changes"),
    "pending_changes": ("Pending Budget Changes", "Pending Changes"),
    "committed_costs": ("Committed Costs",),
    "direct_costs": ("Direct Costs", "Job to Date Costs"),
    "projected_costs": ("Projected Costs", "Estimated Cost at Completion"),
    "projected_over_under": ("Projected over Under", "Projected Over/Under", "Projected Over Under"),
}
LABEL_MEASURES = tuple(DEFAULT_BUDGET_LABELS)

DEFAULT_WEB_BASE_URL = "https://app.procore.com"


def parse_budget_labels(text: str | None) -> dict[str, tuple[str, ...]]:
    """The label map: the defaults, with the measures named in the JSON `text` replaced.

    `text` is a JSON object mapping a measure (one of `LABEL_MEASURES`) to a label or a list of
    labels, e.g. `{"committed_costs": ["Commitments", "Committed Costs"]}`.
    """
    labels = dict(DEFAULT_BUDGET_LABELS)
    if not text or not text.strip():
        return labels
    try:
        overrides = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TransformSettingsError(f"PIPELINES_BUDGET_LABELS is not valid JSON: {exc}") from None
    if not isinstance(overrides, dict):
        raise TransformSettingsError("PIPELINES_BUDGET_LABELS must be a JSON object {measure: [labels]}")
    for measure, value in overrides.items():
        if measure not in DEFAULT_BUDGET_LABELS:
            raise TransformSettingsError(
                f"PIPELINES_BUDGET_LABELS: unknown measure {measure!r}; known: {', '.join(LABEL_MEASURES)}"
            )
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise TransformSettingsError(
                f"PIPELINES_BUDGET_LABELS[{measure!r}] must be a label or a list of labels"
            )
        labels[measure] = tuple(names)
    return labels


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TransformSettingsError(f"unknown timezone {name!r}") from None


@dataclass(frozen=True)
class TransformSettings:
    """What the models need besides the raw tables. `now` pins the clock (tests); default: real time."""

    timezone: str = "UTC"
    budget_view: str | None = None
    budget_labels: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_BUDGET_LABELS))
    web_base_url: str = DEFAULT_WEB_BASE_URL
    now: datetime | None = None

    def __post_init__(self) -> None:
        _zone(self.timezone)
        if self.now is not None and self.now.tzinfo is None:
            raise TransformSettingsError("TransformSettings.now must be timezone-aware")
        unknown = set(self.budget_labels) - set(LABEL_MEASURES)
        if unknown:
            raise TransformSettingsError(f"unknown budget measures: {sorted(unknown)}")

    @classmethod
    def from_values(cls, *, timezone: str = "UTC", web_base_url: str = DEFAULT_WEB_BASE_URL,
                    budget_view: str | None = None, budget_labels: str | None = None,
                    as_of: datetime | None = None) -> TransformSettings:
        """Settings from plain values: `budget_labels` is the JSON text of a label map (see
        `parse_budget_labels`), `as_of` pins "today" (None: real time)."""
        return cls(timezone=timezone, budget_view=budget_view, budget_labels=parse_budget_labels(budget_labels),
                   web_base_url=web_base_url, now=as_of)

    @property
    def as_of(self) -> datetime:
        """The moment the metrics describe (timezone-aware)."""
        return self.now if self.now is not None else datetime.now(UTC)

    @property
    def today(self) -> date:
        """Today's date in the configured timezone."""
        return self.as_of.astimezone(_zone(self.timezone)).date()

    @property
    def web_base(self) -> str:
        """The Procore web base URL without a trailing slash."""
        return self.web_base_url.rstrip("/")

    def parameters(self) -> dict[str, object]:
        """Every named parameter a model may use (`$today`, `$tz`, ...); the runner binds those it uses."""
        return {
            "today": self.today,
            "as_of": self.as_of,
            "tz": self.timezone,
            "budget_view": self.budget_view,
            "web_base": self.web_base,
        }

    def label_rows(self) -> list[tuple[str, str, int]]:
        """(measure, label, priority) rows of the label map; priority 1 is the preferred label."""
        return [
            (measure, label, i)
            for measure, labels in self.budget_labels.items()
            for i, label in enumerate(labels, start=1)
        ]
