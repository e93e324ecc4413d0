"""The clinician's forms (CSRF-protected by Flask-WTF): the review and the risk assessment."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from flask import has_app_context
from wtforms import IntegerField, RadioField, SelectChoice, SelectMultipleField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from intake import billing
from intake.forms.base import BaseForm
from intake.forms.fields import WholeNumberField
from intake.forms.validators import NumberRange
from intake.services import risk
from intake.services.reviews import NOTE_MAX
from intake.vocabulary import ICD10_CODES, RISK_OUTCOMES, TMS_PROTOCOLS, staff_labels


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
    diagnoses = MultiCheckboxField(
        "Diagnosis (ICD-10-CM)",
        choices={label.code: f"{label.code} {label.staff}" for label in ICD10_CODES},
        validate_choice=False,
        description="For the prior-authorization packet. Tick every code that applies.",
    )
    course_sessions = WholeNumberField(
        "Treatment sessions",
        validators=[Optional(), NumberRange(1, billing.SESSIONS_MAX)],
        description="The acute course, the first session included (usually 30 or 36).",
    )
    course_taper_sessions = WholeNumberField(
        "Taper sessions",
        validators=[Optional(), NumberRange(0, billing.TAPER_MAX)],
        description="After the acute course (usually 6); blank is none.",
    )
    course_protocol = RadioField(
        "Protocol",
        choices=[SelectChoice(label.code, label.staff) for label in TMS_PROTOCOLS],
        validate_choice=False,
        validators=[Optional()],
    )
    note = TextAreaField("Note (optional)", validators=[Length(max=NOTE_MAX)])

    def validate(self, extra_validators: Any = None) -> bool:
        """A planned course has its sessions and its protocol, or neither (each message at its
        field); taper sessions alone plan nothing."""
        valid = bool(super().validate(extra_validators))
        sessions, protocol = self.course_sessions, self.course_protocol
        if (sessions.data is None) != (not protocol.data) and not sessions.errors:
            if sessions.data is None:
                sessions.errors = [*sessions.errors, "Give the number of sessions."]
            else:
                protocol.errors = [*protocol.errors, "Choose the protocol."]
            valid = False
        if self.course_taper_sessions.data and sessions.data is None and not sessions.errors:
            sessions.errors = [*sessions.errors, "Give the number of sessions."]
            valid = False
        return valid


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
