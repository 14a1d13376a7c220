"""TEMP shim: `kiosk retention` still lives in kiosk/retention_command.py (drop when merging)."""

from kiosk.retention_command import register

__all__ = ["register"]
