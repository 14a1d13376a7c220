"""Staff accounts: the `kiosk admin` command, passwords, lockout, throttling, and the audit log."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from console_client import PASSWORD, StaffBrowser, create_account_by_command
from server_harness import RunningServer, start_server, stop_server
from sqlalchemy import select

from server.console.accounts import CLIENT_MAX_FAILURES, LOCK_AFTER_FAILURES, AccountError, create_account
from server.db.models import AuditEvent, StaffAccount

AUDIT = AuditEvent.__table__
ACCOUNT = StaffAccount.__table__


def _events(server: RunningServer, subject: str) -> list[str]:
    with server.database.read() as conn:
        return list(conn.scalars(select(AUDIT.c.action).where(AUDIT.c.subject == subject).order_by(AUDIT.c.id)))


def _account_id(server: RunningServer, username: str) -> int:
    with server.database.read() as conn:
        return conn.scalar(select(ACCOUNT.c.id).where(ACCOUNT.c.username == username))


def test_admin_command_creates_accounts_and_refuses_bad_ones(server: RunningServer) -> None:
    name = f"first-admin-{uuid.uuid4().hex[:6]}"
    done = create_account_by_command(server, name, "admin")
    assert done.returncode == 0 and "created" in done.stdout, done.stderr
    with server.database.read() as conn:
        row = conn.execute(select(ACCOUNT).where(ACCOUNT.c.username == name)).one()
    assert row.role == "admin" and row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash
    assert _events(server, f"staff:{row.id}") == ["account.create"]

    again = create_account_by_command(server, name, "staff")
    assert again.returncode == 1 and "already an account" in again.stderr
    with server.database.write() as conn:
        for username, password, problem in (
            (f"x{uuid.uuid4().hex[:6]}", "short", "at least 10 characters"),
            ("Not A Name!", PASSWORD, "user name"),
            (f"y{uuid.uuid4().hex[:6]}", "yyyyyyyyyyyy", "too few different characters"),
        ):
            with pytest.raises(AccountError, match=problem):
                create_account(conn, username, password, "staff", actor="system")


def test_wrong_passwords_lock_the_account_and_an_admin_unlocks_it(server: RunningServer) -> None:
    victim = StaffBrowser.new_account(server, "staff")
    account_id = _account_id(server, victim.username)
    guesser = StaffBrowser.anonymous(server)
    for attempt in range(1, LOCK_AFTER_FAILURES + 1):
        response = guesser.login(victim.username, f"wrong password {attempt}")
        assert response.status_code == 401
    assert "锁定" in response.text  # the fifth failure says the account is locked now
    # Locked: even the right password is refused, without being checked.
    locked = guesser.login(victim.username, PASSWORD)
    assert locked.status_code == 401 and "锁定" in locked.text and int(locked.headers["Retry-After"]) > 0
    actions = _events(server, f"staff:{account_id}")
    assert actions.count("staff.login_failed") == LOCK_AFTER_FAILURES
    assert "staff.locked" in actions and "staff.login_refused_locked" in actions

    admin = StaffBrowser.new_account(server, "admin")
    assert admin.post(f"/staff/admin/accounts/{account_id}/unlock").status_code == 303
    assert guesser.login(victim.username, PASSWORD).status_code == 303
    assert _events(server, f"staff:{account_id}")[-2:] == ["account.unlock", "staff.login"]
    for browser in (victim, guesser, admin):
        browser.close()


def test_unknown_names_and_wrong_passwords_get_the_same_answer(server: RunningServer) -> None:
    member = StaffBrowser.new_account(server, "staff")
    browser = StaffBrowser.anonymous(server)
    unknown = browser.login(f"nobody-{uuid.uuid4().hex[:6]}", "whatever password")
    wrong = browser.login(member.username, "whatever password")
    assert unknown.status_code == wrong.status_code == 401
    assert "用户名或密码不对" in unknown.text and "用户名或密码不对" in wrong.text
    member.close()
    browser.close()


def test_disabling_an_account_ends_its_sessions(server: RunningServer) -> None:
    member = StaffBrowser.new_account(server, "staff")
    admin = StaffBrowser.new_account(server, "admin")
    account_id = _account_id(server, member.username)
    assert member.get("/staff/day").status_code == 200
    assert admin.post(f"/staff/admin/accounts/{account_id}/disable").status_code == 303
    assert member.get("/staff/day").status_code == 303  # back to the login page
    assert member.login(member.username, PASSWORD).status_code == 401
    # An admin cannot lock themselves out by accident.
    own = _account_id(server, admin.username)
    refused = admin.post(f"/staff/admin/accounts/{own}/disable")
    assert refused.status_code == 422 and "your own account" in refused.text
    member.close()
    admin.close()


def test_changing_ones_password(server: RunningServer) -> None:
    member = StaffBrowser.new_account(server, "staff")
    wrong = member.post("/staff/account/password", {"current_password": "nope nope nope", "new_password": "x" * 12,
                                                    "new_password_again": "x" * 12})  # fmt: skip
    assert wrong.status_code == 422
    new = "another long password 7"
    done = member.post("/staff/account/password", {"current_password": PASSWORD, "new_password": new,
                                                   "new_password_again": new})  # fmt: skip
    assert done.status_code == 303
    assert member.get("/staff/day").status_code == 303  # signed out everywhere
    assert member.login(member.username, PASSWORD).status_code == 401
    assert member.login(member.username, new).status_code == 303
    member.close()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[RunningServer]:
    """A server of its own: throttling one address would lock every other test out."""
    running = start_server(f"sqlite:///{tmp_path / 'throttle.sqlite3'}", tmp_path)
    yield running
    stop_server(running)


def test_an_address_with_many_failures_is_throttled(own_server: RunningServer) -> None:
    member = StaffBrowser.new_account(own_server, "staff")
    browser = StaffBrowser.anonymous(own_server)
    for n in range(CLIENT_MAX_FAILURES):
        # Many names, so no single account locks: this is the brake on trying names.
        assert browser.login(f"guess-{n}", "some password 1").status_code == 401
    throttled = browser.login(member.username, PASSWORD)
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    with own_server.database.read() as conn:
        assert "staff.login_throttled" in set(conn.scalars(select(AUDIT.c.action)))
    member.close()
    browser.close()


def test_admin_password_command_resets_and_unlocks(server: RunningServer) -> None:
    member = StaffBrowser.new_account(server, "staff")
    command = [sys.executable, "-m", "kiosk.cli", "admin", "password", member.username,
               "--db", server.settings.database_url, "--data-dir", str(server.settings.data_dir)]  # fmt: skip
    done = subprocess.run(command, input="reset by the operator 5\n", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert member.get("/staff/day").status_code == 303  # the old session ended
    assert member.login(member.username, "reset by the operator 5").status_code == 303
    member.close()
