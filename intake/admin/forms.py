"""Admin forms."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectMultipleField
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from intake.auth.forms import NEW_PASSWORD
from intake.forms.base import BaseForm
from intake.models.user import ROLES
from intake.staff.forms import choices

ROLES_HINT = (
    "An admin account cannot also be front desk or clinician: give that work a separate account."
)


def roles_field() -> SelectMultipleField:
    """The roles tick-boxes, one definition for creating an account and changing its roles."""
    return SelectMultipleField(
        "Roles",
        choices=choices(ROLES),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired("Choose at least one role.")],
        description=ROLES_HINT,
    )


class CreateUserForm(BaseForm):
    email = EmailField(
        "Email",
        validators=[
            DataRequired("Enter an email address."),
            Email("Enter a valid email."),
            Length(max=254),
        ],
        render_kw={"autocomplete": "off"},
    )
    roles = roles_field()
    password = PasswordField(
        "Initial password",
        validators=[DataRequired("Enter an initial password."), Length(max=1000)],
        render_kw=NEW_PASSWORD,
        description="At least 12 characters, not a common password. Give it to the person "
        "privately; they must choose their own when they first sign in.",
    )


class RolesForm(BaseForm):
    roles = roles_field()


class SetPasswordForm(BaseForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Enter a new password."), Length(max=1000)],
        render_kw=NEW_PASSWORD,
        description="At least 12 characters, not a common password. Give it to the person "
        "privately; they must choose their own when they next sign in.",
    )
