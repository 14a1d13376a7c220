"""Identification steps: phone number, then birth year, then the server decides.

Both facts may come in one answer ("幺三八…，四八年的"); either may come alone, and the
kiosk asks for the other. A wrong pair is refused the same whichever fact was wrong, and
the task waits (nothing is booked, nothing collected is lost) until the resident tries
again; too many failures at this kiosk send them to staff.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from intents.digit_strings import find_birth_year, find_phone_number
from intents.parser import ParseResult
from kiosk.centre.errors import CentreRefused, CentreUnavailable
from kiosk.dialogue.dialogue_base import DialogueBase
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.reply_writer import Said
from kiosk.dialogue.session_state import IdentityDraft

log = logging.getLogger(__name__)

IDENTITY_STEPS = ("ask_identity", "ask_phone", "ask_birth_year")


class IdentitySteps(DialogueBase):
    """Identifying the resident for `Dialogue`'s booking, cancelling and listing."""

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
        return self._continue_task(greeting, self._proxy_news())

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
        """After identification: back to the task that needed it."""
        raise NotImplementedError
