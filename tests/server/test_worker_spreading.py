"""About one answer in `SPREAD_EVERY` closes its keep-alive connection, so kiosks reconnect
and spread over the workers (server/web/worker_spreading.py); the answer itself is unchanged."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from server.web.worker_spreading import WorkerSpreading


async def _answer(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 201, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})


def _headers(middleware: WorkerSpreading) -> list[list[tuple[bytes, bytes]]]:
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    async def answers() -> None:
        for _ in range(400):
            await middleware({"type": "http"}, receive, send)

    # A loop of its own in a thread of its own: another test's loop may still run in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, answers()).result()
    return [m["headers"] for m in sent if m["type"] == "http.response.start"]


def test_about_one_answer_in_every_closes_its_connection_and_nothing_else_changes() -> None:
    answers = _headers(WorkerSpreading(_answer, every=10))
    closing = [h for h in answers if (b"connection", b"close") in h]
    assert 10 <= len(closing) <= 100, len(closing)  # 40 expected
    assert all(h[0] == (b"content-type", b"application/json") for h in answers)
    assert all(h == [(b"content-type", b"application/json")] for h in answers if h not in closing)
