"""The one conversation at the kiosk, driven by voice and by touch alike.

A resident may say "book a health check", touch a day on the screen, then say their
phone number: both ways go through the same `Dialogue`, one at a time (a lock — the voice
loop and the screen's web server run in different threads), and every reply goes to the
same places — the screen, the speaker (or a WAV file), the turn log and one printed line.
Touch is the twin of voice, not a second kiosk.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from intents.language import detect_language
from intents.parser import ParseResult
from kiosk.dialogue.dialogue import Dialogue

if TYPE_CHECKING:
    from kiosk.app import Kiosk
from kiosk.dialogue.reply import Reply
from kiosk.dialogue.states import IDENTITY_STEPS
from kiosk.screen.screen_state import Activity, Line, Picker, ScreenState
from kiosk.voice.reply_voices import ReplyVoice, Voiced
from kiosk.voice.turn_log import TurnLog, TurnRecord
from speech.audio_format import pcm_duration
from speech.endpointing import Utterance
from speech.recognizer import Transcript

log = logging.getLogger(__name__)

CATALOGUE_LANGUAGES = ("zh", "en")
NOT_KEPT = "(phone number or birth year: not kept)"
"""What the turn log and the printed line say instead of an answer to an identity question:
the screen shows the resident what was heard, but no log keeps phone numbers (PIPL Art. 6)."""
NAME_NOT_KEPT = "(name)"
"""Stands for the identified resident's name in logged replies ("Thank you, (name).")."""
PICKED_SLOTS = ("date", "time")
"""Slots the screen's pickers fill directly (a tapped day is not re-parsed from text)."""


@dataclass(frozen=True)
class HeardSpeech:
    """One utterance and what the recogniser made of it, with the timings of both."""

    transcript: Transcript
    utterance: Utterance
    closed_at: float
    """`time.perf_counter()` when the endpointer closed the utterance: the latency clock starts."""
    recognise_ms: float
    """Wall time of `Recognizer.transcribe`."""

    @property
    def audio_s(self) -> float:
        return pcm_duration(self.utterance.pcm)

    @property
    def rtf(self) -> float:
        return self.recognise_ms / 1000 / self.audio_s if self.audio_s else 0.0


