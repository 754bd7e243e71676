"""The stream catalogue: every Procore resource the pipeline reads, declared as data.

A `Stream` says where a resource lives (path and query), what scope it is read in (a company, a
project, or a budget view), its primary key, whether `filters[updated_at]` narrows it, how
deletions are found, the largest page the endpoint allows, and the typed columns to flatten.
Column paths follow the shapes of real Procore responses (`tests/fixtures/procore_samples/`);
only `Stream.key_columns` can reject a record, any other column of another shape is drift.
Adding a resource (change events, say) is one more entry in `STREAMS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Literal

from procore_source.budget_rows import budget_row_extras
from procore_source.convert import encode_json
from procore_source.flatten import Column, Flattener, FlattenError
from procore_source.shapes import DriftTally

Scope = Literal["company", "project", "budget_view"]
Deletions = Literal["recycle_bin", "full_reread"]

MONEY = "DECIMAL(18,2)"

def format_timestamp(moment: datetime) -> str:
    """Procore's ISO-8601 UTC form: `2025-03-06T18:25:41Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def updated_at_filter(since: datetime, until: datetime) -> dict[str, str]:
    """The `filters[updated_at]` range parameter for records changed between `since` and `until`."""
    return {"filters[updated_at]": f"{format_timestamp(since)}...{format_timestamp(until)}"}


@dataclass(frozen=True)
class Stream:
    """One Procore list endpoint and how its records land in `raw.<name>`."""

    name: str
    path: str
    scope: Scope
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    max_per_page: int
    params: dict[str, str] = field(default_factory=dict)
    supports_updated_at: bool = False
    deletions: Deletions = "full_reread"
    recycle_bin_path: str | None = None
    extras: Callable[[dict], dict[str, Any]] | None = None
    extra_columns: tuple[Column, ...] = ()

    @property
    def scope_columns(self) -> tuple[Column, ...]:
        """Columns filled from the scope the record was read in, not from the record."""
        cols = [Column("company_id", "BIGINT")]
        if self.scope in ("project", "budget_view"):
            cols.append(Column("project_id", "BIGINT"))
        if self.scope == "budget_view":
            cols.append(Column("budget_view_id", "BIGINT"))
        return tuple(cols)

    @property
    def all_columns(self) -> tuple[Column, ...]:
        """Every typed column of `raw.<name>`, in table order (payload and bookkeeping columns follow)."""
        names = {c.name for c in self.scope_columns}
        own = tuple(c for c in self.columns + self.extra_columns if c.name not in names)
        return self.scope_columns + own

    def request(self, scope_ids: dict[str, int], *, since: datetime | None = None,
                until: datetime | None = None) -> tuple[str, dict[str, str]]:
        """The path and query for one read in `scope_ids` (company_id, project_id, budget_view_id)."""
        path = self.path.format(**scope_ids)
        params = {k: v.format(**scope_ids) for k, v in self.params.items()}
        if since is not None and self.supports_updated_at:
            params.update(updated_at_filter(since, until or datetime.now(UTC)))
        return path, params

    def recycle_bin_request(self, scope_ids: dict[str, int], *, since: datetime | None = None,
                            until: datetime | None = None) -> tuple[str, dict[str, str]] | None:
        """The path and query of the recycle-bin list, or None where deletions need a full re-read."""
        if self.deletions != "recycle_bin" or not self.recycle_bin_path:
            return None
        params = {k: v.format(**scope_ids) for k, v in self.params.items()}
        if since is not None:
            params.update(updated_at_filter(since, until or datetime.now(UTC)))
        return self.recycle_bin_path.format(**scope_ids), params

    @property
    def key_columns(self) -> tuple[str, ...]:
        """The columns that may reject a record: the primary key, the project id, and `updated_at` where
        the stream is read incrementally. Every other column loads NULL (and counts drift) instead."""
        keys = {*self.primary_key, "project_id", *(("updated_at",) if self.supports_updated_at else ())}
        return tuple(c.name for c in self.all_columns if c.name in keys)

    @cached_property
    def _flattener(self) -> Flattener:
        return Flattener(self.columns, self.key_columns)

    @cached_property
    def _scope_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.scope_columns)

    def flatten(self, record: dict, scope_ids: dict[str, int], drift: DriftTally | None = None) -> dict[str, Any]:
        """Typed column values for one record read in `scope_ids`, plus its JSON `payload`.

        Raises `FlattenError` only for a key column; a drifted non-key column loads NULL (or its display
        field) and is counted in `drift`, with the record's id as the example.
        """
        row, drifted = self._flattener.row(record)
        if self.extras is not None:
            row.update(self.extras(record))
        for name in self._scope_names:
            if row.get(name) is None and name in scope_ids:
                row[name] = scope_ids[name]
        missing = [k for k in self.primary_key if row.get(k) is None]
        if missing:  # the table's key is NOT NULL: one such row would fail the whole batch
            raise FlattenError(f"primary key column(s) {', '.join(missing)} missing from the record")
        if drifted and drift is not None:
            record_id = row[self.primary_key[-1]]
            for column, value, expected, path in drifted:
                drift.add(column.name, path, expected, value, record_id)
        row["payload"] = encode_json(record)
        return row


