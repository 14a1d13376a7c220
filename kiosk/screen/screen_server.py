"""Serve the screen app from inside the kiosk process, in a background thread.

The voice loop owns the main thread (it reads the microphone), so uvicorn runs beside it;
uvicorn leaves signal handling to the main thread when it is not in it, so Ctrl-C still
stops the kiosk as a whole.
"""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from fastapi import FastAPI

from kiosk.errors import KioskError

START_SECONDS = 10.0


class ScreenServerError(KioskError):
    """The screen could not be served (port taken, …): the message says which port."""


class ScreenServer:
    """uvicorn serving the screen app on `host:port` until `stop()`."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 8080) -> None:
        self.host = host
        self.port = port
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False, timeout_graceful_shutdown=1,
            lifespan="off",
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="kiosk-screen", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> None:
        _check_port_free(self.host, self.port)
        self._thread.start()
        deadline = time.monotonic() + START_SECONDS
        while not self._server.started:
            if not self._thread.is_alive():
                raise ScreenServerError(f"the kiosk screen could not start on {self.host}:{self.port}")
            if time.monotonic() > deadline:
                raise ScreenServerError(f"the kiosk screen did not start on {self.host}:{self.port} in time")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=5)


def _check_port_free(host: str, port: int) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: old connections don't count
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ScreenServerError(
                f"port {port} on {host} is in use ({exc.strerror}); choose another with --screen-port"
            ) from exc
