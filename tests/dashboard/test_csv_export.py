"""CSV downloads of the overdue tables neutralise cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io

import duckdb
import pandas as pd
import pytest
from conftest import run_app
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from dashboard.project_view import csv_safe


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """The bytes each download button hands over, by its file name (a spy on Streamlit's media storage)."""
    seen: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):
        if filename is not None and isinstance(path_or_data, bytes):
            seen[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return seen


def test_overdue_csv_prefixes_formula_cells(dash_env, downloads):
    con = duckdb.connect(str(dash_env.serving))
    for number, title, court in (("1", '=HYPERLINK("http://evil.example","click")', "Architect"),
                                 ("2", "@SUM(1+1)", "+44 20 7946 0000"), ("3", "-2+3", "Ann = architect")):
        con.execute("UPDATE marts.overdue_items SET title = ?, ball_in_court = ? "
                    "WHERE project_id = 101 AND item_type = 'rfi' AND number = ?", [title, court, number])
    con.execute("UPDATE marts.overdue_items SET title = ? WHERE project_id = 101 AND number = '05 12 00-1'",
                ["\tcmd|' /C calc'!A0"])
    con.execute("UPDATE marts.overdue_items SET title = ? WHERE project_id = 101 AND number = '05 12 00-2'",
                ["\rline"])
    con.close()
    at = run_app(api_token=dash_env.token("Project", 101))
    assert not at.exception
    rfis = list(csv.DictReader(io.StringIO(downloads["rfis_overdue_101.csv"].decode("utf-8"))))
    assert sorted((r["number"], r["title"], r["ball_in_court"]) for r in rfis) == [
        ("1", '\'=HYPERLINK("http://evil.example","click")', "Architect"),
        ("2", "'@SUM(1+1)", "'+44 20 7946 0000"),
        ("3", "'-2+3", "Ann = architect"),  # only a leading sign is dangerous
    ]
    assert {r["days_overdue"] for r in rfis} == {"3", "4", "5"}  # numbers are not text: left alone
    assert all(r["url"].startswith("https://app.procore.com/101/") for r in rfis)
    subs = list(csv.DictReader(io.StringIO(downloads["submittals_overdue_101.csv"].decode("utf-8"), newline="")))
    assert sorted(r["title"] for r in subs) == ["'\tcmd|' /C calc'!A0", "'\rline"]  # one row each, kept whole


def test_csv_safe_leaves_ordinary_values_and_non_text_columns_alone():
    frame = pd.DataFrame({"title": ["Door", "=1+1", None, "a-b"], "days": [-3, 1, 2, 4]})
    safe = csv_safe(frame)
    assert safe["title"].tolist()[:2] == ["Door", "'=1+1"] and safe["title"].isna().tolist()[2]
    assert safe["title"].tolist()[3] == "a-b"
    assert safe["days"].tolist() == [-3, 1, 2, 4]  # a negative number is a number, not a formula
    assert frame["title"].tolist()[1] == "=1+1"  # the shown table keeps the original text
