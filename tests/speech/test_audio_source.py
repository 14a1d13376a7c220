"""Audio sources: WAV files frame by frame, and microphones through the real PortAudio.

This machine has no sound card, which is exactly the case the clear errors are for. To open a
*working* device anyway, some tests run in a child process whose ALSA configuration adds ALSA's
own `null` device (`ALSA_CONFIG_PATH`): real sounddevice, real PortAudio, real ALSA; only the
hardware behind it is virtual (it records silence, as fast as it is read). The one test that
must pretend PortAudio is missing says so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from speech.audio_format import frame_bytes, read_wav
from speech.audio_source import AudioSource, MicrophoneSource, WavFileSource, list_input_devices
from speech.errors import AudioDeviceError
from speech.samples.audio import join_with_silence, speak_wav

ALSA_CONF = Path("/usr/share/alsa/alsa.conf")


@pytest.fixture(scope="module")
def phrase_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("source")
    spoken = speak_wav("Where is the clinic?", "en", folder / "phrase.wav")
    return join_with_silence([spoken], [], folder / "phrase-44k.wav", rate=44_100)


@pytest.mark.parametrize("frame_ms", [10, 20, 30])
def test_wav_source_yields_fixed_frames_of_the_whole_file(phrase_wav: Path, frame_ms: int) -> None:
    source = WavFileSource(phrase_wav, frame_ms=frame_ms)
    frames = list(source.frames())
    pcm = read_wav(phrase_wav)

    assert isinstance(source, AudioSource)
    assert {len(frame) for frame in frames} == {frame_bytes(frame_ms)}
    assert len(frames) == -(-len(pcm) // frame_bytes(frame_ms))
    joined = b"".join(frames)
    assert joined[: len(pcm)] == pcm
    assert set(joined[len(pcm) :]) <= {0}  # the last frame is padded with silence


def test_wav_source_in_real_time_paces_frames_like_a_microphone(tmp_path: Path) -> None:
    short = join_with_silence([speak_wav("yes", "en", tmp_path / "yes.wav")], [], tmp_path / "short.wav", 0.1, 0.1)
    source = WavFileSource(short, realtime=True)
    started = time.monotonic()
    count = sum(1 for _ in source.frames())
    assert time.monotonic() - started >= (count - 1) * 0.03 - 0.01


def test_close_stops_a_wav_source(phrase_wav: Path) -> None:
    with WavFileSource(phrase_wav) as source:
        frames = source.frames()
        next(frames)
        source.close()
        assert list(frames) == []


def test_microphone_without_any_device_says_what_to_do() -> None:
    if list_input_devices():
        pytest.skip("this machine has a microphone")
    with pytest.raises(AudioDeviceError) as caught:
        MicrophoneSource()
    message = str(caught.value)
    assert "No microphone found" in message
    assert "--audio-in FILE.wav" in message
    assert "arecord -l" in message


def test_unknown_microphone_name_lists_what_there_is() -> None:
    with pytest.raises(AudioDeviceError, match=r"No single microphone matches 'Kiosk USB mic 9'.*Microphones found"):
        MicrophoneSource("Kiosk USB mic 9")


def run_with_alsa(code: str, tmp_path: Path, extra_config: str = "") -> dict:
    """Run `code` in a child process that sees ALSA's null device as 'kiosknull' (and the default)."""
    if not ALSA_CONF.exists():
        pytest.skip("ALSA configuration not installed")
    config = tmp_path / "asound.conf"
    config.write_text(f"<{ALSA_CONF}>\npcm.!default {{ type null }}\npcm.kiosknull {{ type null }}\n{extra_config}")
    env = {**os.environ, "ALSA_CONFIG_PATH": str(config)}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_microphone_chosen_by_name_or_index_yields_frames(tmp_path: Path) -> None:
    found = run_with_alsa(
        """
        import json
        from speech.audio_source import MicrophoneSource, list_input_devices
        devices = list_input_devices()
        null = next(d for d in devices if d.name.startswith("kiosknull"))
        lengths = []
        for choice in ("kiosknull", null.index):
            with MicrophoneSource(choice, frame_ms=20) as mic:
                frames = mic.frames()
                lengths.append([len(next(frames)) for _ in range(50)])
                chosen = mic.device_info["name"]
        print(json.dumps({"names": [d.name for d in devices], "lengths": lengths, "chosen": chosen}))
        """,
        tmp_path,
    )
    assert any(name.startswith("kiosknull") for name in found["names"])
    assert found["chosen"].startswith("kiosknull")
    assert found["lengths"] == [[640] * 50, [640] * 50]  # 20 ms of 16 kHz int16


def test_missing_portaudio_gives_setup_advice(tmp_path: Path) -> None:
    """Fake (unavoidable: PortAudio is installed here): a `sounddevice` that fails to load the
    library exactly as the real one does on a machine without libportaudio2."""
    (tmp_path / "sounddevice.py").write_text("raise OSError('PortAudio library not found')\n")
    code = """
        import json
        from speech.errors import AudioDeviceError
        from speech.audio_source import MicrophoneSource
        try:
            MicrophoneSource()
        except AudioDeviceError as err:
            print(json.dumps({"message": str(err)}))
        """
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, timeout=60
    )
    message = json.loads(result.stdout)["message"]
    assert "PortAudio" in message and "script/setup" in message and "libportaudio2" in message
