"""What every step of the dialogue shares: the session, the clock, and how replies are built.

`Dialogue` is assembled from step mixins (booking, identification, appointments) on top
of this base, so each module holds one part of the conversation; the base also knows
which question each state is waiting on (`_question`), because every part needs to ask
it again after a side question, "help" or a misunderstanding.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from intents import Catalogue
from intents.language import detect_language
from intents.parser import Parser, ParseResult
from kiosk.centre.client import CentreClient
from kiosk.centre.errors import CentreError
from kiosk.centre.records import Appointment
from kiosk.dialogue.centre_lookups import CentreLookups
from kiosk.dialogue.reply import Option, Reply
from kiosk.dialogue.reply_writer import ReplyWriter, Said
from kiosk.dialogue.session_state import SessionState
from kiosk.dialogue.spoken_forms import SpokenForms
from kiosk.dialogue.yes_no_answers import YesNoReader

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = ZoneInfo("Asia/Shanghai")

SWITCH_CONFIDENCE = 0.6
"""While a question is pending, a different intent must be at least this sure to change
the subject (or to stop / call staff); below it the kiosk asks its question again."""

MENU_INTENTS = (
    "appointment.book", "appointment.cancel", "appointment.list", "service.lookup",
    "hotline.lookup", "notice.read", "progress.query", "family.consent", "family.revoke", "staff.handoff",
)  # fmt: skip
COMMON_OPTIONS = ("dialog.repeat", "dialog.slower", "dialog.help", "staff.handoff")

YES_NO_STEPS = {
    # step: may a filler-only answer ("嗯") count as yes? See the module docstring of kiosk/dialogue/dialogue.py.
    "booking.confirm": False,
    "cancel.confirm": False,
    "booking.offer_alternative": True,
    "service.offer_booking": True,
    "revoke.confirm": False,
}
SOFT_STEPS = ("service.offer_booking", "family.code")
"""Offers the resident may ignore: saying something else simply moves on."""


class DialogueBase:
    """Session state, clock, reply building and the pending question."""

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
        self.lookups = CentreLookups(catalogue, client, self.writer)
        self.yes_no = YesNoReader(catalogue)
        self.now = now or (lambda: datetime.now(DEFAULT_TIMEZONE))
        self.state = SessionState(lang=lang)
        self._services = {s.id: s for s in catalogue.services}

    # ------------------------------------------------------------------ judging a parse

    def _pending(self) -> bool:
        """A question is waiting that the resident should not lose by a misheard word."""
        return self.state.task is not None and self.state.name not in SOFT_STEPS

    def _sure(self, parse: ParseResult) -> bool:
        return parse.intent is not None and not parse.ambiguous and parse.confidence >= SWITCH_CONFIDENCE

    def _different_task(self, parse: ParseResult) -> bool:
        """Clearly asking for something else than the current task."""
        own = {"booking": ("appointment.book",), "service": ("service.lookup",),
               "hotline": ("hotline.lookup",), "progress": ("progress.query",),
               "cancel": ("appointment.cancel", "appointment.list")}.get(self.state.task or "", ())  # fmt: skip
        return self._sure(parse) and parse.intent not in own and not parse.intent.startswith("dialog.")  # type: ignore[union-attr]

    # ------------------------------------------------------------------ the pending question

    def _question(self) -> Said:
        """The question the current step is waiting on, in the current language (empty when idle)."""
        s = self.state
        name = s.name
        if s.step == "retry":
            return self._say(None, "retry_offer")
        if s.step in ("ask_identity", "ask_phone", "ask_birth_year"):
            if s.step == "ask_identity":
                owner = {"booking": "appointment.book", "family": "family.consent", "revoke": "family.revoke"}
                return self._say(owner.get(s.task or ""), "ask_identity")
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
        if name in ("revoke.ask_which", "revoke.confirm"):
            return self._proxy_question()
        if name == "family.code":
            return self._say("family.consent", "code_again", code=self._spoken_code())
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

    def _ask_for(self, task: str) -> Said:
        owner, name = {"service": ("service.lookup", "ask_service"), "hotline": ("hotline.lookup", "ask_hotline"),
                       "progress": ("progress.query", "ask_reference")}[task]  # fmt: skip
        return self._say(owner, name)

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

    # ------------------------------------------------------------------ replies

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
        if name == "family.code":
            return self._options_for(("family.extend", *COMMON_OPTIONS))
        if name == "revoke.ask_which" and s.family is not None:
            relatives = [Option(f"proxy:{p.id}", f"{p.name} ({p.phone_tail})") for p in s.family.proxies]
            return (*relatives, *self._options_for(COMMON_OPTIONS))
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

    def _appointment_values(self, appointment: Appointment) -> dict[str, str | Said]:
        return {
            "date": self._date(appointment.date),
            "time": self._time(appointment.time),
            "service": self._service_name(appointment.service_id),
        }

    # ------------------------------------------------------------------ small helpers

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

    # ------------------------------------------------------------------ provided by the step mixins

    def _with_resident(self, then: Callable[[], Reply]) -> Reply:
        """IdentitySteps: run `then` once the resident is identified."""
        raise NotImplementedError

    def _cancel_choices(self, *before: Said) -> Reply:
        """AppointmentSteps."""
        raise NotImplementedError

    def _list(self, *before: Said) -> Reply:
        """AppointmentSteps."""
        raise NotImplementedError

    def _advance_booking(self, *before: Said) -> Reply:
        """BookingSteps."""
        raise NotImplementedError

    def _proxy_question(self) -> Said:
        """FamilySteps: the revoke task's pending question."""
        raise NotImplementedError

    def _spoken_code(self) -> Said:
        """FamilySteps: the consent code shown, in both forms."""
        raise NotImplementedError

    def _proxy_news(self) -> Said:
        """FamilySteps: what relatives did since the elder last heard (said after identification)."""
        raise NotImplementedError