_PEOPLE = "VARCHAR"

PROJECTS = Stream(
    name="projects",
    path="/rest/v1.0/projects",
    params={"company_id": "{company_id}", "filters[by_status]": "All"},
    scope="company",
    primary_key=("id",),
    max_per_page=1000,
    supports_updated_at=True,
    deletions="full_reread",
    columns=(
        Column("id", "BIGINT"),
        Column("company_id", "BIGINT", "company.id"),
        Column("name", "VARCHAR"),
        Column("display_name", "VARCHAR"),
        Column("project_number", "VARCHAR"),
        # `project_stage{id,name}` today; older responses (Procore's own docs example) send `stage` as text
        Column("stage", "VARCHAR", "project_stage.name", fallback="stage", display="name"),
        Column("active", "BOOLEAN"),
        Column("start_date", "DATE"),
        Column("completion_date", "DATE"),
        Column("total_value", MONEY),
        Column("city", "VARCHAR"),
        Column("state_code", "VARCHAR"),
        Column("country_code", "VARCHAR"),
        Column("created_at", "TIMESTAMPTZ"),
        Column("updated_at", "TIMESTAMPTZ"),
    ),
)

RFIS = Stream(
    name="rfis",
    path="/rest/v1.0/projects/{project_id}/rfis",
    scope="project",
    primary_key=("project_id", "id"),
    max_per_page=1000,
    supports_updated_at=True,
    deletions="recycle_bin",
    recycle_bin_path="/rest/v1.0/projects/{project_id}/rfis/recycle_bin",
    columns=(
        Column("id", "BIGINT"),
        Column("number", "VARCHAR"),
        Column("full_number", "VARCHAR"),
        Column("subject", "VARCHAR"),
        Column("status", "VARCHAR"),
        Column("due_date", "DATE"),
        Column("initiated_at", "TIMESTAMPTZ"),
        Column("time_resolved", "TIMESTAMPTZ"),
        Column("created_at", "TIMESTAMPTZ"),
        Column("updated_at", "TIMESTAMPTZ"),
        Column("assignee_name", _PEOPLE, "assignee.name", fallback="assignees[].name"),
        # RFIs carry both `ball_in_court{...}` (the first) and `ball_in_courts[...]` (all of them)
        Column("ball_in_court_name", _PEOPLE, "ball_in_courts[].name", fallback="ball_in_court.name"),
        Column("rfi_manager_name", _PEOPLE, "rfi_manager.name"),
        Column("responsible_contractor_name", _PEOPLE, "responsible_contractor.name"),
        Column("cost_impact_status", "VARCHAR", "cost_impact.status"),
        Column("cost_impact_value", MONEY, "cost_impact.value"),  # a number or a string, null when unknown
        Column("schedule_impact_status", "VARCHAR", "schedule_impact.status"),
        Column("schedule_impact_days", "INTEGER", "schedule_impact.value"),
        # an object `{"name": "High", "value": 3}`; `{"name": false, "value": null}` when none is set; plain
        # text in older responses
        Column("priority", "VARCHAR", "priority.name", fallback="priority", false_is_null=True),
        Column("link", "VARCHAR"),
    ),
)

