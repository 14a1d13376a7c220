"""The literal strings a regular expression cannot match without, read off the pattern itself.

Why: the date, time and code finders run a dozen patterns over every utterance and every
catalogue example, and most texts say no date, time or code at all. Every match of a weekday
pattern holds 周, 星期 or 礼拜; every match of "in (number) days" holds " day". When the text
holds none of a pattern's needed strings, `finditer` could find nothing, so it is not run:
one substring test instead of a regex scan, and exactly the same matches.

The strings come from the parsed pattern, never from a hand-kept list, so a pattern (or the
word list it is built from) can change without the test going stale. Where the analysis cannot
be sure (case-insensitive flags, \\d, `.`, negated classes, back references) it asks nothing
and the pattern always runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import product
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

LIMIT = 48
"""Most strings kept per set: beyond that, testing them all would cost about as much as the scan."""

RARE_ENOUGH = 3
"""Weight (letters; a Chinese character counts three) beyond which a longer needed string is not
worth testing more of them."""

Strings = frozenset[str]
_EMPTY: Strings = frozenset({""})


class GuardedPattern:
    """A compiled pattern whose `finditer` skips texts that hold none of its needed strings."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        needs = needed_strings(pattern)
        if needs and any(len(s) == 1 and s.isascii() and s.isalpha() for s in needs):
            needs = None  # a lone letter is in nearly every English sentence: the test would never skip
        self.needs: tuple[str, ...] | None = tuple(sorted(needs)) if needs else None
        # One search for any of them runs in C: far cheaper than a test per string in Python.
        self._any_need = re.compile("|".join(map(re.escape, self.needs))) if self.needs else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if self._any_need is not None and self._any_need.search(text) is None:
            return iter(())
        return self.pattern.finditer(text)


def guarded(pattern: str) -> GuardedPattern:
    """`re.compile(pattern)`, wrapped so its `finditer` skips texts it could find nothing in."""
    return GuardedPattern(re.compile(pattern))


def needed_strings(pattern: re.Pattern[str]) -> Strings | None:
    """Strings of which every match of `pattern` contains at least one, or None if unknown."""
    if pattern.flags & (re.IGNORECASE | re.LOCALE) or not isinstance(pattern.pattern, str):
        return None
    tree = sre_parse.parse(pattern.pattern, pattern.flags)
    needs = _Reader().needs(list(tree))
    return None if needs is None or "" in needs else needs


class _Reader:
    """Reads one parsed pattern; each node's answers are kept, since sequences ask about their
    items again and again (a pattern of nested word lists took a third of a second)."""

    def __init__(self) -> None:
        self._exact: dict[int, Strings | None] = {}
        self._needs: dict[int, Strings | None] = {}

    def needs(self, items: Sequence[tuple[Any, Any]]) -> Strings | None:
        return _needs(items, self)

    def item_needs(self, item: tuple[Any, Any]) -> Strings | None:
        key = id(item)
        if key not in self._needs:
            self._needs[key] = _item_needs(item, self)
        return self._needs[key]

    def exact(self, item: tuple[Any, Any]) -> Strings | None:
        key = id(item)
        if key not in self._exact:
            self._exact[key] = _exact(item, self)
        return self._exact[key]


def _needs(items: Sequence[tuple[Any, Any]], reader: _Reader) -> Strings | None:
    """Needed strings of a sequence: the most selective of its items' own needs and of the
    strings spelled by runs of neighbouring items that each match one of a few strings."""
    exact = [reader.exact(item) for item in items]
    best: tuple[tuple[int, int], Strings] | None = None
    for needs in map(reader.item_needs, items):
        if needs is not None and (best is None or _selectivity(needs) > best[0]):
            best = _selectivity(needs), needs
    for start in range(len(items)):
        if best is not None and best[0] == _BEST:
            break  # one string of full weight: nothing can do better
        spelled: Strings = _EMPTY
        for end in range(start, len(items)):
            step = exact[end]
            if step is None:
                break
            spelled = _concat(spelled, step)
            if len(spelled) > LIMIT:
                break
            if "" in spelled:
                continue
            score = _selectivity(spelled)
            if best is None or score > best[0]:
                best = score, spelled
            if score[0] >= RARE_ENOUGH:
                break  # longer runs are no rarer by our measure, only more strings
    return best[1] if best is not None else None


