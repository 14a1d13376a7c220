"""The understanding core's one entry point: text in, intent + slots + confidence out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .calibration import Calibration, Evidence, load_calibration
from .catalogue import Catalogue, Intent, Language
from .language import detect_language
from .matcher import NAMING_SLOTS, IntentMatcher, IntentScore, Ranking
from .scope import ScopeReader
from .utterance import Utterance, UtterancePreparer

ALTERNATIVE_FLOOR = 0.35
"""Runner-up intents scoring below this are not worth offering to the dialogue."""


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

    def __init__(self, catalogue: Catalogue, calibration: Calibration | None = None) -> None:
        """`calibration` defaults to the fitted table shipped in the package; pass
        `Calibration()` for raw scores (bench/fit_calibration.py does, to fit a new table)."""
        self.catalogue = catalogue
        self._preparer = UtterancePreparer(catalogue)
        self._matcher = IntentMatcher(catalogue, self._preparer)
        self._scope = ScopeReader(catalogue)
        self._calibration = calibration if calibration is not None else load_calibration()
        anchor = datetime(2000, 1, 3).date()
        self._pleas = {
            lang: {self._preparer.prepare(t, lang, anchor, heard=False).form.surface for t in texts}
            for lang, texts in catalogue.settings.unsure_pleas.items()
        }

    def parse(self, text: str, lang: Language | None = None, now: datetime | None = None) -> ParseResult:
        language = lang or detect_language(text)
        moment = now or datetime.now()
        utterance = self._preparer.prepare(text, language, moment.date())
        slots: dict[str, str] = {}
        # Named after a change of mind ("先不管老年证，社保卡在哪儿换") beats named before it.
        turn = self._scope.turn(utterance.normalised, language)
        for span in sorted(utterance.slots, key=lambda s: s.start < turn):
            slots.setdefault(span.name, span.value)
        settings = self.catalogue.settings
        ranking = self._matcher.rank(utterance)
        best = ranking.scores[0] if ranking.scores else None
        if best is None or not utterance.form.surface:
            return ParseResult(text, language, None, 1.0, slots)
        if utterance.form.surface in self._pleas.get(language, ()):
            return _unsure_plea(text, language, slots, ranking)
        raw = best.confidence
        runner_up = ranking.scores[1].confidence if len(ranking.scores) > 1 else 0.0
        anchored = anchored_in_catalogue(utterance)
        unknown = self._matcher.says_unknown_words(utterance)

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


def anchored_in_catalogue(utterance: Utterance) -> bool:
    """The utterance names or describes one of the centre's own things (intents/calibration.py
    says why that matters)."""
    return bool(utterance.situations) or any(span.name in NAMING_SLOTS for span in utterance.slots)


def _fill_from_situations(slots: dict[str, str], utterance: Utterance, intent: Intent, matcher: IntentMatcher) -> None:
    """A described need fills the slot the intent is about ("a helpline if I feel down" → the
    mental-health line; "someone to clean my flat" → housekeeping): its required naming slot, or
    for intents without one, any naming slot it takes.

    Of several needs described, the last one is a service's (the one the story leads to).

    When a hotline comes from words that also named a service (养老服务 in "养老服务热线号码"),
    the service was only the line's description: an intent about hotlines drops it."""
    about = [s for s in ("service", "hotline") if s in intent.required_slots]
    for slot in about or [s for s in ("service", "hotline") if matcher.takes_slot(intent.id, s)]:
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


PLEA_INTENTS = ("emergency", "dialog.help")
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
