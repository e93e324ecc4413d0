"""Staff accounts: front desk, clinicians and admins (one account may hold several roles)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from intake.extensions import Model
from intake.models.types import UTCDateTime, utcnow
from intake.roles import ROLES, mixes_admin_and_patient_data

__all__ = ["ROLES", "User"]


class User(Model):
    """A staff account.

    ``roles`` is a comma-separated, sorted list of role codes (``"admin,front_desk"``).
    ``session_generation`` is part of the Flask-Login id: bumping it (password change, disable)
    ends every other session of this account at its next request.
    ``must_change_password``: the password was set by someone else (an admin, ``user create``),
    so the next sign-in asks for a new one before anything else.
    ``totp_pending_secret``: the authenticator secret being set up, kept here (not in the
    session cookie, which is signed but readable) until a code from it is confirmed.
    """

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    roles_csv: Mapped[str] = mapped_column("roles", sa.String(100), default="")
    disabled: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    #: The 30-second time step of the last code accepted: a code is good once, never replayed.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    totp_pending_secret: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    session_generation: Mapped[int] = mapped_column(default=1)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: A clinician's individual NPI (ten digits, check digit verified: ``intake.billing``), set
    #: by an admin; the ordering psychiatrist's on the prior-authorization packet.
    npi: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    #: The name a payer knows the clinician by ("Dana Ortiz, MD"), set with the NPI.
    full_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # --- roles -------------------------------------------------------------------------------
    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r for r in self.roles_csv.split(",") if r)

    @roles.setter
    def roles(self, value: set[str] | frozenset[str] | list[str] | tuple[str, ...]) -> None:
        unknown = set(value) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown role(s): {', '.join(sorted(unknown))}")
        self.roles_csv = ",".join(sorted(set(value)))

    def has_role(self, *roles: str) -> bool:
        """True when the account holds any of ``roles``."""
        return bool(self.roles.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [ROLES[r] for r in sorted(self.roles) if r in ROLES]

    # --- Flask-Login -------------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return not self.disabled

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_generation}"

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    @property
    def mixes_duties(self) -> bool:
        """Admin together with a patient-data role (only possible for accounts made before the
        rule; docs/staff.md): flagged on the accounts page and by ``user list``."""
        return mixes_admin_and_patient_data(self.roles)

    def __repr__(self) -> str:  # never includes the hash or secret
        return f"<User {self.id}>"

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()
