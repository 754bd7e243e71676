"""Link parsing, parameter merging, page-shape checks, Retry-After and token-store files (no server)."""

from __future__ import annotations

import os
import stat

import pytest

from procore_source.errors import MalformedResponseError
from procore_source.pagination import as_params, link_path, merge_params, parse_link_header, records_of
from procore_source.token_store import FileTokenStore, StoredTokens
from procore_source.transport import retry_after_seconds

PROCORE_LINK = (
    '<https://api.procore.com/rest/v1.0/punch_items?page=1&per_page=5>; rel="first", '
    '<https://api.procore.com/rest/v1.0/punch_items?page=2&per_page=5>; rel="prev", '
    '<https://api.procore.com/rest/v1.0/punch_items?page=30&per_page=5>; rel="last", '
    '<https://api.procore.com/rest/v1.0/punch_items?page=4&per_page=5>; rel="next"'
)


def test_parse_link_header_procore_example():
    links = parse_link_header(PROCORE_LINK)
    assert links["next"].endswith("page=4&per_page=5")
    assert links["last"].endswith("page=30&per_page=5")
    assert set(links) == {"first", "prev", "last", "next"}


@pytest.mark.parametrize("value", [None, "", "   "])
def test_parse_link_header_empty(value):
    assert parse_link_header(value) == {}


def test_merge_keeps_caller_filters_and_takes_link_page():
    caller = as_params({"filters[updated_at]": "2024-01-01...2024-02-01", "filters[status][]": ["open", "draft"],
                        "per_page": "1000"})
    merged = merge_params(caller, "https://x/rest/v1.0/projects/1/rfis?page=2&per_page=300")
    assert ("filters[updated_at]", "2024-01-01...2024-02-01") in merged
    assert [v for k, v in merged if k == "filters[status][]"] == ["open", "draft"]
    assert [v for k, v in merged if k == "per_page"] == ["300"]
    assert [v for k, v in merged if k == "page"] == ["2"]


def test_records_of_shapes():
    assert records_of([{"id": 1}], "u") == [{"id": 1}]
    assert records_of({"data": [{"id": "1"}]}, "u") == [{"id": "1"}]
    with pytest.raises(MalformedResponseError, match=r"is a JSON dict with keys \['errors'\].*https://x/y"):
        records_of({"errors": "boom"}, "https://x/y")
    with pytest.raises(MalformedResponseError, match="item 1 is a JSON int"):
        records_of([{"id": 1}, 5], "u")
    with pytest.raises(MalformedResponseError, match="JSON null"):
        records_of(None, "u")


def test_retry_after_forms():
    assert retry_after_seconds("3", 0) == 3.0
    assert retry_after_seconds(None, 0) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470.0) == pytest.approx(10.0)
    assert retry_after_seconds("garbage", 0) is None


def test_file_token_store_is_atomic_and_owner_only(tmp_path):
    path = tmp_path / "state" / "tokens.json"
    store = FileTokenStore(path)
    assert store.load() is None
    store.save(StoredTokens(access_token="a1", refresh_token="r1", expires_at=10.0))
    store.save(StoredTokens(access_token="a2", refresh_token="r2", expires_at=20.0))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert FileTokenStore(path).load() == StoredTokens(access_token="a2", refresh_token="r2", expires_at=20.0)
    assert [p.name for p in path.parent.iterdir()] == ["tokens.json"]  # no temp files left behind
    assert "r2" not in repr(store.load())


def test_file_token_store_rejects_garbage(tmp_path):
    path = tmp_path / "tokens.json"
    path.write_text("not json")
    with pytest.raises(ValueError, match="unreadable"):
        FileTokenStore(path).load()


def test_link_path_stays_on_our_base():
    assert link_path("https://elsewhere.example/rest/v1.0/rfis?page=2", "https://api.procore.com") == "/rest/v1.0/rfis"
    assert link_path("https://proxy/procore/rest/v1.0/rfis?page=2", "https://proxy/procore") == "/rest/v1.0/rfis"
