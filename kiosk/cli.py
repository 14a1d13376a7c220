"""`kiosk` command: one sub-command per module, so each job stays in its own file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from server.commands import admin as admin_command
from server.commands import keys as keys_command
from server.commands import retention as retention_command
from server.commands import serve as serve_command

from . import (
    catalogue_command,
    chat_command,
    models_command,
    parse_command,
    run_command,
    transcribe_command,
)

COMMANDS = (
    parse_command, catalogue_command, serve_command, chat_command, run_command, admin_command,
    keys_command, retention_command, transcribe_command, models_command,
)  # fmt: skip
"""Modules with `register(subparsers)`; each sets `func` on its parser."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="Elder-friendly offline voice and touch kiosk for community service centres.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
