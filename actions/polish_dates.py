"""Dates and times the way a Polish customer reads them: "w poniedziałek 30 listopada o 9:00"."""
from __future__ import annotations

from datetime import datetime

_DAYS = ["w poniedziałek", "we wtorek", "w środę", "w czwartek", "w piątek", "w sobotę", "w niedzielę"]
_MONTHS = ["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września",
           "października", "listopada", "grudnia"]


def when(moment: datetime, now: datetime) -> str:
    """Relative when it helps ("dziś o 9:00", "jutro o 9:00"), with the date otherwise."""
    clock = f"{moment.hour}:{moment.minute:02d}"
    days_ahead = (moment.date() - now.date()).days
    if days_ahead == 0:
        return f"dziś o {clock}"
    if days_ahead == 1:
        return f"jutro ({_DAYS[moment.weekday()].split(' ')[1]} {moment.day} {_MONTHS[moment.month - 1]}) o {clock}"
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} o {clock}"
