"""Fields with plain-language parse errors and blank-friendly choice checks."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from wtforms import fields
from wtforms.validators import ValidationError

CHOOSE_SHOWN = "Please choose one of the options shown."


def as_choice(choice: Any) -> fields.SelectChoice:
    if isinstance(choice, fields.SelectChoice):
        return choice
    value, label = choice
    return fields.SelectChoice(value, label)


class ChoiceMixin:
    """Blank means "not answered" (left to Required); anything else must be a listed choice."""

    def __init__(self, *args: Any, choices: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, choices=[as_choice(c) for c in choices], **kwargs)

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
        text = (valuelist[0] if valuelist else "").strip().replace(",", "")
        if text:
            self.data = self.parse(text)

    def parse(self, text: str) -> int | float:
        """The number in ``text``; a ``ValueError`` carries the message the patient sees."""
        try:
            return int(text)
        except ValueError:
            raise ValueError("Please enter a whole number, like 6.") from None

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else ("" if self.data is None else str(self.data))


class DecimalNumberField(WholeNumberField):
    """A number that may have a decimal point, like 37.5."""

    inputmode = "decimal"

    def parse(self, text: str) -> int | float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ValueError("Please enter a number, like 150 or 37.5.")
        return int(value) if value.is_integer() else value


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
        raise ValueError("Please enter a real date, like 1985-04-12.")

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if isinstance(self.data, date) else ""


class StringField(fields.StringField):
    widget_kind = "text"


class TextAreaField(fields.TextAreaField):
    widget_kind = "textarea"


class BooleanField(fields.BooleanField):
    widget_kind = "checkbox"
