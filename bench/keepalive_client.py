"""A minimal HTTP/1.1 client on one keep-alive connection, for the load bench's clients.

The bench's clients share the server's two cores. httpx in a thread per client cost about
1 ms of CPU per request — as much as a third of what the server spent — and its threads
fought over the GIL, so the bench measured its own client as much as the server. This
client sends the same request bytes (method, path, headers, JSON body) over one persistent
connection per client and reads the status line, headers and body (Content-Length or
chunked); all clients run as coroutines on one event loop. Nothing is skipped on the
server's side: every request is parsed, authenticated and answered in full.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class KeepAliveClient:
    """One connection to `host:port`, reopened when the server closes it."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host = host
        self.port = port
        self._fixed = "".join(f"{name}: {value}\r\n" for name, value in {"Host": f"{host}:{port}", **headers}.items())
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(
        self, method: str, path: str, *, json_body: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        body = b"" if json_body is None else json.dumps(json_body).encode()
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        if json_body is not None:
            extra += "Content-Type: application/json\r\n"
        head = f"{method} {path} HTTP/1.1\r\n{self._fixed}{extra}Content-Length: {len(body)}\r\n\r\n"
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        writer.write(head.encode("latin-1") + body)
        reply, keep = await _read_reply(reader)
        if not keep:
            await self.close()
        return reply

    async def close(self) -> None:
        if self._streams is not None:
            writer = self._streams[1]
            self._streams = None
            writer.close()
            await writer.wait_closed()


async def _read_reply(reader: asyncio.StreamReader) -> tuple[Reply, bool]:
    """(the reply, whether the connection stays open)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
    if fields.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            body += (await reader.readexactly(size + 2))[:-2]
        await reader.readuntil(b"\r\n")  # no trailers are sent
    else:
        body = await reader.readexactly(int(fields.get("content-length", "0")))
    return Reply(status, body), fields.get("connection", "").lower() != "close"
