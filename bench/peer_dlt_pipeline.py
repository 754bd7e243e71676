"""The peer side of `bench/peer_dlt.py`: our full sync written as a plain dlt `rest_api` pipeline.

    PROCORE_API_BASE_URL=... PROCORE_LOGIN_BASE_URL=... PROCORE_CLIENT_ID=... PROCORE_CLIENT_SECRET=... \
    PROCORE_COMPANY_IDS=1,2 python bench/peer_dlt_pipeline.py --duckdb out.duckdb --pipelines-dir DIR \
        [--workers 8] [--recycle-bins] [--max-table-nesting N] [--file-format parquet]

It reads the same `PROCORE_*` variables as ours (the secret stays off the command line). It runs as
a process of its own (`peer_dlt.py` times it whole, interpreter start included) and imports dlt and
nothing of ours. Per company (each with its `Procore-Company-Id` header): projects
(`filters[by_status]=All`), then per project RFIs, submittals (and, with `--recycle-bins`, their
recycle bins), budget views and each view's detail rows, merged into DuckDB on the same primary keys
as ours. The dlt options it uses, all documented for dlt 1.x:

- `rest_api_source` config: `client.auth` one shared `OAuth2ClientCredentials` (`/oauth/token`),
  `client.paginator` `{"type": "header_link"}` (the `Link` header), `resource_defaults` with
  `write_disposition: merge`, `parallelized: True` on every resource (dependent resources fetch each
  parent item's children in dlt's thread pool), `endpoint.params.per_page: 1000` (the largest page
  our client asks for), `response_actions` ignoring 403/404 (projects the app may not read),
  `include_from_parent` and `processing_steps` (`map`) to carry the project and view ids.
- `pipeline.extract(workers=--workers, max_parallel_items=max(20, 2 x workers))` (the extract thread
  pool, `EXTRACT__WORKERS`, default 5, and `EXTRACT__MAX_PARALLEL_ITEMS`, default 20),
  `loader_file_format` from `--file-format`; `RUNTIME__DLTHUB_TELEMETRY=false`.

Unlike ours, `header_link` drops the caller's query parameters on later pages (it requests the
`Link` URL as it is): a second page of `budget_views?project_id=` would lose `project_id` when
Procore's links carry only `page`/`per_page`, as the sandbox's do. At `per_page=1000` every list here
fits one page.

Prints one JSON line: seconds spent importing dlt, extracting, normalising and loading.
"""

from __future__ import annotations

import argparse
import json
import os
import time

STARTED = time.perf_counter()
IGNORE_UNREADABLE = [{"status_code": 403, "action": "ignore"}, {"status_code": 404, "action": "ignore"}]


def rename(source: str, target: str):
    """A `processing_steps` map moving the parent field `source` to the column `target`."""

    def step(record: dict) -> dict:
        record[target] = record.pop(source, None)
        return record

    return step


def budget_row_key(record: dict) -> dict:
    """Unbudgeted detail rows have no id: key them by their WBS code, as Procore identifies them."""
    record["row_key"] = str(record["id"]) if record.get("id") is not None else f"wbs:{record.get('wbs_code_id')}"
    return record


