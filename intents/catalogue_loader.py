"""Read a catalogue YAML file into `Catalogue`, checking everything staff could get wrong.

Every problem is collected with its entry and field ("intent appointment.book: zh
example 3 is empty") and raised together as one `CatalogueError`; no traceback
reaches a staff member.
"""

from __future__ import annotations

import difflib
import re
import string
from datetime import time
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .catalogue import (
    LANGUAGES,
    SLOT_NAMES,
    Catalogue,
    Hotline,
    Intent,
    Keyword,
    OpeningHours,
    Period,
    Service,
    Settings,
)
from .errors import CatalogueError

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader when PyYAML was built with it: ten times faster on a big catalogue."""

REQUIRED_INTENTS = (
    "dialog.yes",
    "dialog.no",
    "dialog.repeat",
    "dialog.slower",
    "dialog.help",
    "dialog.stop",
    "emergency",
    "staff.handoff",
)
"""Intents the kiosk's dialogue relies on in every state; a catalogue without them is unusable."""

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

TOP_FIELDS = ("settings", "responses", "intents", "services", "hotlines", "out_of_scope")
INTENT_FIELDS = ("examples", "keywords", "counter_examples", "slots", "replies")
SERVICE_FIELDS = (
    "names", "location", "hours", "documents", "description", "bookable", "slot_minutes", "capacity", "situations",
)
HOTLINE_FIELDS = ("names", "number", "description", "situations")
SETTINGS_FIELDS = (
    "min_confidence", "confirm_below", "out_of_scope_margin", "ambiguity_margin", "centre_hours", "fillers",
    "neutral_phrases",
    "reference_digits", "past_markers", "present_markers", "unsure_pleas", "dialogue_cues",
    "foreign_objects", "request_markers", "remark_markers", "change_of_mind",
)
DIALOGUE_CUES = ("correction", "next_week", "thanks")


