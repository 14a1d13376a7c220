"""`kiosk run`'s heart: capture → endpointing → recognition → conversation, frame by frame.

One loop serves a microphone and a recording alike, because both are an `AudioSource` of
30 ms frames; all its clocks are *stream* time (seconds of audio fed), so the 8-second
re-prompt behaves the same live and from a file, and tests can check it without waiting.

While the kiosk is talking the loop keeps listening: as soon as the endpointer is sure
the resident is speaking (`hearing_speech`, about a quarter of a second of voice) the reply
is cut off (barge-in), so nobody has to wait for a long answer they already know. With
open loudspeakers and no echo cancellation the microphone also hears the kiosk itself;
there, use push-to-talk (or `--no-barge-in`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from intents import Catalogue
from kiosk.conversation import Conversation, HeardSpeech
from kiosk.screen.screen_state import Activity
from speech.audio_source import AudioSource
from speech.endpointing import Endpointer, ListeningMode, Utterance
from speech.phone_numbers import PhoneNumberRecognizer
from speech.recognizer import Recognizer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoiceLoopSettings:
    """Timing of the loop; the defaults follow the elder-friendly design notes."""

    reprompt_after_s: float = 8.0
    """Silence in the middle of a task before the kiosk asks again (once), and again before
    it points at the buttons — Alexa's 8 s, which older users were comfortable with."""
    barge_in: bool = True
    """Stop talking when the resident starts to speak."""


class VoiceLoop:
    """Listens, understands and answers until the audio source ends or `stop()` is called."""

    def __init__(
        self,
        source: AudioSource,
        endpointer: Endpointer,
        recognizer: Recognizer,
        conversation: Conversation,
        settings: VoiceLoopSettings | None = None,
        phone_listener: PhoneNumberRecognizer | None = None,
        *,
        rebuild_recognizer: Callable[[Catalogue], Recognizer] | None = None,
        recognizer_catalogue: Catalogue | None = None,
    ) -> None:
        """`phone_listener` decodes once more, with a grammar of phone numbers only, an answer to
        "what is your phone number?" that the recogniser heard as mostly digits (see
        speech/phone_numbers.py). `rebuild_recognizer` makes a recogniser for a
        newly published catalogue, whose new words the old grammar could not hear;
        `recognizer_catalogue` is the one `recognizer` was built for."""
        self.source = source
        self.endpointer = endpointer
        self.recognizer = recognizer
        self.conversation = conversation
        self.settings = settings or VoiceLoopSettings()
        self.phone_listener = phone_listener
        self.rebuild_recognizer = rebuild_recognizer
        self._recognizer_catalogue = recognizer_catalogue
        self._quiet_since = 0.0
        self._stopping = threading.Event()

    def run(self, *, welcome: bool = True) -> None:
        """Greet the resident, then take utterances until the source ends."""
        if welcome:
            self.conversation.welcome()
        endpointer = self.endpointer
        for frame in self.source.frames():
            if self._stopping.is_set():
                break
            utterance = endpointer.feed(frame)
            if utterance is not None:
                self._answer(utterance)
                continue
            self._between_utterances()
        last = endpointer.finish()
        if last is not None and not self._stopping.is_set():
            self._answer(last)

    def press_to_talk(self) -> None:
        """The screen's "Talk" button: start listening (push-to-talk) and stop the kiosk talking."""
        self.conversation.stop_speaking()
        self.endpointer.press()

    def stop(self) -> None:
        """End `run()` at the next frame (from another thread); the caller closes the source."""
        self._stopping.set()

    # ------------------------------------------------------------------ per frame

    def _between_utterances(self) -> None:
        endpointer = self.endpointer
        now = endpointer.stream_time
        conversation = self.conversation
        if conversation.speaking:
            self._quiet_since = now  # the silence that counts starts when the kiosk stops talking
            if self.settings.barge_in and endpointer.hearing_speech:
                log.info("barge-in at %.2f s: the resident started talking", now)
                conversation.stop_speaking()
            else:
                return
        if endpointer.hearing_speech:
            self._quiet_since = now
            conversation.screen.set_activity(Activity.HEARING)
            return
        conversation.screen.set_activity(Activity.LISTENING if endpointer.listening else Activity.WAITING)
        if now - self._quiet_since >= self.settings.reprompt_after_s:
            self._quiet_since = now
            conversation.silence()

    def _answer(self, utterance: Utterance) -> None:
        closed_at = time.perf_counter()
        self.conversation.stop_speaking()
        self.conversation.screen.set_activity(Activity.THINKING)
        self._follow_catalogue()
        transcript = self.recognizer.transcribe(utterance.pcm)
        if self.phone_listener is not None and self.conversation.expects_phone():
            transcript = self.phone_listener.second_pass(transcript, utterance.pcm)
        recognise_ms = (time.perf_counter() - closed_at) * 1000
        self.conversation.heard(HeardSpeech(transcript, utterance, closed_at, recognise_ms))
        self._quiet_since = self.endpointer.stream_time
        if self.endpointer.mode is ListeningMode.PUSH_TO_TALK and not self.endpointer.listening:
            self.conversation.screen.set_activity(Activity.WAITING)

    def _follow_catalogue(self) -> None:
        """Listen with the grammar of the catalogue the kiosk now uses (staff may have published)."""
        catalogue = self.conversation.kiosk.refresh_catalogue()
        if self.rebuild_recognizer is None or catalogue is self._recognizer_catalogue:
            return
        started = time.perf_counter()
        self.recognizer = self.rebuild_recognizer(catalogue)
        self._recognizer_catalogue = catalogue
        log.info("recogniser rebuilt for the newly published catalogue in %.1f s", time.perf_counter() - started)
