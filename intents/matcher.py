"""Score every intent against an utterance, by examples, keywords and counter-examples.

Why this shape: older residents pad requests with politeness and stories, so an
example fully *contained* in a long utterance must still score well (recall-weighted
F-score on the longest common subsequence, half from single units and half from
neighbouring pairs, so scattered characters don't count as a match); recognisers swap
homophones, so every comparison runs on characters and on sound keys and takes the
better; rare words say more than common ones, so each example's match is blended with
the share of its informative words the utterance contains, and every word votes for the
intents whose examples use it; no list of examples covers everyone's wording, so
distinctive keywords carry an intent on their own. Out-of-scope sentences compete as a
class of their own, because a wrong action is worse than asking again.

Weights were tuned on tests/sentences and checked on bench/heldout*, which are never
tuned on (bench/parse_accuracy.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalogue import Catalogue, Language
from .digit_strings import find_phone_number
from .normaliser import PLACEHOLDER_CHARS
from .numbers import is_number_unit
from .phrase_table import PhraseTable
from .prepared_text import NAMING_SLOTS, PreparedTexts
from .scope import ScopeReader
from .sound_form import SoundForm
from .tense import TenseReader
from .utterance import Utterance, UtterancePreparer
from .word_evidence import WordEvidence, WordOverlap, content_units, evidence_words

RECALL_WEIGHT = 2.0
"""F-beta's beta: how much more covering an example counts than extra words around it."""

SOUND_DISCOUNT = 0.97
"""A match by sound only is slightly less sure than the same match by characters."""

ORDER_WEIGHT = 0.3
"""Share of the score that comes from neighbouring units matching as neighbours."""

PLACEHOLDER_WEIGHT = 3
"""How many units one slot placeholder counts as."""

_WEIGHED_PLACEHOLDERS = str.maketrans({chr(code): chr(code) * PLACEHOLDER_WEIGHT for code in range(0xE001, 0xE010)})

OVERLAP_WEIGHT = 0.5
"""Share of a phrase's match that comes from shared informative words, not characters."""

WORD_WEIGHT = 0.4
"""Share of an intent's score from word votes rather than whole-example matches."""

KEYWORD_GAIN = 0.6
"""How far a full-weight keyword lifts an intent towards certainty."""

SLOT_MISMATCH = 0.6
"""Score kept by an intent whose examples never name the kind of thing the utterance names."""

SITUATION_MISMATCH = 0.8
"""Score kept by an intent that takes neither service nor hotline when the utterance describes
a need one of them meets ("someone to clean my flat" is not a request for staff)."""

SITUATION_FLOOR = 0.45
"""Least score of a plain service lookup when the utterance describes a need a service meets and
names none: long stories dilute every match, but "儿子不给赡养费…想找人问问" still asks about one."""

SITUATION_ASK_FLOOR = 0.6
"""The same when the story also asks something (有没有/能不能/"do you have"): a described need
plus a question is a service lookup however long the story before it."""

PHONE_WORD = 0.6
"""Keyword weight from which a hotline look-up's keyword asks for a phone number (电话, "number")."""

NUMBER_ASKED = 0.8
"""Score kept by a plain service lookup when the utterance describes a need a hotline meets and
asks for a number to call: "有没有什么电话她可以打，找人说说话的" wants the line, not the room."""

NAMED_ASK_FLOOR = 0.32
"""Least score of a service lookup when a service is named and something is asked."""

NAMED_QUESTION_FLOOR = 0.4
"""The same when it is a question (多少, 吗, 干不干, "how much"): "城乡居民医保今年涨价了没有，一年交多少"
asks about the service in words no example uses. Not with a reference code said: that asks
after an application."""

GIVEN_NUMBER = 0.5
"""When the utterance itself says a phone number: score kept by intents that look a hotline up
(unless one is named), and share of example evidence kept when nothing else is named. "My
number is 13700137000 and I was born in 1950" gives the resident's own details; it asks for no
number, and is no "my reference number is…" either. Keywords still count: "…and I want to
cancel" is a cancellation."""