_BEST = (RARE_ENOUGH, -1)


def _selectivity(strings: Strings) -> tuple[int, int]:
    """Longer strings are rarer in a text, up to a point; fewer strings are cheaper to test.

    A Chinese character is about as rare as three letters (周 ≈ "sat"), so it weighs three."""
    return min(min(map(_weight, strings)), RARE_ENOUGH), -len(strings)


def _weight(text: str) -> int:
    return len(text) if text.isascii() else sum(1 if ch.isascii() else 3 for ch in text)


def _item_needs(item: tuple[Any, Any], reader: _Reader) -> Strings | None:
    op, arg = item
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _, body = arg
        return reader.needs(body) if low >= 1 else None
    if op is sre.SUBPATTERN:
        _, add_flags, _, body = arg
        return None if add_flags & (sre.SRE_FLAG_IGNORECASE | sre.SRE_FLAG_LOCALE) else reader.needs(body)
    if op is sre.ATOMIC_GROUP:
        return reader.needs(arg)
    if op is sre.BRANCH:
        if len(arg[1]) > LIMIT:
            return None  # (nearly always more strings than LIMIT; None is always safe)
        union: set[str] = set()
        for branch in arg[1]:
            needs = reader.needs(branch)
            if needs is None or "" in needs:
                return None
            union |= needs
        return frozenset(union) if len(union) <= LIMIT else None
    exact = reader.exact(item)
    return exact if exact is not None and "" not in exact else None


def _exact(item: tuple[Any, Any], reader: _Reader) -> Strings | None:
    """Every string the item can match, if they are few; zero-width items match only ""."""
    op, arg = item
    if op is sre.LITERAL:
        return frozenset({chr(arg)})
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return _EMPTY
    if op is sre.IN:
        return _char_set(arg)
    if op is sre.SUBPATTERN:
        _, add_flags, _, body = arg
        return None if add_flags & (sre.SRE_FLAG_IGNORECASE | sre.SRE_FLAG_LOCALE) else _exact_sequence(body, reader)
    if op is sre.ATOMIC_GROUP:
        return _exact_sequence(arg, reader)
    if op is sre.BRANCH:
        if len(arg[1]) > LIMIT:
            return None
        union: set[str] = set()
        for branch in arg[1]:
            strings = _exact_sequence(branch, reader)
            if strings is None:
                return None
            union |= strings
        return frozenset(union) if len(union) <= LIMIT else None
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, high, body = arg
        once = _exact_sequence(body, reader)
        if once is None or high is sre.MAXREPEAT or high > 4:
            return None
        repeated: set[str] = set()
        times = _EMPTY
        for count in range(high + 1):
            if count >= low:
                repeated |= times
            if count < high:
                times = _concat(times, once)
                if len(times) > LIMIT:
                    return None
        return frozenset(repeated) if len(repeated) <= LIMIT else None
    return None  # ANY, NOT_LITERAL, GROUPREF, categories…: too many strings to list


def _exact_sequence(items: Sequence[tuple[Any, Any]], reader: _Reader) -> Strings | None:
    strings: Strings = _EMPTY
    for item in items:
        step = reader.exact(item)
        if step is None:
            return None
        strings = _concat(strings, step)
        if len(strings) > LIMIT:
            return None
    return strings


def _char_set(members: Sequence[tuple[Any, Any]]) -> Strings | None:
    chars: set[str] = set()
    for op, arg in members:
        if op is sre.LITERAL:
            chars.add(chr(arg))
        elif op is sre.RANGE and arg[1] - arg[0] < LIMIT:
            chars.update(map(chr, range(arg[0], arg[1] + 1)))
        else:
            return None  # NEGATE, CATEGORY (\d, \w…), wide ranges
    return frozenset(chars) if len(chars) <= LIMIT else None


def _concat(left: Strings, right: Strings) -> Strings:
    return frozenset(a + b for a, b in product(left, right))
