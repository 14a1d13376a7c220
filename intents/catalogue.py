"""The intent catalogue: what the kiosk can understand and say, as plain data.

The catalogue is written by community-centre staff (see docs/catalogue.md), so these
classes mirror the file one to one; all checking happens in `catalogue_loader`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

Language = str
"""A language code the catalogue supports: "zh" (Mandarin, simplified) or "en"."""

LANGUAGES: tuple[Language, ...] = ("zh", "en")

SLOT_NAMES: tuple[str, ...] = ("service", "hotline", "date", "time", "reference")
"""Slots the parser can fill; examples may use them as {service}, {date}…"""


@dataclass(frozen=True)
class Keyword:
    """A word or phrase that is strong evidence for one intent."""

    text: str
    """As staff wrote it; compared after the same normalisation as the input."""

    weight: float = 1.0
    """0–1: how sure the word alone makes us (预约 → 1.0, 约 → 0.6)."""


@dataclass(frozen=True)
class Intent:
    """One thing a resident can ask for."""

    id: str
    """Stable dotted id used by the dialogue and the server, e.g. "appointment.book"."""

    examples: dict[Language, tuple[str, ...]]
    """Ways residents say it, per language; may contain slot placeholders like {service}."""

    keywords: dict[Language, tuple[Keyword, ...]] = field(default_factory=dict)
    """Words that alone point at this intent, for wordings no example covers."""

    counter_examples: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """Look-alike sentences that must *not* be read as this intent."""

    required_slots: tuple[str, ...] = ()
    """Slots the dialogue must collect before it can act."""

    replies: dict[Language, dict[str, str]] = field(default_factory=dict)
    """Reply templates per language, by name ("default", "ask_service"…)."""


@dataclass(frozen=True)
class Period:
    """A span of opening time within one day."""

    start: time
    end: time


@dataclass(frozen=True)
class OpeningHours:
    """When a service (or the whole centre) is open."""

    weekdays: tuple[int, ...]
    """Open days, Monday = 0 … Sunday = 6."""

    periods: tuple[Period, ...]
    """Open periods on each open day, in order."""

    def contains(self, moment: time) -> bool:
        """True when `moment` falls inside an open period (start inclusive)."""
        return any(p.start <= moment < p.end for p in self.periods)


@dataclass(frozen=True)
class Service:
    """A service residents can ask about and, if bookable, book."""

    id: str
    """Stable id, e.g. "social_security_card"."""

    names: dict[Language, tuple[str, ...]]
    """Official name first, then the synonyms residents use, per language."""

    location: dict[Language, str]
    """Where to go, said the way a resident would understand it."""

    hours: OpeningHours
    """When it is open; also used to read a bare hour ("三点" → 15:00)."""

    documents: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """What to bring."""

    description: dict[Language, str] = field(default_factory=dict)
    """One or two short sentences on what the service does."""

    bookable: bool = False
    """Whether residents can make an appointment for it."""

    slot_minutes: int = 30
    """Length of one appointment slot, when bookable."""

    capacity: int = 1
    """Residents per slot, when bookable."""

    situations: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """Needs residents describe instead of naming the service (儿子不给赡养费 → legal aid,
    "someone to clean the flat" → housekeeping): fills the service slot when none is named."""

    def name(self, lang: Language) -> str:
        """The official name in `lang`, for replies."""
        return self.names[lang][0]


@dataclass(frozen=True)
class Hotline:
    """A phone number the kiosk reads out."""

    id: str
    """Stable id, e.g. "ambulance"."""

    names: dict[Language, tuple[str, ...]]
    """Official name first, then synonyms, per language."""

    number: str
    """Digits to dial, as a string to keep leading zeros and dashes."""

    description: dict[Language, str] = field(default_factory=dict)
    """When to call it."""

    situations: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """What happens when residents need it (着火, burglar, feeling low): picks this line
    when someone asks "which number do I call if…" without naming one."""

    def name(self, lang: Language) -> str:
        """The official name in `lang`, for replies."""
        return self.names[lang][0]


@dataclass(frozen=True)
class Settings:
    """Tuning knobs staff may change without touching code."""

    min_confidence: float = 0.5
    """Below this calibrated probability of being right, the parser says "no intent" rather
    than guess."""

    confirm_below: float = 0.8
    """Below this calibrated probability (and at or above `min_confidence`) the dialogue checks
    before acting ("您是想查电话号码吗？"): on new wording the parser is right only about two
    times in three in this band, and a yes costs an older person less than a wrong answer."""

    out_of_scope_margin: float = 0.05
    """The best intent must beat the closest out-of-scope sentence by this much."""

    ambiguity_margin: float = 0.06
    """If the runner-up is this close to the best, the result is marked ambiguous."""

    centre_hours: OpeningHours | None = None
    """The centre's own hours, to read a bare hour when no service is named."""

    fillers: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """Hesitation words removed before matching ("嗯", "那个", "um", "well")."""

    neutral_phrases: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """Question patterns that contain answer words (是不是, 要不要, "is that right"): inside
    them, keywords such as 不是 or "right" do not count."""

    reference_digits: tuple[int, int] = (4, 6)
    """How many digits follow the letter of a reference code (min, max)."""

    past_markers: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """Words that put a happening in the past (去年, "last winter", "since"): with one and no
    present marker, emergency evidence counts for little — a fall last winter is a story."""

    present_markers: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """Words that say it is happening now (刚才, 现在, "just", "right now"): they override
    past markers ("I fell last night and I still can't get up")."""

    foreign_objects: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """Things the centre does not do (出租车, 饭店, 医院的专家号, "taxi", "restaurant", "bank"): with
    one and no service or hotline named or described, a generic request is out of scope."""

    request_markers: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """Signs of a question or request (吗, 咋, 能不能, "can you", "where", "tell me")."""

    remark_markers: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """Words that tell of something done (已经, 上回, 昨天, "already", "last time"): with these or
    a past marker, no present marker and no request marker, the utterance is a remark."""

    change_of_mind: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """算了, 先不管那个, "never mind", "forget that": slots named after the last one win."""

    unsure_pleas: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """Bare pleas ("help me please", 帮帮我) that may be an emergency or a question about the
    kiosk: said alone, they are read as emergency marked ambiguous with dialog.help, so the
    dialogue asks one short question."""
    dialogue_cues: dict[str, dict[Language, tuple[str, ...]]] = field(default_factory=dict)
    """Words the dialogue reads a turn by, per kind: "correction" (what follows replaces what
    came before: 不对, "actually no"), "next_week" (下礼拜, "next week"). Past and present are
    `past_markers` and `present_markers`, which the parser reads too."""


@dataclass(frozen=True)
class Catalogue:
    """Everything the understanding core knows, loaded from one file."""

    intents: tuple[Intent, ...]
    services: tuple[Service, ...]
    hotlines: tuple[Hotline, ...]
    settings: Settings
    out_of_scope: dict[Language, tuple[str, ...]] = field(default_factory=dict)
    """Things residents say that the kiosk must not act on (chit-chat, shopping…)."""

    responses: dict[Language, dict[str, str]] = field(default_factory=dict)
    """Replies not tied to one intent ("sorry, could you say that another way?")."""

    source: str = "<memory>"
    """The file it came from, for messages."""

    def intent(self, intent_id: str) -> Intent:
        return next(i for i in self.intents if i.id == intent_id)

    def service(self, service_id: str) -> Service:
        return next(s for s in self.services if s.id == service_id)

    def hotline(self, hotline_id: str) -> Hotline:
        return next(h for h in self.hotlines if h.id == hotline_id)
