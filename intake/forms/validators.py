"""Validators shared by the patient forms, with plain-language messages."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from contextvars import ContextVar
from datetime import date
from typing import Any

from wtforms import Field
from wtforms.validators import StopValidation, ValidationError

from intake.i18n import gettext
from intake.i18n import lazy_text as _l
from intake.text import FORM_MESSAGES, text_fault

#: True while a step is validated in partial mode (Back / Save / add or remove a row).
partial_mode: ContextVar[bool] = ContextVar("partial_mode", default=False)

PLEASE_ANSWER = _l("Please answer this question.")


def is_blank(field: Field) -> bool:
    data = field.data
    if data is None:
        return True
    if isinstance(data, str):
        return not data.strip()
    return isinstance(data, list | tuple) and not data


class Required:
    """An answer is needed, except when the page is only being saved (partial mode)."""

    field_flags = {"required": True}  # noqa: RUF012 - the WTForms API

    def __init__(self, message: str = PLEASE_ANSWER) -> None:
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if not is_blank(field):
            return
        if field.process_errors or partial_mode.get():
            field.errors[:] = list(field.process_errors)
            raise StopValidation()
        field.errors[:] = []
        raise StopValidation(self.message)


class OptionalAnswer:
    """An optional question: a blank answer stops validation and is stored as nothing."""

    field_flags = {"optional": True}  # noqa: RUF012 - the WTForms API

    def __call__(self, form: Any, field: Field) -> None:
        if is_blank(field) and not field.process_errors:
            field.errors[:] = []
            raise StopValidation()


class RequiredWhen:
    """Required when another answer on the form is one of ``values`` (like Required otherwise)."""

    def __init__(self, other: str, values: Collection[str], message: str) -> None:
        self.other = other
        self.values = values
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if not is_blank(field):
            return
        if form[self.other].data in self.values and not partial_mode.get():
            field.errors[:] = list(field.process_errors)
            raise StopValidation(self.message)
        field.errors[:] = list(field.process_errors)
        raise StopValidation()


class HiddenUnless:
    """A conditional question: asked only when other answers make it apply.

    When it does not apply, its answer is cleared (never validated, never stored) and the
    validation chain stops; with ``keep=True`` an answer given anyway is validated and kept.
    ``fields``/``values`` also drive the progressive-enhancement script (``data-when`` /
    ``data-in`` / ``data-not-in``), and ``hint`` is the "answer only if…" text people see when
    the script is off.
    """

    def __init__(
        self,
        fields: str | Iterable[str],
        *,
        values: Collection[str] | None = None,
        not_values: Collection[str] | None = None,
        hint: str,
        keep: bool = False,
    ) -> None:
        self.fields = (fields,) if isinstance(fields, str) else tuple(fields)
        if (values is None) == (not_values is None):
            raise ValueError("give exactly one of values or not_values")
        self.values = tuple(values) if values is not None else None
        self.not_values = tuple(not_values) if not_values is not None else None
        self.hint = hint
        #: ``keep``: an answer given although the question does not apply is still checked and
        #: kept (never cleared), because it carries safety meaning (the ASQ's "right now").
        #: The condition then only decides what is shown and what is required.
        self.keep = keep

    def applies(self, form: Any) -> bool:
        chosen = [form[name].data for name in self.fields]
        if self.values is not None:
            return any(value in self.values for value in chosen)
        return not any(value in (self.not_values or ()) for value in chosen)

    def __call__(self, form: Any, field: Field) -> None:
        if self.applies(form):
            return
        if self.keep:
            if not is_blank(field):
                return  # checked like any answer (a choice not offered is still an error)
            field.errors[:] = list(field.process_errors)
            raise StopValidation()
        field.data = False if field.type == "BooleanField" else None
        field.raw_data = []
        field.errors[:] = []
        raise StopValidation()


class PlainText:
    """Refuse text with hidden characters the clinic could not read or store (``intake.text``).

    A blank answer passes: whether one is needed is decided by the other validators.
    """

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, form: Any, field: Field) -> None:
        if not isinstance(field.data, str):
            return
        fault = text_fault(field.data, multiline=self.multiline)
        if fault is not None:
            field.errors[:] = list(field.process_errors)
            raise StopValidation(gettext(FORM_MESSAGES[fault]))


class TextLength:
    """Between ``minimum`` and ``maximum`` characters, said plainly."""

    def __init__(self, maximum: int, minimum: int = 1) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.field_flags = {"maxlength": maximum}

    def __call__(self, form: Any, field: Field) -> None:
        length = len(field.data or "")
        if length > self.maximum:
            raise ValidationError(
                gettext(
                    "Please keep this to %(maximum)s characters or fewer (you typed %(length)s).",
                    maximum=self.maximum,
                    length=length,
                )
            )
        if length < self.minimum:
            raise ValidationError(
                gettext("Please type at least %(minimum)s characters.", minimum=self.minimum)
            )


class NumberRange:
    """A number from ``minimum`` to ``maximum``; ``above_minimum`` makes the minimum exclusive."""

    def __init__(self, minimum: float, maximum: float, *, above_minimum: bool = False) -> None:
        self.minimum = minimum
        self.maximum = maximum
        self.above_minimum = above_minimum

    def __call__(self, form: Any, field: Field) -> None:
        value = field.data
        if value is None:  # not a number: the field already says so
            raise StopValidation()
        too_low = value <= self.minimum if self.above_minimum else value < self.minimum
        if too_low or value > self.maximum:
            low, high = f"{self.minimum:g}", f"{self.maximum:g}"
            if self.above_minimum:
                message = gettext(
                    "Please enter a number above %(low)s to %(high)s.", low=low, high=high
                )
            else:
                message = gettext(
                    "Please enter a number from %(low)s to %(high)s.", low=low, high=high
                )
            raise ValidationError(message)


class Check:
    """Run ``test(value)``; a false result is the error ``message``."""

    def __init__(self, test: Any, message: str) -> None:
        self.test = test
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if not self.test(field.data):
            raise ValidationError(self.message)


class PastDate:
    """A date that is not in the future and, with ``max_age``, not too long ago."""

    def __init__(self, max_age: int | None = None, today: Any = None) -> None:
        self.max_age = max_age
        self.today = today or date.today

    def __call__(self, form: Any, field: Field) -> None:
        today = self.today()
        if field.data > today:
            raise ValidationError(gettext("This date is in the future. Please check it."))
        if self.max_age is not None:
            from intake.answers import age_in_years

            if age_in_years(field.data, today) > self.max_age:
                raise ValidationError(
                    gettext(
                        "This gives an age over %(years)s. Please check the year.",
                        years=self.max_age,
                    )
                )


class MinimumAge:
    """A date of birth giving an age of at least ``years`` on today's date.

    ``message`` is called when the check fails, so it can read settings of the running app (the
    clinic's phone number). A date in the future is left to :class:`PastDate`.
    """

    def __init__(self, years: int, message: Callable[[], str], today: Any = None) -> None:
        self.years = years
        self.message = message
        self.today = today or date.today

    def __call__(self, form: Any, field: Field) -> None:
        from intake.answers import age_in_years

        today = self.today()
        if field.data is None or field.data > today:
            return
        if age_in_years(field.data, today) < self.years:
            raise ValidationError(self.message())


class MustBeTicked:
    def __init__(self, message: str) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: Any, field: Field) -> None:
        if not field.data and not partial_mode.get():
            raise StopValidation(self.message)
