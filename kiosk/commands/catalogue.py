"""`kiosk catalogue check FILE`: let staff validate a catalogue before it goes live."""

from __future__ import annotations

import argparse
import sys

from intents import CatalogueError, load_catalogue


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("catalogue", help="check a catalogue file")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser("check", help="validate a catalogue file and list every problem")
    check.add_argument("file", nargs="?", help="catalogue YAML (default: the demo catalogue)")
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    try:
        catalogue = load_catalogue(args.file)
    except CatalogueError as exc:
        print(exc, file=sys.stderr)
        return 1
    examples = sum(len(v) for i in catalogue.intents for v in i.examples.values())
    print(
        f"{catalogue.source}: OK — {len(catalogue.intents)} intents, {examples} examples, "
        f"{len(catalogue.services)} services, {len(catalogue.hotlines)} hotlines"
    )
    return 0
