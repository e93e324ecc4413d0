"""The clinician's review form (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from intake.forms.base import BaseForm
from intake.services.reviews import NOTE_MAX


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; the service, not the field, judges unknown codes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReviewForm(BaseForm):
    decision = RadioField(
        "Decision",
        choices={
            "agree": "Agree with the suggested pathways",
            "different": "Choose different pathways",
        },
        validate_choice=False,
    )
    pathways = MultiCheckboxField("Pathways", choices={}, validate_choice=False)
    note = TextAreaField("Note (optional)", validators=[Length(max=NOTE_MAX)])
