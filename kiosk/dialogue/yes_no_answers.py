"""Reading the answer to a yes/no question, including the answer that is only "嗯".

In Mandarin a lone "嗯" (or "嗯嗯", "哦") after "对吗？" means yes, and English speakers
say "mm" or "uh-huh" the same way. But those words are also what a recogniser writes for
a cough or for someone thinking aloud, so the dialogue decides per question whether a
filler-only answer may count as yes (see `Dialogue` for which questions allow it).
"""

from __future__ import annotations

from enum import Enum

from intents import Catalogue
from intents.normaliser import FillerRemover, normalise
from intents.parser import ParseResult


class Answer(Enum):
    YES = "yes"
    NO = "no"
    FILLER = "filler"
    """Only hesitation words ("嗯", "um"): yes to some questions, unclear to others."""
    OTHER = "other"


class YesNoReader:
    """Classifies an utterance as an answer to a yes/no question."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._fillers = FillerRemover(catalogue.settings.fillers)

    def read(self, parse: ParseResult) -> Answer:
        if parse.intent == "dialog.yes":
            return Answer.YES
        if parse.intent == "dialog.no":
            return Answer.NO
        if self.filler_only(parse.text, parse.lang):
            return Answer.FILLER
        return Answer.OTHER

    def filler_only(self, text: str, lang: str) -> bool:
        """Something was said, and all of it was hesitation ("嗯…", "um, er")."""
        tidy = normalise(text, lang)
        return bool(tidy) and not self._fillers(tidy, lang).strip()
