"""The last notices the server sent, kept in the kiosk's data directory.

Notices live on the server, but a water cut or a heat warning matters most when things
are going wrong: with the server unreachable the kiosk reads the last ones it received
(and says they may be out of date) rather than nothing. A file, so a kiosk restarted
while the server is down still has them.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from kiosk.centre.client import CentreClient
from kiosk.centre.errors import CentreError
from protocol.bodies import NoticeOut

NOTICES_FILE = "last_notices.json"

log = logging.getLogger(__name__)


class NoticeStore:
    """The last notices received; in memory only when `path` is None (tests, scripts)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._notices: list[NoticeOut] | None = None

    def keep(self, notices: list[NoticeOut]) -> None:
        """The notices in force now, as just received."""
        with self._lock:
            self._notices = list(notices)
            if self.path is not None:
                rows = [notice.model_dump(mode="json") for notice in notices]
                self.path.parent.mkdir(parents=True, exist_ok=True)
                temporary = self.path.with_suffix(".tmp")
                temporary.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
                temporary.replace(self.path)  # never a half-written file

    def last(self) -> list[NoticeOut] | None:
        """The last notices received, or None if none ever were."""
        with self._lock:
            if self._notices is None and self.path is not None and self.path.exists():
                try:
                    rows = json.loads(self.path.read_text(encoding="utf-8"))
                    self._notices = [NoticeOut.model_validate(row) for row in rows]
                except (ValueError, TypeError) as exc:  # pydantic's ValidationError is a ValueError
                    log.warning("the kept notices in %s cannot be read: %s", self.path, exc)
            return None if self._notices is None else list(self._notices)

    def refresh(self, client: CentreClient) -> None:
        """Fetch the notices now (at start), so they are here if the server goes away later."""
        try:
            self.keep(client.notices())
        except CentreError as exc:
            log.info("notices not refreshed: %s", exc)

