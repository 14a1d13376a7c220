"""Emergencies and calls for staff: the two replies that raise an alert at the staff desk.

An emergency gives the number to call (120, or 119/110) at once and alerts staff. If the
alert cannot be raised, the reply says so, reads out the number to call themselves and
tells the resident to call out for help — it never claims staff are coming when they were
not told. With a courier (every real kiosk) the alert is kept in the durable outbox and
resent until the server has it, and the reply says the kiosk keeps trying.
"""

from __future__ import annotations

import logging

from intents.parser import ParseResult
from kiosk.centre.alert_courier import AlertCourier
from kiosk.centre.errors import CentreError, ResidentNotIdentified
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.talk import Talk

log = logging.getLogger(__name__)

EMERGENCY_ALERT_RETRIES = 1
"""The resident already has the emergency number; the staff alert gets one quick retry."""


class Alerts:
    def __init__(self, talk: Talk, courier: AlertCourier | None = None) -> None:
        self.talk = talk
        self.courier = courier

    def emergency(self, parse: ParseResult) -> Reply:
        talk = self.talk
        s = talk.state
        hotline = parse.slots.get("hotline")
        kind = hotline if hotline in ("fire", "police") else "default"
        if self.courier is not None:
            sent = self.courier.raise_now("emergency", parse.text[:500], s.lang, s.resident)
        else:
            sent = self.alert("emergency", parse, retries=EMERGENCY_ALERT_RETRIES)
        if sent:
            said = talk.say("emergency", kind)
        else:
            number = talk.lookups.emergency_number({"fire": "fire", "police": "police"}.get(kind, "ambulance"))
            reply = "staff_alert_queued" if self.courier is not None else "no_staff_alert"
            said = talk.say("emergency", reply, number=talk.lookups.number(number, s.lang))
        s.drop_task()
        return talk.reply(said, options=talk.options_for(("dialog.repeat", "staff.handoff")))

    def handoff(self, parse: ParseResult) -> Reply:
        talk = self.talk
        talk.state.drop_task()
        if self.alert("handoff", parse):
            return talk.reply(talk.say("staff.handoff", "default"))
        return talk.reply(talk.say(None, "server_unavailable"))

    def alert(self, kind: str, parse: ParseResult, retries: int | None = None) -> bool:
        s = self.talk.state
        try:
            self.talk.client.raise_alert(kind, note=parse.text, lang=s.lang, session=s.resident, retries=retries)
        except ResidentNotIdentified:
            s.resident = None
            return self.alert(kind, parse, retries)
        except CentreError as exc:
            log.error("could not raise a %s alert: %s", kind, exc)
            return False
        return True
