"""How names are compared: the folded form staff search matches and ``last_name_folded`` holds.

Its own module because three layers need the same answer: storing a submission fills the
column, the queue folds what staff type before matching it, and the demo data and tests build
rows with it. Pure Python, so any layer may import it.
"""

from __future__ import annotations

import unicodedata


def fold_name(value: str) -> str:
    """Case- and accent-insensitive form of a name: ``"  Ñúñez "`` → ``"nunez"``."""
    decomposed = unicodedata.normalize("NFKD", value.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold_email(value: str | None) -> str | None:
    """An e-mail address as patient matching compares it: trimmed and case-folded (mailbox
    providers treat addresses case-insensitively in practice), None when there is none."""
    value = (value or "").strip()
    return value.casefold() or None


def phone_digits(value: str | None) -> str | None:
    """A phone number as patient matching compares it: its digits, without the North American
    country code 1 before a ten-digit number (``+1 (503) 555-0100`` = ``503.555.0100``)."""
    digits = "".join(c for c in (value or "") if c.isascii() and c.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits or None
