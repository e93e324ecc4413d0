"""Forms of the API-token, settings and alerts pages.

Kept apart from ``admin/forms.py`` (the staff-account forms): these pages configure the app
rather than people, and change on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from intake import clinic
from intake.clinic import InvalidSetting
from intake.forms.base import BaseForm
from intake.services.settings import (
    COURSE_EVERY_DAYS,
    COURSE_MAINTENANCE_MONTHS,
    PAPER_SIZES,
    SETTINGS,
)


class TokenCreateForm(BaseForm):
    name = StringField(
        "Token name",
        validators=[DataRequired("Give the token a name."), Length(max=100)],
        description="Where it is used, e.g. “front-desk kiosk 2”.",
    )
    #: The token's scopes (``services.api_tokens.SCOPES``), one box each; sending intakes is
    #: ticked to begin with, as a token made without scopes on the command line has it.
    scope_intakes_write = BooleanField(
        "Send intakes (intakes:write)",
        default=True,
        description="For a kiosk or a web form that posts intakes to /api/v1/intakes.",
    )
    scope_fhir_read = BooleanField(
        "Read FHIR Bundles (fhir:read)",
        description="For an EHR reading each submission as FHIR (docs/fhir.md): patient data.",
    )

    def scopes(self) -> tuple[str, ...]:
        """The scopes ticked, in ``SCOPES`` order."""
        ticked = {
            "intakes:write": self.scope_intakes_write.data,
            "fhir:read": self.scope_fhir_read.data,
        }
        return tuple(scope for scope, on in ticked.items() if on)


class TokenRevokeForm(BaseForm):
    name = HiddenField(validators=[DataRequired()])


class Cleans:
    """Refuse at the field what the setting's own validator (``intake.clinic``) refuses."""

    def __init__(self, clean: Callable[[str], Any]) -> None:
        self.clean = clean

    def __call__(self, form: BaseForm, field: Field) -> None:
        try:
            self.clean(field.data or "")
        except InvalidSetting as error:
            raise ValidationError(str(error)) from error


class DayHoursCheck:
    """One weekday's two times: both or neither, each a time, closing after opening
    (``clinic.day_hours`` decides; the message goes to the field it is about)."""

    def __init__(self, day: str, which: str) -> None:
        self.day, self.which = day, which

    def __call__(self, form: BaseForm, field: Field) -> None:
        mine = field.data or ""
        other = form[f"{self.day}_{'closes' if self.which == 'opens' else 'opens'}"].data or ""
        try:
            if mine.strip():
                clinic.parse_clock(mine)
            if self.which == "opens":
                clinic.day_hours(mine, other)
            else:
                clinic.day_hours(other, mine)
        except InvalidSetting as error:
            if error.part in ("", self.which):
                raise ValidationError(str(error)) from error


def _time(day: str, which: str) -> StringField:
    return StringField(
        "Opens" if which == "opens" else "Closes",
        validators=[DayHoursCheck(day, which)],
        render_kw={"type": "time", "class": "short"},
    )


