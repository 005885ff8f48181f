"""When people answer: now open or not, and the next opening (Warsaw time)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from ...office_hours import HOURS_TEXT, WARSAW
from ..deps import ServicesDep, assistant
from ..errors import answers
from ..schemas import OfficeHoursAnswer

router = APIRouter(prefix="/api/v1/office-hours", tags=["office hours"], dependencies=[Depends(assistant)])


@router.get("", response_model=OfficeHoursAnswer, responses=answers(403))
def office_hours(services: ServicesDep) -> dict[str, Any]:
    now = services.clock.now()
    return {"open_now": services.hours.is_open(now), "now": now.astimezone(WARSAW).isoformat(),
            "next_opening": services.hours.next_opening(now).astimezone(WARSAW).isoformat(),
            "timezone": "Europe/Warsaw", "hours_text": HOURS_TEXT}
