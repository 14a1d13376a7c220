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

The tasks' steps live in `booking_steps.py`, `identity_steps.py` and
`appointment_steps.py`; what they share (state, clock, replies, the pending question) in
`dialogue_base.py`; this module routes each turn.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from intents import Catalogue
from intents.parser import Parser, ParseResult
from kiosk.centre.client import CentreClient
from kiosk.centre.errors import CentreError, ResidentNotIdentified
from kiosk.dialogue.appointment_steps import AppointmentSteps
from kiosk.dialogue.booking_steps import BookingSteps
from kiosk.dialogue.centre_lookups import CentreLookups
from kiosk.dialogue.dialogue_base import MENU_INTENTS, YES_NO_STEPS
from kiosk.dialogue.family_steps import FamilySteps
from kiosk.dialogue.identity_steps import IDENTITY_STEPS, IdentitySteps
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.reply_writer import MissingReply, ReplyWriter, Said
from kiosk.dialogue.session_state import Ambiguity, BookingDraft, CancelDraft, SessionState
from kiosk.dialogue.spoken_forms import SpokenForms
from kiosk.dialogue.yes_no_answers import Answer, YesNoReader

log = logging.getLogger(__name__)

EMERGENCY_ALERT_RETRIES = 1
"""The resident already has the emergency number; the staff alert gets one quick retry."""

TASK_INTENTS = (
    "appointment.book", "appointment.cancel", "appointment.list", "progress.query",
    "family.consent", "family.revoke", "family.extend",
)  # fmt: skip
"""Requests that replace whatever task was under way."""
SIDE_INTENTS = ("service.lookup", "hotline.lookup", "notice.read")
"""Questions answered in the middle of a task, which then carries on."""

NEEDED_REPLIES: dict[str | None, tuple[str, ...]] = {
    None: (
        "welcome", "reprompt", "menu", "not_understood", "not_understood_twice", "ambiguous", "out_of_scope",
        "identify_failed", "server_unavailable", "ask_identity", "ask_phone", "ask_birth_year", "identified",
        "identify_blocked", "identify_ambiguous", "retry_offer", "yes_or_no", "anything_else",
        "proxy_booked", "proxy_cancelled", "proxy_news_end",
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
    "family.consent": ("label", "ask_identity", "code", "code_again"),
    "family.extend": ("label", "default", "not_extendable", "no_code"),
    "family.revoke": ("label", "ask_identity", "none", "ask_which", "confirm", "revoked", "kept"),
}  # fmt: skip
"""Every reply the dialogue may use; checked when a `Dialogue` is made."""


class Dialogue(BookingSteps, IdentitySteps, AppointmentSteps, FamilySteps):
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
        super().__init__(catalogue, client, parser=parser, forms=forms, now=now, lang=lang)
        missing = self.writer.missing(NEEDED_REPLIES)
        if missing:
            raise MissingReply(
                f"the catalogue {catalogue.source} lacks replies the dialogue needs: {', '.join(missing)}"
            )

    def use_catalogue(self, catalogue: Catalogue, parser: Parser | None = None) -> None:
        """Switch to a newly published catalogue between turns (kiosk/centre/catalogue_sync.py).

        Checked first: a catalogue lacking a reply this dialogue needs raises `MissingReply`
        and the one in use stays. Everything built from the catalogue is rebuilt."""
        writer = ReplyWriter(catalogue, self.forms)
        missing = writer.missing(NEEDED_REPLIES)
        if missing:
            raise MissingReply(
                f"the catalogue {catalogue.source} lacks replies the dialogue needs: {', '.join(missing)}"
            )
        self.catalogue, self.writer = catalogue, writer
        self.parser = parser or Parser(catalogue)
        self.lookups = CentreLookups(catalogue, self.client, writer)
        self.yes_no = YesNoReader(catalogue)
        self._services = {s.id: s for s in catalogue.services}

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
        try:
            return self._respond(parse)
        except CentreError as exc:
            log.error("unexpected answer from the centre's server: %s", exc)
            return self._reply(self._join(self._say(None, "server_unavailable"), self._question()))

    def _respond(self, parse: ParseResult) -> Reply:
        s = self.state
        s.lang = parse.lang
        if s.step in IDENTITY_STEPS:
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
        if name == "revoke.ask_which":
            return self._which_proxy(parse)
        if name == "family.code" and parse.intent == "family.extend":
            return self._extend_code()
        if name == "clarify.which":
            return self._clarified(parse)
        wanted = {"service.ask_service": "service", "hotline.ask_hotline": "hotline",
                  "progress.ask_reference": "reference"}.get(name)  # fmt: skip
        if wanted and wanted in parse.slots and not self._different_task(parse):
            task = s.task
            s.drop_task()
            return self._lookup(task or "", parse.slots, parse)
        return None

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
            answer = self._lookup(TASK_OF[intent], parse.slots, parse, side=True)
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
        if intent == "family.consent":
            return self._start_family_consent()
        if intent == "family.revoke":
            return self._start_revoke()
        if intent == "family.extend":
            return self._extend_code()  # no code under way: says how to get one
        return self._lookup(TASK_OF[intent], slots, parse)

    def _continue_task(self, *before: Said) -> Reply:
        task = self.state.task
        if task == "booking":
            return self._advance_booking(*before)
        if task == "cancel":
            return self._cancel_choices(*before)
        if task == "list":
            return self._list(*before)
        if task == "family":
            family = self.state.family
            if family is not None and family.consent is not None:
                return self._extend_code(*before)  # identified again to extend the code shown
            return self._grant_code(*before)
        if task == "revoke":
            return self._revoke_choices(*before)
        self.state.drop_task()
        return self._reply(self._join(*before, self._say(None, "anything_else")))

    # ================================================================== yes / no, retry

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
        if s.task == "booking":
            return self._booking_yes_no(yes)
        if s.name == "cancel.confirm":
            return self._cancel_yes_no(yes)
        if s.name == "revoke.confirm":
            return self._revoke_yes_no(yes)
        if s.name == "service.offer_booking":
            service = s.lookup.get("service")
            s.drop_task()
            if yes and service:
                return self._start("appointment.book", {"service": service}, parse)
            return self._reply(self._join(self._say("dialog.no", "default"), self._say(None, "anything_else")))
        return None

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
        if step == "family_code":
            return self._grant_code()
        if step == "family_extend":
            s.step = "code"
            return self._extend_code()
        if step == "revoke_choices":
            return self._revoke_choices()
        if step == "revoke":
            s.step = "confirm"
            return self._revoke_chosen()
        task, slots = s.task or "", dict(s.lookup)
        s.drop_task()
        return self._lookup(task, slots, parse)

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


TASK_OF = {
    "service.lookup": "service",
    "hotline.lookup": "hotline",
    "notice.read": "notice",
    "progress.query": "progress",
}
"""The task name of each look-up intent."""


def _has_subject(intent: str, slots: dict[str, str]) -> bool:
    """A side question complete enough to answer without asking back ("急救电话" has its hotline)."""
    needed = {"service.lookup": "service", "hotline.lookup": "hotline", "progress.query": "reference"}.get(intent)
    return needed is None or needed in slots
