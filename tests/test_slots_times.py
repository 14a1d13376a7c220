"""Clock times in normalised text, with and without opening hours to read a bare hour."""

from __future__ import annotations

from datetime import time
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intents.catalogue import OpeningHours, Period
from intents.times import find_times

CENTRE = OpeningHours((0, 1, 2, 3, 4, 5), (Period(time(8, 30), time(12)), Period(time(13, 30), time(17, 30))))
EVENING_CLASS = OpeningHours((0, 2, 4), (Period(time(18), time(21)),))
ROUND_THE_CLOCK = OpeningHours((0, 1, 2, 3, 4, 5, 6), (Period(time(0), time(23, 59)),))

# (text, expected value with no opening hours, the words the span must cover)
ZH_TIMES = [
    ("上午九点", "09:00", "上午九点"),
    ("早上八点半", "08:30", "早上八点半"),
    ("下午两点半", "14:30", "下午两点半"),
    ("下午两点", "14:00", "下午两点"),
    ("三点一刻", "15:15", "三点一刻"),
    ("三点三刻", "15:45", "三点三刻"),
    ("九点四十五", "09:45", "九点四十五"),
    ("九点四十五分", "09:45", "九点四十五分"),
    ("九点零五", "09:05", "九点零五"),
    ("十点钟", "10:00", "十点钟"),
    ("中午十二点", "12:00", "中午十二点"),
    ("中午一点", "13:00", "中午一点"),
    ("十二点半", "12:30", "十二点半"),
    ("晚上七点", "19:00", "晚上七点"),
    ("晚上十二点", "00:00", "晚上十二点"),
    ("凌晨一点", "01:00", "凌晨一点"),
    ("14:30", "14:30", "14:30"),
    ("下午3:30", "15:30", "下午3:30"),
    ("9点", "09:00", "9点"),
    ("14点", "14:00", "14点"),
    ("两点十分", "14:10", "两点十分"),
    ("三点过五分", "15:05", "三点过五分"),
    ("七点", "07:00", "七点"),
    ("十一点", "11:00", "十一点"),
    ("二十点", "20:00", "二十点"),
    # 一点 only with a time cue
    ("一点半", "13:30", "一点半"),
    ("一点钟", "13:00", "一点钟"),
    ("下午一点", "13:00", "下午一点"),
    ("一点十分", "13:10", "一点十分"),
    ("在一点", "13:00", "一点"),
    ("明天一点", "13:00", "一点"),
    ("周五一点", "13:00", "一点"),
    # inside sentences
    ("周五三点", "15:00", "三点"),
    ("今晚七点", "19:00", "七点"),
    ("约个体检十点", "10:00", "十点"),
    ("十二月三号三点一刻预约社保卡", "15:15", "三点一刻"),
    ("后天上午十点半", "10:30", "上午十点半"),
]

EN_TIMES = [
    ("9 am", "09:00", "9 am"),
    ("9am", "09:00", "9am"),
    ("9 pm", "21:00", "9 pm"),
    ("12 am", "00:00", "12 am"),
    ("12 pm", "12:00", "12 pm"),
    ("9:30", "09:30", "9:30"),
    ("9:30 pm", "21:30", "9:30 pm"),
    ("14:30", "14:30", "14:30"),
    ("nine in the morning", "09:00", "nine in the morning"),
    ("seven in the evening", "19:00", "seven in the evening"),
    ("half past two in the afternoon", "14:30", "half past two in the afternoon"),
    ("quarter past three", "15:15", "quarter past three"),
    ("a quarter past three", "15:15", "a quarter past three"),
    ("quarter to four", "15:45", "quarter to four"),
    ("ten past nine", "09:10", "ten past nine"),
    ("twenty five to four", "15:35", "twenty five to four"),
    ("3 pm", "15:00", "3 pm"),
    ("three pm", "15:00", "three pm"),
    ("two oclock", "14:00", "two oclock"),
    ("two o'clock", "14:00", "two o'clock"),
    ("at three", "15:00", "three"),
    ("at 3", "15:00", "3"),
    ("at ten to four", "15:50", "ten to four"),
    ("three thirty", "15:30", "three thirty"),
    ("at nine thirty pm", "21:30", "nine thirty pm"),
    ("at two oh five", "14:05", "two oh five"),
    ("noon", "12:00", "noon"),
    ("midday", "12:00", "midday"),
    ("twelve noon", "12:00", "twelve noon"),
    ("midnight", "00:00", "midnight"),
    ("seven tonight", "19:00", "seven"),  # "tonight" is the date finder's
    # inside sentences
    ("book a check up at ten please", "10:00", "ten"),
    ("book me a health check today at 4 pm", "16:00", "4 pm"),
    ("december the third at nine am health check please", "09:00", "nine am"),
    ("i have a three thirty appointment", "15:30", "three thirty"),
]

