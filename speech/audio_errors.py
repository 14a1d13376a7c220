"""Errors from capture, audio files and speech output, worded for the person who must fix them.

Kiosks are set up by centre staff, not developers: every message says what is wrong *and*
what to do (plug in a microphone, run script/setup, use a recording), so the CLI can print
it as is instead of a traceback.
"""

from __future__ import annotations


class AudioError(Exception):
    """Base class: the kiosk cannot hear, read or play audio."""


class AudioDeviceError(AudioError):
    """No usable microphone or speaker, or the PortAudio library is missing."""


class AudioFormatError(AudioError):
    """A recording cannot be read as audio (not a WAV file, compressed, empty…)."""


class SpeechOutputError(AudioError):
    """Speech synthesis failed: espeak-ng missing, unknown voice, or synthesis timed out."""
