"""Fixtures: a real `kiosk serve` on loopback over a real database, once per backend.

Every test in tests/server runs twice: on a SQLite file and on a PostgreSQL server the
fixture starts itself (set KIOSK_REQUIRE_POSTGRES=1 to fail instead of skipping when
PostgreSQL is not installed). The server is started once per backend (with --demo);
each test builds its own service, slots, kiosk and residents through `centre`, so tests
never see each other's bookings.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_harness import Centre, RunningServer, start_server, stop_server

from server.db.scratch_postgres import PostgresCluster, PostgresUnavailable, start_cluster

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    try:
        cluster = start_cluster()
    except PostgresUnavailable as exc:
        if os.environ.get("KIOSK_REQUIRE_POSTGRES"):
            pytest.fail(f"KIOSK_REQUIRE_POSTGRES is set but {exc}")
        pytest.skip(f"!!! POSTGRESQL TESTS NOT RUN !!! {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'kiosk.sqlite3'}"
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.create_database("kiosk_tests")


@pytest.fixture
def fresh_database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own, for tests that kill the server or start it on prepared data."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'own.sqlite3'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    yield cluster.create_database(f"own_{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(database_url, tmp_path_factory.mktemp("server-data"))
    yield running
    stop_server(running)
    assert "Traceback" not in running.log(), running.log()


@pytest.fixture
def centre(server: RunningServer) -> Iterator[Centre]:
    built = Centre(server)
    yield built
    for client in built.clients:
        client.close()
