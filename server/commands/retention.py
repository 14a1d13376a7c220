"""`kiosk retention run --older-than DAYS`: remove or anonymise old personal data.

Appointments older than the period keep their service, time and status (every count stays
the same) but lose who they belonged to; see server/privacy/retention.py for the whole list. Run it
daily from cron or a systemd timer, e.g. `kiosk retention run --older-than 365`.
"""

from __future__ import annotations

import argparse
import sys

from server.commands.database import add_database_options, open_server_database


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("retention", help="remove or anonymise personal data past the retention period")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    run = actions.add_parser("run", help="run the retention job once")
    run.add_argument(
        "--older-than", type=int, required=True, metavar="DAYS", help="remove personal data older than this"
    )
    run.add_argument("--batch-rows", type=int, default=500, metavar="N",
                     help="rows changed per transaction (default 500)")  # fmt: skip
    add_database_options(run)
    run.set_defaults(func=run_retention_job)


def run_retention_job(args: argparse.Namespace) -> int:
    from server.privacy.retention import RetentionPeriodInvalid, run_retention

    _settings, database = open_server_database(args)
    try:
        report = run_retention(database, args.older_than, batch_rows=args.batch_rows)
    except RetentionPeriodInvalid as exc:
        print(f"kiosk retention: {exc}", file=sys.stderr)
        return 2
    finally:
        database.dispose()
    print(f"retention: personal data before {report.cutoff:%Y-%m-%d %H:%M} UTC")
    for line in report.lines()[1:]:
        print(f"  {line}")
    return 0
