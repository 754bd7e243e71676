"""The stream catalogue: every Procore resource the pipeline reads, declared as data.

A `Stream` says where a resource lives (path and query), what scope it is read in (a company, a
project, or a budget view), its primary key, whether `filters[updated_at]` narrows it, how
deletions are found, the largest page the endpoint allows, and the typed columns to flatten.
Adding a resource (change events, say) is one more entry in `STREAMS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from procore_source.flatten import Column, FlattenError, flatten

Scope = Literal["company", "project", "budget_view"]
Deletions = Literal["recycle_bin", "full_reread"]

MONEY = "DECIMAL(18,2)"

# Keys Procore always sends on a budget detail row; every other key is a label-named money column.
BUDGET_ROW_FIXED_KEYS = frozenset(
    {
        "id", "cost_code", "root_cost_code", "category", "wbs_code", "original_budget_amount",
        "budget_modifications", "budget_forecast", "description", "budget_row_type", "project_id",
        "cost_code_id", "category_id", "sub_job", "calculation_strategy", "unit_qty", "unit_of_measure",
        "unit_cost", "uom", "has_children", "is_parent", "parent_id", "line_item_id",
    }
)


def format_timestamp(moment: datetime) -> str:
    """Procore's ISO-8601 UTC form: `2025-03-06T18:25:41Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def updated_at_filter(since: datetime, until: datetime) -> dict[str, str]:
    """The `filters[updated_at]` range parameter for records changed between `since` and `until`."""
    return {"filters[updated_at]": f"{format_timestamp(since)}...{format_timestamp(until)}"}


def _budget_row_extras(record: dict) -> dict[str, Any]:
    """Budget rows: a stable key (unbudgeted rows have no id) and the label-named money columns."""
    import json

    row_id = record.get("id")
    row_key = str(row_id) if row_id is not None else _unbudgeted_key(record)
    labels = {k: v for k, v in record.items() if k not in BUDGET_ROW_FIXED_KEYS and not isinstance(v, (dict, list))}
    return {"budget_row_id": row_key, "label_amounts": json.dumps(labels, separators=(",", ":"))}


def _unbudgeted_key(record: dict) -> str:
    """The key of a row without an id: its WBS code id when present, else flat code + category (+ sub job)."""
    wbs = record.get("wbs_code")
    wbs = wbs if isinstance(wbs, dict) else {}
    if wbs.get("id") is not None:
        return f"unbudgeted:wbs:{wbs['id']}"
    key = f"unbudgeted:{wbs.get('flat_code') or record.get('cost_code') or ''}:{record.get('category') or ''}"
    sub_job = record.get("sub_job")
    sub_job_id = sub_job.get("id") if isinstance(sub_job, dict) else sub_job
    return key if sub_job_id is None else f"{key}:sub_job:{sub_job_id}"


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

    def flatten(self, record: dict, scope_ids: dict[str, int]) -> dict[str, Any]:
        """Typed column values for one record read in `scope_ids`, plus its JSON `payload`."""
        row = flatten(record, self.columns)
        if self.extras is not None:
            row.update(self.extras(record))
        for col in self.scope_columns:
            if row.get(col.name) is None and col.name in scope_ids:
                row[col.name] = scope_ids[col.name]
        missing = [k for k in self.primary_key if row.get(k) is None]
        if missing:  # the table's key is NOT NULL: one such row would fail the whole batch
            raise FlattenError(f"primary key column(s) {', '.join(missing)} missing from the record")
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
        Column("stage", "VARCHAR", "project_stage.name"),
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
        Column("assignee_name", _PEOPLE, "assignee.name"),
        Column("ball_in_court_name", _PEOPLE, "ball_in_courts[].name"),
        Column("rfi_manager_name", _PEOPLE, "rfi_manager.name"),
        Column("responsible_contractor_name", _PEOPLE, "responsible_contractor.name"),
        Column("cost_impact_status", "VARCHAR", "cost_impact.status"),
        Column("cost_impact_value", MONEY, "cost_impact.value"),
        Column("schedule_impact_status", "VARCHAR", "schedule_impact.status"),
        Column("schedule_impact_days", "INTEGER", "schedule_impact.value"),
        Column("priority", "VARCHAR"),
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
        Column("ball_in_court_name", _PEOPLE, "ball_in_court[].name"),
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
    extras=_budget_row_extras,
    extra_columns=(Column("budget_row_id", "VARCHAR"), Column("label_amounts", "JSON")),
    columns=(
        Column("id", "BIGINT"),
        Column("cost_code", "VARCHAR"),
        Column("root_cost_code", "VARCHAR"),
        Column("category", "VARCHAR"),
        Column("wbs_code", "VARCHAR", "wbs_code.flat_code"),
        Column("wbs_description", "VARCHAR", "wbs_code.description"),
        Column("original_budget_amount", MONEY),
        Column("budget_modifications", MONEY),
        Column("budget_forecast_amount", MONEY, "budget_forecast.amount"),
    ),
)

STREAMS: dict[str, Stream] = {s.name: s for s in (PROJECTS, RFIS, SUBMITTALS, BUDGET_VIEWS, BUDGET_ROWS)}
