"""API routes: evaluate a document (stores nothing) and submit one (bearer token).

``POST /intakes`` accepts an ``Idempotency-Key`` header (1-64 letters, digits, ``-_.:``; a UUID
is typical). A kiosk that got no answer, or a 503, sends the same request again with the same
key: if the first one was stored, its 201 body (same id and reference) comes back and nothing
is stored again; the same key with different answers is a 422.

``POST /intakes`` is rate-limited per API token (``API_INTAKE_RATE_LIMIT``, 60 a minute by
default), not per address: a clinic's kiosks often share one address, and a leaked token is
limited wherever it is used from. A request without a valid token counts against its address.
Over the limit: 429 with ``Retry-After`` and a JSON body (``intake.errors``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address

from intake.api import bp
from intake.extensions import db, limiter
from intake.models import ApiToken
from intake.services.api_tokens import find_active_token
from intake.services.submissions import (
    Idempotency,
    KeyAlreadyUsed,
    evaluate_document,
    find_by_idempotency_key,
    request_digest,
    submit_document,
    today,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def _problems_response(problems: list[Any], status: int = 422) -> ResponseReturnValue:
    body = {"errors": [{"path": p.path, "message": p.message} for p in problems]}
    return jsonify(body), status


def _error(path: str, message: str, status: int = 422) -> ResponseReturnValue:
    return jsonify({"errors": [{"path": path, "message": message}]}), status


def _read_json() -> tuple[object | None, ResponseReturnValue | None]:
    """The request's JSON body, or an error response when it is missing or unreadable."""
    if not request.is_json:
        return None, _error("", "send the answers document as application/json", 415)
    try:
        document = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser can follow: not a document
        document = None
    if document is None:
        return None, _error("", "the body is not valid JSON", 400)
    return document, None


def _as_of() -> tuple[date | None, ResponseReturnValue | None]:
    raw = request.args.get("as_of")
    if raw is None:
        return today(), None
    try:
        return date.fromisoformat(raw), None
    except ValueError:
        return None, _error("as_of", "must be a date written YYYY-MM-DD")


def _evaluation_limit() -> str:
    return str(current_app.config["EVALUATION_RATE_LIMIT"])


@bp.post("/evaluations")
@limiter.limit(_evaluation_limit)
def create_evaluation() -> ResponseReturnValue:
    """Evaluate an answers document and return the evaluation; nothing is stored."""
    from intake.answers import InvalidAnswers

    as_of, problem = _as_of()
    if problem:
        return problem
    document, problem = _read_json()
    if problem:
        return problem
    assert as_of is not None  # _as_of gives a date or a problem
    try:
        _answers, evaluation = evaluate_document(document, as_of)
    except InvalidAnswers as exc:
        return _problems_response(exc.problems)
    return jsonify(evaluation)


def _idempotency_key() -> tuple[str | None, ResponseReturnValue | None]:
    """The request's ``Idempotency-Key`` (None when not sent), or a 400 when it is malformed."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None, None
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        return None, _error(
            IDEMPOTENCY_HEADER,
            "must be 1-64 characters: letters, digits, '-', '_', '.' or ':' (a UUID works)",
            400,
        )
    return key, None


def _created(submission_id: int, reference: str, *, replayed: bool = False) -> ResponseReturnValue:
    response = jsonify({"id": submission_id, "reference": reference})
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response, 201


def _replay(submission: Any, digest: str) -> ResponseReturnValue:
    """The first request's 201 for a true retry; a 422 when the key came with other answers."""
    if submission.request_sha256 != digest:
        return _error(
            IDEMPOTENCY_HEADER,
            "this key was already used for a different intake: send a new key for new answers",
        )
    return _created(submission.id, submission.reference, replayed=True)


_TOKEN_KEY = "intake.api_token"  # noqa: S105 - a WSGI environ key, not a token


def _presented_token() -> ApiToken | None:
    """The active API token of the request's ``Authorization: Bearer`` header, looked up once
    per request (the rate limit's key and the view both need it)."""
    if _TOKEN_KEY not in request.environ:
        header = request.headers.get("Authorization", "")
        scheme, _, presented = header.partition(" ")
        valid = scheme.lower() == "bearer" and presented
        request.environ[_TOKEN_KEY] = find_active_token(presented) if valid else None
    token: ApiToken | None = request.environ[_TOKEN_KEY]
    return token


