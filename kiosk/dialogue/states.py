"""The dialogue's states as values, and the one table of what each task needs.

A state is a `Task` (what the resident is doing) and a `Step` (the question waiting for an
answer within it); `SessionState.name` reports them as "task.step" ("booking.ask_date").
Both are `StrEnum`s, so a step compares equal to its old string ("ask_date").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Task(StrEnum):
    BOOKING = "booking"
    CANCEL = "cancel"
    LIST = "list"
    SERVICE = "service"
    HOTLINE = "hotline"
    NOTICE = "notice"
    PROGRESS = "progress"
    CLARIFY = "clarify"
    """The kiosk asked "did you mean A or B?" (`Step.WHICH`) or "did you mean A?" (`Step.CHECK`)."""
    FAMILY = "family"
    """A consent code for a relative."""
    REVOKE = "revoke"
    """Taking a relative's permission back."""


class Step(StrEnum):
    IDLE = "idle"
    ASK_SERVICE = "ask_service"
    ASK_DATE = "ask_date"
    ASK_TIME = "ask_time"
    ASK_HOTLINE = "ask_hotline"
    ASK_REFERENCE = "ask_reference"
    ASK_IDENTITY = "ask_identity"
    ASK_PHONE = "ask_phone"
    ASK_BIRTH_YEAR = "ask_birth_year"
    CONFIRM = "confirm"
    ASK_CHANGE = "ask_change"
    OFFER_ALTERNATIVE = "offer_alternative"
    OFFER_BOOKING = "offer_booking"
    ASK_WHICH = "ask_which"
    CODE = "code"
    WHICH = "which"
    CHECK = "check"
    RETRY = "retry"
    """The server could not be reached; "try again?"."""


class Retry(StrEnum):
    """In `Step.RETRY`: the server call to make again when the resident says yes."""

    BOOK = "book"
    IDENTIFY = "identify"
    CANCEL_CHOICES = "cancel_choices"
    CANCEL = "cancel"
    LIST = "list"
    FAMILY_CODE = "family_code"
    FAMILY_EXTEND = "family_extend"
    REVOKE_CHOICES = "revoke_choices"
    REVOKE = "revoke"
    LOOKUP = "lookup"


IDENTITY_STEPS = (Step.ASK_IDENTITY, Step.ASK_PHONE, Step.ASK_BIRTH_YEAR)
"""Steps waiting for a phone number or a birth year."""

ASK_STEP = {
    "service": Step.ASK_SERVICE, "date": Step.ASK_DATE, "time": Step.ASK_TIME,
    "hotline": Step.ASK_HOTLINE, "reference": Step.ASK_REFERENCE,
}  # fmt: skip
"""The question that asks for each slot."""


@dataclass(frozen=True)
class TaskSpec:
    """What one task is: the intents that ask for it and the slots it needs before acting."""

    task: Task
    intents: tuple[str, ...]
    """Its own intents: saying one of these during the task is not changing the subject.
    The first one owns the task's replies ("ask_service", "read_back"…)."""
    needs: tuple[str, ...] = ()
    """Slots it must have, asked for in this order when missing."""
    side: bool = False
    """A look-up answered in the middle of another task, which then carries on."""
    identified: bool = False
    """Only for an identified resident."""

    @property
    def owner(self) -> str:
        return self.intents[0]


TASKS: dict[Task, TaskSpec] = {
    spec.task: spec
    for spec in (
        TaskSpec(Task.BOOKING, ("appointment.book",), ("service", "date", "time"), identified=True),
        TaskSpec(Task.CANCEL, ("appointment.cancel", "appointment.list"), identified=True),
        TaskSpec(Task.LIST, ("appointment.list",), identified=True),
        TaskSpec(Task.SERVICE, ("service.lookup",), ("service",), side=True),
        TaskSpec(Task.HOTLINE, ("hotline.lookup",), ("hotline",), side=True),
        TaskSpec(Task.NOTICE, ("notice.read",), side=True),
        TaskSpec(Task.PROGRESS, ("progress.query",), ("reference",)),
        TaskSpec(Task.FAMILY, ("family.consent", "family.extend"), identified=True),
        TaskSpec(Task.REVOKE, ("family.revoke",), identified=True),
    )
}
"""The one table of tasks: which intents start each, which slots each needs."""

TASK_OF_INTENT: dict[str, Task] = {spec.intents[0]: spec.task for spec in TASKS.values()}
TASK_OF_INTENT["family.extend"] = Task.FAMILY

APPOINTMENT_HINTS = ("service", "date", "time", "reference", "week")
"""What a resident may say to pick one of their appointments ("week": the Monday of a week named
without a day, "next week")."""
BOOKING_DETAILS = TASKS[Task.BOOKING].needs


def missing_slot(task: Task, slots: dict[str, str]) -> str | None:
    """The first slot `task` needs that `slots` lacks."""
    return next((slot for slot in TASKS[task].needs if slot not in slots), None)
