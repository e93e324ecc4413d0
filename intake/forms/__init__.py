"""WTForms forms. Forms validate and shape input; they know nothing about the database.

Importing the package puts the faster attribute writer in WTForms' widgets (``html``).
"""

from intake.forms import html
from intake.forms.base import BaseForm, WizardForm

html.install()

__all__ = ["BaseForm", "WizardForm"]
