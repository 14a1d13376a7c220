"""Time as the centre lives it: residents say "明天九点" in local time, the database keeps UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    return datetime.now(UTC)


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The aware UTC instant of a local wall-clock time on a local date."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def local_today(zone: ZoneInfo) -> date:
    return datetime.now(zone).date()
