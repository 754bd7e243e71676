"""Settings from the environment: defaults, parsing, and errors that name the variable."""

from __future__ import annotations

import pytest

from procore_source.settings import ProcoreSettings, SettingsError

BASE = {"PROCORE_CLIENT_ID": "id", "PROCORE_CLIENT_SECRET": "top-secret-value",
        "PROCORE_COMPANY_IDS": "1, 562949953442334"}


def test_defaults_and_company_ids():
    settings = ProcoreSettings.from_env(BASE)
    assert settings.api_base_url == "https://api.procore.com"
    assert settings.login_base_url == "https://login.procore.com"
    assert settings.company_ids == (1, 562949953442334)
    assert settings.auth_grant == "client_credentials"
    assert settings.page_size is None


def test_secret_never_in_repr():
    settings = ProcoreSettings.from_env(BASE)
    assert "top-secret-value" not in repr(settings)
    assert "top-secret-value" not in str(settings)


def test_optional_values_parsed():
    env = {**BASE, "PROCORE_API_BASE_URL": "http://127.0.0.1:9/", "PROCORE_PAGE_SIZE": "50",
           "PROCORE_READ_TIMEOUT": "2.5", "PROCORE_HOURLY_REQUEST_BUDGET": "3000", "PROCORE_MAX_RETRIES": "0"}
    settings = ProcoreSettings.from_env(env)
    assert settings.api_base_url == "http://127.0.0.1:9"
    assert (settings.page_size, settings.read_timeout, settings.hourly_request_budget, settings.max_retries) == (
        50, 2.5, 3000, 0)


@pytest.mark.parametrize("missing", ["PROCORE_CLIENT_ID", "PROCORE_CLIENT_SECRET", "PROCORE_COMPANY_IDS"])
def test_missing_variable_is_named(missing):
    env = {k: v for k, v in BASE.items() if k != missing}
    with pytest.raises(SettingsError, match=f"{missing} is not set"):
        ProcoreSettings.from_env(env)


@pytest.mark.parametrize(("var", "value"), [
    ("PROCORE_COMPANY_IDS", "12,abc"), ("PROCORE_PAGE_SIZE", "0"), ("PROCORE_READ_TIMEOUT", "soon"),
    ("PROCORE_API_BASE_URL", "api.procore.com"), ("PROCORE_AUTH_GRANT", "password"),
])
def test_invalid_variable_is_named(var, value):
    with pytest.raises(SettingsError, match=var):
        ProcoreSettings.from_env({**BASE, var: value})


def test_refresh_grant_needs_a_store():
    with pytest.raises(SettingsError, match="PROCORE_TOKEN_STORE"):
        ProcoreSettings.from_env({**BASE, "PROCORE_AUTH_GRANT": "refresh_token"})


def test_every_missing_and_invalid_variable_is_reported_at_once():
    env = {"PROCORE_CLIENT_SECRET": "top-secret-value", "PROCORE_PAGE_SIZE": "0", "PROCORE_READ_TIMEOUT": "soon",
           "PROCORE_AUTH_GRANT": "refresh_token"}
    with pytest.raises(SettingsError) as failure:
        ProcoreSettings.from_env(env)
    problems = failure.value.problems
    assert [p.split(" ", 1)[0] for p in problems] == [
        "PROCORE_CLIENT_ID", "PROCORE_COMPANY_IDS", "PROCORE_PAGE_SIZE", "PROCORE_READ_TIMEOUT", "PROCORE_TOKEN_STORE"]
    assert str(failure.value) == "; ".join(problems) and "top-secret-value" not in str(failure.value)
