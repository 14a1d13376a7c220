"""What the kiosk keeps from its server's answers beyond the wire bodies (`protocol.bodies`).

The answers themselves are read with the shared bodies; these two records are the kiosk's
own: the session it holds for the identified resident, and a booking with whether the
server recognised it as a retry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from protocol.bodies import AppointmentOut


@dataclass(frozen=True)
class Booking:
    """The answer to a booking request."""

    appointment: AppointmentOut
    replayed: bool
    """True when the server recognised a retry (same Idempotency-Key): nothing new was booked."""


@dataclass(frozen=True)
class ResidentSession:
    """Proof that the resident at this kiosk identified; sent as X-Resident-Session."""

    token: str = field(repr=False)
    """Secret; never logged."""
    name: str
    """How staff registered the resident, for a greeting."""
    expires_at: datetime
