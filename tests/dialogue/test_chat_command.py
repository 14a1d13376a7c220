"""`kiosk chat` itself, as a script drives it: utterances piped in, prefixed lines out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from dialogue_harness import appointments_of, said_in_zh
from server_harness import Centre, RunningServer

from server.identity.devices import add_device

CHAT_SECONDS = 120


def chat(*args: str, lines: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "chat", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=CHAT_SECONDS,
        cwd=cwd,
    )


def device_token(server: RunningServer) -> str:
    with server.database.write() as conn:
        return add_device(conn, "chat test kiosk", "kiosk")


def turns(output: str) -> list[dict[str, str]]:
    """Group the prefixed lines into turns: {"you": …, "kiosk": …, "state": …, "speech": …}."""
    found: list[dict[str, str]] = []
    for line in output.splitlines():
        prefix, _, rest = line.partition("> ")
        if prefix == "you" or (prefix == "kiosk" and (not found or "kiosk" in found[-1])):
            found.append({})  # a turn starts with the resident's words (the welcome has none)
        found[-1][prefix] = rest
    return found


def test_a_scripted_booking_through_kiosk_chat(centre: Centre) -> None:
    resident = centre.resident(birth_year=1952)
    result = chat(
        "--server", centre.server.base_url, "--token", device_token(centre.server),
        lines=["明天上午九点帮我约体检", said_in_zh(resident.phone), "一九五二年", "对", "我有什么预约",
               "急救电话是多少", "再见"],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    spoken = turns(result.stdout)
    assert len(spoken) == 8  # the welcome, then one turn per line
    assert "you" not in spoken[0] and "欢迎" in spoken[0]["kiosk"]
    assert [t["state"].split()[0] for t in spoken[1:]] == [
        "booking.ask_identity", "booking.ask_birth_year", "booking.confirm", "idle", "idle", "idle", "ended",
    ]  # fmt: skip
    [booked] = appointments_of(centre.server, resident.id)
    assert booked["code"] in spoken[4]["kiosk"] and booked["status"] == "booked"
    assert "speech" in spoken[4]  # the code is spelt out for the speaker
    assert "上午九点" in spoken[5]["kiosk"]
    assert "幺二零" in spoken[6]["speech"]
    assert spoken[7]["state"].endswith("done=true")


def test_json_turns(centre: Centre) -> None:
    result = chat(
        "--server", centre.server.base_url, "--token", device_token(centre.server), "--json", "--lang", "en",
        lines=["where do I go for the senior card", "no thanks"],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["you"] for o in objects] == [None, "where do I go for the senior card", "no thanks"]
    assert objects[0]["lang"] == "en" and "welcome" in objects[0]["text"]
    assert objects[1]["state"] == "service.offer_booking" and "window 1" in objects[1]["text"]
    assert {o["id"] for o in objects[1]["options"]} >= {"dialog.yes", "dialog.no"}


def test_a_wrong_token_is_reported_before_any_resident_comes(centre: Centre) -> None:
    result = chat("--server", centre.server.base_url, "--token", "kd_wrong", lines=["你好"])
    assert result.returncode == 2
    assert "token" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_kiosk_chat_starts_the_demo_server_itself(tmp_path: Path) -> None:
    result = chat("--data-dir", str(tmp_path / "data"), lines=["急救电话是多少", "再见"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    spoken = turns(result.stdout)
    assert "幺二零" in spoken[1]["speech"] and spoken[2]["state"].endswith("done=true")
    assert (tmp_path / "data" / "kiosk.sqlite3").exists()  # a real SQLite file in the data dir
    log = (tmp_path / "data" / "chat-server.log").read_text()
    assert "Traceback" not in log
    port = next(word for word in log.split() if word.startswith("http://127.0.0.1:"))
    with pytest.raises(httpx.TransportError):  # the server went away with the chat
        httpx.get(f"{port}/healthz", timeout=1)
