"""Audio for the kiosk: capture, endpointing, recognition and speech output.

Knows nothing of HTTP, SQL or the dialogue: it turns sound into utterances and text, and reply
text into sound. Everything inside passes kiosk PCM (16 kHz, mono, int16; see `audio_format`).
"""

from .audio_format import BYTES_PER_SECOND, SAMPLE_RATE, SAMPLE_WIDTH, read_wav, write_wav
from .audio_source import FRAME_MS, AudioSource, InputDevice, MicrophoneSource, WavFileSource, list_input_devices
from .endpointing import Endpointer, EndpointerSettings, EndReason, ListeningMode, Utterance, split_utterances
from .errors import (
    AudioDeviceError,
    AudioError,
    AudioFormatError,
    ModelError,
    RecognitionError,
    SpeechError,
    SpeechOutputError,
)  # fmt: skip
from .playback import Playback
from .speech_output import SpeechOutput, SpeechOutputSettings, SpokenAudio

__all__ = [
    "BYTES_PER_SECOND",
    "FRAME_MS",
    "SAMPLE_RATE",
    "SAMPLE_WIDTH",
    "AudioDeviceError",
    "AudioError",
    "AudioFormatError",
    "AudioSource",
    "EndReason",
    "Endpointer",
    "EndpointerSettings",
    "InputDevice",
    "ListeningMode",
    "MicrophoneSource",
    "ModelError",
    "Playback",
    "RecognitionError",
    "SpeechError",
    "SpeechOutput",
    "SpeechOutputError",
    "SpeechOutputSettings",
    "SpokenAudio",
    "Utterance",
    "WavFileSource",
    "list_input_devices",
    "read_wav",
    "split_utterances",
    "write_wav",
]
