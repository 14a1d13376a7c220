"""Decoding one utterance with PocketSphinx's English model: shared by every English grammar.

The catalogue recogniser (`pocketsphinx_engine`) and the phone-number recogniser
(`phone_numbers`) differ only in what they let the decoder hear; how an utterance is fed to
the decoder and how its segments become `Word`s is the same, and lives here once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pocketsphinx

from .errors import ModelError
from .pronouncing_dictionary import english_model_dir
from .recognizer import SAMPLE_RATE, Word

EDGE_PADDING_S = 0.3
"""Silence added before and after each utterance. Endpointed audio may be cut tight; the
acoustic model expects silence around words (measured: 0.85 → 0.87 right intents)."""

SPEECH_FLOOR_DBFS = -50.0
"""An utterance whose loudest 20 ms is quieter than this is silence: not decoded at all
(PocketSphinx hears digital silence as a confident "no")."""

NON_WORDS = ("<s>", "</s>", "<sil>")
"""Segments that mark sentence edges and pauses; fillers ("[NOISE]", "+SPN+") are skipped too."""


def english_decoder(**settings: object) -> Any:
    """A `pocketsphinx.Decoder` with the wheel's US-English acoustic model, 16 kHz input, quiet
    logs, and `settings` (dictionary, language model or JSGF grammar…) on top."""
    model = english_model_dir()
    config: dict[str, object] = {"hmm": str(model / "en-us"), "samprate": SAMPLE_RATE, "loglevel": "FATAL"}
    try:
        return pocketsphinx.Decoder(**config, **settings)
    except (RuntimeError, ValueError) as exc:
        raise ModelError(f"PocketSphinx will not start with its English model in {model}: {exc}") from None


def decode_words(decoder: Any, pcm: bytes) -> tuple[Word, ...]:
    """The words `decoder` hears in one utterance of kiosk PCM; none for silence or noise only.

    Not thread-safe: a decoder takes one utterance at a time.
    """
    if loudest_frame_dbfs(pcm) < SPEECH_FLOOR_DBFS:
        return ()
    padding = bytes(int(EDGE_PADDING_S * SAMPLE_RATE) * 2)
    decoder.start_utt()
    decoder.process_raw(padding + pcm + padding, full_utt=True)
    decoder.end_utt()
    frame_s = 1.0 / decoder.config["frate"]
    return tuple(
        Word(
            segment.word.split("(", 1)[0],  # "two(2)": the second pronunciation of "two"
            round(max(0.0, segment.start_frame * frame_s - EDGE_PADDING_S), 2),
            round(max(0.0, (segment.end_frame + 1) * frame_s - EDGE_PADDING_S), 2),
            round(min(1.0, max(0.0, segment.prob)), 3),
        )
        for segment in decoder.seg() or ()  # None when a strict grammar found no path at all
        if segment.word not in NON_WORDS and not segment.word.startswith(("[", "+"))
    )


def mean_confidence(words: tuple[Word, ...]) -> float:
    """The transcript's confidence: its words' mean posterior (0 for no words)."""
    return sum(w.confidence for w in words) / len(words) if words else 0.0


def loudest_frame_dbfs(pcm: bytes) -> float:
    """Power of the loudest 20 ms of kiosk PCM, in dB full scale (-100 for silence or too short)."""
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float32)
    frame = SAMPLE_RATE // 50
    if samples.size < frame:
        return -100.0
    frames = samples[: samples.size // frame * frame].reshape(-1, frame)
    power = float((frames * frames).mean(axis=1).max()) / (32768.0 * 32768.0)
    return 10.0 * float(np.log10(power)) if power > 0 else -100.0
