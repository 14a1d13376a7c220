"""Telling the centre how well the kiosk understood: one small report per turn, in the background.

For the staff console's charts every turn counts (intent, understood or not); for its
understanding-gaps page a turn that was *not* understood also carries what the
recogniser heard — text only, with numbers masked, never audio and never who said it.
Answers to "your phone number?" and "your birth year?" are never sent as text at all.

Reports go through a queue and a background thread: the resident never waits for them,
and when the server is unreachable they are dropped (they are statistics, not records).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from typing import Any

from intents.number_masking import mask_numbers
from kiosk.centre.client import CentreClient
from kiosk.centre.errors import CentreError
from kiosk.dialogue.dialogue import Dialogue
from kiosk.dialogue.states import IDENTITY_STEPS

log = logging.getLogger(__name__)

QUEUE_LIMIT = 500
"""Reports waiting while the server is down; older ones are not worth more memory."""


class TurnReporter:
    """Sends `POST /api/v1/understanding/turns` for each turn, without holding the conversation up."""

    def __init__(self, client: CentreClient) -> None:
        self.client = client
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue(QUEUE_LIMIT)
        self.sent = 0
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="turn-reporter", daemon=True)
        self._thread.start()

    def after_turn(self, dialogue: Dialogue, text: str, step_before: str, failures_before: int) -> None:
        """Report the turn `dialogue.handle(text)` just answered.

        Not understood = the dialogue counted a failure; the intent is the parser's reading.
        """
        parse = dialogue.last_parse
        if parse is None or parse.text != text:  # a turn the dialogue did not parse from these words
            parse = dialogue.parser.parse(text, now=dialogue.now())
        failed = dialogue.state.failures > failures_before
        outcome = ("out_of_scope" if parse.out_of_scope else "not_understood") if failed else "understood"
        report: dict[str, Any] = {"lang": parse.lang, "intent": parse.intent, "outcome": outcome}
        if failed and step_before not in IDENTITY_STEPS:
            masked = mask_numbers(text)[:500]
            if masked.replace("#", "").strip():
                report["text"] = masked
        try:
            self._queue.put_nowait(report)
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        while True:
            report = self._queue.get()
            if report is None:
                return
            try:
                self.client.report_turn(report)
                self.sent += 1
            except CentreError as exc:
                self.dropped += 1
                log.debug("turn report not taken: %s", exc)

    def close(self, timeout: float = 5.0) -> None:
        """Send what is queued (briefly), then stop."""
        with contextlib.suppress(queue.Full):
            self._queue.put(None, timeout=timeout)
        self._thread.join(timeout=timeout)
