"""Forms of the clinician, insurance and admin-settings pages (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from intake.forms.base import TextCheckedForm
from intake.services.insurance import NOTES_MAX, PRIOR_AUTH_WORDS
from intake.services.reviews import NOTE_MAX


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; the service, not the field, judges unknown codes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReviewForm(TextCheckedForm):
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


class InsuranceForm(TextCheckedForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    eligibility_confirmed = BooleanField("Eligibility confirmed with the plan")
    prior_auth = SelectField(
        "Prior authorization", choices=dict(PRIOR_AUTH_WORDS), validate_choice=False
    )
    notes = TextAreaField("Notes", validators=[Length(max=NOTES_MAX)])


class TokenCreateForm(TextCheckedForm):
    name = StringField(
        "Token name",
        validators=[DataRequired("Give the token a name."), Length(max=100)],
        description="Where it is used, e.g. “front-desk kiosk 2”.",
    )


class TokenRevokeForm(TextCheckedForm):
    name = HiddenField(validators=[DataRequired()])


class SettingsForm(TextCheckedForm):
    export_free_text = BooleanField("Include free-text answers in CSV exports")
