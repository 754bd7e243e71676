"""`procore-webhooks` commands: register (idempotent), status (no secrets printed), serve, bad settings."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

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
        assert health.json()["status"] == "ok"
        refused = requests.post(f"{base}/webhooks/procore", json={}, headers={"Authorization": "Bearer nope"},
                                timeout=5)
        assert refused.status_code == 401
    finally:
        proc.terminate()
        output = proc.communicate(timeout=10)[0].decode()
    assert SECRET not in output
