"""Why a request to the centre's server did not give an answer, as the dialogue needs to know.

Two different situations, two exception families: the server could not be reached or
failed (`CentreUnavailable` — nothing to tell the resident but "try again"), or it
answered and said no (`CentreRefused` — the `code` says why, and the dialogue picks the
words). Messages are for staff reading logs: they name the URL and what to check.
"""

from __future__ import annotations

from typing import Any

from kiosk.errors import KioskError
from protocol.bodies import SlotOut


class CentreError(KioskError):
    """Anything that kept a request to the centre's server from succeeding."""


class CentreUnavailable(CentreError):
    """No usable answer: connection refused, timed out, or the server failed (5xx) after retries."""


class CentreRefused(CentreError):
    """The server answered with a refusal `{"error": code, "message": …}`."""

    def __init__(self, status: int, code: str, message: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code} ({status}): {message}")
        self.status = status
        self.code = code
        """Stable machine-readable reason, e.g. "slot_full", "identification_failed"."""
        self.message = message
        """English, for logs; never read to a resident."""
        self.body = body or {}
        """The whole refusal, e.g. `attempts_left`, `closed`, `code` of an existing booking."""

    @property
    def alternatives(self) -> list[SlotOut]:
        """For slot refusals: the nearest free slots, same day first."""
        return [SlotOut.model_validate(item) for item in self.body.get("alternatives") or ()]


class DeviceNotAuthorised(CentreRefused):
    """The kiosk's device token is missing, unknown or revoked: staff must register the kiosk
    (`kiosk serve --new-device NAME`) and give it the new token."""


class ResidentNotIdentified(CentreRefused):
    """The resident session is missing, ended or expired: identify again."""