GIVEN_NUMBER_DIGITS = 7
"""Digits from which a number said is someone's phone, not a hotline (120, 12345) or a code."""

STATED_BOOKING = 0.5
"""Least score of a booking when a service is named and a day or time said after it, without a
question: "my senior card sorted out, Friday next week", "…a residence certificate… Thursday next
week, three in the afternoon" propose a visit ("is the health check open on Friday" asks)."""

STATED_BOOKING_LOOKUP = 0.8
"""Score kept by a plain service lookup then: the resident said when, so they mean to come."""

BOOKING = "appointment.book"

PAST_STORY = 0.45
"""Score kept by the emergency intent when the utterance tells of something past."""

EMERGENCY = "emergency"

URGENT_KEYWORD = 0.8
"""Emergency keyword weight from which a request for something foreign beside it ("he's collapsed,
ring my son") does not talk the emergency down."""

FOREIGN_OBJECT = 0.5
"""Score kept by intents about services and hotlines when the utterance's object is something
the centre does not do ("帮我约个理发的", "book me a taxi") and no service is named."""

REMARK = 0.55
"""Score kept when the utterance tells of something done and asks for nothing ("上回体检那个
小姑娘态度挺好的", "I had a fall last winter")."""

SCOPE_FLOOR = 0.6
"""Least out-of-scope score for a foreign object or a remark, so the parser declines."""

LENGTH_SLACK = 2.0
"""An utterance more than this many times longer than a short-answer intent's longest example
is unlikely to mean it: "I want to ask about a legal matter" is no "yes"."""

SHORT_INTENT_UNITS = {"zh": 9, "en": 6}
"""Intents whose examples are all this short (characters, words) are answers and commands
(yes, no, repeat, stop…); only they lose score for long utterances."""

CROSS_WORD_MIN_KEY = 5
"""Shortest English sound key matched across word boundaries (shorter ones match anywhere)."""


@dataclass(frozen=True)
class WordsKnown:
    """What the catalogue's examples and keywords know of an utterance's words."""

    some_unknown: bool
    """It uses a word none of them uses: "披萨", "newspaper". With nothing of the centre's named,
    that word is likely what is asked about, and the centre does not know it. A number is no
    such word: "my number is 137…, born in 1950" asks about nothing strange."""
    none_known: bool
    """Not one word is known, nor run together from two known ones ("zaijian" is): noise the
    recogniser made words of ("frobozz gnusto"), whose sound-alike of "no" is no answer."""


@dataclass(frozen=True)
class IntentScore:
    """How well one intent fits an utterance."""

    intent: str
    confidence: float


@dataclass(frozen=True)
class Ranking:
    """All intents scored for one utterance, best first."""

    scores: tuple[IntentScore, ...]
    out_of_scope: float
    """How closely the utterance resembles the catalogue's out-of-scope sentences."""


NEUTRAL = -1
"""Intent index of a neutral phrase: it claims its words for no intent."""

ZH_SOUND_KEYWORD = 3
"""Mandarin keywords this long or longer also match by sound; two syllables collide too often
(使的 sounds like 是的, 通知 like 同志)."""


@dataclass(frozen=True)
class _KeywordForm:
    intent: int
    weight: float
    surface: str
    sound: str | None
    """Sound key, or None when the keyword is too short to trust by sound alone."""

    compact_sound: str = ""
    """The sound key without spaces, for English words a recogniser split or joined."""

    needle: str = ""
    """The sound key padded with spaces, as looked for in an utterance's padded sound key."""

    crosses_words: bool = False
    """An English key long enough to be matched across word boundaries."""

    literal: str = ""
    """For a keyword that is itself a slot's words ("front desk" names the community line):
    those words, looked for in the utterance's normalised text. Its surface is only a
    placeholder, which would match any slot of the kind ("ambulance" is no front desk)."""


