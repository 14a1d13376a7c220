"""`kiosk serve` / `kiosk-server serve`: run the community server (FastAPI + SQLite or PostgreSQL).

The settings are built once here from the options and the environment (server/settings.py)
and handed to the app factory as an object. The schema is migrated and the demo seeded
here, once, before any worker serves a request.
"""

from __future__ import annotations

import argparse
import os
import sys

from server.commands.database import command_settings, option_variables

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the community server",
        description="Run the community server the kiosks talk to. Settings may also come from "
        "KIOSK_DATABASE_URL, KIOSK_DATA_DIR, KIOSK_TIMEZONE, KIOSK_CATALOGUE (see docs/server.md).",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--db", metavar="URL", help="database URL, e.g. postgresql://user@host/kiosk (default: SQLite in the data dir)"
    )
    parser.add_argument("--data-dir", metavar="DIR", help="data directory (default ./data)")
    parser.add_argument(
        "--demo", action="store_true", help="fill an empty database with the demo centre and print its tokens"
    )
    parser.add_argument("--catalogue", metavar="FILE", help="catalogue YAML for --demo (default: the demo one)")
    parser.add_argument(
        "--new-device",
        metavar="NAME",
        help="register a kiosk, print its token once, and exit (the token cannot be shown again)",
    )
    parser.add_argument("--staff", action="store_true", help="with --new-device: a staff desk, not a kiosk")
    parser.add_argument(
        "--workers", type=int, default=1, help="uvicorn worker processes (default 1; 2 on a 2-core machine)"
    )
    parser.add_argument("--access-log", action="store_true", help="log every request (slower)")
    parser.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    parser.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    # Imported here so `kiosk parse` and friends never pay for FastAPI and SQLAlchemy.
    import uvicorn
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from intents import CatalogueError, load_catalogue
    from server.db.database import Database
    from server.db.demo_data import seed_demo
    from server.db.migrate import upgrade_to_head
    from server.errors import DatabaseBusy, DatabaseUnavailable, SettingsError
    from server.identity.devices import add_device

    try:
        settings = command_settings(args)
        database = Database(settings.database_url)
        try:
            upgrade_to_head(database)
            if args.new_device:
                with database.write() as conn:
                    token = add_device(conn, args.new_device, "staff" if args.staff else "kiosk")
                print(f"device {args.new_device!r} registered; its token (shown only now): {token}")
                return 0
            if args.demo:
                catalogue = load_catalogue(settings.catalogue_path)
                for line in seed_demo(database, settings, catalogue).lines():
                    print(line, flush=True)
        finally:
            database.dispose()
    except (SettingsError, CatalogueError) as exc:
        print(f"kiosk serve: {exc}", file=sys.stderr)
        return 2
    except (OperationalError, DatabaseBusy, DatabaseUnavailable) as exc:
        cause = exc.__cause__ if isinstance(exc.__cause__, OperationalError) else exc
        reason = cause.orig if isinstance(cause, OperationalError) else cause
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        print(f"kiosk serve: cannot use the database {where}: {reason}", file=sys.stderr)
        return 2

    where = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"kiosk serve: {where} on http://{args.host}:{args.port}", flush=True)
    options = {"host": args.host, "port": args.port, "access_log": args.access_log, "log_level": args.log_level}
    if args.workers == 1:
        from server.main import create_app

        uvicorn.run(create_app(settings), **options)
    else:
        worker_environment(args)
        uvicorn.run("server.main:create_app", factory=True, workers=args.workers, **options)
    return 0


def worker_environment(args: argparse.Namespace) -> None:
    """The one place a command writes settings into the environment.

    With several workers uvicorn starts fresh processes that import the app by name
    (`server.main:create_app`); no settings object can be handed to them, so each one
    builds its settings from the environment (server/settings.py). The options given on
    the command line go there, so every worker reads the same settings as this process.

    Also `UV_TCP_SINGLE_ACCEPT`, for the workers' event loop (uvloop's libuv): the workers
    share one listening socket, and a worker woken by new connections otherwise accepts
    every one waiting. Kiosks reconnecting together (a server restart, the load bench's
    clients) all landed on one worker and stayed there on keep-alive: 15 of 16
    connections, one core used of two (bench/booking_load.py, issue #11). Accepting one
    at a time lets the other worker take its share.
    """
    os.environ.update(option_variables(args))
    os.environ.setdefault("UV_TCP_SINGLE_ACCEPT", "1")
