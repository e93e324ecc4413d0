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
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from intake.forms.base import TextCheckedForm
from intake.models.insurance import REFERENCE_MAX
from intake.services.insurance import FIELD_LABELS, NOTES_MAX, PRIOR_AUTH_WORDS
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
    """The checklist. ``version`` is the version the form was loaded with and never changes on a
    conflict page, so re-sending the same form conflicts again; only the "save over theirs"
    button sends ``save_over`` with ``seen_version``, the version that page showed."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    seen_version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    save_over = BooleanField()
    eligibility_confirmed = BooleanField(FIELD_LABELS["eligibility_confirmed"])
    prior_auth = SelectField(
        FIELD_LABELS["prior_auth"], choices=dict(PRIOR_AUTH_WORDS), validate_choice=False
    )
    prior_auth_reference = StringField(
        FIELD_LABELS["prior_auth_reference"],
        validators=[Length(max=REFERENCE_MAX)],
        description="The payer's reference or case number for the request, once there is one.",
    )
    notes = TextAreaField(FIELD_LABELS["notes"], validators=[Length(max=NOTES_MAX)])


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
