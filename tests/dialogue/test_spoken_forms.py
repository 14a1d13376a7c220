"""Dates, times, hours and numbers said the way people say them, and templates filled twice."""

from __future__ import annotations

from datetime import date, time

import pytest

from intents import load_catalogue
from kiosk.dialogue.reply_writer import MissingReply, ReplyWriter, Said
from kiosk.dialogue.spoken_forms import SpokenForms

FORMS = SpokenForms.load()
TODAY = date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize(
    ("day", "lang", "expected"),
    [
        (date(2026, 11, 26), "zh", "今天11月26日星期四"),
        (date(2026, 11, 27), "zh", "明天11月27日星期五"),
        (date(2026, 11, 28), "zh", "后天11月28日星期六"),
        (date(2026, 12, 6), "zh", "12月6日星期日"),
        (date(2026, 11, 27), "en", "Friday 27 November"),
        (date(2027, 1, 1), "en", "Friday 1 January"),
    ],
)
def test_dates(day: date, lang: str, expected: str) -> None:
    assert FORMS.date(day, lang, TODAY) == expected


@pytest.mark.parametrize(
    ("at", "zh", "en"),
    [
        (time(9, 0), "上午九点", "9 am"),
        (time(9, 30), "上午九点半", "half past nine"),
        (time(9, 15), "上午九点十五", "quarter past nine"),
        (time(9, 45), "上午九点四十五", "quarter to ten"),
        (time(8, 5), "上午八点零五", "8:05 am"),
        (time(12, 0), "中午十二点", "12 noon"),
        (time(14, 0), "下午两点", "2 pm"),
        (time(13, 30), "下午一点半", "half past one"),
        (time(17, 20), "下午五点二十", "5:20 pm"),
        (time(19, 0), "晚上七点", "7 pm"),
    ],
)
def test_times(at: time, zh: str, en: str) -> None:
    assert (FORMS.time(at, "zh"), FORMS.time(at, "en")) == (zh, en)


def test_opening_hours() -> None:
    periods = [(time(8, 30), time(12, 0)), (time(13, 30), time(17, 0))]
    assert FORMS.hours(range(5), periods, "zh") == "星期一到星期五，上午八点半到中午十二点，下午一点半到五点"
    english = "Monday to Friday, half past eight to 12 noon and half past one to 5 pm"
    assert FORMS.hours(range(5), periods, "en") == english
    assert FORMS.hours([1, 3], [(time(9), time(11, 30))], "zh") == "星期二和星期四，上午九点到十一点半"
    assert FORMS.hours(range(7), [(time(11), time(13))], "en") == "every day, 11 am to 1 pm"


def test_numbers_to_dial_and_codes_are_read_one_character_at_a_time() -> None:
    assert FORMS.digit_string("120", "zh") == "幺二零"
    assert FORMS.digit_string("021-5555 0188", "zh") == "零二幺，五五五五，零幺八八"
    assert FORMS.digit_string("12345", "en") == "one two three four five"
    assert FORMS.code("M4827", "zh") == "M 四 八 二 七"
    assert FORMS.code("A1023", "en") == "A, one, zero, two, three"
    assert FORMS.digits_in_text("请拨打120，到二楼201室", "zh") == "请拨打幺二零，到二楼二零幺室"
    assert FORMS.digits_in_text("at 9 am on 27 November", "en") == "at 9 am on 27 November"  # short numbers stay


def test_counts_and_lists() -> None:
    assert (FORMS.count(2, "zh"), FORMS.count(12, "zh"), FORMS.count(2, "en")) == ("两", "十二", "two")
    assert FORMS.items(["身份证", "户口本", "照片"], "zh") == "身份证、户口本和照片"
    assert FORMS.items(["your ID card", "a photo"], "en") == "your ID card and a photo"


def test_templates_are_filled_for_the_screen_and_for_the_speaker() -> None:
    writer = ReplyWriter(load_catalogue(), FORMS)
    code = Said("M4827", FORMS.code("M4827", "zh"))
    said = writer.say("appointment.book", "booked", "zh", code=code, date="明天11月27日星期五", time="上午九点",
                      location="二楼201室")  # fmt: skip
    assert "预约号是M4827" in said.text and "二楼201室" in said.text
    assert "预约号是M 四 八 二 七" in said.speech and "二楼二零幺室" in said.speech
    english = writer.say("service.lookup", "no_documents", "en", service="counselling", location="room 203",
                         hours="Monday")  # fmt: skip
    assert english.text.startswith("Counselling is at room 203")  # a sentence starts with a capital
    with pytest.raises(MissingReply, match="no zh reply 'no_such_reply'"):
        writer.say("appointment.book", "no_such_reply", "zh")
    with pytest.raises(MissingReply, match="needs"):
        writer.say("appointment.book", "read_back", "zh", service="体检")
