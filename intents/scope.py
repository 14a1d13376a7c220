"""Whether an utterance asks the centre for something it does, beyond the words that match.

Fuzzy matching and keywords reward a request's *shape*: "帮我约个理发的" and "book me in for
a haircut" look just like bookings, and "上回在你们这儿体检，那个小姑娘态度挺好的" names a
service. Three kinds of catalogue markers tell these apart, so no list of examples has to:

- `foreign_objects`: things the centre does not do (taxis, restaurants, hospital doctors,
  banks, schools…). A generic verb (帮我/给我/book/order/call) gives no in-scope credit when
  its object is one of these and no service or hotline is named or described.
- `request_markers`: signs that the resident asks for something (吗, 咋, 能不能, "can you",
  "where", "tell me"…). A story about something done (`remark_markers`, and the past
  markers) with none of them is a remark, not a request.
- `change_of_mind`: 算了, 先不管那个, "never mind", "forget that": what was named before
  them was dropped, so the slots said after them win.
"""

from __future__ import annotations

import re

from .catalogue import Catalogue, Language
from .marker_search import NOTHING, MarkerSearch
from .normaliser import normalise

_ZH_CLOSING_QUESTION = re.compile(r"(?:不|没|没有|没得|了没)[啊呀呢吧哇嘛么]*$")
"""Mandarin yes/no questions often end in 不 or 没 with no 吗: "能用不", "办好了没"."""

_EN_OPENERS = frozenset(
    (
        "can", "could", "would", "will", "do", "does", "did", "is", "are", "was", "were", "have", "has",
        "should", "shall", "may", "what", "where", "when", "how", "which", "who", "why", "any", "tell", "give",
        "book", "cancel", "read", "show", "check", "find", "get", "let", "please",
    )
)
"""An English utterance starting with one of these is a question or an order."""


_EN_DONE_WITH_ALREADY = re.compile(r"(?: [a-z]+(?: me| it| us| them| him| her)?)? already(?: [a-z]+(?= \S))? ")
"""Second-language English marks a done thing with "already" and a plain verb ("already book it
on my phone", "the lawyer help me already"): the verb beside it tells, it does not ask. A verb
said last is an order, though ("no go already cancel")."""


_EN_WHEN_CLAUSE = re.compile(
    r" when (?:i|he|she|we|they|it|(?:my|his|her|our|their|the|a) [a-z]+)(?: [a-z]+)?"
    r" (?:was|were|had|did|got|went|came|died|fell|broke|[a-z]+ed) ")
""""When" before a subject and a past verb joins a story ("I rang the police last month when my
bike was stolen"); it asks nothing. A question puts the verb first ("when was the power cut")."""


_EN_REQUEST_VERB = re.compile(
    r"(?:^| you| please| to) (?:book|make|get|arrange|reserve|order|call|ring|phone|fix|repair|charge|sort|use it to"
    r"|use that to) ")
"""Verbs said to the kiosk ("can you…", "please…", "I want to…", or first), whose object is what the
resident asks for: a foreign object within a few words after one ("could you book me a table", "can
you use it to transfer money") is the request, whatever service is named elsewhere in the sentence
("after my check-up", "my medical insurance will pay"). "I'll get a taxi home" tells, it asks not."""

REQUEST_OBJECT_WORDS = 7
"""How many words after a request verb its object may begin ("make me an appointment at the bank")."""


_ZH_QUESTION = re.compile(r"什么|怎么|哪|啥|咋|多少|吗|么|伐|(.)[不没]\1")
"""A Mandarin question, not a request: question words, 吗 (伐 in Shanghai), or A-not-A (在不在,
开没开)."""

_ZH_INDEFINITE = re.compile(r"(?:啥|什么|哪儿|哪里|哪|谁)(?:都|也)|没(?:啥|什么)(?:问题)?|(?<!提)前几天|这几天|好几")
"""Question words that mean "any-" before 都/也 or "nothing" after 没, and 几 meaning "a few", ask
nothing: "啥都不中用了", "哪儿都去不了", "去过了，没啥事", "前几天约的护理来过了"."""

