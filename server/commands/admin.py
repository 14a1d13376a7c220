"""TEMP shim: `kiosk admin` still lives in kiosk/admin_command.py (drop when merging)."""

from kiosk.admin_command import register

__all__ = ["register"]
