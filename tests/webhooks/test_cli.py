"""`procore-webhooks` commands: register (idempotent), status (no secrets printed), serve, bad settings."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from webhooks.cli import main

SECRET = "cli-webhook-secret-0123456789"
ROOT = Path(__file__).resolve().parents[2]


def test_register_then_status(hooked_sandbox, tmp_path, monkeypatch, capsys):
    for key, value in {**hooked_sandbox.env(), "PROCORE_WEBHOOK_SECRET": SECRET,
                       "WEBHOOK_INBOX_URL": f"sqlite:///{tmp_path / 'wh.db'}"}.items():
        monkeypatch.setenv(key, value)
    company = str(hooked_sandbox.company_ids[0])
    url = "https://pipelines.example.test/webhooks/procore"
    assert main(["register", "--company", company, "--url", url]) == 0
    assert "created" in capsys.readouterr().out
    assert main(["register", "--company", company, "--url", url]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert main(["status", "--company", company]) == 0
    out = capsys.readouterr().out
    assert f"-> {url}" in out and "RFIs" in out and "Submittals" in out and "inbox: total 0" in out
    assert SECRET not in out
    assert main(["prune", "--days", "30"]) == 0
    assert "pruned 0 consumed events" in capsys.readouterr().out
    assert main(["prune", "--days", "0"]) == 2


def test_bad_settings_exit_2_with_a_clear_message(monkeypatch, capsys):
    monkeypatch.delenv("PROCORE_WEBHOOK_SECRET", raising=False)
    assert main(["register", "--company", "1", "--url", "https://x.test/webhooks/procore"]) == 2
    assert "PROCORE_WEBHOOK_SECRET is not set" in capsys.readouterr().err
    monkeypatch.setenv("PROCORE_WEBHOOK_SECRET", "short")
    assert main(["serve"]) == 2
    assert "at least 16 characters" in capsys.readouterr().err


def test_serve_answers_health_and_refuses_bad_secrets(tmp_path):
    env = {**os.environ, "PROCORE_WEBHOOK_SECRET": SECRET, "WEBHOOK_INBOX_URL": f"sqlite:///{tmp_path / 'wh.db'}",
           "PYTHONPATH": str(ROOT)}
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "webhooks.cli", "serve", "--port", str(port), "--host", "127.0.0.1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = requests.get(f"{base}/webhooks/health", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None, "the receiver did not start"
                time.sleep(0.1)
        assert health.json() == {"status": "ok"}
        refused = requests.post(f"{base}/webhooks/procore", json={}, headers={"Authorization": "Bearer nope"},
                                timeout=5)
        assert refused.status_code == 401
        # a client that puts the secret (or a dashboard token) in the query string must not get it logged
        leaked = requests.post(f"{base}/webhooks/procore?secret={SECRET}&api_token=ppd_querytoken", json={},
                               timeout=5)
        assert leaked.status_code == 401
        requests.get(f"{base}/webhooks/health?token={SECRET}", timeout=5)
        requests.get(f"{base}/{SECRET}", timeout=5)
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0].decode()
    assert SECRET not in output and "ppd_querytoken" not in output and "?" not in output.split("Uvicorn running")[-1]
    assert '"POST /webhooks/procore" 401' in output and '"GET /webhooks/health" 200' in output
    assert f'"GET <other path, {len(SECRET) + 1} chars>" 404' in output


def run_cli(args: list[str], env_overrides: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PROCORE_", "WEBHOOK_"))}
    env.update({"PYTHONPATH": str(ROOT), **env_overrides})
    return subprocess.run([sys.executable, "-m", "webhooks.cli", *args], env=env, capture_output=True, text=True,
                          timeout=60)


INBOX_FAILURES = {
    "not a URL": ("nonsense-inbox", 2, "WEBHOOK_INBOX_URL is not usable (no scheme: not a database URL)"),
    "no driver": ("mysql://hooks:pg-pass-w0rd@db/inbox", 2, "mysql: no driver installed"),
    "unknown dialect": ("nosuchdb://hooks:pg-pass-w0rd@db/inbox", 2, "nosuchdb: not a database URL"),
    "missing database": (f"postgresql+psycopg2://postgres:pg-pass-w0rd@127.0.0.1:5432/no_such_db_{os.getpid()}", 1,
                         'database "no_such_db_'),
    "path that cannot exist": ("sqlite:////proc/no/such/dir/webhooks.db", 2, "cannot be created"),
}


@pytest.mark.parametrize("case", INBOX_FAILURES)
@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["prune"], ["status"]])
def test_an_unusable_inbox_is_one_line_on_stderr_without_a_traceback(case, command):
    url, code, message = INBOX_FAILURES[case]
    result = run_cli(command, {"WEBHOOK_INBOX_URL": url, "PROCORE_WEBHOOK_SECRET": SECRET})
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("procore-webhooks: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "pg-pass-w0rd" not in result.stderr + result.stdout and SECRET not in result.stderr + result.stdout
