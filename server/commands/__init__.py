"""TEMP shim: the server's commands, until they move here from kiosk/*_command.py (drop when merging)."""
