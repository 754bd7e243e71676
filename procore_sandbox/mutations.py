"""Creates, updates and deletes on the sandbox's records: explicit ones, and N random ones.

Every change moves the record's `updated_at` to the sandbox clock's now (unless the change sets
`updated_at` itself), deletes move records to the recycle bin with `deleted_at`, and each applied
change is passed to the store's listeners (the hook webhook delivery will use).
"""

from __future__ import annotations

from typing import Any

from procore_sandbox import vocab
from procore_sandbox.bundle import ProjectData
from procore_sandbox.data import ProjectSeed
from procore_sandbox.data_budget import make_row, view_labels
from procore_sandbox.data_context import project_context
from procore_sandbox.data_projects import created_project
from procore_sandbox.data_records import make_change_event
from procore_sandbox.data_rfis import PRIORITIES, TRANSLATED, make_rfi
from procore_sandbox.data_submittals import make_submittal
from procore_sandbox.store import RESOURCES, Store

ACTIONS = ("create", "update", "delete")
# Deleted records that say so (Procore's RFI schema: `deleted`, `deleted_at` "only shown on deleted
# records"; financial lists read with `filters[include_deleted]` carry `deleted_at`). Procore's submittal
# recycle-bin schema has no such key, so deleted submittals do not say when.
DELETION_KEYS = {"rfis": {"deleted": True}, "change_events": {}}


class MutationError(ValueError):
    """A mutation the sandbox cannot apply; `status` is the HTTP answer (400 or 404)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def apply_body(store: Store, body: Any) -> list[dict]:
    """Apply a `/_sandbox/mutations` body: `{"random": N}`, one change, a list, or `{"mutations": [...]}`."""
    if isinstance(body, dict) and "random" in body:
        count = body["random"]
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 100_000:
            raise MutationError("random must be an integer between 0 and 100000")
        return [random_change(store) for _ in range(count)]
    if isinstance(body, dict) and "mutations" in body:
        body = body["mutations"]
    changes = body if isinstance(body, list) else [body]
    for change in changes:
        _validate(change)
    with store.lock:
        return [apply_change(store, change) for change in changes]


def _validate(change: Any) -> None:
    if not isinstance(change, dict):
        raise MutationError("each mutation must be a JSON object")
    if change.get("resource") not in RESOURCES:
        raise MutationError(f"resource must be one of {', '.join(RESOURCES)}")
    if change.get("action") not in ACTIONS:
        raise MutationError(f"action must be one of {', '.join(ACTIONS)}")
    if not isinstance(change.get("changes", {}), dict):
        raise MutationError("changes must be a JSON object")
    if "id" in (change.get("changes") or {}):
        raise MutationError("changes cannot set a record's id")
    if change["action"] != "create" and not isinstance(change.get("id"), int):
        raise MutationError(f"{change['action']} needs the integer id of the record")
    if change["resource"] == "budget_views" and change["action"] != "create" \
            and not isinstance(change.get("project_id"), int):
        # a view id is company-level and shared by the projects it is assigned to
        raise MutationError(f"{change['action']} of a budget view needs its project_id too")


def apply_change(store: Store, change: dict) -> dict:
    """Apply one explicit change; returns what changed (also passed to the listeners)."""
    _validate(change)
    resource, action, fields = change["resource"], change["action"], change.get("changes") or {}
    now = store.clock.now_iso()
    if action == "create":
        company_id, project_id, view_id, coll, record = _new_record(store, resource, change)
        key = record["id"]
    else:
        company_id, project_id, view_id, coll, key = _find(store, resource, change["id"], change.get("project_id"))
        record = coll.get(key).record()
    if action == "delete":
        if "updated_at" in record:
            record["updated_at"] = now
        if resource in DELETION_KEYS:
            record.update({**DELETION_KEYS[resource], "deleted_at": now})
        coll.update(key, record)
        coll.delete(key, now)
    else:
        record.update(fields)
        if "updated_at" in record and "updated_at" not in fields:
            record["updated_at"] = now
        if action == "create":
            coll.add(record, key=key)
        else:
            coll.update(key, record)
    if resource == "budget_rows":
        _touch_view(store, project_id, view_id, now)
    result = {"resource": resource, "action": action, "id": record.get("id"), "company_id": company_id,
              "project_id": project_id, "budget_view_id": view_id, "at": now,
              "deleted_at": now if action == "delete" else None, "record": record}
    store.notify(result)
    return result


def _touch_view(store: Store, project_id: int, view_id: int, now: str) -> None:
    views = store.project_data(project_id).budget_views
    entry = views.get(view_id)
    if entry is not None:
        view = entry.record()
        view["updated_at"] = now
        views.update(view_id, view)


def _find(store: Store, resource: str, record_id: int, project_id: int | None = None):
    if resource == "projects":
        seed = store.project_seeds.get(record_id)
        if seed is None or store.project_entry(record_id).deleted_at:
            raise MutationError(f"no live project {record_id}", 404)
        return seed.company_id, None, None, store.projects[seed.company_id], record_id
    if resource == "budget_views":
        seed = store.project_seeds.get(project_id) if project_id is not None else None
        found = seed is not None and seed.access == "ok" and store.project_data(seed.id).budget_views.get(record_id)
        where = (seed.id, None) if found else None
    else:
        where = store.locate(resource, record_id)
    if where is None:
        raise MutationError(f"no {resource} record with id {record_id}", 404)
    project_id, view_id = where
    coll = store.project_data(project_id).collection(resource, view_id)
    entry = coll.get(record_id) if coll else None
    if entry is None or entry.deleted_at:
        raise MutationError(f"{resource} {record_id} is already deleted", 404)
    return store.project_seeds[project_id].company_id, project_id, view_id, coll, record_id


def _readable_project(store: Store, change: dict) -> tuple[ProjectSeed, ProjectData]:
    project_id = change.get("project_id")
    seed = store.project_seeds.get(project_id) if isinstance(project_id, int) else None
    if seed is None:
        raise MutationError("create needs the project_id of a seeded project", 404)
    if seed.access != "ok":
        raise MutationError(f"project {project_id} is {seed.access}: its tools hold no records")
    return seed, store.project_data(project_id)


def _new_record(store: Store, resource: str, change: dict):
    rng, anchor = store.mutation_rng, int(store.clock.now())
    if resource == "projects":
        company_id = change.get("company_id")
        if company_id not in store.company_by_id:
            raise MutationError("creating a project needs a known company_id", 404)
        new_id = store.new_id("projects", 0)
        record = created_project(store.company_by_id[company_id], new_id, store.clock.now())
        store.add_project(company_id, new_id)
        return company_id, None, None, store.projects[company_id], record
    seed, data = _readable_project(store, change)
    company = store.company_by_id[seed.company_id]
    view_id = None
    if resource == "budget_rows":
        view_id = change.get("budget_view_id") or next(iter(data.budget_rows), None)
        if view_id not in data.budget_rows:
            raise MutationError(f"project {seed.id} has no budget view {view_id}", 404)
        name = data.budget_views.get(view_id).record()["name"]
        new_id = store.new_id(resource, seed.id, view_id)
        pairs = len(vocab.COST_CODES) * len(vocab.CATEGORIES)
        record = make_row(rng, new_id, rng.randrange(pairs), view_labels(name), _project_record(store, seed.id),
                          company)
        return seed.company_id, seed.id, view_id, data.budget_rows[view_id], record
    new_id = store.new_id(resource, seed.id)
    number = data.next_number.get(resource, 1)
    data.next_number[resource] = number + 1
    ctx = project_context(company, seed, _project_record(store, seed.id), anchor)
    if resource == "rfis":
        record = make_rfi(rng, ctx, new_id, number)
    elif resource == "submittals":
        record = make_submittal(rng, ctx, new_id, number)
    elif resource == "change_events":
        record = make_change_event(rng, company, seed.id, new_id, number, anchor)
    else:
        raise MutationError("budget views cannot be created here; create budget_rows instead")
    record["created_at"] = store.clock.now_iso()
    return seed.company_id, seed.id, None, data.collection(resource), record


def _project_record(store: Store, project_id: int) -> dict:
    """The project's record as seeded (its current one for a created project)."""
    return store.seed_records.get(project_id) or store.project_entry(project_id).record()


