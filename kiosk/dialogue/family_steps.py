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

from intents.digit_strings import find_digit_groups
from intents.parser import ParseResult
from kiosk.centre.errors import CentreError, CentreRefused, CentreUnavailable, ResidentNotIdentified
from kiosk.centre.records import FamilyProxy
from kiosk.dialogue.dialogue_base import DialogueBase
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.reply_writer import Said
from kiosk.dialogue.session_state import FamilyDraft

log = logging.getLogger(__name__)


class FamilySteps(DialogueBase):
    """The family-permission tasks of `Dialogue`."""

    # ------------------------------------------------------------------ giving permission

    def _start_family_consent(self) -> Reply:
        s = self.state
        s.task, s.family = "family", FamilyDraft()
        return self._with_resident(self._grant_code)

    def _grant_code(self, *before: Said) -> Reply:
        s = self.state
        draft = s.family
        assert draft is not None and s.resident is not None
        try:
            consent = self.client.grant_consent(s.resident)
        except ResidentNotIdentified:
            s.resident = None
            return self._with_resident(self._grant_code)
        except CentreUnavailable as exc:
            return self._server_unavailable(exc, retry_step="family_code")
        except CentreRefused as refusal:
            log.warning("consent code refused: %s", refusal)
            return self._server_unavailable(refusal, retry_step=None)
        draft.consent, draft.code = consent, consent.code
        s.task, s.step = "family", "code"
        return self._reply(self._join(*before, self._say("family.consent", "code", code=self._spoken_code())))

    def _extend_code(self, *before: Said) -> Reply:
        s = self.state
        draft = s.family
        if s.task != "family" or draft is None or draft.consent is None or s.resident is None:
            s.drop_task()
            return self._reply(self._join(*before, self._say("family.extend", "no_code")))
        try:
            draft.consent = self.client.extend_consent(s.resident, draft.consent.consent_id)
        except ResidentNotIdentified:  # the elder's own session ran out while the relative typed
            s.resident = None
            return self._with_resident(self._extend_code)
        except CentreUnavailable as exc:
            return self._server_unavailable(exc, retry_step="family_extend")
        except CentreRefused as refusal:
            if refusal.code != "consent_not_extendable":
                log.warning("extending a consent code refused: %s", refusal)
            s.drop_task()
            return self._reply(self._join(*before, self._say("family.extend", "not_extendable")))
        s.step = "code"
        return self._reply(self._join(*before, self._say("family.extend", "default", code=self._spoken_code())))

    def _spoken_code(self) -> Said:
        """The code shown as "482 913" and said "四八二，九幺三": two groups are easier to hold in mind."""
        draft = self.state.family
        assert draft is not None and draft.code is not None
        grouped = f"{draft.code[:3]} {draft.code[3:]}"
        return Said(grouped, self.forms.digit_string(grouped, self.state.lang))

    # ------------------------------------------------------------------ taking it back

    def _start_revoke(self) -> Reply:
        s = self.state
        s.task, s.family = "revoke", FamilyDraft()
        return self._with_resident(self._revoke_choices)

    def _revoke_choices(self, *before: Said) -> Reply:
        s = self.state
        draft = s.family
        assert draft is not None and s.resident is not None
        try:
            draft.proxies = self.client.family_proxies(s.resident)
        except ResidentNotIdentified:
            s.resident = None
            return self._with_resident(self._revoke_choices)
        except CentreUnavailable as exc:
            return self._server_unavailable(exc, retry_step="revoke_choices")
        if not draft.proxies:
            s.drop_task()
            return self._reply(self._join(*before, self._say("family.revoke", "none")))
        if len(draft.proxies) == 1:
            draft.chosen = draft.proxies[0]
            s.step = "confirm"
        else:
            s.step = "ask_which"
        return self._reply(self._join(*before, self._question()))

    def _which_proxy(self, parse: ParseResult) -> Reply | None:
        """A relative named, their phone's last digits said, or their button touched."""
        s = self.state
        draft = s.family
        assert draft is not None
        if self._different_task(parse):
            return None
        chosen = _proxy_named(draft.proxies, parse)
        if chosen is None:
            return None
        draft.chosen = chosen
        s.step = "confirm"
        return self._reply(self._question())

    def _revoke_yes_no(self, yes: bool) -> Reply:
        if yes:
            return self._revoke_chosen()
        self.state.drop_task()
        return self._reply(self._say("family.revoke", "kept"))

    def _revoke_chosen(self) -> Reply:
        s = self.state
        draft = s.family
        assert draft is not None and draft.chosen is not None and s.resident is not None
        chosen = draft.chosen
        try:
            self.client.revoke_proxy(s.resident, chosen.id)
        except ResidentNotIdentified:
            s.resident = None
            return self._with_resident(self._revoke_choices)
        except CentreUnavailable as exc:
            return self._server_unavailable(exc, retry_step="revoke")
        except CentreRefused as refusal:
            if refusal.status != 404:
                log.warning("revoking a family member refused: %s", refusal)
            s.drop_task()
            return self._reply(self._say("family.revoke", "none"))
        s.drop_task()
        return self._reply(self._say("family.revoke", "revoked", name=chosen.name))

    def _proxy_question(self) -> Said:
        """The pending question of the revoke task (see `DialogueBase._question`)."""
        s = self.state
        draft = s.family
        assert draft is not None
        lang = s.lang
        if s.step == "confirm":
            assert draft.chosen is not None
            return self._say("family.revoke", "confirm", name=draft.chosen.name, tail=self._tail(draft.chosen))
        names = [f"{p.name}（{p.phone_tail}）" if lang == "zh" else f"{p.name} ({p.phone_tail})" for p in draft.proxies]
        spoken = [f"{p.name}，{self._tail(p).speech}" if lang == "zh" else f"{p.name}, {self._tail(p).speech}"
                  for p in draft.proxies]  # fmt: skip
        listed = Said(self.forms.items(names, lang), self.forms.items(spoken, lang))
        return self._say("family.revoke", "ask_which", count=self.forms.count(len(draft.proxies), lang), names=listed)

    def _tail(self, proxy: FamilyProxy) -> Said:
        return Said(proxy.phone_tail, self.forms.digit_string(proxy.phone_tail, self.state.lang))

    # ------------------------------------------------------------------ what family did

    def _proxy_news(self) -> Said:
        """What relatives booked or cancelled since the elder last heard; said once."""
        s = self.state
        assert s.resident is not None
        try:
            news = self.client.proxy_news(s.resident)
        except CentreError as exc:  # the greeting and the task matter more; they hear it next time
            log.warning("could not fetch what family members did: %s", exc)
            return Said("", "")
        if not news:
            return Said("", "")
        pieces = [
            self._say(
                None,
                "proxy_booked" if item.action == "booked" else "proxy_cancelled",
                proxy=item.proxy_name,
                tail=Said(item.phone_tail, self.forms.digit_string(item.phone_tail, s.lang)),
                service=self._service_name(item.service_id),
                date=self._date(item.date),
                time=self._time(item.time),
                code=Said(item.code, self.forms.code(item.code, s.lang)),
            )
            for item in news
        ]
        pieces.append(self._say(None, "proxy_news_end"))
        try:
            self.client.proxy_news_told(s.resident, [item.id for item in news])
        except CentreError as exc:
            log.warning("could not mark family news as told (it will be said again): %s", exc)
        return self._join(*pieces)


def _proxy_named(proxies: list[FamilyProxy], parse: ParseResult) -> FamilyProxy | None:
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
