"""`kiosk-server`: the community server's commands, without the kiosk's.

    kiosk-server serve --demo
    kiosk-server admin create anna --role admin
    kiosk-server keys status | rotate | retire
    kiosk-server retention run --older-than 365
    kiosk-server slots extend [--days 60]

The same sub-commands as `kiosk serve|admin|keys|retention|slots` (server/commands/).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from server.commands import admin, keys, retention, serve, slots

COMMANDS = (serve, admin, keys, retention, slots)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-server", description="The community server the kiosks talk to.")
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
