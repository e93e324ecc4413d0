"""One question's markup, written in Python: what the ``render_field`` macro wrote, byte for byte.

Every form page draws its fields with ``render_field(field, label=..., inline=...)`` from
``templates/macros/forms.html``. As a Jinja macro with six helper macros (the kind, the
``aria-describedby`` ids, the condition's ``data-`` attributes, the hint and error messages, the
"(required)" mark, the page's language) it was about 60% of a questionnaire step's CPU time
(issue 13): every macro call builds a frame, a caller context and a joined ``Markup``. This
function writes the same text with string operations: every value escaped by markupsafe as
Jinja's autoescape did, the widget itself still drawn by WTForms (``field(**attrs)``) or, for a
radio list, by :func:`intake.forms.html.radio_items`. The words "Error:" and "(required)" are
looked up in Flask-Babel's catalogue at render time, as the macro's ``_()`` did.

``macros/forms.html`` exports it as ``render_field`` (``{% set render_field = field_html %}``),
so templates keep their import and their calls. ``tests/forms/test_field_html.py`` compares it
with the old macro, kept in the test as the reference, for a table of fields.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from intake.forms.base import conditions
from intake.forms.html import radio_items
from intake.forms.validators import HiddenUnless
from intake.i18n import gettext

_MISSING = object()


def field_kind(field: Any) -> str:
    """How a field is laid out: our fields say (``widget_kind``); a plain WTForms field by its
    type (a radio list, or a list of tick boxes, is a group with a legend)."""
    kind = getattr(field, "widget_kind", _MISSING)
    if kind is not _MISSING:
        return str(escape(kind))
    if field.type == "RadioField":
        return "radio"
    if field.type in ("SelectMultipleField", "MultiCheckboxField"):
        option = getattr(field, "option_widget", None)
        if getattr(option, "input_type", "") == "checkbox":
            return "radio"
    if field.type == "BooleanField":
        return "checkbox"
    return "text"


def field_condition(field: Any) -> HiddenUnless | None:
    """The condition a field is asked under (its first ``HiddenUnless``), if any."""
    found = conditions(field)
    return found[0] if found else None


def _own_lang(context: Context | None) -> str:
    """The page's own language on the app's words (``lang_page``), should they sit in an
    English element (a validated instrument shown as published on a Spanish page)."""
    lang_page = context.get("lang_page") if context is not None else None
    return str(lang_page()) if lang_page is not None else ""


@pass_context
def field_html(
    context: Context | None, field: Any, label: Any = None, inline: Any = False
) -> Markup:
    """One question, laid out by its kind: text, number, date, select, textarea, checkbox,
    radio. ``label`` replaces the field's own label; ``inline`` puts a radio list's choices on
    one line."""
    kind = field_kind(field)
    cond = field_condition(field)
    errors = field.errors
    description = field.description
    field_id = escape(field.id)
    own_lang = _own_lang(context) if (cond is not None or errors or field.flags.required) else ""

    ids = []
    if cond is not None:
        ids.append(f"{field.id}-when")
    if description:
        ids.append(f"{field.id}-hint")
    ids.extend(f"{field.id}-error-{n}" for n in range(1, len(errors) + 1))
    described = str(escape(" ".join(ids))).strip()
    attrs: dict[str, Any] = {}
    if described:
        attrs["aria-describedby"] = Markup(described)  # noqa: S704 - escaped above
    if errors:
        attrs["aria-invalid"] = "true"
    maxlength = field.flags.maxlength
    if maxlength:
        attrs["maxlength"] = maxlength

    text = escape(label or field.label.text)
    # A translation is written as it is, not escaped: Jinja's new-style gettext did the same.
    required = ""
    if field.flags.required:
        word = gettext("(required)")  # outside the f-string, so pybabel extracts it
        required = f' <span class="required"{own_lang}>{word}</span>'

    has_error = " has-error" if errors else ""
    cond_attrs = ""
    if cond is not None:
        cond_attrs = f' data-when="{escape(" ".join(cond.fields))}"'
        if cond.values is not None:
            cond_attrs += f' data-in="{escape(" ".join(cond.values))}"'
        else:
            cond_attrs += f' data-not-in="{escape(" ".join(cond.not_values or ()))}"'

    messages = []
    if cond is not None:
        messages.append(
            f'<p class="hint conditional-hint" id="{field_id}-when"{own_lang}>'
            f"{escape(cond.hint)}</p>"
        )
    if description:
        messages.append(f'<p class="hint" id="{field_id}-hint">{escape(description)}</p>')
    if errors:
        error_word = gettext("Error:")
        for n, error in enumerate(errors, 1):
            messages.append(
                f'\n  <p class="field-error" id="{field_id}-error-{n}"{own_lang}>'
                f'<span class="visually-hidden">{error_word} </span>{escape(error)}</p>'
            )
    messages.append("\n")
    said = "".join(messages)

    conditional = " conditional" if cond is not None else ""
    if kind == "radio":
        aria = f' aria-describedby="{described}"' if described else ""
        html = (
            f'\n<div class="field{has_error}{conditional}" id="{field_id}-field"{cond_attrs}>'
            f'\n  <fieldset id="{field_id}"{aria}>'
            f"\n    <legend>{text}{required}</legend>{said}"
            f'\n    <ul class="choices{" inline" if inline else ""}">'
            f"{radio_items(field, len(errors) > 0)}"
            "\n    </ul>\n  </fieldset>\n</div>\n\n"
        )
    elif kind == "checkbox":
        html = (
            f'\n<div class="field checkbox{has_error}" id="{field_id}-field"{cond_attrs}>{said}'
            f'\n  <div class="choices"><div class="choice">{escape(field(**attrs))} '
            f'<label for="{field_id}">{text}{required}</label></div></div>\n</div>\n\n'
        )
    else:
        if kind == "date":
            widget = escape(field(type="date", **{"class": "short"}, **attrs))
        else:
            inputmode = getattr(field, "inputmode", _MISSING)
            if inputmode is not _MISSING:
                widget = escape(field(inputmode=inputmode, **{"class": "short"}, **attrs))
            else:
                widget = escape(field(**attrs))
        html = (
            f'\n<div class="field{has_error}{conditional}" id="{field_id}-field"{cond_attrs}>'
            f'\n  <label for="{field_id}">{text}{required}</label>{said}'
            f"\n  {widget}\n</div>\n\n"
        )
    return Markup(html)  # noqa: S704 - every value escaped above
