"""PocketSphinx with the US-English model its wheel ships: the engine a fresh kiosk has.

Decoding is restricted to the catalogue with a trigram model estimated from the grammar
(`arpa_model`), not with a strict JSGF grammar (`jsgf_grammar`). Measured on the 28
espeak-ng requests of tests/speech (en-us+f2, 160 words a minute): the trigram model found
the right intent for 27, JSGF for 20; it loads in 1.3 s against 34 s and decodes at a
real-time factor of 0.06 against 7.7 — a strict grammar of ~1,400 sentences with slots
compiles into a huge finite-state network, and forces any slip onto a whole wrong
sentence. (With espeak's default voice: 0.63 against 0.48.)

Out-of-grammar speech: the model also contains the 1,500 most frequent English words the
catalogue does not use (ranked by the wheel's general English model), each with little
weight — Rhasspy's "unknown words" branch. Speech the catalogue does not cover then
comes out as those words; when they dominate, or the words' lattice posteriors are low,
the transcript is marked `unknown`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pocketsphinx

from intents.catalogue import Catalogue, Language

from .arpa_model import arpa_text
from .atomic_files import write_atomically, write_text_atomically
from .errors import ModelError
from .grammar import Grammar, GrammarCache, WeightedPhrase, catalogue_grammar, lexicon_identity
from .jsgf_grammar import jsgf_text
from .pocketsphinx_decoding import decode_words, english_decoder, mean_confidence
from .pronouncing_dictionary import PronouncingDictionary, english_model_dir, read_dictionary
from .recognizer import Transcript

ENGINE = "pocketsphinx"

Decoding = Literal["lm", "jsgf", "open"]
"""How decoding is restricted: catalogue trigram model (default), strict JSGF, or the
wheel's general English model (no restriction; for comparison only)."""

LM_ORDER = 3
"""Trigrams: measured slightly better than bigrams (0.85 against 0.82 right intents)."""

UNKNOWN_WORDS = 1500
"""How many frequent non-catalogue English words stand in for speech outside the catalogue."""

UNKNOWN_WORDS_WEIGHT = 300.0
"""Their total weight, against about 1,500 for the catalogue's sentences. Measured on
espeak-ng speech: 12 of 18 out-of-grammar sentences came out `unknown` instead of 8, for
one right intent in 75 lost (0.871 against 0.884 over two voices); more weight cost more."""

UNKNOWN_WORD_SHARE = 0.5
"""At least this share of non-catalogue words makes the transcript `unknown`."""

MIN_CONFIDENCE = 0.4
"""Mean word posterior below this makes the transcript `unknown`: on espeak-ng requests it
turned about half of the misrecognitions and a third of out-of-grammar sentences into a
polite "say that another way", at the cost of about one right transcript in twenty."""

FLAT_SECOND_PASS = False
"""PocketSphinx's second, flat-lexicon search pass. Off: decoding is 30 % faster (real-time
factor 0.08 against 0.11 under load) and right intents did not drop (0.94 against 0.92 for
en-us+f2; within ±3 points for four other voices)."""

GRAMMAR_CACHE_NAME = "pocketsphinx"


@dataclass(frozen=True)
class DecoderFiles:
    """The files one PocketSphinx decoder is configured with, cached per catalogue version."""

    dictionary: Path
    """Pronunciations of the grammar's words only (loads in milliseconds)."""

    language_model: Path | None
    """ARPA trigram model (decoding "lm")."""

    jsgf: Path | None
    """JSGF grammar (decoding "jsgf")."""

    catalogue_words: frozenset[str]
    """Words of the catalogue grammar; any other word heard is an unknown-word stand-in."""


class PocketSphinxRecognizer:
    """English recognition restricted to the catalogue. Not thread-safe: one utterance at a time."""

    engine = ENGINE

    def __init__(self, catalogue: Catalogue | None, data_dir: Path, lang: Language = "en",
                 decoding: Decoding = "lm") -> None:  # fmt: skip
        if lang != "en":
            raise ModelError(
                f"PocketSphinx here only has the English model its wheel ships, not {lang!r}: install a Vosk "
                "model for that language with `kiosk models add` (e.g. vosk-model-small-cn-0.22 for Mandarin)"
            )
        self.lang = lang
        self.decoding = decoding
        config: dict[str, object] = {"fwdflat": FLAT_SECOND_PASS}
        if decoding == "open":
            self._catalogue_words: frozenset[str] | None = None
        else:
            if catalogue is None:
                raise ValueError("a catalogue is needed to restrict decoding to it")
            files = prepare_decoder_files(catalogue, data_dir, decoding)
            self._catalogue_words = files.catalogue_words
            config["dict"] = str(files.dictionary)
            if decoding == "jsgf":
                config["jsgf"] = str(files.jsgf)
            else:
                config["lm"] = str(files.language_model)
        self._decoder = english_decoder(**config)

    def transcribe(self, pcm: bytes) -> Transcript:
        """What was said, restricted to the catalogue; `unknown` when it sounds like something else."""
        words = decode_words(self._decoder, pcm)
        if not words:
            return Transcript.silence(ENGINE)
        confidence = mean_confidence(words)
        known = self._catalogue_words
        unknown_share = 0.0 if known is None else sum(w.text not in known for w in words) / len(words)
        unknown = unknown_share >= UNKNOWN_WORD_SHARE or confidence < MIN_CONFIDENCE
        text = " ".join(w.text for w in words)
        return Transcript(text, round(confidence, 3), words, unknown, ENGINE)


