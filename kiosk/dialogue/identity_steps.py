"""Identification steps: phone number, then birth year, then the server decides.

Both facts may come in one answer ("幺三八…，四八年的"); either may come alone, and the
kiosk asks for the other. Said before the kiosk asked (while booking, or in the first
sentence), they are kept in the conversation's memory and used when needed. A wrong pair
is refused the same whichever fact was wrong, and the task waits (nothing is booked,
nothing collected is lost) until the resident tries again; too many failures at this
kiosk send them to staff.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from intents.digit_strings import find_identity
from intents.parser import ParseResult
from kiosk.centre.errors import CentreRefused, CentreUnavailable
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.reply_writer import Said
from kiosk.dialogue.session_state import IdentityDraft
from kiosk.dialogue.states import Retry, Step
from kiosk.dialogue.talk import Talk
from protocol.error_codes import ErrorCode

log = logging.getLogger(__name__)

Resume = Callable[..., Reply]
"""Carries on with the task that needed the resident, after the given greeting pieces."""


class IdentitySteps:
    """Identifying the resident for booking, cancelling, listing and family permissions."""

    def __init__(self, talk: Talk, resume: Resume, news: Callable[[], Said]) -> None:
        self.talk = talk
        self.resume = resume
        self.news = news
        """What relatives did since the elder last heard (said after identification)."""

    def with_resident(self, then: Callable[[], Reply]) -> Reply:
        """Run `then` for the identified resident, identifying them first if needed."""
        s = self.talk.state
        if s.resident is not None:
            return then()
        known = s.memory.identity
        if known.phone and known.birth_year:  # said before anyone asked
            s.identity = IdentityDraft(known.phone, known.birth_year)
            s.step = Step.ASK_IDENTITY
            return self.identify()
        if known.phone or known.birth_year:  # one said before: ask only for the other
            s.identity = IdentityDraft(known.phone, known.birth_year)
            s.step = Step.ASK_BIRTH_YEAR if known.phone else Step.ASK_PHONE
            return self.talk.reply(self.talk.question())
        return self.talk.ask_identity()

    def heard_in_passing(self, parse: ParseResult) -> bool:
        """A phone number or a birth year said while the kiosk asked something else: kept
        for when identification comes. True if one was found (and the resident is not
        identified yet)."""
        s = self.talk.state
        if s.resident is not None or parse.text in parse.slots.values():
            return False  # a day or time touched on a picker ("2026-12-03") holds no phone number
        phone, year = self.read(parse)
        if phone is None and year is None:
            return False
        known = s.memory.identity
        known.phone = phone or known.phone
        known.birth_year = year or known.birth_year
        return True

    def read(self, parse: ParseResult) -> tuple[str | None, int | None]:
        return find_identity(parse.text, parse.lang, self.talk.today())

    def answer(self, parse: ParseResult) -> Reply | None:
        """The answer to "your phone number and birth year?" (None: not such an answer)."""
        s = self.talk.state
        draft = s.identity
        if draft is None:
            return None
        phone, year = self.read(parse)
        if phone is None and year is None:
            return None
        draft.phone = phone or draft.phone or s.memory.identity.phone
        draft.birth_year = year or draft.birth_year or s.memory.identity.birth_year
        if draft.phone is None:
            s.step = Step.ASK_PHONE
            return self.talk.reply(self.talk.question())
        if draft.birth_year is None:
            s.step = Step.ASK_BIRTH_YEAR
            return self.talk.reply(self.talk.question())
        return self.identify()

    def identify(self) -> Reply:
        talk = self.talk
        s = talk.state
        draft = s.identity
        assert draft is not None and draft.phone and draft.birth_year
        try:
            s.resident = talk.client.identify(draft.phone, draft.birth_year)
        except CentreUnavailable as exc:
            return talk.centre_failed(exc, Retry.IDENTIFY)
        except CentreRefused as refusal:
            return self.refused(refusal)
        s.identity = None
        s.memory.identity = IdentityDraft()
        greeting = talk.say(None, "identified", name=s.resident.name)
        return self.resume(greeting, self.news())

    def refused(self, refusal: CentreRefused) -> Reply:
        talk = self.talk
        s = talk.state
        s.memory.identity = IdentityDraft()
        if refusal.code in (ErrorCode.IDENTIFICATION_FAILED, ErrorCode.VALIDATION_ERROR):
            s.identity = IdentityDraft()
            s.step = Step.ASK_IDENTITY
            return talk.reply(talk.say(None, "identify_failed"))
        refusals: dict[str, str] = {ErrorCode.TOO_MANY_ATTEMPTS: "identify_blocked",
                                    ErrorCode.IDENTIFICATION_AMBIGUOUS: "identify_ambiguous"}  # fmt: skip
        name = refusals.get(refusal.code)
        if name is None:
            log.warning("identification refused for a reason the dialogue cannot explain: %s", refusal)
            return talk.centre_failed(refusal, None)
        s.drop_task()
        return talk.reply(talk.say(None, name), options=talk.options_for(("staff.handoff",)))
