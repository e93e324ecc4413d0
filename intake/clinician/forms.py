"""The clinician's forms (CSRF-protected by Flask-WTF): the review and the risk assessment."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from flask import has_app_context
from wtforms import IntegerField, RadioField, SelectChoice, SelectMultipleField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from intake.forms.base import BaseForm
from intake.services import risk
from intake.services.reviews import NOTE_MAX
from intake.vocabulary import RISK_OUTCOMES, staff_labels


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


def assessment_zone() -> tzinfo:
    """The zone an assessment's typed time is read in (and its default shown in): the clinic's
    (``/admin/settings``), the zone every staff page shows times in. Read when the field is
    drawn or posted, through the settings service's per-request profile (UTC outside a
    request)."""
    if not has_app_context():
        return UTC
    from intake.services.settings import clinic_profile

    return clinic_profile().zone


def _now() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


class RiskAssessmentForm(BaseForm):
    """A clinician's brief safety assessment of an urgent submission (its sign-off)."""

    assessed_at = DateTimeLocalField(
        "When you assessed the patient (the clinic's time)",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"],
        tz=assessment_zone,
        default=_now,
        validators=[Optional()],
        invalid_value_message="Enter a date and time, like 2026-12-02 14:30.",
        description="Now, unless you assessed the patient earlier. Not in the future.",
    )
    outcome = RadioField(
        "Outcome",
        choices=[
            SelectChoice(c, w[:1].upper() + w[1:]) for c, w in staff_labels(RISK_OUTCOMES).items()
        ],
        validators=[DataRequired("Choose the outcome of the assessment.")],
    )
    note = TextAreaField(
        "Assessment note",
        validators=[Length(max=risk.NOTE_MAX)],
        description="Required for Other.",
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