class _LanguageIndex:
    """Every phrase of one language, grouped by class for one vectorised comparison.

    Classes: 0..n-1 intents' examples, n..2n-1 their counter-examples, 2n out of scope.
    """

    def __init__(self, intent_ids: list[str], lang: Language) -> None:
        self.intent_ids = intent_ids
        self.lang = lang
        self.columns: tuple[list[str], ...] = ([], [], [], [])
        self.classes: list[int] = []
        self.keywords: list[_KeywordForm] = []
        n = len(intent_ids)
        self.evidence = WordEvidence(n + 1)
        self._evidence_class = {cls: cls for cls in range(n)} | {2 * n: n}
        self._phrase_words: list[set[str]] = []

    def add(self, cls: int, form: SoundForm) -> None:
        if form.surface:
            words = evidence_words(form, self.lang)
            if cls in self._evidence_class:
                self.evidence.add(self._evidence_class[cls], words)
            self._phrase_words.append(words)
            self.classes.append(cls)
            for column, text in zip(self.columns, _comparable_form(form), strict=True):
                column.append(text)

    def freeze(self) -> None:
        order = np.argsort(np.asarray(self.classes, dtype=np.int64), kind="stable")
        self.table = PhraseTable([[column[i] for i in order] for column in self.columns])
        self.columns = ([], [], [], [])  # now held, in phrase order, by the table
        self._has_pairs = self.table.lengths[2:] > 0
        classes = np.asarray(self.classes, dtype=np.int64)[order]
        self.group_classes, self.group_starts = np.unique(classes, return_index=True)
        # Longest first; at equal length a neutral phrase first, so 是不是 claims its span before
        # 不是的 can read "是不是得…" as "no".
        self.keywords.sort(key=lambda k: (-len(k.surface), k.intent != NEUTRAL))
        self._keyword_heads = _KeywordHeads(self.keywords, self.lang)
        self.evidence.freeze()
        self.overlap = WordOverlap([self._phrase_words[i] for i in order])

    def class_scores(self, utterance: Utterance, words: set[str]) -> np.ndarray:
        """Best F-score per class (2n + 1 entries; 0 for classes without phrases); `words` are
        the utterance's evidence words (the caller needs them too)."""
        n = len(self.intent_ids)
        best = np.zeros(2 * n + 1)
        if not self.classes or not utterance.form.surface:
            return best
        f = self.table.f_scores(_comparable(utterance), RECALL_WEIGHT)
        surface, sound = _ordered(f[:2], f[2:], self._has_pairs)
        per_phrase = np.maximum(surface, sound * SOUND_DISCOUNT)
        overlap = self.overlap.scores(words, RECALL_WEIGHT)
        per_phrase = (1.0 - OVERLAP_WEIGHT) * per_phrase + OVERLAP_WEIGHT * overlap
        best[self.group_classes] = np.maximum.reduceat(per_phrase, self.group_starts)
        return best

    def keyword_scores(self, utterance: Utterance) -> np.ndarray:
        """Strongest keyword weight per intent; a keyword inside a longer one found doesn't count."""
        scores = np.zeros(len(self.intent_ids))
        claimed: list[tuple[int, int]] = []
        heard = _SoundIndex(utterance.form, utterance.lang)
        surface = utterance.form.surface
        english = utterance.lang == "en"
        keywords = self.keywords
        for position in self._keyword_heads.candidates(utterance, heard):
            keyword = keywords[position]
            if keyword.literal:
                if _find_all(utterance.normalised, keyword.literal, english):
                    scores[keyword.intent] = max(scores[keyword.intent], keyword.weight)
                continue
            # Cheap containment tests first: most keywords are in neither form of the utterance.
            spans = _find_all(surface, keyword.surface, english) if keyword.surface in surface else []
            if not spans and keyword.sound is not None and (
                keyword.needle in heard.padded
                or (keyword.crosses_words and keyword.compact_sound in heard.joined)
            ):
                spans = heard.spans(keyword.sound, keyword.compact_sound)
            for start, end in spans:
                if all(end <= a or start >= b for a, b in claimed):
                    claimed.append((start, end))
                    if keyword.intent != NEUTRAL:
                        scores[keyword.intent] = max(scores[keyword.intent], keyword.weight)
        return scores


