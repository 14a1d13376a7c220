"""Tidy raw text (typed or from a recogniser) into one canonical form per language.

Catalogue examples and residents' utterances pass through the same steps, so the
matcher only ever compares like with like.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import zhconv

from .catalogue import SLOT_NAMES, Language

PLACEHOLDER_CHARS: dict[str, str] = {name: chr(0xE001 + n) for n, name in enumerate(SLOT_NAMES)}
"""One private-use character per slot, so a slot counts as one unit when comparing."""

_BRACED = re.compile(r"\{(" + "|".join(SLOT_NAMES) + r")\}")
_PUA = "\ue001-\ue00f"
_ZH_KEEP = re.compile(rf"[^0-9a-z:\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff{_PUA}]+")
_EN_KEEP = re.compile(rf"[^0-9a-z:'{_PUA}]+")
_LONE_COLON = re.compile(r"(?<![0-9]):|:(?![0-9])")
_ZH_SPACE = re.compile(r"(?<![0-9a-z]) | (?![0-9a-z])")
_REPEAT = re.compile(r"([\u4e00-\u9fff])\1{2,}|([\u4e00-\u9fff]{2})\2+")
_EN_REPEAT = re.compile(r"\b([a-z]+)(?: \1\b){2,}")
_NUMERAL_CHARS = set("零〇一二两三四五六七八九十百千幺")
_EN_NUMBER_WORDS = {"zero", "oh", "o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                    "double", "triple"}
_AM_PM = re.compile(r"\b([ap])\s*\.\s*m\b\.?")
_OCLOCK = re.compile(r"\bo\s*'?\s*clock\b")
_SPOKEN_AM_PM = re.compile(
    r"\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|thirty|forty five"
    r"|oclock) ([ap]) m\b"
)
"""A recogniser's "two p m": the letters said apart, after a clock time only ("a m for mother" stays)."""

_CONTRACTIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\bcan't\b", "can not"),
        (r"\bcannot\b", "can not"),
        (r"\bwon't\b", "will not"),
        (r"\bshan't\b", "shall not"),
        (r"\bain't\b", "am not"),
        (r"\blet's\b", "let us"),
        (r"n't\b", " not"),
        (r"'re\b", " are"),
        (r"\bi'm\b", "i am"),
        (r"'ve\b", " have"),
        (r"'ll\b", " will"),
        (r"'d\b", " would"),
        (r"\b(it|that|what|where|when|who|how|there|here|he|she)'s\b", r"\1 is"),
        (r"'s\b", ""),
        (r"'", ""),
    )
)
_UNQUOTED_CONTRACTIONS = tuple((p, r) for p, r in _CONTRACTIONS if "'" not in p.pattern)
"""The contractions that can occur without an apostrophe (the others would find nothing)."""


def braced_to_placeholders(text: str) -> str:
    """Catalogue examples write slots as {service}; the matcher wants one character each."""
    return _BRACED.sub(lambda m: PLACEHOLDER_CHARS[m.group(1)], text)


