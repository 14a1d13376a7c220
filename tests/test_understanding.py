"""How the core copes with the way elders speak and recognisers write."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intents import load_catalogue
from intents import parser as parser_module
from intents.calibration import CalibrationTableError, load_calibration
from intents.catalogue import Language
from intents.language import detect_language
from intents.normaliser import normalise
from intents.parser import EMERGENCY_DOUBT, EMERGENCY_HEARD, Parser
from intents.sentence_model import (
    FEATURE_SPACE,
    NO_INTENT,
    SentenceModel,
    load_sentence_model,
    shipped_slot_model_path,
)

NOW = datetime(2026, 11, 26, 10, 0)


@pytest.fixture(scope="module")
def parser() -> Parser:
    return Parser(load_catalogue())


@pytest.mark.parametrize(
    ("raw", "lang", "expected"),
    [
        ("ＡＢＣ１２３", "zh", "abc123"),  # full width → half width, lower case
        ("编号H九〇二一", "zh", "编号h九零二一"),  # the recogniser's 〇 is a zero
        ("預約體檢", "zh", "预约体检"),  # traditional → simplified
        ("我 想 预约 体检", "zh", "我想预约体检"),  # recogniser spaces between words
        ("a 1 0 2 3 的进度", "zh", "a 1 0 2 3的进度"),  # but digits keep theirs
        ("我我我想问问", "zh", "我想问问"),  # stutters and repeats; 问问 is a word
        ("I'd like to book, please!", "en", "i would like to book please"),
        ("I can't breathe", "en", "i can not breathe"),
        ("at 9 a.m. or 3 P.M.", "en", "at 9 am or 3 pm"),
        ("ten o'clock", "en", "ten oclock"),
        # day names a recogniser split in two
        ("come next twos day or mon day, not to morrow", "en", "come next tuesday or monday not tomorrow"),
        ("a sunny day", "en", "a sunny day"),
    ],
)
def test_normalise(raw: str, lang: str, expected: str) -> None:
    assert normalise(raw, lang) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [("社保卡在哪儿办", "zh"), ("A1023的进度", "zh"), ("我的 ID 卡丢了", "zh"), ("where is the canteen", "en"),
     ("B2207", "en")],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("设保卡在哪里办", "social_security_card"),  # homophone of 社保卡
        ("社保卡在哪里办", "social_security_card"),
        ("老年正怎么办", "senior_card"),  # 正 for 证
        ("题检几点开始", "health_check"),  # 题 for 体
        ("where do i get a sosial security card", "social_security_card"),  # misspelt
        ("health cheque opening hours", "health_check"),  # sound-alike word
    ],
)
def test_misheard_service_names(parser: Parser, text: str, service: str) -> None:
    result = parser.parse(text, now=NOW)
    assert result.slots.get("service") == service, result


@pytest.mark.parametrize(
    "text",
    ["嗯……啊……", "呃 那个", "um er", "今天天气真好啊", "帮我买两斤猪肉", "tell me a joke",
     "who won the football last night", "美国总统是谁"],
)
def test_out_of_scope_gets_no_intent(parser: Parser, text: str) -> None:
    result = parser.parse(text, now=NOW)
    assert result.intent is None, result
    assert 0.0 <= result.confidence <= 1.0


def test_no_spurious_names_in_short_words(parser: Parser) -> None:
    """Fuzzy name matching must not turn 救命 into a piece of 城乡居民医疗保险."""
    for text in ("救命", "没听见", "please", "慢一点"):
        assert "service" not in parser.parse(text, now=NOW).slots, text
    assert parser.parse("慢一点", now=NOW).intent == "dialog.slower"


def test_lookup_versus_booking(parser: Parser) -> None:
    assert parser.parse("体检要预约吗", now=NOW).intent == "service.lookup"
    assert parser.parse("我想预约体检", now=NOW).intent == "appointment.book"
    assert parser.parse("急救电话是多少", now=NOW).intent == "hotline.lookup"
    assert parser.parse("快叫救护车", now=NOW).intent == "emergency"
    assert parser.parse("I can't breathe", now=NOW).intent == "emergency"


def test_alternatives_are_ranked_and_bounded(parser: Parser) -> None:
    result = parser.parse("预约", now=NOW)
    confidences = [result.confidence, *[a.confidence for a in result.alternatives]]
    assert all(0.0 <= c <= 1.0 for c in confidences)
    if result.intent is not None:
        assert confidences == sorted(confidences, reverse=True)


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [("help me please", "emergency", "dialog.help"), ("帮帮我", "emergency", "dialog.help")],
)
def test_a_bare_plea_is_asked_about(parser: Parser, text: str, first: str, second: str) -> None:
    """"Help me please" alone may be trouble or the kiosk: ambiguous, the safe reading first."""
    result = parser.parse(text, now=NOW)
    assert (result.intent, result.ambiguous) == (first, True), result
    assert result.alternatives[0].intent == second


def test_a_clear_request_is_not_ambiguous(parser: Parser) -> None:
    result = parser.parse("我想预约明天上午的体检", now=NOW)
    assert result.intent == "appointment.book" and not result.ambiguous, result


def test_confidence_orders_clear_above_vague(parser: Parser) -> None:
    """Calibrated confidence must still rank a plain request above a mumbled fragment."""
    clear = parser.parse("我想预约体检", now=NOW)
    vague = parser.parse("那个体检嘛我也不知道", now=NOW)
    assert clear.intent == "appointment.book"
    assert vague.intent is None or vague.confidence < clear.confidence


@pytest.mark.parametrize(
    ("text", "intent"),
    [("i just fell", "emergency"), ("我摔倒了起不来", "emergency"),
     ("my hip's been bad since i had a fall last winter", None),
     # "right now" inside the past marker "all right now" says nothing is happening now
     ("my husband had a stroke two years ago, he's all right now", None),
     ("he had a stroke two years ago and right now he can't move his arm", "emergency")],
)
def test_a_past_fall_is_not_an_emergency(parser: Parser, text: str, intent: str | None) -> None:
    assert parser.parse(text, now=NOW).intent == intent


@pytest.mark.parametrize(
    ("text", "intent", "service"),
    [
        # "fell down" sounds like "feel down" (counselling): a two-word description is matched
        # by spelling, so the fall is heard, and the feeling still is when said.
        ("my wife fell down the stairs just now and her leg is bent the wrong way", "emergency", None),
        ("i have been feeling down since my wife died, is there someone to talk to", "service.lookup", "counselling"),
    ],
)
def test_a_sound_alike_description_does_not_hide_an_emergency(parser: Parser, text: str, intent: str,
                                                               service: str | None) -> None:
    reading = parser.parse(text, now=NOW)
    assert (reading.intent, reading.slots.get("service")) == (intent, service)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_parses_without_error(text: str) -> None:
    result = PARSER.parse(text, now=NOW)
    assert 0.0 <= result.confidence <= 1.0
    assert result.lang in ("zh", "en")
    assert set(result.slots) <= {"service", "hotline", "date", "time", "reference"}


PARSER = Parser(load_catalogue())


@pytest.mark.parametrize(
    ("text", "lang", "unwanted"),
    [
        ("my grandson needs it for his school place", "en", "police"),  # "place" only sounds like police
        ("could you say that again please", "en", "police"),
    ],
)
def test_a_real_word_that_sounds_like_a_name_is_not_that_name(parser: Parser, text: str, lang: str,
                                                                unwanted: str) -> None:
    assert unwanted not in parser.parse(text, lang=lang, now=NOW).slots.values()


@pytest.mark.parametrize(
    "text",
    ["my number is 13700137000 and I was born in 1950", "Oh, my number's 13700137000 and I was born in 1950.",
     "my number is 137 0013 7000"],
)
def test_giving_ones_own_number_asks_for_no_number(parser: Parser, text: str) -> None:
    reading = parser.parse(text, lang="en", now=NOW)
    assert reading.intent != "hotline.lookup" and (reading.intent is None or reading.confidence < 0.6), reading


def test_a_number_given_with_a_request_keeps_the_request(parser: Parser) -> None:
    assert parser.parse("my number is 13700137000 and I want to cancel my appointment", lang="en",
                        now=NOW).intent == "appointment.cancel"


@pytest.mark.parametrize(("text", "lang"), [("my number is 13712345678", "en"), ("我电话一三七一二三四五六七八", "zh"),
                                          ("my number is one three seven", "en")])
def test_a_number_is_no_word_the_catalogue_lacks(parser: Parser, text: str, lang: Language) -> None:
    """Else an identity said out of turn asks about a "stranger", which the model read as a
    half-heard emergency (0.35 in session 8)."""
    utterance = parser._preparer.prepare(text, lang, NOW.date())
    assert not parser._matcher.words_known(utterance).some_unknown


@pytest.mark.parametrize(
    ("text", "lang"),
    [("我手机号一三九一二三四五六七八，给我约个体检", "zh"), ("我住一一零二，想约居家照护", "zh"),
     ("list my appointments my number is one three seven one two three four five six seven eight", "en"),
     ("my number is 13912345678 book a health check", "en")],
)
def test_a_lines_number_inside_a_longer_number_names_no_line(parser: Parser, text: str, lang: str) -> None:
    """12345 inside a phone number, 110 inside room 1102: the resident named no line."""
    assert "hotline" not in parser.parse(text, lang=lang, now=NOW).slots


@pytest.mark.parametrize(("text", "lang", "line"), [
    ("打幺二三四五投诉", "zh", "government_service"), ("一一零", "zh", "police"),
    ("what is the number for one two three four five", "en", "government_service")])
def test_a_lines_number_said_alone_names_it(parser: Parser, text: str, lang: str, line: str) -> None:
    assert parser.parse(text, lang=lang, now=NOW).slots.get("hotline") == line


@pytest.mark.parametrize(
    ("text", "lang", "intent"),
    [
        ("I want to get my senior card sorted out, Friday next week.", "en", "appointment.book"),
        ("My grandson needs a residence certificate for his school place, so I have to come in and get one. "
         "Thursday next week, three in the afternoon?", "en", "appointment.book"),
        ("老年证，下周五上午九点", "zh", "appointment.book"),
        ("is the health check open on Friday", "en", "service.lookup"),
        ("体检下周五开门不", "zh", "service.lookup"),
    ],
)
def test_a_day_said_after_a_service_proposes_a_visit_unless_asked(parser: Parser, text: str, lang: str,
                                                                  intent: str) -> None:
    reading = parser.parse(text, lang=lang, now=NOW)
    assert (reading.intent, reading.ambiguous) == (intent, False), reading


@pytest.mark.parametrize(
    ("text", "lang", "hotline"),
    [
        ("我有个老姐妹，最近心情特别不好，整天闷在家里哭，有没有什么电话她可以打，找人说说话的", "zh", "mental_health"),
        ("my friend is feeling so low, is there a number she can ring to talk to someone", "en", "mental_health"),
    ],
)
def test_a_number_asked_for_a_described_need_is_the_line(parser: Parser, text: str, lang: str,
                                                          hotline: str) -> None:
    reading = parser.parse(text, lang=lang, now=NOW)
    assert (reading.intent, reading.slots.get("hotline"), reading.ambiguous) == ("hotline.lookup", hotline, False)


def test_someone_to_talk_to_without_a_number_is_the_service(parser: Parser) -> None:
    reading = parser.parse("I feel lonely, is there someone to talk to here", lang="en", now=NOW)
    assert (reading.intent, reading.slots.get("service")) == ("service.lookup", "counselling")


@pytest.mark.parametrize(
    "text",
    [
        # A request's shape with a thing in it that no example or keyword knows, and nothing of
        # the centre's named: not acted on at once (declined, or checked first). These objects
        # are in no `foreign_objects` list: the doubt comes from the words being strangers.
        "book me a kayak for saturday",
        "can you book a piano tuner",
        "i want to apply for a fishing licence",
        "where do i apply for a library card",
    ],
)
def test_a_request_about_a_stranger_is_not_acted_on_at_once(parser: Parser, text: str) -> None:
    reading = parser.parse(text, now=NOW)
    assert reading.intent is None or reading.confidence < parser.catalogue.settings.confirm_below


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # The same shapes with nothing strange in them: acted on (the kiosk asks which service).
        ("make a booking please", "appointment.book"),
        ("我想约个时间", "appointment.book"),
        ("where do i apply for things here", "service.lookup"),
        # Intents that never name a thing are not doubted for a word the catalogue lacks.
        ("my husband just collapsed on the kitchen lino", "emergency"),
        ("说慢点，我耳朵背", "dialog.slower"),
    ],
)
def test_a_request_with_nothing_strange_is_acted_on(parser: Parser, text: str, intent: str) -> None:
    reading = parser.parse(text, now=NOW)
    assert reading.intent == intent
    assert reading.confidence >= parser.catalogue.settings.confirm_below


def test_a_calibration_table_of_another_version_is_refused(tmp_path: Path) -> None:
    """A table fitted for other features would silently mis-weigh every reading."""
    table = tmp_path / "calibration.yaml"
    table.write_text("bias: -1.0\nweights: {score: 1.0, lead: 2.0, scope_lead: 3.0}\n", encoding="utf-8")
    with pytest.raises(CalibrationTableError, match="no weight for stranger"):
        load_calibration(table)


# ---------------------------------------------------------------- the sentence model's second opinion


def _model_that_always_says(label: str) -> SentenceModel:
    """A model whose only weights favour `label` on every utterance's language n-grams: a
    stand-in with a known answer, to test what the parser does with a second opinion."""
    shipped = load_sentence_model()
    assert shipped is not None
    weights = np.zeros_like(shipped.weights)
    weights[:, shipped.labels.index(label)] = 50.0
    return SentenceModel(shipped.labels, shipped.rows, weights)


def test_the_shipped_model_fits_the_demo_catalogue(parser: Parser) -> None:
    """Trained for exactly these intents: a forgotten retraining after adding one would leave
    the matcher reading alone, and this says so."""
    model = load_sentence_model()
    assert model is not None and model.intents() == {intent.id for intent in parser.catalogue.intents}
    assert parser._model is not None


def test_the_shipped_slot_models_know_the_demo_centres_services_and_lines(parser: Parser) -> None:
    for slot, values in (("service", parser.catalogue.services), ("hotline", parser.catalogue.hotlines)):
        model = load_sentence_model(shipped_slot_model_path(slot))
        assert model is not None and model.intents() == {value.id for value in values}


def test_a_second_opinion_can_decline() -> None:
    declining = Parser(load_catalogue(), sentence_model=_model_that_always_says(NO_INTENT))
    reading = declining.parse("where do I get a senior card", now=NOW)
    assert reading.intent is None and reading.out_of_scope
    assert reading.alternatives[0].intent == "service.lookup"  # what the matcher read stays visible


def _model_agreeing_at(intent: str, chance: float, spread: bool = False) -> SentenceModel:
    """A model that, wherever the matcher read `intent`, gives it exactly `chance` and the rest
    to out of scope (or, `spread`, evenly to every other label, so `intent` stays the likeliest
    even below one half): only the feature "the matcher decided `intent`" carries weight."""
    shipped = load_sentence_model()
    assert shipped is not None
    decided = FEATURE_SPACE + shipped.labels.index(intent)
    others = len(shipped.labels) - 1
    weights = np.full((1, len(shipped.labels)), np.log((1.0 - chance) / others) if spread else -50.0,
                      dtype=np.float32)
    weights[0, shipped.labels.index(intent)] = np.log(chance)
    if not spread:
        weights[0, shipped.labels.index(NO_INTENT)] = np.log(1.0 - chance)
    return SentenceModel(shipped.labels, np.asarray([decided], dtype=np.int64), weights)


@pytest.mark.parametrize(("chance", "intent"), [(0.99, "service.lookup"), (0.6, "service.lookup"), (0.3, None)])
def test_agreeing_readings_show_the_models_confidence(chance: float, intent: str | None) -> None:
    """The model was told the matcher's reading, so where both read this look-up its probability
    is the kiosk's confidence, above or below the matcher's own; below `min_confidence` the kiosk
    asks again with the look-up as the first alternative."""
    text = "where do I get a senior card"
    alone = Parser(load_catalogue(), sentence_model=False).parse(text, now=NOW)
    assert alone.intent == "service.lookup" and 0.6 < alone.confidence < 0.99
    model = _model_agreeing_at("service.lookup", chance, spread=True)
    reading = Parser(load_catalogue(), sentence_model=model).parse(text, now=NOW)
    assert reading.intent == intent
    if intent is not None:
        assert reading.confidence == pytest.approx(chance, abs=1e-3)
        assert all(a.confidence <= reading.confidence for a in reading.alternatives)
    else:
        assert reading.alternatives[0].intent == "service.lookup"


@pytest.mark.parametrize(("chance", "intent"), [(EMERGENCY_DOUBT + 0.01, "emergency"), (0.3, "emergency"),
                                                (EMERGENCY_DOUBT / 2, None)])
def test_an_emergency_is_talked_down_only_when_the_model_is_all_but_sure(chance: float, intent: str | None) -> None:
    doubting = Parser(load_catalogue(), sentence_model=_model_agreeing_at("emergency", chance))
    assert doubting.parse("my husband has collapsed and is not breathing", now=NOW).intent == intent


@pytest.mark.parametrize(("chance", "intent"), [(EMERGENCY_HEARD + 0.05, "emergency"), (EMERGENCY_HEARD - 0.05, None)])
def test_a_plausible_emergency_the_kiosk_would_not_act_on_is_one(chance: float, intent: str | None) -> None:
    """The matcher finds nothing it knows in this; a model that gives it EMERGENCY_HEARD or more
    makes it an emergency (a false alarm costs a walk, a missed one far more)."""
    text = "水管爆了，水顺着墙流到插座上了"
    assert Parser(load_catalogue(), sentence_model=False).parse(text, now=NOW).intent is None
    shipped = load_sentence_model()
    assert shipped is not None
    weights = np.full((1, len(shipped.labels)), -50.0, dtype=np.float32)
    weights[0, shipped.labels.index("emergency")] = np.log(chance)
    weights[0, shipped.labels.index(NO_INTENT)] = np.log(1.0 - chance)
    declined = np.asarray([FEATURE_SPACE + shipped.labels.index(NO_INTENT)], dtype=np.int64)
    worried = Parser(load_catalogue(), sentence_model=SentenceModel(shipped.labels, declined, weights))
    reading = worried.parse(text, now=NOW)
    assert reading.intent == intent
    if intent is not None:
        assert reading.confidence == pytest.approx(chance, abs=1e-3)


@pytest.mark.parametrize("text", [
    "my husband has collapsed and is not breathing", "我老伴摔倒了起不来", "there's smoke coming from the kitchen",
    "有人在撬我家的门", "she's clutching her chest and can't breathe", "快叫救护车",
])
def test_the_shipped_model_keeps_real_emergencies(parser: Parser, text: str) -> None:
    assert parser.parse(text, now=NOW).intent == "emergency"


def test_a_second_opinion_fills_the_slots_of_its_own_intent() -> None:
    booking = Parser(load_catalogue(), sentence_model=_model_that_always_says("appointment.book"))
    reading = booking.parse("我心里难受想找人说说话", now=NOW)
    assert reading.intent == "appointment.book" and reading.slots.get("service") == "counselling"


def _trained_without(model: SentenceModel, intent: str) -> SentenceModel:
    """`model` as if `intent` had not existed when it was trained: its column gone, and the
    features of the matcher's reading (blocks of one id per label) laid out for one label fewer."""
    keep = [k for k, label in enumerate(model.labels) if label != intent]
    column = {old: new for new, old in enumerate(keep)}
    width = len(model.labels)
    rows, source = [], []
    for at, row in enumerate(model.rows.tolist()):
        if row < FEATURE_SPACE:
            rows.append(row)
        else:
            block, old = divmod(row - FEATURE_SPACE, width)
            if old not in column:
                continue
            rows.append(FEATURE_SPACE + block * (width - 1) + column[old])
        source.append(at)
    order = np.argsort(rows)
    weights = model.weights[np.asarray(source)[order]][:, keep]
    return SentenceModel(tuple(model.labels[k] for k in keep), np.asarray(rows, dtype=np.int64)[order], weights)


