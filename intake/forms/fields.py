"""Fields with plain-language parse errors and blank-friendly choice checks."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from wtforms import fields
from wtforms.validators import ValidationError

from intake import formats
from intake.i18n import gettext
from intake.i18n import lazy_text as _l

CHOOSE_SHOWN = _l("Please choose one of the options shown.")

#: "1,000" or "2.500": a thousands separator to one reader, a decimal mark to another. Such a
#: number is refused rather than read one way, because either reading may be ten or a thousand
#: times the other. A leading zero ("0.125") is never a thousands group.
_GROUPED = re.compile(r"[1-9]\d{0,2}(?:[.,]\d{3})+")
#: "37,5" or "0,25": a comma that can only be a decimal mark (1-3 digits after it, no leading
#: zero before other digits: "012,500" and "1,0000" are refused as unclear, not guessed).
_DECIMAL_COMMA = re.compile(r"(?:0|[1-9]\d*),\d{1,3}")
#: No answer in the intake needs more digits; longer numbers are typos (and would overflow).
MAX_DIGITS = 9


def as_choice(choice: Any) -> fields.SelectChoice:
    if isinstance(choice, fields.SelectChoice):
        return choice
    value, label = choice
    return fields.SelectChoice(value, label)


class ChoiceMixin:
    """Blank means "not answered" (left to Required); anything else must be a listed choice."""

    choices: list[fields.SelectChoice]
    data: Any

    def __init__(self, *args: Any, choices: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, choices=[as_choice(c) for c in choices], **kwargs)  # type: ignore[call-arg]

    def choice_labels(self) -> dict[str, str]:
        return {choice.value: choice.label for choice in self.choices}

    def pre_validate(self, form: Any) -> None:
        if self.data in (None, ""):
            self.data = None
            return
        if self.data not in self.choice_labels():
            raise ValidationError(CHOOSE_SHOWN)


class RadioField(ChoiceMixin, fields.RadioField):
    widget_kind = "radio"


class SelectField(ChoiceMixin, fields.SelectField):
    widget_kind = "select"


class WholeNumberField(fields.StringField):
    """A whole number typed into a text box (``inputmode="numeric"``).

    What was typed is kept in ``raw_data`` and shown again, so a mistyped number is never lost;
    subclasses change only :meth:`parse`.
    """

    widget_kind = "text"
    inputmode = "numeric"

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_data = valuelist
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if text:
            self.data = self.parse(text)

    def parse(self, text: str) -> int | float:
        """The number in ``text``; a ``ValueError`` carries the message the patient sees.

        Nothing is deleted from what was typed: "1,000" is refused, not read as 1000.
        """
        if not text.isascii() or not text.isdigit():
            raise ValueError(
                gettext("Please enter a whole number using only digits, like 6 or 1000.")
            ) from None
        if len(text.lstrip("0")) > MAX_DIGITS:
            raise ValueError(gettext("This number is too large. Please check it."))
        return int(text)

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else str(self.data))


class DecimalNumberField(WholeNumberField):
    """A number that may have a decimal part, like 37.5 (or 37,5), with an optional ``unit``.

    A decimal comma is read as a decimal point only when it cannot be a thousands separator
    ("37,5", "0,25"); "1,000" and "2.500" are ambiguous and refused with a message, never
    guessed. A typed unit ("100 mg") is accepted when it is the field's own ``unit``.
    """

    inputmode = "decimal"
    AMBIGUOUS = _l(
        "Please write the dose with a point for decimals, like 37.5, and without a "
        "separator for thousands, like 1000."
    )

    def __init__(self, *args: Any, unit: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit

    def parse(self, text: str) -> int | float:
        if self.unit and text.lower().endswith(self.unit.lower()):
            text = text[: -len(self.unit)].rstrip()
        if _GROUPED.fullmatch(text):
            raise ValueError(str(self.AMBIGUOUS))
        if _DECIMAL_COMMA.fullmatch(text):
            text = text.replace(",", ".")
        elif "," in text:
            raise ValueError(str(self.AMBIGUOUS))
        if len(text.replace(".", "").lstrip("0")) > MAX_DIGITS:
            raise ValueError(gettext("This number is too large. Please check it."))
        value = math.nan
        if text.isascii() and re.fullmatch(r"\d*\.?\d+|\d+\.", text):
            value = float(text)
        if not math.isfinite(value):
            unit = f" {self.unit}" if self.unit else ""
            raise ValueError(
                gettext("Please enter a number, like 150%(unit)s or 37.5%(unit)s.", unit=unit)
            )
        return int(value) if value.is_integer() else value

    def _value(self) -> str:
        """What was typed, else the stored number as the page's language writes it ("12,5"
        on a Spanish page, which this field reads back as 12.5)."""
        if self.raw_data or not isinstance(self.data, float):
            return super()._value()
        shown = formats.number(self.data, formats.current_locale())
        try:
            self.parse(shown)  # more than 3 decimals with a comma would read as unclear
        except ValueError:
            return formats.number(self.data)
        return shown


class DateField(fields.StringField):
    """A date from ``<input type="date">`` (YYYY-MM-DD), or typed as MM/DD/YYYY without one."""

    widget_kind = "date"
    FORMATS = ("%Y-%m-%d", "%m/%d/%Y")

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_data = valuelist
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not text:
            return
        for fmt in self.FORMATS:
            try:
                self.data = datetime.strptime(text, fmt).date()
                return
            except ValueError:
                continue
        raise ValueError(gettext("Please enter a real date, like 1985-04-12."))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if isinstance(self.data, date) else ""


class StringField(fields.StringField):
    widget_kind = "text"


class TextAreaField(fields.TextAreaField):
    widget_kind = "textarea"


class BooleanField(fields.BooleanField):
    """A tick box that always posts ``y`` when ticked.

    WTForms draws a box with the value it was last given, so a box redrawn from a stored
    "not ticked" (``""``) would post ``""`` when ticked later, which reads as not ticked.
    """

    widget_kind = "checkbox"
    CHECKED_VALUE = "y"

    def _value(self) -> str:
        return self.CHECKED_VALUE


class ConfirmBox(BooleanField):
    """A tick box confirming one particular answer ("yes, 1000 mg sertraline is right").

    It posts (and is stored as) a token of what it confirmed, so changing the dose or the
    medicine after ticking it un-confirms it: the check asks again for the new answer.
    """

    token = ""

    def bind_to(self, token: str) -> None:
        """Confirm ``token``; the box counts as ticked only if it was ticked for this token."""
        posted = self.raw_data[0] if self.raw_data else ""
        self.token = token
        self.data = bool(posted) and posted == token

    def _value(self) -> str:
        return self.token or self.CHECKED_VALUE
