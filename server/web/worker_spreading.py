"""Now and then a kiosk's keep-alive connection is closed after its answer, so kiosks spread over the workers.

With `kiosk serve --workers 2` both worker processes accept from one listening socket, and
whichever wakes first takes every connection waiting. Kiosks keep their connection open,
so kiosks that connected together (all of them after a server restart, or the load
bench's clients) stayed on one worker all day: 14 or 15 of 16 connections, one core busy
and the other idle (bench/booking_load.py, issue #11). Closing a connection after about
one answer in `SPREAD_EVERY` makes its kiosk connect again, and the new connection goes
to whichever worker is free to accept it first, the one with less to do; so the
connections drift towards the idle worker until both are busy. The kiosk's client opens
the new connection by itself (`Connection: close` is plain HTTP/1.1); it costs one TCP
handshake on the centre's network per `SPREAD_EVERY` requests.
"""

from __future__ import annotations

import random

from server.web.body_limits import ASGIApp, Message, Receive, Scope, Send

SPREAD_EVERY = 50
"""Answers per connection, on average, before it is closed."""


class WorkerSpreading:
    """ASGI middleware adding `Connection: close` to a random one in `SPREAD_EVERY` HTTP answers."""

    def __init__(self, app: ASGIApp, every: int = SPREAD_EVERY) -> None:
        self.app = app
        self.chance = 1 / every

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or random.random() >= self.chance:
            await self.app(scope, receive, send)
            return

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, closing)
