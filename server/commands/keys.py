"""`kiosk keys`: the keys that encrypt residents' and family members' names and phones.

    kiosk keys status     # key ids (never the keys), and how many fields each one encrypts
    kiosk keys rotate     # a new key encrypts from now on; every stored field is re-encrypted
                          # (in batches; if stopped half-way, running it again finishes)
    kiosk keys retire     # drop the old keys, once no field needs them any more

With the key file (`personal-data.keys` in the data directory) `rotate` writes the new key
first and keeps the old ones, so a running server reads every row throughout: it notices
the changed file within seconds. With KIOSK_DATA_KEYS the operator puts the new key first
in the variable (keeping the old ones after it), restarts the servers, and runs `rotate`,
which then re-encrypts under the first key listed. See docs/family.md.
"""

from __future__ import annotations

import argparse
import sys

from server.commands.database import add_database_options, open_server_database


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("keys", help="show, rotate or retire the personal-data encryption keys")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, help_text, func in (
        ("status", "which keys exist and how many stored fields each encrypts", run_status),
        ("rotate", "encrypt everything under a new key (the old keys stay until retired)", run_rotate),
        ("retire", "remove the old keys once no stored field uses them", run_retire),
    ):
        action = actions.add_parser(name, help=help_text)
        add_database_options(action)
        action.set_defaults(func=func)
        if name == "rotate":
            action.add_argument("--batch-rows", type=int, default=200, metavar="N",
                                help="rows re-encrypted per transaction (default 200)")  # fmt: skip


def run_status(args: argparse.Namespace) -> int:
    from server.privacy.personal_data import key_usage

    settings, database = open_server_database(args)
    try:
        with database.read() as conn:
            usage = key_usage(conn)
    finally:
        database.dispose()
    keys = settings.data_keys
    print(f"keys from {keys.path or 'KIOSK_DATA_KEYS'}:")
    for position, key in enumerate(keys.keys):
        role = "encrypts and decrypts" if position == 0 else "decrypts only (old)"
        print(f"  {key.id}  {role}: {usage.get(key.id, 0)} fields")
    unknown = {k: v for k, v in usage.items() if k not in {key.id for key in keys.keys}}
    for key_id, count in sorted(unknown.items()):
        print(f"  {key_id}  {'NOT ENCRYPTED' if key_id == 'clear' else 'MISSING KEY'}: {count} fields")
    return 1 if unknown else 0


def run_rotate(args: argparse.Namespace) -> int:
    from server.privacy.field_crypto import DataKey, write_key_file
    from server.privacy.personal_data import key_usage, reencrypt_all

    settings, database = open_server_database(args)
    keys = settings.data_keys
    try:
        with database.read() as conn:
            behind = {k: v for k, v in key_usage(conn).items() if k not in (keys.primary.id, "clear")}
        if keys.path is not None and behind and len(keys.keys) > 1:
            # A rotation that was stopped half-way: finish it rather than add yet another key.
            print(f"finishing the interrupted rotation to key {keys.primary.id} "
                  f"({sum(behind.values())} fields still under older keys)")  # fmt: skip
        elif keys.path is not None:
            new_key = DataKey.generate()
            write_key_file(keys.path, [new_key, *keys.keys])
            keys.refresh(force=True)
            print(f"new key {new_key.id} added to {keys.path} (the old keys stay until `kiosk keys retire`)")
        report = reencrypt_all(database, keys, batch_rows=args.batch_rows)
    finally:
        database.dispose()
    print(f"re-encrypted the names and phones of {report.rows} rows under key {report.key_id}")
    print("when every server has picked up the new key (a few seconds), run `kiosk keys retire`")
    return 0


def run_retire(args: argparse.Namespace) -> int:
    from server.privacy.field_crypto import write_key_file
    from server.privacy.personal_data import key_usage

    settings, database = open_server_database(args)
    keys = settings.data_keys
    try:
        with database.read() as conn:
            usage = key_usage(conn)
    finally:
        database.dispose()
    others = {k: v for k, v in usage.items() if k != keys.primary.id}
    if others:
        listed = ", ".join(f"{k}: {v}" for k, v in sorted(others.items()))
        print(f"kiosk keys: not retiring: fields still need other keys ({listed}); run `kiosk keys rotate`",
              file=sys.stderr)  # fmt: skip
        return 1
    old = [k.id for k in keys.keys[1:]]
    if keys.path is None:
        print(f"every field uses key {keys.primary.id}; remove the other keys from KIOSK_DATA_KEYS yourself")
        return 0
    write_key_file(keys.path, [keys.primary])
    print(f"retired {', '.join(old) if old else 'no keys'}; {keys.path} now holds only {keys.primary.id}")
    return 0
