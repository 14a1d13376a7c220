"""Guessing is braked per address AND per target, and the brakes survive a server restart.

Each test counts out the attempts: how many wrong tries are answered as wrong, which try
is refused, that the refusal is still there after `kiosk serve` is stopped and started
again on the same database, and that someone else (another phone, another kiosk or
address, another account) is not affected.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from console_client import PASSWORD, StaffBrowser
from family_harness import family_page, grant, link, new_source
from server_harness import Centre, RunningServer, start_server, stop_server

from server.console.accounts import CLIENT_MAX_FAILURES, LOCK_AFTER_FAILURES, create_account
from server.family.linking import PHONE_MAX_FAILURES

IDENTIFY = "/api/v1/residents/identify"


@dataclass
class Restartable:
    """A server of its own (locking things here must not lock other tests out) that a test
    may stop and start again on the same database and data directory."""

    url: str
    data_dir: Path
    server: RunningServer

    def restart(self) -> Centre:
        stop_server(self.server)
        self.server = start_server(self.url, self.data_dir)
        return Centre(self.server)


@pytest.fixture
def own(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Restartable]:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres").create_database(f"limits_{uuid.uuid4().hex[:8]}")
    holder = Restartable(url, tmp_path, start_server(url, tmp_path))
    yield holder
    stop_server(holder.server)
    assert "Traceback" not in holder.server.log(), holder.server.log()


def _identify(kiosk: httpx.Client, phone: str, year: int) -> int:
    return kiosk.post(IDENTIFY, json={"phone": phone, "birth_year": year}).status_code


def _same_kiosk(centre: Centre, kiosk: httpx.Client) -> httpx.Client:
    """The same device's token against the restarted server."""
    client = httpx.Client(base_url=centre.server.base_url, headers=dict(kiosk.headers), timeout=30)
    centre.clients.append(client)
    return client


def test_five_wrong_birth_years_for_one_phone_from_two_kiosks_lock_that_phone(own: Restartable) -> None:
    centre = Centre(own.server)
    first, second = centre.kiosk(), centre.kiosk()
    target, neighbour = centre.resident(birth_year=1948), centre.resident(birth_year=1951)
    tried = [_identify(first, target.phone, year) for year in (1940, 1941, 1942)]
    tried += [_identify(second, target.phone, year) for year in (1943, 1944)]
    assert tried == [401] * 5  # five wrong years, spread over two kiosks
    assert _identify(centre.kiosk(), target.phone, 1948) == 429  # a third kiosk, the right year: refused
    assert _identify(first, neighbour.phone, 1951) == 200  # someone else at a guesser's kiosk is not affected

    centre = own.restart()
    assert _identify(_same_kiosk(centre, second), target.phone, 1948) == 429  # still locked after the restart
    assert _identify(centre.kiosk(), target.phone, 1948) == 429
    assert _identify(centre.kiosk(), centre.resident(birth_year=1950).phone, 1950) == 200


def test_family_code_guessing_is_braked_per_phone_across_addresses_and_after_a_restart(own: Restartable) -> None:
    centre = Centre(own.server)
    kiosk = centre.kiosk()
    consent = grant(kiosk, centre.identify(kiosk, centre.resident()))
    wrong = "123456" if consent["code"] != "123456" else "654321"
    guesser = "13500000001"
    tried = [link(family_page(centre.server, new_source()), wrong, guesser).status_code
             for _ in range(PHONE_MAX_FAILURES)]  # fmt: skip
    assert tried == [400] * PHONE_MAX_FAILURES  # each from a new address: the address brake never fires
    assert link(family_page(centre.server, new_source()), consent["code"], guesser).status_code == 429

    centre = own.restart()
    assert link(family_page(centre.server, new_source()), consent["code"], guesser).status_code == 429
    relative = family_page(centre.server, new_source())
    assert link(relative, consent["code"], "13500000002").status_code == 303  # the real relative still links


def test_staff_account_and_address_brakes_survive_a_restart(own: Restartable) -> None:
    target, colleague = f"staff-{uuid.uuid4().hex[:6]}", f"staff-{uuid.uuid4().hex[:6]}"
    with own.server.database.write() as conn:
        for name in (target, colleague):
            create_account(conn, name, PASSWORD, "staff", actor="system")

    tried = [browser(own.server).login(target, f"wrong guess {n}") for n in range(LOCK_AFTER_FAILURES)]
    assert [r.status_code for r in tried] == [401] * LOCK_AFTER_FAILURES  # five addresses, one account
    assert "锁定" in tried[-1].text  # the fifth wrong password locked it
    assert _locked(browser(own.server).login(target, PASSWORD))  # the right password, refused

    own.restart()
    assert _locked(browser(own.server).login(target, PASSWORD))  # still locked after the restart
    assert browser(own.server).login(colleague, PASSWORD).status_code == 303  # a colleague elsewhere is not affected

    address = new_source()  # one address trying many names: the address brake
    guesser = browser(own.server, address)
    tried = [guesser.login(f"guess-{n}", "some password 1").status_code for n in range(CLIENT_MAX_FAILURES)]
    assert tried == [401] * CLIENT_MAX_FAILURES
    assert guesser.login(colleague, PASSWORD).status_code == 429
    own.restart()
    assert browser(own.server, address).login(colleague, PASSWORD).status_code == 429  # after the restart too
    assert browser(own.server).login(colleague, PASSWORD).status_code == 303


def browser(server: RunningServer, address: str | None = None) -> StaffBrowser:
    """A browser on its own loopback address (a new one unless given)."""
    transport = httpx.HTTPTransport(local_address=address or new_source())
    return StaffBrowser(httpx.Client(base_url=server.base_url, transport=transport, timeout=60))


def _locked(response: httpx.Response) -> bool:
    return response.status_code == 401 and "锁定" in response.text and int(response.headers["Retry-After"]) > 0