def test_an_intent_added_since_training_is_read_by_the_matcher(caplog: pytest.LogCaptureFixture) -> None:
    """A centre that added an intent keeps the model's second opinion for every other intent; the
    new one is read by the matcher alone, and the log and `untrained_intents` say what to retrain."""
    shipped = load_sentence_model()
    assert shipped is not None
    older = _trained_without(shipped, "family.extend")
    with caplog.at_level("WARNING"):
        parser = Parser(load_catalogue(), sentence_model=older)
    assert parser.untrained_intents == {"family.extend"} and "family.extend" in caplog.text
    text = "Do I have anything on Tuesday?"  # the matcher alone hears a notice; the model, a list
    assert Parser(load_catalogue(), sentence_model=False).parse(text, now=NOW).intent != "appointment.list"
    assert parser.parse(text, now=NOW).intent == "appointment.list"
    extend = "my son's code ran out, can he have another week"
    alone = Parser(load_catalogue(), sentence_model=False).parse(extend, now=NOW)
    assert alone.intent == "family.extend"
    assert parser.parse(extend, now=NOW) == alone
    assert parser.emergency_chance(extend, "en", NOW) is None


def test_an_intent_removed_since_training_is_out_of_scope() -> None:
    """The model may still choose an intent staff removed: the centre no longer does that, so the
    kiosk says so, rather than act on the matcher's nearest intent ("extend" read as a revoke)."""
    catalogue = load_catalogue()
    text = "Keep my daughter's permission going for another month, please."
    fewer = dataclasses.replace(catalogue, intents=tuple(i for i in catalogue.intents if i.id != "family.extend"))
    assert Parser(fewer, sentence_model=False).parse(text, now=NOW).intent == "family.revoke"
    parser = Parser(fewer, sentence_model=_model_that_always_says("family.extend"))
    assert parser.untrained_intents == frozenset()
    reading = parser.parse(text, now=NOW)
    assert reading.intent is None and reading.out_of_scope
    assert Parser(fewer).parse(text, now=NOW).intent != "family.revoke"  # the shipped model: never a revoke


