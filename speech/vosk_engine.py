"""Vosk with an operator-installed model (vosk-model-small-cn-0.22 for Mandarin), decoding
restricted to the catalogue.

`KaldiRecognizer(model, 16000, json.dumps(phrases + [unk]))` — Vosk 0.3.45 estimates a
bigram model from the phrase list (recognizer.cc, `UpdateGrammarFst`), so words of
different phrases can follow each other: it is a vocabulary with preferences, not a
sentence grammar. Three things keep it honest:

- the phrases are in the model's own words (`grammar` + `vosk_lexicon`); any other word
  would be dropped without a sound;
- the unknown-word token is added, spelt the way this model spells it (`[unk]` for most,
  `<UNK>` for the Korean model, `<unk>` for Swedish — wyoming-vosk's table, confirmed here
  by reading the model's word table), so speech outside the grammar can come out as
  unknown rather than be forced onto grammar words;
- some models almost never emit the unknown token (the Korean one: vosk-api#2041), so the
  result is also checked against the phrases themselves. Out-of-grammar speech comes out
  as a salad of grammar words; for a closed phrase list, a transcript far from every phrase
  is out of grammar; for the catalogue (whose slot combinations are only sampled, and where
  a resident may run two requests together) the check is gentler: most neighbouring word
  pairs heard must occur in some catalogue phrase.

A second, open pass (no grammar) was measured as the other way to spot out-of-grammar
speech and not adopted: it costs a real-time factor of 0.31 against 0.035 with the grammar
on the Korean model, and on synthetic speech its transcripts are too poor to compare with.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import vosk
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from intents.catalogue import Catalogue, Language

from .errors import ModelError
from .grammar import Grammar, GrammarCache, catalogue_grammar, lexicon_identity, phrase_grammar
from .recognizer import SAMPLE_RATE, Transcript, Word
from .vosk_lexicon import ModelLexicon, read_model_lexicon

ENGINE = "vosk"

UNKNOWN_TOKENS = ("[unk]", "<UNK>", "<unk>")
"""How models spell the unknown word, most common first; the model's word table decides."""

UNKNOWN_SHARE = 0.5
"""Unknown tokens making up at least this share of the words: out of grammar."""

MIN_CONFIDENCE = 0.5
"""Mean word confidence below this: too unsure to act on."""

PHRASE_FIT_CUTOFF = 0.5
"""Largest word-level edit distance between what was heard and the nearest grammar phrase,
as a share of that phrase's words, for the speech to count as in grammar. Dividing by the
phrase (not the longer of the two) counts every extra word heard against the fit: out-of-
grammar speech comes out as a long run of grammar words. Measured on Korean espeak-ng
audio: grammar phrases came out within 0.5 of themselves, other sentences 0.8 or more
from every phrase."""

PAIR_SHARE_CUTOFF = 0.5
"""For catalogue grammars: the smallest share of neighbouring word pairs heard (counting the
utterance's start and end) that must occur in some grammar phrase. Measured on Korean
espeak-ng audio: grammar phrases scored 0.6–1.0 when recognised (0.33 when misheard), word
salads from other sentences 0.25–0.6 — so this only catches the grossest salads, on purpose:
a resident's legitimate combination of two requests must not be refused."""

NEAREST_CANDIDATES = 10
"""Phrases ranked by rapidfuzz's normalised distance before the phrase-length measure picks one."""