_ZH_DONE_OBJECT = re.compile(r"(?:预约|约|办)(?:的|好了|完了)")
"""A booking or an application named by what was done, or said to be done, asks for nothing by its
verb: "前天约的家政来过了", "在这儿办的老年证", "已经约好了，谢谢"."""

_EN_QUESTION_WORDS = frozenset(("what", "where", "when", "how", "which", "who", "why", "whether"))
_EN_QUESTION_OPENERS = frozenset(
    ("can", "could", "would", "will", "do", "does", "did", "is", "are", "was", "were", "have", "has",
     "should", "shall", "may", "any")
)
"""An English question: a question word anywhere, or an auxiliary first ("is it open on…")."""


class ScopeReader:
    """The catalogue's scope markers, normalised once at load."""

    def __init__(self, catalogue: Catalogue) -> None:
        settings = catalogue.settings
        self._foreign = {lang: _prepared(words, lang) for lang, words in settings.foreign_objects.items()}
        self._asks = {lang: _prepared(words, lang) for lang, words in settings.request_markers.items()}
        self._told = {
            lang: _prepared((*settings.past_markers.get(lang, ()), *settings.remark_markers.get(lang, ())), lang)
            for lang in (*settings.past_markers, *settings.remark_markers)
        }
        self._turns = {lang: _prepared(words, lang) for lang, words in settings.change_of_mind.items()}
        self._foreign_search = {lang: MarkerSearch(words) for lang, words in self._foreign.items()}
        self._asks_search = {lang: MarkerSearch(words) for lang, words in self._asks.items()}
        self._told_search = {lang: MarkerSearch(words) for lang, words in self._told.items()}

    def foreign_object(self, normalised: str, lang: Language) -> bool:
        """The utterance mentions something the centre does not do."""
        return self._foreign_search.get(lang, NOTHING).found_in(_padded(normalised, lang))

    def inside_foreign_object(self, start: int, end: int, normalised: str, lang: Language) -> bool:
        """The words at normalised[start:end] are part of a foreign object's name: 养老 in 养老金
        (a pension, paid by the bank) describes no need of the elderly-care line."""
        text = _padded(normalised, lang)
        shift = 1 if lang == "en" else 0
        for marker in self._foreign.get(lang, ()):
            at = text.find(marker)
            while at != -1:
                if at - shift <= start and end <= at + len(marker) - shift:
                    return True
                at = text.find(marker, at + 1)
        return False

    def foreign_bound(self, start: int, end: int, normalised: str, lang: Language) -> bool:
        """The service words at normalised[start:end] belong to a foreign object: inside its name
        (律师 in 律师事务所) or done by it (医院的体检, 去医院做体检): the centre's service is not
        what is asked for."""
        if self.inside_foreign_object(start, end, normalised, lang):
            return True
        if lang != "zh":
            return False
        before = normalised[:start]
        for joint in _ZH_FOREIGN_JOINTS:
            if before.endswith(joint) and _any_ends(self._foreign.get(lang, ()), before[:len(before) - len(joint)]):
                return True
        return False

    def asks_for_foreign(self, normalised: str, lang: Language, own: list[tuple[int, int]]) -> bool:
        """English: a request verb's object is something the centre does not do, with none of the
        centre's own things (`own`: spans of services named or described) between the verb and it.
        "Book me a health check at the hospital" names the service first: the existing rules
        decide; "book me a table after my check-up" asks for the table."""
        if lang != "en":
            return False
        text = _padded(normalised, lang)
        for verb in _EN_REQUEST_VERB.finditer(text):
            reach = verb.end() - 1  # the space after the verb, where its object's first word starts
            window_end = _word_end(text, reach, REQUEST_OBJECT_WORDS)
            # The first foreign object in reach is the one to check: own things before a later one
            # stand before the first too.
            at = self._foreign_search.get(lang, NOTHING).first_in(text, reach, window_end + 1)
            if at != -1 and not any(reach <= start + 1 < at for start, _ in own):  # +1: padding
                return True
        return False

    def asks(self, normalised: str, lang: Language) -> bool:
        """The utterance carries some sign of a question or a request. Words inside a telling of
        something done do not count: 办 in "已经办好了", 帮我 in "上回帮我办的", 几 in "几年前"."""
        text = _EN_WHEN_CLAUSE.sub(" ", _padded(normalised, lang)) if lang == "en" else _ZH_INDEFINITE.sub(
            "|", normalised)
        if lang == "en" and " already " in text:  # before "already" itself goes with the told words
            text = _EN_DONE_WITH_ALREADY.sub(" already ", text)
        text = self._blank_told(text, lang)
        if lang == "zh":
            text = _ZH_DONE_OBJECT.sub("|", text)
        if self._asks_search.get(lang, NOTHING).found_in(text):
            return True
        if lang == "zh":  # also A-not-A anywhere: "家政干不干", "管不管擦窗户"
            return bool(_ZH_CLOSING_QUESTION.search(text) or _ZH_QUESTION.search(text))
        first = normalised.split(maxsplit=1)
        return bool(first) and first[0] in _EN_OPENERS

    def questions(self, normalised: str, lang: Language) -> bool:
        """The utterance is a question, not only a request ("体检下周五开门不", "is it open on
        Friday", "what do I bring"): narrower than `asks`, where "I want…" also counts."""
        if lang == "zh":
            normalised = _ZH_INDEFINITE.sub("|", normalised)
            return bool(_ZH_QUESTION.search(normalised) or _ZH_CLOSING_QUESTION.search(normalised))
        words = _EN_WHEN_CLAUSE.sub(" ", _padded(normalised, lang)).split()
        return bool(words) and (words[0] in _EN_QUESTION_OPENERS or not _EN_QUESTION_WORDS.isdisjoint(words))

    def tells_of_done(self, normalised: str, lang: Language) -> bool:
        """The utterance tells of something that already happened (去年, 上回, "already")."""
        return self._told_search.get(lang, NOTHING).found_in(_padded(normalised, lang))

    def untold(self, normalised: str, lang: Language) -> str:
        """The text with the words that tell of something done blanked out: "just" in "I was just
        testing you" or "just so you know" is no sign that something is happening now."""
        text = self._blank_told(_padded(normalised, lang), lang)
        return text.strip() if lang == "en" else text

    def _blank_told(self, text: str, lang: Language) -> str:
        for marker in self._told.get(lang, ()):
            if marker in text:
                text = text.replace(marker, " " if lang == "en" else "|")
        return text

    def turn(self, normalised: str, lang: Language) -> int:
        """Where the resident last changed their mind (end of 算了, "never mind"), or -1."""
        text = _padded(normalised, lang)
        shift = 1 if lang == "en" else 0
        ends = [text.rfind(marker) + len(marker) - shift for marker in self._turns.get(lang, ()) if marker in text]
        return max(ends, default=-1)


_ZH_FOREIGN_JOINTS = ("的", "里的", "做", "做个", "去做", "约", "约个", "约一个", "预约", "预约个", "挂", "挂个")
"""What joins a foreign place to a service it does: 医院的体检, 医院做体检, (在)医院约个体检."""


def _word_end(text: str, start: int, words: int) -> int:
    """Where the `words` words after position `start` of a padded text end."""
    at = start
    for _ in range(words):
        nxt = text.find(" ", at + 1)
        if nxt == -1:
            return len(text)
        at = nxt
    return at


def _any_ends(markers: tuple[str, ...], text: str) -> bool:
    return any(text.endswith(marker) for marker in markers)


def _padded(normalised: str, lang: Language) -> str:
    return f" {normalised} " if lang == "en" else normalised


def _prepared(words: tuple[str, ...], lang: Language) -> tuple[str, ...]:
    spaced = lang == "en"
    return tuple(f" {w} " if spaced else w for w in (normalise(word, lang) for word in words) if w)

