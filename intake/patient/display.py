"""Template helpers for the wizard: drawing a field, labels, review rows, medicine names."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from flask_babel import get_locale
from markupsafe import Markup, escape
from wtforms import Field, FieldList

from intake import formats
from intake import vocabulary as vocab
from intake.forms.base import leaf_fields
from intake.forms.field_html import field_html, field_kind
from intake.i18n import gettext
from intake.i18n import lazy_text as _l
from intake.patient.device import is_clinic_device
from intake.patient.language import english, page_language

_ROW = re.compile(r"^(medication_trials|psychotherapy_trials)-(\d+)-")
_ROW_NOUNS = {"medication_trials": _l("Medicine"), "psychotherapy_trials": _l("Therapy")}
_UNITS = dict(vocab.form_choices(vocab.DURATION_UNITS))


#: The fields of the validated instruments' steps (PHQ-9 and GAD-7 items, the difficulty
#: question, the ASQ) and of a check-in (``phq9_1``, ``gad7_1`` …): their labels are the
#: published English wording on every page.
INSTRUMENT_FIELDS = frozenset(
    {f"item_{n}" for n in range(1, len(vocab.PHQ9_QUESTIONS) + 1)}
    | {f"phq9_{n}" for n in range(1, len(vocab.PHQ9_QUESTIONS) + 1)}
    | {f"gad7_{n}" for n in range(1, len(vocab.GAD7_QUESTIONS) + 1)}
    | {"difficulty", vocab.ASQ_RIGHT_NOW.code}
    | {question.code for question in vocab.ASQ_QUESTIONS}
)


def field_label(field: Field) -> Any:
    """The question a field asks, as the error summary names it (a row's number first); an
    instrument's item is marked English on a page in another language."""
    match = _ROW.match(field.name)
    if match:
        return f"{_ROW_NOUNS[match.group(1)]} {int(match.group(2)) + 1}, {field.label.text}"
    if field.name in INSTRUMENT_FIELDS:
        return english(field.label.text, page_language())
    return field.label.text


def display_value(field: Field) -> str:
    """The answer as the review page shows it ("Not answered" translated only when shown: the
    review draws about eighty answers, and each translation lookup costs)."""
    kind = getattr(field, "widget_kind", "text")
    if kind == "checkbox":
        return gettext("Yes") if field.data else gettext("No")
    if kind in ("radio", "select"):
        label = field.choice_labels().get(field.data) if field.data else None
        return gettext("Not answered") if label is None else str(label)
    if kind == "date":
        return field.data.isoformat() if field.data else gettext("Not answered")
    if field.data in (None, ""):
        return gettext("Not answered")
    if isinstance(field.data, float):  # 0.0000001, not 1e-07; 12,5 on a Spanish page
        return formats.number(field.data, formats.current_locale())
    return str(field.data)


def review_rows(form: Any) -> Iterator[tuple[str, str]]:
    """(question, answer) for every question that applies or holds a kept answer, rows too."""
    for field in form:
        if field.name == "csrf_token":
            continue
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from _row_review(entry.form)
            continue
        if not form.answered(field):
            continue
        yield field.label.text, display_value(field)


def _row_review(row: Any) -> Iterator[tuple[str, str]]:
    """A row's answers as the patient gave them: "2 years" as one answer, the dose check
    only when it was ticked."""
    for sub in row:
        if sub.short_name == "duration_unit":
            continue
        if sub.short_name == "dose_confirmed" and not sub.data:
            continue
        value = display_value(sub)
        if sub.short_name == "weeks" and "duration_unit" in row and sub.data is not None:
            unit = row["duration_unit"].data or "weeks"
            value = f"{value} {gettext(_UNITS.get(unit, unit))}"
        yield field_label(sub), value


def medicine_names(language: str | None = None) -> tuple[str, ...]:
    """The names the medicine field suggests (its datalist), from the catalogue of the ruleset
    that judges new intakes, so a suggestion is always a name the rules know: generic and brand
    names, and on a Spanish page the Spanish generic names too ("sertralina")."""
    return _medicine_names(language or page_language())


@functools.cache
def _medicine_names(language: str) -> tuple[str, ...]:
    from intake.rules.ruleset import default_ruleset

    catalogue = default_ruleset().catalogue
    names = {*catalogue.names, *(catalogue.aliases if language == "es" else ())}
    return tuple(sorted(names, key=str.casefold))


def medicine_options() -> Markup:
    """The medicine-name datalist's options for the page's language, as ``<option value="{{
    name }}">`` writes them (the names are the catalogue's: written once per process)."""
    return _medicine_options(page_language())


@functools.cache
def _medicine_options(language: str) -> Markup:
    return Markup(  # noqa: S704 - escaped
        "".join(f'<option value="{escape(name)}">' for name in _medicine_names(language))
    )


#: The foot of every page as drawn for a language and a clinic profile (name, phone, address).
_FOOTERS: dict[tuple[str, str, str, str, str], Markup] = {}
#: A clinic changes its profile rarely; the drawings of older profiles are let go past this.
_FOOTERS_KEPT = 16


def site_footer() -> Markup:
    """The crisis numbers and the clinic's contact line (``_site_footer.html``), drawn once
    per process for each language and clinic profile: nothing in them is the request's, and
    every page has them (issue 13). A profile changed in the settings is a new key, so the
    next page shows it."""
    from flask import render_template

    from intake.services.settings import clinic_profile

    profile = clinic_profile()
    # The page's language and the catalogue's (they differ only inside ``force_locale``
    # outside a request, where a page says "en" but its texts follow the forced locale).
    key = (page_language(), str(get_locale()), profile.name, profile.phone, profile.address)
    found = _FOOTERS.get(key)
    if found is None:
        found = Markup(render_template("_site_footer.html"))  # noqa: S704 - a rendered template
        if len(_FOOTERS) >= _FOOTERS_KEPT:
            _FOOTERS.clear()
        _FOOTERS[key] = found
    return found


def template_helpers() -> dict[str, Any]:
    return {
        "field_html": field_html,
        "field_kind": field_kind,
        "field_label": field_label,
        "leaf_fields": leaf_fields,
        "review_rows": review_rows,
        "medicine_names": medicine_names,
        "medicine_options": medicine_options,
        "site_footer": site_footer,
        "is_clinic_device": is_clinic_device,
    }
