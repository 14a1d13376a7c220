"""Fixtures: a real `kiosk serve --demo` on loopback over a SQLite file, health checks open
every day (so "tomorrow" can always be booked), and one data directory for all `kiosk run`s
of the session (the recogniser's grammar is built once and cached there, as on a kiosk)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import voice_harness  # noqa: F401  (puts the speech, server and dialogue helpers on sys.path)
from dialogue_harness import open_health_checks_every_day
from server_harness import Centre, RunningServer, start_server, stop_server

from server.identity.devices import add_device


@pytest.fixture(scope="module")
def centre_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("voice-server")
    server = start_server(f"sqlite:///{data_dir / 'kiosk.sqlite3'}", data_dir)
    open_health_checks_every_day(server)
    yield server
    stop_server(server)
    assert "Traceback" not in server.log(), server.log()


@pytest.fixture
def centre(centre_server: RunningServer) -> Centre:
    return Centre(centre_server)


@pytest.fixture
def kiosk_token(centre_server: RunningServer) -> str:
    """A kiosk device of its own per test: identification attempts never lock out another test."""
    with centre_server.database.write() as conn:
        return add_device(conn, f"voice test kiosk {uuid.uuid4().hex[:6]}", "kiosk")


@pytest.fixture(scope="session")
def kiosk_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kiosk-data")