def company_resources(company_id: int, recycle_bins: bool) -> list[dict]:
    """The resources of one company: its projects and, per project, the tool lists and budgets."""
    projects, views = f"projects_{company_id}", f"budget_views_{company_id}"
    headers = {"Procore-Company-Id": str(company_id)}
    from_project = [{"map": rename(f"_{projects}_id", "project_id")}]

    def per_project(table: str, path: str, params: dict | None = None) -> dict:
        return {"name": f"{table}_{company_id}", "table_name": table, "primary_key": ["project_id", "id"],
                "include_from_parent": ["id"], "processing_steps": from_project,
                "endpoint": {"path": path, "headers": headers, "params": params or {},
                             "response_actions": IGNORE_UNREADABLE}}

    lists = ["rfis", "submittals"]
    resources = [
        {"name": projects, "table_name": "projects", "primary_key": "id",
         "endpoint": {"path": "rest/v1.0/projects", "headers": headers,
                      "params": {"company_id": company_id, "filters[by_status]": "All"}}},
        *(per_project(name, f"rest/v1.0/projects/{{resources.{projects}.id}}/{name}") for name in lists),
        *(per_project(f"{name}_recycle_bin", f"rest/v1.0/projects/{{resources.{projects}.id}}/{name}/recycle_bin")
          for name in (lists if recycle_bins else [])),
        per_project("budget_views", "rest/v1.0/budget_views", {"project_id": f"{{resources.{projects}.id}}"}),
        {"name": f"budget_rows_{company_id}", "table_name": "budget_rows",
         "primary_key": ["project_id", "budget_view_id", "row_key"], "include_from_parent": ["id"],
         "processing_steps": [{"map": rename(f"_{views}_id", "budget_view_id")}, {"map": budget_row_key}],
         "endpoint": {"path": f"rest/v1.0/budget_views/{{resources.{views}.id}}/detail_rows", "headers": headers,
                      "params": {"project_id": f"{{resources.{views}.project_id}}", "budget_row_type": "all"},
                      "response_actions": IGNORE_UNREADABLE}},
    ]
    return resources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duckdb", required=True, help="the DuckDB file to merge into")
    parser.add_argument("--pipelines-dir", required=True, help="dlt's working directory (state, load packages)")
    parser.add_argument("--workers", type=int, default=8, help="dlt's extract thread pool")
    parser.add_argument("--recycle-bins", action="store_true", help="also read the RFI and submittal recycle bins")
    parser.add_argument("--max-table-nesting", type=int, default=None, help="dlt's default unnests every level")
    parser.add_argument("--file-format", default="parquet", choices=("parquet", "insert_values", "jsonl"))
    args = parser.parse_args()
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

    import dlt
    from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
    from dlt.sources.rest_api import rest_api_source

    imported = time.perf_counter()
    base = os.environ["PROCORE_API_BASE_URL"].rstrip("/")
    login = os.environ.get("PROCORE_LOGIN_BASE_URL", "https://login.procore.com").rstrip("/")
    auth = OAuth2ClientCredentials(access_token_url=f"{login}/oauth/token", client_id=os.environ["PROCORE_CLIENT_ID"],
                                   client_secret=os.environ["PROCORE_CLIENT_SECRET"])
    companies = [int(c) for c in os.environ["PROCORE_COMPANY_IDS"].split(",") if c.strip()]
    source = rest_api_source({
        "client": {"base_url": f"{base}/", "auth": auth, "paginator": {"type": "header_link"}},
        "resource_defaults": {"write_disposition": "merge", "parallelized": True,
                              "endpoint": {"params": {"per_page": 1000}}},
        "resources": [r for c in companies for r in company_resources(c, args.recycle_bins)],
    }, name="procore", max_table_nesting=args.max_table_nesting)
    pipeline = dlt.pipeline(pipeline_name="procore_peer", destination=dlt.destinations.duckdb(args.duckdb),
                            dataset_name="procore", pipelines_dir=args.pipelines_dir)
    marks = [time.perf_counter()]
    pipeline.extract(source, workers=args.workers, max_parallel_items=max(20, 2 * args.workers),
                     loader_file_format=args.file_format)
    marks.append(time.perf_counter())
    pipeline.normalize()
    marks.append(time.perf_counter())
    pipeline.load()
    marks.append(time.perf_counter())
    print(json.dumps({"import_s": round(imported - STARTED, 3), "build_s": round(marks[0] - imported, 3),
                      "extract_s": round(marks[1] - marks[0], 3), "normalize_s": round(marks[2] - marks[1], 3),
                      "load_s": round(marks[3] - marks[2], 3)}))


if __name__ == "__main__":
    main()
