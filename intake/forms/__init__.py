"""WTForms forms. Forms validate and shape input; they know nothing about the database."""

from intake.forms import html_attrs
from intake.forms.base import BaseForm, WizardForm

# Every form here is drawn by WTForms' widgets: give them the faster attribute writer first.
html_attrs.install()

__all__ = ["BaseForm", "WizardForm"]
