"""Loading PortAudio (through sounddevice) with a message staff can act on when it is missing.

sounddevice raises a bare `OSError: PortAudio library not found` at import time; the kiosk
imports it only when a microphone or speaker is actually used, so recordings, tests and WAV
rendering work on machines without sound hardware or the library.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Protocol

from .errors import AudioDeviceError

NO_MICROPHONE_HELP = (
    "Connect a microphone (USB microphones work without drivers) and check that the system sees it "
    "(`arecord -l`), or run the kiosk from a recording with `--audio-in FILE.wav`."
)
"""What to do when no microphone can be used."""

NO_SPEAKER_HELP = (
    "Connect speakers or headphones and check that the system sees them (`aplay -l`), "
    "or write the replies to WAV files with `--audio-out DIR`."
)
"""What to do when no speaker can be used."""


class PortAudioStream(Protocol):
    """What the kiosk uses of a sounddevice stream (the library ships no types of its own)."""

    @property
    def samplerate(self) -> float:
        """Frames per second the device was opened at."""
        ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


def load_portaudio() -> ModuleType:
    """The `sounddevice` module, or `AudioDeviceError` if its PortAudio library is missing."""
    try:
        return importlib.import_module("sounddevice")
    except (OSError, ImportError) as err:
        raise AudioDeviceError(
            "The PortAudio sound library is missing, so the kiosk cannot use a microphone or speaker. "
            "Run script/setup (it installs the Debian package libportaudio2), "
            "or run the kiosk with recordings (`--audio-in FILE.wav`, `--audio-out DIR`)."
        ) from err
