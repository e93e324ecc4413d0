"""The insurance checklist form of the front desk's insurance panel.

Kept apart from ``staff/forms.py`` (the queue's and the submission page's forms) because it is
built from the insurance service's labels and limits, which those pages do not need.
"""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from intake.forms.base import BaseForm
from intake.forms.fields import DateField, WholeNumberField
from intake.forms.validators import NumberRange
from intake.models.insurance import REFERENCE_MAX
from intake.services.insurance import (
    APPEAL_WORDS,
    DENIAL_REASON_MAX,
    FIELD_LABELS,
    NOTES_MAX,
    PRIOR_AUTH_WORDS,
    UNITS_MAX,
)


class InsuranceChecklistForm(BaseForm):
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
    prior_auth_requested_on = DateField(
        FIELD_LABELS["prior_auth_requested_on"],
        description="The day the request went to the payer.",
    )
    prior_auth_units = WholeNumberField(
        FIELD_LABELS["prior_auth_units"],
        validators=[Optional(), NumberRange(1, UNITS_MAX)],
        description="Sessions (CPT units) the payer approved, all codes together.",
    )
    prior_auth_start = DateField(FIELD_LABELS["prior_auth_start"])
    prior_auth_end = DateField(
        FIELD_LABELS["prior_auth_end"], description="The last day the approval covers."
    )
    prior_auth_denial_reason = TextAreaField(
        FIELD_LABELS["prior_auth_denial_reason"],
        validators=[Length(max=DENIAL_REASON_MAX)],
        description="As the payer's letter words it.",
        render_kw={"rows": 2},
    )
    appeal_on = DateField(FIELD_LABELS["appeal_on"])
    appeal_outcome = SelectField(
        FIELD_LABELS["appeal_outcome"], choices=dict(APPEAL_WORDS), validate_choice=False
    )
    notes = TextAreaField(FIELD_LABELS["notes"], validators=[Length(max=NOTES_MAX)])

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then what ties two of them: the approval's end not before its start, an
        appeal outcome only with the appeal's date (each message at its field)."""
        valid = bool(super().validate(extra_validators))
        start, end = self.prior_auth_start.data, self.prior_auth_end.data
        if start is not None and end is not None and end < start:
            self.prior_auth_end.errors = [
                *self.prior_auth_end.errors,
                "The approval cannot end before it starts.",
            ]
            valid = False
        if self.appeal_outcome.data and self.appeal_on.data is None:
            self.appeal_on.errors = [*self.appeal_on.errors, "Give the date the appeal was sent."]
            valid = False
        return valid
