"""The clinic's clock, without Flask: open now or when it opens next, and what the patient's
confirmation promises. Every expectation is written out in the tables here."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from intake.clinic import (
    Availability,
    DayHours,
    Holiday,
    InvalidSetting,
    availability,
    clean_hours,
    clean_time_zone,
    day_hours,
    follow_up,
    parse_holiday_lines,
)

NEW_YORK = ZoneInfo("America/New_York")
NINE_TO_FIVE = DayHours(time(9, 0), time(17, 0))
#: Monday to Thursday 9-5, Friday 9-1, closed at the weekend.
WEEK = (
    NINE_TO_FIVE,
    NINE_TO_FIVE,
    NINE_TO_FIVE,
    NINE_TO_FIVE,
    DayHours(time(9, 0), time(13, 0)),
    None,
    None,
)
#: Thursday 26 and Friday 27 November 2026.
THANKSGIVING = (Holiday(date(2026, 11, 26), "Thanksgiving"), Holiday(date(2026, 11, 27)))
#: 24 December 2026 to 1 January 2027 (a Friday).
CHRISTMAS_WEEK = (*(Holiday(date(2026, 12, d)) for d in range(24, 32)), Holiday(date(2027, 1, 1)))


def ny(*args: int) -> datetime:
    """A New York wall-clock time, as a UTC moment (what the app holds)."""
    return datetime(*args, tzinfo=NEW_YORK).astimezone(UTC)  # type: ignore[misc]


#: (now, holidays, state, next opening in New York or None, the words for it)
CASES = [
    # Wednesday 2 December 2026, 10:00: open.
    (ny(2026, 12, 2, 10, 0), (), "open", None, ""),
    # The opening minute is open; the closing minute is not.
    (ny(2026, 12, 2, 9, 0), (), "open", None, ""),
    (ny(2026, 12, 2, 17, 0), (), "closed", (2026, 12, 3, 9, 0), "tomorrow morning at 9:00 AM"),
    # Before opening: later the same day.
    (ny(2026, 12, 2, 7, 30), (), "closed", (2026, 12, 2, 9, 0), "this morning at 9:00 AM"),
    # Friday after 1 PM, Saturday, Sunday: Monday morning.
    (ny(2026, 12, 4, 14, 0), (), "closed", (2026, 12, 7, 9, 0), "on Monday morning at 9:00 AM"),
    (ny(2026, 12, 5, 11, 0), (), "closed", (2026, 12, 7, 9, 0), "on Monday morning at 9:00 AM"),
    (ny(2026, 12, 6, 23, 59), (), "closed", (2026, 12, 7, 9, 0), "tomorrow morning at 9:00 AM"),
    # Late Sunday in New York is already Monday in UTC: still closed until 9.
    (ny(2026, 12, 6, 22, 0), (), "closed", (2026, 12, 7, 9, 0), "tomorrow morning at 9:00 AM"),
    # A holiday is closed all day; the next working day is named.
    (
        ny(2026, 11, 26, 10, 0),
        THANKSGIVING,
        "closed",
        (2026, 11, 30, 9, 0),
        "on Monday morning at 9:00 AM",
    ),
    (
        ny(2026, 11, 25, 18, 0),
        THANKSGIVING,
        "closed",
        (2026, 11, 30, 9, 0),
        "on Monday morning at 9:00 AM",
    ),
    # A week and more away: the date is given.
    (
        ny(2026, 12, 23, 18, 0),
        CHRISTMAS_WEEK,
        "closed",
        (2027, 1, 4, 9, 0),
        "on Monday, January 4 at 9:00 AM",
    ),
    # Across the spring change of clocks: Monday 9:00 is EDT.
    (ny(2026, 3, 7, 12, 0), (), "closed", (2026, 3, 9, 9, 0), "on Monday morning at 9:00 AM"),
]


@pytest.mark.parametrize(("now", "holidays", "state", "opens", "words"), CASES)
def test_open_now_or_the_next_opening(
    now: datetime,
    holidays: tuple[Holiday, ...],
    state: str,
    opens: tuple[int, ...] | None,
    words: str,
) -> None:
    found = availability(WEEK, holidays, NEW_YORK, now)
    assert found.state == state
    if opens is None:
        assert found.opens_at is None
    else:
        assert found.opens_at == datetime(*opens, tzinfo=NEW_YORK)  # type: ignore[misc]
        assert found.opens_at.utcoffset() == datetime(*opens, tzinfo=NEW_YORK).utcoffset()  # type: ignore[misc]
    assert found.next_opening_words == words


def test_an_afternoon_opening_is_named_so() -> None:
    week = (None, DayHours(time(13, 30), time(19, 0)), None, None, None, None, None)
    found = availability(week, (), NEW_YORK, ny(2026, 12, 7, 10, 0))  # a Monday
    assert found.next_opening_words == "tomorrow afternoon at 1:30 PM"


@pytest.mark.parametrize(
    "hours",
    [None, (None,) * 7],
)
def test_no_hours_is_unknown(hours: tuple[DayHours | None, ...] | None) -> None:
    found = availability(hours, (), NEW_YORK, ny(2026, 12, 2, 10, 0))
    assert found.state == "unknown" and found.next_opening_words == ""


def test_closed_for_more_than_a_year_promises_nothing() -> None:
    every_day = tuple(
        Holiday(date.fromordinal(date(2026, 12, 2).toordinal() + n)) for n in range(400)
    )
    assert availability(WEEK, every_day, NEW_YORK, ny(2026, 12, 2, 10, 0)).state == "unknown"


def test_now_must_carry_its_zone() -> None:
    with pytest.raises(ValueError):
        availability(WEEK, (), NEW_YORK, datetime(2026, 12, 2, 10, 0))


OPEN = Availability("open")
CLOSED = availability(WEEK, (), NEW_YORK, ny(2026, 12, 5, 11, 0))  # Saturday
UNKNOWN = Availability("unknown")
HELP = (
    "Until then, if you need help, call or text 988 (free, 24 hours a day), or call 911 in an "
    "emergency."
)

#: (clinic, urgent, agrees to contact, preferred contact, phone) → (read, contact, meantime)
PROMISES = [
    (OPEN, True, True, "phone", "", ("today", "Someone from the clinic will call you today.", "")),
    (OPEN, True, True, "text", "", ("today", "Someone from the clinic will text you today.", "")),
    (
        CLOSED,
        True,
        True,
        "phone",
        "",
        (
            "when the clinic opens, on Monday morning at 9:00 AM",
            "The clinic is closed now. We open again on Monday morning at 9:00 AM and will call "
            "you then.",
            HELP,
        ),
    ),
    (
        CLOSED,
        True,
        True,
        "email",
        "",
        (
            "when the clinic opens, on Monday morning at 9:00 AM",
            "The clinic is closed now. We open again on Monday morning at 9:00 AM and will email "
            "you then.",
            HELP,
        ),
    ),
    (
        UNKNOWN,
        True,
        True,
        "phone",
        "",
        ("as soon as they can", "Someone from the clinic will call you.", HELP),
    ),
    (
        OPEN,
        False,
        True,
        "phone",
        "",
        (
            "within 2 working days",
            "We will call you to talk about next steps and, if it fits, book a visit with a "
            "clinician.",
            "",
        ),
    ),
    (
        CLOSED,
        True,
        False,
        "phone",
        "503-555-0100",
        (
            "when the clinic opens, on Monday morning at 9:00 AM",
            "You did not ask us to contact you, so we will not call you. If you would like to "
            "talk about your answers or next steps, please call the clinic at 503-555-0100. The "
            "clinic is closed now and opens again on Monday morning at 9:00 AM.",
            HELP,
        ),
    ),
    (
        OPEN,
        False,
        False,
        "email",
        "",
        (
            "within 2 working days",
            "You did not ask us to contact you, so we will not email you. If you would like to "
            "talk about your answers or next steps, please call the clinic. The clinic is open "
            "now.",
            HELP,
        ),
    ),
    (
        UNKNOWN,
        True,
        False,
        "phone",
        "503-555-0100",
        (
            "as soon as they can",
            "You did not ask us to contact you, so we will not call you. If you would like to "
            "talk about your answers or next steps, please call the clinic at 503-555-0100.",
            HELP,
        ),
    ),
]


@pytest.mark.parametrize(("when", "urgent", "agrees", "how", "phone", "expected"), PROMISES)
def test_what_the_patient_is_promised(
    when: Availability,
    urgent: bool,
    agrees: bool,
    how: str,
    phone: str,
    expected: tuple[str, str, str],
) -> None:
    said = follow_up(
        when, urgent=urgent, agrees_to_contact=agrees, preferred_contact=how, phone=phone
    )
    assert (said.read, said.contact, said.meantime) == expected


def test_without_a_phone_the_address_is_given() -> None:
    said = follow_up(
        UNKNOWN,
        urgent=False,
        agrees_to_contact=False,
        preferred_contact="phone",
        address="12 River Road\nPortland, OR 97201",
    )
    assert "please call or visit the clinic (12 River Road, Portland, OR 97201)." in said.contact


# The validators the admin page and the stored values share --------------------------------


def test_time_zones_are_iana_names() -> None:
    assert clean_time_zone(" America/New_York ") == "America/New_York"
    for bad in ("America/Nowhere", "", "Mars/Olympus", "New York"):
        with pytest.raises(InvalidSetting):
            clean_time_zone(bad)
    with pytest.raises(InvalidSetting, match="did you mean Europe/London"):
        clean_time_zone("europe/london")


@pytest.mark.parametrize(
    ("opens", "closes", "part"),
    [
        ("9:00", "17:00", "opens"),
        ("09:00", "", "closes"),
        ("", "17:00", "opens"),
        ("17:00", "09:00", "closes"),
        ("09:00", "09:00", "closes"),
        ("09:00", "24:00", "closes"),
    ],
)
def test_a_day_that_cannot_be(opens: str, closes: str, part: str) -> None:
    with pytest.raises(InvalidSetting) as refused:
        day_hours(opens, closes)
    assert refused.value.part == part


def test_a_day_from_a_browser_time_field() -> None:
    assert day_hours("08:30", "17:00:00") == DayHours(time(8, 30), time(17, 0))
    assert day_hours(" ", "") is None


def test_stored_hours_must_name_every_weekday() -> None:
    with pytest.raises(TypeError):
        clean_hours({"monday": ["09:00", "17:00"]})


def test_holiday_lines() -> None:
    assert parse_holiday_lines("2026-12-25 Christmas Day\n\n2026-01-01\n") == (
        Holiday(date(2026, 1, 1), ""),
        Holiday(date(2026, 12, 25), "Christmas Day"),
    )
    with pytest.raises(InvalidSetting, match="Line 1"):
        parse_holiday_lines("Dec 25 Christmas")
