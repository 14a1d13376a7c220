"""Sends emergency alerts from the durable outbox until the server acknowledges each one.

`raise_now` is what the dialogue calls: the alert is kept in the outbox first, then one
short attempt is made while the resident waits (the reply already tells them to call
120/110 if it fails). Whatever was not acknowledged — then, or before a restart — a
background thread resends every `interval_s` seconds with the alert's own idempotency
key, so the server stores it exactly once however many tries it takes.
"""

from __future__ import annotations

import logging
import threading

from kiosk.centre.alert_outbox import AlertOutbox, QueuedAlert
from kiosk.centre.client import CentreClient
from kiosk.centre.errors import CentreError, ResidentNotIdentified
from kiosk.centre.records import ResidentSession

log = logging.getLogger(__name__)

RESEND_SECONDS = 2.0
"""Pause between rounds of resending while the server does not answer."""
FIRST_TRY_RETRIES = 1
"""While the resident waits: one quick retry (they already have the emergency number)."""


class AlertCourier:
    """The outbox's sender: one attempt at once, then resends in the background."""

    def __init__(self, client: CentreClient, outbox: AlertOutbox, *, interval_s: float = RESEND_SECONDS) -> None:
        self.client = client
        self.outbox = outbox
        self.interval_s = interval_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sending = threading.Lock()
        """One sender at a time, so the background and a new alert never send the same key at once."""

    def raise_now(self, kind: str, note: str | None, lang: str | None, session: ResidentSession | None) -> bool:
        """Keep the alert, try once; True when the server acknowledged it now."""
        alert = self.outbox.put(kind, note, lang)
        with self._sending:
            sent = self._send(alert, session, retries=FIRST_TRY_RETRIES)
        if not sent:
            self._wake.set()
        return sent

    def send_pending(self) -> int:
        """One round over the outbox; how many alerts are still waiting afterwards."""
        waiting = 0
        with self._sending:
            for alert in self.outbox.pending():
                if not self._send(alert, None, retries=0):
                    waiting += 1
        return waiting

    def _send(self, alert: QueuedAlert, session: ResidentSession | None, *, retries: int) -> bool:
        self.outbox.tried(alert.key)
        try:
            self.client.raise_alert(alert.kind, note=alert.note, lang=alert.lang, session=session,
                                    retries=retries, idempotency_key=alert.key)  # fmt: skip
        except ResidentNotIdentified:  # the session ended: staff still come, without the name
            return self._send(alert, None, retries=retries)
        except CentreError as exc:
            log.error("%s alert %s not acknowledged yet (try %d): %s", alert.kind, alert.key, alert.attempts + 1, exc)
            return False
        self.outbox.delivered(alert.key)
        log.warning("%s alert %s acknowledged by the server", alert.kind, alert.key)
        return True

    # ------------------------------------------------------------------ the background thread

    def start(self) -> None:
        """Resend in the background; at once for anything left from before a restart."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="alert-courier", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before the round: a wake-up during it is not lost
            try:
                waiting = self.send_pending()
            except Exception:  # a broken outbox file must not end the thread silently
                log.exception("the alert outbox could not be read")
                waiting = 1
            if waiting == 0:
                self._wake.wait()  # nothing to send until a new alert fails
            else:
                self._wake.wait(self.interval_s)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
