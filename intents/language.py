"""Guess whether an utterance is Mandarin or English from its characters."""

from __future__ import annotations

import re

from .catalogue import Language

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]{2,}")


def detect_language(text: str) -> Language:
    """Mandarin as soon as Chinese characters carry the sentence, else English.

    Recognisers and residents mix in letters ("A1023的进度", "我的 ID 卡"), so a few Latin
    words do not make a Chinese sentence English; only clearly more English words do.
    """
    han = len(_HAN.findall(text))
    if han == 0:
        return "en"
    latin_words = len(_LATIN_WORD.findall(text))
    return "en" if latin_words > 2 * han else "zh"
