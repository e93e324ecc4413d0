"""Billing identifiers and the units of a planned TMS course, with no Flask or database.

- **NPI** (National Provider Identifier): ten digits, the last a Luhn check digit computed over
  the prefix ``80840`` (card issuer "health applications in the United States") followed by the
  first nine digits (CMS, "NPI check digit"). A clinician's NPI and the clinic's group NPI are
  checked with it.
- **TIN** (the clinic's federal tax identification number, an EIN): nine digits, written
  ``XX-XXXXXXX``.
- **CPT units** of a planned course: 90867 once (the first session: cortical mapping, motor
  threshold and the first treatment), 90868 for every other session including the taper.
  90869 (a motor threshold re-determined during the course) is not requested in advance
  (docs/staff.md, "CPT units"): the session it happens in is billed 90869 instead of 90868, so
  the number of sessions authorised does not change.

The codes' descriptions are in ``intake.vocabulary`` (``ICD10_CODES``, ``CPT_CODES``).
"""

from __future__ import annotations

from dataclasses import dataclass

NPI_LENGTH = 10
TIN_LENGTH = 9
#: The prefix the NPI's check digit is computed over (ISO 7812 issuer 80840).
NPI_PREFIX = "80840"

#: The planned course's limits (sessions and taper sessions of one course).
SESSIONS_MAX = 60
TAPER_MAX = 12


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit to append to ``digits``: double every second digit from the right
    (starting with the rightmost), subtract 9 from doubles over 9, and make the total a
    multiple of ten."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def npi_problem(value: str) -> str | None:
    """Why ``value`` is not an NPI, in words for the person typing it, or None when it is."""
    if len(value) != NPI_LENGTH or not value.isascii() or not value.isdigit():
        return "An NPI is 10 digits."
    if value[0] not in "12":
        return "An NPI starts with 1 or 2."
    if luhn_check_digit(NPI_PREFIX + value[:9]) != int(value[9]):
        return "This is not a valid NPI: its check digit does not match. Check for a typo."
    return None


def is_valid_npi(value: str) -> bool:
    return npi_problem(value) is None


def tin_digits(value: str) -> str | None:
    """The nine digits of a TIN typed as ``12-3456789`` or ``123456789`` (None if it is not)."""
    text = value.strip()
    if len(text) == TIN_LENGTH + 1 and text[2] == "-":
        text = text[:2] + text[3:]
    if len(text) != TIN_LENGTH or not text.isascii() or not text.isdigit():
        return None
    return text


def format_tin(digits: str) -> str:
    """Nine stored digits as ``XX-XXXXXXX`` (anything else is shown as it is)."""
    if len(digits) != TIN_LENGTH:
        return digits
    return f"{digits[:2]}-{digits[2:]}"


@dataclass(frozen=True)
class CptLine:
    """One CPT code of a prior-authorization request and how many units it asks for."""

    code: str
    units: int


def course_units(sessions: int, taper_sessions: int) -> tuple[CptLine, ...]:
    """The CPT lines of a planned course: 90867 × 1 and 90868 × (sessions − 1 + taper).

    ``sessions`` counts the acute course including the first session; a course of one session
    has no 90868 line. 90869 is not planned (see the module's docstring).
    """
    if sessions < 1:
        raise ValueError("a course has at least one session")
    if taper_sessions < 0:
        raise ValueError("taper sessions cannot be negative")
    lines = [CptLine("90867", 1)]
    subsequent = sessions - 1 + taper_sessions
    if subsequent:
        lines.append(CptLine("90868", subsequent))
    return tuple(lines)
