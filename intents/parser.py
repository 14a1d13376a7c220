"""The understanding core's one entry point: text in, intent + slots + confidence out."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from .calibration import Calibration, Evidence, load_calibration
from .catalogue import Catalogue, Intent, Language
from .index_cache import IndexCache
from .language import detect_language
from .matcher import EMERGENCY, IntentMatcher, IntentScore, Ranking
from .normaliser import PLACEHOLDER_CHARS
from .prepared_text import NAMING_SLOTS
from .scope import ScopeReader
from .sentence_model import (
    DESCRIBED_SLOTS,
    NO_INTENT,
    Reading,
    SentenceModel,
    load_sentence_model,
    ngram_features,
    shipped_slot_model_path,
)
from .utterance import Utterance, UtterancePreparer

log = logging.getLogger(__name__)

ALTERNATIVE_FLOOR = 0.35
"""Runner-up intents scoring below this are not worth offering to the dialogue."""

ANSWERS = ("dialog.yes", "dialog.no")
"""Readings the sentence model may not overrule while a yes-or-no question waits."""

ANSWER_TIE = 0.01
"""While a yes-or-no question waits, a yes or a no this much less likely than the matcher's
reading still answers it (0.805 against 0.809 for "对，是周四"; a booking with its day and time,
0.77 against 0.81, stays a booking)."""

SLOT_MODEL_SURE = 0.3
"""A slot model's value is taken when it gives it at least this. Chosen by leaving each tuning set
out in turn (bench/train_sentence_model.py --validate-slots, 21 sets): slots right 91.8 % without
the slot models, 94.5 % at 0.3, 94.0 % at 0.5, 93.0 % at 0.8; acted on wrongly 3.3 → 2.6 %."""

DESCRIPTION_LENGTH = {"zh": 4, "en": 3}
"""The fewest characters (Mandarin) or words (English) besides the slots said, fillers gone, that
the slot models read a description in ("给老伴洗澡", "the chemist card")."""

EMERGENCY_DOUBT = 0.1
"""The sentence model talks an emergency the matcher heard down only when it gives the emergency
less than this ("since my stroke I can't cook, is there anywhere that does lunches", "着火的话打
什么号码"). Chosen on the tuning sets, each read by a model trained without it: of 821 real
emergencies the matcher heard none was given less than 0.3; 45 of its 142 false alarms less
than 0.1, 62 less than 0.2 (session 9: six grouped folds of 26 sets; session 8, 24 sets: 0 of
737 under 0.2, 34 of 135 under 0.1; session 7, leaving each of 21 sets out: 0 of 775 under
0.2, 36 of 188 under 0.1). Kept at 0.1 although 0.2 lost no real one in three sessions: it
would spare 17 walks in 16,685 sentences, and a real emergency talked down is the one
mistake the kiosk must not make."""

EMERGENCY_HEARD = 0.3
"""Where the kiosk would otherwise not act (nothing fits well enough, or out of scope), a
sentence the model gives at least this chance of an emergency is treated as one: a false alarm
costs a member of staff a walk to the kiosk, a missed one may cost a life ("水管爆了，水顺着墙
流到插座上了", "Mum's taken too many of her painkillers"); but an alarm raised for chit-chat
many times a day teaches staff to stop coming. Chosen on six grouped folds of the 26 tuning
sets, each read by a model trained without it (bench/train_sentence_model.py --validate
--folds 6, session 9): of the 113 emergencies the kiosk would not act on, 43 get 0.3 or more,
and 46 of the 5,005 other sentences it would not act on do (0.28 % of all 16,685 calm ones);
at 0.2: 65 and 86; at 0.35: 36 and 28; at 0.4: 23 and 15. Session 8 stopped at 0.4 because
an identity said out of turn, which comes at every booking, got 0.35 ("my number is 137…
and I was born in 1950": the matcher counted the phone number as a word it did not know);
numbers are no unknown words now, identity details are out-of-scope examples, and that
sentence gets 0.005."""


@dataclass(frozen=True)
class Alternative:
    """Another intent the utterance might have meant."""

    intent: str
    confidence: float


@dataclass(frozen=True)
class ParseResult:
    """What the kiosk understood from one utterance."""

    text: str
    """The utterance as given."""

    lang: Language
    intent: str | None
    """The intent id, or None when nothing fits well enough (ask again rather than guess)."""

    confidence: float
    """0–1, calibrated: for an intent, the probability that it (with its slots) is right, fitted on
    labelled sentences (intents/calibration.py). For None: how sure we are that nothing fits."""

    slots: dict[str, str] = field(default_factory=dict)
    """Slot values found (service, hotline, date, time, reference), whatever the intent."""

    alternatives: tuple[Alternative, ...] = ()
    """Next-best intents, best first."""

    ambiguous: bool = False
    """The best two intents are too close to call: the dialogue should ask which one."""

    out_of_scope: bool = False
    """The utterance resembles something the kiosk does not do (chit-chat, shopping…)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "lang": self.lang,
            "intent": self.intent,
            "confidence": self.confidence,
            "slots": dict(self.slots),
            "alternatives": [{"intent": a.intent, "confidence": a.confidence} for a in self.alternatives],
            "ambiguous": self.ambiguous,
            "out_of_scope": self.out_of_scope,
        }


class Parser:
    """Understands utterances against one catalogue; build once, parse many times."""

    def __init__(self, catalogue: Catalogue, calibration: Calibration | None = None,
                 sentence_model: SentenceModel | bool = True, index_cache: IndexCache | None = None,
                 slot_models: dict[str, SentenceModel] | bool | None = None) -> None:
        """`calibration` defaults to the fitted table shipped in the package; pass
        `Calibration()` for raw scores (bench/fit_calibration.py does, to fit a new table).
        `sentence_model`: True for the one shipped in the package, False for the matcher alone
        (bench/train_sentence_model.py trains on its readings), or a model of one's own.
        `index_cache`: where the catalogue's prepared texts are kept between starts (None: prepared
        every time); a cached build parses exactly as a fresh one (intents/index_cache.py).
        `slot_models`: a model per slot a sentence may describe without naming it
        (DESCRIBED_SLOTS); by default the shipped ones wherever the shipped sentence model is used."""
        self.catalogue = catalogue
        self._model = load_sentence_model() if sentence_model is True else sentence_model or None
        if slot_models is None:
            slot_models = sentence_model is True
        self._slot_models = (_shipped_slot_models() if slot_models is True else dict(slot_models or {}))
        self._slot_values = {"service": frozenset(s.id for s in catalogue.services),
                             "hotline": frozenset(h.id for h in catalogue.hotlines)}
        self._intent_ids = frozenset(intent.id for intent in catalogue.intents)
        self.untrained_intents = _untrained(self._intent_ids, self._model)
        """The catalogue's intents the sentence model never learned (added by staff since it was
        trained): read by the matcher alone until bench/train_sentence_model.py runs again."""
        self._preparer = UtterancePreparer(catalogue)
        texts = index_cache.texts(catalogue, self._preparer) if index_cache is not None else None
        self._matcher = IntentMatcher(catalogue, self._preparer, texts)
        self._scope = ScopeReader(catalogue)
        self._described = {intent.id: about[0] for intent in catalogue.intents
                           if intent.id != EMERGENCY and (about := _about(intent, self._matcher))}
        self._calibration = calibration if calibration is not None else load_calibration()
        anchor = datetime(2000, 1, 3).date()
        self._pleas = {
            lang: {self._preparer.prepare(t, lang, anchor, heard=False).form.surface for t in texts}
            for lang, texts in catalogue.settings.unsure_pleas.items()
        }

    def parse(self, text: str, lang: Language | None = None, now: datetime | None = None,
              answering: bool = False) -> ParseResult:
        """`answering`: the kiosk just asked a yes-or-no question, so a yes or a no the matcher
        reads stands (the sentence model learned from sentences said with no question before
        them: "好的谢谢" alone is thanks, after "is that right?" it is a yes)."""
        first, utterance, reading = self._first_reading(text, lang, now)
        used = self._model is not None or self._slot_models  # the matcher alone needs none
        ngrams = ngram_features(utterance.form.surface, utterance.lang) if used else {}
        result = self._read(first, utterance, reading, ngrams, answering)
        return self._with_described_slot(result, utterance, ngrams)

    def described_slot(self, intent_id: str) -> str | None:
        """The naming slot an intent is about, which words may describe instead of naming (the
        service of a look-up, the line of a hotline look-up); None for an emergency, answered
        the same whatever the words describe."""
        return self._described.get(intent_id)

    def _with_described_slot(self, result: ParseResult, utterance: Utterance, ngrams: dict[int, float]) -> ParseResult:
        """The slot the intent is about, where the words describe it without naming it and no
        situation of the catalogue matched ("药店买药刷的卡" → social_security_card): the slot
        model's value, when it gives it at least SLOT_MODEL_SURE."""
        if result.intent is None or not utterance.form.surface:
            return result
        slot = self.described_slot(result.intent)
        model = self._slot_models.get(slot) if slot is not None else None
        if slot is None or model is None or slot in result.slots or not describes(utterance):
            return result
        chances = model.probabilities(ngrams)
        choice = int(chances.argmax())
        value = model.labels[choice]
        if value not in self._slot_values[slot] or chances[choice] < SLOT_MODEL_SURE:
            return result  # nothing described, unsure, or a value staff removed since training
        return dataclasses.replace(result, slots={**result.slots, slot: value})

    def _read(self, first: ParseResult, utterance: Utterance, reading: Reading | None, ngrams: dict[int, float],
              answering: bool) -> ParseResult:
        """The matcher's reading, weighed by the sentence model."""
        model = self._model
        if reading is None or model is None:
            return first
        if answering and (answer := _as_answer(first)) is not None:
            return answer
        if first.intent in self._matcher.example_of(utterance) or first.intent in self.untrained_intents:
            return first  # the catalogue's own words: what staff taught since training stands
        chances = model.probabilities(model.with_reading(ngrams, reading))
        emergency = model.chance_of(EMERGENCY, chances)
        if first.intent == EMERGENCY and emergency >= EMERGENCY_DOUBT:
            return first  # an emergency is talked down only when the model is all but sure
        second = self._second_opinion(first, utterance, chances, model)
        if second.intent is None and emergency >= EMERGENCY_HEARD and EMERGENCY in self._intent_ids:
            return ParseResult(first.text, second.lang, EMERGENCY, round(emergency, 4), second.slots,
                               second.alternatives[:2])
        return second

    def emergency_chance(self, text: str, lang: Language, now: datetime) -> float | None:
        """The sentence model's probability of an emergency, given the matcher's reading (None
        without a model or a reading): how EMERGENCY_DOUBT was chosen."""
        _, utterance, reading = self._first_reading(text, lang, now)
        if reading is None or self._model is None or reading.intent in self.untrained_intents:
            return None
        model = self._model
        return model.chance_of(EMERGENCY, model.probabilities(model.features(utterance.form.surface, lang, reading)))

    def matcher_reading(self, text: str, lang: Language, now: datetime) -> Reading | None:
        """What the sentence model is told of the matcher's reading (the same when training);
        None where the parser decides without the model (nothing heard, a plea, no known word)."""
        return self._first_reading(text, lang, now)[2]

    def _first_reading(self, text: str, lang: Language | None, now: datetime | None,
                       ) -> tuple[ParseResult, Utterance, Reading | None]:
        language = lang or detect_language(text)
        moment = now or datetime.now()
        utterance = self._preparer.prepare(text, language, moment.date())
        ranking = self._matcher.rank(utterance)
        if not ranking.scores or not utterance.form.surface:
            return ParseResult(text, language, None, 1.0, self._named(utterance)), utterance, None
        if utterance.form.surface in self._pleas.get(language, ()):
            return _unsure_plea(text, language, self._named(utterance), ranking), utterance, None
        known = self._matcher.words_known(utterance)
        if known.none_known:
            return ParseResult(text, language, None, 1.0, self._named(utterance)), utterance, None
        anchored = anchored_in_catalogue(utterance)
        first = self._matcher_reading(text, utterance, ranking, known.some_unknown, anchored)
        scores = (*((s.intent, s.confidence) for s in ranking.scores), (NO_INTENT, ranking.out_of_scope))
        reading = Reading(first.intent, first.confidence, tuple(a.intent for a in first.alternatives[:2]),
                          stranger=known.some_unknown and not anchored, scores=scores)
        return first, utterance, reading

    def _named(self, utterance: Utterance) -> dict[str, str]:
        """The slots said, one value each: named after a change of mind ("先不管老年证，社保卡在
        哪儿换") beats named before it."""
        slots: dict[str, str] = {}
        turn = self._scope.turn(utterance.normalised, utterance.lang)
        for span in sorted(utterance.slots, key=lambda s: s.start < turn):
            slots.setdefault(span.name, span.value)
        return slots

    def _matcher_reading(self, text: str, utterance: Utterance, ranking: Ranking, unknown: bool,
                         anchored: bool) -> ParseResult:
        language = utterance.lang
        slots = self._named(utterance)
        settings = self.catalogue.settings
        best = ranking.scores[0]
        raw = best.confidence
        runner_up = ranking.scores[1].confidence if len(ranking.scores) > 1 else 0.0

        def probability(score: IntentScore, lead: float) -> float:
            return self._calibration.probability(Evidence(
                score.confidence, lead, score.confidence - ranking.out_of_scope, anchored, unknown,
                self._matcher.naming_share(score.intent)))

        chance = probability(best, raw - runner_up)
        alternatives = tuple(
            Alternative(s.intent, round(probability(s, 0.0), 4))
            for s in ranking.scores[1:4] if s.confidence >= ALTERNATIVE_FLOOR
        )
        head = (Alternative(best.intent, round(chance, 4)),) if raw >= ALTERNATIVE_FLOOR else ()
        if raw - ranking.out_of_scope < settings.out_of_scope_margin:
            return ParseResult(text, language, None, round(max(ranking.out_of_scope, 1.0 - chance), 4), slots,
                               (*head, *alternatives)[:3], out_of_scope=True)
        if chance < settings.min_confidence:
            return ParseResult(text, language, None, round(1.0 - chance, 4), slots, (*head, *alternatives)[:3])
        _fill_from_situations(slots, utterance, self.catalogue.intent(best.intent), self._matcher)
        ambiguous = bool(alternatives) and alternatives[0].confidence >= settings.min_confidence and (
            raw - runner_up < settings.ambiguity_margin)
        return ParseResult(text, language, best.intent, round(chance, 4), slots, alternatives, ambiguous)

    def _second_opinion(self, first: ParseResult, utterance: Utterance, chances: np.ndarray,
                        model: SentenceModel) -> ParseResult:
        """The sentence model's reading: its probability is the confidence, and below
        `min_confidence` the kiosk asks again, as for the matcher. Also where both read the same
        intent: the model was told the matcher's reading (its intent, confidence and every
        intent's score), so its probability already weighs the two together. (Until session 8
        the lower of the two was shown; with the matcher's table fitted properly that made the
        kiosk check readings it had right nine times in ten.)"""
        choice = int(chances.argmax())
        label = model.labels[choice]
        # An intent staff removed since training is something this centre no longer does.
        intent = label if label in self._intent_ids else None
        chance = round(float(chances[choice]), 4)
        if intent == first.intent:
            if intent is None:
                return first
            if chance >= self.catalogue.settings.min_confidence:
                capped = tuple(Alternative(a.intent, min(a.confidence, chance)) for a in first.alternatives)
                return dataclasses.replace(first, confidence=chance, alternatives=capped)
            return ParseResult(first.text, first.lang, None, round(1.0 - chance, 4), first.slots,
                               (Alternative(intent, chance), *first.alternatives[:2]))
        slots = self._named(utterance)
        earlier = (Alternative(first.intent, first.confidence),) if first.intent is not None else ()
        if intent is None:
            return ParseResult(first.text, first.lang, None, chance, slots, earlier, out_of_scope=True)
        if chance < self.catalogue.settings.min_confidence:
            return ParseResult(first.text, first.lang, None, round(1.0 - chance, 4), slots,
                               (Alternative(intent, chance), *earlier))
        _fill_from_situations(slots, utterance, self.catalogue.intent(intent), self._matcher)
        return ParseResult(first.text, first.lang, intent, chance, slots, earlier)


def _untrained(have: frozenset[str], model: SentenceModel | None) -> frozenset[str]:
    """The intents in `have` that `model` has no weights for. A centre that adds an intent keeps
    the model for the rest (it gives no opinion on the new one, and none naming an intent removed
    since); the log says what to retrain."""
    if model is None:
        return have
    differ = sorted(model.intents() ^ have)
    if differ:
        log.warning("the sentence model was trained for other intents (%d differ: %s); the matcher alone "
                    "reads those until it is trained again (bench/train_sentence_model.py)",
                    len(differ), ", ".join(differ[:5]) + (", …" if len(differ) > 5 else ""))
    return have - model.intents()


def anchored_in_catalogue(utterance: Utterance) -> bool:
    """The utterance names or describes one of the centre's own things (intents/calibration.py
    says why that matters)."""
    return bool(utterance.situations) or any(span.name in NAMING_SLOTS for span in utterance.slots)


def _about(intent: Intent, matcher: IntentMatcher) -> tuple[str, ...]:
    """The naming slots an intent is about: its required ones, or for intents without one, any
    it takes."""
    required = tuple(s for s in DESCRIBED_SLOTS if s in intent.required_slots)
    return required or tuple(s for s in DESCRIBED_SLOTS if matcher.takes_slot(intent.id, s))


def _as_answer(reading: ParseResult) -> ParseResult | None:
    """A yes or a no the matcher heard, while the kiosk waits for one: its reading, or its first
    alternative when that is as likely, within ANSWER_TIE ("对，是周四" after "…星期四下午两点，对吗？" is a yes, though
    "是{date}" also sounds like asking what is on that day). A likelier request stays one
    ("Tuesday next week, ten in the morning then" after "shall I find you a time?")."""
    if reading.intent in ANSWERS:
        return reading
    if reading.intent is None or not (reading.ambiguous and reading.alternatives):
        return None
    answer, *others = reading.alternatives
    if answer.intent not in ANSWERS or answer.confidence < reading.confidence - ANSWER_TIE:
        return None
    return dataclasses.replace(reading, intent=answer.intent, confidence=answer.confidence, ambiguous=False,
                               alternatives=(Alternative(reading.intent, reading.confidence), *others))


def describes(utterance: Utterance) -> bool:
    """Whether the words, besides the slots said, are enough to describe a service or a line:
    "half past two in the afternoon" or "明天上午" answering "when?" describe nothing, though
    a model over n-grams gives some service a third of its weight all the same. The slot models
    learn only from sentences that pass this too (bench/train_sentence_model.py)."""
    words = utterance.form.surface.translate(_NO_PLACEHOLDERS)
    if utterance.lang == "zh":
        return len(words.replace(" ", "")) >= DESCRIPTION_LENGTH["zh"]
    return len(words.split()) >= DESCRIPTION_LENGTH["en"]


_NO_PLACEHOLDERS = str.maketrans("", "", "".join(PLACEHOLDER_CHARS.values()))


def _shipped_slot_models() -> dict[str, SentenceModel]:
    found = {slot: load_sentence_model(shipped_slot_model_path(slot)) for slot in DESCRIBED_SLOTS}
    return {slot: model for slot, model in found.items() if model is not None}


def _fill_from_situations(slots: dict[str, str], utterance: Utterance, intent: Intent, matcher: IntentMatcher) -> None:
    """A described need fills the slot the intent is about ("a helpline if I feel down" → the
    mental-health line; "someone to clean my flat" → housekeeping): its required naming slot, or
    for intents without one, any naming slot it takes.

    Of several needs described, the last one is a service's (the one the story leads to).

    When a hotline comes from words that also named a service (养老服务 in "养老服务热线号码"),
    the service was only the line's description: an intent about hotlines drops it."""
    for slot in _about(intent, matcher):
        described = [s for s in utterance.situations if s.name == slot]
        # A story comes first and the need it leads to last ("老伴走了…一个人住…能不能有人来看看我");
        # a hotline's first description is what the call is about ("投诉物业": a complaint).
        situation = (described[-1] if slot == "service" else described[0]) if described else None
        if slot in slots or situation is None:
            continue
        slots[slot] = situation.value
        if slot == "hotline" and "service" not in intent.required_slots:
            slots.pop("service", None)
        break


PLEA_INTENTS = (EMERGENCY, "dialog.help")
"""An unsure plea's reading: the safe one first, so a dialogue that ignores `ambiguous` still
treats it as an emergency."""


def _unsure_plea(text: str, lang: Language, slots: dict[str, str], ranking: Ranking) -> ParseResult:
    """"Help me please" said alone: too close to call between trouble and the kiosk's own help.

    Marked ambiguous with both readings (emergency first), so the dialogue asks one short
    question ("are you hurt, or do you need help using the kiosk?") instead of guessing."""
    scores = {s.intent: s.confidence for s in ranking.scores}
    top = max(scores.get(i, 0.0) for i in PLEA_INTENTS)
    first, second = PLEA_INTENTS
    return ParseResult(text, lang, first, round(top, 4), slots, (Alternative(second, round(top, 4)),),
                       ambiguous=True)
