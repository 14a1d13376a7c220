"""`kiosk serve` as staff meet it: demo output, new device tokens, clear start-up failures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from server_harness import RunningServer, start_server, stop_server

from server.db.database import Database
from server.errors import DatabaseUnavailable


def kiosk_serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "serve", *args], capture_output=True, text=True, timeout=120
    )


def test_demo_prints_tokens_and_residents_once(server: RunningServer) -> None:
    first = server.log()
    assert "demo kiosk token: demo-kiosk-token" in first
    assert "demo resident: 王秀英  phone 13800138000  birth year 1948" in first
    assert "demo progress codes: A1023" in first

    again = start_server(server.settings.database_url, server.settings.data_dir)
    try:
        assert "already has data" in again.log()
        assert "demo-kiosk-token" not in again.log()
    finally:
        stop_server(again)


def test_new_device_prints_a_working_token_once(server: RunningServer) -> None:
    done = kiosk_serve(
        "--new-device", "hall kiosk 2", "--db", server.settings.database_url,
        "--data-dir", str(server.settings.data_dir),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().rsplit(" ", 1)[-1]
    assert token.startswith("kd_")
    response = httpx.get(f"{server.base_url}/api/v1/hotlines", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_bad_database_urls_fail_with_a_message(tmp_path: Path) -> None:
    unsupported = kiosk_serve("--db", "mysql://x@localhost/k", "--data-dir", str(tmp_path))
    assert unsupported.returncode == 2
    assert "not supported" in unsupported.stderr and "Traceback" not in unsupported.stderr

    unreachable = kiosk_serve("--db", "postgresql://nobody:secret@127.0.0.1:1/none", "--data-dir", str(tmp_path))
    assert unreachable.returncode == 2
    assert "cannot use the database" in unreachable.stderr
    assert "secret" not in unreachable.stderr and "Traceback" not in unreachable.stderr


def test_unreachable_database_is_a_503_not_a_crash() -> None:
    database = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        with pytest.raises(DatabaseUnavailable) as refused, database.read():
            pass
        assert refused.value.status_code == 503
        assert refused.value.body()["error"] == "database_unavailable"
    finally:
        database.dispose()
