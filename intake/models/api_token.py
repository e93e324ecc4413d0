"""Bearer tokens for kiosks and integrations; only a hash of each token is stored."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.models.types import UTCDateTime, utcnow


class ApiToken(Model):
    """A named API token. The token itself is shown once, at creation, and never stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: What the token may do, space-separated (``services.api_tokens.SCOPES``).
    scopes: Mapped[str] = mapped_column(
        sa.String(200), default="intakes:write", server_default="intakes:write"
    )

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes.split()
