"""A staff member's browser, without the browser: cookie session, CSRF tokens, forms over HTTP.

The permission and catalogue tests drive the console exactly as its pages do — the same
form fields, the same CSRF token taken from the page — so what passes here passes in a
browser too (tests/console/ then checks the real pages in Chromium).
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from server_harness import RunningServer

from server.console.accounts import create_account

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "a long test password 9"


def create_account_by_command(server: RunningServer, username: str, role: str = "staff",
                              password: str = PASSWORD) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """`kiosk admin create`, reading the password from stdin, as an operator would script it."""
    command = [sys.executable, "-m", "kiosk.cli", "admin", "create", username, "--role", role,
               "--db", server.settings.database_url, "--data-dir", str(server.settings.data_dir)]  # fmt: skip
    return subprocess.run(command, input=password + "\n", capture_output=True, text=True, timeout=120)


@dataclass
class StaffBrowser:
    """One signed-in (or not yet signed-in) console user."""

    http: httpx.Client
    username: str = ""

    @classmethod
    def anonymous(cls, server: RunningServer) -> StaffBrowser:
        return cls(httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=60))

    @classmethod
    def new_account(cls, server: RunningServer, role: str = "staff") -> StaffBrowser:
        """A new account (written straight into the database, like the harness's other rows:
        `kiosk admin create` has its own test and costs seconds per call), signed in."""
        username = f"{role}-{uuid.uuid4().hex[:8]}"
        with server.database.write() as conn:
            create_account(conn, username, PASSWORD, role, actor="system")
        browser = cls.anonymous(server)
        browser.username = username
        response = browser.login(username, PASSWORD)
        assert response.status_code == 303 and response.headers["location"] == "/staff/day", response.text
        return browser

    def login(self, username: str, password: str) -> httpx.Response:
        page = self.http.get("/staff/login")
        token = CSRF.search(page.text)
        assert token, page.text
        return self.http.post("/staff/login", data={"username": username, "password": password,
                                                    "csrf_token": token.group(1), "next": "/staff/day"})  # fmt: skip

    def csrf(self, page: str = "/staff/day") -> str:
        response = self.http.get(page)
        found = CSRF.search(response.text)
        assert found, (response.status_code, response.text[:500])
        return found.group(1)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf_from: str = "/staff/day",
             **kwargs: Any) -> httpx.Response:  # fmt: skip
        """A form post with the page's CSRF token, like the browser sends it."""
        return self.http.post(path, data={"csrf_token": self.csrf(csrf_from), **(data or {})}, **kwargs)

    def draft_revision(self) -> int:
        found = re.search(r'name="revision" value="(\d+)"', self.get("/staff/catalogue").text)
        assert found
        return int(found.group(1))

    def close(self) -> None:
        self.http.close()
