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

What the conversation remembers across tasks (`Memory`: the service last discussed, an
offer not yet answered, a date or time heard, a phone number said in passing) carries into
the next turn: "tell me about the senior card" → "Thursday next week then" books the
senior card. A phone number or a birth year said while the kiosk asks something else is
recognised for what it is and kept. A story about the past ("I had a fall last winter")
is not an emergency (see `turn_reading.py`).

The states are `Task` and `Step` values (`states.py`, with the one table of what each
task needs); each task's steps live in their own module (`booking_steps.py`,
`identity_steps.py`, `appointment_steps.py`, `family_steps.py`, `lookup_steps.py`,
`alerts.py`), all sharing one `Talk` (state, clock, replies, the pending question, and the
one handler of a server that cannot be reached); this module routes each turn."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from intents import Catalogue
from intents.language import detect_language
from intents.parser import Parser, ParseResult
from kiosk.centre.alert_courier import AlertCourier
from kiosk.centre.client import CentreClient
from kiosk.centre.errors import CentreError
from kiosk.centre.notice_store import NoticeStore
from kiosk.dialogue.alerts import Alerts
from kiosk.dialogue.appointment_steps import AppointmentSteps
from kiosk.dialogue.booking_steps import BookingSteps
from kiosk.dialogue.family_steps import FamilySteps
from kiosk.dialogue.identity_steps import IdentitySteps
from kiosk.dialogue.lookup_steps import LookupSteps
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.reply_writer import MissingReply, ReplyWriter, Said
from kiosk.dialogue.session_state import Ambiguity, SessionState
from kiosk.dialogue.spoken_forms import SpokenForms
from kiosk.dialogue.states import ASK_STEP, IDENTITY_STEPS, TASK_OF_INTENT, TASKS, Retry, Step, Task
from kiosk.dialogue.talk import MENU_INTENTS, SOFT_STEPS, YES_NO_STEPS, Talk
from kiosk.dialogue.turn_reading import TurnReader
from kiosk.dialogue.yes_no_answers import Answer

log = logging.getLogger(__name__)

SWITCH_CONFIDENCE = 0.6
"""While a question is pending, a different intent must be at least this sure to change
the subject (or to stop / call staff); below it the kiosk asks its question again."""

ALERT_INTENTS = ("emergency", "staff.handoff")
"""Intents that alert staff: a story about the past is neither."""

EMERGENCY_LINES = ("ambulance", "fire", "police")
"""Hotlines whose mention makes a call for staff sound like an emergency."""

COMMANDS = ("dialog.repeat", "dialog.slower", "dialog.help", "dialog.stop", "staff.handoff")
DETAIL_SLOTS = ("service", "date", "time", "reference", "hotline")

CHECK_DECLINED_AT = 0.4
"""A declined reading whose likeliest request (booking, cancelling, listing) has at least this
chance is checked with the resident ("did you want to cancel?") instead of being answered as a
look-up of the service it names."""