class _KeywordHeads:
    """Keywords by the head of each string they are looked for with.

    A keyword can only be found where its surface, padded sound key, compact sound key or
    literal words occur, so only keywords whose head occurs in the matching form of the
    utterance are tested; the rest could find nothing. Heads: the first sound key of a padded
    sound key and, in English, the first word (both are only found on whole units); otherwise
    the first two characters, and the first three of an English compact sound key (five or more).
    Candidates keep the keywords' order, so which keyword claims a span first is unchanged.
    """

    def __init__(self, keywords: list[_KeywordForm], lang: Language) -> None:
        self._english = lang == "en"
        self._surface: dict[str, list[int]] = {}
        self._padded: dict[str, list[int]] = {}
        self._joined: dict[str, list[int]] = {}
        self._literal: dict[str, list[int]] = {}
        for position, keyword in enumerate(keywords):
            if keyword.literal:
                self._literal.setdefault(self._head(keyword.literal), []).append(position)
                continue
            self._surface.setdefault(self._head(keyword.surface), []).append(position)
            if keyword.sound is not None:
                self._padded.setdefault(keyword.sound.split(" ")[0], []).append(position)
                if keyword.crosses_words:
                    self._joined.setdefault(keyword.compact_sound[:3], []).append(position)

    def _head(self, text: str) -> str:
        return text.split(" ")[0] if self._english else text[:2]

    def _heads(self, text: str) -> set[str]:
        """Every head a string found in `text` can have."""
        if self._english:
            return set(text.split(" "))
        heads = set(text)
        heads.update(text[i:i + 2] for i in range(len(text) - 1))
        return heads

    def candidates(self, utterance: Utterance, heard: _SoundIndex) -> list[int]:
        """Positions (in keyword order) of the keywords that might occur in the utterance."""
        found: set[int] = set()
        for head in self._heads(utterance.form.surface) & self._surface.keys():
            found.update(self._surface[head])
        for head in set(heard.form.sound.split(" ")) & self._padded.keys():
            found.update(self._padded[head])
        if self._joined:
            joined = heard.joined
            for head in {joined[i:i + 3] for i in range(len(joined) - 2)} & self._joined.keys():
                found.update(self._joined[head])
        if self._literal:
            for head in self._heads(utterance.normalised) & self._literal.keys():
                found.update(self._literal[head])
        return sorted(found)