def _intake_limit() -> str:
    return str(current_app.config["API_INTAKE_RATE_LIMIT"])


@bp.before_request
def _look_up_the_token() -> None:
    """Find the intake request's token before the rate limit is checked, so the limit's key
    needs no query: Flask-Limiter takes any error raised while checking a limit (a database
    outage here) for its own storage failing, and would leave Redis for in-process counts."""
    if request.endpoint == "api.create_intake":
        _presented_token()


def _intake_limit_key() -> str:
    """Count by API token id; a request without a valid token counts against its address."""
    token = request.environ.get(_TOKEN_KEY)
    if isinstance(token, ApiToken):
        return f"api-token:{token.id}"
    return f"address:{get_remote_address()}"


@bp.post("/intakes")
@limiter.limit(_intake_limit, key_func=_intake_limit_key)
def create_intake() -> ResponseReturnValue:
    """Store a submitted intake sent by a kiosk or integration holding a valid API token."""
    from intake.answers import InvalidAnswers

    token = _presented_token()
    if token is None:
        response = jsonify({"error": "a valid API token is required"})
        response.headers["WWW-Authenticate"] = 'Bearer realm="intake"'
        return response, 401
    if not token.has_scope("intakes:write"):
        return _scope_refused(token, "intakes:write")
    token_id = token.id
    key, problem = _idempotency_key()
    if problem:
        return problem
    document, problem = _read_json()
    if problem:
        return problem
    idempotency = None
    if key is not None:
        idempotency = Idempotency(token_id, key, request_digest(document))
        existing = find_by_idempotency_key(token_id, key)
        if existing is not None:
            return _replay(existing, idempotency.request_sha256)
    try:
        submission = submit_document(document, source="api", idempotency=idempotency)
    except InvalidAnswers as exc:
        return _problems_response(exc.problems)
    except KeyAlreadyUsed as exc:  # a concurrent retry stored it first
        assert idempotency is not None
        return _replay(exc.submission, idempotency.request_sha256)
    # Read before the commit (which expires them), so no query follows it: a connection lost
    # right after COMMIT cannot turn a stored intake into an error.
    submission_id, reference = submission.id, submission.reference
    db.session.commit()
    return _created(submission_id, reference)


def _unauthorized() -> ResponseReturnValue:
    response = jsonify({"error": "a valid API token is required"})
    response.headers["WWW-Authenticate"] = 'Bearer realm="intake"'
    return response, 401


def _scope_refused(
    token: ApiToken, scope: str, submission_id: int | None = None
) -> ResponseReturnValue:
    from intake.services.fhir_export import record_refused

    record_refused(token, scope, submission_id)
    db.session.commit()
    return jsonify({"error": f"this API token does not hold the {scope} scope"}), 403


def _fhir_response(resource: dict[str, Any]) -> ResponseReturnValue:
    from intake.fhir import MEDIA_TYPE
    from intake.services.fhir_export import as_json

    return current_app.response_class(as_json(resource), mimetype=MEDIA_TYPE)


@bp.get("/intakes/<int:submission_id>/fhir")
def intake_fhir(submission_id: int) -> ResponseReturnValue:
    """A stored submission as a FHIR Bundle, to a token holding ``fhir:read`` (docs/fhir.md)."""
    from intake.models import Submission
    from intake.services.fhir_export import record_bundle_read, submission_bundle

    token = _presented_token()
    if token is None:
        return _unauthorized()
    if not token.has_scope("fhir:read"):
        return _scope_refused(token, "fhir:read", submission_id)
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        return jsonify({"error": "no intake with this id"}), 404
    document = submission_bundle(submission)
    record_bundle_read(submission, document, token)
    db.session.commit()
    return _fhir_response(document)


@bp.get("/fhir/Questionnaire/<name>")
def fhir_questionnaire(name: str) -> ResponseReturnValue:
    """One of the app's Questionnaire definitions (``intake.fhir.QUESTIONNAIRE_NAMES``)."""
    from intake.services.fhir_export import questionnaire, record_questionnaire_read

    token = _presented_token()
    if token is None:
        return _unauthorized()
    if not token.has_scope("fhir:read"):
        return _scope_refused(token, "fhir:read")
    definition = questionnaire(name)
    if definition is None:
        return jsonify({"error": "no Questionnaire with this name"}), 404
    record_questionnaire_read(name, token)
    db.session.commit()
    return _fhir_response(definition)
