"""Dialogue logic that needs no real server: commands in every state, side questions, repair,
clarifying, the filler rule; moved here from ../test_conversations.py (which keeps the
booking, cancelling, identification and server-down paths against a real server)."""

from __future__ import annotations

from collections.abc import Callable

from conftest import Chat

from intents.parser import Alternative, ParseResult

Chats = Callable[..., Chat]

def test_repeat_slower_help_and_stop_in_the_middle(chat: Chats) -> None:
    kiosk = chat("zh")
    question = kiosk.say("我想预约体检")
    assert question.state == "booking.ask_date", kiosk

    reply = kiosk.say("你说什么？再说一遍")
    assert reply.state == "booking.ask_date" and reply.text.endswith(question.text), kiosk
    assert not reply.slow

    reply = kiosk.say("说慢一点")
    assert reply.slow and reply.state == "booking.ask_date" and reply.text.endswith(question.text), kiosk

    reply = kiosk.say("你能帮我干什么")
    assert reply.state == "booking.ask_date" and "预约" in reply.text and reply.text.endswith(question.text), kiosk
    assert reply.slow  # slower stays on

    reply = kiosk.say("后天")
    assert reply.state == "booking.ask_time", kiosk

    reply = kiosk.say("算了")
    assert reply.done and reply.state == "ended" and "再见" in reply.text, kiosk

    reply = kiosk.say("急救电话是多少")  # the next resident starts afresh
    assert not reply.done and not reply.slow and reply.state == "idle"


def test_repeat_and_stop_in_english(chat: Chats) -> None:
    kiosk = chat("en")
    first = kiosk.say("I'd like to make an appointment")
    assert first.state == "booking.ask_service", kiosk
    assert {"service:health_check", "service:legal_aid"} <= {o.id for o in first.options}
    assert "service:parking_permit" not in {o.id for o in first.options}  # not bookable
    again = kiosk.say("sorry, can you say that again")
    assert again.text.endswith(first.text) and again.state == first.state, kiosk
    slower = kiosk.say("slower please")
    assert slower.slow, kiosk
    done = kiosk.say("never mind, goodbye")
    assert done.done, kiosk


def test_a_filler_never_confirms_a_booking(chat: Chats) -> None:
    kiosk = chat("zh")
    kiosk.say("帮我约明天上午八点的体检")
    kiosk.say("13800138000")
    kiosk.say("四八年")
    reply = kiosk.say("嗯…")
    assert reply.state == "booking.confirm" and "“对”或者“不对”" in reply.text, kiosk
    assert kiosk.centre.booked() == []


def test_a_side_question_keeps_the_booking_going(chat: Chats) -> None:
    kiosk = chat("zh")
    question = kiosk.say("我想预约体检")
    reply = kiosk.say("对了，急救电话是多少")
    assert "120" in reply.text and reply.text.endswith(question.text), kiosk
    assert reply.state == "booking.ask_date"


def test_a_service_that_takes_no_appointments(chat: Chats) -> None:
    kiosk = chat("zh")
    reply = kiosk.say("我想预约办停车证")
    assert reply.state == "idle" and "不用预约" in reply.text, kiosk


def test_not_understood_twice_offers_the_menu_and_staff(chat: Chats) -> None:
    kiosk = chat("en")
    responses = kiosk.dialogue.catalogue.responses["en"]
    first = kiosk.say("xyzzy plugh")
    assert first.text in (responses["not_understood"], responses["out_of_scope"]), kiosk
    second = kiosk.say("frobozz gnusto")
    assert second.text == responses["not_understood_twice"], kiosk
    assert {"staff.handoff", "appointment.book", "hotline.lookup"} <= {o.id for o in second.options}


def test_an_ambiguous_request_is_asked_about(chat: Chats) -> None:
    kiosk = chat("zh")
    unsure = ParseResult(
        "帮我看看预约", "zh", "appointment.book", 0.61, {}, (Alternative("appointment.list", 0.6),), ambiguous=True
    )
    reply = kiosk.dialogue.respond_to(unsure)
    assert reply.text == "您是想预约，还是想查您的预约？" and reply.state == "clarify.which"
    assert [o.id for o in reply.options[:2]] == ["appointment.book", "appointment.list"]
    reply = kiosk.say("预约")
    assert reply.state == "booking.ask_service", kiosk


