"""`procore-check --shapes`: read one page of each stream and compare its records with the catalogue.

The records go through the stream's own flattening with a `DriftTally`, exactly as the loader does,
so what this reports is what the first sync will write to `meta.schema_drift`: fields of another
shape (loaded NULL or as their display field), records a key field would keep out, and the fields
Procore sends that no column reads (kept in `payload` only), grouped per stream.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from procore_source.budget_rows import is_label
from procore_source.client import ProcoreClient
from procore_source.flatten import FlattenError
from procore_source.pagination import records_of
from procore_source.shapes import DriftTally, top_level_paths, unmapped_fields
from procore_source.streams import BUDGET_ROWS, BUDGET_VIEWS, RFIS, STREAMS, SUBMITTALS, Stream

REJECTED_LISTED = 3
PROJECT_STREAMS = (RFIS, SUBMITTALS, BUDGET_VIEWS)


class Reporter(Protocol):
    """The check's report (`procore_source.check.Report`)."""

    def ok(self, what: str, detail: str) -> None: ...
    def warn(self, what: str, detail: str, fix: str) -> None: ...
    def fail(self, what: str, detail: str, fix: str) -> None: ...
    def info(self, what: str, detail: str) -> None: ...


@dataclass
class StreamShapes:
    """What one stream's sampled records looked like against its catalogue entry."""

    stream: Stream
    records: int = 0
    scopes: int = 0
    drift: DriftTally = field(default_factory=DriftTally)
    rejected: list[str] = field(default_factory=list)
    unmapped: dict[str, int] = field(default_factory=dict)
    labels: dict[str, int] = field(default_factory=dict)

    def observe(self, records: Iterable[dict], scope_ids: dict[str, int]) -> None:
        """Flatten `records` (read in `scope_ids`) as the loader would, and note the fields no column reads."""
        records = list(records)
        self.scopes += 1
        for record in records:
            self.records += 1
            try:
                self.stream.flatten(record, scope_ids, self.drift)
            except FlattenError as exc:
                self.rejected.append(f"record id {record.get('id')}: {exc}")
        known = top_level_paths(p for c in self.stream.columns for p in c.paths)
        for key, n in unmapped_fields(records, known).items():
            labelled = self.stream is BUDGET_ROWS and any(is_label(key, r.get(key)) for r in records if key in r)
            target = self.labels if labelled else self.unmapped
            target[key] = target.get(key, 0) + n


def first_page(client: ProcoreClient, stream: Stream, scope_ids: dict[str, int]) -> list[dict]:
    """Page 1 of `stream` in `scope_ids`, at the endpoint's largest page (or `PROCORE_PAGE_SIZE`)."""
    path, params = stream.request(scope_ids)
    per_page = min(stream.max_per_page, client.settings.page_size or stream.max_per_page)
    payload = client.get_json(path, company_id=scope_ids["company_id"], params={**params, "page": 1,
                                                                                 "per_page": per_page})
    return records_of(payload, path)


def sample_shapes(client: ProcoreClient, company_id: int, projects: list[dict], project_ids: Iterable[int],
                  shapes: dict[str, StreamShapes]) -> None:
    """Add one company's sample to `shapes`: its projects list, and page 1 of each project stream of
    `project_ids` (and of the first budget view's detail rows). Raises `ProcoreError` as the reads do."""
    shapes["projects"].observe(projects, {"company_id": company_id})
    for pid in project_ids:
        ids = {"company_id": company_id, "project_id": pid}
        for stream in PROJECT_STREAMS:
            records = first_page(client, stream, ids)
            shapes[stream.name].observe(records, ids)
            view = next((r["id"] for r in records if isinstance(r.get("id"), int)), None)
            if stream is BUDGET_VIEWS and view is not None:
                view_ids = {**ids, "budget_view_id": view}
                shapes[BUDGET_ROWS.name].observe(first_page(client, BUDGET_ROWS, view_ids), view_ids)


def new_shapes() -> dict[str, StreamShapes]:
    """An empty `StreamShapes` per catalogued stream, in catalogue order."""
    return {name: StreamShapes(stream) for name, stream in STREAMS.items()}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _names(counts: dict[str, int]) -> str:
    return ", ".join(sorted(counts))


def report_shapes(report: Reporter, shapes: dict[str, StreamShapes]) -> None:
    """One block per stream: rejected records (fail), drifted fields (warn), ignored fields and labels (info)."""
    for name, seen in shapes.items():
        what = f"shapes {name}"
        if not seen.records:
            report.info(what, f"no records in the {seen.scopes} lists read: nothing to compare")
            continue
        read = f"{_count(seen.records, 'record')} from {_count(seen.scopes, 'list')}"
        if seen.rejected:
            listed = "; ".join(seen.rejected[:REJECTED_LISTED])
            report.fail(what, f"{len(seen.rejected)} of {read} would not load: {listed}",
                        "a key field (id, project id or updated_at) has a shape the loader cannot place: "
                        "report it with the record; every other record still loads")
        if seen.drift:
            lines = "".join(f"\n       - {d.describe()}" for d in seen.drift)
            report.warn(what, f"{len(seen.drift)} field shape(s) differ from the catalogue in {read}:{lines}",
                        "nothing blocks the sync: these records load with the column NULL (or the object's display "
                        "field) and the whole record in payload; each case is counted in meta.schema_drift")
        elif not seen.rejected:
            report.ok(what, f"{read} match the catalogue")
        if seen.unmapped:
            report.info(what, f"{len(seen.unmapped)} fields not in the catalogue (kept in payload only): "
                              f"{_names(seen.unmapped)}")
        if seen.labels:
            report.info(what, f"{len(seen.labels)} budget view label columns (label_amounts): {_names(seen.labels)}")
