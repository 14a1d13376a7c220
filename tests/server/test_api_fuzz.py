"""Property-based fuzzing of the whole API with Schemathesis: no request may make the server fail.

Every operation in the server's own `/openapi.json` is called with generated requests,
valid and invalid (negative mode: wrong types, missing fields, unknown fields, huge
strings), against the real `kiosk serve` on SQLite and on PostgreSQL. Each call carries
real credentials so the fuzzing reaches past authentication: the device token of the
right role, a resident session made for that one call, and, on the family page, a
proxy's session cookie on every other call (the other half keep the generated cookies).

The check is `not_a_server_error`: any 5xx fails the test. Every run draws new cases
from a random seed (a fixed, "derandomized" run once hid a PostgreSQL-only 500 for text
with NUL); a failure names the seed, and FUZZ_SEED=<seed> (or pytest's
--hypothesis-seed=<seed>) replays that run. The number of cases per operation is small
enough for CI (FUZZ_EXAMPLES, default 25; raise it locally to search longer); the figures
of each run, seed included, are written to test-artifacts/api-fuzz-<backend>.json.
"""

from __future__ import annotations

import json
import os
import secrets
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import schemathesis
from family_harness import family_page, grant, link
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from server_harness import Centre, RunningServer
from sqlalchemy import delete, insert, select, update

from server.db.models import ConsentCodeAttempt, Device, ResidentSession
from server.identity.devices import add_device
from server.privacy.tokens import token_hash

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SESSION = ResidentSession.__table__
DEVICE = Device.__table__

tried: Counter[str] = Counter()
statuses: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzz_seed(request: pytest.FixtureRequest) -> int:
    """FUZZ_SEED or --hypothesis-seed to replay a run; otherwise a new random seed each run."""
    given_seed = os.environ.get("FUZZ_SEED") or request.config.getoption("hypothesis_seed", default=None)
    return int(given_seed) if given_seed else secrets.randbits(64)


class FuzzCredentials:
    """Real credentials for a kiosk, a staff desk, a resident and a family proxy."""

    def __init__(self, server: RunningServer, centre: Centre) -> None:
        self.server = server
        with server.database.write() as conn:
            self.kiosk_token = add_device(conn, "fuzz kiosk")
            self.staff_token = add_device(conn, "fuzz staff desk", "staff")
        kiosk = centre.kiosk()
        self.resident = centre.resident(name="模糊测试居民")
        session = centre.identify(kiosk, self.resident)
        phone = family_page(server)
        assert link(phone, grant(kiosk, session)["code"], "13312341234", name="模糊测试家属").status_code == 303
        self.proxy_cookie = phone.cookies["family_session"]
        self.csrf_cookie = phone.cookies["family_csrf"]
        with server.database.read() as conn:
            self.device_id = conn.scalar(select(DEVICE.c.id).where(DEVICE.c.token_hash == token_hash(self.kiosk_token)))

    def resident_session(self) -> str:
        """A live session for this one call: fuzzing may end or exhaust sessions as it likes."""
        token = "rs_" + secrets.token_urlsafe(24)
        now = datetime.now(UTC)
        with self.server.database.write() as conn:
            conn.execute(
                insert(SESSION).values(token_hash=token_hash(token), device_id=self.device_id,
                                       resident_id=self.resident.id, created_at=now,
                                       expires_at=now + timedelta(minutes=10))
            )  # fmt: skip
        return token


@pytest.fixture(scope="module")
def credentials(server: RunningServer, backend: str, fuzz_seed: int) -> Iterator[FuzzCredentials]:
    centre = Centre(server)
    made = FuzzCredentials(server, centre)
    tried.clear()
    statuses.clear()
    yield made
    for client in centre.clients:
        client.close()
    with server.database.write() as conn:  # wrong codes the fuzzing typed must not block later tests
        conn.execute(delete(ConsentCodeAttempt.__table__))
    ARTIFACTS.mkdir(exist_ok=True)
    summary = {
        "backend": backend,
        "seed": fuzz_seed,
        "max_examples_per_operation": EXAMPLES,
        "cases": sum(tried.values()),
        "operations": len(tried),
        "server_errors": statuses.get("5xx", 0),
        "statuses": dict(sorted(statuses.items())),
        "cases_per_operation": dict(sorted(tried.items())),
    }
    (ARTIFACTS / f"api-fuzz-{backend}.json").write_text(json.dumps(summary, indent=2))
    print(f"\nschemathesis ({backend}, seed {fuzz_seed}): {summary['cases']} cases over "
          f"{summary['operations']} operations, {summary['server_errors']} server errors")  # fmt: skip


def test_no_request_makes_the_server_fail(
    server: RunningServer, credentials: FuzzCredentials, fuzz_seed: int, backend: str
) -> None:
    api = schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")
    failures: list[str] = []
    for result in api.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            @seed(fuzz_seed)  # random per run (never derandomize: that hid a rare 5xx), printed on failure
            def call(case: schemathesis.Case) -> None:
                _call(case, credentials)

            try:
                call()
            except Unsatisfiable:
                continue  # nothing to get wrong (e.g. no parameters at all): no negative cases
            except (Exception, BaseExceptionGroup) as failure:  # Schemathesis' FailureGroup is not an Exception
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {failure}")
    assert sum(tried.values()) > 0
    replay = f"FUZZ_SEED={fuzz_seed} FUZZ_EXAMPLES={EXAMPLES} pytest {__file__} -k {backend}"
    assert not failures, f"seed {fuzz_seed}; replay with: {replay}\n\n" + "\n\n".join(failures)


def _call(case: schemathesis.Case, credentials: FuzzCredentials) -> None:
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    path = case.path
    if path.startswith("/api/v1/staff"):
        headers["Authorization"] = f"Bearer {credentials.staff_token}"
    elif path.startswith("/api/v1"):
        headers["Authorization"] = f"Bearer {credentials.kiosk_token}"
        headers["X-Resident-Session"] = credentials.resident_session()
    elif path.startswith("/family") and sum(tried.values()) % 2:
        cookies = {"family_session": credentials.proxy_cookie, "family_csrf": credentials.csrf_cookie}
    response = case.call(headers=headers, cookies=cookies or None, timeout=30, allow_redirects=False)
    if path.startswith("/api/v1/staff/devices/"):  # it may have revoked a device later calls and tests use
        with credentials.server.database.write() as conn:
            conn.execute(update(DEVICE).where(DEVICE.c.revoked_at.is_not(None)).values(revoked_at=None))
    tried[f"{case.method} {path}"] += 1
    statuses[f"{response.status_code // 100}xx"] += 1
    case.validate_response(response, checks=[not_a_server_error])
