"""TEMP shim: `kiosk keys` still lives in kiosk/keys_command.py (drop when merging)."""

from kiosk.keys_command import register

__all__ = ["register"]