class IntentMatcher:
    """Ranks the catalogue's intents for prepared utterances."""

    def __init__(self, catalogue: Catalogue, preparer: UtterancePreparer, texts: PreparedTexts | None = None) -> None:
        """`texts`: the catalogue's texts already prepared (from the prepared-index cache); None
        prepares them here."""
        prepared = (texts if texts is not None else PreparedTexts.build(catalogue, preparer)).get
        ids = [intent.id for intent in catalogue.intents]
        n = len(ids)
        self._indexes: dict[Language, _LanguageIndex] = {}
        self._slot_kinds = np.zeros((n, len(NAMING_SLOTS)), dtype=bool)
        self._longest = {lang: np.ones(n) for lang in ("zh", "en")}
        self._tense = TenseReader(catalogue)
        self._scope = ScopeReader(catalogue)
        self._emergency = ids.index(EMERGENCY) if EMERGENCY in ids else None
        self._booking = ids.index(BOOKING) if BOOKING in ids else None
        self._service_only = np.asarray([intent.required_slots == ("service",) for intent in catalogue.intents])
        self._hotline_only = np.asarray([intent.required_slots == ("hotline",) for intent in catalogue.intents])
        examples_naming = np.zeros(n)
        examples_all = np.zeros(n)
        self._vocabulary: dict[Language, set[str]] = {"zh": set(), "en": set()}
        self._examples: dict[Language, dict[str, set[str]]] = {"zh": {}, "en": {}}
        """Each example as prepared, with the intents it belongs to."""
        for lang in ("zh", "en"):
            index = _LanguageIndex(ids, lang)
            longest = [1.0] * n
            vocabulary = self._vocabulary[lang]
            for cls, intent in enumerate(catalogue.intents):
                for text in intent.examples.get(lang, ()):
                    example = prepared(text, lang)
                    index.add(cls, example.form)
                    self._examples[lang].setdefault(example.form.surface, set()).add(intent.id)
                    vocabulary |= content_units(example.form, lang)
                    longest[cls] = max(longest[cls], _form_length(example.form, lang))
                    examples_all[cls] += 1
                    if example.named:
                        for kind, name in enumerate(NAMING_SLOTS):
                            if name in example.named:
                                self._slot_kinds[cls, kind] = True
                        examples_naming[cls] += 1
                for text in intent.counter_examples.get(lang, ()):
                    index.add(n + cls, prepared(text, lang).form)
                for keyword in intent.keywords.get(lang, ()):
                    said = prepared(keyword.text, lang)
                    form = said.form
                    vocabulary |= content_units(form, lang)
                    if form.surface and not form.surface.strip("".join(PLACEHOLDER_CHARS.values()) + " "):
                        index.keywords.append(_KeywordForm(cls, keyword.weight, form.surface, None,
                                                           literal=said.normalised))
                    elif form.surface:
                        trusted = len(form.surface) >= ZH_SOUND_KEYWORD if lang == "zh" else len(form.sound) >= 3
                        compact = form.sound.replace(" ", "")
                        index.keywords.append(
                            _KeywordForm(cls, keyword.weight, form.surface, form.sound if trusted else None,
                                         compact, f" {form.sound} ",
                                         trusted and lang == "en" and len(compact) >= CROSS_WORD_MIN_KEY)
                        )
            for text in catalogue.settings.neutral_phrases.get(lang, ()):
                form = prepared(text, lang).form
                if form.surface:
                    index.keywords.append(_KeywordForm(NEUTRAL, 0.0, form.surface, None))
            for text in catalogue.out_of_scope.get(lang, ()):
                index.add(2 * n, prepared(text, lang).form)
            index.freeze()
            self._longest[lang] = np.asarray(longest)
            self._indexes[lang] = index
        shares = (examples_naming / np.maximum(examples_all, 1)).tolist()
        self._naming_share: dict[str, float] = dict(zip(ids, shares, strict=True))
        # Intents about a service, a hotline or an application: a request for something else is
        # not theirs ("track my parcel" asks after no application of the centre's).
        self._takes_things = self._slot_kinds.any(axis=1) | np.asarray(
            [bool({"service", "hotline"} & set(intent.required_slots)) for intent in catalogue.intents])

    def takes_slot(self, intent_id: str, slot: str) -> bool:
        """Whether any example of the intent names a `slot` ("service", "hotline", "reference")."""
        ids = self._indexes["zh"].intent_ids
        return bool(self._slot_kinds[ids.index(intent_id), NAMING_SLOTS.index(slot)])

    def naming_share(self, intent_id: str) -> float:
        """Share of the intent's examples that name a service, a hotline or a code: near 1 for a
        service look-up, near 0 for "yes" or an emergency."""
        return self._naming_share[intent_id]

    def words_known(self, utterance: Utterance) -> WordsKnown:
        """Which of the utterance's words (characters, in Mandarin) some example or keyword uses."""
        known = self._vocabulary[utterance.lang]
        units = content_units(utterance.form, utterance.lang)
        unknown = units - known
        joined = any(unit[:i] in known and unit[i:] in known for unit in unknown for i in range(2, len(unit) - 1))
        return WordsKnown(not all(map(is_number_unit, unknown)), bool(units) and unknown == units and not joined)

    def example_of(self, utterance: Utterance) -> set[str]:
        """The intents that have the utterance, word for word, as one of their examples."""
        return self._examples[utterance.lang].get(utterance.form.surface, set())

    def _foreign_request(self, utterance: Utterance, named: np.ndarray, foreign: bool) -> bool:
        """Something the centre does not do is asked for, and no service of its own is named (a
        service inside the foreign object's name, or done by it, is not its own: 医院的体检), nor
        named only before the resident moved on ("体检的事弄明白了，再问个事，儿童医院咋走")."""
        text, lang = utterance.normalised, utterance.lang
        if named[1:].any() or not foreign:
            return False
        turn = self._scope.turn(text, lang)
        if turn >= 0 and not self._scope.foreign_object(text[turn:], lang):
            turn = -1
        return all(self._scope.foreign_bound(s.start, s.end, text, lang) for s in utterance.slots
                   if s.name == "service" and s.start >= turn)

    def rank(self, utterance: Utterance) -> Ranking:
        index = self._indexes[utterance.lang]
        n = len(index.intent_ids)
        said = evidence_words(utterance.form, utterance.lang)
        classes = index.class_scores(utterance, said)
        words = index.evidence.scores(said)
        examples = (1.0 - WORD_WEIGHT) * classes[:n] + WORD_WEIGHT * words[:n]
        counters = classes[n:2 * n]
        out_of_scope = float((1.0 - WORD_WEIGHT) * classes[2 * n] + WORD_WEIGHT * words[n])
        keywords = index.keyword_scores(utterance)
        gives_number = _gives_a_number(utterance)
        if gives_number and not utterance.slots:
            examples = examples * GIVEN_NUMBER
        # A counter-example closer than any example discounts the example evidence only: a
        # keyword such as 摔倒 still carries its intent ("my wife collapsed" is not "help").
        # An example said word for word is never discounted ("不用了谢谢" is dialog.stop's own
        # example, however close its counter-example "不用了" is).
        closer = (counters > examples) & (classes[:n] < 1.0)
        examples = np.where(closer, examples * (1.0 - counters), examples)
        scores = examples + (1.0 - examples) * KEYWORD_GAIN * keywords
        # Naming a service to an intent that never takes one ("what does your cleaning
        # service do" is not a request for help with the kiosk) makes that intent unlikely.
        named = _naming_slots(utterance)
        if named.any():
            strangers = (named & ~self._slot_kinds).any(axis=1)
            scores = np.where(strangers, scores * SLOT_MISMATCH, scores)
        text, lang = utterance.normalised, utterance.lang
        situations = list(utterance.situations)
        foreign = self._scope.foreign_object(text, lang)  # read once: situations and the scope rule both ask
        if situations and foreign:
            situations = [s for s in situations if not self._scope.inside_foreign_object(s.start, s.end, text, lang)]
        described = np.asarray([any(s.name == name for s in situations) for name in NAMING_SLOTS],
                               dtype=bool)
        if described.any():
            strangers = np.asarray(~(described & self._slot_kinds).any(axis=1), dtype=bool)
            if self._emergency is not None:
                strangers[self._emergency] = False  # never talk an emergency down
            scores = np.where(strangers, scores * SITUATION_MISMATCH, scores)
            number_asked = described[NAMING_SLOTS.index("hotline")] and bool(
                (keywords[self._hotline_only] >= PHONE_WORD).any())
            if number_asked:
                scores = np.where(self._service_only, scores * NUMBER_ASKED, scores)
            elif described[NAMING_SLOTS.index("service")] and not named.any() and not _says_when(utterance):
                # A need described with a day or a time ("could the nurse come round on Monday")
                # proposes a visit: the booking and the lookup compete on their own evidence.
                asks = self._scope.asks(utterance.normalised, utterance.lang)
                floor = SITUATION_ASK_FLOOR if asks else SITUATION_FLOOR
                scores = np.where(self._service_only, np.maximum(scores, floor), scores)
        if self._booking is not None and _when_after_service(utterance) and not self._scope.questions(
                utterance.normalised, utterance.lang):
            scores = np.where(self._service_only, scores * STATED_BOOKING_LOOKUP, scores)
            scores[self._booking] = max(scores[self._booking], STATED_BOOKING)
        if named[NAMING_SLOTS.index("service")] and self._scope.asks(utterance.normalised, utterance.lang):
            # A named service and a question is at least a lookup ("…住在这里的证明，我该找谁"),
            # though only just: any real evidence of a booking or a cancellation still wins.
            question = not named[NAMING_SLOTS.index("reference")] and self._scope.questions(text, lang)
            floor = NAMED_QUESTION_FLOOR if question else NAMED_ASK_FLOOR
            scores = np.where(self._service_only, np.maximum(scores, floor), scores)
        if gives_number and not named[NAMING_SLOTS.index("hotline")]:
            scores = np.where(self._hotline_only, scores * GIVEN_NUMBER, scores)
        longest = self._longest[utterance.lang]
        fit = np.minimum(1.0, LENGTH_SLACK * longest / _length(utterance))
        scores = np.where(longest <= SHORT_INTENT_UNITS[utterance.lang], scores * fit, scores)
        past = self._tense.past_story(text, lang)
        if self._emergency is not None and past:
            scores[self._emergency] *= PAST_STORY
        own = [(s.start, s.end) for s in (*utterance.slots, *situations) if s.name == "service"]
        if (not situations and self._foreign_request(utterance, named, foreign)) or (
                foreign and not named[1:].any() and self._scope.asks_for_foreign(text, lang, own)):
            # Never talk an emergency down: in "gas is leaking, get someone to fix it" or "he's
            # collapsed, ring my son" the danger comes before the errand.
            urgent = self._emergency is not None and keywords[self._emergency] >= URGENT_KEYWORD
            kept = scores[self._emergency] if urgent else 0.0
            scores = np.where(self._takes_things, scores * FOREIGN_OBJECT, scores)
            if urgent:
                scores[self._emergency] = kept
            if not urgent or kept < scores.max():
                out_of_scope = max(out_of_scope, SCOPE_FLOOR)
        if (not named[NAMING_SLOTS.index("reference")] and self._scope.tells_of_done(text, lang)
                and not self._tense.now(self._scope.untold(text, lang), lang)
                and not self._scope.asks(utterance.form.surface, lang)):
            # (asked of the text with the slots masked: "health check" names a thing, asks no "check")
            spared = self._emergency if self._emergency is not None and not past else None
            kept = scores[spared] if spared is not None else 0.0
            scores = scores * REMARK
            if spared is not None:
                scores[spared] = kept
            out_of_scope = max(out_of_scope, SCOPE_FLOOR)
        order = np.argsort(-scores, kind="stable").tolist()
        values = scores.tolist()
        ids = index.intent_ids
        ranked = tuple([IntentScore(ids[i], round(values[i], 4)) for i in order])
        return Ranking(ranked, round(out_of_scope, 4))


