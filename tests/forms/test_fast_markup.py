"""The faster markup paths of issue 13 write exactly what WTForms and the old template loop
wrote: ``intake.forms.html.html_params`` (every widget's attributes) and ``radio_items`` (the
questionnaires' radio lists).

The reference is WTForms' own ``html_params`` (put back for the comparison) and, for the radio
lists, the loop ``macros/forms.html`` had, copied below. Compared for a table of attributes
written here, then for every field of every wizard step, the check-in form and the consent of
someone under 18, each empty, answered and with errors.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Form

from intake.forms import html
from intake.forms.base import leaf_fields
from intake.forms.fields import RadioField
from tests.forms.every_form import every_step_form


@contextmanager
def wtforms_own() -> Iterator[None]:
    """WTForms' own ``html_params`` in every widget for a while."""
    html.install(html.WTFORMS_HTML_PARAMS)
    try:
        yield
    finally:
        html.install()


#: (attributes, what WTForms writes): keys sorted, ``class_``/``for_`` without the underscore,
#: ``data_``/``aria_`` with hyphens, True bare, False left out, everything escaped, a quote in
#: a Markup value as &quot;.
ATTRIBUTES: list[tuple[dict[str, Any], str]] = [
    ({}, ""),
    ({"name": "text1", "id": "f", "class_": "text"}, 'class="text" id="f" name="text1"'),
    ({"checked": True, "readonly": False, "name": "a"}, 'checked name="a"'),
    (
        {"data_when": "x y", "aria_describedby": "a-hint"},
        'aria-describedby="a-hint" data-when="x y"',
    ),
    ({"data_a_b": 1}, 'data-a-b="1"'),
    ({"aria-invalid": "true", "value": "0"}, 'aria-invalid="true" value="0"'),
    (
        {"value": '<b>"Tom" & Jerry\'s</b>'},
        'value="&lt;b&gt;&#34;Tom&#34; &amp; Jerry&#39;s&lt;/b&gt;"',
    ),
    ({"value": Markup('say "hi" <i>')}, 'value="say &quot;hi&quot; <i>"'),
    ({"maxlength": 200, "min": 0, "step": 0.5}, 'maxlength="200" min="0" step="0.5"'),
    ({"value": None}, 'value="None"'),
    ({"for": "x-0"}, 'for="x-0"'),
    ({"title": "é ü 日本"}, 'title="é ü 日本"'),
    ({"odd&key": "v", "flag&": True}, 'flag&amp; odd&amp;key="v"'),
    ({"class": "a", "class_": "b"}, 'class="a" class="b"'),
]


@pytest.mark.parametrize(("attributes", "written"), ATTRIBUTES)
def test_the_attributes_are_written_as_wtforms_writes_them(
    attributes: dict[str, Any], written: str
) -> None:
    assert html.WTFORMS_HTML_PARAMS(**attributes) == written
    fast = html.html_params(**attributes)
    assert fast == written
    assert isinstance(fast, Markup)


def test_the_widgets_use_the_fast_path() -> None:
    from wtforms import widgets
    from wtforms.widgets import core

    assert core.html_params is html.html_params
    assert widgets.html_params is html.html_params
    assert core.Input.html_params is html.html_params
    assert core.Button.html_params is html.html_params


def _markup(field: Any) -> list[str]:
    """Everything WTForms writes for ``field``: the control (with the attributes the macro
    passes), its label, and each option and its label."""
    out = [str(field()), str(field(aria_describedby="h", maxlength=5)), str(field.label)]
    if hasattr(field, "_iter_choices_normalized") and hasattr(field, "option_widget"):
        for option in field:
            out += [str(option()), str(option(**{"aria-invalid": "true"})), str(option.label)]
    return out


def test_every_field_of_every_form_is_written_as_wtforms_writes_it(app: Flask) -> None:
    compared = 0
    with app.test_request_context():
        for name, form in every_step_form():
            for field in leaf_fields(form):
                fast = _markup(field)
                with wtforms_own():
                    own = _markup(field)
                assert fast == own, (name, field.name)
                compared += 1
    assert compared > 400


