"""The days and times the screen's pickers offer: only those the server still has free.

A resident who taps a day should not then hear "that day is full": the pickers ask the
server for the free days (`GET /api/v1/services/{id}/free-days`, one request for two weeks)
and a day's free slots (`…/slots?only_free=true`), and show just those, labelled the way
the kiosk says them ("Monday 30 November", "half past nine"). The dialogue still checks
the slot when booking, so a slot taken in the meantime is handled the usual way (an
alternative is offered).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from kiosk.centre.client import CentreClient
from kiosk.centre.errors import CentreError
from kiosk.dialogue.spoken_forms import SpokenForms
from kiosk.errors import KioskError

DAYS_AHEAD = 14
"""Days the date picker looks at: two weeks fit on one screen of big buttons."""


class CalendarUnavailable(KioskError):
    """The server's slot list could not be read; the picker shows nothing and the resident
    can still say the day."""


@dataclass(frozen=True)
class Choice:
    """One button of a picker."""

    value: str
    """What the dialogue receives: an ISO date or "HH:MM"."""
    label: str
    """What the button says, in the kiosk's words."""


class BookingCalendar:
    """Free days and times of a service, read from the centre's server."""

    def __init__(self, client: CentreClient, forms: SpokenForms, today: Callable[[], date]) -> None:
        self.client = client
        self.forms = forms
        self.today = today

    def free_times(self, service_id: str, day: date) -> list[time]:
        try:
            return self.client.free_times(service_id, day)
        except CentreError as exc:
            raise CalendarUnavailable(f"the server's free slots could not be read: {exc}") from exc

    def days(self, service_id: str, lang: str) -> list[Choice]:
        """The next days with at least one free slot."""
        today = self.today()
        try:
            free = self.client.free_days(service_id, today, DAYS_AHEAD)
        except CentreError as exc:
            raise CalendarUnavailable(f"the server's free days could not be read: {exc}") from exc
        return [Choice(day.isoformat(), self.forms.date(day, lang, today)) for day in free]

    def times(self, service_id: str, day: date, lang: str) -> list[Choice]:
        return [Choice(at.strftime("%H:%M"), self.forms.time(at, lang)) for at in self.free_times(service_id, day)]


def today_in(now: Callable[[], datetime]) -> Callable[[], date]:
    """The centre's date from the dialogue's clock."""
    return lambda: now().date()
