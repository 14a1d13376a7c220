"""Endpointing on real espeak-ng speech, sox noise and cough bursts.

Where each phrase lies in a test recording is known from how it was built, so utterance times
are checked against it, not just counted.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from speech.audio_format import SAMPLE_RATE, frame_bytes, pcm_duration
from speech.audio_source import WavFileSource
from speech.endpointing import (
    Endpointer,
    EndpointerSettings,
    EndReason,
    ListeningMode,
    Utterance,
    split_utterances,
)
from speech.samples.audio import (
    clipped,
    cough_wav,
    duration,
    join_with_silence,
    noise_wav,
    silence_wav,
    sound_extent,
    speak_wav,
    with_noise,
)

EN_PHRASES = ["Where is the nearest clinic?", "I want to book a haircut.", "What is the hotline number?"]
ZH_PHRASES = ["最近的诊所在哪里？", "我想预约理发。", "热线电话是多少？"]
GAP_S = 1.5
LEAD_S = 0.5


def utterances(path: Path, **settings: float) -> list[Utterance]:
    return list(split_utterances(WavFileSource(path).frames(), EndpointerSettings(**settings)))


def spans(paths: list[Path], gaps: list[float], lead_s: float = LEAD_S) -> list[tuple[float, float]]:
    """(start, end) of the sound of each recording inside join_with_silence(paths, gaps, lead_s=lead_s)."""
    out, at = [], lead_s
    for index, path in enumerate(paths):
        first, last = sound_extent(path)
        out.append((at + first, at + last))
        at += duration(path) + (gaps[index] if index < len(gaps) else 0)
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("endpointing")


@pytest.fixture(scope="module")
def phrases(folder: Path) -> dict[str, list[Path]]:
    return {
        "en": [speak_wav(text, "en", folder / f"en{i}.wav", rate_wpm=150) for i, text in enumerate(EN_PHRASES)],
        "zh": [speak_wav(text, "zh", folder / f"zh{i}.wav", rate_wpm=170) for i, text in enumerate(ZH_PHRASES)],
    }


@pytest.fixture(scope="module")
def cough(folder: Path) -> Path:
    return cough_wav(folder / "cough.wav", seconds=0.15)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("noise", [None, ("white", 10), ("pink", 5)])
def test_finds_each_phrase_separated_by_silence(
    phrases: dict[str, list[Path]], folder: Path, lang: str, noise: tuple[str, float] | None
) -> None:
    recording = join_with_silence(phrases[lang], GAP_S, folder / f"three-{lang}.wav", lead_s=LEAD_S)
    if noise:
        recording = with_noise(recording, snr_db=noise[1], color=noise[0])

    found = utterances(recording)

    assert len(found) == 3
    for utterance, (start, end) in zip(found, spans(phrases[lang], [GAP_S] * 2), strict=True):
        # within a frame or two in quiet; noise masks the softest onsets and endings a little
        assert start - 0.05 <= utterance.started_at <= start + 0.2
        assert end - 0.2 <= utterance.ended_at <= end + 0.05
        assert utterance.endpoint_at == pytest.approx(utterance.ended_at + 1.2, abs=0.031) or (
            utterance.end_reason is EndReason.END_OF_STREAM
        )
        # the audio handed on covers the speech plus pre-roll and tail
        assert utterance.audio_started_at == pytest.approx(utterance.started_at - 0.3, abs=0.001)
        assert pcm_duration(utterance.pcm) == pytest.approx(utterance.duration_s + 0.6, abs=0.031)


def test_elderly_pause_of_600_ms_does_not_split(folder: Path) -> None:
    parts = [
        speak_wav("I would like to book", "en", folder / "part1.wav", rate_wpm=130),
        speak_wav("a health check on Tuesday", "en", folder / "part2.wav", rate_wpm=130),
    ]
    recording = join_with_silence(parts, 0.6, folder / "paused.wav", tail_s=2.0)

    [utterance] = utterances(recording)
    (start, _), (_, end) = spans(parts, [0.6])
    assert utterance.started_at == pytest.approx(start, abs=0.2)
    assert utterance.ended_at == pytest.approx(end, abs=0.2)
    assert utterance.end_reason is EndReason.SILENCE

    # end_silence_s is configurable: a consumer-style 0.5 s would have cut the sentence in two
    assert len(utterances(recording, end_silence_s=0.5)) == 2


def test_ignores_a_cough(phrases: dict[str, list[Path]], folder: Path, cough: Path) -> None:
    alone = join_with_silence([cough], [], folder / "cough-alone.wav", lead_s=1.0, tail_s=2.0)
    assert utterances(alone) == []

    recording = join_with_silence([cough, phrases["en"][0], cough], [2.0, 2.0], folder / "coughs.wav", lead_s=1.0)
    [utterance] = utterances(recording)
    _, (start, end), _ = spans([cough, phrases["en"][0], cough], [2.0, 2.0], lead_s=1.0)
    assert utterance.started_at == pytest.approx(start, abs=0.2)
    assert utterance.ended_at == pytest.approx(end, abs=0.2)


def test_cough_just_before_speech_does_not_move_its_start(
    phrases: dict[str, list[Path]], folder: Path, cough: Path
) -> None:
    recording = join_with_silence([cough, phrases["en"][1]], [0.7], folder / "cough-then-speech.wav", lead_s=1.0)
    [utterance] = utterances(recording)
    _, (start, _) = spans([cough, phrases["en"][1]], [0.7], lead_s=1.0)
    assert utterance.started_at == pytest.approx(start, abs=0.2)


@pytest.mark.parametrize("color", ["white", "pink", "brown"])
def test_pure_noise_is_not_speech(folder: Path, color: str) -> None:
    assert utterances(noise_wav(8.0, folder / f"{color}.wav", color, level_dbfs=-25)) == []


def test_noise_switched_on_mid_stream_is_not_speech(folder: Path) -> None:
    """A fan starting up: 30 dB louder than the room within a frame, then steady."""
    quiet = noise_wav(2.0, folder / "room.wav", "pink", level_dbfs=-60)
    fan = noise_wav(6.0, folder / "fan.wav", "pink", level_dbfs=-30)
    assert utterances(join_with_silence([quiet, fan], [0.0], folder / "fan-on.wav", lead_s=0, tail_s=0)) == []


def test_silence_is_not_speech(folder: Path) -> None:
    assert utterances(silence_wav(5.0, folder / "silence.wav")) == []


def test_clipped_speech_is_still_found(phrases: dict[str, list[Path]], folder: Path) -> None:
    loud = clipped(join_with_silence([phrases["en"][0]], [], folder / "to-clip.wav"), gain_db=20)
    assert len(utterances(loud)) == 1


def test_one_syllable_answers_count(folder: Path) -> None:
    for word, lang in [("yes", "en"), ("是", "zh"), ("不", "zh")]:
        spoken = speak_wav(word, lang, folder / "word.wav", rate_wpm=170)
        recording = join_with_silence([spoken], [], folder / "word-in-silence.wav", lead_s=1.0)
        assert len(utterances(recording)) == 1, word


def test_long_speech_is_cut_at_15_seconds(folder: Path) -> None:
    text = " ".join(["I would like to ask about the dining hall, the clinic hours and the bus to the hospital."] * 4)
    spoken = speak_wav(text, "en", folder / "long.wav", rate_wpm=170)
    assert duration(spoken) > 18

    first, *rest = utterances(join_with_silence([spoken], [], folder / "long-in-silence.wav"))

    assert first.end_reason is EndReason.MAX_LENGTH
    assert first.duration_s == pytest.approx(15.0, abs=0.031)
    assert pcm_duration(first.pcm) <= 15.0 + 0.3 + 0.001  # pre-roll, nothing beyond the cut
    assert rest and rest[0].started_at >= first.ended_at  # the rest is not lost
    assert utterances(join_with_silence([spoken], [], folder / "long2.wav"), max_utterance_s=8.0)[0].duration_s == (
        pytest.approx(8.0, abs=0.031)
    )


def test_push_to_talk_listens_only_after_press_and_ends_on_release(
    phrases: dict[str, list[Path]], folder: Path
) -> None:
    recording = join_with_silence(phrases["en"], GAP_S, folder / "ptt.wav", lead_s=LEAD_S)
    (_, _), (second_start, second_end), (third_start, _) = spans(phrases["en"], [GAP_S] * 2)
    endpointer = Endpointer(mode=ListeningMode.PUSH_TO_TALK)
    found: list[Utterance] = []
    frame_s = 0.03
    for index, frame in enumerate(WavFileSource(recording).frames()):
        at = index * frame_s
        if abs(at - (second_start - 0.5)) < frame_s / 2:
            endpointer.press()  # the first phrase was said before anyone pressed
        if abs(at - (third_start - 0.5)) < frame_s / 2:
            endpointer.press()
        if abs(at - (third_start + 0.8)) < frame_s / 2:
            endpointer.release()  # let go mid-phrase
        if (utterance := endpointer.feed(frame)) is not None:
            found.append(utterance)
    assert endpointer.finish() is None

    assert [u.end_reason for u in found] == [EndReason.SILENCE, EndReason.RELEASED]
    assert found[0].started_at == pytest.approx(second_start, abs=0.2)
    assert found[0].ended_at == pytest.approx(second_end, abs=0.2)
    assert found[1].started_at == pytest.approx(third_start, abs=0.2)
    assert found[1].endpoint_at == pytest.approx(third_start + 0.83, abs=0.04)
    assert not endpointer.listening  # one utterance per press
    endpointer.mode = ListeningMode.HANDS_FREE
    assert endpointer.listening


def test_hearing_speech_turns_on_quickly_for_barge_in(phrases: dict[str, list[Path]], folder: Path) -> None:
    recording = join_with_silence([phrases["en"][0]], [], folder / "barge.wav", lead_s=1.0)
    endpointer = Endpointer()
    for index, frame in enumerate(WavFileSource(recording).frames()):
        endpointer.feed(frame)
        if endpointer.hearing_speech:
            heard_at = (index + 1) * 0.03
            break
    else:
        pytest.fail("speech never detected")
    [(start, _)] = spans([phrases["en"][0]], [], lead_s=1.0)
    assert heard_at - start < 0.6  # min_voice_s (0.25 s) plus espeak's own lead-in silence


def test_frames_must_have_the_declared_length() -> None:
    with pytest.raises(ValueError, match="960-byte frames"):
        Endpointer(frame_ms=30).feed(bytes(640))
    with pytest.raises(ValueError, match="10, 20 or 30 ms"):
        Endpointer(frame_ms=25)


@pytest.mark.parametrize("frame_ms", [10, 20])
def test_shorter_frames_give_the_same_utterances(phrases: dict[str, list[Path]], folder: Path, frame_ms: int) -> None:
    recording = join_with_silence(phrases["zh"], GAP_S, folder / f"frames-{frame_ms}.wav")
    found = list(split_utterances(WavFileSource(recording, frame_ms=frame_ms).frames(), frame_ms=frame_ms))
    reference = utterances(recording)
    assert len(found) == len(reference) == 3
    for short, normal in zip(found, reference, strict=True):
        assert short.started_at == pytest.approx(normal.started_at, abs=0.1)
        assert short.ended_at == pytest.approx(normal.ended_at, abs=0.1)


def test_cpu_cost_per_second_of_audio(phrases: dict[str, list[Path]], folder: Path) -> None:
    recording = with_noise(join_with_silence(phrases["en"] * 4, GAP_S, folder / "bench.wav"), 10, "pink")
    frames = list(WavFileSource(recording).frames())
    seconds = len(frames) * frame_bytes(30) / (2 * SAMPLE_RATE)
    started = time.process_time()
    assert len(list(split_utterances(frames))) == 12
    cpu_ms_per_s = (time.process_time() - started) * 1000 / seconds
    print(f"endpointing: {cpu_ms_per_s:.2f} ms CPU per second of audio")
    assert cpu_ms_per_s < 20  # measured about 0.2 ms: a 1/5000 of one core
