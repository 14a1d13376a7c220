"""Choosing and loading the recogniser a kiosk listens with.

Vosk when a Vosk model is installed in the data directory (or named in the settings);
otherwise PocketSphinx with the English model its wheel ships, so a fresh kiosk can
listen with nothing downloaded. Either way decoding is restricted to the catalogue in
the recogniser's language, with the grammar rebuilt whenever the catalogue changes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from intents.catalogue import LANGUAGES, Catalogue

from .errors import ModelError
from .model_store import ModelStore, guess_language
from .pocketsphinx_engine import PocketSphinxRecognizer
from .recognizer import Recognizer
from .vosk_engine import VoskRecognizer, check_model_folder, vosk_catalogue_grammar
from .vosk_lexicon import read_model_lexicon

log = logging.getLogger(__name__)

ENGINES = ("pocketsphinx", "vosk")


@dataclass(frozen=True)
class RecognizerSettings:
    """Which engine and model to use; everything may be left to the automatic choice."""

    engine: str | None = None
    """"pocketsphinx", "vosk", or None for Vosk-if-installed (KIOSK_ASR_ENGINE)."""

    vosk_model: Path | None = None
    """A Vosk model folder to use instead of the installed ones (KIOSK_VOSK_MODEL)."""

    lang: str | None = None
    """Language to listen for (KIOSK_ASR_LANG); None: the installed model's, else English."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> RecognizerSettings:
        env = os.environ if environ is None else environ
        engine = env.get("KIOSK_ASR_ENGINE") or None
        if engine is not None and engine not in ENGINES:
            raise ModelError(f"KIOSK_ASR_ENGINE={engine!r}: use one of {', '.join(ENGINES)}")
        model = env.get("KIOSK_VOSK_MODEL")
        return cls(engine, Path(model) if model else None, env.get("KIOSK_ASR_LANG") or None)


def load_recognizer(
    catalogue: Catalogue | None, data_dir: Path, settings: RecognizerSettings | None = None
) -> Recognizer:
    """The configured recogniser, loaded and ready (a second or two; the first start after a
    catalogue change also builds the grammar)."""
    chosen = settings or RecognizerSettings.from_environment()
    engine, lang = chosen.engine, chosen.lang
    model_dir = chosen.vosk_model
    if model_dir is None and engine != "pocketsphinx":
        store = ModelStore(data_dir)
        installed = store.find(lang) if lang else next(iter(store.installed()), None)
        if installed is not None:
            model_dir, lang = installed.path, installed.lang
        elif engine == "vosk":
            wanted = f"for {lang!r} " if lang else ""
            raise ModelError(
                f"no Vosk model {wanted}is installed in {store.directory}: add one with "
                "`kiosk models add vosk-model-small-cn-0.22.zip` (or choose --engine pocketsphinx)"
            )
    if model_dir is not None and engine != "pocketsphinx":
        check_model_folder(model_dir)
        lang = lang or guess_language(model_dir.name) or guess_language(model_dir.parent.name)
        if lang is None:
            raise ModelError(f"cannot tell which language the model in {model_dir} is for: give --lang")
        if catalogue is None or lang not in LANGUAGES:
            return VoskRecognizer(model_dir, lang, None)  # no catalogue in this language: open decoding
        try:
            lexicon = read_model_lexicon(model_dir)
        except ModelError as exc:
            log.warning("listening without the catalogue grammar: %s", exc)
            return VoskRecognizer(model_dir, lang, None)
        grammar = vosk_catalogue_grammar(catalogue, lang, model_dir, data_dir, lexicon)
        return VoskRecognizer(model_dir, lang, grammar, lexicon)
    return PocketSphinxRecognizer(catalogue, data_dir, lang or "en")