NEEDED_REPLIES: dict[str | None, tuple[str, ...]] = {
    None: (
        "welcome", "reprompt", "menu", "not_understood", "not_understood_twice", "ambiguous", "check_intent",
        "out_of_scope",
        "identify_failed", "server_unavailable", "ask_identity", "ask_phone", "ask_birth_year", "identified",
        "identify_blocked", "identify_ambiguous", "retry_offer", "yes_or_no", "anything_else",
        "proxy_booked", "proxy_cancelled", "proxy_news_end", "noted_identity", "story_heard",
        "you_are_welcome",
    ),
    "service.lookup": ("label", "default", "no_documents", "ask_service", "offer_booking"),
    "appointment.book": (
        "label", "ask_service", "ask_date", "ask_time", "ask_identity", "read_back", "booked", "slot_full",
        "closed", "not_bookable", "cancelled_by_user", "ask_change", "ask_other_time", "slot_past",
        "no_such_slot", "closed_day", "offer_alternative", "no_alternative", "already_booked",
        "not_booked_offline",
    ),
    "appointment.cancel": ("label", "ask_which", "confirm", "cancelled", "none_found", "kept"),
    "appointment.list": ("label", "default", "one", "item", "none"),
    "hotline.lookup": ("label", "default", "ask_hotline"),
    "emergency": ("default", "fire", "police", "no_staff_alert", "staff_alert_queued"),
    "notice.read": ("label", "default", "item_full", "none", "stale", "stale_none"),
    "progress.query": ("label", "default", "ask_reference", "not_found"),
    "staff.handoff": ("label", "default"),
    "dialog.yes": ("label", "default"),
    "dialog.no": ("label", "default"),
    "dialog.repeat": ("label", "default"),
    "dialog.slower": ("label", "default"),
    "dialog.help": ("label", "default"),
    "dialog.stop": ("label", "default"),
    "family.consent": ("label", "ask_identity", "code", "code_again"),
    "family.extend": ("label", "default", "not_extendable", "no_code"),
    "family.revoke": ("label", "ask_identity", "none", "ask_which", "confirm", "revoked", "kept"),
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
        courier: AlertCourier | None = None,
        notices: NoticeStore | None = None,
    ) -> None:
        """`now` gives the centre's local time (aware); tests pin it. `lang` is the language
        of the welcome, and of answers that carry no language of their own ("1948").
        `courier` keeps emergencies the server did not take in a durable outbox and resends
        them (kiosk/app.py gives one); without it an emergency is sent once. `notices` keeps
        the last notices received, read when the server cannot be reached."""
        writer = ReplyWriter(catalogue, forms or SpokenForms.load())
        _check(catalogue, writer)
        talk = Talk(catalogue, client, parser=parser, forms=writer.forms, now=now, lang=lang, notices=notices)
        self.talk = talk
        self.last_parse: ParseResult | None = None
        """The reading the last turn acted on (the turn reporter tells staff about it)."""
        self.reader = TurnReader(talk)
        self.alerts = Alerts(talk, courier)
        self.lookups = LookupSteps(talk)
        self.family = FamilySteps(talk, self._with_resident)
        self.identity = IdentitySteps(talk, self._resume, self.family.proxy_news)
        self.booking = BookingSteps(talk, self._with_resident)
        self.appointments = AppointmentSteps(talk, self._with_resident)

    # ------------------------------------------------------------------ what callers see

    @property
    def state(self) -> SessionState:
        return self.talk.state

    @state.setter
    def state(self, state: SessionState) -> None:
        self.talk.state = state

    @property
    def catalogue(self) -> Catalogue:
        return self.talk.catalogue

    @property
    def parser(self) -> Parser:
        return self.talk.parser

    @property
    def writer(self) -> ReplyWriter:
        return self.talk.writer

    @property
    def forms(self) -> SpokenForms:
        return self.talk.forms

    @property
    def client(self) -> CentreClient:
        return self.talk.client

    @property
    def now(self) -> Callable[[], datetime]:
        return self.talk.now

    @now.setter
    def now(self, now: Callable[[], datetime]) -> None:
        self.talk.now = now

    def use_catalogue(self, catalogue: Catalogue, parser: Parser | None = None) -> None:
        """Switch to a newly published catalogue between turns (kiosk/centre/catalogue_sync.py).

        Checked first: a catalogue lacking a reply this dialogue needs raises `MissingReply`
        and the one in use stays. Everything built from the catalogue is rebuilt."""
        writer = ReplyWriter(catalogue, self.forms)
        _check(catalogue, writer)
        self.talk.use(catalogue, parser, writer)

    # ================================================================== entry points

    def welcome(self) -> Reply:
        return self.talk.reply(self.talk.say(None, "welcome"))

    def reprompt(self) -> Reply:
        """After a long silence: "are you still there?" and the pending question again."""
        return self.talk.reply(self.talk.join(self.talk.say(None, "reprompt"), self.talk.question()))

    def handle(self, text: str) -> Reply:
        """One utterance in, one reply out."""
        if self.state.done:
            self._start_over()
        return self._safely(self.read(text, self._language_of(text)))

    def read(self, text: str, lang: str) -> ParseResult:
        """The parser's reading of an utterance in this conversation: while a yes-or-no question
        waits, a yes or a no is the answer it sounds like."""
        return self.parser.parse(text, lang=lang, now=self.now(), answering=self.talk.asks_yes_or_no())

    def choose(self, option_id: str) -> Reply:
        """A button from `Reply.options` was touched: the same as saying it."""
        if self.state.done:
            self._start_over()
        kind, _, value = option_id.partition(":")
        slot_names = {"service": "service", "hotline": "hotline", "appointment": "reference", "proxy": "proxy"}
        if kind in slot_names and value:
            parse = ParseResult(option_id, self.state.lang, None, 1.0, {slot_names[kind]: value})
        else:
            parse = ParseResult(option_id, self.state.lang, option_id, 1.0)
        return self._safely(parse)

    def respond_to(self, parse: ParseResult) -> Reply:
        """The same as `handle`, for a caller that parsed the utterance itself (a recogniser's
        best guess re-parsed with its own language, a test of one parse shape)."""
        if self.state.done:
            self._start_over()
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
        self.last_parse = parse
        try:
            reply = self._respond(parse)
        except CentreError as exc:
            log.error("unexpected answer from the centre's server: %s", exc)
            reply = self.talk.reply(self.talk.join(self.talk.say(None, "server_unavailable"), self.talk.question()))
        memory = self.state.memory
        # A day said with a question the kiosk answered with an offer ("is the health check open
        # on Friday?" → "shall I find you a time?") was taken by no task either: "yes" books it.
        untaken = self.state.task is None or self.talk.at == (Task.SERVICE, Step.OFFER_BOOKING)
        memory.heard = {k: v for k, v in parse.slots.items() if k in ("date", "time")} if untaken else {}
        if self.state.task is not Task.SERVICE:
            memory.offer = None
        return reply

    def _respond(self, parse: ParseResult) -> Reply:
        s = self.state
        s.lang = parse.lang
        s.memory.turn_passed()
        if "service" in parse.slots:
            s.memory.note_service(parse.slots["service"])
        if s.step in IDENTITY_STEPS:
            reply = self.identity.answer(parse)
            if reply is not None:
                return self._understood(reply)
        story = False
        if _emergency(parse):
            if not self.reader.about_the_past(parse):
                return self._understood(self.alerts.emergency(parse))
            story, parse = True, _without_alerts(parse)
        elif _emergency_handoff(parse) and self.reader.about_the_past(parse):
            # "my neighbour had a stroke last year and the ambulance took ages": a story, not a
            # call for staff, though the emergency words pulled the reading towards one.
            story, parse = True, _without_alerts(parse)
        noted = self.identity.heard_in_passing(parse)
        reply = self._pending_answer(parse)
        if reply is not None:
            return self._understood(reply)
        reply = self._command(parse)
        if reply is not None:
            return self._understood(reply) if parse.intent != "dialog.repeat" else reply
        if noted and not any(k in parse.slots for k in DETAIL_SLOTS) and not self._sure(parse):
            follow = self.talk.question() if s.task is not None else self.talk.say(None, "anything_else")
            return self._understood(self.talk.reply(self.talk.join(self.talk.say(None, "noted_identity"), follow)))
        return self._request(parse, story=story)

    def _understood(self, reply: Reply) -> Reply:
        self.state.failures = 0
        return reply

    def _sure(self, parse: ParseResult) -> bool:
        return parse.intent is not None and not parse.ambiguous and parse.confidence >= SWITCH_CONFIDENCE

    def _unsure(self, parse: ParseResult) -> bool:
        """Between acting and not understanding: check first. A look-up whose subject was heard
        is answered at once, since its answer names the subject ("心理援助热线的电话是…") and so
        checks the reading as well as a question would, without the extra turn."""
        task = TASK_OF_INTENT.get(parse.intent or "")
        if task is None or parse.confidence >= self.catalogue.settings.confirm_below:
            return False
        return not (TASKS[task].side and _has_subject(task, parse.slots))

    def _different_task(self, parse: ParseResult) -> bool:
        """Clearly asking for something else than the current task."""
        task = self.state.task
        own = TASKS[task].intents if task in TASKS else ()
        return self._sure(parse) and parse.intent not in own and not parse.intent.startswith("dialog.")  # type: ignore[union-attr]

    def _pending_answer(self, parse: ParseResult) -> Reply | None:
        s = self.state
        at = self.talk.at
        if s.step is Step.RETRY:
            return self._retry_answer(parse)
        if s.task is Task.BOOKING:
            reply = self._booking_details(parse)
            if reply is not None or at not in YES_NO_STEPS:
                return reply
        if at in YES_NO_STEPS:
            return self._yes_no_answer(parse, filler_is_yes=YES_NO_STEPS[at])
        if at == (Task.CANCEL, Step.ASK_WHICH):
            slots = {**parse.slots, **self.reader.week_named(parse)}
            if self._different_task(parse) and not self.appointments.answers_which(parse, slots):
                return None
            return self.appointments.which(parse, slots)
        if at == (Task.REVOKE, Step.ASK_WHICH):
            return None if self._different_task(parse) else self.family.which_proxy(parse)
        if at == (Task.FAMILY, Step.CODE) and parse.intent == "family.extend":
            return self.family.extend_code()
        if s.task is Task.CLARIFY:
            return self._clarified(parse)
        wanted = next((slot for slot, step in ASK_STEP.items() if step is s.step), None)
        if s.task is not None and wanted in parse.slots and not self._different_task(parse):
            task = s.task
            s.drop_task()
            return self.lookups.lookup(task, parse.slots)
        return None

    def _booking_details(self, parse: ParseResult) -> Reply | None:
        draft = self.state.booking
        assert draft is not None
        if self._different_task(parse):
            return None
        if parse.intent not in (None, "appointment.book", "service.lookup", "dialog.no", "dialog.yes") and self._sure(
            parse
        ):
            return None
        slots = self.reader.details(parse, draft.slots(), week_of=draft.day)
        return self.booking.details(slots)

    def _command(self, parse: ParseResult) -> Reply | None:
        """repeat / slower / help / stop / staff: the same in every state."""
        intent = parse.intent
        if intent not in COMMANDS:
            return None
        if parse.ambiguous and intent in ("dialog.stop", "staff.handoff"):
            return None
        if intent in ("dialog.stop", "staff.handoff") and self.talk.pending() and not self._sure(parse):
            return None
        talk = self.talk
        if intent == "dialog.repeat":
            return self._repeat("dialog.repeat")
        if intent == "dialog.slower":
            self.state.slow = True
            return self._repeat("dialog.slower")
        if intent == "dialog.help":
            return talk.reply(talk.join(talk.say("dialog.help", "default"), talk.question()))
        if intent == "dialog.stop":
            return self._stop()
        return self.alerts.handoff(parse)

    def _request(self, parse: ParseResult, *, story: bool = False) -> Reply:
        """Not an answer, not a command: a new request, a side question, or not understood."""
        s = self.state
        talk = self.talk
        parse = self._settled(parse)
        intent = parse.intent
        pending = talk.pending()
        booking = None if pending else self._booking_by_slots(parse)
        if booking is not None:
            return self._understood(self.booking.start(booking))
        if intent is not None and parse.ambiguous and parse.alternatives and not pending:
            return self._understood(self._ask_which_intent(parse))
        if intent is not None and not pending and self._unsure(parse):
            return self._understood(self._check_intent(parse))
        if intent is not None and pending and not self._sure(parse):
            return self._not_understood(parse)
        if intent in ("dialog.yes", "dialog.no"):
            said = talk.say(intent, "default")
            follow = talk.question() if pending else talk.say(None, "anything_else")
            return self._understood(talk.reply(talk.join(said, follow)))
        task = TASK_OF_INTENT.get(intent or "")
        if task is not None and TASKS[task].side and pending and _has_subject(task, parse.slots):
            return self._understood(self.lookups.lookup(task, parse.slots, side=True))
        if task is not None:
            if s.task is Task.BOOKING and task is Task.CANCEL and not parse.slots:
                s.drop_task()  # "不约了" while booking: the booking is what they cancel
                return self._understood(talk.reply(talk.say("appointment.book", "cancelled_by_user")))
            return self._understood(self._start(task, intent or "", parse))
        if intent is None and not parse.out_of_scope and not pending:
            if (likeliest := request_to_check(parse)) is not None:
                # "…I don't need the housekeeping lady next week, can you take that off?" read as
                # a cancel, but not surely enough to act: ask, rather than describe housekeeping
                return self._understood(self._check_intent(likeliest))
            for slot, task in (("service", Task.SERVICE), ("hotline", Task.HOTLINE), ("reference", Task.PROGRESS)):
                if slot in parse.slots:  # "体检" alone: tell them about it
                    s.drop_task()
                    return self._understood(self.lookups.lookup(task, parse.slots))
        if story:  # "我去年摔了一跤…": heard, not an emergency, not a failure
            return talk.reply(talk.join(talk.say(None, "story_heard"), talk.question()))
        if intent is None and self.reader.only_thanks(parse.text, parse.lang):
            follow = talk.question() if pending else talk.say(None, "anything_else")
            return self._understood(talk.reply(talk.join(talk.say(None, "you_are_welcome"), follow)))
        return self._not_understood(parse)

    def _settled(self, parse: ParseResult) -> ParseResult:
        """An ambiguous parse whose best intent is plainly the one: a look-up with its subject
        said ("a number she can ring", hotline found), or a request against a yes/no when no
        yes/no question is waiting ("Tuesday next week then" after an offer)."""
        if not parse.ambiguous or parse.intent is None:
            return parse
        task = TASK_OF_INTENT.get(parse.intent)
        if task is not None and TASKS[task].side and TASKS[task].needs and _has_subject(task, parse.slots):
            return replace(parse, ambiguous=False)
        if self.talk.at in YES_NO_STEPS and self.talk.pending():
            return parse
        yes_no = ("dialog.yes", "dialog.no")
        if parse.intent in yes_no and parse.alternatives and parse.alternatives[0].intent not in yes_no:
            other = parse.alternatives[0]
            return replace(parse, intent=other.intent, confidence=other.confidence, ambiguous=False,
                           alternatives=parse.alternatives[1:])  # fmt: skip
        if parse.intent not in yes_no and parse.alternatives and parse.alternatives[0].intent in yes_no:
            return replace(parse, ambiguous=False, alternatives=parse.alternatives[1:])
        return parse

    def _booking_by_slots(self, parse: ParseResult) -> dict[str, str] | None:
        """A day or time with a service (said, or just talked about) and no other request:
        "My grandson needs a residence certificate… Thursday next week, three?" is a booking,
        and so is "my senior card, Friday next week" (unsure between booking and asking)."""
        candidates = {parse.intent, *(a.intent for a in parse.alternatives[:1] if parse.ambiguous)}
        if not candidates <= {None, "dialog.yes", "dialog.no", "appointment.book", "service.lookup"}:
            return None
        if parse.intent == "service.lookup" and "appointment.book" not in candidates:
            return None
        if "date" not in parse.slots and "time" not in parse.slots:
            return None
        memory = self.state.memory
        details = self.reader.details(parse, {})
        service = details.get("service") or memory.offer or memory.service
        if service is None or not self.talk.bookable(service):
            return None
        return {**details, "service": service}

    def _start(self, task: Task, intent: str, parse: ParseResult) -> Reply:
        if task is Task.BOOKING:
            return self.booking.start(self.reader.details(parse, {}))
        if task is Task.CANCEL:
            return self.appointments.start_cancel({**parse.slots, **self.reader.week_named(parse)})
        if task is Task.LIST:
            return self.appointments.start_list()
        if intent == "family.extend":
            return self.family.extend_code()  # no code under way: says how to get one
        if task is Task.FAMILY:
            return self.family.start_family_consent()
        if task is Task.REVOKE:
            return self.family.start_revoke()
        self.state.drop_task()
        return self.lookups.lookup(task, parse.slots)

    def _with_resident(self, then: Callable[[], Reply]) -> Reply:
        return self.identity.with_resident(then)

    def _resume(self, *before: Said) -> Reply:
        """After identification: back to the task that needed it."""
        task = self.state.task
        if task is Task.BOOKING:
            return self.booking.advance(*before)
        if task is Task.CANCEL:
            return self.appointments.choices(*before)
        if task is Task.LIST:
            return self.appointments.list(*before)
        if task is Task.FAMILY:
            family = self.state.family
            if family is not None and family.consent is not None:
                return self.family.extend_code(*before)  # identified again to extend the code shown
            return self.family.grant_code(*before)
        if task is Task.REVOKE:
            return self.family.revoke_choices(*before)
        self.state.drop_task()
        return self.talk.reply(self.talk.join(*before, self.talk.say(None, "anything_else")))

    # ================================================================== yes / no, retry

    def _yes_no_answer(self, parse: ParseResult, *, filler_is_yes: bool) -> Reply | None:
        s = self.state
        answer = self.talk.yes_no.read(parse)
        if answer is Answer.OTHER and s.task in TASKS and parse.intent in TASKS[s.task].intents:
            answer = Answer.YES  # "对，取消" when asked "cancel it?"; "帮我约吧" at the read-back
        if answer is Answer.OTHER and s.task is Task.CLARIFY and self._goes_ahead(parse):
            answer = Answer.YES
        if answer is Answer.FILLER:
            if not filler_is_yes:
                return self.talk.reply(self.talk.join(self.talk.say(None, "yes_or_no"), self.talk.question()))
            answer = Answer.YES
        if answer is Answer.OTHER:
            return None
        yes = answer is Answer.YES
        if s.task is Task.BOOKING:
            return self.booking.yes_no(yes)
        if s.task is Task.CANCEL:
            return self.appointments.yes_no(yes)
        if s.task is Task.REVOKE:
            return self.family.revoke_yes_no(yes)
        if s.task is Task.CLARIFY:  # "did you mean A?"
            assert s.ambiguity is not None
            if yes:
                return self._take(s.ambiguity.intents[0], s.ambiguity.slots, parse)
            s.drop_task()
            return self._no_thanks()
        service = s.lookup.get("service")  # service.offer_booking
        s.drop_task()
        if yes and service:
            return self.booking.start({"service": service})
        s.memory.forget_service()
        return self._no_thanks()

    def _goes_ahead(self, parse: ParseResult) -> bool:
        """Asked "did you mean A?", the resident says A again, or answers A's next question
        (a phone number when A needs to know who they are): that is a yes."""
        ambiguity = self.state.ambiguity
        assert ambiguity is not None
        intent = ambiguity.intents[0]
        if parse.intent == intent:
            return True
        spec = TASKS[TASK_OF_INTENT[intent]]
        return spec.identified and self.state.resident is None and self.identity.read(parse) != (None, None)

    def _retry_answer(self, parse: ParseResult) -> Reply | None:
        s = self.state
        answer = self.talk.yes_no.read(parse)
        if parse.intent == "dialog.repeat" or (
            parse.intent is None and any(a.intent in ("dialog.repeat", "dialog.yes") for a in parse.alternatives[:1])
        ):
            answer = Answer.YES  # "再试一次" / "try again"
        if answer is Answer.OTHER:
            return None
        if answer is Answer.NO:
            s.drop_task()
            return self._no_thanks()
        step, s.retry_step = s.retry_step, None
        s.step = Step.IDLE
        again: dict[Retry | None, Callable[[], Reply]] = {
            Retry.BOOK: lambda: self._at(Step.CONFIRM, self.booking.book),
            Retry.IDENTIFY: lambda: self._at(Step.ASK_IDENTITY, self.identity.identify),
            Retry.CANCEL_CHOICES: self.appointments.choices,
            Retry.CANCEL: lambda: self._at(Step.CONFIRM, self.appointments.cancel_chosen),
            Retry.LIST: self.appointments.list,
            Retry.FAMILY_CODE: self.family.grant_code,
            Retry.FAMILY_EXTEND: lambda: self._at(Step.CODE, self.family.extend_code),
            Retry.REVOKE_CHOICES: self.family.revoke_choices,
            Retry.REVOKE: lambda: self._at(Step.CONFIRM, self.family.revoke_chosen),
        }
        if step in again:
            return again[step]()
        task, slots = s.task, dict(s.lookup)
        s.drop_task()
        return self.lookups.lookup(task or Task.NOTICE, slots)

    def _no_thanks(self) -> Reply:
        talk = self.talk
        return talk.reply(talk.join(talk.say("dialog.no", "default"), talk.say(None, "anything_else")))

    def _at(self, step: Step, then: Callable[[], Reply]) -> Reply:
        self.state.step = step
        return then()

    # ================================================================== small replies

    def _repeat(self, intent: str) -> Reply:
        s = self.state
        last = s.last_reply
        said = self.talk.say(intent, "default")
        if last is None:
            return self.talk.reply(self.talk.join(said, self.talk.say(None, "welcome")))
        both = self.talk.join(said, Said(last.text, last.speech))
        # not remembered: "repeat" twice repeats the same reply, not the repeat
        return Reply(text=both.text, speech=both.speech, lang=s.lang, state=s.name, slow=s.slow, options=last.options)

    def _stop(self) -> Reply:
        s = self.state
        said = self.talk.say("dialog.stop", "default")
        s.drop_task()
        self.close()
        s.done = True
        return self.talk.reply(said, options=(), done=True)

    def _start_over(self) -> None:
        self.state = SessionState(lang=self.state.lang)

    def _language_of(self, text: str) -> str:
        """The utterance's language; digits alone ("1948", "A1023") keep the session's."""
        if not any(c.isalpha() for c in text if not c.isascii()) and sum(c.isalpha() for c in text) < 2:
            return self.state.lang
        return detect_language(text)

    # ================================================================== clarifying, failing

    def _ask_which_intent(self, parse: ParseResult) -> Reply:
        first, second = parse.intent or "", parse.alternatives[0].intent
        writer = self.talk.writer
        if not (writer.has(first, "label", "zh") and writer.has(second, "label", "zh")):
            return self._not_understood(parse)
        s = self.state
        s.start(Task.CLARIFY, Step.WHICH)
        s.ambiguity = Ambiguity((first, second), dict(parse.slots))
        return self.talk.reply(self.talk.question())

    def _check_intent(self, parse: ParseResult) -> Reply:
        """Unsure of one reading: ask "did you mean A?" before acting on it."""
        intent = parse.intent or ""
        if not self.talk.writer.has(intent, "label", self.state.lang):  # nothing to ask it by: act
            return self._start(TASK_OF_INTENT[intent], intent, parse)
        s = self.state
        s.start(Task.CLARIFY, Step.CHECK)
        s.ambiguity = Ambiguity((intent,), dict(parse.slots))
        return self.talk.reply(self.talk.question())

    def _clarified(self, parse: ParseResult) -> Reply | None:
        s = self.state
        ambiguity = s.ambiguity
        assert ambiguity is not None
        chosen = parse.intent if parse.intent in ambiguity.intents else None
        if chosen is None:
            chosen = next((a.intent for a in parse.alternatives[:1] if a.intent in ambiguity.intents), None)
        if chosen is None:
            return None
        return self._take(chosen, ambiguity.slots, parse)

    def _take(self, chosen: str, slots: dict[str, str], parse: ParseResult) -> Reply:
        """The resident settled what they meant: act on it with what both utterances said."""
        self.state.drop_task()
        merged = ParseResult(parse.text, parse.lang, chosen, 1.0, {**slots, **parse.slots})
        task = TASK_OF_INTENT.get(chosen)
        if task is not None:
            return self._start(task, chosen, merged)
        return self._command(merged) or self._request(merged)

    def _not_understood(self, parse: ParseResult) -> Reply:
        """Once: say so and ask again. Twice: the touch choices for the question, and staff."""
        s = self.state
        talk = self.talk
        s.failures += 1
        if s.failures >= 2:
            said = talk.say(None, "not_understood_twice")
            options = talk.options() if s.task is not None else talk.options_for(MENU_INTENTS)
            return talk.reply(talk.join(said, talk.question()), options=options)
        said = talk.say(None, "out_of_scope" if parse.out_of_scope else "not_understood")
        return talk.reply(talk.join(said, talk.question()))


