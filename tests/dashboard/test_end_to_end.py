"""End to end: every project of the real snapshot opens, for its company token, without an error.

Guards the serving contract between the transforms and the dashboard: the snapshot comes from a full sync
of the sandbox (see `real_snapshot`), and each page shows the published project under its published name.
"""

from __future__ import annotations

import pytest
from app_pages import open_buttons, page_text, run_app

from dashboard.formatting import md

pytestmark = pytest.mark.slow


def test_every_project_of_a_company_renders(dash_env):
    real = dash_env.real
    company = real.company  # its forbidden, hidden, created, budget-less and failing projects included
    expected = dict(real.query("SELECT project_id, project_name FROM marts.project_metrics WHERE company_id = ?",
                               (company,)))
    token = dash_env.token("Company", company)
    at = run_app(api_token=token)
    assert not at.exception
    pages = -(-len(expected) // 20)
    shown = set(open_buttons(at))
    for page in range(2, pages + 1):
        at.number_input(key="page").set_value(page).run()
        shown |= open_buttons(at)
    assert shown == set(expected)
    for pid, name in expected.items():
        at = run_app(api_token=token, project_id=str(pid))
        assert not at.exception, pid
        assert at.title[0].value == md(name)
        assert "temporarily unavailable" not in page_text(at)
