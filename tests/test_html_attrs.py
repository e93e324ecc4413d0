"""``intake.forms.html_attrs``: WTForms' attribute writer, faster, with the same output (issue
13). Compared with WTForms' own ``html_params`` over every kind of value it handles, and the
widgets are checked to use it once an app is made (``create_app``)."""

from __future__ import annotations

import pytest
import wtforms.widgets
import wtforms.widgets.core
from flask import Flask
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form, RadioField, SelectChoice, SelectField, StringField

import intake.forms.html_attrs
from intake.forms.filters import ChoiceFilter, FilterForm
from intake.forms.html_attrs import html_params, wtforms_html_params

CASES = [
    {},
    {"name": "q", "id": "q", "type": "text", "value": "García"},
    {"class_": "short", "for_": "dob", "data_when": "a b", "aria_describedby": "x-hint y"},
    {"checked": True, "disabled": False, "required": True, "value": "yes"},
    {"value": "\"quoted\" & <tagged> 'single'"},
    {"value": Markup('already "markup" <b>')},
    {"maxlength": 100, "min": 0, "step": 0.5, "value": None},
    {"zeta": "1", "alpha": "2", "Mid": "3"},
    {"data_long_name_here": "v", "aria_invalid": "true"},
]


@pytest.mark.parametrize("attributes", CASES)
def test_the_same_attributes_as_wtforms(attributes: dict[str, object]) -> None:
    ours, theirs = html_params(**attributes), wtforms_html_params(**attributes)
    assert ours == theirs and isinstance(ours, Markup)


def test_the_widgets_use_it(app: Flask) -> None:
    assert wtforms.widgets.core.html_params is html_params
    assert wtforms.widgets.html_params is html_params
    assert wtforms.widgets.core.Input.html_params is html_params
    assert wtforms.widgets.core.Button.html_params is html_params


class Sample(Form):
    text = StringField("Name", render_kw={"autocomplete": "off"})
    pick = SelectField("Pick", choices=[SelectChoice("", "Any"), SelectChoice("a&b", 'A "and" B')])
    radio = RadioField(
        "Radio", choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No <never>")]
    )


class Filters(FilterForm):
    pick = ChoiceFilter("Pick", choices={"a&b": 'A "and" B', "c": "C"}, unknown="Unknown.")


def test_a_form_draws_as_wtforms_drew_it(app: Flask) -> None:
    """The whole markup of each field, drawn once with WTForms' writer and once with ours."""
    form = Sample(MultiDict({"text": 'x"<y>', "pick": "a&b", "radio": "no"}))
    ours = [str(form.text()), str(form.text.label()), str(form.pick()), str(form.radio())]
    wtforms.widgets.core.html_params = wtforms_html_params
    wtforms.widgets.html_params = wtforms_html_params  # type: ignore[attr-defined]
    for widget in (wtforms.widgets.core.Input, wtforms.widgets.core.Button):
        widget.html_params = staticmethod(wtforms_html_params)  # type: ignore[assignment]
    try:
        theirs = [str(form.text()), str(form.text.label()), str(form.pick()), str(form.radio())]
        plain = str(wtforms.widgets.Select()(Filters.read({"pick": "a&b"}).pick))
    finally:
        intake.forms.html_attrs.install()
    assert ours == theirs
    # The filter select writes its options itself: the same as WTForms' own select.
    assert str(Filters.read({"pick": "a&b"}).pick()) == plain
    assert '<option selected value="a&amp;b">A &#34;and&#34; B</option>' in plain
