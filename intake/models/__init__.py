"""Typed SQLAlchemy 2.0 models, one module per concern; import them from here."""

from intake.models.api_token import ApiToken
from intake.models.draft import Draft
from intake.models.submission import Submission

__all__ = ["ApiToken", "Draft", "Submission"]
