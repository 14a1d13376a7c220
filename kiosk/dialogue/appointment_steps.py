"""Cancelling and listing the resident's appointments.

Cancelling: identify → their appointments → which one (by what they said, or the only
one) → confirm → cancelled. What they said may be loose ("the legal one next week"): a
service, a day, or just "next week" (any day of it) picks the appointment when exactly one
fits. Listing reads them out, soonest first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date

from intents.parser import ParseResult
from kiosk.centre.errors import CentreError, CentreRefused, ResidentNotIdentified
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.reply_writer import Said
from kiosk.dialogue.session_state import CancelDraft
from kiosk.dialogue.states import APPOINTMENT_HINTS, Retry, Step, Task
from kiosk.dialogue.talk import Talk
from kiosk.dialogue.turn_reading import DETAILS
from protocol.bodies import AppointmentOut

log = logging.getLogger(__name__)

SENTENCE_END = {"zh": "。", "en": "."}
CANCEL = "appointment.cancel"


class AppointmentSteps:
    """The cancel and list tasks."""

    def __init__(self, talk: Talk, with_resident: Callable[[Callable[[], Reply]], Reply]) -> None:
        self.talk = talk
        self.with_resident = with_resident
        talk.questions[Task.CANCEL] = self.question

    def start_cancel(self, slots: dict[str, str]) -> Reply:
        s = self.talk.state
        s.start(Task.CANCEL)
        s.cancel = CancelDraft(hints={k: v for k, v in slots.items() if k in APPOINTMENT_HINTS})
        return self.with_resident(self.choices)

    def start_list(self) -> Reply:
        self.talk.state.start(Task.LIST)
        return self.with_resident(self.list)

    def question(self) -> Said:
        s = self.talk.state
        if s.step is Step.CONFIRM:
            assert s.cancel is not None and s.cancel.chosen is not None
            return self.talk.say(CANCEL, "confirm", **self.talk.appointment_values(s.cancel.chosen))
        return self.talk.say(CANCEL, "ask_which")

    def choices(self, *before: Said) -> Reply:
        talk = self.talk
        s = talk.state
        draft = s.cancel
        assert draft is not None and s.resident is not None
        try:
            draft.appointments = talk.client.appointments(s.resident)
        except CentreError as exc:
            return talk.centre_failed(exc, Retry.CANCEL_CHOICES)
        if not draft.appointments:
            s.drop_task()
            return talk.reply(talk.join(*before, talk.say(CANCEL, "none_found")))
        matches = matching(draft.appointments, draft.hints)
        if len(matches) == 1 and (draft.hints or len(draft.appointments) == 1):
            draft.chosen = matches[0]
            s.step = Step.CONFIRM
            return talk.reply(talk.join(*before, talk.question()))
        pieces = list(before)
        if draft.hints and not matches:
            pieces.append(talk.say(CANCEL, "none_found"))
        pieces.append(self.listed(draft.appointments))
        s.step = Step.ASK_WHICH
        return talk.reply(talk.join(*pieces, talk.question()))

    def answers_which(self, parse: ParseResult, slots: dict[str, str]) -> bool:
        """At "which one?": a turn giving only details of a listed appointment (its day, time or
        service: "后天的", "the Friday one") is the answer, whatever intent the parser guessed
        for so short a turn — unless it is a request with a subject of its own: a hotline or a
        code named, or an intent about something other than a service and a day."""
        draft = self.talk.state.cancel
        if draft is None or "hotline" in parse.slots:
            return False
        if parse.intent is not None:
            intent = self.talk.catalogue.intent(parse.intent)
            if not set(intent.required_slots) <= set(DETAILS):
                return False
        hints = {k: v for k, v in slots.items() if k in APPOINTMENT_HINTS and k != "reference"}
        return bool(hints) and bool(matching(draft.appointments, hints))

    def which(self, parse: ParseResult, slots: dict[str, str]) -> Reply | None:
        talk = self.talk
        s = talk.state
        draft = s.cancel
        assert draft is not None
        hints = {k: v for k, v in slots.items() if k in APPOINTMENT_HINTS}
        if not hints:
            return None
        matches = matching(draft.appointments, hints)
        if len(matches) == 1:
            draft.chosen = matches[0]
            s.step = Step.CONFIRM
            return talk.reply(talk.question())
        said = talk.say(CANCEL, "none_found") if not matches else Said("", "")
        return talk.reply(talk.join(said, self.listed(draft.appointments), talk.question()))

    def cancel_chosen(self) -> Reply:
        talk = self.talk
        s = talk.state
        draft = s.cancel
        assert draft is not None and draft.chosen is not None and s.resident is not None
        chosen = draft.chosen
        try:
            talk.client.cancel(s.resident, chosen.code)
        except CentreRefused as refusal:
            if isinstance(refusal, ResidentNotIdentified):
                return talk.centre_failed(refusal, Retry.CANCEL)
            if refusal.status != 404:
                log.warning("cancellation refused: %s", refusal)
            s.drop_task()
            return talk.reply(talk.say(CANCEL, "none_found"))
        except CentreError as exc:
            return talk.centre_failed(exc, Retry.CANCEL)
        s.drop_task()
        return talk.reply(talk.say(CANCEL, "cancelled", **talk.appointment_values(chosen)))

    def yes_no(self, yes: bool) -> Reply:
        if yes:
            return self.cancel_chosen()
        self.talk.state.drop_task()
        return self.talk.reply(self.talk.say(CANCEL, "kept"))

    def list(self, *before: Said) -> Reply:
        talk = self.talk
        s = talk.state
        assert s.resident is not None
        try:
            appointments = talk.client.appointments(s.resident)
        except CentreError as exc:
            return talk.centre_failed(exc, Retry.LIST)
        s.drop_task()
        if not appointments:
            return talk.reply(talk.join(*before, talk.say("appointment.list", "none")))
        return talk.reply(talk.join(*before, self.listed(appointments)))

    def listed(self, appointments: Sequence[AppointmentOut]) -> Said:
        """"您有两个预约：11月27日星期五上午九点，体检；…"."""
        talk = self.talk
        lang = talk.state.lang
        items = [talk.say("appointment.list", "item", **talk.appointment_values(a)) for a in appointments]
        joined = Said(
            talk.forms.clauses([i.text for i in items], lang) + SENTENCE_END[lang],
            talk.forms.clauses([i.speech for i in items], lang) + SENTENCE_END[lang],
        )
        if len(appointments) == 1:
            return talk.say("appointment.list", "one", items=joined)
        count = talk.forms.count(len(appointments), lang)
        return talk.say("appointment.list", "default", count=count, items=joined)


def matching(appointments: list[AppointmentOut], hints: dict[str, str]) -> list[AppointmentOut]:
    """Appointments fitting everything the resident said about them. A "week" hint (the
    Monday of the week meant, from "next week") fits any day of that week."""
    out = []
    for appointment in appointments:
        if "reference" in hints and hints["reference"].upper() != appointment.code:
            continue
        if "service" in hints and hints["service"] != appointment.service_id:
            continue
        if "date" in hints and hints["date"] != appointment.date.isoformat():
            continue
        if "week" in hints and not _same_week(date.fromisoformat(hints["week"]), appointment.date):
            continue
        if "time" in hints and hints["time"] != appointment.time.strftime("%H:%M"):
            continue
        out.append(appointment)
    return out


def _same_week(a: date, b: date) -> bool:
    return a.isocalendar()[:2] == b.isocalendar()[:2]
