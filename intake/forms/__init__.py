"""WTForms forms. Forms validate and shape input; they know nothing about the database."""

from intake.forms.base import BaseForm, WizardForm

__all__ = ["BaseForm", "WizardForm"]
