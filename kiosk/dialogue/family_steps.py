"""Family steps: "let my daughter book for me", "take that back", and hearing what family did.

Giving permission: identify → the server makes a six-digit code → the kiosk shows it and
reads it digit by digit, in two groups of three; "延长" gives ten more minutes. Taking it
back: identify → which relative (by name, last phone digits, or a touch) → a clear yes →
revoked at once. A filler never counts as yes here: revoking cannot be undone by the
elder alone.

After every identification the elder first hears what relatives booked or cancelled for
them since last time, and by whom — the elder stays in charge of their own affairs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from intents.digit_strings import find_digit_groups
from intents.parser import ParseResult
from kiosk.centre.errors import CentreError, CentreRefused, ResidentNotIdentified
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.reply_writer import Said
from kiosk.dialogue.session_state import FamilyDraft
from kiosk.dialogue.states import Retry, Step, Task
from kiosk.dialogue.talk import Talk
from protocol.bodies import ProxyOut
from protocol.error_codes import ErrorCode

log = logging.getLogger(__name__)


class FamilySteps:
    """The family-permission tasks."""

    def __init__(self, talk: Talk, with_resident: Callable[[Callable[[], Reply]], Reply]) -> None:
        self.talk = talk
        self.with_resident = with_resident
        talk.questions[Task.FAMILY] = lambda: talk.say("family.consent", "code_again", code=self.spoken_code())
        talk.questions[Task.REVOKE] = self.proxy_question

    # ------------------------------------------------------------------ giving permission

    def start_family_consent(self) -> Reply:
        talk = self.talk
        s = talk.state
        s.start(Task.FAMILY)
        s.family = FamilyDraft()
        return self.with_resident(self.grant_code)

    def grant_code(self, *before: Said) -> Reply:
        talk = self.talk
        s = talk.state
        draft = s.family
        assert draft is not None and s.resident is not None
        try:
            consent = talk.client.grant_consent(s.resident)
        except ResidentNotIdentified as exc:  # the elder's own session ran out
            return talk.centre_failed(exc, Retry.FAMILY_CODE)
        except CentreRefused as refusal:
            log.warning("consent code refused: %s", refusal)
            return talk.centre_failed(refusal, None)
        except CentreError as exc:
            return talk.centre_failed(exc, Retry.FAMILY_CODE)
        draft.consent, draft.code = consent, consent.code
        s.task, s.step = Task.FAMILY, Step.CODE
        return talk.reply(talk.join(*before, talk.say("family.consent", "code", code=self.spoken_code())))

    def extend_code(self, *before: Said) -> Reply:
        talk = self.talk
        s = talk.state
        draft = s.family
        if s.task is not Task.FAMILY or draft is None or draft.consent is None or s.resident is None:
            s.drop_task()
            return talk.reply(talk.join(*before, talk.say("family.extend", "no_code")))
        try:
            draft.consent = talk.client.extend_consent(s.resident, draft.consent.consent_id)
        except ResidentNotIdentified as exc:  # the elder's own session ran out
            return talk.centre_failed(exc, Retry.FAMILY_EXTEND)
        except CentreRefused as refusal:
            if refusal.code != ErrorCode.CONSENT_NOT_EXTENDABLE:
                log.warning("extending a consent code refused: %s", refusal)
            s.drop_task()
            return talk.reply(talk.join(*before, talk.say("family.extend", "not_extendable")))
        except CentreError as exc:
            return talk.centre_failed(exc, Retry.FAMILY_EXTEND)
        s.step = Step.CODE
        return talk.reply(talk.join(*before, talk.say("family.extend", "default", code=self.spoken_code())))

    def spoken_code(self) -> Said:
        """The code shown as "482 913" and said "四八二，九幺三": two groups are easier to hold in mind."""
        draft = self.talk.state.family
        assert draft is not None and draft.code is not None
        grouped = f"{draft.code[:3]} {draft.code[3:]}"
        return Said(grouped, self.talk.forms.digit_string(grouped, self.talk.state.lang))

    # ------------------------------------------------------------------ taking it back

    def start_revoke(self) -> Reply:
        talk = self.talk
        s = talk.state
        s.start(Task.REVOKE)
        s.family = FamilyDraft()
        return self.with_resident(self.revoke_choices)

    def revoke_choices(self, *before: Said) -> Reply:
        talk = self.talk
        s = talk.state
        draft = s.family
        assert draft is not None and s.resident is not None
        try:
            draft.proxies = talk.client.family_proxies(s.resident)
        except CentreError as exc:
            return talk.centre_failed(exc, Retry.REVOKE_CHOICES)
        if not draft.proxies:
            s.drop_task()
            return talk.reply(talk.join(*before, talk.say("family.revoke", "none")))
        if len(draft.proxies) == 1:
            draft.chosen = draft.proxies[0]
            s.step = Step.CONFIRM
        else:
            s.step = Step.ASK_WHICH
        return talk.reply(talk.join(*before, talk.question()))

    def which_proxy(self, parse: ParseResult) -> Reply | None:
        """A relative named, their phone's last digits said, or their button touched."""
        talk = self.talk
        s = talk.state
        draft = s.family
        assert draft is not None
        chosen = _proxy_named(draft.proxies, parse)
        if chosen is None:
            return None
        draft.chosen = chosen
        s.step = Step.CONFIRM
        return talk.reply(talk.question())

    def revoke_yes_no(self, yes: bool) -> Reply:
        if yes:
            return self.revoke_chosen()
        self.talk.state.drop_task()
        return self.talk.reply(self.talk.say("family.revoke", "kept"))

    def revoke_chosen(self) -> Reply:
        talk = self.talk
        s = talk.state
        draft = s.family
        assert draft is not None and draft.chosen is not None and s.resident is not None
        chosen = draft.chosen
        try:
            talk.client.revoke_proxy(s.resident, chosen.id)
        except ResidentNotIdentified as exc:  # the elder's own session ran out
            return talk.centre_failed(exc, Retry.REVOKE)
        except CentreRefused as refusal:
            if refusal.status != 404:
                log.warning("revoking a family member refused: %s", refusal)
            s.drop_task()
            return talk.reply(talk.say("family.revoke", "none"))
        except CentreError as exc:
            return talk.centre_failed(exc, Retry.REVOKE)
        s.drop_task()
        return talk.reply(talk.say("family.revoke", "revoked", name=chosen.name))

    def proxy_question(self) -> Said:
        """The pending question of the revoke task (see `Talk.question`)."""
        talk = self.talk
        s = talk.state
        draft = s.family
        assert draft is not None
        lang = s.lang
        if s.step is Step.CONFIRM:
            assert draft.chosen is not None
            return talk.say("family.revoke", "confirm", name=draft.chosen.name, tail=self.tail(draft.chosen))
        names = [f"{p.name}（{p.phone_tail}）" if lang == "zh" else f"{p.name} ({p.phone_tail})" for p in draft.proxies]
        spoken = [f"{p.name}，{self.tail(p).speech}" if lang == "zh" else f"{p.name}, {self.tail(p).speech}"
                  for p in draft.proxies]  # fmt: skip
        listed = Said(talk.forms.items(names, lang), talk.forms.items(spoken, lang))
        return talk.say("family.revoke", "ask_which", count=talk.forms.count(len(draft.proxies), lang), names=listed)

    def tail(self, proxy: ProxyOut) -> Said:
        return Said(proxy.phone_tail, self.talk.forms.digit_string(proxy.phone_tail, self.talk.state.lang))

    # ------------------------------------------------------------------ what family did

    def proxy_news(self) -> Said:
        """What relatives booked or cancelled since the elder last heard; said once."""
        talk = self.talk
        s = talk.state
        assert s.resident is not None
        try:
            news = talk.client.proxy_news(s.resident)
        except CentreError as exc:  # the greeting and the task matter more; they hear it next time
            log.warning("could not fetch what family members did: %s", exc)
            return Said("", "")
        if not news:
            return Said("", "")
        pieces = [
            talk.say(
                None,
                "proxy_booked" if item.action == "booked" else "proxy_cancelled",
                proxy=item.proxy_name,
                tail=Said(item.phone_tail, talk.forms.digit_string(item.phone_tail, s.lang)),
                service=talk.service_name(item.service_id),
                date=talk.date(item.date),
                time=talk.time(item.time),
                code=Said(item.code, talk.forms.code(item.code, s.lang)),
            )
            for item in news
        ]
        pieces.append(talk.say(None, "proxy_news_end"))
        try:
            talk.client.proxy_news_told(s.resident, [item.id for item in news])
        except CentreError as exc:
            log.warning("could not mark family news as told (it will be said again): %s", exc)
        return talk.join(*pieces)


def _proxy_named(proxies: list[ProxyOut], parse: ParseResult) -> ProxyOut | None:
    if "proxy" in parse.slots:  # a touch on the relative's button
        return next((p for p in proxies if str(p.id) == parse.slots["proxy"]), None)
    text = parse.text.replace(" ", "").lower()
    digits = " ".join(group.digits for group in find_digit_groups(parse.text, parse.lang))  # "尾号五六七八"
    found = [p for p in proxies if p.name.replace(" ", "").lower() in text or p.phone_tail in digits]
    if not found:  # "小红" for "女儿小红", "David" for "your son David"
        found = [p for p in proxies if any(len(w) >= 2 and w.lower() in text for w in _name_parts(p.name))]
    return found[0] if len(found) == 1 else None


def _name_parts(name: str) -> list[str]:
    if any(not c.isascii() for c in name):  # Chinese: the trailing two characters ("小红" of "女儿小红")
        compact = name.replace(" ", "")
        return [compact[-2:]] if len(compact) > 2 else []
    return name.split()