@pytest.mark.parametrize("text", ["I'd like to book someone to come and give my wife a bath next Tuesday",
                                  "我想约个人来家里给老伴洗个澡，下周二"])
def test_a_service_described_by_what_it_does_fills_the_slot(parser: Parser, text: str) -> None:
    """No service named, no situation of the catalogue matched: the service model reads which
    one the words describe (a bath at home is home care)."""
    assert "service" not in Parser(load_catalogue(), slot_models=False).parse(text, now=NOW).slots
    reading = parser.parse(text, now=NOW)
    assert reading.intent == "appointment.book" and reading.slots == {"date": "2026-12-01", "service": "home_care"}


@pytest.mark.parametrize("text", ["half past two in the afternoon", "下午三点", "明天上午", "at ten", "Tuesday then"])
def test_an_answer_of_a_time_or_a_day_describes_no_service(parser: Parser, text: str) -> None:
    """Said when the kiosk asks "when?": the slot model must not add a service to the booking
    (a model over n-grams gives some service a third of its weight even for "下午三点")."""
    assert "service" not in parser.parse(text, now=NOW).slots


def test_a_slot_model_is_taken_only_when_sure(parser: Parser, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "I'd like to book someone to come and give my wife a bath next Tuesday"
    monkeypatch.setattr(parser_module, "SLOT_MODEL_SURE", 1.01)
    assert "service" not in parser.parse(text, now=NOW).slots


def _slot_model_that_always_says(slot: str, value: str) -> SentenceModel:
    shipped = load_sentence_model(shipped_slot_model_path(slot))
    assert shipped is not None
    weights = np.zeros_like(shipped.weights)
    weights[:, shipped.labels.index(value)] = 50.0
    return SentenceModel(shipped.labels, shipped.rows, weights)


def test_what_is_named_or_is_an_emergency_is_not_second_guessed() -> None:
    """A service said by name stays; an emergency is answered the same whatever the words
    describe, so no line is added to it."""
    sure = Parser(load_catalogue(), slot_models={"service": _slot_model_that_always_says("service", "housekeeping"),
                                                 "hotline": _slot_model_that_always_says("hotline", "fire")})
    assert sure.parse("社保卡在哪儿办", now=NOW).slots == {"service": "social_security_card"}
    assert sure.parse("where do I get a senior card", now=NOW).slots == {"service": "senior_card"}
    emergency = sure.parse("我老伴摔倒了起不来", now=NOW)
    assert emergency.intent == "emergency" and emergency.slots == {}
    assert sure.parse("what's the number for the council hotline", now=NOW).slots == {"hotline": "government_service"}


def test_no_model_file_means_the_matcher_alone(tmp_path: Path) -> None:
    assert load_sentence_model(tmp_path / "missing.npz") is None


def test_a_yes_or_no_stands_while_a_question_waits(parser: Parser) -> None:
    """The model learned from sentences said out of the blue; after "is that right?" a yes with
    thanks is a yes."""
    for text in ("yes, thank you dear", "好的谢谢", "不用了", "对，是周四"):
        reading = parser.parse(text, now=NOW, answering=True)
        assert reading.intent in ("dialog.yes", "dialog.no"), (text, reading)
        assert not reading.ambiguous


@pytest.mark.parametrize("text", ["frobozz gnusto", "xyzzy plugh", "喔唷嚯"])
def test_words_the_kiosk_never_heard_are_not_understood(parser: Parser, text: str) -> None:
    """Noise the recogniser made words of: a sound-alike of "no" in it is no answer."""
    assert parser.parse(text, now=NOW).intent is None


def test_an_example_staff_taught_since_training_stands() -> None:
    """Staff publish a sentence residents say as an example; the model, trained before, may read it
    otherwise ("do you lend wheelchairs" sounds out of scope), but the catalogue's own words win."""
    catalogue = load_catalogue()
    text = "do you lend wheelchairs"
    before = Parser(catalogue).parse(text, now=NOW)
    assert before.intent != "staff.handoff"
    taught = dataclasses.replace(catalogue, intents=tuple(
        dataclasses.replace(i, examples={**i.examples, "en": (*i.examples["en"], text)}) if i.id == "staff.handoff"
        else i for i in catalogue.intents))
    assert Parser(taught).parse(text, now=NOW).intent == "staff.handoff"
