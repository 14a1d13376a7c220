"""speech/ raises one family of errors, so a command catches `SpeechError` and prints its advice."""

from __future__ import annotations

import inspect

import speech.errors
from speech.errors import AudioError, RecognitionError, SpeechError


def test_every_speech_error_is_a_speech_error() -> None:
    classes = [c for _, c in inspect.getmembers(speech.errors, inspect.isclass) if c.__module__ == "speech.errors"]
    assert len(classes) >= 8
    assert all(issubclass(c, SpeechError) for c in classes)
    assert not issubclass(AudioError, RecognitionError) and not issubclass(RecognitionError, AudioError)
