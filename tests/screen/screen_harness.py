"""The real kiosk screen for tests: `kiosk screen` (touch only, with its embedded demo
server on a SQLite file) in a child process on a free loopback port."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from kiosk.centre.embedded_server import free_loopback_port

START_SECONDS = 90
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class RunningScreen:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    @property
    def server_url(self) -> str:
        """The demo centre's server `kiosk screen` started (it says where on its output)."""
        found = re.search(r"the demo centre's server is at (\S+)", self.log())
        assert found, self.log()
        return found.group(1)


def start_screen(data_dir: Path, *args: str) -> RunningScreen:
    """`kiosk screen` (touch only, demo server started by it) on a free loopback port."""
    port = free_loopback_port()
    log_path = data_dir / "screen.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "screen", "--screen-port", str(port), "--data-dir", str(data_dir),
             *args],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    screen = RunningScreen(f"http://127.0.0.1:{port}/", data_dir, process, log_path)
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"kiosk screen exited with {process.returncode}:\n{screen.log()}")
        try:
            if httpx.get(screen.url + "api/screen", timeout=1).status_code == 200:
                return screen
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"kiosk screen did not answer in {START_SECONDS}s:\n{screen.log()}")
        time.sleep(0.2)


def stop_screen(screen: RunningScreen) -> None:
    screen.process.terminate()  # SIGTERM: the kiosk stops its demo server on the way out
    try:
        screen.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        screen.process.kill()
        screen.process.wait()
