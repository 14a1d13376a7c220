"""The community server started by `kiosk chat` itself, so the demo needs one command.

It is a real `kiosk serve --demo` in a child process on a free loopback port, with its
SQLite file in the data directory — the same server a centre runs, not a stand-in. The
demo kiosk's token is the fixed one in `server/data/demo_centre.yaml`, so the chat reads it
from there rather than from the server's output.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from kiosk.centre.client import CentreClient
from kiosk.errors import KioskError

START_SECONDS = 60.0
"""Migrating and seeding a new demo database takes a few seconds; a slow disk more."""


class EmbeddedServerError(KioskError):
    """`kiosk serve` did not start; the message ends with its log."""


@dataclass
class EmbeddedServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    """The server's output (its request log, demo tokens, errors)."""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def demo_kiosk_token() -> str:
    """The demo kiosk's device token, as `kiosk serve --demo` registers it."""
    text = (resources.files("server") / "data" / "demo_centre.yaml").read_text(encoding="utf-8")
    devices = yaml.safe_load(text)["devices"]
    return next(str(d["token"]) for d in devices if d["role"] == "kiosk")


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_embedded_server(data_dir: Path, catalogue: Path | None = None) -> EmbeddedServer:
    """Start `kiosk serve --demo` on 127.0.0.1 and wait until it answers /healthz."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_loopback_port()
    log_path = data_dir / "chat-server.log"
    command = [sys.executable, "-m", "kiosk.cli", "serve", "--demo", "--host", "127.0.0.1", "--port", str(port),
               "--data-dir", str(data_dir), "--log-level", "warning"]  # fmt: skip
    if catalogue:
        command += ["--catalogue", str(catalogue)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    server = EmbeddedServer(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + START_SECONDS
    probe = CentreClient(server.url, demo_kiosk_token(), retries=0)
    while True:
        if process.poll() is not None:
            raise EmbeddedServerError(f"kiosk serve exited with {process.returncode}:\n{_tail(log_path)}")
        if probe.healthy():
            probe.close()
            return server
        if time.monotonic() > deadline:
            probe.close()
            server.stop()
            raise EmbeddedServerError(f"kiosk serve did not answer within {START_SECONDS:.0f}s:\n{_tail(log_path)}")
        time.sleep(0.1)


def _tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
