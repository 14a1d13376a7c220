"""End of speech → first reply audio, recogniser real-time factor, and peak memory of `kiosk run`.

English requests are spoken by espeak-ng into one WAV (2 s apart, with a microphone's faint
noise floor: espeak-ng's digital silence is unlike any microphone and PocketSphinx
misjudges it — see tests/voice/voice_harness.py) and fed to
`kiosk run --audio-in … --audio-out …` against a `kiosk serve --demo` started here; the
figures are those the kiosk measured itself (its turn log), per utterance:

  end_to_first_audio_ms   from the endpointer closing the utterance to the reply's audio
                          being ready: recognition + parse + dialogue + server + synthesis
  heard_to_first_audio_ms the same plus the end-of-speech silence the endpointer waits for
                          (1.2 s by default, for older speakers): the pause a resident hears
  rtf                     recognition time / utterance length

and the peak resident memory of the `kiosk run` process (from wait4, so nothing is sampled).
Targets on this machine: end_to_first_audio p50 <= 600 ms, RTF <= 0.1 with the catalogue
grammar, peak RSS <= 350 MB with PocketSphinx. The last line is always
`end_to_first_audio_ms_p50=… rtf=… peak_rss_mb=…`.

Usage: .venv/bin/python bench/voice_latency.py [--rate 160] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from kiosk.centre.embedded_server import demo_kiosk_token, free_loopback_port
from kiosk.voice.turn_log import read_turn_log

REQUESTS = [
    "where do I go for the senior card",
    "what do I need to bring for the old age allowance",
    "I want to book a health check",
    "what is the number for the ambulance",
    "are there any notices today",
    "has my application been processed",
    "when is the health check open",
    "give me the police phone number",
    "what can you do",
    "please speak more slowly",
    "read me the community notices",
    "where is the legal aid office",
]
"""Requests across the catalogue's intents; none needs the resident to be identified."""

GAP_S = 2.0


def speak(texts: list[str], rate_wpm: int, folder: Path) -> Path:
    """The texts spoken one after another by espeak-ng, `GAP_S` of silence between them."""
    pieces = []
    for index, text in enumerate(texts):
        piece = folder / f"u{index:02d}.wav"
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", str(rate_wpm), "-w", str(piece), text], check=True)
        pieces.append(str(piece))
    joined = folder / "requests.wav"
    silence = folder / "gap.wav"
    subprocess.run(["sox", "-n", "-r", "22050", "-c", "1", "-b", "16", str(silence), "trim", "0", str(GAP_S)],
                   check=True)  # fmt: skip
    sequence = [str(silence)]
    for piece in pieces:
        sequence += [piece, str(silence)]
    spoken = folder / "spoken.wav"
    subprocess.run(["sox", *sequence, str(spoken)], check=True)
    floor = folder / "floor.wav"  # white noise about 60 dB below full scale, as long as the speech
    subprocess.run(["sox", "-R", str(spoken), str(floor), "synth", "whitenoise", "vol", "0.001"], check=True)
    subprocess.run(["sox", "-m", "-v", "1", str(spoken), "-v", "1", str(floor), str(joined)], check=True)
    return joined


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_loopback_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "serve", "--demo", "--host", "127.0.0.1", "--port", str(port),
         "--data-dir", str(folder / "server"), "--log-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"kiosk serve did not start; see {folder / 'server.log'}")


def run_kiosk(url: str, wav: Path, folder: Path) -> tuple[int, float]:
    """Run `kiosk run` on the recording; (exit code, peak RSS in MB of that process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    command = [
        sys.executable, "-m", "kiosk.cli", "run", "--server", url, "--token", demo_kiosk_token(), "--lang", "en",
        "--audio-in", str(wav), "--audio-out", str(folder / "replies"), "--data-dir", str(folder / "kiosk"),
        "--no-screen",
    ]  # fmt: skip
    with (folder / "kiosk-run.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss / 1024  # Linux reports KiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=160, help="espeak-ng words per minute (default 160)")
    parser.add_argument("--keep", type=Path, help="keep recordings, replies and logs in this directory")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="voice-latency-"))
    folder.mkdir(parents=True, exist_ok=True)
    wav = speak(REQUESTS, args.rate, folder)
    server, url = start_server(folder)
    try:
        code, peak_rss_mb = run_kiosk(url, wav, folder)
    finally:
        server.terminate()
        server.wait(timeout=15)
    if code != 0:
        print((folder / "kiosk-run.log").read_text(errors="replace"), file=sys.stderr)
        raise SystemExit(f"kiosk run exited with {code}")

    turns = [t for t in read_turn_log(folder / "replies" / "turns.jsonl") if t.source == "voice"]
    print(f"{'utterance':<52} {'intent':<18} {'end→audio':>10} {'heard→audio':>12} {'RTF':>6}")
    for turn in turns:
        assert turn.end_to_first_audio_ms is not None and turn.heard_to_first_audio_ms is not None
        print(
            f"{turn.heard[:52]:<52} {turn.intent or '-':<18} {turn.end_to_first_audio_ms:>8.0f}ms "
            f"{turn.heard_to_first_audio_ms:>10.0f}ms {turn.rtf or 0:>6.3f}"
        )
    to_audio = [t.end_to_first_audio_ms or 0.0 for t in turns]
    heard = [t.heard_to_first_audio_ms or 0.0 for t in turns]
    rtf = sum(t.recognise_ms or 0.0 for t in turns) / 1000 / sum(t.utterance_s or 0.0 for t in turns)
    print(
        f"{len(turns)} utterances of {len(REQUESTS)} at {args.rate} wpm; end→audio p90 "
        f"{statistics.quantiles(to_audio, n=10)[-1]:.0f} ms, max {max(to_audio):.0f} ms; heard→audio p50 "
        f"{statistics.median(heard):.0f} ms (includes the endpointer's end-of-speech silence)"
    )
    print(f"end_to_first_audio_ms_p50={statistics.median(to_audio):.0f} rtf={rtf:.3f} peak_rss_mb={peak_rss_mb:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
