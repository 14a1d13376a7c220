"""Speech output through the real pyttsx3 and espeak-ng, rendered headless to WAV.

Checks what a listener would notice: there is speech in the file, at a calm but normal pace,
with pauses between sentences, slower on request, quieter at low volume. Playing through a
speaker is tested on ALSA's virtual `null` device in a child process (see test_audio_source).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import webrtcvad
from scipy.io import wavfile
from scipy.signal import resample_poly

from speech.errors import AudioDeviceError, SpeechOutputError
from speech.speech_output import SpeechOutput, SpeechOutputSettings, split_sentences

ZH_REPLY = "您的体检预约好了。时间是星期二上午十点。请带上身份证。"
EN_REPLY = "Your health check is booked. It is on Tuesday at ten in the morning. Please bring your ID card."
ZH_SENTENCE = "我们社区服务中心每个星期二上午为老年人提供免费的健康检查"  # 28 syllables
EN_SENTENCE = "The community centre offers a free health check for older residents every Tuesday morning"  # 14 words


@pytest.fixture(scope="module")
def output() -> SpeechOutput:
    return SpeechOutput()


def read(path: Path) -> tuple[int, np.ndarray]:
    rate, samples = wavfile.read(path)
    assert samples.dtype == np.int16 and samples.ndim == 1
    return rate, samples.astype(np.float64) / 32768


def rms_dbfs(samples: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(samples**2)))


def voiced_fraction(rate: int, samples: np.ndarray) -> float:
    """Share of 30 ms frames WebRTC VAD (independent of the code under test) calls speech."""
    pcm16k = (np.clip(resample_poly(samples, 16_000, rate), -1, 1) * 32767).astype("<i2").tobytes()
    vad = webrtcvad.Vad(3)
    frames = [pcm16k[i : i + 960] for i in range(0, len(pcm16k) - 959, 960)]
    return sum(vad.is_speech(frame, 16_000) for frame in frames) / len(frames)


def longest_silence_s(rate: int, samples: np.ndarray) -> float:
    quiet = np.abs(samples) < 0.003
    longest = run = 0
    for is_quiet in quiet:
        run = run + 1 if is_quiet else 0
        longest = max(longest, run)
    return longest / rate


@pytest.mark.parametrize(("lang", "text"), [("zh", ZH_REPLY), ("en", EN_REPLY)])
def test_renders_speech_to_wav_without_a_sound_device(
    output: SpeechOutput, tmp_path: Path, lang: str, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    audio = output.render_to_wav(text, lang, tmp_path / "reply.wav")

    rate, samples = read(tmp_path / "reply.wav")
    assert rate == audio.sample_rate == 22_050
    assert len(samples) / rate == pytest.approx(audio.duration_s, abs=0.001)
    assert 3.0 < audio.duration_s < 12.0
    assert rms_dbfs(samples) > -30
    assert voiced_fraction(rate, samples) > 0.6
    assert capsys.readouterr().out == ""  # pyttsx3's "Audio saved to …" does not reach the kiosk's output


def test_default_pace_is_calm_but_normal(output: SpeechOutput) -> None:
    """Design notes: English 150–200 wpm; Mandarin at most the 210–220 syllables/min of reading."""
    zh = output.render(ZH_SENTENCE, "zh", slow=False)
    en = output.render(EN_SENTENCE, "en", slow=False)
    zh_per_minute = 28 / zh.duration_s * 60
    en_per_minute = 14 / en.duration_s * 60
    print(f"pace: Mandarin {zh_per_minute:.0f} syllables/min, English {en_per_minute:.0f} wpm")
    assert 160 <= zh_per_minute <= 210
    assert 150 <= en_per_minute <= 200


@pytest.mark.parametrize(("lang", "text"), [("zh", ZH_REPLY), ("en", EN_REPLY)])
def test_slow_is_slower_but_not_a_crawl(output: SpeechOutput, lang: str, text: str) -> None:
    normal = output.render(text, lang, slow=False)
    slow = output.render(text, lang, slow=True)
    assert 1.15 < slow.duration_s / normal.duration_s < 1.6


def test_slower_lasts_for_the_session_until_reset() -> None:
    output = SpeechOutput()
    normal = output.render(EN_REPLY, "en").duration_s
    output.slow = True
    output.volume = 0.3
    assert output.render(EN_REPLY, "en").duration_s > normal * 1.15
    output.reset()
    assert (output.slow, output.volume) == (False, 1.0)
    assert output.render(EN_REPLY, "en").duration_s == pytest.approx(normal, abs=0.05)


@pytest.mark.parametrize(("lang", "text"), [("zh", ZH_REPLY), ("en", EN_REPLY)])
def test_sentences_are_separated_by_a_pause(output: SpeechOutput, lang: str, text: str) -> None:
    audio = output.render(text, lang, slow=False)
    assert longest_silence_s(audio.sample_rate, audio.samples) == pytest.approx(0.45, abs=0.06)
    slow = output.render(text, lang, slow=True)
    assert longest_silence_s(slow.sample_rate, slow.samples) == pytest.approx(0.7, abs=0.06)


def test_volume_spans_at_least_18_db(output: SpeechOutput) -> None:
    try:
        loud = output.render(EN_REPLY, "en")
        output.volume = 0.125
        quiet = output.render(EN_REPLY, "en")
    finally:
        output.volume = 1.0
    difference = rms_dbfs(loud.samples) - rms_dbfs(quiet.samples)
    assert 17 < difference < 24
    assert np.max(np.abs(loud.samples)) < 1.0  # full volume does not clip


def test_sentence_splitting() -> None:
    assert split_sentences("您好。请问您要办什么？\n我们九点开门！") == ["您好。", "请问您要办什么？", "我们九点开门！"]
    assert split_sentences("Dr. Wang sees you at 10.30 today. Bring your card.") == [
        "Dr. Wang sees you at 10.30 today.",
        "Bring your card.",
    ]
    assert split_sentences("Call\x01 99S now") == ["Call  99S now"]  # no espeak commands smuggled in text


def test_clear_errors(output: SpeechOutput) -> None:
    with pytest.raises(SpeechOutputError, match="no voice configured for language 'fr'"):
        output.render("Bonjour.", "fr")
    with pytest.raises(SpeechOutputError, match="nothing to say"):
        output.render("  \n ", "en")
    with pytest.raises(SpeechOutputError, match="espeak-ng --voices"):
        SpeechOutput(SpeechOutputSettings(voices={"zh": "no-such-voice"}))


def test_speaking_without_a_speaker_says_what_to_do(output: SpeechOutput) -> None:
    import sounddevice

    if any(device["max_output_channels"] > 0 for device in sounddevice.query_devices()):
        pytest.skip("this machine has a speaker")
    with pytest.raises(AudioDeviceError, match=r"No usable speaker.*--audio-out DIR"):
        output.speak(EN_REPLY, "en")


def test_speaks_on_a_device_and_stops_at_once_for_barge_in(tmp_path: Path) -> None:
    if not Path("/usr/share/alsa/alsa.conf").exists():
        pytest.skip("ALSA configuration not installed")
    config = tmp_path / "asound.conf"
    config.write_text("</usr/share/alsa/alsa.conf>\npcm.!default { type null }\n")
    code = """
        import json, time
        import numpy as np
        from speech.playback import Playback
        from speech.speech_output import SpeechOutput
        output = SpeechOutput()
        playback = output.speak("Your health check is booked.", "en")  # waits until done
        finished = {"completed": not playback.stopped and not playback.playing,
                    "started": playback.started_at is not None}
        # ALSA's null device swallows audio faster than real time: give it ten minutes of sound
        long = Playback(np.zeros(10 * 60 * 22050, dtype=np.float32), 22050)
        long.stop()
        cut = {"stopped": long.stopped, "playing": long.playing, "wait": long.wait(1), "short": long.played_s < 600}
        output.speak("This reply is interrupted.", "en", wait=False)
        output.stop()
        output.stop()  # twice is harmless
        print(json.dumps({"finished": finished, "cut": cut, "speaking_after_stop": output.speaking}))
        """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, "ALSA_CONFIG_PATH": str(config)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["finished"] == {"completed": True, "started": True}
    assert report["cut"] == {"stopped": True, "playing": False, "wait": False, "short": True}
    assert report["speaking_after_stop"] is False