def test_an_unsure_reading_is_checked_before_acting(chat: Chats) -> None:
    """Act when sure, check when unsure (settings.confirm_below), ask when lost."""
    kiosk = chat("en")
    band = kiosk.dialogue.catalogue.settings
    unsure = (band.min_confidence + band.confirm_below) / 2
    sent = "the place is a mess could you send a cleaner"
    reply = kiosk.dialogue.respond_to(ParseResult(sent, "en", "appointment.book", unsure, {"service": "housekeeping"}))
    assert reply.text == "Did you want to book an appointment?" and reply.state == "clarify.check", kiosk
    assert [o.id for o in reply.options[:2]] == ["dialog.yes", "dialog.no"]
    reply = kiosk.say("yes")
    draft = kiosk.dialogue.state.booking
    assert reply.state == "booking.ask_date" and draft is not None, kiosk
    assert draft.slots()["service"] == "housekeeping"  # what the first sentence said is kept

    kiosk = chat("zh")
    reply = kiosk.dialogue.respond_to(ParseResult("体检是不是得空着肚子来", "zh", "appointment.list", unsure, {}))
    assert reply.text == "您是想查您的预约吗？", kiosk
    reply = kiosk.say("不是")
    assert reply.state == "idle" and kiosk.centre.booked() == [], kiosk


def test_a_checked_reading_goes_ahead_on_its_next_answer_or_moves_on(chat: Chats) -> None:
    """Asked "did you mean to cancel?", a phone number is a yes; a clear new request is taken."""
    kiosk = chat("zh")
    unsure = ParseResult("那个下礼拜的不要了", "zh", "appointment.cancel", 0.6, {})
    assert kiosk.dialogue.respond_to(unsure).text == "您是想取消预约吗？", kiosk
    reply = kiosk.say("13800138000")
    assert reply.state == "cancel.ask_birth_year", kiosk

    kiosk = chat("zh")
    kiosk.dialogue.respond_to(unsure)
    reply = kiosk.say("急救电话是多少")
    assert "120" in reply.text and reply.state == "idle", kiosk


def test_a_look_up_whose_subject_was_heard_is_answered_at_once(chat: Chats) -> None:
    """Its answer names the subject, which checks the reading without an extra turn."""
    kiosk = chat("en")
    said = "is there someone she can ring to talk to"
    reply = kiosk.dialogue.respond_to(ParseResult(said, "en", "hotline.lookup", 0.6, {"hotline": "mental_health"}))
    assert "12356" in reply.text.replace(" ", ""), kiosk


def test_a_dead_server_keeps_the_booking_and_a_retry_books_once(chat: Chats) -> None:
    kiosk = chat("zh")
    kiosk.say("帮我约明天上午九点的体检")
    kiosk.say("13800138000")
    reply = kiosk.say("1948")
    assert reply.state == "booking.confirm", kiosk
    kiosk.centre.down = True
    reply = kiosk.say("对")
    assert reply.state == "booking.retry" and kiosk.centre.booked() == [], kiosk
    reply = kiosk.say("对")  # still down: asked again, nothing lost
    assert reply.state == "booking.retry", kiosk
    kiosk.centre.down = False
    reply = kiosk.say("好，再试一次")
    assert reply.state == "idle" and len(kiosk.centre.booked()) == 1, kiosk
    kiosk.say("对")
    assert len(kiosk.centre.booked()) == 1, kiosk


def test_a_phone_number_said_while_asked_the_time_is_kept(chat: Chats) -> None:
    kiosk = chat("en")
    reply = kiosk.say("I'd like a health check the day after tomorrow")
    assert reply.state == "booking.ask_time", kiosk
    reply = kiosk.say("my number is 13700137000 and I was born in 1950")
    assert reply.state == "booking.ask_time", kiosk
    assert kiosk.dialogue.state.failures == 0, kiosk
    reply = kiosk.say("nine o'clock")
    assert reply.state == "booking.confirm" and "Margaret Chen" in reply.text, kiosk


def test_a_story_about_the_past_during_a_booking_is_no_emergency(chat: Chats) -> None:
    kiosk = chat("zh")
    kiosk.say("我想约个上门护理，下周一上午十点")
    reply = kiosk.say("去年冬天我在楼道里摔了一跤")
    assert kiosk.centre.alerts == [] and reply.state == "booking.ask_identity", kiosk
    reply = kiosk.say("快来人啊，我老伴倒在地上了")
    assert [a["kind"] for a in kiosk.centre.alerts] == ["emergency"] and "120" in reply.text, kiosk