NO_TIME = [
    ("zh", "慢一点"),
    ("zh", "大声一点"),
    ("zh", "快一点"),
    ("zh", "早一点"),
    ("zh", "说清楚一点"),
    ("zh", "便宜一点"),
    ("zh", "说慢一点好吗"),
    ("zh", "一点"),
    ("zh", "一点五公斤"),
    ("zh", "三点五公斤"),  # 点 as a decimal point
    ("zh", "我有两个问题"),
    ("zh", "几点开门"),
    ("zh", "两个小时"),
    ("en", "i have 2 questions"),
    ("en", "i am 75"),
    ("en", "i am seventy five"),
    ("en", "two to four people"),
    ("en", "five to ten minutes"),
    ("en", "the 2nd floor"),
    ("en", "one of my neighbours"),
    ("en", "this afternoon"),
    ("en", "at least"),
    ("en", "a one oh two three"),  # a reference code read aloud
    ("en", "c three three oh five"),
    ("en", "home care visit next wednesday for room eleven oh two"),
    ("en", "the number nine thirty bus"),
]


@pytest.mark.parametrize(("text", "value", "words"), ZH_TIMES)
def test_zh_times(text: str, value: str, words: str) -> None:
    [span] = find_times(text, "zh", None)
    assert (span.name, span.value, text[span.start : span.end]) == ("time", value, words)


@pytest.mark.parametrize(("text", "value", "words"), EN_TIMES)
def test_en_times(text: str, value: str, words: str) -> None:
    [span] = find_times(text, "en", None)
    assert (span.name, span.value, text[span.start : span.end]) == ("time", value, words)


@pytest.mark.parametrize(("lang", "text"), NO_TIME)
def test_no_time(lang: str, text: str) -> None:
    assert find_times(text, lang, None) == []


@pytest.mark.parametrize(
    ("lang", "text", "hours", "value"),
    [
        ("zh", "三点", CENTRE, "15:00"),
        ("zh", "九点", CENTRE, "09:00"),
        ("zh", "七点", CENTRE, "07:00"),  # neither open: habit says morning
        ("zh", "七点", EVENING_CLASS, "19:00"),  # only the evening is open
        ("zh", "十点", EVENING_CLASS, "10:00"),  # neither open
        ("zh", "三点", ROUND_THE_CLOCK, "15:00"),  # both open: habit says afternoon
        ("zh", "十二点", ROUND_THE_CLOCK, "12:00"),
        ("zh", "下午七点", CENTRE, "19:00"),  # a said period beats the hours
        ("en", "at seven", EVENING_CLASS, "19:00"),
        ("en", "at two", CENTRE, "14:00"),
        ("en", "at 9 am", EVENING_CLASS, "09:00"),
        ("en", "quarter past six", EVENING_CLASS, "18:15"),
    ],
)
def test_bare_hour_reads_opening_hours(lang: str, text: str, hours: OpeningHours, value: str) -> None:
    assert [s.value for s in find_times(text, lang, hours)] == [value]


@pytest.mark.parametrize(
    ("lang", "text", "values"),
    [
        ("zh", "上午九点或者下午两点半", ["09:00", "14:30"]),
        ("en", "at nine am or quarter past two", ["09:00", "14:15"]),
    ],
)
def test_several_times_in_text_order(lang: str, text: str, values: list[str]) -> None:
    assert [s.value for s in find_times(text, lang, None)] == values


@given(
    st.text(alphabet="上下午早晚一二三十两点半刻分钟过在 athrequrpsmin0123:", max_size=30),
    st.sampled_from(["zh", "en"]),
)
def test_spans_are_ordered_and_disjoint(text: str, lang: str) -> None:
    spans = find_times(text, lang, CENTRE)
    assert all(a.end <= b.start for a, b in pairwise(spans))
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
