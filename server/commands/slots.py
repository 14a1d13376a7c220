"""`kiosk slots extend`: create the missing slots of every bookable service up to the horizon.

The running server does this itself at start and every hour (server/booking/slot_horizon.py);
the command is for staff who change booking hours and want the slots now, or for a
horizon longer than the server's (`--days 60`).
"""

from __future__ import annotations

import argparse

from server.commands.database import add_database_options, open_server_database


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("slots", help="extend the bookable services' time slots")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    extend = actions.add_parser("extend", help="create missing slots up to the horizon (never touches booked ones)")
    extend.add_argument("--days", type=int, metavar="N", help="days ahead, today included (default: the server's)")
    add_database_options(extend)
    extend.set_defaults(func=run_extend)


def run_extend(args: argparse.Namespace) -> int:
    from server.booking.slot_horizon import extend_slots

    settings, database = open_server_database(args)
    days = args.days or settings.slot_horizon_days
    try:
        added = extend_slots(database, settings.timezone, days)
    finally:
        database.dispose()
    print(f"slots: added {added}; every bookable service now has slots {days} days ahead")
    return 0
