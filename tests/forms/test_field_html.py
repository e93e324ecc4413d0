"""``render_field`` written in Python (``intake.forms.field_html``) writes what the Jinja macro
``macros/forms.html`` wrote, byte for byte (issue 13).

The reference is the old macro and its helper macros, kept as they were in
``old_render_field.html`` beside this file, rendered through the app's templates (so
``lang_page``, ``radio_items`` and Flask-Babel's ``_`` are the app's) with a
``field_condition`` of the test's own: the first ``HiddenUnless`` of a field. Compared for a
table of fields written here (every kind, with errors, a condition either way, a hint,
required, a length limit, a label of the page's own, inline, characters to escape) and for
every field of every wizard step, the check-in form and a minor's consent, each empty,
answered and with errors; in English and in Spanish.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask_babel import force_locale
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form, fields, validators, widgets

from intake.forms import field_html
from intake.forms import fields as ours
from intake.forms.base import leaf_fields
from intake.forms.validators import HiddenUnless
from tests.forms.every_form import every_step_form

#: The macro as ``macros/forms.html`` had it before issue 13 (with its helpers), verbatim.
OLD_MACRO = (Path(__file__).parent / "old_render_field.html").read_text()

CALL = "<<<{{ render_field(field, label=label, inline=inline) }}>>>"
NEW = '{% from "macros/forms.html" import render_field with context %}' + CALL


def _first_condition(field: Any) -> HiddenUnless | None:
    return next((v for v in field.validators if isinstance(v, HiddenUnless)), None)


def _between(page: str) -> str:
    """What the call wrote (the reference's macro definitions leave blank lines before it)."""
    return page.split("<<<", 1)[1].rsplit(">>>", 1)[0]


def _old(field: Any, label: Any = None, inline: bool = False) -> str:
    return _between(
        render_template_string(
            OLD_MACRO + CALL,
            field=field,
            label=label,
            inline=inline,
            field_condition=_first_condition,
        )
    )


def _new(field: Any, label: Any = None, inline: bool = False) -> str:
    page = render_template_string(NEW, field=field, label=label, inline=inline)
    assert page.startswith("<<<")
    return _between(page)


class MultiCheckboxField(fields.SelectMultipleField):
    """A plain WTForms list of tick boxes (laid out as a group, like a radio list)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


WHEN_YES = HiddenUnless("kind", values=["yes"], hint="Answer if you said <yes> & more")
WHEN_NOT = HiddenUnless(["kind", "other"], not_values=["no", "n/a"], hint="Unless no")
C = fields.SelectChoice
SHORT = validators.Length(max=12)
RIGHT = validators.InputRequired()


class Every(Form):
    """A field of each kind, and the attributes the macro writes for them."""

    kind = ours.RadioField("Kind", choices=[("yes", "Yes"), ("no", "No")], validators=[RIGHT])
    other = ours.RadioField("Other", choices=[("a", "A & B")], description="Pick <one>")
    select = ours.SelectField("Select", choices=[("", "Choose"), ("x", "X")])
    number = ours.WholeNumberField("How many", validators=[WHEN_YES, RIGHT])
    decimal = ours.DecimalNumberField("Dose", description="mg a day", validators=[SHORT])
    day = ours.DateField("Date", validators=[RIGHT], description="e.g. 2026-01-31")
    text = ours.StringField('Say "hi"', validators=[SHORT, RIGHT], description="Short")
    styled = ours.StringField("Styled", render_kw={"class": "wide", "autocomplete": "off"})
    note = ours.TextAreaField("Note", validators=[WHEN_NOT, SHORT])
    agree = ours.BooleanField("I agree <fully>", validators=[validators.DataRequired()])
    agree_when = ours.BooleanField("If so", validators=[WHEN_YES], description="Tick")
    plain_radio = fields.RadioField("Plain radio", choices=[C("1", "One")], validators=[RIGHT])
    ticks = MultiCheckboxField("Ticks", choices=[C("a", "A"), C("b", "B")], validators=[WHEN_NOT])
    multi = fields.SelectMultipleField("Multi", choices=[C("a", "A")])
    plain_box = fields.BooleanField("Plain box", description="Plain hint")
    plain_text = fields.StringField("Plain text", validators=[SHORT])
    plain_area = fields.TextAreaField("Plain area", validators=[RIGHT, SHORT])
    plain_date = fields.DateField("Plain date")


#: Posted values that put every field of :class:`Every` in error (or answered oddly).
BAD = {
    "kind": "maybe",
    "other": "z",
    "select": "q",
    "number": "",
    "decimal": "1234567890123",
    "text": "much too long for it",
    "note": "a <b> note that is too long",
    "plain_radio": "9",
    "ticks": "c",
    "multi": "z",
    "plain_text": "also much too long",
    "plain_date": "31/31/2026",
}


def _every_form() -> Iterator[tuple[str, Form]]:
    yield "empty", Every(formdata=None)
    answered = Every(formdata=MultiDict({"kind": "yes", "text": "hi & <b>", "agree": "y"}))
    yield "answered", answered
    wrong = Every(formdata=MultiDict(BAD))
    wrong.validate()
    yield "errors", wrong


LABELS: list[Any] = [None, "", "Another <label> & more", Markup("<em>Marked</em> up")]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_field_of_every_kind_is_written_as_the_macro_wrote_it(app: Flask, lang: str) -> None:
    compared = 0
    with app.test_request_context(), force_locale(lang):
        for state, form in _every_form():
            if state == "errors":
                assert form.kind.errors and form.note.errors and form.plain_date.errors
            for field in form:
                for label in LABELS:
                    for inline in (False, True):
                        new = _new(field, label, inline)
                        assert new == _old(field, label, inline), (state, field.name, label)
                        compared += 1
    assert compared == 3 * len(Every()._fields) * len(LABELS) * 2


def test_the_table_shows_what_it_is_meant_to(app: Flask) -> None:
    """The table above reaches each branch: the expected pieces, written here."""
    with app.test_request_context(), force_locale("es"):
        wrong = Every(formdata=MultiDict(BAD))
        wrong.validate()
        assert '<fieldset id="kind" aria-describedby="kind-error-1">' in _new(wrong.kind)
        assert '<span class="required" lang="es">(obligatorio)</span>' in _new(wrong.kind)
        assert '<span class="visually-hidden">Error: </span>' in _new(wrong.kind)
        assert 'data-when="kind" data-in="yes"' in _new(wrong.number)
        assert 'data-when="kind other" data-not-in="no n/a"' in _new(wrong.note)
        assert "Answer if you said &lt;yes&gt; &amp; more" in _new(wrong.number)
        assert 'inputmode="numeric"' in _new(wrong.number)
        assert 'class="short"' in _new(wrong.day) and 'type="date"' in _new(wrong.day)
        assert 'maxlength="12"' in _new(wrong.text)
        assert '<ul class="choices inline">' in _new(wrong.kind, inline=True)
        assert '<div class="field checkbox' in _new(wrong.agree)
        assert '<fieldset id="ticks"' in _new(wrong.ticks)
        assert "Another &lt;label&gt;" in _new(wrong.text, "Another <label>")
    with app.test_request_context():
        assert 'lang="' not in _new(Every(formdata=None).kind)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_field_of_every_step_is_written_as_the_macro_wrote_it(app: Flask, lang: str) -> None:
    compared = 0
    with app.test_request_context(), force_locale(lang):
        for name, form in every_step_form():
            for field in leaf_fields(form):
                inline = field_html.field_kind(field) == "radio"
                assert _new(field, inline=inline) == _old(field, inline=inline), (name, field.name)
                compared += 1
    assert compared > 400


def test_the_kind_is_the_old_macros_kind(app: Flask) -> None:
    """``field_kind`` (the error summary's links too) for each field of the table."""
    expected = {
        "kind": "radio",
        "other": "radio",
        "select": "select",
        "number": "text",
        "decimal": "text",
        "day": "date",
        "text": "text",
        "styled": "text",
        "note": "textarea",
        "agree": "checkbox",
        "agree_when": "checkbox",
        "plain_radio": "radio",
        "ticks": "radio",
        "multi": "text",
        "plain_box": "checkbox",
        "plain_text": "text",
        "plain_area": "text",
        "plain_date": "text",
    }
    with app.test_request_context():
        form = Every(formdata=None)
        assert {f.name: field_html.field_kind(f) for f in form} == expected
