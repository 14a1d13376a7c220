"""Request-body size limits for the routes that take personal data.

Every field already has a length limit (pydantic), but a body is parsed before fields
are checked: a multi-megabyte JSON or form would be read into memory and parsed first.
These routes only ever receive a few hundred bytes, so anything larger is refused with
413 before the application reads it. The body is read here (up to the limit) and handed
on, so a client that sends no Content-Length (chunked) is held to the same limit.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from protocol.error_codes import ErrorCode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PERSONAL_DATA_ROUTES: tuple[tuple[str, int], ...] = (
    ("/family", 16 * 1024),
    ("/api/v1/family", 16 * 1024),
    ("/api/v1/staff/family", 16 * 1024),
    ("/api/v1/residents", 16 * 1024),
    ("/api/v1/appointments", 16 * 1024),
    ("/api/v1/alerts", 16 * 1024),
)
"""Path prefixes and their largest accepted body in bytes."""


class BodySizeLimit:
    """ASGI middleware refusing bodies over the limit of the first matching path prefix."""

    def __init__(self, app: ASGIApp, limits: tuple[tuple[str, int], ...] = PERSONAL_DATA_ROUTES) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self._limit(scope)
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                await self.app(scope, _replay([message]), send)
                return
            size += len(message.get("body", b""))
            if size > limit:
                await _too_large(send, limit)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body], then=receive), send)

    def _limit(self, scope: Scope) -> int | None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            return None
        path = scope.get("path", "")
        for prefix, limit in self.limits:
            if path == prefix or path.startswith(prefix + "/"):
                return limit
        return None


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    queue = list(messages)

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        if then is not None:
            return await then()  # after the body: wait for the disconnect, as the server would
        return {"type": "http.disconnect"}

    return receive


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {"error": ErrorCode.BODY_TOO_LARGE, "message": f"the request body is larger than {limit} bytes"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
