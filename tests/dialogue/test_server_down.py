"""When the centre's server is down, the kiosk says so politely, loses nothing, and never
crashes; emergencies still get their number at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from dialogue_harness import TalkingKiosk, appointments_of, closed_port_url, restart_on_same_port, said_in_zh
from server_harness import Centre

from intents import Catalogue
from intents.parser import Parser
from kiosk.centre.client import CentreClient
from kiosk.dialogue.dialogue import Dialogue

Kiosks = Callable[..., TalkingKiosk]


def test_a_booking_survives_the_server_going_down_and_coming_back(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("zh")
    resident = centre.resident(birth_year=1950)
    kiosk.say("帮我约明天上午九点的体检")
    kiosk.say(said_in_zh(resident.phone))
    reply = kiosk.say("一九五零")
    assert reply.state == "booking.confirm", kiosk

    server = centre.server
    server.process.terminate()
    server.process.wait(timeout=15)
    reply = kiosk.say("对")
    assert reply.state == "booking.retry", kiosk
    assert "这次没有约上" in reply.text and "窗口" in reply.text, kiosk  # clearly NOT booked, and where else
    assert "系统暂时连不上" in reply.text and reply.text.endswith("要我再试一次吗？")
    reply = kiosk.say("急救电话是多少")  # numbers still work: the kiosk's own catalogue has them
    assert "120" in reply.text and reply.state == "booking.retry", kiosk

    revived = restart_on_same_port(server)
    try:
        reply = kiosk.say("好的")
        [booked] = appointments_of(server, resident.id)
        assert reply.state == "idle" and booked["code"] in reply.text, kiosk
        kiosk.say("对")  # a late, second yes
        assert len(appointments_of(server, resident.id)) == 1
    finally:
        revived.terminate()
        revived.wait(timeout=15)


def test_lookups_numbers_and_notices_keep_working_when_the_server_stops_mid_conversation(
    talking_kiosk: Kiosks, centre: Centre
) -> None:
    server = centre.server
    if server.process.poll() is not None:  # an earlier test in this module left it stopped
        server.process = restart_on_same_port(server)
    kiosk = talking_kiosk("zh")
    before = kiosk.say("今天有什么通知")
    assert before.state == "idle" and "最近的通知有" in before.text, kiosk
    server.process.terminate()
    server.process.wait(timeout=15)
    revived = None
    try:
        where = kiosk.say("体检在哪儿办")
        assert "体检" in where.text and "系统暂时连不上" not in where.text, kiosk  # from the catalogue
        for question, number in (("急救电话是多少", "120"), ("报警电话是多少", "110"), ("火警电话", "119")):
            reply = kiosk.say(question)
            assert number in reply.text, kiosk
        notices = kiosk.say("今天有什么通知")
        assert "可能不是最新的" in notices.text, kiosk  # honest about it
        assert before.text.split("：", 1)[1] in notices.text, kiosk  # the same notices as last heard
        revived = restart_on_same_port(server)
        fresh = kiosk.say("今天有什么通知")
        assert "可能不是最新的" not in fresh.text and "最近的通知有" in fresh.text, kiosk
    finally:
        if revived is not None:
            server.process = revived  # stopped with the module


def test_a_dead_server_never_crashes_the_conversation(catalogue: Catalogue, parser: Parser) -> None:
    client = CentreClient(closed_port_url(), "kd_any", retries=1, backoff_seconds=0.01)
    dialogue = Dialogue(catalogue, client, parser=parser, now=lambda: datetime(2026, 11, 26, 10, 0))

    reply = dialogue.handle("救命，我胸口好疼")
    assert "120" in reply.text and "幺二零" in reply.speech
    assert "没能通知到工作人员" in reply.text  # never "staff are coming" when they were not told

    reply = dialogue.handle("报警电话是多少")
    assert "110" in reply.text  # from the catalogue

    reply = dialogue.handle("今天有什么通知")
    assert "系统暂时连不上" in reply.text and reply.state == "notice.retry"
    reply = dialogue.handle("不用了")
    assert reply.state == "idle"

    dialogue.handle("我想约明天上午九点的体检")
    reply = dialogue.handle("13800138000，1948年")
    assert reply.state == "booking.retry" and "系统暂时连不上" in reply.text
    draft = dialogue.state.booking
    assert draft is not None and draft.service == "health_check" and draft.at is not None  # nothing lost
    assert dialogue.state.identity is not None and dialogue.state.identity.phone == "13800138000"

    reply = dialogue.handle("我要找工作人员")
    assert "系统暂时连不上" in reply.text  # never "someone is coming" when nobody was told

    reply = dialogue.handle("help, there's a fire")
    assert "119" in reply.text or "120" in reply.text