#: The loop ``macros/forms.html`` drew each choice of a radio list with, as it was.
OLD_LOOP = (
    "{%- for option in field %}\n"
    "      <li>{{ option(**({'aria-invalid': 'true'} if invalid else {})) }} "
    "{{ option.label }}</li>\n"
    "      {%- endfor %}"
)


def _old_loop(app: Flask, field: Any, invalid: bool) -> str:
    with wtforms_own():
        return app.jinja_env.from_string(OLD_LOOP).render(field=field, invalid=invalid)


def test_every_radio_list_is_drawn_as_the_old_loop_drew_it(app: Flask) -> None:
    compared = 0
    with app.test_request_context():
        for name, form in every_step_form():
            for field in leaf_fields(form):
                if getattr(field, "widget_kind", "") != "radio":
                    continue
                for invalid in (False, True):
                    assert str(html.radio_items(field, invalid)) == _old_loop(
                        app, field, invalid
                    ), (name, field.name, invalid)
                    compared += 1
    assert compared > 150


class Odd(Form):
    """Radio lists the short path leaves to WTForms (attributes of their own, a disabled
    flag, a required flag set to neither True nor False) or takes (an optional question, no
    required flag), and choices with characters to escape."""

    styled = RadioField("Styled", choices=[("a", "A")], render_kw={"class": "x"})
    plain = RadioField("Plain", choices=[("a&b", 'A "quoted" <choice>'), ("c", "C")])
    optional = RadioField("Optional", choices=[("a", "A"), ("b", "B")])
    none_set = RadioField("Required set to None", choices=[("a", "A")])


def test_lists_outside_the_short_path_and_odd_choices_are_still_identical(app: Flask) -> None:
    with app.test_request_context():
        form = Odd(formdata=MultiDict({"plain": "a&b"}))
        form.styled.flags.disabled = True
        form.none_set.flags.required = None
        # An optional question sets no required flag: the short path, without "required".
        assert html._plain_radios(form.optional) and not html._plain_radios(form.none_set)
        assert "required" not in html.radio_items(form.optional)
        for field in (form.styled, form.plain, form.optional, form.none_set):
            for invalid in (False, True):
                assert str(html.radio_items(field, invalid)) == _old_loop(app, field, invalid)
        assert 'class="x"' in html.radio_items(form.styled)
        assert "checked" in html.radio_items(form.plain)
        assert "&#34;quoted&#34; &lt;choice&gt;" in html.radio_items(form.plain)


def test_a_step_page_is_the_same_page(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    """The PHQ-9 step drawn through the app (fast paths) and with WTForms' own attribute path:
    the same page but for the CSRF token (a new one each time)."""
    import re

    from tests.patient.helpers import WizardWalker

    walker = WizardWalker(client)
    walker.start()
    walker.walk(until="gad7")

    def page() -> str:
        text = client.get("/intake/step/phq9").get_data(as_text=True)
        return re.sub(r'name="csrf_token" value="[^"]*"', "", text)

    fast = page()
    with wtforms_own():
        own = page()
    assert fast == own
    assert fast.count('type="radio"') == 9 * 4 + 4
    # Every answer saved is shown chosen: nine items and the difficulty question.
    assert len(re.findall(r'<input checked [^>]*type="radio"', fast)) == 10


def test_a_choice_label_is_written_as_escape_wrote_it(app: Flask) -> None:
    """``radio_items`` reads a translated label once; the markup is what ``escape`` gave."""
    from flask_babel import lazy_gettext
    from markupsafe import escape

    labels = [
        (lazy_gettext("Yes"), "yes"),
        (lazy_gettext("Not sure"), "unsure"),
        (Markup("<b>bold</b>"), "b"),
        (Markup(""), "empty & markup"),
        ("Tom & <Jerry>", "t"),
        ("", "value <&>"),
        (None, 'quote "value"'),
    ]
    with app.test_request_context("/"):
        for label, value in labels:
            assert html._label_html(label, value) == escape(label or value)
