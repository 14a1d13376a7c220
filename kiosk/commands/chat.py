"""`kiosk chat`: the kiosk without audio — type what you would say, read what it answers.

Without `--server` it starts the demo centre itself (`kiosk serve --demo` on a free
loopback port, SQLite in ./data). When stdin is not a terminal it reads one utterance per
line and prints every turn with line prefixes a script can parse:

    you> 明天上午九点帮我约体检
    kiosk> 请告诉我您的手机号码和出生年份，我好帮您登记。
    state> booking.ask_identity lang=zh slow=false done=false
    speech> …                       (only when the speech differs from the text)
    options> dialog.yes=说“是” | …   (with --options)

`--json` prints one JSON object per turn instead.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from functools import partial

from kiosk.app import Kiosk, build_kiosk
from kiosk.commands.kiosk_options import add_kiosk_options, settings_from
from kiosk.commands.typed_input import typed_lines
from kiosk.dialogue.reply import Reply
from kiosk.errors import KioskError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "chat",
        help="talk to the kiosk by typing (starts the demo server unless --server is given)",
        description="Type what a resident would say; one utterance per line on stdin when it is not a terminal.",
    )
    add_kiosk_options(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object per turn")
    parser.add_argument("--options", action="store_true", help="also print the touch options of each turn")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.ERROR, format="kiosk chat: %(message)s")
    status = partial(print, "kiosk chat:", file=sys.stderr, flush=True)
    try:
        with build_kiosk(settings_from(args), status) as kiosk:
            _converse(kiosk, args)
    except KioskError as exc:
        print(f"kiosk chat: {exc}", file=sys.stderr)
        return 2
    return 0


def _converse(kiosk: Kiosk, args: argparse.Namespace) -> None:
    interactive = sys.stdin.isatty()
    _show(kiosk.dialogue.welcome(), None, args, interactive)
    for text in typed_lines(interactive):
        if text.strip():
            _show(kiosk.handle(text), text, args, interactive)


def _show(reply: Reply, said: str | None, args: argparse.Namespace, interactive: bool) -> None:
    if args.json:
        print(json.dumps({"you": said, **reply.to_json()}, ensure_ascii=False), flush=True)
        return
    if interactive:
        print(f"kiosk> {reply.text}" + ("   [slow]" if reply.slow else ""), flush=True)
        if args.options and reply.options:
            print("       " + " | ".join(o.label for o in reply.options))
        return
    lines = []
    if said is not None:
        lines.append(f"you> {said}")
    lines.append(f"kiosk> {reply.text}")
    lines.append(
        f"state> {reply.state} lang={reply.lang} slow={str(reply.slow).lower()} done={str(reply.done).lower()}"
    )
    if reply.speech != reply.text:
        lines.append(f"speech> {reply.speech}")
    if args.options and reply.options:
        lines.append("options> " + " | ".join(f"{o.id}={o.label}" for o in reply.options))
    print("\n".join(lines), flush=True)