def _check(catalogue: Catalogue, writer: ReplyWriter) -> None:
    missing = writer.missing(NEEDED_REPLIES)
    if missing:
        raise MissingReply(f"the catalogue {catalogue.source} lacks replies the dialogue needs: {', '.join(missing)}")


def _emergency(parse: ParseResult) -> bool:
    return parse.intent == "emergency" or (
        parse.ambiguous and any(a.intent == "emergency" for a in parse.alternatives[:1])
    )


def _emergency_handoff(parse: ParseResult) -> bool:
    """A call for staff that mentions an emergency (an emergency line, or emergency next best)."""
    return parse.intent == "staff.handoff" and (
        parse.slots.get("hotline") in EMERGENCY_LINES or any(a.intent == "emergency" for a in parse.alternatives[:1])
    )


def _without_alerts(parse: ParseResult) -> ParseResult:
    """The parse as if neither "emergency" nor "staff.handoff" had been a candidate (a story
    about the past raises no alert of either kind)."""
    others = [a for a in parse.alternatives if a.intent not in ALERT_INTENTS]
    if parse.intent not in ALERT_INTENTS:
        return replace(parse, alternatives=tuple(others), ambiguous=False)
    if others:
        best = others[0]
        return replace(parse, intent=best.intent, confidence=best.confidence, alternatives=tuple(others[1:]),
                       ambiguous=False)  # fmt: skip
    return replace(parse, intent=None, alternatives=(), ambiguous=False)


def _has_subject(task: Task, slots: dict[str, str]) -> bool:
    """A side question complete enough to answer without asking back ("急救电话" has its hotline)."""
    return all(slot in slots for slot in TASKS[task].needs)


def request_to_check(parse: ParseResult) -> ParseResult | None:
    """The likeliest request of a declined reading, as a reading to check, when it is one that
    changes something for the resident and is nearly likely enough to act on."""
    if not parse.alternatives:
        return None
    likeliest = parse.alternatives[0]
    task = TASK_OF_INTENT.get(likeliest.intent)
    if task not in (Task.BOOKING, Task.CANCEL, Task.LIST) or likeliest.confidence < CHECK_DECLINED_AT:
        return None
    return replace(parse, intent=likeliest.intent, confidence=likeliest.confidence, alternatives=parse.alternatives[1:])


__all__ = ["CHECK_DECLINED_AT", "NEEDED_REPLIES", "SOFT_STEPS", "Dialogue", "request_to_check"]
