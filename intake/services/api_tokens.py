"""API tokens for kiosks and integrations: created once, stored only as a hash, revocable.

Creating and revoking are audited here, so the admin page and the ``api-token`` command leave
the same trail; like every service, these flush and audit but never commit (the caller does,
once, so the token and its audit event are saved together or not at all).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import bindparam, select

from intake.extensions import db
from intake.models import ApiToken
from intake.services import audit

#: The scopes a token may hold: ``intakes:write`` sends intakes (``POST /api/v1/intakes``), every
#: token's scope unless others are named; ``fhir:read`` reads a submission's FHIR Bundle.
SCOPES = ("intakes:write", "fhir:read")
DEFAULT_SCOPES = ("intakes:write",)


class TokenError(Exception):
    """A token operation that cannot be done (duplicate name, unknown name)."""


def _digest(token: str) -> str:
    # The token is 256 random bits, so a plain SHA-256 is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(name: str, scopes: tuple[str, ...] = DEFAULT_SCOPES) -> str:
    """Add a token called ``name`` holding ``scopes`` and its audit event, and return the token.

    This is the only time the token is visible. The caller commits.
    """
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown or not scopes:
        raise TokenError("a token's scopes are one or more of: " + ", ".join(SCOPES))
    held = " ".join(scope for scope in SCOPES if scope in scopes)
    name = name.strip()
    if not name or len(name) > 100:
        raise TokenError("the token name must be 1-100 characters")
    if db.session.scalar(select(ApiToken).where(ApiToken.name == name)) is not None:
        raise TokenError(f"a token called {name!r} already exists")
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(name=name, token_sha256=_digest(token), scopes=held))
    db.session.flush()
    audit.record("token_created", detail={"name": name, "scopes": held})
    return token


def revoke_token(name: str) -> None:
    """Revoke the token called ``name`` and audit it; once committed, requests with it get 401.

    Revoking a token that is already revoked changes nothing and records nothing.
    """
    record = db.session.scalar(select(ApiToken).where(ApiToken.name == name))
    if record is None:
        raise TokenError(f"no token called {name!r}")
    if record.revoked_at is None:
        record.revoked_at = datetime.now(UTC)
        db.session.flush()
        audit.record("token_revoked", detail={"name": name})


#: Built once with a bound parameter: every API request looks its token up, and building and
#: cache-keying the statement each time cost about as much as running it.
_BY_DIGEST = select(ApiToken).where(ApiToken.token_sha256 == bindparam("digest"))


def find_active_token(presented: str) -> ApiToken | None:
    """The active token matching ``presented``, or None.

    One SHA-256 of the presented token and a look-up by the unique digest: a token is 256
    random bits, so there is nothing to brute-force and no slow password hash to pay for."""
    digest = _digest(presented)
    record = db.session.scalar(_BY_DIGEST, {"digest": digest})
    if record is None or record.revoked_at is not None:
        return None
    # The lookup is by digest; compare again in constant time for good measure.
    return record if hmac.compare_digest(record.token_sha256, digest) else None
