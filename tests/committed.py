"""Reading what was committed, not what the test's own session holds.

The test client's requests run inside the test's app context, so they share its database
session: a view that forgot to commit would still look right through ``db.session``. These read
through a connection of their own, which sees only committed rows (docs/architecture.md: the
view or command commits, once).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from intake.extensions import db


def committed(statement: Select[Any]) -> Any:
    """The first column of the first row ``statement`` gives on a new connection."""
    with db.engine.connect() as conn:
        return conn.execute(statement).scalar()


def committed_count(model: Any, *conditions: Any) -> int:
    """How many committed rows of ``model`` match ``conditions``."""
    return int(committed(select(func.count()).select_from(model).where(*conditions)) or 0)
