"""The kiosk's conversation: one state machine per resident, over the parser's results.

Each turn, in this order:

1. An answer to a phone-number or birth-year question is read first: "一九四八" parses as
   nothing useful (or even as "yes"), but it is exactly the answer that was asked for.
2. `emergency` pre-empts everything: 120 (or 119/110) is said at once and staff are
   alerted. If the alert cannot be raised, the reply says so and tells the resident to
   call out for help — it never claims staff are coming when they were not told.
3. Any other pending question takes the answer's slots, yes/no or choice first ("明天"
   alone parses as no intent with a date slot: that *is* the answer to "哪天来？").
4. repeat / slower / help / stop / staff work in every state (stop and staff only when
   the parser is fairly sure, so a half-heard word cannot throw away a booking).
5. Otherwise the utterance is a new request. A side question during a task ("体检在哪儿
   办？" while booking) is answered and the pending question asked again; a clearly
   different task ("我要取消预约") replaces the current one; a vague one while a question
   is pending counts as not understood, and the question is asked again.

Filler-only answers ("嗯", "um"): after questions whose "yes" only leads to another
question (an offered alternative slot, which is read back before booking; "shall I
book it for you?"; "shall I try again?") a filler counts as yes. After the two questions
whose "yes" acts — the final read-back of a booking and the confirmation of a
cancellation — it does not: the kiosk asks for a clear yes or no, because a cough or a
recogniser's guess must never book or cancel anything.

A server that cannot be reached never loses what was collected: the kiosk says
`server_unavailable`, offers to try again, and keeps the drafts; a booking retried keeps
its idempotency key, so however often the resident says yes, it is booked once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from intents import Catalogue
from intents.digit_strings import find_birth_year, find_phone_number
from intents.language import detect_language
from intents.parser import Parser, ParseResult

from .centre_errors import CentreError, CentreRefused, CentreUnavailable, ResidentNotIdentified
from .centre_lookups import CentreLookups
from .centre_records import Appointment, Slot
from .client import CentreClient
from .reply import Option, Reply
from .reply_writer import MissingReply, ReplyWriter, Said
from .session_state import Ambiguity, BookingDraft, CancelDraft, IdentityDraft, SessionState
from .spoken_forms import SpokenForms
from .yes_no_answers import Answer, YesNoReader

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = ZoneInfo("Asia/Shanghai")

SWITCH_CONFIDENCE = 0.6
"""While a question is pending, a different intent must be at least this sure to change
the subject (or to stop / call staff); below it the kiosk asks its question again."""

EMERGENCY_ALERT_RETRIES = 1
"""The resident already has the emergency number; the staff alert gets one quick retry."""

TASK_INTENTS = ("appointment.book", "appointment.cancel", "appointment.list", "progress.query")
SIDE_INTENTS = ("service.lookup", "hotline.lookup", "notice.read")
MENU_INTENTS = (
    "appointment.book", "appointment.cancel", "appointment.list", "service.lookup",
    "hotline.lookup", "notice.read", "progress.query", "staff.handoff",
)  # fmt: skip
COMMON_OPTIONS = ("dialog.repeat", "dialog.slower", "dialog.help", "staff.handoff")
SLOT_REFUSALS = ("slot_full", "slot_past", "slot_closed", "no_such_slot")

YES_NO_STEPS = {
    # step: may a filler-only answer count as yes?
    "booking.confirm": False,
    "cancel.confirm": False,
    "booking.offer_alternative": True,
    "service.offer_booking": True,
}
SOFT_STEPS = ("service.offer_booking",)
"""Offers the resident may ignore: saying something else simply moves on."""

NEEDED_REPLIES: dict[str | None, tuple[str, ...]] = {
    None: (
        "welcome", "reprompt", "menu", "not_understood", "not_understood_twice", "ambiguous", "out_of_scope",
        "identify_failed", "server_unavailable", "ask_identity", "ask_phone", "ask_birth_year", "identified",
        "identify_blocked", "identify_ambiguous", "retry_offer", "yes_or_no", "anything_else",
    ),
    "service.lookup": ("label", "default", "no_documents", "ask_service", "offer_booking"),
    "appointment.book": (
        "label", "ask_service", "ask_date", "ask_time", "ask_identity", "read_back", "booked", "slot_full",
        "closed", "not_bookable", "cancelled_by_user", "ask_change", "ask_other_time", "slot_past",
        "no_such_slot", "closed_day", "offer_alternative", "no_alternative", "already_booked",
    ),
    "appointment.cancel": ("label", "ask_which", "confirm", "cancelled", "none_found", "kept"),
    "appointment.list": ("label", "default", "one", "item", "none"),
    "hotline.lookup": ("label", "default", "ask_hotline"),
    "emergency": ("default", "fire", "police", "no_staff_alert"),
    "notice.read": ("label", "default", "item_full", "none"),
    "progress.query": ("label", "default", "ask_reference", "not_found"),
    "staff.handoff": ("label", "default"),
    "dialog.yes": ("label", "default"),
    "dialog.no": ("label", "default"),
    "dialog.repeat": ("label", "default"),
    "dialog.slower": ("label", "default"),
    "dialog.help": ("label", "default"),
    "dialog.stop": ("label", "default"),
}  # fmt: skip
"""Every reply the dialogue may use; checked when a `Dialogue` is made."""


class Dialogue:
    """One resident's conversation with the kiosk (make a new one for the next resident)."""

    def __init__(
        self,
        catalogue: Catalogue,
        client: CentreClient,
        *,
        parser: Parser | None = None,
        forms: SpokenForms | None = None,
        now: Callable[[], datetime] | None = None,
        lang: str = "zh",
    ) -> None:
        """`now` gives the centre's local time (aware); tests pin it. `lang` is the language
        of the welcome, and of answers that carry no language of their own ("1948")."""
        self.catalogue = catalogue
        self.client = client
        self.parser = parser or Parser(catalogue)
        self.writer = ReplyWriter(catalogue, forms or SpokenForms.load())
        self.forms = self.writer.forms
        missing = self.writer.missing(NEEDED_REPLIES)
        if missing:
            raise MissingReply(
                f"the catalogue {catalogue.source} lacks replies the dialogue needs: {', '.join(missing)}"
            )
        self.lookups = CentreLookups(catalogue, client, self.writer)
        self.yes_no = YesNoReader(catalogue)
        self.now = now or (lambda: datetime.now(DEFAULT_TIMEZONE))
        self.state = SessionState(lang=lang)
        self._services = {s.id: s for s in catalogue.services}
        self._hotlines = {h.id: h for h in catalogue.hotlines}

    # ================================================================== entry points

    def welcome(self) -> Reply:
        return self._reply(self._say(None, "welcome"))

    def reprompt(self) -> Reply:
        """After a long silence: "are you still there?" and the pending question again."""
        return self._reply(self._join(self._say(None, "reprompt"), self._question()))

    def handle(self, text: str) -> Reply:
        """One utterance in, one reply out."""
        if self.state.done:
            self._start_over()
        lang = self._language_of(text)
        parse = self.parser.parse(text, lang=lang, now=self.now())
        return self._safely(parse)

    def choose(self, option_id: str) -> Reply:
        """A button from `Reply.options` was touched: the same as saying it."""
        if self.state.done:
            self._start_over()
        kind, _, value = option_id.partition(":")
        slot_names = {"service": "service", "hotline": "hotline", "appointment": "reference"}
        if kind in slot_names and value:
            parse = ParseResult(option_id, self.state.lang, None, 1.0, {slot_names[kind]: value})
        else:
            parse = ParseResult(option_id, self.state.lang, option_id, 1.0)
        return self._safely(parse)

    def close(self) -> None:
        """The resident walked away or said goodbye: their session stops working at once."""
        if self.state.resident is not None:
            self.client.end_session(self.state.resident)
            self.state.resident = None

    # ================================================================== routing

    def _safely(self, parse: ParseResult) -> Reply:
        """A refusal no step expected (a revoked device token, a server bug) must not end the
        conversation: the resident hears `server_unavailable` and keeps what they said so far."""
        try:
            return self._respond(parse)
        except CentreError as exc:
            log.error("unexpected answer from the centre's server: %s", exc)
            return self._reply(self._join(self._say(None, "server_unavailable"), self._question()))

    def _respond(self, parse: ParseResult) -> Reply:
        s = self.state
        s.lang = parse.lang
        if s.step in ("ask_identity", "ask_phone", "ask_birth_year"):
            reply = self._identity_answer(parse)
            if reply is not None:
                return self._understood(reply)
        if parse.intent == "emergency" or (
            parse.ambiguous and any(a.intent == "emergency" for a in parse.alternatives[:1])
        ):
            return self._understood(self._emergency(parse))
        reply = self._pending_answer(parse)
        if reply is not None:
            return self._understood(reply)
        reply = self._command(parse)
        if reply is not None:
            return self._understood(reply) if parse.intent != "dialog.repeat" else reply
        return self._request(parse)

    def _understood(self, reply: Reply) -> Reply:
        self.state.failures = 0
        return reply

    def _pending(self) -> bool:
        """A question is waiting that the resident should not lose by a misheard word."""
        return self.state.task is not None and self.state.name not in SOFT_STEPS

    def _sure(self, parse: ParseResult) -> bool:
        return parse.intent is not None and not parse.ambiguous and parse.confidence >= SWITCH_CONFIDENCE

    def _pending_answer(self, parse: ParseResult) -> Reply | None:
        s = self.state
        name = s.name
        if s.step == "retry":
            return self._retry_answer(parse)
        if name in YES_NO_STEPS or s.task == "booking":
            reply = self._booking_details(parse) if s.task == "booking" else None
            if reply is not None or name not in YES_NO_STEPS:
                return reply
            return self._yes_no_answer(parse, filler_is_yes=YES_NO_STEPS[name])
        if name == "cancel.ask_which":
            return self._which_appointment(parse)
        if name == "clarify.which":
            return self._clarified(parse)
        wanted = {"service.ask_service": "service", "hotline.ask_hotline": "hotline",
                  "progress.ask_reference": "reference"}.get(name)  # fmt: skip
        if wanted and wanted in parse.slots and not self._different_task(parse):
            task = s.task
            s.drop_task()
            return self._lookup(task or "", parse.slots, parse)
        return None

    def _different_task(self, parse: ParseResult) -> bool:
        """Clearly asking for something else than the current task."""
        own = {"booking": ("appointment.book",), "service": ("service.lookup",),
               "hotline": ("hotline.lookup",), "progress": ("progress.query",),
               "cancel": ("appointment.cancel", "appointment.list")}.get(self.state.task or "", ())  # fmt: skip
        return self._sure(parse) and parse.intent not in own and not parse.intent.startswith("dialog.")  # type: ignore[union-attr]

    def _command(self, parse: ParseResult) -> Reply | None:
        """repeat / slower / help / stop / staff: the same in every state."""
        intent = parse.intent
        if intent not in ("dialog.repeat", "dialog.slower", "dialog.help", "dialog.stop", "staff.handoff"):
            return None
        if parse.ambiguous and intent in ("dialog.stop", "staff.handoff"):
            return None
        if intent in ("dialog.stop", "staff.handoff") and self._pending() and not self._sure(parse):
            return None
        if intent == "dialog.repeat":
            return self._repeat("dialog.repeat")
        if intent == "dialog.slower":
            self.state.slow = True
            return self._repeat("dialog.slower")
        if intent == "dialog.help":
            return self._reply(self._join(self._say("dialog.help", "default"), self._question()))
        if intent == "dialog.stop":
            return self._stop()
        return self._handoff(parse)

    def _request(self, parse: ParseResult) -> Reply:
        """Not an answer, not a command: a new request, a side question, or not understood."""
        s = self.state
        intent = parse.intent
        if intent is not None and parse.ambiguous and parse.alternatives and not self._pending():
            return self._understood(self._ask_which_intent(parse))
        if intent is not None and self._pending() and not self._sure(parse):
            return self._not_understood(parse)
        if intent in ("dialog.yes", "dialog.no"):
            said = self._say(intent, "default")
            follow = self._question() if self._pending() else self._say(None, "anything_else")
            return self._understood(self._reply(self._join(said, follow)))
        if intent in SIDE_INTENTS and self._pending() and _has_subject(intent, parse.slots):
            answer = self._lookup(_TASK_OF[intent], parse.slots, parse, side=True)
            return self._understood(answer)
        if intent in (*SIDE_INTENTS, *TASK_INTENTS):
            if s.task == "booking" and intent == "appointment.cancel" and not parse.slots:
                s.drop_task()  # "不约了" while booking: the booking is what they cancel
                return self._understood(self._reply(self._say("appointment.book", "cancelled_by_user")))
            s.drop_task()
            return self._understood(self._start(intent, parse.slots, parse))
        if intent is None and not parse.out_of_scope and not self._pending():
            for slot, task in (("service", "service"), ("hotline", "hotline"), ("reference", "progress")):
                if slot in parse.slots:  # "体检" alone: tell them about it
                    s.drop_task()
                    return self._understood(self._lookup(task, parse.slots, parse))
        return self._not_understood(parse)

    def _start(self, intent: str, slots: dict[str, str], parse: ParseResult) -> Reply:
        if intent == "appointment.book":
            self.state.task = "booking"
            self.state.booking = BookingDraft()
            self.state.booking.fill(slots)
            return self._advance_booking()
        if intent == "appointment.cancel":
            self.state.task = "cancel"
            self.state.cancel = CancelDraft(
                hints={k: v for k, v in slots.items() if k in ("service", "date", "time", "reference")}
            )
            return self._with_resident(self._cancel_choices)
        if intent == "appointment.list":
            self.state.task = "list"
            return self._with_resident(self._list)
        return self._lookup(_TASK_OF[intent], slots, parse)

    # ================================================================== booking

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
        if not changed and s.step in YES_NO_STEPS_BOOKING:
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

    # ================================================================== yes / no

    def _yes_no_answer(self, parse: ParseResult, *, filler_is_yes: bool) -> Reply | None:
        answer = self.yes_no.read(parse)
        if answer is Answer.FILLER:
            if not filler_is_yes:
                return self._reply(self._join(self._say(None, "yes_or_no"), self._question()))
            answer = Answer.YES
        if answer is Answer.OTHER:
            return None
        yes = answer is Answer.YES
        s = self.state
        name = s.name
        if name == "booking.confirm":
            if yes:
                return self._book()
            s.step = "ask_change"
            return self._reply(self._say("appointment.book", "ask_change"))
        if name == "booking.offer_alternative":
            if yes:
                return self._take_offered()
            draft = s.booking
            assert draft is not None
            draft.at, draft.offered, draft.idempotency_key = None, None, None
            s.step = "ask_time"
            return self._reply(self._say("appointment.book", "ask_other_time"))
        if name == "cancel.confirm":
            if yes:
                return self._cancel_chosen()
            s.drop_task()
            return self._reply(self._say("appointment.cancel", "kept"))
        if name == "service.offer_booking":
            service = s.lookup.get("service")
            s.drop_task()
            if yes and service:
                return self._start("appointment.book", {"service": service}, parse)
            return self._reply(self._join(self._say("dialog.no", "default"), self._say(None, "anything_else")))
        return None

    # ================================================================== identification

    def _with_resident(self, then: Callable[[], Reply]) -> Reply:
        """Run `then` for the identified resident, identifying them first if needed."""
        s = self.state
        if s.resident is not None:
            return then()
        s.identity = IdentityDraft()
        s.step = "ask_identity"
        return self._reply(self._question())

    def _identity_answer(self, parse: ParseResult) -> Reply | None:
        s = self.state
        draft = s.identity
        if draft is None:
            return None
        phone = find_phone_number(parse.text, parse.lang)
        year = find_birth_year(parse.text, parse.lang, self._today())
        if phone is not None and year is not None and str(year) in phone:
            year = None  # "139 1948 1234": the 1948 is part of the number
        if phone is None and year is None:
            return None
        draft.phone = phone or draft.phone
        draft.birth_year = year or draft.birth_year
        if draft.phone is None:
            s.step = "ask_phone"
            return self._reply(self._question())
        if draft.birth_year is None:
            s.step = "ask_birth_year"
            return self._reply(self._question())
        return self._identify()

    def _identify(self) -> Reply:
        s = self.state
        draft = s.identity
        assert draft is not None and draft.phone and draft.birth_year
        try:
            s.resident = self.client.identify(draft.phone, draft.birth_year)
        except CentreUnavailable as exc:
            return self._server_unavailable(exc, retry_step="identify")
        except CentreRefused as refusal:
            return self._identify_refused(refusal)
        s.identity = None
        greeting = self._say(None, "identified", name=s.resident.name)
        return self._continue_task(greeting)

    def _identify_refused(self, refusal: CentreRefused) -> Reply:
        s = self.state
        if refusal.code in ("identification_failed", "validation_error"):
            s.identity = IdentityDraft()
            s.step = "ask_identity"
            return self._reply(self._say(None, "identify_failed"))
        name = {"too_many_attempts": "identify_blocked", "identification_ambiguous": "identify_ambiguous"}.get(
            refusal.code
        )
        if name is None:
            log.warning("identification refused for a reason the dialogue cannot explain: %s", refusal)
            return self._server_unavailable(refusal, retry_step=None)
        s.drop_task()
        return self._reply(self._say(None, name), options=self._options_for(("staff.handoff",)))

    def _continue_task(self, *before: Said) -> Reply:
        task = self.state.task
        if task == "booking":
            return self._advance_booking(*before)
        if task == "cancel":
            return self._cancel_choices(*before)
        if task == "list":
            return self._list(*before)
        self.state.drop_task()
        return self._reply(self._join(*before, self._say(None, "anything_else")))

    # ================================================================== cancel and list

    def _my_appointments(self) -> list[Appointment]:
        assert self.state.resident is not None
        return self.client.appointments(self.state.resident)

    def _cancel_choices(self, *before: Said) -> Reply:
        s = self.state
        draft = s.cancel
        assert draft is not None
        try:
            draft.appointments = self._my_appointments()
        except ResidentNotIdentified:
            s.resident = None
            return self._with_resident(self._cancel_choices)
        except CentreUnavailable as exc:
            return self._server_unavailable(exc, retry_step="cancel_choices")
        if not draft.appointments:
            s.drop_task()
            return self._reply(self._join(*before, self._say("appointment.cancel", "none_found")))
        matches = _matching(draft.appointments, draft.hints)
        if len(matches) == 1 and (draft.hints or len(draft.appointments) == 1):
            draft.chosen = matches[0]
            s.step = "confirm"
            return self._reply(self._join(*before, self._question()))
        pieces = list(before)
        if draft.hints and not matches:
            pieces.append(self._say("appointment.cancel", "none_found"))
        pieces.append(self._appointment_list(draft.appointments))
        s.step = "ask_which"
        return self._reply(self._join(*pieces, self._question()))

    def _which_appointment(self, parse: ParseResult) -> Reply | None:
        s = self.state
        draft = s.cancel
        assert draft is not None
        hints = {k: v for k, v in parse.slots.items() if k in ("service", "date", "time", "reference")}
        if not hints or self._different_task(parse):
            return None
        matches = _matching(draft.appointments, hints)
        if len(matches) == 1:
            draft.chosen = matches[0]
            s.step = "confirm"
            return self._reply(self._question())
        said = self._say("appointment.cancel", "none_found") if not matches else Said("", "")
        return self._reply(self._join(said, self._appointment_list(draft.appointments), self._question()))

    def _cancel_chosen(self) -> Reply:
        s = self.state
        draft = s.cancel
        assert draft is not None and draft.chosen is not None and s.resident is not None
        chosen = draft.chosen
        try:
            self.client.cancel(s.resident, chosen.code)
        except ResidentNotIdentified:
            s.resident = None
            return self._with_resident(self._cancel_choices)
        except CentreUnavailable as exc:
            return self._server_unavailable(exc, retry_step="cancel")
        except CentreRefused as refusal:
            if refusal.status != 404:
                log.warning("cancellation refused: %s", refusal)
            s.drop_task()
            return self._reply(self._say("appointment.cancel", "none_found"))
        s.drop_task()
        return self._reply(self._say("appointment.cancel", "cancelled", **self._appointment_values(chosen)))

    def _list(self, *before: Said) -> Reply:
        s = self.state
        try:
            appointments = self._my_appointments()
        except ResidentNotIdentified:
            s.resident = None
            return self._with_resident(self._list)
        except CentreUnavailable as exc:
            return self._server_unavailable(exc, retry_step="list")
        s.drop_task()
        if not appointments:
            return self._reply(self._join(*before, self._say("appointment.list", "none")))
        return self._reply(self._join(*before, self._appointment_list(appointments)))

    def _appointment_list(self, appointments: list[Appointment]) -> Said:
        """"您有两个预约：11月27日星期五上午九点，体检；…"."""
        lang = self.state.lang
        items = [self._say("appointment.list", "item", **self._appointment_values(a)) for a in appointments]
        joined = Said(
            self.forms.clauses([i.text for i in items], lang) + _SENTENCE_END[lang],
            self.forms.clauses([i.speech for i in items], lang) + _SENTENCE_END[lang],
        )
        if len(appointments) == 1:
            return self._say("appointment.list", "one", items=joined)
        count = self.forms.count(len(appointments), lang)
        return self._say("appointment.list", "default", count=count, items=joined)

    def _appointment_values(self, appointment: Appointment) -> dict[str, str | Said]:
        return {
            "date": self._date(appointment.date),
            "time": self._time(appointment.time),
            "service": self._service_name(appointment.service_id),
        }

    # ================================================================== look-ups

    def _lookup(self, task: str, slots: dict[str, str], parse: ParseResult, side: bool = False) -> Reply:
        """Service details, hotline, notices, progress; `side`: answered in the middle of a task,
        whose pending question is then asked again."""
        s = self.state
        lang = s.lang
        key = {"service": "service", "hotline": "hotline", "progress": "reference"}.get(task)
        if key is not None and key not in slots:
            if side:
                return self._reply(self._join(self._ask_for(task), self._question()))
            s.drop_task()
            s.task, s.step = task, {"service": "ask_service", "hotline": "ask_hotline",
                                    "progress": "ask_reference"}[task]  # fmt: skip
            return self._reply(self._question())
        try:
            if task == "service":
                answer = self.lookups.service(slots["service"], lang)
                said = answer.said
                if answer.bookable and not side:
                    s.drop_task()
                    s.task, s.step, s.lookup = "service", "offer_booking", {"service": slots["service"]}
                    return self._reply(self._join(said, self._question()))
            elif task == "hotline":
                said = self.lookups.hotline(slots["hotline"], lang)
            elif task == "notice":
                day = date.fromisoformat(slots["date"]) if "date" in slots else None
                said = self.lookups.notices(lang, day, self._today(), self.now().tzinfo)
            else:
                said = self.lookups.progress(slots["reference"].upper(), lang)
        except CentreError as exc:
            if side:
                return self._reply(self._join(self._say(None, "server_unavailable"), self._question()))
            s.drop_task()
            s.task, s.lookup = task, dict(slots)
            return self._server_unavailable(exc, retry_step="lookup")
        if side:
            return self._reply(self._join(said, self._question()))
        s.drop_task()
        return self._reply(said)

    def _ask_for(self, task: str) -> Said:
        owner, name = {"service": ("service.lookup", "ask_service"), "hotline": ("hotline.lookup", "ask_hotline"),
                       "progress": ("progress.query", "ask_reference")}[task]  # fmt: skip
        return self._say(owner, name)

    # ================================================================== emergencies, staff, commands

    def _emergency(self, parse: ParseResult) -> Reply:
        s = self.state
        hotline = parse.slots.get("hotline")
        kind = hotline if hotline in ("fire", "police") else "default"
        alerted = self._alert("emergency", parse, retries=EMERGENCY_ALERT_RETRIES)
        if alerted:
            said = self._say("emergency", kind)
        else:
            number = self.lookups.emergency_number({"fire": "fire", "police": "police"}.get(kind, "ambulance"))
            said = self._say("emergency", "no_staff_alert", number=self.lookups.number(number, s.lang))
        s.drop_task()
        return self._reply(said, options=self._options_for(("dialog.repeat", "staff.handoff")))

    def _handoff(self, parse: ParseResult) -> Reply:
        self.state.drop_task()
        if self._alert("handoff", parse):
            return self._reply(self._say("staff.handoff", "default"))
        return self._reply(self._say(None, "server_unavailable"))

    def _alert(self, kind: str, parse: ParseResult, retries: int | None = None) -> bool:
        s = self.state
        try:
            self.client.raise_alert(kind, note=parse.text, lang=s.lang, session=s.resident, retries=retries)
        except ResidentNotIdentified:
            s.resident = None
            return self._alert(kind, parse, retries)
        except CentreError as exc:
            log.error("could not raise a %s alert: %s", kind, exc)
            return False
        return True

    def _repeat(self, intent: str) -> Reply:
        s = self.state
        last = s.last_reply
        said = self._say(intent, "default")
        if last is None:
            return self._reply(self._join(said, self._say(None, "welcome")))
        reply = Reply(
            text=self._join(said, Said(last.text, last.speech)).text,
            speech=self._join(said, Said(last.text, last.speech)).speech,
            lang=s.lang,
            state=s.name,
            slow=s.slow,
            options=last.options,
        )
        return reply  # not remembered: "repeat" twice repeats the same reply, not the repeat

    def _stop(self) -> Reply:
        s = self.state
        said = self._say("dialog.stop", "default")
        s.drop_task()
        self.close()
        s.done = True
        return self._reply(said, options=(), done=True)

    def _start_over(self) -> None:
        self.state = SessionState(lang=self.state.lang)

    # ================================================================== clarifying, failing

    def _ask_which_intent(self, parse: ParseResult) -> Reply:
        first, second = parse.intent or "", parse.alternatives[0].intent
        if not (self.writer.has(first, "label", "zh") and self.writer.has(second, "label", "zh")):
            return self._not_understood(parse)
        s = self.state
        s.drop_task()
        s.task, s.step = "clarify", "which"
        s.ambiguity = Ambiguity((first, second), dict(parse.slots))
        return self._reply(self._question())

    def _clarified(self, parse: ParseResult) -> Reply | None:
        s = self.state
        ambiguity = s.ambiguity
        assert ambiguity is not None
        chosen = parse.intent if parse.intent in ambiguity.intents else None
        if chosen is None:
            chosen = next((a.intent for a in parse.alternatives[:1] if a.intent in ambiguity.intents), None)
        if chosen is None:
            return None
        s.drop_task()
        slots = {**ambiguity.slots, **parse.slots}
        merged = ParseResult(parse.text, parse.lang, chosen, 1.0, slots)
        if chosen in (*TASK_INTENTS, *SIDE_INTENTS):
            return self._start(chosen, slots, merged)
        return self._command(merged) or self._request(merged)

    def _not_understood(self, parse: ParseResult) -> Reply:
        s = self.state
        s.failures += 1
        if s.failures >= 2:
            said = self._say(None, "not_understood_twice")
            return self._reply(self._join(said, self._question()), options=self._options_for(MENU_INTENTS))
        said = self._say(None, "out_of_scope" if parse.out_of_scope else "not_understood")
        return self._reply(self._join(said, self._question()))

    def _server_unavailable(self, exc: CentreError, retry_step: str | None) -> Reply:
        """Keep everything collected; offer to try again when trying again could help."""
        log.warning("centre server problem: %s", exc)
        s = self.state
        said = self._say(None, "server_unavailable")
        if retry_step is None:
            s.drop_task()
            return self._reply(said)
        s.step, s.retry_step = "retry", retry_step
        return self._reply(self._join(said, self._say(None, "retry_offer")))

    def _retry_answer(self, parse: ParseResult) -> Reply | None:
        answer = self.yes_no.read(parse)
        if parse.intent == "dialog.repeat" or (
            parse.intent is None and any(a.intent in ("dialog.repeat", "dialog.yes") for a in parse.alternatives[:1])
        ):
            answer = Answer.YES  # "再试一次" / "try again"
        if answer is Answer.OTHER:
            return None
        s = self.state
        if answer is Answer.NO:
            s.drop_task()
            return self._reply(self._join(self._say("dialog.no", "default"), self._say(None, "anything_else")))
        step, s.retry_step = s.retry_step, None
        if step == "book":
            s.step = "confirm"
            return self._book()
        if step == "identify":
            s.step = "ask_identity"
            return self._identify()
        if step == "cancel_choices":
            return self._cancel_choices()
        if step == "cancel":
            s.step = "confirm"
            return self._cancel_chosen()
        if step == "list":
            return self._list()
        task, slots = s.task or "", dict(s.lookup)
        s.drop_task()
        return self._lookup(task, slots, parse)

    # ================================================================== the pending question

    def _question(self) -> Said:
        """The question the current step is waiting on, in the current language (empty when idle)."""
        s = self.state
        name = s.name
        if s.step == "retry":
            return self._say(None, "retry_offer")
        if s.step in ("ask_identity", "ask_phone", "ask_birth_year"):
            if s.step == "ask_identity":
                owner = "appointment.book" if s.task == "booking" else None
                return self._say(owner, "ask_identity")
            return self._say(None, s.step)
        if s.task == "booking":
            draft = s.booking
            assert draft is not None
            if s.step in ("ask_service", "ask_date", "ask_time", "ask_change"):
                return self._say("appointment.book", s.step)
            if s.step == "confirm":
                assert draft.service and draft.day and draft.at
                return self._say("appointment.book", "read_back", service=self._service_name(draft.service),
                                 date=self._date(draft.day), time=self._time(draft.at))  # fmt: skip
            if s.step == "offer_alternative" and draft.offered is not None:
                alternative = self.forms.slot(draft.offered.date, draft.offered.time, s.lang,
                                              same_day_as=draft.day, today=self._today())  # fmt: skip
                return self._say("appointment.book", "offer_alternative", alternative=alternative)
        if name == "cancel.ask_which":
            return self._say("appointment.cancel", "ask_which")
        if name == "cancel.confirm":
            assert s.cancel is not None and s.cancel.chosen is not None
            return self._say("appointment.cancel", "confirm", **self._appointment_values(s.cancel.chosen))
        if name == "service.offer_booking":
            return self._say("service.lookup", "offer_booking", service=self._service_name(s.lookup["service"]))
        if name in ("service.ask_service", "hotline.ask_hotline", "progress.ask_reference"):
            return self._ask_for(s.task or "")
        if name == "clarify.which":
            assert s.ambiguity is not None
            first, second = (self.writer.template(i, "label", s.lang) for i in s.ambiguity.intents)
            return self._say(None, "ambiguous", first=first, second=second)
        return Said("", "")

    # ================================================================== replies

    def _reply(self, said: Said, *, options: tuple[Option, ...] | None = None, done: bool = False) -> Reply:
        s = self.state
        reply = Reply(
            text=said.text,
            speech=said.speech,
            lang=s.lang,
            state=s.name,
            slow=s.slow,
            options=self._options() if options is None else options,
            done=done,
        )
        s.last_reply = reply
        return reply

    def _options(self) -> tuple[Option, ...]:
        s = self.state
        lang = s.lang
        name = s.name
        if name in YES_NO_STEPS or s.step == "retry":
            return self._options_for(("dialog.yes", "dialog.no", *COMMON_OPTIONS))
        if name == "booking.ask_service":
            services = [Option(f"service:{x.id}", x.name(lang)) for x in self.catalogue.services if x.bookable]
            return (*services, *self._options_for(COMMON_OPTIONS))
        if name == "service.ask_service":
            services = [Option(f"service:{x.id}", x.name(lang)) for x in self.catalogue.services]
            return (*services, *self._options_for(COMMON_OPTIONS))
        if name == "hotline.ask_hotline":
            hotlines = [Option(f"hotline:{h.id}", h.name(lang)) for h in self.catalogue.hotlines]
            return (*hotlines, *self._options_for(COMMON_OPTIONS))
        if name == "cancel.ask_which" and s.cancel is not None:
            item = "appointment.list", "item"
            choices = [
                Option(f"appointment:{a.code}", self._say(*item, **self._appointment_values(a)).text)
                for a in s.cancel.appointments
            ]
            return (*choices, *self._options_for(COMMON_OPTIONS))
        if name == "clarify.which" and s.ambiguity is not None:
            return self._options_for((*s.ambiguity.intents, *COMMON_OPTIONS))
        if s.task is None:
            return self._options_for(MENU_INTENTS)
        return self._options_for(COMMON_OPTIONS)

    def _options_for(self, intents: tuple[str, ...]) -> tuple[Option, ...]:
        lang = self.state.lang
        return tuple(
            Option(i, self.writer.template(i, "label", lang)) for i in intents if self.writer.has(i, "label", lang)
        )

    def _say(self, owner: str | None, name: str, /, **values: str | Said) -> Said:
        return self.writer.say(owner, name, self.state.lang, **values)

    def _join(self, *pieces: Said) -> Said:
        return self.writer.join(pieces, self.state.lang)

    # ================================================================== small helpers

    def _language_of(self, text: str) -> str:
        """The utterance's language; digits alone ("1948", "A1023") keep the session's."""
        if not any(c.isalpha() for c in text if not c.isascii()) and sum(c.isalpha() for c in text) < 2:
            return self.state.lang
        return detect_language(text)

    def _today(self) -> date:
        return self.now().date()

    def _date(self, day: date) -> str:
        return self.forms.date(day, self.state.lang, self._today())

    def _time(self, at: time) -> str:
        return self.forms.time(at, self.state.lang)

    def _service_name(self, service_id: str) -> str:
        return self.lookups.service_name(service_id, self.state.lang)

    def _location(self, service_id: str) -> str:
        try:
            return self.lookups.service_info(service_id).location.get(self.state.lang, "")
        except CentreError:
            return ""

    def _bookable(self, service_id: str) -> bool:
        service = self._services.get(service_id)
        return service.bookable if service is not None else True  # unknown here: let the server decide


