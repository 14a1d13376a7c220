"""Turn raw text into what the matcher compares: slots found, then replaced by placeholders.

Catalogue examples go through exactly the same steps as residents' words, so
"我想办社保卡" in the catalogue and "我想办设保卡" from the recogniser both become
"我想办{service}" before they are compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .catalogue import Catalogue, Language
from .dates import find_dates
from .entity_finder import EntityFinder
from .normaliser import PLACEHOLDER_CHARS, FillerRemover, braced_to_placeholders, normalise
from .reference_codes import find_references
from .slot_span import SlotSpan
from .sound_form import SoundForm, sound_form
from .times import find_times


@dataclass(frozen=True)
class Utterance:
    """One utterance ready for matching."""

    lang: Language
    normalised: str
    """The tidied text the slots were found in."""

    slots: tuple[SlotSpan, ...]
    """Slots found, in text order (spans index `normalised`)."""

    form: SoundForm
    """Text with slots as placeholders and fillers removed, with its sound key."""

    situations: tuple[SlotSpan, ...] = ()
    """Hotlines and services the words point to without naming one ("着火了打哪个电话" → fire,
    "someone to clean the flat" → housekeeping).

    Kept apart from `slots`: situation words stay in the text, so 着火 still says emergency."""


class UtterancePreparer:
    """Runs normalisation, slot finding, masking and filler removal."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        self._entities = EntityFinder.for_names(catalogue)
        self._situations = {slot: EntityFinder.for_situations(catalogue, slot) for slot in ("hotline", "service")}
        self._fillers = FillerRemover(catalogue.settings.fillers)
        self._hours = {s.id: s.hours for s in catalogue.services}

    def prepare(self, text: str, lang: Language, today: date, heard: bool = True) -> Utterance:
        """`heard` is False for catalogue text, which needs no forgiveness for misspelt names."""
        normalised = normalise(braced_to_placeholders(text), lang)
        form = sound_form(normalised, lang)
        settings = self._catalogue.settings
        slots: list[SlotSpan] = []
        _add(slots, find_references(normalised, lang, settings.reference_digits))
        _add(slots, find_dates(normalised, lang, today))
        entities = self._entities.find(form, lang, slots, fuzzy=heard)
        service = next((s.value for s in entities if s.name == "service"), None)
        hours = self._hours.get(service) if service else settings.centre_hours
        _add(slots, find_times(normalised, lang, hours))
        _add(slots, entities)
        slots.sort(key=lambda s: s.start)
        situations = self._find_situations(form, lang, slots)
        # A described need reads like the service's name ("someone to clean my flat" ≈ "I need
        # {service}"); hotline situations stay as words, so 着火 still says emergency.
        described = [s for s in situations if s.name == "service"]
        masked = _mask(normalised, sorted([*slots, *described], key=lambda s: s.start), lang)
        cleaned = self._fillers(masked, lang)
        final = form if cleaned == normalised else sound_form(cleaned, lang)
        return Utterance(lang, normalised, tuple(slots), final, situations)

    def _find_situations(self, form: SoundForm, lang: Language, slots: list[SlotSpan]) -> tuple[SlotSpan, ...]:
        """Described needs. Hotlines only when none is named; services always, since their
        descriptions are masked like names on both sides (catalogue examples and residents' words
        must read alike whether or not a service is also named).

        A hotline description may overlap a service name (养老服务 is both a service and what the
        elderly-care line is for), so hotline situations look through service spans."""
        found: list[SlotSpan] = []
        if not any(s.name == "hotline" for s in slots):
            taken = [s for s in slots if s.name != "service"]
            found.extend(self._situations["hotline"].find(form, lang, taken, fuzzy=False))
        found.extend(self._situations["service"].find(form, lang, slots, fuzzy=False))
        return tuple(found)


def _add(slots: list[SlotSpan], new: list[SlotSpan]) -> None:
    """Keep spans found earlier (more specific finders run first) when spans overlap."""
    for span in new:
        if all(span.end <= s.start or span.start >= s.end for s in slots):
            slots.append(span)


def _mask(text: str, slots: list[SlotSpan], lang: Language) -> str:
    pieces: list[str] = []
    pos = 0
    gap = " " if lang == "en" else ""
    for span in slots:
        pieces.append(text[pos:span.start])
        pieces.append(gap + PLACEHOLDER_CHARS[span.name] + gap)
        pos = span.end
    pieces.append(text[pos:])
    masked = "".join(pieces)
    return " ".join(masked.split()) if lang == "en" else masked
