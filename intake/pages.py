"""Lookups shared by the pages of more than one audience.

The clinician summary (``intake.clinician``) and the front desk's insurance panel and packet
(``intake.staff``) both open a submission that has been evaluated and name the staff who changed
things, and every staff page shows codes in the vocabulary's staff wording (the ``label``
template filter). The helpers live here, outside either package, so neither audience imports
the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from flask import abort
from jinja2 import Undefined

from intake.extensions import db
from intake.models import Submission, User
from intake.vocabulary import named, staff_label, staff_labels


def get_submission(submission_id: int) -> Submission:
    """The submission, or 404 when it is missing or was never evaluated (these pages need both)."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.evaluation is None:
        abort(404)
    return submission


def evaluation_of(submission: Submission) -> dict[str, Any]:
    """The stored evaluation of a submission opened with :func:`get_submission` (never None)."""
    if submission.evaluation is None:
        abort(404)
    return submission.evaluation


def user_names(ids: set[int | None]) -> dict[int | None, str]:
    """Staff emails by account id, for "changed by" and "reviewed by" lines."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    users = db.session.scalars(db.select(User).where(User.id.in_(wanted)))
    return {user.id: user.email for user in users}


def comes_after(pathway: Mapping[str, Any], pathways: list[Mapping[str, Any]]) -> str:
    """The ``comes_after`` filter: "Bipolar assessment and TMS safety review …", or "".

    An intake-evaluation/2 pathway lists in ``after`` the offered pathways that should come
    first; staff read them by title. A v1 evaluation has no ``after``: nothing is shown.
    """
    titles = {p["code"]: p["title"] for p in pathways}
    names = [titles.get(code, code) for code in pathway.get("after") or ()]
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else ""


def label(code: object, list_name: str) -> object:
    """The ``label`` template filter: ``{{ ins.coverage_type|label("coverage_types") }}``.

    The staff wording of ``code`` in the vocabulary list of that name (in lower case); a name
    the vocabulary does not have fails the page, so a typo is found by the first test that
    renders it. An undefined value (a section missing from an older document) stays undefined
    and prints nothing, as it did before it was labelled.
    """
    choices = named(list_name)
    if isinstance(code, Undefined):
        return code
    return staff_label(choices, None if code is None else str(code))


class _Labels(dict[str | None, str]):
    """Staff wordings by code; a code the list does not have is worded as ``label`` words it."""

    def __init__(self, list_name: str) -> None:
        self._choices = named(list_name)
        super().__init__(staff_labels(self._choices).items())

    def __missing__(self, code: str | None) -> str:
        return staff_label(self._choices, code)


@cache
def labels(list_name: str) -> Mapping[str | None, str]:
    """The ``labels`` template global: ``{% set concerns = labels("primary_concerns") %}`` then
    ``{{ concerns[code] }}`` prints what ``code|label("primary_concerns")`` prints, by a dict
    lookup (a long list, such as the queue's 150 lines, is drawn without a call per cell)."""
    return _Labels(list_name)