def random_change(store: Store) -> dict:
    """One random create, update or delete across readable projects and resources."""
    rng = store.mutation_rng
    with store.lock:
        projects = [s for s in store.readable_projects() if not store.project_entry(s.id).deleted_at]
        if not projects:
            raise MutationError("the sandbox has no readable project to change")
        for _ in range(50):
            resource = rng.choices(("rfis", "submittals", "budget_rows", "change_events", "projects"),
                                   weights=(40, 30, 15, 10, 5))[0]
            seed = rng.choice(projects)
            action = rng.choices(ACTIONS, weights=(25, 60, 15))[0]
            if resource == "projects":
                return apply_change(store, {"resource": "projects", "action": "update", "id": seed.id,
                                            "changes": {"name": f"{_project_name(store, seed.id)} (rev)"}})
            data = store.project_data(seed.id)
            view_id = rng.choice(list(data.budget_rows)) if resource == "budget_rows" and data.budget_rows else None
            coll = data.collection(resource, view_id)
            if coll is None:
                continue
            live = [e for e in coll.live() if e.id is not None]
            if action == "create" or not live:
                return apply_change(store, {"resource": resource, "action": "create", "project_id": seed.id,
                                            "budget_view_id": view_id})
            target = rng.choice(live)
            if action == "delete":
                return apply_change(store, {"resource": resource, "action": "delete", "id": target.id})
            return apply_change(store, {"resource": resource, "action": "update", "id": target.id,
                                        "changes": _random_update(rng, resource, target.record(), store)})
        raise MutationError("could not find anything to change")


def _project_name(store: Store, project_id: int) -> str:
    return store.project_entry(project_id).record()["name"].removesuffix(" (rev)")


def _random_update(rng, resource: str, record: dict, store: Store) -> dict:
    now = store.clock.now_iso()
    if resource == "rfis":
        if record["status"] == "open":
            return {"status": "closed", "translated_status": TRANSLATED["closed"], "time_resolved": now,
                    "ball_in_courts": [], "ball_in_court_role": "rfi_manager", "accepted": True}
        return {"subject": record["subject"] + " (revised)", "title": record["subject"] + " (revised)",
                "priority": rng.choice(PRIORITIES)}
    if resource == "submittals":
        return {"title": record["title"] + " (rev)", "revision": str(int(record.get("revision") or 0) + 1)}
    if resource == "change_events":
        status = rng.choice(("open", "pending", "closed", "void"))
        return {"status": status, "change_event_status": {**record["change_event_status"], "name": status.title(),
                                                          "mapped_to_status": status}}
    label = "Committed Costs" if "Committed Costs" in record else "Revised Budget"
    value = float(record.get(label) or 0) + rng.randint(1, 40) * 250
    return {label: f"{value:.2f}"}