class Conversation:
    """The kiosk's dialogue with the resident in front of it, shared by voice and touch."""

    def __init__(
        self,
        kiosk: Kiosk,
        voice: ReplyVoice,
        screen: ScreenState,
        turn_log: TurnLog,
        *,
        recognizer_lang: str | None = None,
        show_line: Callable[[str], None] | None = None,
    ) -> None:
        """`recognizer_lang`: the language the recogniser's grammar was built for; its words
        are parsed in that language. `show_line` receives one line per turn (e.g. `print`)."""
        self.kiosk = kiosk
        self.voice = voice
        self.screen = screen
        self.turn_log = turn_log
        self.recognizer_lang = recognizer_lang
        self.show_line = show_line
        self._lock = threading.RLock()
        self._reprompted = False
        self._touch_prompted = False

    @property
    def dialogue(self) -> Dialogue:
        return self.kiosk.dialogue

    # ------------------------------------------------------------------ what starts a turn

    def welcome(self) -> Reply:
        with self._lock:
            reply = self.dialogue.welcome()
            self._deliver(reply, source="welcome", heard=None)
            return reply

    def heard(self, speech: HeardSpeech) -> Reply | None:
        """The resident said something. Nothing at all heard (noise the recogniser dropped):
        no reply. Heard but not understood: the polite "could you say that another way?",
        and nothing is done."""
        transcript = speech.transcript
        if transcript.heard_nothing:
            log.info("an utterance of %.1f s held no words; not answered", speech.audio_s)
            self.screen.set_activity(Activity.LISTENING)
            return None
        words = None if transcript.unknown else transcript.text
        # Reported even when the recogniser was unsure: what it heard is the staff's only clue
        # to what residents ask that the catalogue does not cover (the understanding gaps).
        with self._lock, self.kiosk.turn(transcript.text) as dialogue:
            started = time.perf_counter()
            private = self._asking_identity()
            if not words or not words.strip():
                parse = ParseResult("", dialogue.state.lang, None, 1.0)
                heard = None
            else:
                lang = self._language_of(words)
                parse = dialogue.read(words, lang)
                heard = Line("resident", words)
            reply = dialogue.respond_to(parse)
            dialogue_ms = (time.perf_counter() - started) * 1000
            utterance = speech.utterance
            self._deliver(
                reply, source="voice", heard=heard, said=NOT_KEPT if private else transcript.text,
                unknown=transcript.unknown,
                intent=parse.intent, engine=transcript.engine, closed_at=speech.closed_at,
                timing={
                    "speech_started_s": utterance.started_at,
                    "speech_ended_s": utterance.ended_at,
                    "endpoint_s": utterance.endpoint_at,
                    "utterance_s": speech.audio_s,
                    "recognise_ms": speech.recognise_ms,
                    "rtf": speech.rtf,
                    "dialogue_ms": dialogue_ms,
                },
            )  # fmt: skip
            return reply

    def touched(self, option_id: str, label: str = "") -> Reply:
        """A button: one of the reply's options, a service, a hotline, repeat/slower/help/staff."""
        with self._lock, self.kiosk.turn(None) as dialogue:
            reply = dialogue.choose(option_id)
            heard = Line("resident", label or option_id, touched=True)
            self._deliver(reply, source="touch", heard=heard, said=option_id,
                          intent=None if ":" in option_id else option_id)  # fmt: skip
            return reply

    def picked(self, slot: str, value: str, label: str = "") -> Reply:
        """A day or a time tapped on a picker: the slot is given as is, like a parsed answer."""
        if slot not in PICKED_SLOTS:
            raise ValueError(f"the screen can pick {' or '.join(PICKED_SLOTS)}, not {slot!r}")
        with self._lock, self.kiosk.turn(None) as dialogue:
            lang = dialogue.state.lang
            reply = dialogue.respond_to(ParseResult(value, lang, None, 1.0, {slot: value}))
            heard = Line("resident", label or value, touched=True)
            self._deliver(reply, source="touch", heard=heard, said=f"{slot}:{value}", intent=None)
            return reply

    def typed(self, text: str) -> Reply:
        """Digits from the on-screen number pad (a phone number, a birth year): handled as if said."""
        with self._lock, self.kiosk.turn(None) as dialogue:  # number-pad digits are never reported
            private = self._asking_identity()
            reply = dialogue.handle(text)
            heard = Line("resident", text, touched=True)
            self._deliver(reply, source="touch", heard=heard, said=NOT_KEPT if private else text, intent=None)
            return reply

    def silence(self) -> Reply | None:
        """Called after a long silence. In the middle of a task: re-prompt once ("are you still
        there?" and the question again); the next time, point at the buttons. Idle: nothing —
        a kiosk that talks to an empty hall is a nuisance."""
        with self._lock:
            if self.dialogue.state.name in ("idle", "ended"):
                return None
            if not self._reprompted:
                reply = self.dialogue.reprompt()
                self._deliver(reply, source="silence", heard=None)
                self._reprompted = True
                return reply
            if not self._touch_prompted:
                self.screen.show_touch_options()
                self._touch_prompted = True
            return None

    def set_language(self, lang: str) -> Reply:
        """The language switch on the screen: the kiosk carries on in `lang`."""
        if lang not in CATALOGUE_LANGUAGES:
            raise ValueError(f"the kiosk speaks {' and '.join(CATALOGUE_LANGUAGES)}, not {lang!r}")
        with self._lock:
            self.dialogue.state.lang = lang
            idle = self.dialogue.state.name in ("idle", "ended")
            reply = self.dialogue.welcome() if idle else self.dialogue.reprompt()
            self._deliver(reply, source="touch", heard=None, said=f"lang:{lang}", intent=None)
            return reply

    def _asking_identity(self) -> bool:
        return self.dialogue.state.step in IDENTITY_STEPS

    def expects_phone(self) -> bool:
        """Whether the pending question asks for a phone number."""
        return self.dialogue.state.step in ("ask_identity", "ask_phone")

    # ------------------------------------------------------------------ speaking

    @property
    def speaking(self) -> bool:
        return self.voice.speaking

    def stop_speaking(self) -> None:
        self.voice.stop()

    def close(self) -> None:
        with self._lock:
            self.voice.stop()
            self.dialogue.close()

    # ------------------------------------------------------------------ one reply, everywhere

    def _deliver(
        self,
        reply: Reply,
        *,
        source: str,
        heard: Line | None,
        said: str = "",
        unknown: bool = False,
        intent: str | None = None,
        engine: str | None = None,
        closed_at: float | None = None,
        timing: dict[str, float] | None = None,
    ) -> None:
        if source != "silence":
            self._reprompted = self._touch_prompted = False
        turn = self.turn_log.next_turn()
        self.screen.show_turn(heard, reply, self._picker())
        self.screen.set_activity(Activity.SPEAKING)
        voiced: Voiced = self.voice.say(reply, turn)
        if not self.voice.speaking:
            self.screen.set_activity(Activity.LISTENING)
        figures = dict(timing or {})
        if closed_at is not None and voiced.ready_at is not None:
            to_audio = (voiced.ready_at - closed_at) * 1000
            figures["end_to_first_audio_ms"] = to_audio
            if "endpoint_s" in figures:
                waited_s = figures["endpoint_s"] - figures["speech_ended_s"]
                figures["heard_to_first_audio_ms"] = to_audio + 1000 * waited_s
        resident = self.dialogue.state.resident
        logged_reply = reply.text.replace(resident.name, NAME_NOT_KEPT) if resident and resident.name else reply.text
        record = TurnRecord(
            turn=turn, source=source, heard=said, unknown=unknown, intent=intent, reply=logged_reply,
            state=reply.state, lang=reply.lang, audio_path=str(voiced.path) if voiced.path else None,
            synthesis_ms=voiced.synthesis_ms, engine=engine, **figures,
        )  # fmt: skip
        self.turn_log.add(record)
        if self.show_line is not None:
            self.show_line(turn_line(record))

    def _picker(self) -> Picker | None:
        """The date/time picker or number pad the pending question needs on screen."""
        s = self.dialogue.state
        booking = s.booking
        if s.step in ("ask_identity", "ask_phone"):
            return Picker("phone")
        if s.step == "ask_birth_year":
            return Picker("year")
        if s.task == "booking" and booking is not None and booking.service:
            if s.step in ("ask_date", "ask_change"):
                return Picker("date", booking.service)
            if s.step == "ask_time" and booking.day is not None:
                return Picker("time", booking.service, booking.day.isoformat())
        return None

    def _language_of(self, text: str) -> str:
        if self.recognizer_lang in CATALOGUE_LANGUAGES:
            return self.recognizer_lang
        return detect_language(text)


def turn_line(record: TurnRecord) -> str:
    """The one line `kiosk run` prints per turn: heard text, intent, reply (and the timings)."""
    if record.source == "welcome":
        heard = "(welcome)"
    elif record.source == "silence":
        heard = "(silence)"
    elif record.source == "touch":
        heard = f"(touch) {record.heard}"
    elif record.unknown:
        heard = f"(not understood) {record.heard}".rstrip()
    else:
        heard = record.heard
    line = f"[{record.turn}] heard: {heard} | intent: {record.intent or '-'} | reply: {record.reply}"
    if record.end_to_first_audio_ms is not None:
        line += f" | first audio {record.end_to_first_audio_ms:.0f} ms"
    if record.rtf is not None:
        line += f", RTF {record.rtf:.3f}"
    return line
