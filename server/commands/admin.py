"""`kiosk admin`: staff console accounts from the command line (the first admin, a lost password).

    kiosk admin create USERNAME [--role admin]     # prompts for the password twice
    echo "$PASSWORD" | kiosk admin create anna     # or reads one line from stdin
    kiosk admin password USERNAME                  # set a new password, unlock, end sessions

The database is the server's (`--db`, `--data-dir`, or KIOSK_DATABASE_URL / KIOSK_DATA_DIR,
as for `kiosk serve`), migrated first if needed. Each change is in the audit log as "system".
"""

from __future__ import annotations

import argparse
import getpass
import sys

from server.commands.database import add_database_options, command_settings, open_database


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("admin", help="create staff console accounts, reset passwords")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create an account (the first admin, for instance)")
    create.add_argument("username", help="2-60 lower-case letters, digits, '.', '_' or '-'")
    create.add_argument("--role", choices=("staff", "admin"), default="staff", help="default: staff")
    add_database_options(create, "data directory")
    create.set_defaults(func=run_create)
    password = actions.add_parser("password", help="set a new password for an account (also unlocks it)")
    password.add_argument("username")
    add_database_options(password, "data directory")
    password.set_defaults(func=run_password)


def _read_password() -> str:
    """Twice at a terminal (no echo); one line from a pipe, for scripts."""
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("password again: ") != first:
            raise ValueError("the two passwords differ")
        return first
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _database(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    return open_database(command_settings(args))


def run_create(args: argparse.Namespace) -> int:
    from server.console.accounts import AccountError, create_account
    from server.errors import SettingsError

    try:
        password = _read_password()
        database = _database(args)
    except (ValueError, SettingsError) as exc:
        print(f"kiosk admin: {exc}", file=sys.stderr)
        return 2
    try:
        with database.write() as conn:
            member = create_account(conn, args.username, password, args.role, actor="system")
    except AccountError as exc:
        print(f"kiosk admin: {exc}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"account {member.username!r} ({member.role}) created; sign in at /staff/login")
    return 0


def run_password(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from server.console.accounts import AccountError, normalise_username, set_password
    from server.db.models import StaffAccount
    from server.errors import SettingsError

    try:
        password = _read_password()
        database = _database(args)
    except (ValueError, SettingsError) as exc:
        print(f"kiosk admin: {exc}", file=sys.stderr)
        return 2
    accounts = StaffAccount.__table__
    try:
        with database.write() as conn:
            account_id = conn.scalar(
                select(accounts.c.id).where(accounts.c.username == normalise_username(args.username))
            )
            if account_id is None:
                raise AccountError(f"there is no account named {args.username!r}")
            set_password(conn, account_id, password, actor="system")
    except AccountError as exc:
        print(f"kiosk admin: {exc}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"new password set for {args.username!r}; the account is unlocked and its sessions ended")
    return 0
