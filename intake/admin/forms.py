"""Admin forms."""

from __future__ import annotations

from wtforms import EmailField, Field, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from intake import billing
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


def _npi_check(form: BaseForm, field: Field) -> None:
    value = (field.data or "").strip()
    if value and (problem := billing.npi_problem(value)):
        raise ValidationError(problem)


class ClinicianProfileForm(BaseForm):
    """A clinician's name as payers know it and their individual NPI (the packet's ordering
    psychiatrist)."""

    full_name = StringField(
        "Name with credentials",
        validators=[Length(max=200)],
        description="As payers know the clinician, e.g. Dana Ortiz, MD.",
        render_kw={"autocomplete": "off"},
    )
    npi = StringField(
        "NPI",
        validators=[_npi_check],
        description="The clinician's individual (type 1) NPI: 10 digits. Leave blank to clear.",
        render_kw={"autocomplete": "off", "inputmode": "numeric", "class": "short"},
    )
