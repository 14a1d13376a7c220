"""Booking steps: service → date → time → (identify) → read back → yes → booked.

A refused slot (full, past, closed, no such time) offers the nearest free one from the
server's refusal; "yes" takes it and reads everything back again, "no" asks for another
time. The idempotency key is made at the read-back and kept until a detail changes, so
a retry after a dead server, or a second "yes", never books twice.
"""

from __future__ import annotations

import logging
import uuid

from intents.parser import ParseResult
from kiosk.centre.errors import CentreRefused, CentreUnavailable, ResidentNotIdentified
from kiosk.centre.records import Slot
from kiosk.dialogue.dialogue_base import DialogueBase
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.reply_writer import Said
from kiosk.dialogue.session_state import IdentityDraft

log = logging.getLogger(__name__)

SLOT_REFUSALS = ("slot_full", "slot_past", "slot_closed", "no_such_slot")
BOOKING_YES_NO_STEPS = ("confirm", "offer_alternative")


class BookingSteps(DialogueBase):
    """The booking task of `Dialogue`."""

    def _booking_details(self, parse: ParseResult) -> Reply | None:
        """Service/date/time said while booking (also "不对，是后天" at the read-back)."""
        s = self.state
        draft = s.booking
        assert draft is not None
        details = {k: v for k, v in parse.slots.items() if k in ("service", "date", "time")}
        if not details or self._different_task(parse):
            return None
        if parse.intent not in (None, "appointment.book", "service.lookup", "dialog.no", "dialog.yes") and self._sure(
            parse
        ):
            return None
        if s.step == "offer_alternative" and draft.offered is not None and "time" in details and "date" not in details:
            details["date"] = draft.offered.date.isoformat()
        changed = draft.fill(details)
        if not changed and s.step in BOOKING_YES_NO_STEPS:
            return None  # "对，明天九点" repeats what was read back: a plain yes
        return self._advance_booking()

    def _advance_booking(self, *before: Said) -> Reply:
        s = self.state
        draft = s.booking
        assert draft is not None
        s.task = "booking"
        if draft.service is not None and not self._bookable(draft.service):
            said = self._say("appointment.book", "not_bookable", service=self._service_name(draft.service))
            s.drop_task()
            return self._reply(self._join(*before, said))
        if draft.service is None:
            s.step = "ask_service"
        elif draft.day is None:
            s.step = "ask_date"
        elif draft.at is None:
            s.step = "ask_time"
        elif s.resident is None:
            s.identity = IdentityDraft()
            s.step = "ask_identity"
        else:
            s.step = "confirm"
            draft.idempotency_key = draft.idempotency_key or uuid.uuid4().hex
        return self._reply(self._join(*before, self._question()))

    def _book(self) -> Reply:
        s = self.state
        draft = s.booking
        assert draft is not None and draft.service and draft.day and draft.at and draft.idempotency_key
        if s.resident is None:
            return self._advance_booking()
        try:
            booking = self.client.book(s.resident, draft.service, draft.day, draft.at, draft.idempotency_key)
        except ResidentNotIdentified:
            s.resident = None  # the session expired while they were deciding
            return self._advance_booking()
        except CentreRefused as refusal:
            return self._booking_refused(refusal)
        except CentreUnavailable as exc:
            return self._server_unavailable(exc, retry_step="book")
        appointment = booking.appointment
        location = self._location(appointment.service_id)
        said = self._say(
            "appointment.book",
            "booked",
            code=Said(appointment.code, self.forms.code(appointment.code, s.lang)),
            date=self._date(appointment.date),
            time=self._time(appointment.time),
            service=self._service_name(appointment.service_id),
            location=location,
        )
        s.drop_task()
        return self._reply(said)

    def _booking_refused(self, refusal: CentreRefused) -> Reply:
        s = self.state
        draft = s.booking
        assert draft is not None and draft.service and draft.day and draft.at
        values = {"date": self._date(draft.day), "time": self._time(draft.at),
                  "service": self._service_name(draft.service)}  # fmt: skip
        if refusal.code in SLOT_REFUSALS:
            offered = _first_free(refusal.alternatives)
            draft.idempotency_key = None
            if offered is None:
                s.drop_task()
                return self._reply(self._say("appointment.book", "no_alternative", **values))
            draft.offered = offered
            alternative = self.forms.slot(
                offered.date, offered.time, s.lang, same_day_as=draft.day, today=self._today()
            )
            if refusal.code == "slot_closed":
                reason = (refusal.body.get("closed") or {}).get(s.lang)
                if reason:
                    said = self._say("appointment.book", "closed_day", date=values["date"], reason=reason)
                else:
                    info = self.lookups.service_info(draft.service)
                    said = self._say("appointment.book", "closed", hours=self.lookups.hours(info, s.lang), **values)
                said = self._join(said, self._say("appointment.book", "offer_alternative", alternative=alternative))
            else:
                said = self._say("appointment.book", refusal.code, alternative=alternative, **values)
            s.step = "offer_alternative"
            return self._reply(said)
        if refusal.code == "already_booked":
            s.drop_task()
            code = str(refusal.body.get("code", ""))
            said = self._say("appointment.book", "already_booked", code=Said(code, self.forms.code(code, s.lang)),
                             **values)  # fmt: skip
            return self._reply(said)
        if refusal.code == "service_not_bookable":
            s.drop_task()
            return self._reply(self._say("appointment.book", "not_bookable", service=values["service"]))
        log.warning("booking refused for a reason the dialogue cannot explain: %s", refusal)
        return self._server_unavailable(refusal, retry_step=None)

    def _take_offered(self) -> Reply:
        draft = self.state.booking
        assert draft is not None and draft.offered is not None
        draft.fill({"date": draft.offered.date.isoformat(), "time": draft.offered.time.strftime("%H:%M")})
        return self._advance_booking()

    def _booking_yes_no(self, yes: bool) -> Reply:
        """The answer to the read-back ("对吗？") or to an offered slot ("九点半可以吗？")."""
        s = self.state
        draft = s.booking
        assert draft is not None
        if s.step == "confirm":
            if yes:
                return self._book()
            s.step = "ask_change"
            return self._reply(self._say("appointment.book", "ask_change"))
        if yes:
            return self._take_offered()
        draft.at, draft.offered, draft.idempotency_key = None, None, None
        s.step = "ask_time"
        return self._reply(self._say("appointment.book", "ask_other_time"))


def _first_free(slots: list[Slot]) -> Slot | None:
    return next((slot for slot in slots if slot.state == "free"), None)
