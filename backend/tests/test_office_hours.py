from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from recovery_backend.office_hours import OfficeHours

WARSAW = ZoneInfo("Europe/Warsaw")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("moment, is_open, next_opening", [
    ("2026-11-24T09:00:00+01:00", True, "2026-11-24T09:00:00+01:00"),
    ("2026-11-24T08:59:59+01:00", False, "2026-11-24T09:00:00+01:00"),
    ("2026-11-24T17:00:00+01:00", False, "2026-11-25T09:00:00+01:00"),
    ("2026-11-27T18:30:00+01:00", False, "2026-11-30T09:00:00+01:00"),   # Friday evening → Monday
    ("2026-11-11T10:00:00+01:00", False, "2026-11-12T09:00:00+01:00"),   # Independence Day
    ("2026-12-24T10:00:00+01:00", False, "2026-12-28T09:00:00+01:00"),   # Christmas Eve, then the holidays
    ("2026-03-27T17:30:00+01:00", False, "2026-03-30T09:00:00+02:00"),   # over the spring DST change
    ("2026-11-24T08:30:00+00:00", True, "2026-11-24T09:30:00+01:00"),    # UTC input, Warsaw hours
])
def test_open_and_next_opening(moment, is_open, next_opening):
    hours = OfficeHours()
    assert hours.is_open(at(moment)) is is_open
    assert hours.next_opening(at(moment)) == at(next_opening)


def test_extra_closed_dates_from_configuration():
    hours = OfficeHours(["2026-11-25"])
    assert hours.next_opening(at("2026-11-24T18:00:00+01:00")) == at("2026-11-26T09:00:00+01:00")