def prepare_decoder_files(catalogue: Catalogue, data_dir: Path, decoding: Decoding = "lm") -> DecoderFiles:
    """Grammar, dictionary and model files for this catalogue, built once and cached in the data dir."""
    dictionary = read_dictionary()
    grammar = english_grammar(catalogue, data_dir, dictionary)
    cache_dir = data_dir / "grammars"
    stem = cache_dir / f"{GRAMMAR_CACHE_NAME}-en-{grammar.digest[:16]}"
    catalogue_words = grammar.vocabulary()
    stand_ins_path = stem.with_suffix(".unknown-words.json")
    stand_ins = _cached_json(stand_ins_path, lambda: unknown_word_stand_ins(dictionary, catalogue_words))
    dict_path = stem.with_suffix(".dict")
    if not dict_path.is_file():
        write_atomically(dict_path, lambda p: dictionary.write_subset(catalogue_words | set(stand_ins), p))
    lm_path = jsgf_path = None
    if decoding == "lm":
        lm_path = stem.with_suffix(".arpa")
        if not lm_path.is_file():
            phrases = [*grammar.phrases(), *_stand_in_phrases(stand_ins)]
            write_text_atomically(lm_path, arpa_text(phrases, LM_ORDER))
    elif decoding == "jsgf":
        jsgf_path = stem.with_suffix(".jsgf")
        if not jsgf_path.is_file():
            write_text_atomically(jsgf_path, jsgf_text(grammar))
    _remove_older_files(cache_dir, stem.name)
    return DecoderFiles(dict_path, lm_path, jsgf_path, catalogue_words)


def unknown_word_stand_ins(dictionary: PronouncingDictionary, catalogue_words: frozenset[str]) -> list[str]:
    """The most frequent English words the catalogue does not use, by the wheel's general model."""
    model = english_model_dir()
    config = pocketsphinx.Config(hmm=str(model / "en-us"), loglevel="FATAL")
    general = pocketsphinx.NGramModel(config, pocketsphinx.LogMath(), str(model / "en-us.lm.bin"))
    ranked = sorted(
        ((general.prob([w]), w) for w in dictionary.entries if w not in catalogue_words and w[0].isalpha()),
        reverse=True,
    )
    return [w for _, w in ranked[:UNKNOWN_WORDS]]


def english_grammar(catalogue: Catalogue, data_dir: Path, dictionary: PronouncingDictionary | None = None) -> Grammar:
    """The English grammar PocketSphinx decodes with, from the cache in the data dir when current."""
    words = dictionary or read_dictionary()
    lexicon_id = lexicon_identity(words.source) + "|" + lexicon_identity(english_model_dir() / "en-us.lm.bin")
    return GrammarCache(data_dir / "grammars").load_or_build(
        catalogue, "en", GRAMMAR_CACHE_NAME, lexicon_id, lambda: catalogue_grammar(catalogue, "en", words, lexicon_id)
    )


def _stand_in_phrases(words: list[str]) -> list[WeightedPhrase]:
    return [WeightedPhrase((w,), UNKNOWN_WORDS_WEIGHT / max(1, len(words))) for w in words]


def _cached_json(path: Path, build: Callable[[], list[str]]) -> list[str]:
    if path.is_file():
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(value, list):
                return [str(v) for v in value]
        except (OSError, ValueError):
            pass
    value = build()
    write_text_atomically(path, json.dumps(value))
    return value


def _remove_older_files(cache_dir: Path, keep_stem: str) -> None:
    for old in cache_dir.glob(f"{GRAMMAR_CACHE_NAME}-en-*"):
        if not old.name.startswith(keep_stem) and old.suffix in (".dict", ".arpa", ".jsgf", ".json"):
            old.unlink(missing_ok=True)
