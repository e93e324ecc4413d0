"""WTForms' ``html_params`` without ``Markup.format``: the same attributes, several times faster.

Every widget WTForms draws (each input, radio button, option, label) builds its attributes with
``wtforms.widgets.core.html_params``, which formats each one through ``Markup('{k}="{v}"')
.format``: markupsafe's escaping formatter, the largest single cost of drawing a form (issue 13:
about a fifth of the clinician summary page, whose review and risk forms hold dozens of
radio buttons and tick boxes). :func:`html_params` writes the identical string with an
f-string over values escaped once; :func:`install` (``create_app``) puts it where WTForms'
widgets and labels look it up (``wtforms.widgets.core``, ``wtforms.widgets``, and the
``html_params`` that ``Input`` and ``Button`` keep as a class attribute).
``tests/test_html_attrs.py`` compares it with WTForms' own over every kind of value.
"""

from __future__ import annotations

from typing import Any

import wtforms.widgets
import wtforms.widgets.core
from markupsafe import Markup, escape
from wtforms.widgets.core import clean_key

#: WTForms' own, kept for the comparison test.
wtforms_html_params = wtforms.widgets.core.html_params

_QUOTE, _QUOT = Markup('"'), Markup("&quot;")


def html_params(**kwargs: Any) -> Markup:
    """``wtforms.widgets.core.html_params``, the same output: sorted by key, ``class_`` and
    ``for_`` as ``class`` and ``for``, ``data_``/``aria_`` underscores as hyphens, ``True`` a
    bare attribute, ``False`` left out, every value escaped and a quote written ``&quot;``."""
    params: list[str] = []
    for key, value in sorted(kwargs.items()):
        name = escape(clean_key(key))
        if value is True:
            params.append(name)
        elif value is not False:
            params.append(f'{name}="{escape(value).replace(_QUOTE, _QUOT)}"')
    return Markup(" ".join(params))  # noqa: S704 - every name and value escaped above


def install() -> None:
    """Make WTForms' widgets and labels use :func:`html_params` (idempotent)."""
    wtforms.widgets.core.html_params = html_params
    wtforms.widgets.html_params = html_params
    for widget in (wtforms.widgets.core.Input, wtforms.widgets.core.Button):
        widget.html_params = staticmethod(html_params)
