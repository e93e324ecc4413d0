"""Numbers and clock times as a patient's language writes them: the one home for both.

A Spanish reader writes "12,5" and "8:00" (24-hour); an English one "12.5" and "8:00 AM". The
patient pages (the review's answers, a dose typed again, when the clinic opens) format through
here with the page's locale; what is stored is never changed (a dose is stored as the number
12.5 whatever was typed). Babel's CLDR data gives the decimal mark and the short time pattern.

Pure Python (Babel only): no Flask, no database. ``current_locale`` reads the request's locale
for the templates and forms and is English outside a request.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from babel import Locale
from babel.dates import format_time
from babel.numbers import get_decimal_symbol

DEFAULT = "en"
#: CLDR puts a narrow no-break space before "AM"; the pages have always shown a plain space.
_NARROW_SPACE = "\u202f"


def number(value: int | float, locale: str | Locale = DEFAULT) -> str:
    """``value`` with the locale's decimal mark and every digit kept ("0.0000001", not "1e-07"
    or a rounded "0"); no thousands separator, since the forms ask for none ("1000")."""
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    text = format(Decimal(repr(value)).normalize(), "f")
    return text.replace(".", get_decimal_symbol(locale))


def clock(value: time, locale: str | Locale = DEFAULT) -> str:
    """A time of day in the locale's short form: "8:00 AM", "1:30 PM" (en), "8:00", "13:30" (es)."""
    return format_time(value, format="short", locale=locale).replace(_NARROW_SPACE, " ")


def current_locale() -> str | Locale:
    """The request's locale (Flask-Babel's choice for the page), else English."""
    from flask import has_request_context
    from flask_babel import get_locale

    found = get_locale() if has_request_context() else None
    return found if found is not None else DEFAULT
