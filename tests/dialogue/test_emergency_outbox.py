"""An emergency is never lost: with the server down the resident hears the number to call
(digits read out) at once, and the alert waits in the kiosk's durable outbox until the
server is back — exactly one alert for staff, even from a kiosk killed and restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from dialogue_harness import TalkingKiosk, restart_on_same_port
from server_harness import RunningServer
from sqlalchemy import select

from kiosk.centre.alert_courier import AlertCourier
from kiosk.centre.alert_outbox import OUTBOX_FILE, AlertOutbox
from kiosk.dialogue.dialogue import Dialogue
from server.db.models import Alert, Device

Kiosks = Callable[..., TalkingKiosk]
ALERT, DEVICE = Alert.__table__, Device.__table__
DELIVERY_SECONDS = 30


def alerts_from(server: RunningServer, device_name: str) -> list[str | None]:
    """Notes of the alerts stored for one kiosk device."""
    with server.database.read() as conn:
        rows = conn.execute(
            select(ALERT.c.note).join_from(ALERT, DEVICE, ALERT.c.device_id == DEVICE.c.id)
            .where(DEVICE.c.name == device_name)
        ).all()  # fmt: skip
    return [row.note for row in rows]


def wait_for_alerts(server: RunningServer, device_name: str, count: int) -> list[str | None]:
    deadline = time.monotonic() + DELIVERY_SECONDS
    while time.monotonic() < deadline:
        found = alerts_from(server, device_name)
        if len(found) >= count:
            time.sleep(1.0)  # a second resend would land now: there must be none
            return alerts_from(server, device_name)
        time.sleep(0.2)
    return alerts_from(server, device_name)


def stop(server: RunningServer) -> None:
    server.process.terminate()
    server.process.wait(timeout=15)


def test_an_emergency_with_the_server_down_reaches_staff_once_when_it_is_back(
    talking_kiosk: Kiosks, centre_server: RunningServer, tmp_path: Path
) -> None:
    kiosk = talking_kiosk("zh")
    outbox = AlertOutbox(tmp_path / OUTBOX_FILE)
    courier = AlertCourier(kiosk.client, outbox, interval_s=0.2)
    dialogue = kiosk.dialogue
    kiosk.dialogue = Dialogue(dialogue.catalogue, kiosk.client, parser=dialogue.parser, now=dialogue.now,
                              courier=courier)  # fmt: skip
    courier.start()
    stop(centre_server)
    revived = None
    try:
        reply = kiosk.say("救命，我胸口好疼")
        assert "120" in reply.text and "幺二零" in reply.speech, kiosk  # the number, digit by digit
        assert "没能通知到工作人员" in reply.text and "接着通知" in reply.text, kiosk
        reply = kiosk.say("报警电话是多少")
        assert "110" in reply.text, kiosk  # numbers still come from the catalogue
        time.sleep(1.5)  # the courier keeps trying while the server is down
        [queued] = outbox.pending()
        assert queued.attempts >= 3, queued

        revived = restart_on_same_port(centre_server)
        assert wait_for_alerts(centre_server, kiosk.device_name, 1) == ["救命，我胸口好疼"]
        assert outbox.pending() == []
        tries = queued.attempts
        print(f"emergency alert: {tries}+ sends while the server was down, stored once")
    finally:
        courier.close()
        if revived is not None:
            revived.terminate()
            revived.wait(timeout=15)


def _chat(server_url: str, token: str, data_dir: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "chat", "--server", server_url, "--token", token,
         "--data-dir", str(data_dir)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip


def _reply_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    while line := process.stdout.readline():
        if line.startswith("kiosk>"):
            return line
    raise AssertionError("kiosk chat ended without a reply")


def test_a_kiosk_killed_with_an_alert_queued_sends_it_after_restart(
    talking_kiosk: Kiosks, centre_server: RunningServer, tmp_path: Path
) -> None:
    device = talking_kiosk("zh")  # only for its device token
    token = device.client._http.headers["Authorization"].removeprefix("Bearer ")
    stop(centre_server)
    revived = None
    kiosk = _chat(centre_server.base_url, token, tmp_path)
    try:
        assert kiosk.stdin is not None
        _reply_line(kiosk)  # the welcome
        kiosk.stdin.write("救命，我胸口好疼\n")
        kiosk.stdin.flush()
        assert "120" in _reply_line(kiosk)
        kiosk.send_signal(signal.SIGKILL)  # pulled plug: nothing is flushed, nothing said goodbye
        kiosk.wait(timeout=15)
        [queued] = AlertOutbox(tmp_path / OUTBOX_FILE).pending()
        assert queued.note == "救命，我胸口好疼"

        revived = restart_on_same_port(centre_server)
        assert alerts_from(centre_server, device.device_name) == []  # nobody has sent it yet
        kiosk = _chat(centre_server.base_url, token, tmp_path)  # the kiosk comes back
        assert wait_for_alerts(centre_server, device.device_name, 1) == ["救命，我胸口好疼"]
        assert AlertOutbox(tmp_path / OUTBOX_FILE).pending() == []
    finally:
        kiosk.kill()
        kiosk.wait(timeout=15)
        if revived is not None:
            revived.terminate()
            revived.wait(timeout=15)
