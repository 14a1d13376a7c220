"""Booking load bench: many kiosks booking at once against a real `kiosk serve`, SQLite and PostgreSQL.

    .venv/bin/python bench/booking_load.py [--backends sqlite,postgresql] [--clients 16]
        [--pg-clients 200] [--seconds 10] [--residents 32] [--days 120]

For each backend (PostgreSQL: a throwaway server started like
server/db/scratch_postgres.py does, so `apt-get install postgresql` first) it starts the
server on a free loopback port with a fresh data directory, enrols extra residents,
identifies each at the demo kiosk, then lets every client (a coroutine with its own
keep-alive connection, all on one event loop: bench/keepalive_client.py — httpx threads
spent a third as much CPU as the server on the same two cores) book as fast as it can for
the given time. A fifth of the requests rush for the soonest open slot — all clients at
the same few seats at once, as on a busy morning — and the rest pick random open slots; a
client drops a slot the server reports full. The server keeps `--days` days of slots
(default 120, set through the server's own KIOSK_SLOT_HORIZON_DAYS): at 1,000 bookings/s
the demo's 30 days (about 5,800 seats) were all booked in under 6 s, so the run ended
early and its mix changed. With 120 days (about 24,500 seats) a 10 s run at 1,000
bookings/s books about two fifths of them and the mix stays the same to the end; the bench
prints the share of seats it booked and warns past 80%. Latency is measured per booking
request (refusals included) at the client. Afterwards the database is opened directly and
every slot checked: its active appointments never exceed its capacity and equal its
counter, and nobody holds one slot twice. The CPU line gives each server process's CPU per
booking request, the clients' own, and how busy the whole machine was (what other jobs
took, what stayed idle). One machine-readable line per backend ("overbooked" counts every
violation), then the load average, since the figures mean little without it on a shared machine:

    sqlite: bookings_per_s=… p50_ms=… p99_ms=… overbooked=…
    postgresql: bookings_per_s=… p50_ms=… p99_ms=… overbooked=…
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvloop
from keepalive_client import KeepAliveClient

DEMO_KIOSK_TOKEN = "demo-kiosk-token"
HOT_SHARE = 0.2
"""Share of requests that go for the soonest open slot, like a morning rush: every client
aims at the same few seats at once, so those requests really race each other."""


@dataclass
class SlotPool:
    """Open slots, soonest first, shared by all clients (one event loop); full ones are dropped.

    A dropped slot is only marked (`full`), so dropping and picking cost the clients the
    same whether the pool holds 3,000 slots or 25,000."""

    slots: list[tuple[str, str, str]]
    """(service_id, date, "HH:MM")."""
    seats: int
    """Free seats in those slots when the run began."""
    full: set[tuple[str, str, str]] = field(default_factory=set)
    soonest: int = 0
    """Every slot before this index is full."""

    def pick(
        self, rng: random.Random, hot_share: float, skip: set[tuple[str, str, str]]
    ) -> tuple[str, str, str] | None:
        while self.soonest < len(self.slots) and self.slots[self.soonest] in self.full:
            self.soonest += 1
        if self.soonest == len(self.slots):
            return None
        if rng.random() < hot_share:
            for i in range(self.soonest, len(self.slots)):
                if self.slots[i] not in skip and self.slots[i] not in self.full:
                    return self.slots[i]
            return None
        for _ in range(20):
            slot = self.slots[rng.randrange(self.soonest, len(self.slots))]
            if slot not in skip and slot not in self.full:
                return slot
        return None

    def drop(self, slot: tuple[str, str, str]) -> None:
        self.full.add(slot)


@dataclass
class ClientResult:
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    data_dir: Path, port: int, workers: int, database_url: str | None, days: int
) -> subprocess.Popen[bytes]:
    log = (data_dir / "server.log").open("wb")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["KIOSK_SLOT_HORIZON_DAYS"] = str(days)  # the server's own setting: slots this many days ahead
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "serve", "--demo", "--data-dir", str(data_dir),
         "--port", str(port), "--workers", str(workers), "--log-level", "warning",
         *(["--db", database_url] if database_url else [])],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"kiosk serve exited:\n{(data_dir / 'server.log').read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    sys.exit("kiosk serve did not start within 60 s")


def add_residents(data_dir: Path, count: int, database_url: str | None) -> list[tuple[str, int]]:
    """Register bench residents straight in the database (there is no API to enrol residents)."""
    from server.db.database import Database
    from server.privacy.personal_data import enrol_resident
    from server.settings import settings_from_environment

    env = {"KIOSK_DATA_DIR": str(data_dir)} | ({"KIOSK_DATABASE_URL": database_url} if database_url else {})
    settings = settings_from_environment(env)
    people = [(f"150{i:08d}", 1940 + i % 30) for i in range(count)]
    now = datetime.now(UTC)
    database = Database(settings.database_url)
    with database.write() as conn:  # names and phones encrypted, as the server stores them
        for i, (phone, year) in enumerate(people):
            enrol_resident(conn, settings.data_keys, settings.phone_key, name=f"bench {i}", phone=phone,
                           birth_year=year, now=now)  # fmt: skip
    database.dispose()
    return people


def open_slots(client: httpx.Client, days: int) -> SlotPool:
    services = [s["id"] for s in client.get("/api/v1/services").json() if s["bookable"]]
    today = datetime.now().date()
    slots = []
    seats = 0
    for offset in range(days):
        day = (today + timedelta(days=offset)).isoformat()
        for service in services:
            listing = client.get(f"/api/v1/services/{service}/slots", params={"date": day, "only_free": True})
            slots += [(service, day, slot["time"]) for slot in listing.json()["slots"]]
            seats += sum(slot["free"] for slot in listing.json()["slots"])
    slots.sort(key=lambda s: (s[1], s[2], s[0]))
    return SlotPool(slots, seats)


async def run_client(
    port: int,
    session: str,
    pool: SlotPool,
    hot_share: float,
    start: asyncio.Barrier,
    stop_at: list[float],
    seed: int,
) -> ClientResult:
    rng = random.Random(seed)
    result = ClientResult()
    mine: set[tuple[str, str, str]] = set()
    headers = {"Authorization": f"Bearer {DEMO_KIOSK_TOKEN}", "X-Resident-Session": session}
    client = KeepAliveClient("127.0.0.1", port, headers)
    try:
        await client.request("GET", "/healthz")
        await start.wait()
        while time.perf_counter() < stop_at[0]:
            slot = pool.pick(rng, hot_share, mine)
            if slot is None:
                result.outcomes["no_slots_left"] += 1
                break
            service, day, at = slot
            began = time.perf_counter()
            response = await client.request(
                "POST",
                "/api/v1/appointments",
                json_body={"service_id": service, "date": day, "time": at},
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            result.latencies.append(time.perf_counter() - began)
            if response.status == 201:
                result.outcomes["booked"] += 1
                mine.add(slot)
            else:
                error = response.json().get("error", str(response.status))
                result.outcomes[error] += 1
                if error == "slot_full":
                    pool.drop(slot)
                elif error == "already_booked":
                    mine.add(slot)
    finally:
        await client.close()
    return result


async def run_clients(
    port: int, sessions: list[str], pool: SlotPool, clients: int, args: argparse.Namespace, server_pid: int
) -> tuple[list[ClientResult], float, dict[int, float], float, dict[str, float]]:
    """All clients booking at once for `args.seconds`: (results, elapsed, CPU of each server
    process, client CPU, the whole machine's CPU by kind)."""
    start = asyncio.Barrier(clients + 1)
    stop_at = [float("inf")]
    tasks = [
        asyncio.create_task(run_client(port, sessions[i % len(sessions)], pool, args.hot_share, start, stop_at, seed=i))
        for i in range(clients)
    ]
    await start.wait()  # every client connected (its health check answered)
    began = time.perf_counter()
    cpu_before = cpu_seconds(server_pid)
    client_cpu_before = client_cpu_seconds()
    machine_before = machine_cpu()
    stop_at[0] = began + args.seconds
    results = await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    machine = {kind: after - machine_before[kind] for kind, after in machine_cpu().items()}
    server_cpu = {pid: after - cpu_before.get(pid, 0.0) for pid, after in cpu_seconds(server_pid).items()}
    return results, elapsed, server_cpu, client_cpu_seconds() - client_cpu_before, machine


def check_database(url: str) -> tuple[int, int, int]:
    """(overbooked slots, slots whose counter disagrees with its appointments, double bookings)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT s.capacity, s.booked, "
            "(SELECT count(*) FROM appointment a WHERE a.slot_id = s.id AND a.status = 'booked') "
            "FROM time_slot s"
        )).all()  # fmt: skip
        doubles = conn.execute(text(
            "SELECT count(*) FROM (SELECT resident_id, slot_id FROM appointment WHERE status = 'booked' "
            "GROUP BY resident_id, slot_id HAVING count(*) > 1) AS d"
        )).scalar_one()  # fmt: skip
    engine.dispose()
    overbooked = sum(1 for capacity, booked, active in rows if active > capacity or booked > capacity)
    mismatched = sum(1 for _capacity, booked, active in rows if booked != active)
    return overbooked, mismatched, doubles


def cpu_seconds(pid: int) -> dict[int, float]:
    """CPU time (user + system) of the server process and of each of its worker processes so far (Linux)."""
    seconds = {}
    pids = [pid]
    with suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        with suppress(OSError):
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            seconds[one] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def machine_cpu() -> dict[str, float]:
    """The whole machine's CPU seconds so far, all cores together, by kind (Linux /proc/stat):
    what the server and the clients left idle, and what other jobs took."""
    fields = [int(n) / os.sysconf("SC_CLK_TCK") for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    user, nice, system, idle, iowait, irq, softirq = fields
    return {"busy": user + nice + system + irq + softirq, "idle": idle + iowait}


def client_cpu_seconds() -> float:
    """CPU time (user + system) of this bench process, the clients, so far."""
    times = os.times()
    return times.user + times.system


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_backend(backend: str, clients: int, args: argparse.Namespace) -> dict[str, float]:
    """One bench run against a fresh server over `backend`; prints its lines, returns its figures."""
    data_dir = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    cluster = None
    database_url = None
    if backend == "postgresql":
        from server.db.scratch_postgres import start_cluster

        cluster = start_cluster()
        database_url = cluster.create_database("bench")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    workers = args.pg_workers if backend == "postgresql" else args.workers
    server = start_server(data_dir, port, workers, database_url, args.days)
    try:
        people = add_residents(data_dir, max(args.residents, clients), database_url)
        with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {DEMO_KIOSK_TOKEN}"}) as setup:
            sessions = []
            for phone, year in people:
                identified = setup.post("/api/v1/residents/identify", json={"phone": phone, "birth_year": year})
                identified.raise_for_status()
                sessions.append(identified.json()["session_token"])
            pool = open_slots(setup, args.days)
        print(f"{backend}: server pid {server.pid}, {workers} worker(s), "
              f"{len(pool.slots)} open slots ({pool.seats} seats), {clients} clients, "
              f"{len(sessions)} residents, {args.seconds:g} s", flush=True)  # fmt: skip

        results, elapsed, server_cpus, client_cpu, machine = uvloop.run(
            run_clients(port, sessions, pool, clients, args, server.pid)
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    try:
        overbooked, mismatched, doubles = check_database(database_url or f"sqlite:///{data_dir / 'kiosk.sqlite3'}")
    finally:
        if cluster is not None:
            cluster.stop()
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    else:
        print(f"data kept in {data_dir}")

    server_cpu = sum(server_cpus.values())
    latencies = [lat for r in results for lat in r.latencies]
    outcomes: Counter[str] = sum((r.outcomes for r in results), Counter())
    print(f"{backend}: requests: {len(latencies)} in {elapsed:.2f} s = {len(latencies) / elapsed:.0f}/s; "
          f"outcomes: {dict(outcomes)}")  # fmt: skip
    print(f"{backend}: booked {outcomes['booked']} of {pool.seats} seats "
          f"({outcomes['booked'] / max(pool.seats, 1):.0%})", flush=True)  # fmt: skip
    if outcomes["no_slots_left"] or outcomes["booked"] > 0.8 * pool.seats:
        print(f"{backend}: WARNING: the bench (nearly) ran out of seats, so its mix changed; raise --days", flush=True)
    if latencies:
        print(f"{backend}: latency ms: mean {statistics.mean(latencies) * 1000:.1f}, "
              f"max {max(latencies) * 1000:.1f}")  # fmt: skip
    if latencies:
        per_request = 1000 / len(latencies)
        print(f"{backend}: server CPU {server_cpu:.1f} s = {server_cpu / elapsed:.2f} cores, "
              f"{server_cpu * per_request:.2f} ms per booking request (by process: "
              f"{', '.join(f'{cpu * per_request:.2f}' for cpu in server_cpus.values())}); "
              f"bench clients {client_cpu / elapsed:.2f} cores, {client_cpu * per_request:.2f} ms per request; "
              f"machine busy {machine['busy'] / elapsed:.2f} cores, idle {machine['idle'] / elapsed:.2f}")  # fmt: skip
    print(f"{backend}: database check: overbooked slots {overbooked}, counter mismatches {mismatched}, "
          f"double bookings {doubles}", flush=True)  # fmt: skip
    return {
        "bookings_per_s": outcomes["booked"] / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000 if latencies else float("nan"),
        "p99_ms": percentile(latencies, 0.99) * 1000 if latencies else float("nan"),
        "overbooked": overbooked + mismatched + doubles,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated (default both)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients on SQLite (default 16)")
    parser.add_argument("--pg-clients", type=int, default=200, help="concurrent clients on PostgreSQL (default 200)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to book (default 10)")
    parser.add_argument("--residents", type=int, default=32, help="bench residents to enrol, at least one per client")
    parser.add_argument("--days", type=int, default=120, help="days of slots to book into (default 120)")
    parser.add_argument(
        "--hot-share", type=float, default=HOT_SHARE, help=f"share of rush requests (default {HOT_SHARE})"
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers on SQLite (default 2)")
    parser.add_argument("--pg-workers", type=int, default=2, help="uvicorn workers on PostgreSQL (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory for inspection")
    args = parser.parse_args()

    figures = {}
    for backend in args.backends.split(","):
        clients = args.pg_clients if backend == "postgresql" else args.clients
        figures[backend] = run_backend(backend, clients, args)
    for backend, f in figures.items():
        print(f"{backend}: bookings_per_s={f['bookings_per_s']:.0f} p50_ms={f['p50_ms']:.1f} "
              f"p99_ms={f['p99_ms']:.1f} overbooked={f['overbooked']}")  # fmt: skip
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0 if all(f["overbooked"] == 0 for f in figures.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
