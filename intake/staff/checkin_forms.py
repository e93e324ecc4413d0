"""The staff check-in page's forms: acknowledging an urgent check-in (front desk or
clinician) and a clinician's sign-off. Each carries the check-in's version, so a form sent
from a page older than a colleague's action is a conflict (409), never a silent overwrite."""

from __future__ import annotations

from wtforms import IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput

from intake.forms.base import BaseForm
from intake.services.risk import NOTE_MAX
from intake.vocabulary import RISK_OUTCOMES, staff_labels


class AcknowledgeCheckInForm(BaseForm):
    note = TextAreaField(
        "Note",
        validators=[Length(max=NOTE_MAX)],
        description="What you did: for example, called the patient, left a voicemail.",
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class SignOffCheckInForm(BaseForm):
    outcome = RadioField(
        "Outcome of your safety assessment",
        choices=[
            SelectChoice(c, w[:1].upper() + w[1:]) for c, w in staff_labels(RISK_OUTCOMES).items()
        ],
        validators=[DataRequired("Choose the outcome of the assessment.")],
    )
    note = TextAreaField(
        "Assessment note", validators=[Length(max=NOTE_MAX)], description="Required for Other."
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
