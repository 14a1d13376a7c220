"""The community server: the centre's data behind an HTTP API for its kiosks.

FastAPI + SQLAlchemy 2 + Alembic, on SQLite (default) or PostgreSQL; knows nothing of
audio. Start it with `kiosk serve` (or `kiosk-server serve`); see docs/server.md#layout for the packages.
"""