def _length(utterance: Utterance) -> float:
    """Characters in Mandarin, words in English; a placeholder counts as one."""
    return _form_length(utterance.form, utterance.lang)


def _form_length(form: SoundForm, lang: Language) -> float:
    surface = form.surface
    return float(max(len(surface.split()) if lang == "en" else len(surface.replace(" ", "")), 1))


def _when_after_service(utterance: Utterance) -> bool:
    """A service named, then a day or a time."""
    service = next((s.start for s in utterance.slots if s.name == "service"), None)
    return service is not None and any(s.name in ("date", "time") and s.start > service for s in utterance.slots)


def _says_when(utterance: Utterance) -> bool:
    """A day or a time is said."""
    return any(s.name in ("date", "time") for s in utterance.slots)


def _gives_a_number(utterance: Utterance) -> bool:
    """The utterance says a phone number ("my number is 138 0013 8000", "我手机号幺三八…")."""
    number = find_phone_number(utterance.normalised, utterance.lang)
    return number is not None and len(number) >= GIVEN_NUMBER_DIGITS


def _naming_slots(utterance: Utterance) -> np.ndarray:
    """Kinds of thing named outright: slots found, or written as {service} in an example.

    Described needs are masked like names but do not count: "someone to talk to" in a staff
    example must not make staff.handoff an intent that takes a service."""
    found = _named(utterance)
    return np.asarray([name in found for name in NAMING_SLOTS], dtype=bool)


