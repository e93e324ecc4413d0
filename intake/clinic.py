"""The clinic's profile and clock, with no Flask and no database.

What an admin sets on ``/admin/settings`` (name, phone, address, time zone, opening hours,
holidays) is validated here, once: the settings service parses every stored value with these
functions and the admin form's validators call the same ones. ``format_time`` is the one place
a stored (UTC) time is written for people, in the clinic's zone with the zone's abbreviation;
``availability`` says whether the clinic is open at a moment and, if not, when it opens next
(what the patient's confirmation page promises).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale

from intake import billing, formats
from intake.answers import is_valid_phone
from intake.text import FORM_MESSAGES, text_fault

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_TIME_ZONE = "UTC"
NAME_MAX = 100
LEGAL_NAME_MAX = 200
PHONE_MAX = 40
ADDRESS_MAX = 300
HOLIDAY_NAME_MAX = 100
#: How far ahead a next opening is looked for (a clinic closed longer has no promised time).
LOOKAHEAD_DAYS = 366

_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::00)?")


class Say(Protocol):
    """How a patient-facing sentence is worded: ``say(msgid, **params)``, as Flask-Babel's
    ``gettext`` (the patient views pass it, for the patient's language) or ``english``."""

    def __call__(self, string: str, /, **params: Any) -> str: ...


def english(string: str, /, **params: Any) -> str:
    """The sentence as written here (English), with its ``%(name)s`` parameters filled in."""
    return string % params if params else string


def N_(string: str) -> str:
    """Mark a text for the patient side's catalogue (``pybabel extract -k N_``); it is worded
    later with ``say``."""
    return string


DAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
MONTH_NAMES = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


class InvalidSetting(ValueError):
    """A value a setting cannot take; ``str(error)`` is a message for the admin. ``part``
    names the part of a composite value it is about (a weekday's ``opens`` or ``closes``)."""

    def __init__(self, message: str, part: str = "") -> None:
        super().__init__(message)
        self.part = part


@dataclass(frozen=True)
class DayHours:
    """Opening hours of one weekday: open from ``opens`` until ``closes`` (same day)."""

    opens: time
    closes: time


#: Hours by weekday, Monday first; None is a day the clinic is closed.
WeeklyHours = tuple[DayHours | None, ...]


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str = ""


@dataclass(frozen=True)
class ClinicProfile:
    """What the app knows of the clinic; every field has a safe default (nothing set)."""

    name: str = ""
    phone: str = ""
    address: str = ""
    time_zone: str = DEFAULT_TIME_ZONE
    #: None: no hours were given (patients get no promise of a time).
    hours: WeeklyHours | None = None
    holidays: tuple[Holiday, ...] = field(default=())

    @property
    def zone(self) -> ZoneInfo:
        return zone_named(self.time_zone)

    @property
    def phone_uri(self) -> str:
        """``tel:`` and the digits of the phone (with a leading ``+`` if it has one)."""
        digits = re.sub(r"\D", "", self.phone)
        return f"tel:{'+' if self.phone.strip().startswith('+') else ''}{digits}"


# Validation: JSON (or typed text) in, typed values out ------------------------------------


def clean_text(value: object, *, max_length: int, multiline: bool = False) -> str:
    """A stored or typed piece of text: a string, trimmed, short enough, readable."""
    if not isinstance(value, str):
        raise TypeError("expected text")
    text = value.strip()
    if multiline:
        text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    if len(text) > max_length:
        raise InvalidSetting(f"Use at most {max_length} characters.")
    fault = text_fault(text, multiline=multiline)
    if fault is not None:
        raise InvalidSetting(FORM_MESSAGES[fault])
    return text


def clean_phone(value: object) -> str:
    """The clinic's phone: empty (not set yet) or a number a patient can dial, by the rule a
    patient's own phone is checked with (7 to 15 digits, a leading ``+``, spaces, dashes, dots
    and brackets): every patient page offers it to call, as a ``tel:`` link of its digits."""
    text = clean_text(value, max_length=PHONE_MAX)
    if text and not is_valid_phone(text):
        raise InvalidSetting(
            "Enter a number patients can dial: 7 to 15 digits, with spaces, dashes, dots or "
            "brackets if you like, e.g. 503-555-0100."
        )
    return text


def clean_npi(value: object) -> str:
    """A group (or individual) NPI: empty (not set yet) or ten digits whose check digit holds
    (``billing.npi_problem``)."""
    text = clean_text(value, max_length=20).replace(" ", "")
    if text and (problem := billing.npi_problem(text)):
        raise InvalidSetting(problem)
    return text


def clean_tin(value: object) -> str:
    """The clinic's TIN: empty (not set yet) or nine digits, typed with or without the dash
    (stored as the digits; shown ``XX-XXXXXXX`` by ``billing.format_tin``)."""
    text = clean_text(value, max_length=20)
    if not text:
        return ""
    digits = billing.tin_digits(text)
    if digits is None:
        raise InvalidSetting("A TIN is 9 digits, written like 12-3456789.")
    return digits


def clean_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return value


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def clean_time_zone(value: object) -> str:
    """An IANA time zone name this machine's tz database (or the tzdata package) knows."""
    if not isinstance(value, str):
        raise TypeError("expected a time zone name")
    name = value.strip()
    if name in _zone_names():
        return name
    close = [known for known in _zone_names() if known.lower() == name.lower()]
    if close:
        raise InvalidSetting(f"Time zone names are case-sensitive: did you mean {close[0]}?")
    raise InvalidSetting("Use a time zone name from the IANA list, like America/New_York.")


def parse_clock(value: str) -> time:
    """``"09:00"`` → 09:00 (24-hour, as a browser's time field sends it)."""
    match = _TIME.fullmatch(value.strip())
    if not match:
        raise InvalidSetting("Use a 24-hour time like 09:00 or 17:30.")
    return time(int(match.group(1)), int(match.group(2)))


def day_hours(opens: str, closes: str) -> DayHours | None:
    """One weekday from its two typed times: both blank is closed."""
    if not opens.strip() and not closes.strip():
        return None
    if not opens.strip():
        raise InvalidSetting("Give the opening time too, or leave both blank for closed.", "opens")
    if not closes.strip():
        raise InvalidSetting("Give the closing time too, or leave both blank for closed.", "closes")
    times = []
    for part, typed in (("opens", opens), ("closes", closes)):
        try:
            times.append(parse_clock(typed))
        except InvalidSetting as error:
            raise InvalidSetting(str(error), part) from error
    start, end = times
    if end <= start:
        raise InvalidSetting("The closing time must be after the opening time.", "closes")
    return DayHours(start, end)


def clean_hours(value: object) -> WeeklyHours | None:
    """Stored hours: None (not given) or ``{"monday": ["09:00", "17:00"] | null, ...}``."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != set(WEEKDAYS):
        raise TypeError("expected one entry per weekday")
    days: list[DayHours | None] = []
    for day in WEEKDAYS:
        entry = value[day]
        if entry is None:
            days.append(None)
        elif isinstance(entry, list) and len(entry) == 2 and all(isinstance(t, str) for t in entry):
            days.append(day_hours(entry[0], entry[1]))
        else:
            raise TypeError(f"{day}: expected [opens, closes] or null")
    return tuple(days)


def hours_json(hours: WeeklyHours | None) -> dict[str, Any] | None:
    if hours is None:
        return None
    return {
        day: None if h is None else [h.opens.strftime("%H:%M"), h.closes.strftime("%H:%M")]
        for day, h in zip(WEEKDAYS, hours, strict=True)
    }


def weekly_hours(days: list[DayHours | None]) -> WeeklyHours | None:
    """Hours from the seven weekdays; a week with no opening at all is "no hours given"."""
    if len(days) != len(WEEKDAYS):
        raise ValueError("seven weekdays expected")
    return tuple(days) if any(days) else None


def clean_holidays(value: object) -> tuple[Holiday, ...]:
    """Stored holidays: ``[{"date": "2026-12-25", "name": "Christmas Day"}, ...]``."""
    if not isinstance(value, list):
        raise TypeError("expected a list of holidays")
    out = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("date"), str):
            raise TypeError("expected {date, name}")
        try:
            day = date.fromisoformat(entry["date"])
        except ValueError as error:
            raise InvalidSetting(f"{entry['date']!r} is not a date.") from error
        name = clean_text(entry.get("name", ""), max_length=HOLIDAY_NAME_MAX)
        out.append(Holiday(day, name))
    return _sorted_holidays(out)


def holidays_json(holidays: tuple[Holiday, ...]) -> list[dict[str, str]]:
    return [{"date": h.day.isoformat(), "name": h.name} for h in holidays]


def parse_holiday_lines(text: str) -> tuple[Holiday, ...]:
    """Holidays as an admin types them, one a line: ``2026-12-25 Christmas Day`` (the name is
    optional)."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        first, _, rest = line.partition(" ")
        try:
            day = date.fromisoformat(first)
        except ValueError as error:
            raise InvalidSetting(
                f"Line {number}: start with the date as YYYY-MM-DD, e.g. 2026-12-25 Christmas Day."
            ) from error
        try:
            name = clean_text(rest, max_length=HOLIDAY_NAME_MAX)
        except InvalidSetting as error:
            raise InvalidSetting(f"Line {number}: {error}") from error
        out.append(Holiday(day, name))
    return _sorted_holidays(out)


def holiday_lines(holidays: tuple[Holiday, ...]) -> str:
    return "\n".join(f"{h.day.isoformat()} {h.name}".strip() for h in holidays)


def _sorted_holidays(holidays: list[Holiday]) -> tuple[Holiday, ...]:
    seen: set[date] = set()
    for holiday in holidays:
        if holiday.day in seen:
            raise InvalidSetting(f"{holiday.day.isoformat()} is listed twice.")
        seen.add(holiday.day)
    return tuple(sorted(holidays, key=lambda h: h.day))


# Time for people ----------------------------------------------------------------------------


def format_time(value: datetime, zone: tzinfo, *, seconds: bool = False) -> str:
    """A stored time as staff and patients read it: ``2026-12-02 09:15 EST`` (the clinic's
    zone, its abbreviation at that moment). A naive value is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def local_day(value: datetime, zone: tzinfo) -> date:
    """The clinic's calendar date of a stored time (a naive value is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).date()


def day_start(day: date, zone: tzinfo) -> datetime:
    """The moment (UTC) a calendar day of the clinic begins: what "from 2 December" means in a
    date filter. Days at the ends of the calendar are clamped, never an overflow."""
    try:
        return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    except OverflowError:
        return (
            datetime.min.replace(tzinfo=UTC) if day.year == 1 else datetime.max.replace(tzinfo=UTC)
        )


def clock_words(value: time, locale: str | Locale = "en") -> str:
    """``9:00 AM``, ``1:30 PM``, as patients read a time in English; ``9:00``, ``13:30`` in
    Spanish (``intake.formats.clock``, the one home for patients' times)."""
    return formats.clock(value, locale)


# Open or closed --------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """``open``: open at that moment; ``closed``: opens next at ``opens_at`` (clinic time);
    ``unknown``: no hours given (or no opening within a year): promise no time."""

    state: Literal["open", "closed", "unknown"]
    opens_at: datetime | None = None
    now: datetime | None = None

    @property
    def next_opening_words(self) -> str:
        """``this afternoon at 1:00 PM``, ``tomorrow morning at 9:00 AM``, ``on Monday morning at
        9:00 AM``, ``on Monday, January 4 at 9:00 AM``; "" unless closed."""
        return self.opening_words()

    def opening_words(self, say: Say | None = None, locale: str | Locale = "en") -> str:
        """``next_opening_words`` in the words ``say`` gives and the time as ``locale`` writes
        it (the patient's language: the patient pages pass Flask-Babel's ``gettext`` and the
        page's locale; English by default)."""
        say = say or english
        if self.state != "closed" or self.opens_at is None or self.now is None:
            return ""
        opens, today = self.opens_at, self.now.date()
        part = 0 if opens.hour < 12 else 1 if opens.hour < 17 else 2
        at = clock_words(opens.time(), locale)
        days = (opens.date() - today).days
        if days == 0:
            return (
                say("this morning at %(at)s", at=at),
                say("this afternoon at %(at)s", at=at),
                say("this evening at %(at)s", at=at),
            )[part]
        if days == 1:
            return (
                say("tomorrow morning at %(at)s", at=at),
                say("tomorrow afternoon at %(at)s", at=at),
                say("tomorrow evening at %(at)s", at=at),
            )[part]
        weekday = say(DAY_NAMES[opens.weekday()])
        if days < 7:
            return (
                say("on %(weekday)s morning at %(at)s", weekday=weekday, at=at),
                say("on %(weekday)s afternoon at %(at)s", weekday=weekday, at=at),
                say("on %(weekday)s evening at %(at)s", weekday=weekday, at=at),
            )[part]
        return say(
            "on %(weekday)s, %(month)s %(day)s at %(at)s",
            weekday=weekday,
            month=say(MONTH_NAMES[opens.month - 1]),
            day=opens.day,
            at=at,
        )


def availability(
    hours: WeeklyHours | None, holidays: tuple[Holiday, ...], zone: tzinfo, now: datetime
) -> Availability:
    """Whether the clinic is open at ``now`` (aware), else when it opens next, skipping
    holidays and closed weekdays. Times are the clinic's wall clock in ``zone``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(zone)
    if hours is None or not any(hours):
        return Availability("unknown", now=local)
    closed_days = {h.day for h in holidays}
    today = local.date()
    for offset in range(LOOKAHEAD_DAYS + 1):
        day = today + timedelta(days=offset)
        slot = hours[day.weekday()]
        if slot is None or day in closed_days:
            continue
        opens = datetime.combine(day, slot.opens, tzinfo=zone)
        closes = datetime.combine(day, slot.closes, tzinfo=zone)
        if offset == 0 and opens <= local < closes:
            return Availability("open", now=local)
        if local < opens:
            return Availability("closed", opens_at=opens, now=local)
    return Availability("unknown", now=local)


# What the patient is told happens next ---------------------------------------------------


#: How each preferred way of contact is said: "we will call you", "email you", "text you".
@dataclass(frozen=True)
class FollowUp:
    """What the confirmation page promises, in the patient's words: ``read`` ends "Our clinic
    staff will read your answers …"; ``contact`` is the sentence about being contacted (or how
    to reach the clinic instead); ``meantime`` says help is there until then ("" when the
    clinic is open and will be in touch today)."""

    read: str
    contact: str
    meantime: str


MEANTIME = N_(
    "Until then, if you need help, call or text 988 (free, 24 hours a day), or call 911 in an "
    "emergency."
)


def _not_asked(say: Say, method: str, reach: str) -> str:
    """No consent to be contacted: no call is promised, whatever the preferred way."""
    params = {"reach": reach}
    if method == "phone":
        return say(
            "You did not ask us to contact you, so we will not call you. If you would like to "
            "talk about your answers or next steps, %(reach)s.",
            **params,
        )
    if method == "email":
        return say(
            "You did not ask us to contact you, so we will not email you. If you would like to "
            "talk about your answers or next steps, %(reach)s.",
            **params,
        )
    if method == "text":
        return say(
            "You did not ask us to contact you, so we will not text you. If you would like to "
            "talk about your answers or next steps, %(reach)s.",
            **params,
        )
    return say(
        "You did not ask us to contact you, so we will not contact you. If you would like to "
        "talk about your answers or next steps, %(reach)s.",
        **params,
    )


def _will_contact(say: Say, method: str, when: str, opens: str) -> str:
    """The promise of contact: ``when`` is ``later`` (not urgent), ``today`` (urgent, open),
    ``then`` (urgent, closed: at ``opens``) or ``soon`` (urgent, no hours known)."""
    sentences = {
        ("later", "phone"): say(
            "We will call you to talk about next steps and, if it fits, book a visit with a "
            "clinician."
        ),
        ("later", "email"): say(
            "We will email you to talk about next steps and, if it fits, book a visit with a "
            "clinician."
        ),
        ("later", "text"): say(
            "We will text you to talk about next steps and, if it fits, book a visit with a "
            "clinician."
        ),
        ("later", ""): say(
            "We will contact you to talk about next steps and, if it fits, book a visit with a "
            "clinician."
        ),
        ("today", "phone"): say("Someone from the clinic will call you today."),
        ("today", "email"): say("Someone from the clinic will email you today."),
        ("today", "text"): say("Someone from the clinic will text you today."),
        ("today", ""): say("Someone from the clinic will contact you today."),
        ("then", "phone"): say(
            "The clinic is closed now. We open again %(opens)s and will call you then.",
            opens=opens,
        ),
        ("then", "email"): say(
            "The clinic is closed now. We open again %(opens)s and will email you then.",
            opens=opens,
        ),
        ("then", "text"): say(
            "The clinic is closed now. We open again %(opens)s and will text you then.",
            opens=opens,
        ),
        ("then", ""): say(
            "The clinic is closed now. We open again %(opens)s and will contact you then.",
            opens=opens,
        ),
        ("soon", "phone"): say("Someone from the clinic will call you."),
        ("soon", "email"): say("Someone from the clinic will email you."),
        ("soon", "text"): say("Someone from the clinic will text you."),
        ("soon", ""): say("Someone from the clinic will contact you."),
    }
    return sentences[(when, method if method in ("phone", "email", "text") else "")]


def follow_up(
    when: Availability,
    *,
    urgent: bool,
    agrees_to_contact: bool,
    preferred_contact: str | None,
    phone: str = "",
    address: str = "",
    say: Say | None = None,
    locale: str | Locale = "en",
) -> FollowUp:
    """The confirmation's promise, true to the clinic's hours and the patient's consent.

    Urgent answers are read the same working day: "today" while the clinic is open, else the
    next opening ("on Monday morning at 9:00 AM"); with no hours given no day is promised. Other
    answers are read within 2 working days. A patient who did not agree to be contacted is
    promised no call: they are told how to reach the clinic. ``say`` words it in the patient's
    language (``gettext`` on the patient pages; English by default) and ``locale`` writes its
    times ("9:00" on a Spanish page)."""
    say = say or english
    method = preferred_contact or ""
    opens = when.opening_words(say, locale)
    if not urgent:
        read = say("within 2 working days")
    elif when.state == "open":
        read = say("today")
    elif when.state == "closed":
        read = say("when the clinic opens, %(opens)s", opens=opens)
    else:
        read = say("as soon as they can")
    meantime = say(MEANTIME)
    if not agrees_to_contact:
        if phone:
            reach = say("please call the clinic at %(phone)s", phone=phone)
        elif address.strip():
            reach = say(
                "please call or visit the clinic (%(address)s)",
                address=", ".join(address.splitlines()),
            )
        else:
            reach = say("please call the clinic")
        contact = _not_asked(say, method, reach)
        if when.state == "open":
            contact += " " + say("The clinic is open now.")
        elif when.state == "closed":
            contact += " " + say("The clinic is closed now and opens again %(opens)s.", opens=opens)
        return FollowUp(read, contact, meantime)
    if not urgent:
        return FollowUp(read, _will_contact(say, method, "later", opens), "")
    if when.state == "open":
        return FollowUp(read, _will_contact(say, method, "today", opens), "")
    if when.state == "closed":
        return FollowUp(read, _will_contact(say, method, "then", opens), meantime)
    return FollowUp(read, _will_contact(say, method, "soon", opens), meantime)
