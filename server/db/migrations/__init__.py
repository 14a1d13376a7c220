"""Alembic migrations, shipped inside the package and run by `kiosk serve` on start."""
