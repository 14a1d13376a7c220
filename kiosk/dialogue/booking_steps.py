"""Booking steps: service → date → time → (identify) → read back → yes → booked.

A refused slot (full, past, closed, no such time) offers the nearest free one from the
server's refusal; "yes" takes it and reads everything back again, "no" asks for another
time. The idempotency key is made at the read-back and kept until a detail changes, so
a retry after a dead server, or a second "yes", never books twice.

With the server unreachable a booking is refused clearly ("this has NOT been booked"),
with everything kept so "try again" works, and the window named as the other way: the
kiosk does not queue bookings (docs/reliability.md says why).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from kiosk.centre.errors import CentreError, CentreRefused
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.reply_writer import Said
from kiosk.dialogue.session_state import BookingDraft
from kiosk.dialogue.states import ASK_STEP, BOOKING_DETAILS, Retry, Step, Task, missing_slot
from kiosk.dialogue.talk import Talk
from protocol.bodies import SlotOut
from protocol.error_codes import SLOT_REFUSALS, ErrorCode

log = logging.getLogger(__name__)

BOOK = "appointment.book"


class BookingSteps:
    """The booking task."""

    def __init__(self, talk: Talk, with_resident: Callable[[Callable[[], Reply]], Reply]) -> None:
        self.talk = talk
        self.with_resident = with_resident
        talk.questions[Task.BOOKING] = self.question

    def start(self, slots: dict[str, str]) -> Reply:
        """A new booking with what was said; a service just talked about fills a missing one."""
        s = self.talk.state
        memory = s.memory
        known = {**memory.heard, **slots}
        if "service" not in known:
            remembered = memory.offer or memory.service
            if remembered is not None and self.talk.bookable(remembered):
                known["service"] = remembered
        s.start(Task.BOOKING)
        s.booking = BookingDraft()
        s.booking.fill(known)
        memory.heard.clear()
        return self.advance()

    def details(self, slots: dict[str, str]) -> Reply | None:
        """Service/date/time said while booking (also "不对，是后天" at the read-back).
        None when nothing changed at a yes/no question ("对，明天九点" repeats the read-back)."""
        s = self.talk.state
        draft = s.booking
        assert draft is not None
        details = {k: v for k, v in slots.items() if k in BOOKING_DETAILS}
        if not details:
            return None
        offered = draft.offered if s.step is Step.OFFER_ALTERNATIVE else None
        if offered is not None and "time" in details and "date" not in details:
            details["date"] = offered.date.isoformat()
        changed = draft.fill(details)
        if not changed and s.step in (Step.CONFIRM, Step.OFFER_ALTERNATIVE):
            return None
        return self.advance()

    def advance(self, *before: Said) -> Reply:
        talk = self.talk
        s = talk.state
        draft = s.booking
        assert draft is not None
        s.task = Task.BOOKING
        if draft.service is not None and not talk.bookable(draft.service):
            said = talk.say(BOOK, "not_bookable", service=talk.service_name(draft.service))
            s.drop_task()
            s.memory.offer = None
            return talk.reply(talk.join(*before, said))
        missing = missing_slot(Task.BOOKING, draft.slots())
        if missing is not None:
            s.step = ASK_STEP[missing]
            return talk.reply(talk.join(*before, talk.question()))
        if s.resident is None:
            reply = self.with_resident(self.read_back)
            return reply if not before else talk.reply(talk.join(*before, Said(reply.text, reply.speech)))
        return self.read_back(*before)

    def read_back(self, *before: Said) -> Reply:
        s = self.talk.state
        draft = s.booking
        assert draft is not None
        s.task, s.step = Task.BOOKING, Step.CONFIRM
        draft.idempotency_key = draft.idempotency_key or uuid.uuid4().hex
        return self.talk.reply(self.talk.join(*before, self.talk.question()))

    def question(self) -> Said:
        talk = self.talk
        s = talk.state
        draft = s.booking
        assert draft is not None
        if s.step is Step.CONFIRM:
            assert draft.service and draft.day and draft.at
            return talk.say(BOOK, "read_back", service=talk.service_name(draft.service),
                            date=talk.date(draft.day), time=talk.time(draft.at))  # fmt: skip
        if s.step is Step.OFFER_ALTERNATIVE and draft.offered is not None:
            alternative = talk.forms.slot(draft.offered.date, draft.offered.time, s.lang,
                                          same_day_as=draft.day, today=talk.today())  # fmt: skip
            return talk.say(BOOK, "offer_alternative", alternative=alternative)
        return Said("", "")

    def book(self) -> Reply:
        talk = self.talk
        s = talk.state
        draft = s.booking
        assert draft is not None and draft.service and draft.day and draft.at and draft.idempotency_key
        if s.resident is None:
            return self.advance()
        try:
            booking = talk.client.book(s.resident, draft.service, draft.day, draft.at, draft.idempotency_key)
        except CentreRefused as refusal:
            if refusal.code in (*SLOT_REFUSALS, ErrorCode.ALREADY_BOOKED, ErrorCode.SERVICE_NOT_BOOKABLE):
                return self.refused(refusal)
            return talk.centre_failed(refusal, None)  # a refusal the dialogue cannot explain
        except CentreError as exc:  # not queued: see docs/reliability.md
            not_booked = talk.say(BOOK, "not_booked_offline", service=talk.service_name(draft.service),
                                  date=talk.date(draft.day), time=talk.time(draft.at))  # fmt: skip
            return talk.centre_failed(exc, Retry.BOOK, not_booked)
        appointment = booking.appointment
        said = talk.say(
            BOOK,
            "booked",
            code=Said(appointment.code, talk.forms.code(appointment.code, s.lang)),
            date=talk.date(appointment.date),
            time=talk.time(appointment.time),
            service=talk.service_name(appointment.service_id),
            location=talk.location(appointment.service_id),
        )
        s.drop_task()
        s.memory.offer = None
        return talk.reply(said)

    def refused(self, refusal: CentreRefused) -> Reply:
        talk = self.talk
        s = talk.state
        draft = s.booking
        assert draft is not None and draft.service and draft.day and draft.at
        values = {"date": talk.date(draft.day), "time": talk.time(draft.at),
                  "service": talk.service_name(draft.service)}  # fmt: skip
        if refusal.code in SLOT_REFUSALS:
            offered = _first_free(refusal.alternatives)
            draft.idempotency_key = None
            if offered is None:
                s.drop_task()
                return talk.reply(talk.say(BOOK, "no_alternative", **values))
            draft.offered = offered
            alternative = talk.forms.slot(offered.date, offered.time, s.lang, same_day_as=draft.day, today=talk.today())
            if refusal.code == ErrorCode.SLOT_CLOSED:
                reason = (refusal.body.get("closed") or {}).get(s.lang)
                if reason:
                    said = talk.say(BOOK, "closed_day", date=values["date"], reason=reason)
                else:
                    info = talk.lookups.service_info(draft.service)
                    said = talk.say(BOOK, "closed", hours=talk.lookups.hours(info, s.lang), **values)
                said = talk.join(said, talk.say(BOOK, "offer_alternative", alternative=alternative))
            else:
                said = talk.say(BOOK, refusal.code, alternative=alternative, **values)
            s.step = Step.OFFER_ALTERNATIVE
            return talk.reply(said)
        s.drop_task()
        if refusal.code == ErrorCode.ALREADY_BOOKED:
            code = str(refusal.body.get("code", ""))
            spoken = Said(code, talk.forms.code(code, s.lang))
            return talk.reply(talk.say(BOOK, "already_booked", code=spoken, **values))
        return talk.reply(talk.say(BOOK, "not_bookable", service=values["service"]))

    def yes_no(self, yes: bool) -> Reply:
        """The answer to the read-back ("对吗？") or to an offered slot ("九点半可以吗？")."""
        talk = self.talk
        s = talk.state
        draft = s.booking
        assert draft is not None
        if s.step is Step.CONFIRM:
            if yes:
                return self.book()
            s.step = Step.ASK_CHANGE
            return talk.reply(talk.question())
        if yes:
            assert draft.offered is not None
            draft.fill({"date": draft.offered.date.isoformat(), "time": draft.offered.time.strftime("%H:%M")})
            return self.advance()
        draft.at, draft.offered, draft.idempotency_key = None, None, None
        s.step = Step.ASK_TIME
        return talk.reply(talk.say(BOOK, "ask_other_time"))


def _first_free(slots: list[SlotOut]) -> SlotOut | None:
    return next((slot for slot in slots if slot.state == "free"), None)