def _named(utterance: Utterance) -> set[str]:
    """Names of the slots found, and of naming slots written as placeholders."""
    found = {span.name for span in utterance.slots}
    found |= {name for name in NAMING_SLOTS if PLACEHOLDER_CHARS[name] in utterance.normalised}
    return found


def _comparable(utterance: Utterance) -> tuple[str, str, str, str]:
    """The four strings compared per phrase: characters, sounds, character pairs, sound pairs.

    A placeholder stands for a whole name or date, so it weighs as much as a short word:
    "{service}多少钱" must not match "猪肉多少钱" just because only one unit differs.
    """
    return _comparable_form(utterance.form)


def _comparable_form(form: SoundForm) -> tuple[str, str, str, str]:
    return (
        _weigh_placeholders(form.surface),
        _weigh_placeholders(form.sound_units),
        form.surface_pairs,
        form.sound_pairs,
    )


def _weigh_placeholders(text: str) -> str:
    return text.translate(_WEIGHED_PLACEHOLDERS)


def _ordered(single: np.ndarray, pairs: np.ndarray, has_pairs: np.ndarray) -> np.ndarray:
    """Blend unit and pair matches; one-unit phrases have no pairs and keep their unit score."""
    return np.where(has_pairs, ORDER_WEIGHT * pairs + (1.0 - ORDER_WEIGHT) * single, single)


