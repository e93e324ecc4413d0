"""The insurance checklist history on the submission page, for the roles that work insurance.

Clinicians see the submission page too, but not the insurance panel, so they do not get the
history either. Showing it is a view of patient data and is audited each time it is shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from intake.extensions import db
from intake.models import Submission, User
from intake.models.insurance import CHECKLIST_FIELDS
from intake.services import audit
from intake.services.insurance import FIELD_LABELS, INSURANCE_ROLES
from intake.services.insurance_history import ChecklistVersion, versions_of


@dataclass(frozen=True)
class HistoryPanel:
    """What the template needs: the versions, newest first, and who saved them."""

    versions: list[ChecklistVersion]
    names: dict[int, str]
    fields: tuple[str, ...] = CHECKLIST_FIELDS
    labels: dict[str, str] = field(default_factory=lambda: dict(FIELD_LABELS))


def history_panel(submission: Submission, reader: User) -> HistoryPanel | None:
    """The panel for ``reader``, audited and committed; None for a role that may not see it."""
    if not reader.has_role(*INSURANCE_ROLES):
        return None
    versions = versions_of(submission)
    ids = {v.saved_by_id for v in versions if v.saved_by_id is not None}
    users: Iterable[User] = (
        db.session.scalars(db.select(User).where(User.id.in_(ids))) if ids else []
    )
    audit.record(
        "insurance_history_viewed", submission=submission, detail={"versions": len(versions)}
    )
    db.session.commit()
    return HistoryPanel(versions=versions, names={u.id: u.email for u in users})
