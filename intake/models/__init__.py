"""Typed SQLAlchemy 2.0 models, one module per concern; import them from here."""

from intake.models.alert import Alert, AlertDelivery, AlertRecipient, AlertTier
from intake.models.api_token import ApiToken
from intake.models.audit import AuditEvent, ExportedRow
from intake.models.card_photo import CardPhoto
from intake.models.clinician_review import ClinicianReview
from intake.models.course import CheckIn, CheckInToken, Course, CourseSession
from intake.models.draft import Draft
from intake.models.insurance import InsuranceVerification, InsuranceVerificationHistory
from intake.models.patient import Patient, PatientMatch
from intake.models.rendered_pdf import RenderedPdf
from intake.models.risk import ContactAttempt, RiskAssessment
from intake.models.setting import Setting
from intake.models.staff_session import StaffSession
from intake.models.submission import Submission
from intake.models.user import User
from intake.models.workflow import Acknowledgement, Note, StatusChange

__all__ = [
    "Acknowledgement",
    "Alert",
    "AlertDelivery",
    "AlertRecipient",
    "AlertTier",
    "ApiToken",
    "AuditEvent",
    "CardPhoto",
    "CheckIn",
    "CheckInToken",
    "ClinicianReview",
    "ContactAttempt",
    "Course",
    "CourseSession",
    "Draft",
    "ExportedRow",
    "InsuranceVerification",
    "InsuranceVerificationHistory",
    "Note",
    "Patient",
    "PatientMatch",
    "RenderedPdf",
    "RiskAssessment",
    "Setting",
    "StaffSession",
    "StatusChange",
    "Submission",
    "User",
]