class SettingsForm(BaseForm):
    """Every setting of ``intake.services.settings``; the view stores what changed."""

    export_free_text = BooleanField("Include free-text answers in CSV exports")
    pdf_paper = RadioField(
        "Paper size for PDFs",
        choices=dict(PAPER_SIZES),
        description="The summary PDF's paper: US Letter unless the clinic prints on A4.",
        validators=[DataRequired("Choose a paper size.")],
    )
    clinic_name = StringField(
        "Clinic name",
        description="As patients know it; shown in page titles and headers.",
        validators=[Length(max=clinic.NAME_MAX)],
        render_kw={"autocomplete": "organization"},
    )
    clinic_phone = StringField(
        "Clinic phone number",
        description="As patients should dial it, e.g. 503-555-0100. Shown on every patient page.",
        validators=[Cleans(clinic.clean_phone)],
        render_kw={"autocomplete": "tel", "type": "tel"},
    )
    clinic_address = TextAreaField(
        "Clinic address",
        description="One line per line of the address.",
        validators=[Length(max=clinic.ADDRESS_MAX)],
        render_kw={"rows": 3},
    )
    legal_name = StringField(
        "Legal name",
        description="The name the clinic bills under, as the payer has it. On the "
        "prior-authorization packet.",
        validators=[Length(max=clinic.LEGAL_NAME_MAX)],
        render_kw={"autocomplete": "organization"},
    )
    tin = StringField(
        "Tax identification number (TIN)",
        description="The clinic's federal TIN (EIN): 9 digits, e.g. 12-3456789.",
        validators=[Cleans(clinic.clean_tin)],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "class": "short"},
    )
    group_npi = StringField(
        "Group NPI",
        description="The clinic's organisation (type 2) NPI: 10 digits.",
        validators=[Cleans(clinic.clean_npi)],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "class": "short"},
    )
    time_zone = StringField(
        "Time zone",
        description=(
            "The IANA name, e.g. America/New_York or America/Los_Angeles. Every time staff and "
            "patients see is shown in it; the database keeps UTC."
        ),
        validators=[DataRequired("Give the clinic's time zone."), Cleans(clinic.clean_time_zone)],
        render_kw={"spellcheck": "false", "autocapitalize": "off"},
    )
    #: Defaults of a new course of care (a clinician may change them when starting one).
    course_every_days = StringField(
        SETTINGS[COURSE_EVERY_DAYS].label,
        description=SETTINGS[COURSE_EVERY_DAYS].hint,
        validators=[
            DataRequired("Enter a number of days."),
            Cleans(SETTINGS[COURSE_EVERY_DAYS].clean),
        ],
        render_kw={"inputmode": "numeric", "class": "short", "autocomplete": "off"},
    )
    course_maintenance_months = StringField(
        SETTINGS[COURSE_MAINTENANCE_MONTHS].label,
        description=SETTINGS[COURSE_MAINTENANCE_MONTHS].hint,
        validators=[
            DataRequired("Enter a number of months (0 for none)."),
            Cleans(SETTINGS[COURSE_MAINTENANCE_MONTHS].clean),
        ],
        render_kw={"inputmode": "numeric", "class": "short", "autocomplete": "off"},
    )
    monday_opens = _time("monday", "opens")
    monday_closes = _time("monday", "closes")
    tuesday_opens = _time("tuesday", "opens")
    tuesday_closes = _time("tuesday", "closes")
    wednesday_opens = _time("wednesday", "opens")
    wednesday_closes = _time("wednesday", "closes")
    thursday_opens = _time("thursday", "opens")
    thursday_closes = _time("thursday", "closes")
    friday_opens = _time("friday", "opens")
    friday_closes = _time("friday", "closes")
    saturday_opens = _time("saturday", "opens")
    saturday_closes = _time("saturday", "closes")
    sunday_opens = _time("sunday", "opens")
    sunday_closes = _time("sunday", "closes")
    holidays = TextAreaField(
        "Holidays",
        description=(
            "Days the clinic is closed, one a line: the date as YYYY-MM-DD, then a name if you "
            "like, e.g. 2026-12-25 Christmas Day."
        ),
        validators=[Cleans(clinic.parse_holiday_lines)],
        render_kw={"rows": 5, "spellcheck": "false"},
    )

    def day_fields(self) -> list[tuple[str, Field, Field]]:
        """(weekday, opens, closes) for each day, Monday first."""
        return [(day, self[f"{day}_opens"], self[f"{day}_closes"]) for day in clinic.WEEKDAYS]

    def hours(self) -> clinic.WeeklyHours | None:
        """The validated week (None when no day has hours)."""
        return clinic.weekly_hours(
            [clinic.day_hours(o.data or "", c.data or "") for _day, o, c in self.day_fields()]
        )

    def fill_hours(self, hours: clinic.WeeklyHours | None) -> None:
        for (_day, opens, closes), slot in zip(
            self.day_fields(), hours or (None,) * 7, strict=True
        ):
            opens.data = slot.opens.strftime("%H:%M") if slot else ""
            closes.data = slot.closes.strftime("%H:%M") if slot else ""


class TierForm(BaseForm):
    """An on-call tier: its name and how long it has before the next tier is alerted."""

    name = StringField(
        "Tier name",
        validators=[DataRequired("Give the tier a name."), Length(max=100)],
        description="Who is on call, e.g. “Front desk” or “Clinical lead”.",
    )
    minutes = IntegerField(
        "Escalate after (minutes)",
        validators=[
            InputRequired("Enter a number of minutes."),
            NumberRange(1, 1440, "Enter a number of minutes from 1 to 1440."),
        ],
        description="Without an acknowledgement by then, the next tier is alerted (the last "
        "tier is alerted again).",
    )


RECIPIENT_KINDS = (
    SelectChoice("account", "A staff account’s e-mail"),
    SelectChoice("email", "An e-mail address"),
    SelectChoice("webhook", "A webhook (HTTPS)"),
)


class RecipientForm(BaseForm):
    """Someone a tier's alerts go to: a staff account, an e-mail address or a webhook."""

    kind = RadioField(
        "Send alerts to",
        choices=list(RECIPIENT_KINDS),
        validators=[InputRequired("Choose where alerts go.")],
    )
    account = SelectField(
        "Staff account", choices=[SelectChoice("", "Choose an account")], validate_choice=False
    )
    email = EmailField(
        "E-mail address",
        validators=[Optional(), Email("Enter a valid e-mail address."), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )
    webhook_url = URLField(
        "Webhook URL",
        validators=[Optional(), Length(max=500)],
        description="https:// only. It receives a signed JSON body (docs/operations.md).",
        render_kw={"autocomplete": "off"},
    )
    webhook_secret = PasswordField(
        "Webhook secret",
        validators=[Optional(), Length(min=16, max=200, message="16 to 200 characters.")],
        description="16 characters or more, shared with the receiver, which checks each "
        "request's signature with it. It is not shown again.",
        render_kw={"autocomplete": "new-password"},
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        kind = self.kind.data
        if kind == "account" and not self.account.data:
            self.account.errors = [*self.account.errors, "Choose a staff account."]
            valid = False
        if kind == "email" and not self.email.data:
            self.email.errors = [*self.email.errors, "Enter an e-mail address."]
            valid = False
        if kind == "webhook":
            if not self.webhook_url.data:
                self.webhook_url.errors = [*self.webhook_url.errors, "Enter the webhook's URL."]
                valid = False
            if not self.webhook_secret.data:
                self.webhook_secret.errors = [*self.webhook_secret.errors, "Enter a secret."]
                valid = False
        return valid


class ActionForm(BaseForm):
    """A button's form: only its CSRF token (the tier or recipient id is posted beside it)."""