def demo_catalogue_path() -> Path:
    """The demo centre's catalogue shipped inside the package."""
    return Path(str(resources.files("intents") / "data" / "demo_catalogue.yaml"))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate a catalogue file (the demo one when `path` is None)."""
    file = Path(path) if path is not None else demo_catalogue_path()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(str(file), ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogueError(str(file), [f"cannot be read: {exc}"]) from None
    return parse_catalogue(text, str(file))


def parse_catalogue(text: str, source: str = "<text>") -> Catalogue:
    """Validate catalogue YAML text; `source` names it in messages."""
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogueError(source, [f"{where}not valid YAML ({problem})"]) from None
    return _Reader(source).read(data)


class _Reader:
    """Walks the parsed YAML once, building dataclasses and collecting problems."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    # -- generic shapes -------------------------------------------------------------

    def mapping(self, value: Any, where: str, allowed: tuple[str, ...] | None = None) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(where, f"should be a list of named fields, found {_kind(value)}")
            return {}
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    hint = difflib.get_close_matches(str(key), allowed, n=1)
                    extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                    self.problem(where, f"unknown field '{key}'{extra}")
        return value

    def text(self, value: Any, where: str) -> str | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.problems.append(f"{where} is empty")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.problem(where, f"should be text, found {_kind(value)}")
            return None
        return value.strip()

    def texts(self, value: Any, owner: str, item: str) -> tuple[str, ...]:
        """A list of non-empty texts of `owner`; `item` names one entry ("zh example")."""
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.problem(owner, f"{item}s should be a list, found {_kind(value)}")
            return ()
        out: list[str] = []
        seen: set[str] = set()
        for n, entry in enumerate(value, 1):
            text = self.text(entry, f"{owner}: {item} {n}")
            if text is None:
                continue
            if text in seen:
                self.problem(owner, f"{item} {n} '{text}' is listed twice")
                continue
            seen.add(text)
            out.append(text)
        return tuple(out)

    def per_language(self, value: Any, where: str, required: bool) -> dict[str, Any]:
        data = self.mapping(value, where, LANGUAGES)
        if required:
            for lang in LANGUAGES:
                if lang not in data or data[lang] in (None, "", []):
                    self.problem(where, f"no {lang} text (every entry needs zh and en)")
        return {k: v for k, v in data.items() if k in LANGUAGES}

    def per_language_texts(self, value: Any, owner: str, field: str, item: str,
                           required: bool) -> dict[str, tuple[str, ...]]:
        data = self.per_language(value, f"{owner}: {field}", required)
        return {lang: self.texts(v, owner, f"{lang} {item}") for lang, v in data.items()}

    def per_language_text(self, value: Any, owner: str, field: str, required: bool) -> dict[str, str]:
        data = self.per_language(value, f"{owner}: {field}", required)
        out = {}
        for lang, v in data.items():
            text = self.text(v, f"{owner}: {lang} {field}")
            if text is not None:
                out[lang] = text
        return out

    def number(self, value: Any, where: str, low: float, high: float, integer: bool = False) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
            kind = "a whole number" if integer else "a number"
            self.problem(where, f"should be {kind} from {low:g} to {high:g}, found {value!r}")
            return None
        if not low <= value <= high:
            self.problem(where, f"should be from {low:g} to {high:g}, found {value:g}")
            return None
        return value

    def template(self, text: str, where: str, allowed: tuple[str, ...] | None) -> None:
        try:
            names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
        except ValueError:
            self.problem(where, "has an unmatched { or } (write {{ or }} for a literal brace)")
            return
        for name in names:
            if name == "" or (allowed is not None and name not in allowed):
                known = ", ".join("{" + n + "}" for n in (allowed or ()))
                self.problem(where, f"uses unknown placeholder {{{name}}} (known: {known})")

    # -- sections -------------------------------------------------------------------

    def read(self, data: Any) -> Catalogue:
        if data is None:
            raise CatalogueError(self.source, ["the file is empty"])
        top = self.mapping(data, "", TOP_FIELDS)
        if not top and not isinstance(data, dict):
            raise CatalogueError(self.source, self.problems)
        for required in ("intents", "services", "hotlines"):
            if not top.get(required):
                self.problem("", f"section '{required}' is missing or empty")

        settings = self.settings(top.get("settings"))
        intents = tuple(
            intent for key, value in self.mapping(top.get("intents"), "intents").items()
            if (intent := self.intent(key, value)) is not None
        )
        services = tuple(
            service for key, value in self.mapping(top.get("services"), "services").items()
            if (service := self.service(key, value)) is not None
        )
        hotlines = tuple(
            hotline for key, value in self.mapping(top.get("hotlines"), "hotlines").items()
            if (hotline := self.hotline(key, value)) is not None
        )
        out_of_scope = self.per_language_texts(top.get("out_of_scope"), "out_of_scope", "examples", "example", False)
        responses = self.responses(top.get("responses"))

        present = {i.id for i in intents}
        for needed in REQUIRED_INTENTS:
            if needed not in present and top.get("intents"):
                self.problem("intents", f"intent {needed} is missing; the kiosk needs it in every conversation")
        self.check_entity_names(services, hotlines)

        if self.problems:
            raise CatalogueError(self.source, self.problems)
        return Catalogue(
            intents=intents, services=services, hotlines=hotlines, settings=settings,
            out_of_scope=out_of_scope, responses=responses, source=self.source,
        )

    def entry_id(self, kind: str, key: Any) -> str | None:
        if not isinstance(key, str) or not ID_PATTERN.match(key):
            self.problem(f"{kind} {key!r}", "id must be lower-case letters, digits, _ and dots, e.g. meal_service")
            return None
        return key

    def intent(self, key: Any, value: Any) -> Intent | None:
        intent_id = self.entry_id("intent", key)
        if intent_id is None:
            return None
        owner = f"intent {intent_id}"
        data = self.mapping(value, owner, INTENT_FIELDS)
        if not data:
            self.problem(owner, "has no fields; it needs at least examples and replies")
        examples = self.per_language_texts(data.get("examples"), owner, "examples", "example", True)
        for lang, texts in examples.items():
            for n, text in enumerate(texts, 1):
                self.template(text, f"{owner}: {lang} example {n}", SLOT_NAMES)
        counters = self.per_language_texts(data.get("counter_examples"), owner, "counter_examples",
                                           "counter-example", False)
        for lang, texts in counters.items():
            clash = set(texts) & set(examples.get(lang, ()))
            for text in sorted(clash):
                self.problem(owner, f"'{text}' is both an example and a counter-example")
        keywords = self.keywords(data.get("keywords"), owner)
        slots = self.texts(data.get("slots"), owner, "slot")
        for slot in slots:
            if slot not in SLOT_NAMES:
                self.problem(owner, f"unknown slot '{slot}' (known: {', '.join(SLOT_NAMES)})")
        replies = self.replies(data.get("replies"), owner, required=True)
        return Intent(intent_id, examples, keywords, counters, tuple(s for s in slots if s in SLOT_NAMES), replies)

    def keywords(self, value: Any, owner: str) -> dict[str, tuple[Keyword, ...]]:
        data = self.per_language(value, f"{owner}: keywords", False)
        out: dict[str, tuple[Keyword, ...]] = {}
        for lang, entries in data.items():
            if not isinstance(entries, list):
                self.problem(f"{owner}: keywords", f"{lang} should be a list, found {_kind(entries)}")
                continue
            found: list[Keyword] = []
            for n, entry in enumerate(entries, 1):
                where = f"{owner}: {lang} keyword {n}"
                if isinstance(entry, dict):
                    self.mapping(entry, where, ("word", "weight"))
                    word = self.text(entry.get("word"), where)
                    weight = self.number(entry.get("weight", 1.0), f"{where} weight", 0.0, 1.0)
                    if word is not None and weight is not None:
                        found.append(Keyword(word, float(weight)))
                elif (word := self.text(entry, where)) is not None:
                    found.append(Keyword(word))
            out[lang] = tuple(found)
        return out

    def replies(self, value: Any, owner: str, required: bool) -> dict[str, dict[str, str]]:
        data = self.per_language(value, f"{owner}: replies", required)
        out: dict[str, dict[str, str]] = {}
        for lang, templates in data.items():
            named = self.mapping(templates, f"{owner}: {lang} replies")
            if required and "default" not in named:
                self.problem(owner, f"{lang} replies need a 'default' reply")
            out[lang] = {}
            for name, template in named.items():
                text = self.text(template, f"{owner}: {lang} reply '{name}'")
                if text is not None:
                    self.template(text, f"{owner}: {lang} reply '{name}'", None)
                    out[lang][str(name)] = text
        missing = set(out.get("zh", {})) ^ set(out.get("en", {}))
        for name in sorted(missing):
            lang = "en" if name in out.get("zh", {}) else "zh"
            self.problem(owner, f"reply '{name}' has no {lang} version")
        return out

    def responses(self, value: Any) -> dict[str, dict[str, str]]:
        if value is None:
            return {}
        return self.replies(value, "responses", required=False)

    def hours(self, value: Any, where: str) -> OpeningHours | None:
        data = self.mapping(value, where, ("days", "periods"))
        if not data:
            self.problem(where, "is missing; give days (e.g. mon-fri) and periods (e.g. 08:30-11:30)")
            return None
        days = self.days(data.get("days"), f"{where} days")
        periods: list[Period] = []
        raw = data.get("periods")
        if not isinstance(raw, list) or not raw:
            self.problem(f"{where} periods", "should be a list like ['08:30-11:30', '13:30-17:00']")
        else:
            for n, text in enumerate(raw, 1):
                period = parse_period(text)
                if period is None:
                    self.problem(f"{where} period {n}", f"'{text}' is not a time range like 08:30-11:30")
                elif periods and period.start < periods[-1].end:
                    self.problem(f"{where} period {n}", f"'{text}' overlaps or comes before the one above it")
                else:
                    periods.append(period)
        if days is None or not periods:
            return None
        return OpeningHours(days, tuple(periods))

    def days(self, value: Any, where: str) -> tuple[int, ...] | None:
        if value in ("daily", "every day"):
            return tuple(range(7))
        if isinstance(value, str) and "-" in value:
            first, _, last = value.partition("-")
            if first.strip() in DAY_NAMES and last.strip() in DAY_NAMES:
                a, b = DAY_NAMES.index(first.strip()), DAY_NAMES.index(last.strip())
                if a <= b:
                    return tuple(range(a, b + 1))
        if isinstance(value, list) and value and all(d in DAY_NAMES for d in value):
            return tuple(sorted({DAY_NAMES.index(d) for d in value}))
        self.problem(where, f"{value!r} is not days like mon-fri, daily or [mon, wed, fri]")
        return None

    def service(self, key: Any, value: Any) -> Service | None:
        service_id = self.entry_id("service", key)
        if service_id is None:
            return None
        owner = f"service {service_id}"
        data = self.mapping(value, owner, SERVICE_FIELDS)
        names = self.per_language_texts(data.get("names"), owner, "names", "name", True)
        location = self.per_language_text(data.get("location"), owner, "location", True)
        hours = self.hours(data.get("hours"), f"{owner}: hours")
        documents = self.per_language_texts(data.get("documents"), owner, "documents", "document", False)
        description = self.per_language_text(data.get("description"), owner, "description", False)
        situations = self.per_language_texts(data.get("situations"), owner, "situations", "situation", False)
        bookable = data.get("bookable", False)
        if not isinstance(bookable, bool):
            self.problem(f"{owner}: bookable", f"should be true or false, found {bookable!r}")
        slot_minutes = self.number(data.get("slot_minutes", 30), f"{owner}: slot_minutes", 5, 240, integer=True)
        capacity = self.number(data.get("capacity", 1), f"{owner}: capacity", 1, 500, integer=True)
        if hours is None or slot_minutes is None or capacity is None or not names:
            return None
        return Service(service_id, names, location, hours, documents, description, bookable is True,
                       int(slot_minutes), int(capacity), situations)

    def hotline(self, key: Any, value: Any) -> Hotline | None:
        hotline_id = self.entry_id("hotline", key)
        if hotline_id is None:
            return None
        owner = f"hotline {hotline_id}"
        data = self.mapping(value, owner, HOTLINE_FIELDS)
        names = self.per_language_texts(data.get("names"), owner, "names", "name", True)
        number = self.text(data.get("number"), f"{owner}: number")
        if number is not None and not re.fullmatch(r"[0-9][0-9 \-]{1,19}", number):
            self.problem(f"{owner}: number", f"'{number}' should be digits (spaces and dashes allowed)")
            number = None
        description = self.per_language_text(data.get("description"), owner, "description", False)
        situations = self.per_language_texts(data.get("situations"), owner, "situations", "situation", False)
        if number is None or not names:
            return None
        return Hotline(hotline_id, names, number, description, situations)

    def settings(self, value: Any) -> Settings:
        data = self.mapping(value, "settings", SETTINGS_FIELDS)
        defaults = Settings()
        min_conf = self.number(data.get("min_confidence", defaults.min_confidence),
                               "settings: min_confidence", 0.0, 1.0)
        confirm = self.number(data.get("confirm_below", defaults.confirm_below), "settings: confirm_below", 0.0, 1.0)
        margin = self.number(data.get("ambiguity_margin", defaults.ambiguity_margin),
                             "settings: ambiguity_margin", 0.0, 0.5)
        oos_margin = self.number(data.get("out_of_scope_margin", defaults.out_of_scope_margin),
                                 "settings: out_of_scope_margin", -0.5, 0.5)
        hours = self.hours(data["centre_hours"], "settings: centre_hours") if "centre_hours" in data else None
        fillers = self.per_language_texts(data.get("fillers"), "settings", "fillers", "filler", False)
        neutral = self.per_language_texts(data.get("neutral_phrases"), "settings", "neutral_phrases",
                                          "neutral phrase", False)
        past = self.per_language_texts(data.get("past_markers"), "settings", "past_markers", "past marker", False)
        present = self.per_language_texts(data.get("present_markers"), "settings", "present_markers",
                                          "present marker", False)
        pleas = self.per_language_texts(data.get("unsure_pleas"), "settings", "unsure_pleas", "plea", False)
        cues = data.get("dialogue_cues") or {}
        if not isinstance(cues, dict) or set(cues) - set(DIALOGUE_CUES):
            kinds = ", ".join(DIALOGUE_CUES)
            self.problem("settings: dialogue_cues", f"should map some of {kinds} to words per language")
            cues = {}
        dialogue_cues = {
            kind: self.per_language_texts(words, "settings: dialogue_cues", kind, "cue", False)
            for kind, words in cues.items()
        }
        scope = {
            key: self.per_language_texts(data.get(key), "settings", key, key.replace("_", " ").rstrip("s"), False)
            for key in ("foreign_objects", "request_markers", "remark_markers", "change_of_mind")
        }
        digits = data.get("reference_digits", list(defaults.reference_digits))
        if (not isinstance(digits, list) or len(digits) != 2
                or not all(isinstance(d, int) and 1 <= d <= 12 for d in digits) or digits[0] > digits[1]):
            self.problem("settings: reference_digits", f"should be [fewest, most] like [4, 6], found {digits!r}")
            digits = list(defaults.reference_digits)
        return Settings(
            min_confidence=float(min_conf if min_conf is not None else defaults.min_confidence),
            confirm_below=float(confirm if confirm is not None else defaults.confirm_below),
            ambiguity_margin=float(margin if margin is not None else defaults.ambiguity_margin),
            out_of_scope_margin=float(oos_margin if oos_margin is not None else defaults.out_of_scope_margin),
            centre_hours=hours,
            fillers=fillers,
            neutral_phrases=neutral,
            reference_digits=(digits[0], digits[1]),
            past_markers=past,
            present_markers=present,
            unsure_pleas=pleas,
            dialogue_cues=dialogue_cues,
            foreign_objects=scope["foreign_objects"],
            request_markers=scope["request_markers"],
            remark_markers=scope["remark_markers"],
            change_of_mind=scope["change_of_mind"],
        )

    def check_entity_names(self, services: tuple[Service, ...], hotlines: tuple[Hotline, ...]) -> None:
        """A name shared by two entries would make the slot a coin toss."""
        owners: dict[tuple[str, str], str] = {}
        for kind, entries in (("service", services), ("hotline", hotlines)):
            for entry in entries:
                for lang, names in entry.names.items():
                    for name in names:
                        key = (lang, name.lower())
                        here = f"{kind} {entry.id}"
                        if key in owners and owners[key] != here:
                            self.problem(here, f"{lang} name '{name}' is also a name of {owners[key]}")
                        owners.setdefault(key, here)


def parse_period(text: Any) -> Period | None:
    """ "08:30-11:30" → Period; None unless it is a time range that starts before it ends, within one day.

    "24:00" ends at the end of the day (23:59:59). The one parser of opening periods: the
    catalogue's hours and the staff console's hour fields both read them with it.
    """
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", str(text))
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2, m2) > (24, 0):
        return None
    start = time(h1, m1)
    end = time(23, 59, 59) if h2 == 24 else time(h2, m2)
    return Period(start, end) if start < end else None


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a set of fields"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text '{value}'"
    return f"{value!r}"
