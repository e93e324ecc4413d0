"""The insurance checklist form of the front desk's insurance panel.

Kept apart from ``staff/forms.py`` (the queue's and the submission page's forms) because it is
built from the insurance service's labels and limits, which those pages do not need.
"""

from __future__ import annotations

from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from intake.forms.base import BaseForm
from intake.models.insurance import REFERENCE_MAX
from intake.services.insurance import FIELD_LABELS, NOTES_MAX, PRIOR_AUTH_WORDS


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
    notes = TextAreaField(FIELD_LABELS["notes"], validators=[Length(max=NOTES_MAX)])
