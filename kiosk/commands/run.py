"""`kiosk run`: the kiosk itself — listen, understand, answer aloud and on the screen.

    kiosk run                                   microphone, speaker, screen on :8080, demo server
    kiosk run --server URL --token T            against the centre's server
    kiosk run --audio-in talk.wav --audio-out replies/
                                                from a recording; each reply as replies/turn-NN.wav,
                                                one line per turn, exit at the end of the file
    kiosk run --push-to-talk                    listen only after "Talk" is touched
    kiosk screen   (= kiosk run --no-audio)     touch only: no microphone, no speaker

Without `--server` the demo centre's server is started here, as for `kiosk chat`. The
recogniser is Vosk when a Vosk model is installed in the data directory (`kiosk models
add`), otherwise PocketSphinx with its English model; its grammar comes from the catalogue
(see speech/recognizer_factory.py; `--engine`, `--model` and `--asr-lang` override).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from contextlib import ExitStack
from functools import partial
from pathlib import Path

from intents import Catalogue, CatalogueError, load_catalogue
from kiosk.app import KioskStartError, build_kiosk
from kiosk.commands.kiosk_options import add_kiosk_options, settings_from
from kiosk.conversation import Conversation
from kiosk.errors import KioskError
from kiosk.screen.booking_calendar import BookingCalendar, today_in
from kiosk.screen.screen_app import screen_app
from kiosk.screen.screen_content import ScreenContent
from kiosk.screen.screen_server import ScreenServer
from kiosk.screen.screen_state import ScreenState
from kiosk.screen.screen_words import ScreenWords
from kiosk.voice.reply_voices import LoudspeakerVoice, NoVoice, ReplyVoice, WavFileVoice
from kiosk.voice.turn_log import TurnLog
from kiosk.voice.voice_loop import VoiceLoop, VoiceLoopSettings
from speech.audio_source import AudioSource, MicrophoneSource, WavFileSource
from speech.endpointing import Endpointer, EndpointerSettings, ListeningMode
from speech.errors import SpeechError
from speech.phone_numbers import PhoneNumberRecognizer
from speech.recognizer_factory import ENGINES, RecognizerSettings, load_recognizer
from speech.speech_output import SpeechOutput, SpeechOutputSettings

DEFAULT_SCREEN_PORT = 8080
TURN_LOG_NAME = "turns.jsonl"
"""Written into `--audio-out DIR`: every turn's words, reply and timings (bench/voice_latency.py)."""

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = subparsers.add_parser(
        "run",
        help="run the kiosk: microphone, speaker and screen (or --audio-in/--audio-out recordings)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common(run)
    sound = run.add_argument_group("sound")
    sound.add_argument("--audio-in", metavar="FILE.wav", type=Path, help="listen to this recording, not a microphone")
    sound.add_argument("--audio-out", metavar="DIR", type=Path, help="write each reply as DIR/turn-NN.wav, not aloud")
    sound.add_argument("--realtime", action="store_true", help="play --audio-in at the speed it was recorded")
    sound.add_argument("--device", help="microphone: PortAudio number or part of its name (default: the system's)")
    sound.add_argument("--speaker", help="speaker: PortAudio number or part of its name (default: the system's)")
    sound.add_argument("--push-to-talk", action="store_true", help="listen only after the screen's Talk button")
    sound.add_argument(
        "--end-silence", type=float, default=EndpointerSettings.end_silence_s, metavar="SECONDS",
        help="silence that ends an utterance (default %(default)s; older speakers pause longer)",
    )  # fmt: skip
    sound.add_argument(
        "--reprompt-after", type=float, default=VoiceLoopSettings.reprompt_after_s, metavar="SECONDS",
        help="silence in the middle of a task before the kiosk asks again (default %(default)s)",
    )  # fmt: skip
    sound.add_argument("--no-barge-in", action="store_true", help="keep talking when the resident starts to speak")
    sound.add_argument("--volume", type=float, default=1.0, help="speech volume 0-1 (default 1)")
    sound.add_argument("--no-audio", action="store_true", help="touch only: no microphone, no speaker")
    listening = run.add_argument_group("recogniser")
    listening.add_argument("--engine", choices=ENGINES, help="default: Vosk if a model is installed, else PocketSphinx")
    listening.add_argument("--model", type=Path, metavar="DIR", help="a Vosk model folder (implies --engine vosk)")
    listening.add_argument("--asr-lang", metavar="LANG", help="language to listen for (default: the model's, else en)")
    run.add_argument(
        "--turn-log", metavar="FILE", type=Path,
        help=f"write every turn as JSON lines (default: DIR/{TURN_LOG_NAME} with --audio-out)",
    )  # fmt: skip
    run.set_defaults(func=run_kiosk)

    screen = subparsers.add_parser(
        "screen", help="the kiosk screen alone, for touch only (same as `kiosk run --no-audio`)"
    )
    _add_common(screen)
    screen.set_defaults(func=run_kiosk, no_audio=True, audio_in=None, audio_out=None, turn_log=None)


def _add_common(parser: argparse.ArgumentParser) -> None:
    add_kiosk_options(parser)
    parser.add_argument(
        "--screen-port", type=int, metavar="N",
        help=f"serve the screen on this port (default {DEFAULT_SCREEN_PORT}; none with --audio-in unless given)",
    )  # fmt: skip
    parser.add_argument("--screen-host", default="127.0.0.1", help="address to serve the screen on (127.0.0.1)")
    parser.add_argument("--no-screen", action="store_true", help="no screen (voice only)")


def run_kiosk(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="kiosk run: %(message)s")
    # A service manager stops the kiosk with SIGTERM: unwind normally, so the demo server
    # started here stops too and the resident's session is closed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        return _run(args)
    except (SpeechError, KioskError, ValueError) as exc:
        print(f"kiosk run: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    no_audio = bool(args.no_audio)
    if no_audio and (args.audio_in or args.audio_out):
        raise ValueError("--no-audio cannot be combined with --audio-in or --audio-out")
    if args.audio_in is not None and not args.audio_in.is_file():
        raise ValueError(f"{args.audio_in}: no such recording")
    screen_port = args.screen_port
    if screen_port is None and not args.no_screen and args.audio_in is None:
        screen_port = DEFAULT_SCREEN_PORT
    if args.no_screen:
        screen_port = None
    if no_audio and screen_port is None:
        raise ValueError("touch-only use needs the screen: drop --no-screen")

    with ExitStack() as stack:
        recognizer = None
        source: AudioSource | None = None
        if not no_audio:  # microphone and recogniser first: their problems need no server to report
            source = _source(args)
            stack.callback(source.close)
            # The catalogue file or the demo one for now; the kiosk's own catalogue once it is built
            # (a published version) reaches the recogniser through the voice loop.
            first_catalogue = _first_catalogue(args)
            recognizer = load_recognizer(first_catalogue, args.data_dir, _recognizer_settings(args))
        heard_lang = recognizer.lang if recognizer and recognizer.lang in ("zh", "en") else None
        settings = settings_from(args, lang=heard_lang)
        kiosk = stack.enter_context(build_kiosk(settings, partial(print, "kiosk run:", file=sys.stderr, flush=True)))

        voice = _voice(args, no_audio)
        turn_log = TurnLog(args.turn_log or (args.audio_out / TURN_LOG_NAME if args.audio_out else None))
        stack.callback(turn_log.close)
        screen = ScreenState(lang=settings.lang, audio=not no_audio,
                             push_to_talk=args.push_to_talk if not no_audio else False)  # fmt: skip
        conversation = Conversation(
            kiosk, voice, screen, turn_log,
            recognizer_lang=recognizer.lang if recognizer else None, show_line=_print_line,
        )  # fmt: skip
        stack.callback(conversation.close)

        loop: VoiceLoop | None = None
        if source is not None and recognizer is not None:
            mode = ListeningMode.PUSH_TO_TALK if args.push_to_talk else ListeningMode.HANDS_FREE
            endpointer = Endpointer(EndpointerSettings(end_silence_s=args.end_silence), mode, source.frame_ms)
            loop_settings = VoiceLoopSettings(reprompt_after_s=args.reprompt_after, barge_in=not args.no_barge_in)
            phone_listener = None
            if recognizer.engine == "pocketsphinx" and recognizer.lang == "en":
                phone_listener = PhoneNumberRecognizer(args.data_dir)
            rebuild = partial(load_recognizer, data_dir=args.data_dir, settings=_recognizer_settings(args))
            loop = VoiceLoop(source, endpointer, recognizer, conversation, loop_settings, phone_listener,
                             rebuild_recognizer=rebuild, recognizer_catalogue=first_catalogue)  # fmt: skip

        if screen_port is not None:
            calendar = BookingCalendar(kiosk.client, kiosk.dialogue.forms, today_in(settings.clock))
            content = ScreenContent(kiosk.catalogue, kiosk.dialogue.writer, ScreenWords.load())
            app = screen_app(conversation, content, calendar, on_talk=loop.press_to_talk if loop else None)
            server = ScreenServer(app, args.screen_host, screen_port)
            server.start()
            stack.callback(server.stop)
            stack.callback(screen.close)  # runs first: open pages let go, then the server stops
            print(f"kiosk run: the screen is at {server.url}", file=sys.stderr, flush=True)

        if loop is not None:
            loop.run()
        else:
            conversation.welcome()
            print("kiosk run: touch only; Ctrl-C to stop", file=sys.stderr, flush=True)
            threading.Event().wait()
    return 0


def _first_catalogue(args: argparse.Namespace) -> Catalogue:
    try:
        return load_catalogue(args.catalogue)
    except CatalogueError as exc:
        raise KioskStartError(str(exc)) from exc


def _recognizer_settings(args: argparse.Namespace) -> RecognizerSettings:
    """The command line over the environment (KIOSK_ASR_ENGINE, KIOSK_VOSK_MODEL, KIOSK_ASR_LANG)."""
    configured = RecognizerSettings.from_environment()
    return RecognizerSettings(
        engine="vosk" if args.model else args.engine or configured.engine,
        vosk_model=args.model or configured.vosk_model,
        lang=args.asr_lang or configured.lang,
    )


def _voice(args: argparse.Namespace, no_audio: bool) -> ReplyVoice:
    if no_audio:
        return NoVoice()
    output = SpeechOutput(SpeechOutputSettings(volume=args.volume, device=_device(args.speaker)))
    if args.audio_out is not None:
        return WavFileVoice(output, args.audio_out)
    return LoudspeakerVoice(output)


def _source(args: argparse.Namespace) -> AudioSource:
    if args.audio_in is not None:
        return WavFileSource(args.audio_in, realtime=args.realtime)
    return MicrophoneSource(_device(args.device))


def _device(value: str | None) -> int | str | None:
    return int(value) if value is not None and value.isdigit() else value


def _print_line(line: str) -> None:
    print(line, flush=True)
