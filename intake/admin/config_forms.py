"""Forms of the API-token, settings and alerts pages.

Kept apart from ``admin/forms.py`` (the staff-account forms): these pages configure the app
rather than people, and change on their own.
"""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    URLField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from intake.forms.base import BaseForm


class TokenCreateForm(BaseForm):
    name = StringField(
        "Token name",
        validators=[DataRequired("Give the token a name."), Length(max=100)],
        description="Where it is used, e.g. “front-desk kiosk 2”.",
    )


class TokenRevokeForm(BaseForm):
    name = HiddenField(validators=[DataRequired()])


class SettingsForm(BaseForm):
    export_free_text = BooleanField("Include free-text answers in CSV exports")


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
