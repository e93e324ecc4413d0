"""When a course's check-ins fall due (docs/clinician.md, "The check-in schedule").

The schedule is a rule over the course's own fields, so it is worked out, not stored in
advance: the baseline on the start day; one check-in every ``every_days`` after it while the
course is active (none on or after the day it ended); one at the end of a completed or
stopped course (a transferred course is followed up by the service it went to); and, after a
*completed* course, one a month for ``maintenance_months`` months, watching for relapse.
Only check-ins due on or before ``today`` are returned: a check-in exists, and its invitation
goes out, on the day it falls due.

Only the latest check-in of a course can still be answered: an earlier one not done by then
is *missed* (``open_index``), so a patient never gets two questionnaires at once and every
answer belongs to the week it describes.

Pure: no Flask, no database.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

#: The clinic-wide defaults (settings ``course.checkin_every_days``,
#: ``course.maintenance_months``): weekly, and six monthly follow-ups.
DEFAULT_EVERY_DAYS = 7
DEFAULT_MAINTENANCE_MONTHS = 6
ENDING_WITH_CHECKIN = ("completed", "stopped_early")


@dataclass(frozen=True)
class Due:
    kind: str
    due_on: date


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_checkins(
    *,
    start: date,
    every_days: int,
    status: str,
    ended_on: date | None,
    maintenance_months: int,
    today: date,
) -> list[Due]:
    """Every check-in of the course due on or before ``today``, in date order."""
    if every_days < 1:
        raise ValueError("every_days must be at least 1")
    out = [Due("baseline", start)] if start <= today else []
    last_interval = today if ended_on is None else min(today, ended_on - timedelta(days=1))
    day = start + timedelta(days=every_days)
    while day <= last_interval:
        out.append(Due("interval", day))
        day += timedelta(days=every_days)
    if ended_on is not None and status in ENDING_WITH_CHECKIN and ended_on <= today:
        out.append(Due("end", ended_on))
    if ended_on is not None and status == "completed":
        for month in range(1, maintenance_months + 1):
            follow_up = add_months(ended_on, month)
            if follow_up <= today:
                out.append(Due("maintenance", follow_up))
    return out


def open_index(completed: Sequence[bool]) -> int | None:
    """Which check-in (by position in date order) can still be answered: the latest, if it is
    not done; ``completed`` says, for each check-in in order, whether it is."""
    if not completed or completed[-1]:
        return None
    return len(completed) - 1
