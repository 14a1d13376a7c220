"""The kiosk's own errors, one family: each message says what a staff member should fix.

Front-ends catch `KioskError` to print the message and exit; the dialogue never lets one
reach a resident (it answers in their language instead).
"""

from __future__ import annotations


class KioskError(Exception):
    """Something the kiosk cannot do until a person fixes it (a file, a setting, the server)."""
