"""The options every kiosk front-end shares (`chat`, `run`, `screen`), and the settings they make."""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.centre.catalogue_sync import DEFAULT_POLL_SECONDS
from kiosk.commands.parse import iso_datetime
from kiosk.settings import TOKEN_VARIABLE, KioskSettings


def add_kiosk_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", metavar="URL", help="the centre's server (default: start the demo one here)")
    parser.add_argument(
        "--token", help=f"this kiosk's device token (default: ${TOKEN_VARIABLE}; the demo token with the demo server)"
    )
    parser.add_argument(
        "--lang", choices=("zh", "en"),
        help="language of the welcome and of answers without words, such as '1948' (default: the recogniser's, "
        "else zh)",
    )  # fmt: skip
    parser.add_argument(
        "--now", type=iso_datetime, metavar="ISO-DATETIME",
        help="pretend it is this moment at the centre (for scripted tests; default: the clock)",
    )  # fmt: skip
    parser.add_argument("--data-dir", metavar="DIR", default=Path("data"), type=Path, help="data directory (./data)")
    parser.add_argument("--catalogue", metavar="FILE", type=Path, help="catalogue YAML (default: the demo centre)")
    parser.add_argument(
        "--catalogue-poll", type=float, default=DEFAULT_POLL_SECONDS, metavar="SECONDS",
        help=f"look for a newly published catalogue this often (default {DEFAULT_POLL_SECONDS:g}; 0 = never; "
        "never with --catalogue)",
    )  # fmt: skip
    parser.add_argument(
        "--no-index-cache", action="store_true",
        help="prepare the catalogue's examples at every load instead of keeping them in DATA_DIR/index-cache",
    )  # fmt: skip


def settings_from(args: argparse.Namespace, lang: str | None = None) -> KioskSettings:
    """`lang`: the language to use when --lang was not given (e.g. the recogniser's)."""
    return KioskSettings.build(
        server_url=args.server, token=args.token, data_dir=args.data_dir, catalogue_file=args.catalogue,
        catalogue_poll_s=args.catalogue_poll, lang=args.lang or lang, now=args.now,
        index_cache=False if args.no_index_cache else None,
    )  # fmt: skip
