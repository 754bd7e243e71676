"""Every record the sandbox serves, over HTTP, side by side with Procore's real samples: keys and JSON types.

The comparison rule is in `shapes.py`; what it allows per resource, with the source, in `shape_rules.py`.
The sandbox is mutated first (random creates, updates and deletes, a created project), so recycle-bin
records, created records and changed ones are walked too.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

import tests.sandbox.shape_rules as rules
from procore_sandbox.options import SandboxOptions
from procore_sandbox.server import RunningSandbox, start_sandbox
from tests.sandbox.conftest import Api
from tests.sandbox.shapes import compare, sample


def _pages(session: requests.Session, url: str, params: dict, headers: dict) -> list[dict]:
    """Every record of a list, following `rel="next"` and keeping the caller's filters."""
    records, page = [], 1
    while True:
        answer = session.get(url, params={**params, "page": page, "per_page": 5}, headers=headers, timeout=30)
        assert answer.status_code == 200, answer.text
        records += answer.json()
        links = requests.utils.parse_header_links(answer.headers.get("Link", ""))
        following = [link["url"] for link in links if link.get("rel") == "next"]
        if not following:
            return records
        assert following[0].startswith("http://127.0.0.1:")  # absolute
        page += 1


class Served:
    """What a mutated sandbox serves, read over HTTP with a client-credentials token."""

    def __init__(self, box: RunningSandbox) -> None:
        self.box, self.session = box, requests.Session()
        token = self.session.post(f"{box.url}/oauth/token", data={
            "grant_type": "client_credentials", "client_id": box.client_id, "client_secret": box.client_secret})
        self.token_body = token.json()
        self.records: dict[str, list[dict]] = {}
        info = box.info()
        unreadable = set(info["forbidden_project_ids"]) | set(info["hidden_project_ids"])
        for company_id in box.company_ids:
            headers = self.headers(company_id)
            self.add("companies", self.get("/rest/v1.0/companies", headers))
            self.add("me", [self.get("/rest/v1.0/me", headers)])
            for version in ("v1.0", "v1.1"):
                self.add(f"projects {version}", _pages(self.session, f"{box.url}/rest/{version}/projects",
                                                       {"company_id": company_id, "filters[by_status]": "All"},
                                                       headers))
            for project in self.records["projects v1.0"]:
                if project["company"]["id"] == company_id and project["id"] not in unreadable:
                    self.project(company_id, project["id"])

    def headers(self, company_id: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token_body['access_token']}", "Procore-Company-Id": str(company_id)}

    def get(self, path: str, headers: dict, params: dict | None = None) -> Any:
        answer = self.session.get(f"{self.box.url}{path}", params=params, headers=headers, timeout=30)
        assert answer.status_code == 200, (path, answer.text)
        return answer.json()

    def add(self, resource: str, records: list[dict]) -> None:
        self.records.setdefault(resource, []).extend(records)

    def project(self, company_id: int, pid: int) -> None:
        headers, url = self.headers(company_id), self.box.url
        for tool in ("rfis", "submittals"):
            for path in (f"/rest/v1.0/projects/{pid}/{tool}", f"/rest/v1.0/projects/{pid}/{tool}/recycle_bin"):
                self.add(tool, _pages(self.session, f"{url}{path}", {}, headers))
        self.add("change_events", _pages(self.session, f"{url}/rest/v1.0/change_events",
                                         {"project_id": pid, "filters[include_deleted]": "with"}, headers))
        views = _pages(self.session, f"{url}/rest/v1.0/budget_views", {"project_id": pid}, headers)
        self.add("budget_views", views)
        for view in views:
            base = f"/rest/v1.0/budget_views/{view['id']}"
            columns = self.get(f"{base}/budget_detail_columns", headers, {"project_id": pid})
            rows = _pages(self.session, f"{url}{base}/detail_rows", {"project_id": pid, "budget_row_type": "all"},
                          headers)
            self.add("budget_columns", columns)
            self.add("budget_rows", rows)
            labels = {c["name"] for c in columns if c["type"] != "standard"}
            self.add("label sets", [{"labels": labels, "rows": [r for r in rows if set(r) & labels != labels]}])


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    box = start_sandbox(SandboxOptions(seed=42, companies=2, projects=8, records_per_project=12,
                                       rate_limit_hourly=10**6, rate_limit_spike=10**6))
    try:
        box.mutate({"random": 80})
        box.mutate({"resource": "projects", "action": "create", "company_id": box.company_ids[0]})
        yield Served(box)
    finally:
        box.stop()


