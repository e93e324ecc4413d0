"""Template helpers for the wizard: conditions, labels, review rows, medicine suggestions."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from wtforms import Field, FieldList

from intake.forms.base import conditions, leaf_fields
from intake.forms.validators import HiddenUnless
from intake.patient.device import is_clinic_device

_ROW = re.compile(r"^(medication_trials|psychotherapy_trials)-(\d+)-")
_ROW_NOUNS = {"medication_trials": "Medicine", "psychotherapy_trials": "Therapy"}


def field_condition(field: Field) -> HiddenUnless | None:
    found = conditions(field)
    return found[0] if found else None


def field_label(field: Field) -> str:
    match = _ROW.match(field.name)
    if match:
        return f"{_ROW_NOUNS[match.group(1)]} {int(match.group(2)) + 1}, {field.label.text}"
    return field.label.text


def display_value(field: Field) -> str:
    kind = getattr(field, "widget_kind", "text")
    if kind == "checkbox":
        return "Yes" if field.data else "No"
    if kind in ("radio", "select"):
        labels = field.choice_labels()
        return labels.get(field.data, "Not answered") if field.data else "Not answered"
    if kind == "date":
        return field.data.isoformat() if field.data else "Not answered"
    if field.data in (None, ""):
        return "Not answered"
    if isinstance(field.data, float):  # 0.0000001, not 1e-07
        return format(Decimal(repr(field.data)).normalize(), "f")
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
            value = f"{value} {row['duration_unit'].data or 'weeks'}"
        yield field_label(sub), value


@functools.cache
def medicine_names() -> tuple[str, ...]:
    """Generic and brand names from the rules catalogue, for the medicine-name datalist."""
    from intake.rules import catalogue
    from intake.rules.ruleset import read_yaml

    path = Path(catalogue.__file__).with_name("catalogue.yaml")
    data = read_yaml(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for section in ("medicines", "seizure_threshold"):
        for entry in data.get(section, []):
            names.add(entry["generic"])
            names.update(entry.get("brands", []))
    return tuple(sorted(names, key=str.casefold))


def template_helpers() -> dict[str, Any]:
    return {
        "field_condition": field_condition,
        "field_label": field_label,
        "leaf_fields": leaf_fields,
        "review_rows": review_rows,
        "medicine_names": medicine_names,
        "is_clinic_device": is_clinic_device,
    }
