"""Dates in normalised text, resolved against Thursday 2026-11-26."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from intents.dates import find_dates

TODAY = date(2026, 11, 26)  # a Thursday

# (text, expected value, the words the span must cover)
ZH_DATES = [
    ("今天", "2026-11-26", "今天"),
    ("明天", "2026-11-27", "明天"),
    ("明儿", "2026-11-27", "明儿"),
    ("后天", "2026-11-28", "后天"),
    ("大后天", "2026-11-29", "大后天"),
    ("下周二", "2026-12-01", "下周二"),
    ("下星期二", "2026-12-01", "下星期二"),
    ("下礼拜一", "2026-11-30", "下礼拜一"),
    ("下个星期四", "2026-12-03", "下个星期四"),
    ("这周六", "2026-11-28", "这周六"),
    ("本周六", "2026-11-28", "本周六"),
    ("这个星期六", "2026-11-28", "这个星期六"),
    ("这周二", "2026-12-01", "这周二"),  # already past this week: next week's
    ("这周四", "2026-11-26", "这周四"),  # today is not past
    ("周五", "2026-11-27", "周五"),
    ("星期五", "2026-11-27", "星期五"),
    ("礼拜五", "2026-11-27", "礼拜五"),
    ("礼拜天", "2026-11-29", "礼拜天"),
    ("周四", "2026-12-03", "周四"),  # a bare weekday is never today...
    ("今天周四", "2026-11-26", "今天周四"),  # ...unless said with 今天
    ("上周五", "2026-11-20", "上周五"),
    ("十二月三号", "2026-12-03", "十二月三号"),
    ("12月3日", "2026-12-03", "12月3日"),
    ("十二月三日", "2026-12-03", "十二月三日"),
    ("12月3", "2026-12-03", "12月3"),
    ("十一月三号", "2027-11-03", "十一月三号"),  # past this year: next year
    ("三号", "2026-12-03", "三号"),  # past this month: next month
    ("二十八号", "2026-11-28", "二十八号"),
    ("三十一号", "2026-12-31", "三十一号"),  # November has no 31st
    ("下个月五号", "2026-12-05", "下个月五号"),
    ("下月五号", "2026-12-05", "下月五号"),
    ("这个月三十号", "2026-11-30", "这个月三十号"),
    ("两天后", "2026-11-28", "两天后"),
    ("三天以后", "2026-11-29", "三天以后"),
    ("十天之后", "2026-12-06", "十天之后"),
    # inside sentences
    ("我想下礼拜一约个心理咨询", "2026-11-30", "下礼拜一"),
    ("预约12月3号上午9点体检", "2026-12-03", "12月3号"),
    ("约个下午四点的体检就今天", "2026-11-26", "今天"),
    ("我想约个时间办停车证周五行不行", "2026-11-27", "周五"),
]

EN_DATES = [
    ("today", "2026-11-26", "today"),
    ("tomorrow", "2026-11-27", "tomorrow"),
    ("the day after tomorrow", "2026-11-28", "the day after tomorrow"),
    ("day after tomorrow", "2026-11-28", "day after tomorrow"),
    ("next tuesday", "2026-12-01", "next tuesday"),
    ("next thursday", "2026-12-03", "next thursday"),
    ("this saturday", "2026-11-28", "this saturday"),
    ("this tuesday", "2026-12-01", "this tuesday"),
    ("this coming monday", "2026-11-30", "this coming monday"),
    ("monday", "2026-11-30", "monday"),
    ("on monday", "2026-11-30", "monday"),
    ("thursday", "2026-12-03", "thursday"),
    ("december third", "2026-12-03", "december third"),
    ("december 3rd", "2026-12-03", "december 3rd"),
    ("december 3", "2026-12-03", "december 3"),
    ("december the third", "2026-12-03", "december the third"),
    ("december twenty first", "2026-12-21", "december twenty first"),
    ("the third of december", "2026-12-03", "the third of december"),
    ("3rd of december", "2026-12-03", "3rd of december"),
    ("dec 3", "2026-12-03", "dec 3"),
    ("november third", "2027-11-03", "november third"),
    ("on the 3rd", "2026-12-03", "the 3rd"),
    ("on the twenty eighth", "2026-11-28", "the twenty eighth"),
    ("in two days", "2026-11-28", "in two days"),
    ("in 2 days", "2026-11-28", "in 2 days"),
    ("in a day", "2026-11-27", "in a day"),
    # inside sentences
    ("could you sign me up for the meal service starting monday", "2026-11-30", "monday"),
    (
        "my husband wants home care booked for the day after tomorrow at ten thirty",
        "2026-11-28",
        "the day after tomorrow",
    ),
    ("december the third at nine am health check please", "2026-12-03", "december the third"),
]

NO_DATE = [
    ("zh", "我想预约体检"),
    ("zh", "帮我挂个体检的号"),
    ("zh", "二号窗口在哪"),
    ("zh", "三号楼怎么走"),
    ("zh", "我在十八号院住了三十年"),
    ("zh", "在三号菜市场把卡丢了"),
    ("zh", "坐1号线"),
    ("zh", "一周三次"),
    ("zh", "二月三十号"),  # no such day
    ("zh", "下周"),
    ("zh", "我今年刚满六十五"),
    ("en", "i would like to book a health check"),
    ("en", "may i book a health check"),
    ("en", "i have 2 questions"),
    ("en", "the third window"),
    ("en", "next week"),
    ("en", "february thirtieth"),
]


@pytest.mark.parametrize(("text", "value", "words"), ZH_DATES)
def test_zh_dates(text: str, value: str, words: str) -> None:
    [span] = find_dates(text, "zh", TODAY)
    assert (span.name, span.value, text[span.start : span.end]) == ("date", value, words)


@pytest.mark.parametrize(("text", "value", "words"), EN_DATES)
def test_en_dates(text: str, value: str, words: str) -> None:
    [span] = find_dates(text, "en", TODAY)
    assert (span.name, span.value, text[span.start : span.end]) == ("date", value, words)


@pytest.mark.parametrize(("lang", "text"), NO_DATE)
def test_no_date(lang: str, text: str) -> None:
    assert find_dates(text, lang, TODAY) == []


@pytest.mark.parametrize(
    ("lang", "text", "values"),
    [
        ("zh", "明天不行后天或者下周二", ["2026-11-27", "2026-11-28", "2026-12-01"]),
        ("en", "not tomorrow but next tuesday or december 3rd", ["2026-11-27", "2026-12-01", "2026-12-03"]),
    ],
)
def test_several_dates_in_text_order(lang: str, text: str, values: list[str]) -> None:
    assert [s.value for s in find_dates(text, lang, TODAY)] == values


def test_year_end_rolls_over() -> None:
    new_years_eve = date(2026, 12, 31)
    assert [s.value for s in find_dates("明天", "zh", new_years_eve)] == ["2027-01-01"]
    assert [s.value for s in find_dates("下个月五号", "zh", new_years_eve)] == ["2027-01-05"]
    assert [s.value for s in find_dates("三号", "zh", new_years_eve)] == ["2027-01-03"]


@given(
    st.text(alphabet="今明后大天下这周星期礼拜一二三五六日号月十两后以 todaymrwnxhisu", max_size=30),
    st.sampled_from(["zh", "en"]),
)
def test_spans_are_ordered_and_disjoint(text: str, lang: str) -> None:
    spans = find_dates(text, lang, TODAY)
    assert all(a.end <= b.start for a, b in pairwise(spans))
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
