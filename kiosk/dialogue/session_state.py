"""What one conversation remembers between turns: the task under way and what it has collected.

Kept apart from the dialogue's logic so the whole memory of a session is visible in one
place — and so nothing collected is lost when the server is down: the drafts stay here
until the resident tries again or says goodbye.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from kiosk.centre.records import ResidentSession
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.states import Retry, Step, Task
from protocol.bodies import AppointmentOut, ConsentOut, ProxyOut, SlotOut


@dataclass
class BookingDraft:
    """An appointment being put together: service → date → time → read back → yes."""

    service: str | None = None
    """Catalogue service id."""
    day: date | None = None
    """Local date at the centre."""
    at: time | None = None
    """Local start time."""
    idempotency_key: str | None = None
    """Made when the details are read back; the same for every retry and every repeated "yes",
    so the server books at most once. Cleared whenever a detail changes."""
    offered: SlotOut | None = None
    """The free slot offered instead of a refused one, waiting for yes/no."""

    def slots(self) -> dict[str, str]:
        """What is known so far, as slot values."""
        known = {"service": self.service, "date": self.day and self.day.isoformat(),
                 "time": self.at and self.at.strftime("%H:%M")}  # fmt: skip
        return {k: v for k, v in known.items() if v}

    def fill(self, slots: dict[str, str]) -> bool:
        """Take the service/date/time the resident said; True if anything changed."""
        changed = False
        if "service" in slots and slots["service"] != self.service:
            self.service, changed = slots["service"], True
        if "date" in slots and date.fromisoformat(slots["date"]) != self.day:
            self.day, changed = date.fromisoformat(slots["date"]), True
        if "time" in slots and time.fromisoformat(slots["time"]) != self.at:
            self.at, changed = time.fromisoformat(slots["time"]), True
        if changed:
            self.idempotency_key = None
            self.offered = None
        return changed


@dataclass
class CancelDraft:
    """Cancelling one of the resident's appointments: which one → confirm."""

    hints: dict[str, str] = field(default_factory=dict)
    """What the resident said about it (service, date, time, reference)."""
    appointments: list[AppointmentOut] = field(default_factory=list)
    """Their upcoming appointments, once identified."""
    chosen: AppointmentOut | None = None


@dataclass
class FamilyDraft:
    """Letting family book (a code shown) or taking that back (which relative → confirm)."""

    consent: ConsentOut | None = None
    """The code shown, kept so "延长" can extend it and "repeat" can say it again."""
    code: str | None = None
    """Its six digits (an extension's answer does not repeat them)."""
    proxies: list[ProxyOut] = field(default_factory=list)
    """Relatives who may act for the resident now, once identified."""
    chosen: ProxyOut | None = None


@dataclass
class IdentityDraft:
    """Phone number and birth year, collected one at a time."""

    phone: str | None = None
    birth_year: int | None = None


@dataclass
class Ambiguity:
    """The kiosk asked "did you mean A or B?", or "did you mean A?" when it was unsure of one."""

    intents: tuple[str, ...]
    """The readings offered: two to choose from, or one to check."""
    slots: dict[str, str]
    """Slots of the unclear utterance, used for whichever intent is chosen."""


RECENT_TURNS = 2
"""How many turns a service talked about still counts as "the one we were talking about"."""


@dataclass
class Memory:
    """What the conversation heard, kept across tasks so the next turn can lean on it.

    "Tell me about the senior card" → "Thursday next week then": the date is for the
    senior card. A phone number said while the kiosk asked for a time is kept for when the
    kiosk needs it. Forgotten with the session (a new resident starts a new one)."""

    service: str | None = None
    """The service last named or described, by either side, in the last `RECENT_TURNS` turns."""
    offer: str | None = None
    """A service the kiosk just offered to book ("shall I book it?"), still unanswered."""
    heard: dict[str, str] = field(default_factory=dict)
    """Date and time said in the last turn that no task took."""
    identity: IdentityDraft = field(default_factory=IdentityDraft)
    """Phone number and birth year said in passing, before anyone asked."""
    turns_since_service: int = 0

    def note_service(self, service_id: str) -> None:
        self.service, self.turns_since_service = service_id, 0

    def forget_service(self) -> None:
        """The resident turned the service down ("no, thank you" to the offer)."""
        self.service = self.offer = None

    def turn_passed(self) -> None:
        """One more turn: a service talked about long ago no longer fills a missing one."""
        self.turns_since_service += 1
        if self.turns_since_service > RECENT_TURNS:
            self.service = None


@dataclass
class SessionState:
    """Everything one resident's conversation remembers."""

    lang: str
    """The language the resident last used; replies follow it."""
    task: Task | None = None
    """What the resident is doing; None when idle."""
    step: Step = Step.IDLE
    """The question waiting for an answer within the task, e.g. ask_date, confirm, retry."""
    slow: bool = False
    """The resident asked for slower speech: kept for the rest of the session."""
    resident: ResidentSession | None = None
    """Set once identified; booking, cancelling and listing then skip identification."""
    booking: BookingDraft | None = None
    cancel: CancelDraft | None = None
    family: FamilyDraft | None = None
    identity: IdentityDraft | None = None
    ambiguity: Ambiguity | None = None
    lookup: dict[str, str] = field(default_factory=dict)
    """What a failed lookup asked for (reference, date…), to try again without asking."""
    retry_step: Retry | None = None
    """In step retry: the server call that failed."""
    memory: Memory = field(default_factory=Memory)
    """What was heard, across tasks (kept by `drop_task`)."""
    failures: int = 0
    """Utterances not understood in a row."""
    last_reply: Reply | None = None
    """For "repeat" and "slower"."""
    done: bool = False
    """The resident said goodbye."""

    @property
    def name(self) -> str:
        """The state as reported in `Reply.state`: "idle" or "task.step"."""
        if self.done:
            return "ended"
        return "idle" if self.task is None else f"{self.task}.{self.step}"

    def start(self, task: Task, step: Step = Step.IDLE) -> None:
        """A new task replaces whatever was under way."""
        self.drop_task()
        self.task, self.step = task, step

    def drop_task(self) -> None:
        """Back to idle; the resident stays identified."""
        self.task, self.step = None, Step.IDLE
        self.booking = self.cancel = self.family = self.identity = self.ambiguity = None
        self.lookup = {}
        self.retry_step = None
