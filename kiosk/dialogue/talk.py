"""What every part of the dialogue shares: the session, the clock, replies, the pending question.

`Talk` is handed to each group of steps (booking, identity, appointments, family,
look-ups); it holds no conversation logic of its own beyond:

- `question()`: the question the current state waits on, asked again after a side
  question, "help" or a misunderstanding (each task's own questions come from the step
  group that owns it, registered in `questions`);
- `centre_failed()`: the ONE place that handles a server that cannot be reached or a
  resident session that expired — tell the resident, keep everything collected, offer to
  try again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from intents import Catalogue
from intents.parser import Parser
from kiosk.centre.client import CentreClient
from kiosk.centre.errors import CentreError, ResidentNotIdentified
from kiosk.centre.notice_store import NoticeStore
from kiosk.dialogue.centre_lookups import CentreLookups
from kiosk.dialogue.reply import Option, Reply
from kiosk.dialogue.reply_writer import ReplyWriter, Said
from kiosk.dialogue.session_state import IdentityDraft, SessionState
from kiosk.dialogue.spoken_forms import SpokenForms
from kiosk.dialogue.states import ASK_STEP, IDENTITY_STEPS, TASKS, Retry, Step, Task
from kiosk.dialogue.yes_no_answers import YesNoReader
from protocol.bodies import AppointmentOut

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = ZoneInfo("Asia/Shanghai")

MENU_INTENTS = (
    "appointment.book", "appointment.cancel", "appointment.list", "service.lookup",
    "hotline.lookup", "notice.read", "progress.query", "family.consent", "family.revoke", "staff.handoff",
)  # fmt: skip
COMMON_OPTIONS = ("dialog.repeat", "dialog.slower", "dialog.help", "staff.handoff")

YES_NO_STEPS: dict[tuple[Task, Step], bool] = {
    # (task, step): may a filler-only answer ("嗯") count as yes? See kiosk/dialogue/dialogue.py.
    (Task.BOOKING, Step.CONFIRM): False,
    (Task.CANCEL, Step.CONFIRM): False,
    (Task.BOOKING, Step.OFFER_ALTERNATIVE): True,
    (Task.SERVICE, Step.OFFER_BOOKING): True,
    (Task.REVOKE, Step.CONFIRM): False,
    (Task.CLARIFY, Step.CHECK): True,
}
SOFT_STEPS = (
    (Task.SERVICE, Step.OFFER_BOOKING), (Task.FAMILY, Step.CODE),
    (Task.CLARIFY, Step.WHICH), (Task.CLARIFY, Step.CHECK),
)  # fmt: skip
"""Offers (and "did you mean…?") the resident may ignore: saying something else moves on."""

Question = Callable[[], Said]


class Talk:
    """Session state, clock, reply building and the pending question, shared by every step group."""

    def __init__(
        self,
        catalogue: Catalogue,
        client: CentreClient,
        *,
        parser: Parser | None,
        forms: SpokenForms | None,
        now: Callable[[], datetime] | None,
        lang: str,
        notices: NoticeStore | None = None,
    ) -> None:
        self.client = client
        self.kept_notices = notices or NoticeStore()
        self.now = now or (lambda: datetime.now(DEFAULT_TIMEZONE))
        self.state = SessionState(lang=lang)
        self.questions: dict[Task, Question] = {}
        """Each task's own pending questions (read-back, offered slot…), from its step group."""
        self.use(catalogue, parser, ReplyWriter(catalogue, forms or SpokenForms.load()))

    def use(self, catalogue: Catalogue, parser: Parser | None, writer: ReplyWriter) -> None:
        """Everything built from the catalogue, (re)built at once."""
        self.catalogue = catalogue
        self.parser = parser or Parser(catalogue)
        self.writer = writer
        self.forms = writer.forms
        self.lookups = CentreLookups(catalogue, self.client, writer, self.kept_notices)
        self.yes_no = YesNoReader(catalogue)
        self.services = {s.id: s for s in catalogue.services}

    # ------------------------------------------------------------------ where we are

    @property
    def at(self) -> tuple[Task | None, Step]:
        return self.state.task, self.state.step

    def pending(self) -> bool:
        """A question is waiting that the resident should not lose by a misheard word."""
        return self.state.task is not None and self.at not in SOFT_STEPS

    def asks_yes_or_no(self) -> bool:
        """The question waiting is answered yes or no (a read-back, an offer, a retry)."""
        return self.at in YES_NO_STEPS or self.state.step is Step.RETRY

    # ------------------------------------------------------------------ the pending question

    def question(self) -> Said:
        """The question the current step is waiting on, in the current language (empty when idle)."""
        s = self.state
        if s.step is Step.RETRY:
            return self.say(None, "retry_offer")
        if s.step in IDENTITY_STEPS:
            if s.step is Step.ASK_IDENTITY:
                owner = TASKS[s.task].owner if s.task in (Task.BOOKING, Task.FAMILY, Task.REVOKE) else None
                return self.say(owner, "ask_identity")
            return self.say(None, s.step)
        if s.task is None:
            return Said("", "")
        if s.task is Task.CLARIFY:
            assert s.ambiguity is not None
            labels = [self.writer.template(i, "label", s.lang) for i in s.ambiguity.intents]
            if s.step is Step.CHECK:
                return self.say(None, "check_intent", first=labels[0])
            return self.say(None, "ambiguous", first=labels[0], second=labels[1])
        if s.step in ASK_STEP.values() or s.step is Step.ASK_CHANGE:
            return self.say(TASKS[s.task].owner, s.step)
        own = self.questions.get(s.task)
        return own() if own is not None else Said("", "")

    # ------------------------------------------------------------------ the server

    def centre_failed(self, exc: CentreError, retry: Retry | None, said: Said | None = None) -> Reply:
        """The one answer to a server call that failed for no fault of the resident's.

        An expired resident session: identify again, then the task carries on (nothing
        collected is lost). Anything else: say `server_unavailable` (or the caller's own
        `said`, e.g. "this has NOT been booked"), keep the drafts, and offer to try again
        when trying again could help (`retry` is the call to repeat)."""
        s = self.state
        if isinstance(exc, ResidentNotIdentified):
            s.resident = None
            return self.ask_identity()
        log.warning("centre server problem: %s", exc)
        said = said or self.say(None, "server_unavailable")
        if retry is None:
            s.drop_task()
            return self.reply(said)
        s.step, s.retry_step = Step.RETRY, retry
        return self.reply(self.join(said, self.say(None, "retry_offer")))

    def ask_identity(self, *before: Said) -> Reply:
        """Ask for phone number and birth year (the task waits, and carries on once identified)."""
        s = self.state
        s.identity = IdentityDraft()
        s.step = Step.ASK_IDENTITY
        return self.reply(self.join(*before, self.question()))

    # ------------------------------------------------------------------ replies

    def reply(self, said: Said, *, options: tuple[Option, ...] | None = None, done: bool = False) -> Reply:
        s = self.state
        reply = Reply(
            text=said.text,
            speech=said.speech,
            lang=s.lang,
            state=s.name,
            slow=s.slow,
            options=self.options() if options is None else options,
            done=done,
        )
        s.last_reply = reply
        return reply

    def options(self) -> tuple[Option, ...]:
        s = self.state
        lang = s.lang
        if self.asks_yes_or_no():
            return self.options_for(("dialog.yes", "dialog.no", *COMMON_OPTIONS))
        if self.at == (Task.BOOKING, Step.ASK_SERVICE):
            services = [Option(f"service:{x.id}", x.name(lang)) for x in self.catalogue.services if x.bookable]
            return (*services, *self.options_for(COMMON_OPTIONS))
        if self.at == (Task.SERVICE, Step.ASK_SERVICE):
            services = [Option(f"service:{x.id}", x.name(lang)) for x in self.catalogue.services]
            return (*services, *self.options_for(COMMON_OPTIONS))
        if self.at == (Task.HOTLINE, Step.ASK_HOTLINE):
            hotlines = [Option(f"hotline:{h.id}", h.name(lang)) for h in self.catalogue.hotlines]
            return (*hotlines, *self.options_for(COMMON_OPTIONS))
        if self.at == (Task.CANCEL, Step.ASK_WHICH) and s.cancel is not None:
            choices = [
                Option(f"appointment:{a.code}", self.say("appointment.list", "item", **self.appointment_values(a)).text)
                for a in s.cancel.appointments
            ]
            return (*choices, *self.options_for(COMMON_OPTIONS))
        if self.at == (Task.FAMILY, Step.CODE):
            return self.options_for(("family.extend", *COMMON_OPTIONS))
        if self.at == (Task.REVOKE, Step.ASK_WHICH) and s.family is not None:
            relatives = [Option(f"proxy:{p.id}", f"{p.name} ({p.phone_tail})") for p in s.family.proxies]
            return (*relatives, *self.options_for(COMMON_OPTIONS))
        if s.task is Task.CLARIFY and s.ambiguity is not None:
            return self.options_for((*s.ambiguity.intents, *COMMON_OPTIONS))
        if s.task is None:
            return self.options_for(MENU_INTENTS)
        return self.options_for(COMMON_OPTIONS)

    def options_for(self, intents: tuple[str, ...]) -> tuple[Option, ...]:
        lang = self.state.lang
        return tuple(
            Option(i, self.writer.template(i, "label", lang)) for i in intents if self.writer.has(i, "label", lang)
        )

    def say(self, owner: str | None, name: str, /, **values: str | Said) -> Said:
        return self.writer.say(owner, name, self.state.lang, **values)

    def join(self, *pieces: Said) -> Said:
        return self.writer.join(pieces, self.state.lang)

    def appointment_values(self, appointment: AppointmentOut) -> dict[str, str | Said]:
        return {
            "date": self.date(appointment.date),
            "time": self.time(appointment.time),
            "service": self.service_name(appointment.service_id),
        }

    # ------------------------------------------------------------------ small helpers

    def today(self) -> date:
        return self.now().date()

    def date(self, day: date) -> str:
        return self.forms.date(day, self.state.lang, self.today())

    def time(self, at: time) -> str:
        return self.forms.time(at, self.state.lang)

    def service_name(self, service_id: str) -> str:
        return self.lookups.service_name(service_id, self.state.lang)

    def location(self, service_id: str) -> str:
        try:
            return self.lookups.service_info(service_id).location.get(self.state.lang, "")
        except CentreError:
            return ""

    def bookable(self, service_id: str) -> bool:
        service = self.services.get(service_id)
        return service.bookable if service is not None else True  # unknown here: let the server decide
