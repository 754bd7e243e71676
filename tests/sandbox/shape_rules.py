"""Which real sample each sandbox resource is compared with, and what the comparison allows, with why.

A `nullable` entry says Procore is known to send null at that path (and what it sends otherwise); a
`variant`, another JSON type it is known to send; an `extra`, a key the sample lacks that is still a
real Procore key; an `item`, a real list item where the sample's list is empty. Sources: the samples
in `tests/fixtures/procore_samples/` (README there), Procore's OpenAPI schemas (as generated in
weigandconstruction/procore_python_sdk `docs/`), and `/work/shared/PROCORE_API.md`.
"""

from __future__ import annotations

from tests.sandbox.shapes import Rules, sample

PEOPLE_LOCALE = ({"string"}, "'' in the RFI capture, null for other people in the submittal show capture")
DATE = {"string"}
OBJECT = {"object"}


def _extra_from(name: str, reason: str) -> dict[str, str]:
    """Every top-level key of another real sample of the same resource (a record, or a page of them)."""
    found = sample(name)
    keys = {key for record in found for key in record} if isinstance(found, list) else set(found)
    return {key: f"{reason} ({name})" for key in keys}


def project_rules(other: str) -> Rules:
    """Projects: the v1.0 docs item and the v1.1 capture; each allows the other's keys."""
    return Rules(nullable={
        "county": (DATE, "null in the v1.0 docs item, a name in the v1.1 capture"),
        "project_number": (DATE, "null in the v1.0 docs item, a string in the v1.1 capture"),
        "phone": (DATE, "'' in the v1.0 docs item, null in the v1.1 capture"),
    }, extra=_extra_from(other, "in the other project sample"))


RFI_PEOPLE = ("assignees[].locale", "ball_in_courts[].locale", "assignee.locale", "ball_in_court.locale")

RFIS = Rules(
    nullable={
        **{path: PEOPLE_LOCALE for path in RFI_PEOPLE},
        "priority.value": ({"integer"}, "null when unset (capture); otherwise the priority key, an integer as the "
                                        "RFI priority filter options send it"),
        "time_resolved": (DATE, "null on the open RFI captured; the close time once closed (PROCORE_API.md)"),
        "cost_code": (OBJECT, "null in the capture; Procore's RFI schema: cost_code {id, name}"),
        "cost_impact.value": ({"number", "integer"}, "null with an unknown impact (capture); dollars when known"),
        "schedule_impact.value": ({"integer"}, "null with an unknown impact (capture); days when known"),
        "location": (OBJECT, "null on the submittal show capture, an object on the RFI capture"),
        "location_id": ({"integer"}, "null on the submittal captures, an integer on the RFI capture"),
        "received_from": (OBJECT, "null on both submittal captures, {id, login, name} on the RFI capture"),
        "responsible_contractor": (OBJECT, "null on the submittal list capture, {id, name} on the RFI capture"),
    },
    variants={"priority.name": ({"string"}, "false when unset (capture), the label otherwise (the RFI priority "
                                            "filter options' value is a string)")},
    extra={
        "questions[].body": "Procore's RFI list schema: questions[] {id, body, errors}",
        "deleted": "Procore's RFI schema: deleted, 'only shown on deleted records' (recycle bin)",
        "deleted_at": "Procore's RFI schema: deleted_at, 'only shown on deleted records' (recycle bin)",
    },
)

_SHOW = sample("submittal_v1_1_show.json")
_PERSON = _SHOW["distribution_members"][0]
SUBMITTAL_DATES = ("due_date", "issue_date", "received_date", "submit_by", "distributed_at", "required_on_site_date")
SUBMITTAL_NULLS = {
    **{path: (DATE, "null in a capture; Procore's submittal schema types it a date") for path in SUBMITTAL_DATES},
    "responsible_contractor": (OBJECT, "null in the list capture, {id, name} in the show capture"),
    "received_from": (OBJECT, "null in both captures; Procore's submittal schema: received_from {id, login, name}"),
    "location_id": ({"integer"}, "null in the list capture; a location's id where set (RFI capture)"),
    "cost_code_id": ({"integer"}, "null in the list capture; an id where set (change event capture: cost_code_id)"),
    "approvers[].returned_date": (DATE, "a date once returned (show capture); pending approvers have none"),
    "approvers[].sent_date": (DATE, "a date once sent (show capture); a draft's approvers are not sent yet"),
    "approvers[].user.locale": PEOPLE_LOCALE,
    "ball_in_court[].locale": PEOPLE_LOCALE,
    "distribution_members[].locale": PEOPLE_LOCALE,
    "created_by.locale": PEOPLE_LOCALE,
    "submittal_manager.locale": PEOPLE_LOCALE,
    "submittal_package.created_by.locale": PEOPLE_LOCALE,
}
SUBMITTAL_ITEMS = {
    "approvers[]": _SHOW["approvers"][0],
    "distribution_members[]": _PERSON,
    "ball_in_court[]": _PERSON,  # Procore's schema: ball_in_court is a list of people
}
SUBMITTALS = Rules(
    nullable=SUBMITTAL_NULLS, items=SUBMITTAL_ITEMS,
    extra={f"{who}.{key}": "people nest as {id, name, locale, login} in the show capture"
           for who in ("created_by", "submittal_manager", "submittal_package.created_by")
           for key in ("locale", "login")},
)
SUBMITTALS_SHOW = Rules(nullable=SUBMITTAL_NULLS, items=SUBMITTAL_ITEMS)

_PAGE = sample("budget_detail_rows_v1_0_page.json")


def budget_row_rules(other: str) -> Rules:
    """Budget detail rows: label-named columns as a class; unbudgeted rows have no id."""
    return Rules(
        labels=True,
        nullable={"id": ({"integer"}, "unbudgeted rows (budgeted false) have no budget line item: id null, the "
                                      "harsher variant PROCORE_API.md asks for where the record is unsettled")},
        items={"wbs_code.segment_items[]": _PAGE[0]["wbs_code"]["segment_items"][0]},
        extra={k: v for k, v in _extra_from(other, "in the other capture of the same view's rows").items()
               if k == k.lower()},
    )


BUDGET_VIEWS = Rules()
BUDGET_COLUMNS = Rules()
CHANGE_EVENTS = Rules(extra={"deleted_at": "PROCORE_API.md: financial lists read with filters[include_deleted] "
                                           "carry deleted_at (on deleted records only here)"})
OAUTH = Rules()
ERRORS = Rules(items={"error.details[]": sample("error_body.json")["error"]["details"][0]})
WEBHOOKS = Rules()

# Companies and /me: no captured sample; Procore's OpenAPI schemas ("Company", "Show User Info" 200).
COMPANY_SCHEMA = {"id": 8089, "name": "Rogers-O`Brien Construction", "is_active": True, "logo_url": "https://x",
                  "pcn_business_experience": False, "my_company": True}
ME_SCHEMA = {"id": 6923972, "login": "user@example.com", "name": "User Name"}
COMPANIES = Rules()
ME = Rules()
