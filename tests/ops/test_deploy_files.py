"""The files in `deploy/` agree with the code: every setting in the env template, a valid production
`dagster.yaml`, unit command lines the CLIs accept, and (where nginx is installed) a proxy config nginx loads.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from operations.instance import PROD_YAML, instance_config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
# Named in the code but not deployment settings: a test pin, the sandbox host page, and a variable
# name the health tables scrub from error texts (the client does not read it).
NOT_SETTINGS = {"PIPELINES_AS_OF", "SANDBOX_HOST_API_TOKEN", "SANDBOX_HOST_DASHBOARD_URL", "PROCORE_REFRESH_TOKEN"}


def settings_read_by_the_code() -> set[str]:
    """Every PROCORE_/PIPELINES_/DASHBOARD_/WEBHOOK_ variable named in the product's modules."""
    names: set[str] = set()
    for folder in ("pipeline_settings", "procore_source", "warehouse", "orchestration", "transforms", "dashboard",
                   "webhooks"):
        for path in (ROOT / folder).rglob("*.py"):
            names |= set(re.findall(r'"((?:PROCORE|PIPELINES|DASHBOARD|WEBHOOK)_[A-Z_]+)"', path.read_text()))
    return names - NOT_SETTINGS


def test_env_template_has_every_setting_and_no_secret():
    template = (DEPLOY / "env" / "procore-pipelines.env.example").read_text()
    keys = dict(line.split("=", 1) for line in template.splitlines() if line and not line.startswith("#"))
    missing = settings_read_by_the_code() - keys.keys()
    assert not missing, f"add to deploy/env/procore-pipelines.env.example: {sorted(missing)}"
    for secret in ("PROCORE_CLIENT_SECRET", "PROCORE_WEBHOOK_SECRET", "DAGSTER_PG_PASSWORD"):
        assert keys[secret] == "", f"{secret} must stay empty in the template"


def test_production_instance_config_is_valid(tmp_path):
    from dagster._core.instance.config import dagster_instance_config

    (tmp_path / "dagster.yaml").write_text(PROD_YAML.read_text())
    config, _ = dagster_instance_config(str(tmp_path))  # raises on any schema error
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert config["run_monitoring"]["enabled"] is True
    assert config["run_launcher"]["module"] == "operations.run_launcher"
    assert instance_config({"poll_interval_seconds": 2})["run_monitoring"]["poll_interval_seconds"] == 2


@pytest.mark.parametrize(("unit", "cli", "flags"), [
    ("procore-dashboard.service", ["procore-dashboard", "serve"], ["--address", "--port"]),
    ("procore-webhooks.service", ["procore-webhooks", "serve"], ["--host", "--port"]),
    ("dagster-webserver.service", ["dagster-webserver"], ["--path-prefix", "-m", "-h", "-p"]),
])
def test_unit_command_lines_use_flags_the_cli_accepts(unit, cli, flags):
    text = (DEPLOY / "systemd" / unit).read_text()
    assert all(f" {flag} " in text.replace("\\\n", " ") for flag in flags)
    help_text = subprocess.run([str(BIN / cli[0]), *cli[1:], "--help"], capture_output=True, text=True,
                               timeout=120).stdout
    assert all(flag in help_text for flag in flags), help_text[-2000:]


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_config_loads(tmp_path):
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(certificate), "-days", "1", "-subj", "/CN=pipelines.example.com"],
                   check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "procore-pipelines.conf").read_text()
    site = (site.replace("/etc/letsencrypt/live/pipelines.example.com/fullchain.pem", str(certificate))
            .replace("/etc/letsencrypt/live/pipelines.example.com/privkey.pem", str(key))
            .replace("/var/log/nginx/", f"{tmp_path}/").replace("/etc/nginx/", f"{tmp_path}/"))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
                                         f"events {{}}\nhttp {{ include {tmp_path}/site.conf; }}\n")
    result = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    iframe = site.split("location /integrations/procore/iframe/ {", 1)[1].split("\n    }", 1)[0]
    assert "proxy_set_header Upgrade $http_upgrade;" in iframe  # Streamlit's /_stcore/stream websocket
    assert "frame-ancestors 'self' https://app.procore.com https://sandbox.procore.com" in iframe


@pytest.mark.parametrize("unit", sorted(p.name for p in (DEPLOY / "systemd").glob("*.service")))
def test_every_service_creates_owner_only_files(unit):
    lines = (DEPLOY / "systemd" / unit).read_text().splitlines()
    assert "UMask=0077" in lines, f"{unit}: add UMask=0077 under [Service]"


def test_the_databases_the_template_names_are_the_ones_the_install_creates():
    from sqlalchemy.engine import make_url

    from operations.postgres import APP_DATABASES, DEFAULT_DATABASE

    template = (DEPLOY / "env" / "procore-pipelines.env.example").read_text()
    keys = dict(line.split("=", 1) for line in template.splitlines() if line and not line.startswith("#"))
    named = {keys["DAGSTER_PG_DB"]} | {make_url(keys[setting]).database for setting in APP_DATABASES}
    assert {make_url(keys[s]).database for s in APP_DATABASES} == set(APP_DATABASES.values())  # what prod-local makes
    assert keys["DAGSTER_PG_DB"] == DEFAULT_DATABASE
    install = (ROOT / "docs" / "operations.md").read_text()
    created = set(re.findall(r"CREATE DATABASE (\w+) OWNER procore_pipelines", install))
    assert created == named, f"docs/operations.md must create {sorted(named)}"
