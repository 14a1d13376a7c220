"""Every error speech/ raises on purpose, under one base, worded for the person who must fix it.

Kiosks are set up by centre staff, not developers: every message says what is wrong *and*
what to do (plug in a microphone, run script/setup, install a model with `kiosk models add`),
so a command can catch `SpeechError` and print the message as is instead of a traceback.
Two families sit under it, because a command may treat them differently: `AudioError` (the
kiosk cannot hear, read or play sound) and `RecognitionError` (it cannot understand speech).
"""

from __future__ import annotations


class SpeechError(Exception):
    """Base class: audio or recognition trouble, with a message staff can act on."""


class AudioError(SpeechError):
    """The kiosk cannot hear, read or play audio."""


class AudioDeviceError(AudioError):
    """No usable microphone or speaker, or the PortAudio library is missing."""


class AudioFormatError(AudioError):
    """A recording cannot be read as audio (not a WAV file, compressed, empty…)."""


class SpeechOutputError(AudioError):
    """Speech synthesis failed: espeak-ng missing, unknown voice, or synthesis timed out."""


class RecognitionError(SpeechError):
    """Something stops the kiosk from understanding speech."""


class ModelError(RecognitionError):
    """A speech model is missing, incomplete or will not load."""


class ModelInstallError(ModelError):
    """`kiosk models add` cannot install what it was given (bad zip, not a Vosk model…)."""
