"""One parser of opening periods: the catalogue file and the console's hour fields agree, 24:00 too."""

from __future__ import annotations

import pytest

from intents import CatalogueError, demo_catalogue_path, parse_catalogue, parse_period
from server.catalogue.content_editing import ContentError, parse_periods
from server.catalogue.importer import opening_hours_json

DEMO_PERIODS = 'periods: ["08:30-12:00", "13:30-17:00"]'


def catalogue_periods(periods: str) -> list[list[str]]:
    """The first service's opening periods as the catalogue import stores them."""
    text = demo_catalogue_path().read_text(encoding="utf-8")
    assert DEMO_PERIODS in text
    catalogue = parse_catalogue(text.replace(DEMO_PERIODS, f"periods: [{periods}]", 1), "test")
    changed = [s for s in catalogue.services if opening_hours_json(s.hours)["periods"][-1][0] == "20:00"]
    assert len(changed) == 1
    return opening_hours_json(changed[0].hours)["periods"]


def test_24_00_ends_the_day_in_the_catalogue_and_on_the_console() -> None:
    from_catalogue = catalogue_periods('"08:30-12:00", "20:00-24:00"')
    from_console = parse_periods("08:30-12:00, 20:00-24:00", "hours")
    assert from_catalogue == from_console == [["08:30", "12:00"], ["20:00", "23:59"]]


@pytest.mark.parametrize("period", ["20:00-24:01", "20:00-24:30", "24:00-24:00", "20:00-20:00", "21:00-20:00"])
def test_past_midnight_or_backwards_is_refused_by_both(period: str) -> None:
    assert parse_period(period) is None
    with pytest.raises(CatalogueError):
        catalogue_periods(f'"08:30-12:00", "{period}"')
    with pytest.raises(ContentError):
        parse_periods(f"08:30-12:00, {period}", "hours")