@lru_cache(maxsize=4096)
def normalise(text: str, lang: Language) -> str:
    """Canonical text: half-width, lower case, simplified, no punctuation, tidy spaces."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'").lower()
    return _normalise_zh(text) if lang == "zh" else _normalise_en(text)


_ZH_DIALECT = str.maketrans({"俺": "我", "侬": "你", "〇": "零"})
"""Dialect pronouns said for the standard ones (俺 = 我 in the north, 侬 = 你 in Shanghai), one
character for one, so spans found in the text stay where they are; and the zero a recogniser
writes as 〇 (outside the CJK block the rest of the text is kept in: "H九〇二一" lost its 0)."""


_ZH_DIALECT_WORD_MAP = {
    "系唔系": "是不是", "唔系": "不是", "唔该": "麻烦", "唔使": "不用", "唔要": "不要", "喺": "在", "边度": "哪里",
    "冇": "没", "啲": "点", "嘅": "的", "咗": "了", "佢": "他", "睇": "看", "乜嘢": "什么", "咩": "啥",
    "点样": "怎样", "点搞": "咋办", "几时": "啥时", "啥辰光": "啥时候", "阿拉": "我们", "囡囡": "女儿",
    "我个女": "我女儿", "我个仔": "我儿子", "号头": "单号", "明朝": "明天", "勿要": "不要", "勿是": "不是",
    "伐": "吗", "落雨": "下雨",
    "屋里厢": "家里头", "里向": "里面", "啥个": "什么", "退脱": "退掉", "今朝": "今天",
    "阮欲": "我要", "阮想": "我想", "阮的": "我的", "阮厝": "我家", "欲约": "要约", "欲办": "要办", "欲问": "要问",
    "毋是": "不是", "毋要": "不要", "毋免": "不用", "毋通": "不要",
}
"""Cantonese and Shanghainese words a recogniser writes down as heard (喺边度 for 在哪里, 唔该 = please,
阿拉 for 我们, 啥辰光 for 啥时候, the question particle 伐 for 吗, which also sounded like 法; 屋里厢 and
里向 for 家里 and 里面, 退脱 for 退掉), Minnan ones (阮欲 = 我要, 毋是 = 不是, 毋免 = 不用), each
replaced by standard words of the same length, so spans stay put."""
_ZH_DIALECT_WORDS = re.compile("|".join(sorted(_ZH_DIALECT_WORD_MAP, key=len, reverse=True)))


def _normalise_zh(text: str) -> str:
    text = zhconv.convert(text, "zh-cn").translate(_ZH_DIALECT)
    text = _ZH_DIALECT_WORDS.sub(lambda m: _ZH_DIALECT_WORD_MAP[m.group(0)], text)
    text = _ZH_KEEP.sub(" ", text)
    text = _LONE_COLON.sub(" ", text)
    text = " ".join(text.split())
    text = _ZH_SPACE.sub("", text)  # recognisers put spaces between words; keep "a 1 0 2 3"
    return collapse_repeats(text, "zh")


_EN_SPLIT_DAYS = {"mon": "monday", "tues": "tuesday", "twos": "tuesday", "wednes": "wednesday",
                  "thurs": "thursday", "fri": "friday", "satur": "saturday", "sat": "saturday", "sun": "sunday"}
_EN_SPLIT_DAY = re.compile(rf"\b(?:({'|'.join(_EN_SPLIT_DAYS)}) day|to (morrow))\b")
"""Day names a recogniser split in two ("mon day", "twos day", "to morrow")."""


def _joined_day(match: re.Match[str]) -> str:
    return _EN_SPLIT_DAYS[match.group(1)] if match.group(1) else "tomorrow"


def _normalise_en(text: str) -> str:
    text = _AM_PM.sub(r"\1m", text)
    text = _OCLOCK.sub("oclock", text)
    text = _SPOKEN_AM_PM.sub(r"\1 \2m", text)
    for pattern, replacement in _CONTRACTIONS if "'" in text else _UNQUOTED_CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = _EN_KEEP.sub(" ", text)
    text = _LONE_COLON.sub(" ", text)
    text = _EN_SPLIT_DAY.sub(_joined_day, " ".join(text.split()))
    return collapse_repeats(text, "en")


def collapse_repeats(text: str, lang: Language) -> str:
    """"我我我想", "对对对", "是的是的", "yes yes yes" → said once.

    Stutters carry no extra meaning. A character or word said just twice is kept: 帮帮我,
    看看, 谢谢 are words, and "help help" is more urgent than "help". Digits are kept: 二二零七.
    """
    if lang == "zh":
        return _REPEAT.sub(lambda m: m.group(0) if set(m.group(0)) & _NUMERAL_CHARS else m.group(1) or m.group(2), text)
    return _EN_REPEAT.sub(lambda m: m.group(0) if m.group(1) in _EN_NUMBER_WORDS else m.group(1), text)


class FillerRemover:
    """Drops hesitation words ("嗯", "那个", "um", "you know") before comparing.

    Runs *after* slots are found: "oh" is a filler in English, but also a zero in
    "A one oh two three".
    """

    def __init__(self, fillers: dict[Language, tuple[str, ...]]) -> None:
        self._patterns: dict[Language, re.Pattern[str] | None] = {}
        for lang in ("zh", "en"):
            words = sorted({normalise(f, lang) for f in fillers.get(lang, ())} - {""}, key=len, reverse=True)
            if not words:
                self._patterns[lang] = None
            elif lang == "zh":
                self._patterns[lang] = re.compile("|".join(map(re.escape, words)))
            else:
                self._patterns[lang] = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b")

    def __call__(self, text: str, lang: Language) -> str:
        pattern = self._patterns.get(lang)
        if pattern is None:
            return text
        cleaned = " ".join(pattern.sub(" ", text).split()) if lang == "en" else pattern.sub("", text)
        return collapse_repeats(cleaned, lang) if cleaned != text else text
