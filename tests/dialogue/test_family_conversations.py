"""The elder's side of family booking, by voice and by touch, against a real server.

Giving a relative a code (and more time), hearing what relatives did, and taking the
permission back — by the relative's name, by the last digits of their phone, or by
touching their button; a cough never revokes anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dialogue_harness import TalkingKiosk, said_in_zh
from family_harness import book_on_page, family_page, grant, link
from server_harness import Centre

from kiosk.dialogue.spoken_forms import SpokenForms

Kiosks = Callable[..., TalkingKiosk]
FORMS = SpokenForms.load()


def _code_in(text: str) -> str:
    found = re.search(r"(\d{3}) (\d{3})", text)
    assert found, text
    return found.group(1) + found.group(2)


def test_the_elder_gives_a_relative_a_code_and_more_time(talking_kiosk: Kiosks, centre: Centre) -> None:
    kiosk = talking_kiosk("zh")
    elder = centre.resident(birth_year=1946)

    reply = kiosk.say("让我女儿帮我预约")
    assert reply.state == "family.ask_identity", kiosk
    assert "先确认一下您的身份" in reply.text
    reply = kiosk.say(f"{said_in_zh(elder.phone)}，一九四六年")
    assert reply.state == "family.code", kiosk
    assert elder.name in reply.text and "十分钟内有效" in reply.text
    code = _code_in(reply.text)
    assert FORMS.digit_string(f"{code[:3]} {code[3:]}", "zh") in reply.speech  # digit by digit, two groups
    assert "family.extend" in {o.id for o in reply.options}

    for _ in range(3):
        reply = kiosk.say("延长")
        assert "又延长了十分钟" in reply.text and _code_in(reply.text) == code, kiosk
    reply = kiosk.say("再延长一下")
    assert "不能再延长了" in reply.text, kiosk

    phone = family_page(centre.server)
    assert link(phone, code, "13812340000").status_code == 303  # the code works on the family page
    reply = kiosk.say("延长")
    assert "没有要延长的代码" in reply.text, kiosk


def test_the_elder_hears_what_relatives_did_and_revokes_one_by_touch(talking_kiosk: Kiosks, centre: Centre) -> None:
    service = centre.service(capacity=2)
    elder = centre.resident(birth_year=1949)
    setup = centre.kiosk()
    session = centre.identify(setup, elder)
    amy, ben = family_page(centre.server), family_page(centre.server)
    assert link(amy, grant(setup, session)["code"], "13911110000", name="Daughter Amy").status_code == 303
    assert link(ben, grant(setup, session)["code"], "13922220000", name="Son Ben").status_code == 303
    booked = book_on_page(amy, service, centre.day(2), "10:00")
    code = booked.headers["location"].split("booked=")[1]

    kiosk = talking_kiosk("en")
    kiosk.say("what have I booked")
    reply = kiosk.say(f"{' '.join(elder.phone)}, born in 1949")
    assert "By the way, Daughter Amy (phone ending 0000) booked" in reply.text, kiosk
    assert f"The booking number is {code}" in reply.text
    assert "take back the permission" in reply.text
    assert FORMS.code(code, "en") in reply.speech

    reply = kiosk.say("stop family booking for me")
    assert reply.state == "revoke.ask_which", kiosk
    assert "Two family members can book for you: Son Ben (0000) and Daughter Amy (0000)." in reply.text, kiosk
    buttons = {o.label: o.id for o in reply.options if o.id.startswith("proxy:")}
    assert set(buttons) == {"Daughter Amy (0000)", "Son Ben (0000)"}

    reply = kiosk.dialogue.choose(buttons["Son Ben (0000)"])
    assert reply.state == "revoke.confirm" and "Son Ben" in reply.text, kiosk
    reply = kiosk.say("um")
    assert reply.state == "revoke.confirm" and "yes or no" in reply.text  # a filler never revokes
    reply = kiosk.say("yes")
    assert "Son Ben can no longer book for you" in reply.text, kiosk
    remaining = setup.get("/api/v1/family/proxies", headers=centre.identify(setup, elder)).json()
    assert [p["name"] for p in remaining] == ["Daughter Amy"]
    assert ben.get("/family").status_code == 403

    again = talking_kiosk("en")
    again.say("what have I booked")
    reply = again.say(f"{' '.join(elder.phone)}, born in 1949")
    assert "By the way" not in reply.text, again  # heard once


def test_the_elder_names_the_relative_to_revoke(talking_kiosk: Kiosks, centre: Centre) -> None:
    elder = centre.resident(birth_year=1951)
    setup = centre.kiosk()
    session = centre.identify(setup, elder)
    assert (
        link(family_page(centre.server), grant(setup, session)["code"], "13733331234", name="女儿小红").status_code
        == 303
    )
    assert (
        link(family_page(centre.server), grant(setup, session)["code"], "13744445678", name="儿子大明").status_code
        == 303
    )

    kiosk = talking_kiosk("zh")
    reply = kiosk.say("不让我女儿帮我预约了")
    assert reply.state == "revoke.ask_identity", kiosk
    reply = kiosk.say(f"{said_in_zh(elder.phone)}，一九五一年")
    assert reply.state == "revoke.ask_which", kiosk
    assert "女儿小红（1234）" in reply.text and "儿子大明（5678）" in reply.text
    reply = kiosk.say("小红")
    assert reply.state == "revoke.confirm" and "女儿小红（手机尾号1234）" in reply.text, kiosk
    reply = kiosk.say("不用了")
    assert "没有改动" in reply.text, kiosk

    reply = kiosk.say("收回授权")
    reply = kiosk.say("我外甥")
    assert reply.state == "revoke.ask_which", kiosk  # nobody of that name: asked again
    reply = kiosk.say("尾号五六七八的")
    assert reply.state == "revoke.confirm" and "儿子大明" in reply.text, kiosk
    reply = kiosk.say("对")
    assert "儿子大明从现在起不能再替您预约了" in reply.text, kiosk
