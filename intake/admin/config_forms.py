"""Forms of the API-token and settings pages.

Kept apart from ``admin/forms.py`` (the staff-account forms): these pages configure the app
rather than people, and change on their own.
"""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

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
