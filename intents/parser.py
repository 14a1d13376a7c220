"""The understanding core's one entry point: text in, intent + slots + confidence out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .catalogue import Catalogue, Language
from .language import detect_language
from .matcher import IntentMatcher
from .utterance import UtterancePreparer

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
    """0–1. For an intent: how well it fits. For None: how sure we are that nothing fits."""

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

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._preparer = UtterancePreparer(catalogue)
        self._matcher = IntentMatcher(catalogue, self._preparer)

    def parse(self, text: str, lang: Language | None = None, now: datetime | None = None) -> ParseResult:
        language = lang or detect_language(text)
        moment = now or datetime.now()
        utterance = self._preparer.prepare(text, language, moment.date())
        slots: dict[str, str] = {}
        for span in utterance.slots:
            slots.setdefault(span.name, span.value)
        settings = self.catalogue.settings
        ranking = self._matcher.rank(utterance)
        best = ranking.scores[0] if ranking.scores else None
        best_score = best.confidence if best else 0.0
        alternatives = tuple(
            Alternative(s.intent, s.confidence) for s in ranking.scores[1:4] if s.confidence >= ALTERNATIVE_FLOOR
        )
        if best is None or not utterance.form.surface:
            return ParseResult(text, language, None, 1.0, slots)
        if best_score - ranking.out_of_scope < settings.out_of_scope_margin:
            head = (Alternative(best.intent, best_score),) if best_score >= ALTERNATIVE_FLOOR else ()
            return ParseResult(text, language, None, ranking.out_of_scope, slots,
                               (*head, *alternatives)[:3], out_of_scope=True)
        if best_score < settings.min_confidence:
            head = (Alternative(best.intent, best_score),) if best_score >= ALTERNATIVE_FLOOR else ()
            return ParseResult(text, language, None, round(1.0 - best_score, 4), slots, (*head, *alternatives)[:3])
        if utterance.situations and self._matcher.takes_slot(best.intent, "hotline"):
            slots["hotline"] = utterance.situations[0].value
        runner_up = ranking.scores[1].confidence if len(ranking.scores) > 1 else 0.0
        ambiguous = runner_up >= settings.min_confidence and best_score - runner_up < settings.ambiguity_margin
        return ParseResult(text, language, best.intent, best_score, slots, alternatives, ambiguous)
