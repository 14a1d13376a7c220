"""What the kiosk answers to one utterance, for the screen and the speaker alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Option:
    """A touch twin of something the resident could say: a button the screen may offer."""

    id: str
    """What `Dialogue.choose` takes back: an intent id ("dialog.yes"), or "service:health_check",
    "hotline:ambulance", "appointment:M4827"."""
    label: str
    """The button's text, in the reply's language."""


@dataclass(frozen=True)
class Reply:
    """One turn of the kiosk."""

    text: str
    """What the screen shows."""

    speech: str
    """What the speaker says: like `text`, but phone numbers digit by digit and codes
    character by character."""

    lang: str
    """"zh" or "en": the language the resident last used."""

    state: str
    """Where the conversation is, e.g. "idle", "booking.ask_date", "booking.confirm"."""

    slow: bool = False
    """Speak slowly (the resident asked; stays on for the rest of the session)."""

    options: tuple[Option, ...] = field(default_factory=tuple)
    """Buttons the screen can offer for this turn (yes/no, services, repeat, staff…)."""

    done: bool = False
    """The conversation is over (the resident said goodbye); the next words start a new one."""

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "speech": self.speech,
            "lang": self.lang,
            "state": self.state,
            "slow": self.slow,
            "options": [{"id": o.id, "label": o.label} for o in self.options],
            "done": self.done,
        }