def _differences(records: list[dict], name: str, resource_rules: rules.Rules, mode: str = "keys") -> list[str]:
    counted = Counter(problem for record in records for problem in compare(sample(name), record, resource_rules, mode))
    return [f"{count} x {problem}" for problem, count in counted.most_common(25)]


CASES = [
    ("projects v1.0", "project_v1_0_list_item.json", rules.project_rules("project_v1_1_list_item.json"), "keys"),
    ("projects v1.0", "project_v1_1_list_item.json", rules.project_rules("project_v1_0_list_item.json"), "keys"),
    ("projects v1.1", "project_v1_1_list_item.json", rules.project_rules("project_v1_0_list_item.json"), "keys"),
    ("rfis", "rfi_v1_0_show.json", rules.RFIS, "keys"),
    ("submittals", "submittal_v1_0_list_item.json", rules.SUBMITTALS, "keys"),
    ("submittals", "submittal_v1_1_show.json", rules.SUBMITTALS_SHOW, "common"),
    ("budget_views", "budget_view_v1_0.json", rules.BUDGET_VIEWS, "keys"),
    ("budget_rows", "budget_detail_row_v1_0.json", rules.budget_row_rules("budget_detail_rows_v1_0_page.json"), "keys"),
    ("change_events", "change_event_v1_0_list_item.json", rules.CHANGE_EVENTS, "keys"),
]


@pytest.mark.parametrize(("resource", "name", "resource_rules", "mode"), CASES,
                         ids=[f"{c[0]}~{c[1]}" for c in CASES])
def test_every_served_record_has_the_samples_keys_and_types(served, resource, name, resource_rules, mode):
    records = served.records[resource]
    assert len(records) >= 8, f"too few {resource} to compare"
    assert _differences(records, name, resource_rules, mode) == []


def test_budget_rows_match_the_full_capture_item_by_item(served):
    page = sample("budget_detail_rows_v1_0_page.json")
    row_rules = rules.budget_row_rules("budget_detail_row_v1_0.json")
    for item in page:
        counted = Counter(p for record in served.records["budget_rows"] for p in compare(item, record, row_rules))
        assert not counted, counted.most_common(10)
    for view in served.records["label sets"]:  # each row carries exactly its view's label columns
        assert view["labels"] and view["rows"] == []


def test_budget_columns_companies_and_me_match_their_shapes(served):
    columns = served.records["budget_columns"]
    for column in sample("budget_detail_columns_v1_0.json"):  # a standard column and source columns, same keys
        assert [p for c in columns for p in compare(column, c, rules.BUDGET_COLUMNS)] == []
    assert all(compare(rules.COMPANY_SCHEMA, c, rules.COMPANIES) == [] for c in served.records["companies"])
    assert all(compare(rules.ME_SCHEMA, me, rules.ME) == [] for me in served.records["me"])


