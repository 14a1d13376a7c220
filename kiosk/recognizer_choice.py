"""Which speech recogniser `kiosk run` listens with.

Vosk when staff have installed a Vosk model in the data directory (`kiosk models add`,
e.g. vosk-model-small-cn for Mandarin); otherwise PocketSphinx with the US-English model
its wheel ships, so a fresh kiosk can listen with nothing downloaded. Either way the
grammar comes from the catalogue (and is rebuilt when the catalogue changes).
"""

from __future__ import annotations

from pathlib import Path

from intents import Catalogue
from speech.recognition_errors import ModelError
from speech.recognizer import Recognizer


def load_recognizer(catalogue: Catalogue, data_dir: Path) -> Recognizer:
    """The recogniser for this kiosk, loaded and ready (takes a second or two)."""
    try:
        from speech import pocketsphinx_engine  # noqa: F401  (built in parallel; see the report)
    except ImportError as exc:
        raise ModelError(f"no speech recogniser engine is available yet ({exc})") from exc
    raise ModelError("recogniser engines not wired yet")
