"""What the kiosk screen shows right now, shared between the voice loop and the web page.

The voice loop (and touches) change it from their own threads; the page follows it by
Server-Sent Events. Every change bumps `version`, so the event stream sends a snapshot
only when something changed, and a page that reconnects simply gets the latest one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from kiosk.dialogue.reply import Reply

HISTORY_TURNS = 6
"""Lines of conversation kept on screen: enough to see the last question and answer again."""


class Activity(StrEnum):
    """What the kiosk is doing — always on screen, so a resident knows whether to speak."""

    LISTENING = "listening"
    """The microphone is open: speak now."""
    HEARING = "hearing"
    """Speech is coming in."""
    THINKING = "thinking"
    """Recognising, understanding, asking the server."""
    SPEAKING = "speaking"
    """A reply is playing (speaking again stops it)."""
    WAITING = "waiting"
    """Push-to-talk and not pressed: touch "Talk" (or the screen) to go on."""
    TOUCH = "touch"
    """No microphone (`kiosk screen`, `--no-audio`): touch only."""


@dataclass(frozen=True)
class Picker:
    """A touch twin the current question needs beyond its buttons."""

    kind: str
    """"date", "time", "phone" or "year"."""
    service: str | None = None
    """The service being booked (date and time pickers)."""
    date: str | None = None
    """The chosen date, ISO (time picker)."""


@dataclass(frozen=True)
class Line:
    """One line of the conversation as the screen mirrors it."""

    who: str
    """"kiosk" or "resident"."""
    text: str
    touched: bool = False
    """The resident touched a button (shown as "you chose …") rather than spoke."""


@dataclass(frozen=True)
class ScreenSnapshot:
    """Everything the page needs to draw itself, at one `version`."""

    version: int
    activity: Activity
    lang: str
    """Language of the last reply: the screen's words follow it."""
    reply: Reply | None
    """The kiosk's last reply, shown largest; its `options` are the buttons."""
    heard: Line | None
    """The resident's last words (or touch), shown smaller above the reply."""
    history: tuple[Line, ...]
    picker: Picker | None
    touch_prompt: bool
    """The resident stayed silent after a re-prompt: the buttons are pointed out."""
    audio: bool
    """Whether there is a microphone and speaker (False: touch only)."""
    push_to_talk: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "activity": self.activity.value,
            "lang": self.lang,
            "reply": self.reply.to_json() if self.reply else None,
            "heard": _line(self.heard) if self.heard else None,
            "history": [_line(line) for line in self.history],
            "picker": None if self.picker is None else {
                "kind": self.picker.kind, "service": self.picker.service, "date": self.picker.date,
            },
            "touch_prompt": self.touch_prompt,
            "audio": self.audio,
            "push_to_talk": self.push_to_talk,
        }  # fmt: skip


def _line(line: Line) -> dict[str, Any]:
    return {"who": line.who, "text": line.text, "touched": line.touched}


@dataclass
class ScreenState:
    """The current snapshot, replaced whole on each change; safe to use from any thread."""

    lang: str = "zh"
    audio: bool = True
    push_to_talk: bool = False
    _snapshot: ScreenSnapshot = field(init=False)
    _changed: threading.Condition = field(init=False, default_factory=threading.Condition)
    _closed: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        idle = Activity.LISTENING if self.audio and not self.push_to_talk else Activity.WAITING
        self._snapshot = ScreenSnapshot(
            version=0, activity=idle if self.audio else Activity.TOUCH, lang=self.lang, reply=None, heard=None,
            history=(), picker=None, touch_prompt=False, audio=self.audio, push_to_talk=self.push_to_talk,
        )  # fmt: skip

    @property
    def snapshot(self) -> ScreenSnapshot:
        with self._changed:
            return self._snapshot

    def set_activity(self, activity: Activity) -> None:
        if not self.audio:
            activity = Activity.TOUCH if activity is not Activity.THINKING else activity
        with self._changed:
            if self._snapshot.activity is not activity:
                self._change(activity=activity)

    def show_turn(self, heard: Line | None, reply: Reply, picker: Picker | None) -> None:
        """A new reply (after words, a touch, a re-prompt or the welcome)."""
        with self._changed:
            lines = [*self._snapshot.history]
            if heard is not None and heard.text:
                lines.append(heard)
            lines.append(Line("kiosk", reply.text))
            self._change(
                reply=reply, lang=reply.lang, heard=heard, history=tuple(lines[-HISTORY_TURNS:]), picker=picker,
                touch_prompt=False,
            )  # fmt: skip

    def show_touch_options(self) -> None:
        with self._changed:
            self._change(touch_prompt=True)

    def set_language(self, lang: str) -> None:
        with self._changed:
            self._change(lang=lang)

    def wait_for_change(self, version: int, timeout: float) -> ScreenSnapshot:
        """The snapshot once its version differs from `version` (or after `timeout` seconds,
        or at once when the screen is closing)."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._snapshot.version != version, timeout)
            return self._snapshot

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """The kiosk is stopping: pages following the screen are let go (their event streams
        end), so the web server can stop without cutting them off mid-answer."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _change(self, **changes: Any) -> None:
        self._snapshot = replace(self._snapshot, version=self._snapshot.version + 1, **changes)
        self._changed.notify_all()
