"""Office hours: Monday–Friday 09:00–17:00 Europe/Warsaw, closed on Polish
public holidays and on extra dates from configuration."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

WARSAW = ZoneInfo("Europe/Warsaw")
OPENS, CLOSES = time(9, 0), time(17, 0)
HOURS_TEXT = "poniedziałek–piątek 09:00–17:00 (bez świąt)"


class OfficeHours:
    def __init__(self, extra_closed: Iterable[str] = ()):
        self._extra_closed = {date.fromisoformat(d) for d in extra_closed}
        self._holidays = holidays.country_holidays("PL")

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays and day not in self._extra_closed

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(WARSAW)
        return self.is_working_day(local.date()) and OPENS <= local.time() < CLOSES

    def next_opening(self, moment: datetime) -> datetime:
        """The next moment staff start work: `moment` itself when open now."""
        if self.is_open(moment):
            return moment
        local = moment.astimezone(WARSAW)
        day = local.date()
        if self.is_working_day(day) and local.time() < OPENS:
            return datetime.combine(day, OPENS, WARSAW)
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, OPENS, WARSAW)
