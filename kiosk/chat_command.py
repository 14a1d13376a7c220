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
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from intents import CatalogueError, load_catalogue

from .catalogue_sync import DEFAULT_POLL_SECONDS, CatalogueSync
from .centre_errors import CentreRefused, CentreUnavailable, DeviceNotAuthorised
from .client import CentreClient
from .dialogue import Dialogue
from .embedded_server import EmbeddedServer, EmbeddedServerError, demo_kiosk_token, start_embedded_server
from .parse_command import iso_datetime
from .reply import Reply
from .reply_writer import MissingReply
from .typed_input import typed_lines
from .understanding_report import TurnReporter

TOKEN_VARIABLE = "KIOSK_DEVICE_TOKEN"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "chat",
        help="talk to the kiosk by typing (starts the demo server unless --server is given)",
        description="Type what a resident would say; one utterance per line on stdin when it is not a terminal.",
    )
    parser.add_argument("--server", metavar="URL", help="the centre's server (default: start the demo one here)")
    parser.add_argument(
        "--token",
        help=f"this kiosk's device token (default: ${TOKEN_VARIABLE}; the demo token with the demo server)",
    )
    parser.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="zh",
        help="language of the welcome and of answers without words, such as '1948' (default zh)",
    )
    parser.add_argument(
        "--now",
        type=iso_datetime,
        metavar="ISO-DATETIME",
        help="pretend it is this moment at the centre (for scripted tests; default: the clock)",
    )
    parser.add_argument(
        "--data-dir", metavar="DIR", default="data", help="data directory for the demo server started here (./data)"
    )
    parser.add_argument("--catalogue", metavar="FILE", help="catalogue YAML (default: the demo centre)")
    parser.add_argument("--json", action="store_true", help="one JSON object per turn")
    parser.add_argument("--options", action="store_true", help="also print the touch options of each turn")
    parser.add_argument(
        "--catalogue-poll", type=float, default=DEFAULT_POLL_SECONDS, metavar="SECONDS",
        help=f"look for a newly published catalogue this often (default {DEFAULT_POLL_SECONDS:g}; 0 = never; "
        "never with --catalogue)",
    )  # fmt: skip
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.ERROR, format="kiosk chat: %(message)s")
    try:
        zone = ZoneInfo(os.environ.get("KIOSK_TIMEZONE") or "Asia/Shanghai")
        catalogue = load_catalogue(args.catalogue)
    except (CatalogueError, ZoneInfoNotFoundError, ValueError) as exc:
        print(f"kiosk chat: {exc}", file=sys.stderr)
        return 2
    embedded: EmbeddedServer | None = None
    try:
        if args.server:
            url = args.server
            token = args.token or os.environ.get(TOKEN_VARIABLE)
            if not token:
                print(
                    f"kiosk chat: give this kiosk's device token with --token or ${TOKEN_VARIABLE} "
                    "(`kiosk serve --new-device NAME` registers a kiosk and prints one)",
                    file=sys.stderr,
                )
                return 2
        else:
            print("kiosk chat: starting the demo centre's server…", file=sys.stderr, flush=True)
            embedded = start_embedded_server(Path(args.data_dir), args.catalogue)
            url, token = embedded.url, args.token or demo_kiosk_token()
        with CentreClient(url, token) as client:
            problem = check_server(client)
            if problem:
                print(f"kiosk chat: {problem}", file=sys.stderr)
                if isinstance(problem, DeviceNotAuthorised):
                    return 2
            # A file named on the command line is used as it is; otherwise follow what staff publish.
            sync = None
            if args.catalogue_poll > 0 and not args.catalogue:
                sync = CatalogueSync(url, token, catalogue, cache_dir=Path(args.data_dir),
                                     poll_seconds=args.catalogue_poll)  # fmt: skip
                sync.fetch()  # the published version from the first word on
                sync.start()
            reporter = TurnReporter(url, token)
            parser = sync.current.parser if sync else None
            dialogue = Dialogue(sync.current.catalogue if sync else catalogue, client, parser=parser,
                                now=centre_clock(args.now, zone), lang=args.lang)  # fmt: skip
            try:
                _converse(dialogue, args, sync, reporter)
            finally:
                dialogue.close()
                if sync:
                    sync.close()
                reporter.close()
    except (EmbeddedServerError, MissingReply) as exc:
        print(f"kiosk chat: {exc}", file=sys.stderr)
        return 2
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def check_server(client: CentreClient) -> Exception | None:
    """Say at once if the server is down or the token wrong, rather than at the first booking."""
    try:
        client.verify_device()
    except DeviceNotAuthorised as exc:
        return DeviceNotAuthorised(exc.status, exc.code, f"the server refused this kiosk's token: {exc.message}")
    except (CentreUnavailable, CentreRefused) as exc:
        return exc
    return None


def centre_clock(fixed: datetime | None, zone: ZoneInfo) -> Callable[[], datetime]:
    if fixed is None:
        return lambda: datetime.now(zone)
    moment = fixed if fixed.tzinfo else fixed.replace(tzinfo=zone)
    return lambda: moment


def _converse(dialogue: Dialogue, args: argparse.Namespace, sync: CatalogueSync | None, reporter: TurnReporter) -> None:
    interactive = sys.stdin.isatty()
    _show(dialogue.welcome(), None, args, interactive)
    for text in typed_lines(interactive):
        if not text.strip():
            continue
        if sync:
            sync.apply_to(dialogue)  # a newly published catalogue, between requests only
        step, failures = dialogue.state.step, dialogue.state.failures
        reply = dialogue.handle(text)
        reporter.after_turn(dialogue, text, step, failures)
        _show(reply, text, args, interactive)


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
