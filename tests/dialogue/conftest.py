"""Fixtures: a real `kiosk serve --demo` per test module on a SQLite file, and talking kiosks.

Each test makes its own kiosk device and its own residents (phone numbers are random),
so tests in a module never see each other's bookings or identification attempts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from dialogue_harness import TalkingKiosk, new_kiosk, open_health_checks_every_day
from server_harness import Centre, RunningServer, start_server, stop_server

from intents import Catalogue, load_catalogue
from intents.parser import Parser


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def parser(catalogue: Catalogue) -> Parser:
    return Parser(catalogue)


@pytest.fixture(scope="module")
def centre_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("dialogue-server")
    server = start_server(f"sqlite:///{data_dir / 'kiosk.sqlite3'}", data_dir)
    open_health_checks_every_day(server)
    yield server
    stop_server(server)  # also fine when a test stopped it already
    assert "Traceback" not in server.log(), server.log()


@pytest.fixture
def centre(centre_server: RunningServer) -> Centre:
    return Centre(centre_server)


@pytest.fixture
def talking_kiosk(
    centre_server: RunningServer, catalogue: Catalogue, parser: Parser
) -> Iterator[Callable[..., TalkingKiosk]]:
    made: list[TalkingKiosk] = []

    def make(lang: str = "zh") -> TalkingKiosk:
        kiosk = new_kiosk(centre_server, catalogue, parser, lang)
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.client.close()

