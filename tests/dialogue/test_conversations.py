"""Scripted conversations, typed the way residents speak, against a real server and SQLite file.

"Done when" of issue 3: in Mandarin and in English a new user books a health check for
tomorrow at nine, hears it read back, confirms, lists it and cancels it; a full slot
offers the next free one; an emergency in the middle of a booking gives 120 and alerts
staff; a wrong identification books nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from dialogue_harness import TalkingKiosk, appointments_of, said_in_en, said_in_zh, staff_alerts
from server_harness import Centre

from kiosk.dialogue.spoken_forms import SpokenForms

Kiosks = Callable[..., TalkingKiosk]
FORMS = SpokenForms.load()


def test_book_list_and_cancel_in_mandarin(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("zh")
    resident = centre.resident(birth_year=1950)
    tomorrow = kiosk.dialogue.now().date() + timedelta(days=1)

    reply = kiosk.say("嗯，那个…明天上午九点帮我约个体检")
    assert reply.state == "booking.ask_identity", kiosk
    assert "手机号码" in reply.text

    reply = kiosk.say(said_in_zh(resident.phone))
    assert reply.state == "booking.ask_birth_year", kiosk

    reply = kiosk.say("一九五零年")
    assert reply.state == "booking.confirm", kiosk
    assert resident.name in reply.text  # greeted by name once identified
    assert f"明天{tomorrow.month}月{tomorrow.day}日" in reply.text and "上午九点" in reply.text
    assert "体检" in reply.text and reply.text.endswith("对吗？")
    assert {o.id for o in reply.options} >= {"dialog.yes", "dialog.no"}
    assert appointments_of(centre.server, resident.id) == []  # nothing booked before the yes

    reply = kiosk.say("对")
    booked = appointments_of(centre.server, resident.id)
    assert len(booked) == 1, kiosk
    code = booked[0]["code"]
    assert booked[0] == {"code": code, "status": "booked", "service": "health_check", "date": tomorrow, "time": "09:00"}
    assert reply.state == "idle" and f"预约号是{code}" in reply.text
    assert FORMS.code(code, "zh") in reply.speech  # "M 四 八 二 七": character by character
    assert "卫生服务站" in reply.text  # where to go

    reply = kiosk.say("我约了什么")
    assert reply.state == "idle" and "您有一个预约" in reply.text and "上午九点" in reply.text, kiosk

    reply = kiosk.say("我想取消预约")
    assert reply.state == "cancel.confirm", kiosk  # identified already; the only appointment
    assert "取消" in reply.text and "上午九点" in reply.text

    reply = kiosk.say("对的")
    assert reply.state == "idle" and "已经取消了" in reply.text, kiosk
    assert [a["status"] for a in appointments_of(centre.server, resident.id)] == ["cancelled"]

    reply = kiosk.say("我有什么预约")
    assert "没有预约" in reply.text, kiosk


def test_book_list_and_cancel_in_english(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("en")
    resident = centre.resident(birth_year=1950)
    tomorrow = kiosk.dialogue.now().date() + timedelta(days=1)

    reply = kiosk.say("I'd like to book a health check tomorrow at nine")
    assert (reply.state, reply.lang) == ("booking.ask_identity", "en"), kiosk

    reply = kiosk.say(f"my number is {said_in_en(resident.phone)}")
    assert reply.state == "booking.ask_birth_year", kiosk
    reply = kiosk.say("nineteen fifty")
    assert reply.state == "booking.confirm", kiosk
    assert FORMS.date(tomorrow, "en") in reply.text and "9 am" in reply.text and "health check" in reply.text

    reply = kiosk.say("yes please")
    booked = appointments_of(centre.server, resident.id)
    assert [(a["date"], a["time"], a["status"]) for a in booked] == [(tomorrow, "09:00", "booked")], kiosk
    code = booked[0]["code"]
    assert f"booking number is {code}" in reply.text
    assert FORMS.code(code, "en") in reply.speech  # "M, four, eight, two, seven"

    reply = kiosk.say("what appointments do I have")
    assert "You have one appointment" in reply.text and "9 am" in reply.text, kiosk

    reply = kiosk.say("cancel my appointment")
    assert reply.state == "cancel.confirm", kiosk
    reply = kiosk.say("yes")
    assert "cancelled" in reply.text, kiosk
    assert [a["status"] for a in appointments_of(centre.server, resident.id)] == ["cancelled"]


def test_a_full_slot_offers_the_nearest_free_one(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("zh")
    resident = centre.resident(birth_year=1947)
    tomorrow = kiosk.dialogue.now().date() + timedelta(days=1)
    full = centre.slot("health_check", tomorrow, "08:30")
    centre.change_slot("health_check", tomorrow, "08:30", booked=full.capacity)

    kiosk.say("我想约明天上午八点半的体检")
    kiosk.say(f"{said_in_zh(resident.phone)}，一九四七年")  # both facts in one breath
    reply = kiosk.say("对")
    assert reply.state == "booking.offer_alternative", kiosk
    assert "上午八点半已经约满了" in reply.text
    offered = next(t for t in ("上午八点十五", "上午八点四十五") if f"，{t}可以吗" in reply.text)
    assert appointments_of(centre.server, resident.id) == []

    reply = kiosk.say("好")
    assert reply.state == "booking.confirm" and offered in reply.text, kiosk  # read back again
    reply = kiosk.say("对")
    [booked] = appointments_of(centre.server, resident.id)
    assert booked["time"] == {"上午八点十五": "08:15", "上午八点四十五": "08:45"}[offered], kiosk
    assert booked["code"] in reply.text
    assert centre.slot("health_check", tomorrow, "08:30").booked == full.capacity  # never overbooked


def test_declining_the_offered_slot_asks_for_another_time(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("en")
    resident = centre.resident(birth_year=1949)
    tomorrow = kiosk.dialogue.now().date() + timedelta(days=1)
    centre.change_slot("health_check", tomorrow, "10:15", booked=4)

    kiosk.say("book a health check tomorrow at quarter past ten")
    kiosk.say(resident.phone)
    kiosk.say("1949")
    reply = kiosk.say("yes")
    assert reply.state == "booking.offer_alternative" and "is full" in reply.text, kiosk
    reply = kiosk.say("no")
    assert reply.state == "booking.ask_time", kiosk
    reply = kiosk.say("half past nine")
    assert reply.state == "booking.confirm" and "half past nine" in reply.text, kiosk
    kiosk.say("yes")
    assert [(a["date"], a["time"]) for a in appointments_of(centre.server, resident.id)] == [(tomorrow, "09:30")]


def test_emergency_in_the_middle_of_a_booking(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("zh")
    resident = centre.resident()
    kiosk.say("帮我约明天上午十点的体检")
    reply = kiosk.say(said_in_zh(resident.phone))
    assert reply.state == "booking.ask_birth_year", kiosk

    reply = kiosk.say("哎呀救命，我摔倒了")
    assert "120" in reply.text and "幺二零" in reply.speech, kiosk
    assert "通知了工作人员" in reply.text
    assert reply.state == "idle"
    [alert] = [a for a in staff_alerts(centre.server) if a["device"] == kiosk.device_name]
    assert (alert["kind"], alert["status"], alert["note"], alert["lang"]) == (
        "emergency", "open", "哎呀救命，我摔倒了", "zh"
    )  # fmt: skip
    assert appointments_of(centre.server, resident.id) == []


def test_emergency_in_english_names_the_resident_to_staff(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("en")
    resident = centre.resident(birth_year=1944, name="Arthur Lee")
    kiosk.say("book a health check tomorrow at nine")
    kiosk.say(resident.phone)
    reply = kiosk.say("1944")
    assert reply.state == "booking.confirm", kiosk

    reply = kiosk.say("help me, I've fallen")
    assert "call 120" in reply.text and "one two zero" in reply.speech, kiosk
    [alert] = [a for a in staff_alerts(centre.server) if a["device"] == kiosk.device_name]
    assert alert["kind"] == "emergency" and alert["resident"] == "Arthur Lee"
    assert appointments_of(centre.server, resident.id) == []  # the half-done booking was not made


def test_wrong_identification_books_nothing_and_keeps_the_booking_details(
    talking_kiosk: Kiosks, centre: Centre
) -> None:
    kiosk = talking_kiosk("zh")
    resident = centre.resident(birth_year=1951)
    kiosk.say("我想预约明天上午九点半的体检")
    kiosk.say(said_in_zh(resident.phone))
    reply = kiosk.say("一九五二年")  # wrong year
    assert reply.state == "booking.ask_identity", kiosk
    assert "没有找到您的信息" in reply.text
    assert appointments_of(centre.server, resident.id) == []

    reply = kiosk.say(f"{said_in_zh(resident.phone)}，五一年的")  # how older residents often say it
    assert reply.state == "booking.confirm" and "上午九点半" in reply.text, kiosk  # nothing asked twice
    kiosk.say("是的")
    assert len(appointments_of(centre.server, resident.id)) == 1






def test_saying_yes_twice_books_once(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("zh")
    resident = centre.resident(birth_year=1946)
    kiosk.say("帮我约明天上午十点的体检")
    kiosk.say(resident.phone)
    kiosk.say("1946")
    first = kiosk.say("对")
    second = kiosk.say("对对对")
    booked = appointments_of(centre.server, resident.id)
    assert len(booked) == 1 and booked[0]["code"] in first.text, kiosk
    assert second.state == "idle" and booked[0]["code"] not in second.text




def test_changing_the_day_at_the_read_back(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("zh")
    resident = centre.resident(birth_year=1953)
    today = kiosk.dialogue.now().date()
    kiosk.say("帮我约明天上午九点的体检")
    kiosk.say(resident.phone)
    kiosk.say("1953")
    reply = kiosk.say("不对，是后天")
    assert reply.state == "booking.confirm" and "后天" in reply.text, kiosk
    kiosk.say("对")
    assert [a["date"] for a in appointments_of(centre.server, resident.id)] == [today + timedelta(days=2)]




def test_cancel_asks_which_when_there_are_several(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("zh")
    resident = centre.resident(birth_year=1950)
    for when in ("明天上午九点", "后天上午九点"):
        kiosk.say(f"帮我约{when}的体检")
        if kiosk.dialogue.state.resident is None:
            kiosk.say(f"{resident.phone} 1950")
        kiosk.say("对")
    assert len(appointments_of(centre.server, resident.id)) == 2, kiosk

    reply = kiosk.say("我想取消预约")
    assert reply.state == "cancel.ask_which" and "您有两个预约" in reply.text, kiosk
    assert sum(o.id.startswith("appointment:") for o in reply.options) == 2
    reply = kiosk.say("后天的")
    assert reply.state == "cancel.confirm" and "后天" in reply.text, kiosk
    kiosk.say("对")
    today = kiosk.dialogue.now().date()
    statuses = [(a["date"] - today, a["status"]) for a in appointments_of(centre.server, resident.id)]
    assert sorted(statuses) == [(timedelta(days=1), "booked"), (timedelta(days=2), "cancelled")]




def test_looking_things_up(talking_kiosk: Kiosks) -> None:
    kiosk = talking_kiosk("zh")
    reply = kiosk.say("社区服务中心的电话是多少")
    assert "021-5555 0188" in reply.text and "零二幺，五五五五，零幺八八" in reply.speech, kiosk
    reply = kiosk.say("体检在哪儿做，要带什么")
    assert "卫生服务站" in reply.text and "身份证" in reply.text, kiosk
    assert reply.state == "service.offer_booking"  # bookable: the kiosk offers to book it
    reply = kiosk.say("今天有什么通知")
    assert "高温提醒" in reply.text and reply.state == "idle", kiosk
    reply = kiosk.say("查一下A1023办得怎么样了")
    assert "A1023" in reply.text and "A 幺 零 二 三" in reply.speech and "领取" in reply.text, kiosk
    reply = kiosk.say("我的申请办好了没有")
    assert reply.state == "progress.ask_reference", kiosk
    reply = kiosk.say("A幺零二四")
    assert reply.state == "idle" and "A1024" in reply.text, kiosk




def test_asking_for_staff_raises_a_handoff_alert(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("zh")
    reply = kiosk.say("我要找工作人员")
    assert "请您稍等" in reply.text, kiosk
    [alert] = [a for a in staff_alerts(centre.server) if a["device"] == kiosk.device_name]
    assert alert["kind"] == "handoff"


def test_touching_a_button_is_the_same_as_saying_it(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("zh")
    resident = centre.resident(birth_year=1950)
    reply = kiosk.dialogue.choose("appointment.book")
    assert reply.state == "booking.ask_service"
    reply = kiosk.dialogue.choose("service:health_check")
    assert reply.state == "booking.ask_date"
    kiosk.say("明天上午九点四十五")
    kiosk.say(f"{resident.phone} 1950")
    reply = kiosk.dialogue.choose("dialog.yes")
    [booked] = appointments_of(centre.server, resident.id)
    assert booked["time"] == "09:45" and booked["code"] in reply.text




def test_replies_follow_the_language_of_each_utterance(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("zh")
    resident = centre.resident(birth_year=1950)
    reply = kiosk.say("我想预约明天上午九点一刻的体检")
    assert reply.lang == "zh" and "手机号码" in reply.text
    reply = kiosk.say("sorry, I speak English")
    assert reply.lang == "en", kiosk
    reply = kiosk.say(resident.phone)  # digits alone keep the language of the last words
    assert reply.lang == "en" and reply.text == "And which year were you born?", kiosk
    reply = kiosk.say("1950")
    assert reply.lang == "en" and "quarter past nine" in reply.text, kiosk
    reply = kiosk.say("对")  # back to Mandarin
    assert reply.lang == "zh" and "预约号" in reply.text, kiosk


def test_a_filler_accepts_an_offered_slot(talking_kiosk: Kiosks, centre: Centre) -> None:
    """"嗯" to "九点半可以吗？" is safe: the new slot is read back before anything is booked."""
    kiosk = talking_kiosk("zh")
    resident = centre.resident(birth_year=1950)
    tomorrow = kiosk.dialogue.now().date() + timedelta(days=1)
    centre.change_slot("health_check", tomorrow, "08:00", booked=4)
    kiosk.say("我想约明天上午八点的体检")
    kiosk.say(f"{resident.phone}，1950")
    reply = kiosk.say("对")
    assert reply.state == "booking.offer_alternative", kiosk
    reply = kiosk.say("嗯嗯")
    assert reply.state == "booking.confirm" and "八点十五" in reply.text, kiosk
    assert appointments_of(centre.server, resident.id) == []