class VoskRecognizer:
    """One Vosk model, restricted to a grammar (or open when there is none). One utterance at a time."""

    engine = ENGINE

    def __init__(
        self, model_dir: Path, lang: Language, grammar: Grammar | None, lexicon: ModelLexicon | None = None
    ) -> None:
        self.lang = lang
        self.model_dir = model_dir
        self.grammar = grammar
        model = load_vosk_model(model_dir)
        self._unknown_token = unknown_token(lexicon or read_model_lexicon(model_dir)) if grammar else None
        self._phrases: list[list[str]] = []
        self._pairs: set[tuple[str, str]] = set()
        if grammar is None:
            self._recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE)
        else:
            texts = grammar.phrase_texts()
            if grammar.closed:
                self._phrases = [t.split() for t in texts]
            else:
                self._pairs = {pair for t in texts for pair in _word_pairs(t.split())}
            spec = json.dumps([*texts, self._unknown_token], ensure_ascii=False)
            self._recognizer = vosk.KaldiRecognizer(model, SAMPLE_RATE, spec)
        self._recognizer.SetWords(True)

    def transcribe(self, pcm: bytes) -> Transcript:
        recognizer = self._recognizer
        recognizer.AcceptWaveform(pcm)
        result = json.loads(recognizer.FinalResult())
        recognizer.Reset()
        heard = [
            Word(w["word"], round(float(w["start"]), 2), round(float(w["end"]), 2), round(float(w["conf"]), 3))
            for w in result.get("result", ())
        ]
        if not heard:
            return Transcript.silence(ENGINE)
        words = tuple(w for w in heard if w.text not in UNKNOWN_TOKENS)
        unknown_share = 1.0 - len(words) / len(heard)
        confidence = sum(w.confidence for w in words) / len(words) if words else 0.0
        text_words = [w.text for w in words]
        unknown = unknown_share >= UNKNOWN_SHARE or confidence < MIN_CONFIDENCE
        if self._phrases and text_words and not unknown:
            nearest, distance = self._nearest_phrase(text_words)
            if distance > PHRASE_FIT_CUTOFF:
                unknown = True
            else:
                text_words = nearest  # a closed list: say which of its phrases was heard
        if self._pairs and text_words and not unknown:
            pairs = _word_pairs(text_words)
            unknown = sum(p in self._pairs for p in pairs) / len(pairs) < PAIR_SHARE_CUTOFF
        return Transcript(" ".join(text_words), round(confidence, 3), words, unknown, ENGINE)

    def _nearest_phrase(self, words: list[str]) -> tuple[list[str], float]:
        """The grammar phrase closest to `words`, and the edits needed per word of that phrase."""
        candidates = process.extract(
            words, self._phrases, scorer=Levenshtein.normalized_distance, limit=NEAREST_CANDIDATES
        )
        scored = [(Levenshtein.distance(words, phrase) / len(phrase), phrase) for phrase, _, _ in candidates if phrase]
        if not scored:
            return words, 1.0
        distance, phrase = min(scored, key=lambda pair: pair[0])
        return list(phrase), distance


def _word_pairs(words: list[str]) -> list[tuple[str, str]]:
    edged = ["<s>", *words, "</s>"]
    return list(itertools.pairwise(edged))


def load_vosk_model(model_dir: Path) -> vosk.Model:
    """The Vosk model in `model_dir`, or a `ModelError` saying what is wrong with it."""
    check_model_folder(model_dir)
    vosk.SetLogLevel(-1)  # Kaldi's log lines would drown the kiosk's own
    try:
        return vosk.Model(str(model_dir))
    except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
        raise ModelError(
            f"the Vosk model in {model_dir} does not load ({exc}); it may be incomplete or damaged"
        ) from None


def check_model_folder(model_dir: Path) -> None:
    """Raise a `ModelError` unless `model_dir` looks like an unpacked Vosk model."""
    if not model_dir.is_dir():
        raise ModelError(f"no Vosk model at {model_dir}: install one with `kiosk models add FILE.zip`")
    if not (model_dir / "am" / "final.mdl").is_file():
        raise ModelError(
            f"{model_dir} is not a Vosk model folder (no am/final.mdl); unpack the model zip and give its top folder"
        )


def unknown_token(lexicon: ModelLexicon) -> str:
    """This model's spelling of the unknown word."""
    return next((t for t in UNKNOWN_TOKENS if t in lexicon.symbols), UNKNOWN_TOKENS[0])


def vosk_catalogue_grammar(
    catalogue: Catalogue, lang: Language, model_dir: Path, data_dir: Path, lexicon: ModelLexicon | None = None
) -> Grammar:
    """The catalogue grammar in this model's words, from the data dir's cache when current."""
    lexicon = lexicon or read_model_lexicon(model_dir)
    lexicon_id = lexicon_identity(lexicon.source)
    return GrammarCache(data_dir / "grammars").load_or_build(
        catalogue, lang, f"vosk-{model_dir.name}", lexicon_id,
        lambda: catalogue_grammar(catalogue, lang, lexicon, lexicon_id),
    )  # fmt: skip


def vosk_phrase_recognizer(model_dir: Path, lang: Language, phrases: list[str]) -> VoskRecognizer:
    """A recogniser for exactly these phrases (in the model's words; others are dropped)."""
    lexicon = read_model_lexicon(model_dir)
    grammar = phrase_grammar(phrases, lang, lexicon, lexicon_identity(lexicon.source))
    return VoskRecognizer(model_dir, lang, grammar, lexicon)
