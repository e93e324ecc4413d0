"""Filter forms: the search boxes and selects above a list (the queue, the audit log).

A filter form differs from the other forms in two ways:

- It carries no CSRF token of its own. A GET filter changes nothing, and a filter that is
  POSTed (the queue's, so a patient's name never sits in a URL) is already checked by the
  app-wide ``CSRFProtect``.
- It never refuses the page. A value that cannot be used (an unknown choice, a date that is not
  a date) gets a message at its field and is left out; the other filters still apply. A list
  filtered a little less than asked, with a message saying why, beats an error page.

Fields are drawn by ``macros/forms.html`` like every other form, so labels, hints, messages and
``aria-describedby`` come out the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, Self

from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import Select

from intake.forms.base import bind_field, leaf_fields
from intake.forms.fields import DateField, SelectField, StringField

DATE_PROBLEM = "Enter dates as YYYY-MM-DD."


class FilterSelect(Select):
    """WTForms' select, its options written directly: the same markup, a fraction of the time.

    A queue page draws about a hundred options (statuses, concerns, pathways, assignees, ...) on
    every view; WTForms builds each option's attributes through a sorted keyword dict and
    ``Markup.format`` (and looks up ``render_option``'s signature once per select). An option
    with attributes of its own (``render_kw``) is still drawn by WTForms.
    """

    @classmethod
    def render_option(cls, choice: SelectChoice, **kwargs: Any) -> Markup:
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        # As ``html_params`` writes them: "selected" before "value", a quote as &quot;.
        quoted = escape(value).replace(Markup('"'), Markup("&quot;"))
        selected = "selected " if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{quoted}">{label}</option>')  # noqa: S704 - escaped above

    @classmethod
    def _dispatch_render_option(cls) -> Callable[[SelectChoice], Markup]:
        return cls.render_option


class ChoiceFilter(SelectField):
    """A select of known codes, "Any" (blank) first unless ``any_label`` is None."""

    widget = FilterSelect()

    def __init__(
        self,
        label: str,
        *,
        choices: Mapping[str, str] | Callable[[], Mapping[str, str]],
        any_label: str | None = "Any",
        unknown: str,
        **kwargs: Any,
    ) -> None:
        # A callable is read each time a form is made (the queue's pathways come from the
        # loaded ruleset, so a pathway added there is offered without another edit).
        if callable(choices):
            choices = choices()
        options = [("", any_label)] if any_label is not None else []
        super().__init__(label, choices=[*options, *choices.items()], **kwargs)
        self.unknown = unknown

    def pre_validate(self, form: Any) -> None:
        if self.data not in (None, "") and self.data not in self.choice_labels():
            raise ValidationError(self.unknown)
        super().pre_validate(form)


def iso_day(text: str) -> date | None:
    """The day ``text`` names as YYYY-MM-DD (what ``<input type="date">`` sends), or None."""
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None


class DateFilter(DateField):
    """A day, read by ``parse`` (which returns None for text that is not a day it knows)."""

    def __init__(
        self, label: str, *, parse: Callable[[str], date | None] = iso_day, **kwargs: Any
    ) -> None:
        super().__init__(label, **kwargs)
        self.parse = parse

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_data = valuelist
        text = (valuelist[0] if valuelist else "").strip()
        self.data = self.parse(text) if text else None
        if text and self.data is None:
            raise ValueError(DATE_PROBLEM)


class TextFilter(StringField):
    """A search box (trimmed and character-checked by the shared binding, like every text)."""


class FilterForm(Form):
    """Base of the filter forms: read the given data, keep what is usable.

    Not a :class:`~intake.forms.base.BaseForm`, but bound like one (:func:`bind_field`: values
    trimmed, typed text character-checked; a NUL byte in a search would otherwise reach
    PostgreSQL and fail there, so such a value is left out with a message at its field). It is
    a plain WTForms form because what Flask-WTF adds is what a filter must not have: a CSRF
    token of its own, form data taken from the request by itself (``read`` is always given the
    query string or the posted form) and ``validate_on_submit``; it also works outside a request.
    """

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            return bind_field(form, unbound_field, options)

    @classmethod
    def read(cls, data: Mapping[str, Any] | None, **kwargs: Any) -> Self:
        """The form filled from ``data`` (request args or form) and checked."""
        formdata = data if hasattr(data, "getlist") else MultiDict(dict(data or {}))
        form = cls(formdata=formdata, **kwargs)
        form.validate()
        return form

    def value(self, name: str) -> Any:
        """A field's value, or None when it is blank or could not be used."""
        field = self[name]
        if field.errors or field.data in ("", None):
            return None
        return field.data

    def text(self, name: str) -> str:
        """What was typed or chosen in ``name`` (trimmed), or "" when it could not be used."""
        field = self[name]
        if field.errors or not field.raw_data:
            return ""
        return str(field.raw_data[0]).strip()

    @property
    def problems(self) -> list[str]:
        """Every message, in field order (each value named was left out of the search)."""
        return [e for field in leaf_fields(self) for e in field.errors]

    def url_args(self) -> dict[str, str]:
        """The usable, non-blank filters, for links to other pages of the same list."""
        return {f.name: self.text(f.name) for f in leaf_fields(self) if self.text(f.name)}


def page_number(value: object) -> int:
    """The page asked for; anything that is not a page number is the first page."""
    try:
        return max(1, int(str(value or 1)))
    except ValueError:
        return 1
