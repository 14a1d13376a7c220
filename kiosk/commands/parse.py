"""`kiosk parse`: see what the kiosk understands, typed the way a resident would say it."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from intents import Catalogue, CatalogueError, load_catalogue
from intents.index_cache import DIRECTORY_NAME, IndexCache
from intents.parser import Parser, ParseResult
from kiosk.centre.catalogue_fetch import CatalogueFetchError, fetch_catalogue
from kiosk.commands.typed_input import typed_lines


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "parse",
        help="show the intent and slots understood from typed utterances",
        description="Texts as arguments, or one per line on stdin (interactive when stdin is a terminal).",
    )
    parser.add_argument("texts", nargs="*", metavar="TEXT", help="utterances to parse")
    parser.add_argument("--json", action="store_true", help="one JSON object per input line")
    parser.add_argument("--lang", choices=("zh", "en"), help="language (default: detected per utterance)")
    parser.add_argument("--now", type=iso_datetime, metavar="ISO-DATETIME",
                        help="reference time for 明天 / next Tuesday (default: now)")
    parser.add_argument("--catalogue", metavar="FILE", help="catalogue YAML (default: the demo centre)")
    parser.add_argument("--server", metavar="URL", help="use the catalogue published on this centre's server")
    parser.add_argument("--token", help="the kiosk's device token for --server (default: $KIOSK_DEVICE_TOKEN)")
    parser.add_argument("--data-dir", metavar="DIR", default=Path("data"), type=Path,
                        help="the kiosk's data directory, whose index cache makes a second start fast (./data)")
    parser.add_argument("--no-index-cache", action="store_true",
                        help="prepare the catalogue's examples now instead of reading them from DATA_DIR/index-cache")
    parser.set_defaults(func=run)


def iso_datetime(value: str) -> datetime:
    """`--now` for every command: a clear message instead of a traceback."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a date-time like 2026-11-26T09:30 or 2026-11-26"
        ) from None


def run(args: argparse.Namespace) -> int:
    try:
        cache = None if args.no_index_cache else IndexCache(args.data_dir / DIRECTORY_NAME)
        parser = Parser(_catalogue(args), index_cache=cache)
    except (CatalogueError, CatalogueFetchError) as exc:
        print(exc, file=sys.stderr)
        return 1
    interactive = not args.texts and sys.stdin.isatty()
    texts: Iterable[str] = args.texts or typed_lines(interactive)
    for text in texts:
        if not text.strip():
            continue
        result = parser.parse(text, lang=args.lang, now=args.now)
        if args.json:
            print(json.dumps(result.to_json(), ensure_ascii=False), flush=True)
        else:
            print(describe(result), flush=True)
    return 0


def _catalogue(args: argparse.Namespace) -> Catalogue:
    if not args.server:
        return load_catalogue(args.catalogue)
    token = args.token or os.environ.get("KIOSK_DEVICE_TOKEN")
    if not token:
        raise CatalogueFetchError("give the kiosk's device token with --token or $KIOSK_DEVICE_TOKEN")
    version, catalogue = fetch_catalogue(args.server, token)
    print(f"catalogue version {version} from {args.server}", file=sys.stderr)
    return catalogue


def describe(result: ParseResult) -> str:
    """One readable line: intent, confidence, slots, and what else it might be."""
    intent = result.intent or ("(out of scope)" if result.out_of_scope else "(not understood)")
    parts = [f"[{result.lang}] {intent} {result.confidence:.2f}"]
    if result.slots:
        parts.append(" ".join(f"{k}={v}" for k, v in result.slots.items()))
    if result.ambiguous:
        parts.append("AMBIGUOUS")
    if result.alternatives:
        parts.append("or: " + ", ".join(f"{a.intent} {a.confidence:.2f}" for a in result.alternatives))
    return "  ".join(parts)