def test_after_two_misses_the_question_is_offered_by_touch(chat: Chats) -> None:
    kiosk = chat("zh")
    kiosk.say("我想预约")
    kiosk.say("呱呱呱呱")
    reply = kiosk.say("咕咕咕咕")
    assert reply.state == "booking.ask_service", kiosk
    ids = {o.id for o in reply.options}
    assert "service:health_check" in ids and "staff.handoff" in ids, kiosk
    reply = kiosk.touch("service:health_check")
    assert reply.state == "booking.ask_date", kiosk


def test_accepting_an_offer_keeps_the_day_already_said(chat: Chats) -> None:
    kiosk = chat("en")
    reply = kiosk.say("Is the health check open on Friday next week?")
    assert reply.state == "service.offer_booking", kiosk
    reply = kiosk.say("yes dear")
    assert reply.state == "booking.ask_time", kiosk


def test_an_offer_accepted_after_a_lookup_with_a_day_asks_only_the_time(chat: Chats) -> None:
    kiosk = chat("en")
    reply = kiosk.dialogue.respond_to(ParseResult("my senior card, Friday next week", "en", "service.lookup", 0.9,
                                                  {"service": "senior_card", "date": "2026-12-11"}))
    assert reply.state == "service.offer_booking", reply
    reply = kiosk.say("yes dear")
    assert reply.state == "booking.ask_time" and kiosk.dialogue.state.booking is not None, kiosk
    assert kiosk.dialogue.state.booking.slots().get("date") == "2026-12-11", kiosk


def test_a_day_alone_answers_which_appointment_to_cancel(chat: Chats) -> None:
    """"后天的" reads as a booking on its own; while the kiosk asks which appointment to cancel
    it is the answer. A request with a subject of its own is answered as a side question."""
    kiosk = chat("zh")
    for when in ("明天上午九点", "后天上午九点"):
        kiosk.say(f"帮我约{when}的体检")
        if kiosk.dialogue.state.resident is None:
            kiosk.say("13700137000 1950")
        kiosk.say("对")
    assert len(kiosk.centre.booked()) == 2, kiosk
    reply = kiosk.say("我想取消预约")
    assert reply.state == "cancel.ask_which", kiosk
    reply = kiosk.say("急救电话是多少")
    assert reply.state == "cancel.ask_which" and "120" in reply.text, kiosk
    reply = kiosk.say("后天的")
    assert reply.state == "cancel.confirm" and "后天" in reply.text, kiosk


def test_a_day_and_time_touched_on_the_pickers_are_no_phone_number(chat: Chats) -> None:
    """The screen passes a picked day as its ISO text ("2026-12-09"): its digits are a date, so
    identification still asks for the phone number and the birth year."""
    kiosk = chat("en")
    kiosk.touch("appointment.book")
    kiosk.touch("service:health_check")
    kiosk.dialogue.respond_to(ParseResult("2026-12-09", "en", None, 1.0, {"date": "2026-12-09"}))
    reply = kiosk.dialogue.respond_to(ParseResult("09:00", "en", None, 1.0, {"time": "09:00"}))
    assert reply.state == "booking.ask_identity", kiosk


def test_thanks_on_their_own_are_welcomed_not_refused(chat: Chats) -> None:
    """Thanks ask for nothing (no intent), yet "I can't help with that" would be rude to an
    older resident who is only being polite; thanks with a goodbye still end the visit."""
    kiosk = chat("en")
    answer = kiosk.say("where do I get a senior card")
    reply = kiosk.say("thanks very much dear")
    assert reply.text.startswith("You're welcome") and "can't help" not in reply.text, kiosk
    assert not reply.done and reply.state == answer.state, kiosk
    assert kiosk.say("thank you goodbye").done, kiosk

    kiosk = chat("zh")
    kiosk.say("社保卡在哪儿办")
    reply = kiosk.say("谢谢你啊")
    assert reply.text.startswith("不客气") and not reply.done, kiosk
    reply = kiosk.say("谢谢，帮我叫个出租车")  # more than thanks: refused as before
    assert not reply.text.startswith("不客气"), kiosk
    assert kiosk.say("好了谢谢你，再见").done, kiosk
