"""CSV downloads of the overdue tables neutralise cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from app_pages import run_app
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
    """The `csv` project's overdue RFIs and submittals were given formula-looking titles and courts in the
    sandbox; the downloads carry them neutralised, one row each."""
    real = dash_env.real
    pid = real.csv
    at = run_app(api_token=dash_env.token("Project", pid))
    assert not at.exception
    rfis = list(csv.DictReader(io.StringIO(downloads[f"rfis_overdue_{pid}.csv"].decode("utf-8"))))
    got = {(r["title"], r["ball_in_court"]) for r in rfis}
    assert {('\'=HYPERLINK("http://evil.example","click")', "Architect"), ("'@SUM(1+1)", "'+44 20 7946 0000"),
            ("'-2+3", "Ann = architect")} <= got  # only a leading sign is dangerous
    expected = real.query("SELECT number, days_overdue FROM marts.overdue_items WHERE project_id = ? AND "
                          "item_type = 'rfi'", (pid,))
    assert sorted((r["number"], int(r["days_overdue"])) for r in rfis) == sorted(expected)  # numbers left alone
    assert all(r["url"].startswith(f"https://app.procore.com/{pid}/") for r in rfis)
    subs = list(csv.DictReader(io.StringIO(downloads[f"submittals_overdue_{pid}.csv"].decode("utf-8"), newline="")))
    assert {"'\tcmd|' /C calc'!A0", "'\rline"} <= {r["title"] for r in subs}  # one row each, kept whole
    assert len(subs) == real.query("SELECT count(*) FROM marts.overdue_items WHERE project_id = ? AND "
                                   "item_type = 'submittal'", (pid,))[0][0]


def test_csv_safe_leaves_ordinary_values_and_non_text_columns_alone():
    frame = pd.DataFrame({"title": ["Door", "=1+1", None, "a-b"], "days": [-3, 1, 2, 4]})
    safe = csv_safe(frame)
    assert safe["title"].tolist()[:2] == ["Door", "'=1+1"] and safe["title"].isna().tolist()[2]
    assert safe["title"].tolist()[3] == "a-b"
    assert safe["days"].tolist() == [-3, 1, 2, 4]  # a negative number is a number, not a formula
    assert frame["title"].tolist()[1] == "=1+1"  # the shown table keeps the original text
