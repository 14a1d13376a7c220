"""Cancelling and listing the resident's appointments.

Cancelling: identify → their appointments → which one (by what they said, or the only
one) → confirm → cancelled. Listing reads them out, soonest first.
"""

from __future__ import annotations

import logging

from intents.parser import ParseResult
from kiosk.centre.errors import CentreRefused, CentreUnavailable, ResidentNotIdentified
from kiosk.centre.records import Appointment
from kiosk.dialogue.dialogue_base import DialogueBase
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.reply_writer import Said

log = logging.getLogger(__name__)

SENTENCE_END = {"zh": "。", "en": "."}


class AppointmentSteps(DialogueBase):
    """The cancel and list tasks of `Dialogue`."""

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
        matches = matching(draft.appointments, draft.hints)
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
        matches = matching(draft.appointments, hints)
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

    def _cancel_yes_no(self, yes: bool) -> Reply:
        if yes:
            return self._cancel_chosen()
        self.state.drop_task()
        return self._reply(self._say("appointment.cancel", "kept"))

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
            self.forms.clauses([i.text for i in items], lang) + SENTENCE_END[lang],
            self.forms.clauses([i.speech for i in items], lang) + SENTENCE_END[lang],
        )
        if len(appointments) == 1:
            return self._say("appointment.list", "one", items=joined)
        count = self.forms.count(len(appointments), lang)
        return self._say("appointment.list", "default", count=count, items=joined)


def matching(appointments: list[Appointment], hints: dict[str, str]) -> list[Appointment]:
    """Appointments fitting everything the resident said about them."""
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