SUBMITTALS = Stream(
    name="submittals",
    path="/rest/v1.0/projects/{project_id}/submittals",
    scope="project",
    primary_key=("project_id", "id"),
    max_per_page=1000,
    supports_updated_at=True,
    deletions="recycle_bin",
    recycle_bin_path="/rest/v1.0/projects/{project_id}/submittals/recycle_bin",
    columns=(
        Column("id", "BIGINT"),
        Column("number", "VARCHAR"),
        Column("formatted_number", "VARCHAR"),
        Column("title", "VARCHAR"),
        Column("revision", "VARCHAR"),
        Column("status_id", "BIGINT", "status.id"),
        Column("status_name", "VARCHAR", "status.name"),
        Column("status", "VARCHAR", "status.status"),
        Column("type_name", "VARCHAR", "type.name"),
        Column("spec_section", "VARCHAR", "specification_section.number"),
        Column("due_date", "DATE"),
        Column("received_date", "DATE"),
        Column("issue_date", "DATE"),
        Column("distributed_at", "TIMESTAMPTZ"),
        Column("closed_at", "TIMESTAMPTZ"),
        Column("ball_in_court_name", _PEOPLE, "ball_in_court[].name"),  # a list on submittals
        Column("responsible_contractor_name", _PEOPLE, "responsible_contractor.name"),
        Column("submittal_manager_name", _PEOPLE, "submittal_manager.name"),
        Column("approvers", "JSON"),
        Column("created_at", "TIMESTAMPTZ"),
        Column("updated_at", "TIMESTAMPTZ"),
    ),
)

BUDGET_VIEWS = Stream(
    name="budget_views",
    path="/rest/v1.0/budget_views",
    params={"project_id": "{project_id}"},
    scope="project",
    primary_key=("project_id", "id"),
    max_per_page=1000,
    columns=(
        Column("id", "BIGINT"),
        Column("name", "VARCHAR"),
        Column("description", "VARCHAR"),
        Column("created_at", "TIMESTAMPTZ"),
        Column("updated_at", "TIMESTAMPTZ"),
    ),
)

BUDGET_ROWS = Stream(
    name="budget_rows",
    path="/rest/v1.0/budget_views/{budget_view_id}/detail_rows",
    params={"project_id": "{project_id}", "budget_row_type": "all"},
    scope="budget_view",
    # Views are company-level and assigned to projects: the same view id appears in many projects.
    primary_key=("project_id", "budget_view_id", "budget_row_id"),
    max_per_page=1000,
    extras=budget_row_extras,
    extra_columns=(Column("budget_row_id", "VARCHAR"), Column("label_amounts", "JSON")),
    columns=(
        Column("id", "BIGINT"),
        Column("cost_code", "VARCHAR"),
        Column("root_cost_code", "VARCHAR"),
        Column("category", "VARCHAR", display="name"),
        Column("wbs_code", "VARCHAR", "wbs_code.flat_code"),
        Column("wbs_description", "VARCHAR", "wbs_code.description"),
        Column("original_budget_amount", MONEY),
        Column("budget_modifications", MONEY),
        Column("budget_forecast_amount", MONEY, "budget_forecast.amount"),
    ),
)

STREAMS: dict[str, Stream] = {s.name: s for s in (PROJECTS, RFIS, SUBMITTALS, BUDGET_VIEWS, BUDGET_ROWS)}
