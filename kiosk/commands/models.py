"""`kiosk models`: install and list the Vosk speech models this kiosk listens with.

The kiosk never downloads anything: staff copy a model zip (for Mandarin,
vosk-model-small-cn-0.22.zip from alphacephei.com/vosk/models) onto the machine and run

    kiosk models add vosk-model-small-cn-0.22.zip

The model is unpacked into the data directory and loaded once to prove it works; from
then on `kiosk run` and `kiosk transcribe` use it for its language.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from speech.errors import RecognitionError
from speech.model_store import ModelStore


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "models", help="install or list Vosk speech models", description="Vosk speech models in the data directory."
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="install a model from a .zip file or an unpacked folder")
    add.add_argument("source", type=Path, metavar="FILE.zip|DIR", help="the model as downloaded, or unpacked")
    add.add_argument("--lang", help="language it recognises (default: from its name, e.g. -cn- → zh)")
    add.add_argument("--name", help="folder name to install it under (default: the model's own)")
    add.add_argument("--replace", action="store_true", help="overwrite an installed model of the same name")
    listing = actions.add_parser("list", help="show the installed models")
    for sub in (add, listing):
        sub.add_argument(
            "--data-dir", type=Path, default=Path(os.environ.get("KIOSK_DATA_DIR") or "data"),
            help="data directory (default: $KIOSK_DATA_DIR or ./data)",
        )  # fmt: skip
    add.set_defaults(func=run_add)
    listing.set_defaults(func=run_list)


def run_add(args: argparse.Namespace) -> int:
    print(f"kiosk models: installing {args.source} (unpacking and loading it takes a while)…", file=sys.stderr)
    try:
        model = ModelStore(args.data_dir).add(args.source, lang=args.lang, name=args.name, replace=args.replace)
    except (RecognitionError, OSError) as exc:
        print(f"kiosk models: {exc}", file=sys.stderr)
        return 2
    grammar = "can be restricted to the catalogue" if model.grammar_support else "open vocabulary only (no grammar)"
    print(f"installed {model.name} ({model.lang}, {model.words} words, {grammar}) in {model.path}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    models = ModelStore(args.data_dir).installed()
    if not models:
        print(f"no Vosk models installed in {args.data_dir}; the kiosk listens with PocketSphinx (English)")
        return 0
    for model in models:
        grammar = "grammar" if model.grammar_support else "no grammar"
        print(f"{model.name}\t{model.lang}\t{model.words} words\t{grammar}\tinstalled {model.installed_at}")
    return 0
