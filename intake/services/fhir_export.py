"""A stored submission as a FHIR Bundle, and the audit of every read (docs/fhir.md).

The Bundle is built from what was stored (the answers and the evaluation they got: never
re-derived) by the pure :mod:`intake.fhir`, and checked with the model library before it leaves.
Reads are audited here, as every service audits: the caller commits.
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app

from intake import fhir
from intake.models import ApiToken, Submission
from intake.services import audit


def base_url() -> str:
    """The canonical base of the app's FHIR definitions (``FHIR_BASE_URL``)."""
    return str(current_app.config.get("FHIR_BASE_URL") or fhir.DEFAULT_BASE_URL)


def submission_bundle(submission: Submission) -> dict[str, Any]:
    """The submission's Bundle, validated by the fhir.resources models."""
    document = fhir.bundle(
        submission.answers,
        submission.evaluation,
        fhir.Submitted(submission.reference, submission.submitted_at),
        base_url(),
    )
    fhir.validate(document)
    return document


def questionnaire(name: str) -> dict[str, Any] | None:
    """The Questionnaire called ``name``, or None."""
    if name not in fhir.QUESTIONNAIRE_NAMES:
        return None
    return fhir.questionnaire(name, base_url())


def as_json(resource: dict[str, Any]) -> str:
    return json.dumps(resource, ensure_ascii=False, indent=2)


def record_bundle_read(
    submission: Submission, document: dict[str, Any], token: ApiToken | None = None
) -> None:
    """Audit one read of a submission's Bundle: by an API token (its name) or the signed-in
    clinician; ids and counts only, never an answer."""
    detail: dict[str, Any] = {"via": "api" if token is not None else "clinician"}
    if token is not None:
        detail["token"] = token.name
    detail["resources"] = len(document["entry"])
    audit.record("fhir_bundle_read", submission=submission, detail=detail)


def record_questionnaire_read(name: str, token: ApiToken) -> None:
    audit.record("fhir_questionnaire_read", detail={"name": name, "token": token.name})


def record_refused(token: ApiToken, scope: str, submission_id: int | None = None) -> None:
    """A token without the scope asked for FHIR (the 403)."""
    detail: dict[str, Any] = {"token": token.name, "scope": scope}
    if submission_id is not None:
        detail["submission_id"] = submission_id
    audit.record("access_refused", detail=detail)
