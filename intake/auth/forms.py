"""Sign-in, two-factor and password forms."""

from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from intake.forms.base import BaseForm

#: What a browser's password manager needs to offer a new password.
NEW_PASSWORD = {"autocomplete": "new-password"}


class LoginForm(BaseForm):
    email = StringField(
        "Email",
        validators=[DataRequired("Enter your email."), Length(max=254)],
        render_kw={"autocomplete": "username", "type": "email"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


class TotpForm(BaseForm):
    code = StringField(
        "6-digit code from your authenticator app",
        validators=[
            DataRequired("Enter the 6-digit code."),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message="Enter the 6 digits shown in your app."),
        ],
        render_kw={"autocomplete": "one-time-code", "class": "short"},
    )


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password.")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired("Enter a new password."), Length(max=1000)],
        render_kw=NEW_PASSWORD,
        description="At least 12 characters. A few unrelated words make a good password.",
    )
    confirm_password = PasswordField(
        "New password again",
        validators=[
            DataRequired("Enter the new password again."),
            EqualTo("new_password", message="The two new passwords do not match."),
        ],
        render_kw=NEW_PASSWORD,
    )


class NewPasswordForm(BaseForm):
    """At sign-in, replacing a password someone else set (no current password: the sign-in's
    password step has just checked it)."""

    new_password = PasswordField(
        "New password",
        validators=[DataRequired("Enter a new password."), Length(max=1000)],
        render_kw=NEW_PASSWORD,
        description="At least 12 characters, not the one you were given. A few unrelated words "
        "make a good password.",
    )
    confirm_password = PasswordField(
        "New password again",
        validators=[
            DataRequired("Enter the new password again."),
            EqualTo("new_password", message="The two new passwords do not match."),
        ],
        render_kw=NEW_PASSWORD,
    )
