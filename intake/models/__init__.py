"""Typed SQLAlchemy 2.0 models, one module per concern; import them from here."""

from intake.models.api_token import ApiToken
from intake.models.clinician_review import ClinicianReview
from intake.models.draft import Draft
from intake.models.insurance import InsuranceVerification
from intake.models.setting import Setting
from intake.models.submission import Submission

__all__ = [
    "ApiToken",
    "ClinicianReview",
    "Draft",
    "InsuranceVerification",
    "Setting",
    "Submission",
]