YES_NO_STEPS_BOOKING = ("confirm", "offer_alternative")

_TASK_OF = {
    "service.lookup": "service",
    "hotline.lookup": "hotline",
    "notice.read": "notice",
    "progress.query": "progress",
}

_SENTENCE_END = {"zh": "。", "en": "."}


def _has_subject(intent: str, slots: dict[str, str]) -> bool:
    """A side question complete enough to answer without asking back ("急救电话" has its hotline)."""
    needed = {"service.lookup": "service", "hotline.lookup": "hotline", "progress.query": "reference"}.get(intent)
    return needed is None or needed in slots


def _first_free(slots: list[Slot]) -> Slot | None:
    return next((slot for slot in slots if slot.state == "free"), None)


def _matching(appointments: list[Appointment], hints: dict[str, str]) -> list[Appointment]:
    """Appointments fitting what the resident said about them (all of it)."""
    out = []
    for appointment in appointments:
        if "reference" in hints and hints["reference"].upper() != appointment.code:
            continue
        if "service" in hints and hints["service"] != appointment.service_id:
            continue
        if "date" in hints and hints["date"] != appointment.date.isoformat():
            continue
        if "time" in hints and hints["time"] != appointment.time.strftime("%H:%M"):
            continue
        out.append(appointment)
    return out
