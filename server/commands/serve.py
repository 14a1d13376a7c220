"""TEMP shim: `kiosk serve` still lives in kiosk/serve_command.py (drop when merging)."""

from kiosk.serve_command import register

__all__ = ["register"]
