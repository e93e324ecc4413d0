"""API routes: evaluate a document (stores nothing) and submit one (bearer token)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue

from intake.api import bp
from intake.extensions import limiter
from intake.services.api_tokens import find_active_token
from intake.services.submissions import evaluate_document, submit_document, today


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
    try:
        _answers, evaluation = evaluate_document(document, as_of)
    except InvalidAnswers as exc:
        return _problems_response(exc.problems)
    return jsonify(evaluation)


@bp.post("/intakes")
def create_intake() -> ResponseReturnValue:
    """Store a submitted intake sent by a kiosk or integration holding a valid API token."""
    from intake.answers import InvalidAnswers

    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented or find_active_token(presented) is None:
        response = jsonify({"error": "a valid API token is required"})
        response.headers["WWW-Authenticate"] = 'Bearer realm="intake"'
        return response, 401
    document, problem = _read_json()
    if problem:
        return problem
    try:
        submission = submit_document(document, source="api")
    except InvalidAnswers as exc:
        return _problems_response(exc.problems)
    return jsonify({"id": submission.id, "reference": submission.reference}), 201
