"""Fast dialogue tests: a `Dialogue` over the in-memory `FakeCentre` and a fake clock.

No subprocess, no HTTP, no database: each conversation runs in milliseconds. What the real
server does is covered by the end-to-end tests one folder up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fake_centre import FakeCentre

from intents import Catalogue, load_catalogue
from intents.parser import Parser
from kiosk.dialogue.dialogue import Dialogue
from kiosk.dialogue.reply import Reply

CENTRE_ZONE = ZoneInfo("Asia/Shanghai")
WEDNESDAY_NINE = datetime(2026, 12, 2, 9, 0, tzinfo=CENTRE_ZONE)
"""The fake clock's start: a Wednesday, 09:00 at the centre."""
DEMO_RESIDENTS = {
    "13800138000": (1948, "王秀英"), "13900139000": (1952, "李建国"), "13700137000": (1950, "Margaret Chen"),
}  # fmt: skip


@dataclass
class FakeClock:
    """The centre's local time, moved only by the test."""

    moment: datetime = WEDNESDAY_NINE

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@dataclass(repr=False)
class Chat:
    """One resident at one kiosk: the dialogue, its fake centre and clock, and the transcript."""

    dialogue: Dialogue
    centre: FakeCentre
    clock: FakeClock
    transcript: list[tuple[str, Reply]] = field(default_factory=list)

    def say(self, text: str) -> Reply:
        reply = self.dialogue.handle(text)
        self.transcript.append((text, reply))
        return reply

    def touch(self, option_id: str) -> Reply:
        reply = self.dialogue.choose(option_id)
        self.transcript.append((f"[touch {option_id}]", reply))
        return reply

    def __repr__(self) -> str:
        return "\n" + "\n".join(f"  > {said}\n  < [{r.state}] {r.text}" for said, r in self.transcript)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def parser(catalogue: Catalogue) -> Parser:
    return Parser(catalogue)


@pytest.fixture
def chat(catalogue: Catalogue, parser: Parser) -> Callable[..., Chat]:
    def make(lang: str = "zh") -> Chat:
        clock = FakeClock()
        centre = FakeCentre(catalogue, clock())
        for phone, (year, name) in DEMO_RESIDENTS.items():
            centre.resident(phone, year, name)
        return Chat(Dialogue(catalogue, centre, parser=parser, now=clock, lang=lang), centre, clock)  # type: ignore[arg-type]

    return make