def test_harsh_cases_are_spread_realistically(served):
    rfis = served.records["rfis"]
    share = {name: sum(test(r) for r in rfis) / len(rfis) for name, test in {
        "no priority": lambda r: r["priority"]["name"] is False,
        "no cost code": lambda r: r["cost_code"] is None,
        "no received_from": lambda r: r["received_from"] is None,
        "no responsible contractor": lambda r: r["responsible_contractor"] is None,
        "no location": lambda r: r["location"] is None,
    }.items()}
    assert 0.15 < share["no priority"] < 0.5 and 0.25 < share["no cost code"] < 0.6, share
    assert all(0.02 < share[k] < 0.35 for k in ("no received_from", "no responsible contractor", "no location")), share
    assert all(r["sub_job"] is None for r in rfis)
    submittals = served.records["submittals"]
    assert all(isinstance(s["status"], dict) and isinstance(s["ball_in_court"], list) for s in submittals)
    assert any(s["ball_in_court"] for s in submittals) and any(s["approvers"] for s in submittals)
    for resource in ("rfis", "submittals", "budget_rows", "change_events"):
        assert all(r["id"] is None or r["id"] > 2**31 for r in served.records[resource]), resource
    assert all(isinstance(r["original_budget_amount"], str) for r in served.records["budget_rows"])
    assert all(isinstance(p["total_value"], str) for p in served.records["projects v1.0"])


def test_token_and_error_bodies_match_the_samples(served):
    box = served.box
    assert compare(sample("oauth_token_client_credentials.json"), served.token_body, rules.OAUTH) == []
    api = Api(box)
    user = api.user_tokens()
    refreshed = api.refresh(user["refresh_token"]).json()
    for body in (user, refreshed):
        assert compare(sample("oauth_token_authorization_code.json"), body, rules.OAUTH) == []
    v2 = requests.get(f"{box.url}/rest/v2.0/companies/{box.company_ids[0]}/projects/1/nothing", timeout=10,
                      headers=served.headers(box.company_ids[0]))
    assert v2.status_code == 404 and compare(sample("error_body.json"), v2.json(), rules.ERRORS) == []


class _Inbox(BaseHTTPRequestHandler):
    bodies: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


def test_webhook_deliveries_match_the_samples(served):
    box, company_id = served.box, served.box.company_ids[0]
    inbox = ThreadingHTTPServer(("127.0.0.1", 0), _Inbox)
    threading.Thread(target=inbox.serve_forever, daemon=True).start()
    headers = served.headers(company_id)
    try:
        for version in ("v2", "v3", "v4"):
            namespace = "shapes-" + "abc"[int(version[1]) - 2]
            hook = served.session.post(f"{box.url}/rest/v1.0/webhooks/hooks", headers=headers, timeout=10, json={
                "company_id": company_id, "hook": {"api_version": version, "namespace": namespace,
                                                   "destination_url": f"http://127.0.0.1:{inbox.server_port}/"}})
            assert hook.status_code == 201, hook.text
            for event in ("create", "update", "delete"):
                served.session.post(f"{box.url}/rest/v1.0/webhooks/hooks/{hook.json()['id']}/triggers", timeout=10,
                                    headers=headers, json={"company_id": company_id, "trigger": {
                                        "resource_name": "RFIs", "event_type": event}})
        rfi = next(r for r in box.records("rfis") if r["company_id"] == company_id and not r["deleted_at"])
        box.mutate({"resource": "rfis", "action": "update", "id": rfi["record"]["id"], "changes": {"subject": "x"}})
        box.mutate({"resource": "rfis", "action": "delete", "id": rfi["record"]["id"]})
        assert requests.post(f"{box.url}/_sandbox/webhooks/drain", json={"timeout": 30}, timeout=40).json()["idle"]
    finally:
        inbox.shutdown()
    by_version = {v: [b for b in _Inbox.bodies if b.get("api_version", "v4.0").startswith(v)]
                  for v in ("v2", "v3", "v4")}
    expected = {"v2": ("webhook_event_v2.json", "webhook_event_v2_0_docs.json"),
                "v3": ("webhook_event_v3_0_docs.json",), "v4": ("webhook_event_v4_0_docs.json",)}
    for version, names in expected.items():
        assert len(by_version[version]) == 2, version  # the update and the delete
        for name in names:
            assert _differences(by_version[version], name, rules.WEBHOOKS) == [], (version, name)
