"""A faster ``html_params`` for WTForms' widgets: the same attributes, byte for byte.

WTForms 3.3 builds every attribute of every ``<input>``, ``<option>`` and ``<label>`` with
``Markup('{k}="{v}"').format(...)``: markupsafe's escaping formatter runs ``string.Formatter``
in Python, so a questionnaire page (a PHQ-9 step has 40 radio buttons, each with a label) spent
about 40% of its render there (issue 13). This version does the same thing with plain string
operations: keys sorted as given, ``data_``/``aria_`` underscores turned into hyphens, a
trailing underscore dropped (``class_``), ``True`` as a bare attribute, ``False`` left out,
every key and value escaped by markupsafe and a quote inside a ``Markup`` value written as
``&quot;``. ``tests/forms/test_fast_markup.py`` compares it with WTForms' own for a table of
attributes and for every field of every step.

:func:`install` puts it where WTForms' widgets look the function up (the module global and
the ``html_params`` class attribute of ``Input`` and ``Button``); it is called once, when
``intake.forms`` is first imported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape
from wtforms import fields, widgets
from wtforms.widgets import core

#: WTForms' own function, kept for the tests' comparison (and to put back).
WTFORMS_HTML_PARAMS = core.html_params

_CLEANED: dict[str, str] = {}


def _clean_key(key: str) -> str:
    """WTForms' ``clean_key``, remembered per key (a page asks for the same few keys)."""
    cleaned = _CLEANED.get(key)
    if cleaned is None:
        cleaned = key.rstrip("_")
        if cleaned.startswith(("data_", "aria_")):
            cleaned = cleaned.replace("_", "-")
        cleaned = str(escape(cleaned))
        if len(_CLEANED) < 1000:  # keys come from code, not input; bounded all the same
            _CLEANED[key] = cleaned
    return cleaned


def html_params(**kwargs: Any) -> Markup:
    """The attributes ``kwargs`` name, as WTForms' ``html_params`` writes them."""
    parts = []
    for key in sorted(kwargs):
        value = kwargs[key]
        if value is True:
            parts.append(_clean_key(key))
        elif value is not False:
            text = str(escape(value)).replace('"', "&quot;")
            parts.append(f'{_clean_key(key)}="{text}"')
    return Markup(" ".join(parts))  # noqa: S704 - every key and value escaped above


def install(function: Callable[..., Markup] = html_params) -> None:
    """Make WTForms' widgets and labels use ``function`` (:func:`html_params`; the tests put
    ``WTFORMS_HTML_PARAMS`` back for a while to compare)."""
    core.html_params = function
    widgets.html_params = function
    core.Input.html_params = staticmethod(function)
    core.Button.html_params = staticmethod(function)


def _attr(value: Any) -> str:
    """An attribute's value as :func:`html_params` writes it."""
    return str(escape(value)).replace('"', "&quot;")


def _plain_radios(field: Any) -> bool:
    """A radio list :func:`radio_items` draws exactly as WTForms would: WTForms' own radio
    button and option field, no attributes of the field's own (``render_kw``), and no flag
    the radio button writes other than ``required`` (True, False or not set: an optional
    question, such as the PHQ-9's difficulty, sets none). Anything else takes WTForms' path."""
    return (
        type(field.option_widget) is core.RadioInput
        and field._Option is fields.RadioField._Option
        and not field.render_kw
        and not getattr(field.flags, "disabled", False)
        and vars(field.flags).get("required", False) in (True, False)
    )


def _label_html(label: Any, value: Any) -> Markup:
    """``escape(label or value)``, translating a lazy label once, not twice.

    A translated choice (Flask-Babel's lazy string) is translated each time it is read: its
    truth value, then its markup. A TMS safety page has 15 questions of three such choices
    (issue 13). The markup is read once and stands for both; anything else is as before.
    """
    html = getattr(label, "__html__", None)
    if html is None:
        return escape(label or value)
    text = html()
    return Markup(text) if text else escape(value)  # noqa: S704 - what escape(label) gives


def radio_items(field: Any, invalid: bool = False) -> Markup:
    """The ``<li>`` of each choice of a radio list: its button, then its label, as
    ``{{ option(**attrs) }} {{ option.label }}`` writes them (``macros/forms.html``).

    A questionnaire page is mostly these (a PHQ-9 step: 40 buttons); WTForms builds a field
    object, a widget call and a label call for each, this writes the same markup from the
    choices directly. ``invalid`` adds ``aria-invalid="true"`` to each button.
    """
    aria = {"aria-invalid": "true"} if invalid else {}
    if not _plain_radios(field):
        items = (f"\n      <li>{option(**aria)} {option.label}</li>" for option in field)
        return Markup("".join(items))  # noqa: S704 - WTForms' own escaped markup
    head = 'aria-invalid="true" ' if invalid else ""
    name = _attr(field.name)
    required = " required" if field.flags.required else ""
    base_id = field.id
    parts = []
    for index, choice in enumerate(field._iter_choices_normalized()):
        option_id = _attr(f"{base_id}-{index}")
        checked = "checked " if choice.selected else ""
        value = _attr(choice.value)
        text = _label_html(choice.label, choice.value)
        parts.append(
            f'\n      <li><input {head}{checked}id="{option_id}" name="{name}"{required} '
            f'type="radio" value="{value}"> <label for="{option_id}">{text}</label></li>'
        )
    return Markup("".join(parts))  # noqa: S704 - every value escaped above
