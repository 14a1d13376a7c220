"""`kiosk` command: one sub-command per module, imported only when it is the one asked for.

`kiosk parse` must start as fast as the parser loads, without FastAPI, SQLAlchemy or the
speech engines; so the table below names each command's module instead of importing it, and
`--help` lists the commands from the table alone.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMANDS: dict[str, tuple[str, str]] = {
    "parse": ("kiosk.commands.parse", "show the intent and slots understood from typed utterances"),
    "catalogue": ("kiosk.commands.catalogue", "check a catalogue file"),
    "chat": ("kiosk.commands.chat", "talk to the kiosk by typing (starts the demo server unless --server is given)"),
    "run": ("kiosk.commands.run", "run the kiosk: microphone, speaker and screen (or recordings)"),
    "screen": ("kiosk.commands.run", "the kiosk screen alone, for touch only (same as `kiosk run --no-audio`)"),
    "transcribe": ("kiosk.commands.transcribe", "print what the speech recogniser hears in a WAV file"),
    "models": ("kiosk.commands.models", "install or list Vosk speech models"),
    # The centre server's own commands (also `kiosk-server …`), for a one-machine centre.
    "serve": ("server.commands.serve", "run the community server"),
    "admin": ("server.commands.admin", "create staff console accounts, reset passwords"),
    "keys": ("server.commands.keys", "show, rotate or retire the personal-data encryption keys"),
    "retention": ("server.commands.retention", "remove or anonymise personal data past the retention period"),
    "slots": ("server.commands.slots", "extend the bookable services' time slots"),
}
"""Command → (module with `register(subparsers)`, one-line help)."""


def build_parser(argv: Sequence[str], commands: dict[str, tuple[str, str]] = COMMANDS) -> argparse.ArgumentParser:
    """A parser that knows the chosen command's options, and only the names of the others."""
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Elder-friendly offline voice and touch kiosk for community service centres.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = next((word for word in argv if not word.startswith("-")), None)
    if chosen in commands:
        importlib.import_module(commands[chosen][0]).register(subparsers)
    else:
        for name, (_module, summary) in commands.items():
            subparsers.add_parser(name, help=summary)
    return parser


def main(argv: Sequence[str] | None = None, commands: dict[str, tuple[str, str]] = COMMANDS) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(words, commands).parse_args(words)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
