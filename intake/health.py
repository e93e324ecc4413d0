"""Health checks: ``/livez`` (is the process up: no I/O) and ``/readyz`` (can it serve).

``/livez`` answers 200 from the worker alone, so an orchestrator restarts only a worker that is
really stuck, never every worker because the database is down. ``/readyz`` (also at the older
``/healthz``) says whether the app can serve requests now: can it reach its database and its
rate-limit store?

Each dependency is reported on its own, so an operator (or a load balancer) sees which one is
down: ``{"status": "ok"|"degraded", "database": "ok"|"down", "redis": "ok"|"down"|"not used"}``,
503 while either is down. It stays cheap: one ``SELECT 1`` on a pooled connection and one Redis
``PING`` on the rate limiter's own connection pool, each bounded by a short timeout.

A Redis outage does not stop the app (rate limits are counted per process meanwhile, see
docs/operations.md), but it is reported, because limits are then per worker, not shared.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from intake.extensions import csrf, db, limiter

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)
csrf.exempt(bp)
limiter.exempt(bp)  # a load balancer polling it is never refused


def database_state() -> str:
    """``"ok"`` when the database answers a trivial query, else ``"down"``."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        log.warning("healthz: database down (%s)", type(getattr(exc, "orig", exc)).__name__)
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session.remove()
        return "down"
    return "ok"


def redis_state() -> str:
    """``"ok"``, ``"down"``, or ``"not used"`` when rate limits are kept in memory."""
    uri = str(current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if uri.lower().startswith("memory://"):
        return "not used"
    try:
        healthy = limiter.storage.check()
    except Exception as exc:  # check() swallows its errors; this is belt and braces
        log.warning("healthz: redis check failed (%s)", type(exc).__name__)
        healthy = False
    return "ok" if healthy else "down"


@bp.get("/livez")
def livez() -> ResponseReturnValue:
    """Liveness: 200 whenever this worker can answer at all (no database, no Redis)."""
    return jsonify(status="ok")


@bp.get("/readyz")
@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Readiness: 200 when every dependency answers, 503 (``Retry-After``) while one does not."""
    from intake.errors import RETRY_AFTER_SECONDS

    database, redis = database_state(), redis_state()
    healthy = database == "ok" and redis != "down"
    response = jsonify(status="ok" if healthy else "degraded", database=database, redis=redis)
    if not healthy:
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
