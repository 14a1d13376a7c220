"""The server's administration commands, one module each: `serve`, `admin`, `keys`, `retention`.

Each module has `register(subparsers)`, which adds its sub-command and sets `func` on its
parser; `server.cli` (the `kiosk-server` command) and `kiosk.cli` (the `kiosk` command)
both build their parsers from them. `database` opens the server's database for them.
"""
