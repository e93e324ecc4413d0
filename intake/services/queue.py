"""The front-desk queue: pinned urgent submissions, filters, search, sorting and pages.

Unacknowledged urgent submissions matching the filters are pinned above the list, longest
waiting first (the partial index ``ix_submission_pinned``). The list below holds everything
else, sorted as asked, one page at a time (LIMIT/OFFSET on indexed columns, ties broken by id).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import defer

from intake.extensions import db
from intake.models import Submission
from intake.models.submission import SubmissionPathway, pinned_condition
from intake.names import fold_name
from intake.rules import ruleset

PAGE_SIZE = 50
PINNED_LIMIT = 100

SORTS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "last_name": "Last name A-Z",
    "status": "Status",
}


def pathway_titles() -> dict[str, str]:
    """Pathway codes and titles of the loaded ruleset, in priority order (the pathway filter).

    Read from the ruleset on each call, not copied here, so a pathway added to ``ruleset.yaml``
    can be filtered on with no other change.
    """
    return {rule.code: rule.title for rule in ruleset.default_ruleset().pathways}


def _parse_date(value: str) -> date | None:
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


@dataclass
class QueueFilters:
    status: str = ""
    urgent: str = ""  # "", "yes", "no"
    concern: str = ""
    coverage: str = ""
    pathway: str = ""
    date_from: str = ""
    date_to: str = ""
    q: str = ""
    sort: str = "newest"
    page: int = 1
    problems: list[str] = field(default_factory=list)

    #: The day a typed date names (YYYY-MM-DD, MM/DD/YYYY or MM-DD-YYYY), or None.
    parse_date = staticmethod(_parse_date)

    def as_form(self) -> dict[str, str]:
        """The filters as form fields (for hidden inputs carrying them to the next page)."""
        values = asdict(self)
        values.pop("problems")
        values.pop("page")
        return {k: str(v) for k, v in values.items() if v}

    @property
    def active(self) -> bool:
        return any(v for k, v in self.as_form().items() if k != "sort")


def _conditions(f: QueueFilters) -> list[sa.ColumnElement[bool]]:
    s = Submission
    conds: list[sa.ColumnElement[bool]] = []
    if f.status:
        conds.append(s.status == f.status)
    if f.urgent == "yes":
        conds.append(s.urgent.is_(True))
    elif f.urgent == "no":
        conds.append(s.urgent.is_(False))
    if f.concern:
        conds.append(s.primary_concern == f.concern)
    if f.coverage:
        conds.append(s.coverage_type == f.coverage)
    if f.pathway:
        conds.append(
            s.id.in_(
                sa.select(SubmissionPathway.submission_id).where(
                    SubmissionPathway.code == f.pathway
                )
            )
        )
    start = _parse_date(f.date_from) if f.date_from else None
    end = _parse_date(f.date_to) if f.date_to else None
    if start:
        conds.append(s.submitted_at >= datetime.combine(start, time.min, tzinfo=UTC))
    if end and end < date.max:  # up to 9999-12-31 means no upper bound (and has no next day)
        conds.append(s.submitted_at < datetime.combine(end + timedelta(days=1), time.min, UTC))
    if f.q:
        dob = _parse_date(f.q)
        if dob is not None:
            conds.append(s.date_of_birth == dob)
        else:
            # Stored names are folded with casefold(); also try without accents, so "alvarez"
            # finds a name stored accent-free and "Álvarez" finds one stored with its accent.
            names = {f.q.strip().casefold(), fold_name(f.q)}
            compact = re.sub(r"[\s-]", "", f.q).upper()
            references = {compact, f"{compact[:4]}-{compact[4:]}" if len(compact) == 8 else compact}
            conds.append(
                sa.or_(
                    s.reference.in_(sorted(references)),
                    *(s.last_name_folded.like(f"{_escape_like(n)}%", escape="\\") for n in names),
                )
            )
    return conds


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _pinned_condition() -> sa.ColumnElement[bool]:
    # Written as the partial index ``ix_submission_pinned`` states it, so the index is used.
    return pinned_condition()


@dataclass
class Row:
    """What one line of the queue shows (the JSON documents are not loaded for a list)."""

    submission: Submission
    first_name: str

    def __getattr__(self, name: str) -> object:
        return getattr(self.submission, name)


def _rows(stmt: sa.Select[Any]) -> list[Row]:
    first_name = Submission.answers["patient"]["first_name"].as_string()
    stmt = stmt.add_columns(first_name).options(
        defer(Submission.answers), defer(Submission.evaluation)
    )
    return [Row(s, name or "") for s, name in db.session.execute(stmt)]


@dataclass
class Pinned:
    rows: list[Row]
    total: int


def select_pinned(f: QueueFilters) -> sa.Select[Any]:
    """Every unacknowledged urgent submission matching the filters: acute suicide risk first,
    then longest waiting first.

    The queue shows the first ``PINNED_LIMIT`` of them; the CSV export streams them all. With
    ``urgent=no`` nothing is pinned, so the statement matches no row.
    """
    stmt = (
        sa.select(Submission)
        .where(_pinned_condition(), *_conditions(f))
        .order_by(Submission.acute.desc(), Submission.submitted_at.asc(), Submission.id.asc())
    )
    return stmt.where(sa.false()) if f.urgent == "no" else stmt


def select_listed(f: QueueFilters) -> sa.Select[Any]:
    """Every other submission matching the filters, sorted as asked (the list under the pins)."""
    return (
        sa.select(Submission)
        .where(sa.not_(_pinned_condition()), *_conditions(f))
        .order_by(*_order(f.sort))
    )


def count_matching(stmt: sa.Select[Any]) -> int:
    """How many submissions ``select_pinned`` or ``select_listed`` matches (one COUNT query)."""
    where = stmt.whereclause
    query = sa.select(sa.func.count()).select_from(Submission)
    if where is not None:
        query = query.where(where)
    return db.session.scalar(query) or 0


def matching_ids(*statements: sa.Select[Any]) -> list[int]:
    """The ids ``select_pinned`` / ``select_listed`` statements match, in their order."""
    return [
        submission_id
        for statement in statements
        for submission_id in db.session.scalars(statement.with_only_columns(Submission.id))
    ]


def pinned(f: QueueFilters) -> Pinned:
    """Unacknowledged urgent submissions matching the filters, acute first, then oldest first."""
    if f.urgent == "no":
        return Pinned([], 0)
    stmt = select_pinned(f)
    rows = _rows(stmt.limit(PINNED_LIMIT))
    total = len(rows)
    if total == PINNED_LIMIT:
        total = count_matching(stmt)
    return Pinned(rows, total)


def _order(sort: str) -> list[sa.UnaryExpression[Any]]:
    s = Submission
    if sort == "oldest":
        return [s.submitted_at.asc(), s.id.asc()]
    if sort == "last_name":
        return [s.last_name_folded.asc(), s.id.asc()]
    if sort == "status":
        return [s.status.asc(), s.submitted_at.desc(), s.id.desc()]
    return [s.submitted_at.desc(), s.id.desc()]


@dataclass
class Page:
    items: list[Row]
    total: int
    page: int
    pages: int


def listing(f: QueueFilters, per_page: int = PAGE_SIZE) -> Page:
    """One page of the submissions that are not pinned, sorted as asked."""
    stmt = select_listed(f)
    total = count_matching(stmt)
    pages = max(1, -(-total // per_page))
    page = min(f.page, pages)
    # Page through ids on the indexes first, then load only those rows: a deep OFFSET then
    # skips index entries instead of reading (and de-TOASTing) the rows it skips.
    ids = list(
        db.session.scalars(
            stmt.with_only_columns(Submission.id).limit(per_page).offset((page - 1) * per_page)
        )
    )
    position = {sid: i for i, sid in enumerate(ids)}
    rows = _rows(sa.select(Submission).where(Submission.id.in_(ids))) if ids else []
    rows.sort(key=lambda row: position[row.submission.id])
    return Page(rows, total, page, pages)


def unacknowledged_urgent_count() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Submission).where(_pinned_condition())
        )
        or 0
    )


def waited(since: datetime, now: datetime | None = None) -> str:
    """How long ago, in words a person reads at a glance: "3 h 20 min", "2 days 4 h"."""
    delta = (now or datetime.now(UTC)) - since
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rem = divmod(minutes, 1440)
    hours, mins = divmod(rem, 60)
    if days:
        return f"{days} day{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"