class _SoundIndex:
    """An utterance's sound key, prepared once for looking up many keywords."""

    def __init__(self, form: SoundForm, lang: Language) -> None:
        self.form = form
        self.padded = f" {form.sound} "
        self.cross_words = lang == "en"
        self.joined = form.sound.replace(" ", "")
        self._positions: list[int] | None = None

    def spans(self, sound: str, compact: str) -> list[tuple[int, int]]:
        """Surface spans that sound like `sound`, on whole units.

        English recognisers split and join words freely ("a point meant" for "appointment"),
        so a longer English key may also run across word boundaries.
        """
        form = self.form
        needle = f" {sound} "
        if needle in self.padded:
            return [form.surface_span(s, s + len(sound)) for s, _ in _find_all(self.padded, needle, False)]
        if not self.cross_words or len(compact) < CROSS_WORD_MIN_KEY or compact not in self.joined:
            return []
        if self._positions is None:
            self._positions = [i for i, ch in enumerate(form.sound) if ch != " "]
        spans = []
        for start, end in _find_all(self.joined, compact, False):
            first, last = self._positions[start], self._positions[end - 1] + 1
            if (first == 0 or form.sound[first - 1] == " ") and (last == len(form.sound) or form.sound[last] == " "):
                spans.append(form.surface_span(first, last))
        return spans


def _find_all(text: str, needle: str, whole_words: bool) -> list[tuple[int, int]]:
    spans = []
    start = text.find(needle)
    while start != -1:
        end = start + len(needle)
        if not whole_words or (
            (start == 0 or text[start - 1] == " ") and (end == len(text) or text[end] == " ")
        ):
            spans.append((start, end))
        start = text.find(needle, start + 1)
    return spans
