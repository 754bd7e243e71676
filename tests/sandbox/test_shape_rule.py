"""The shape comparison itself fails where keys or JSON types differ (so the sandbox check can fail)."""

from __future__ import annotations

from tests.sandbox.shapes import Rules, compare, sample

RFI = sample("rfi_v1_0_show.json")


def test_a_sample_matches_itself_and_a_changed_copy_does_not():
    assert compare(RFI, RFI, Rules()) == []
    missing = {k: v for k, v in RFI.items() if k != "subject"}
    assert compare(RFI, missing, Rules()) == ["subject: missing in the sandbox"]
    assert compare(RFI, {**RFI, "priority": "high"}, Rules()) == ["priority: sample object, sandbox string"]
    assert compare(RFI, {**RFI, "id": str(RFI["id"])}, Rules()) == ["id: sample integer, sandbox string"]
    assert compare(RFI, {**RFI, "id": 1.5}, Rules()) == ["id: sample integer, sandbox number"]
    assert compare(RFI, {**RFI, "surprise": 1}, Rules()) == [
        "surprise: sandbox key the sample lacks (list it in extra, with its source)"]
    assert compare(RFI, {**RFI, "surprise": 1}, Rules(extra={"surprise": "real"})) == []


def test_null_matches_only_where_procore_is_known_to_send_it():
    record = {**RFI, "subject": None, "sub_job": {"id": 1, "name": "A", "code": "01"}}
    problems = compare(RFI, record, Rules())
    assert "subject: sample string, sandbox null; null is not known there (declare it)" in problems
    assert "sub_job: sample null, sandbox object; null is not known there (declare it)" in problems
    declared = Rules(nullable={"subject": ({"string"}, "why"), "sub_job": ({"object"}, "why")})
    assert compare(RFI, record, declared) == []
    wrong = Rules(nullable={"subject": ({"string"}, "why"), "sub_job": ({"string"}, "why")})
    assert compare(RFI, record, wrong) == ["sub_job: object where Procore sends ['string']"]


def test_nested_objects_and_list_items_are_compared_recursively():
    record = {**RFI, "priority": {"name": "High", "value": 3}}
    assert compare(RFI, record, Rules()) == [
        "priority.name: sample boolean, sandbox string",
        "priority.value: sample null, sandbox integer; null is not known there (declare it)"]
    assignee = {k: v for k, v in RFI["assignees"][0].items() if k != "login"}
    assert compare(RFI, {**RFI, "assignees": [RFI["assignees"][0], assignee]}, Rules()) == [
        "assignees[].login: missing in the sandbox"]
    items = {**RFI, "change_events": [{"id": 1}]}  # the sample's list is empty: no item to compare with
    assert compare(RFI, items, Rules()) == [
        "change_events: 1 item(s) but no real item to compare them with (declare one)"]
    assert compare(RFI, items, Rules(items={"change_events[]": {"id": 7}})) == []


def test_label_columns_compare_as_a_class_and_common_mode_skips_missing_top_keys():
    row = sample("budget_detail_row_v1_0.json")
    relabelled = {k: v for k, v in row.items() if k != "Cost to Date"} | {"Committed Costs": "10.00"}
    assert compare(row, relabelled, Rules(labels=True)) == []
    assert compare(row, {**relabelled, "Committed Costs": 10.0}, Rules(labels=True)) == [
        "label-named amount columns: sample ['string'], sandbox ['number', 'string']"]
    bare = {k: v for k, v in row.items() if k == k.lower() or "_" in k}
    assert "label-named amount columns: none in the sandbox record" in compare(row, bare, Rules(labels=True))
    show = sample("submittal_v1_1_show.json")
    listed = sample("submittal_v1_0_list_item.json")
    assert "attachments_count: missing in the sandbox" in compare(show, listed, Rules())
    common = compare(show, listed, Rules(), mode="common")
    assert not any("attachments_count" in p for p in common)
    assert any(p.startswith("submittal_package.created_by.locale: missing") for p in common)
