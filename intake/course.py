"""Reading an ``intake-course/1`` document: a course's baseline and its check-ins.

The document is what ``flask --app intake evaluate-course`` reads and what the course pages
build from stored check-ins, so both go through this one reader. It reports every problem at
its path (``checkins[2].phq9[4]: must be an integer from 0 to 3``) the way the answers document
does, by reusing the same field readers (:mod:`intake.answers`): a check-in's ASQ is read
exactly as the intake's (``intake-answers/2``: declined allowed, question 5 required after a yes
or a declined answer).

Pure: no Flask, no database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from intake import vocabulary as vocab
from intake.answers import (  # the intake's own readers: one definition of a valid field
    _MISSING,
    InvalidAnswers,
    Problem,
    _asq_v2,
    _Object,
)

CONTRACT = "intake-course/1"
PHQ9_ITEMS = 9
GAD7_ITEMS = 7
ITEM_MAX = 3
#: The most check-ins one document may hold (a long course, weekly, with room to spare).
MAX_CHECKINS = 500
#: The highest session number (a course with repeats and maintenance stays far below it).
SESSION_MAX = 1000
SIDE_EFFECTS = vocab.codes(vocab.SIDE_EFFECTS)
SEVERITIES = vocab.codes(vocab.SIDE_EFFECT_SEVERITY)

_ROOT_FIELDS = ("contract", "baseline", "checkins")
_BASELINE_FIELDS = ("date", "phq9", "gad7")
_CHECKIN_FIELDS = ("date", "session", "phq9", "gad7", "asq", "side_effects")


def parse_course(document: object) -> dict[str, Any]:
    """The validated course, or :class:`InvalidAnswers` listing every problem in order.

    The result mirrors the document: ``baseline`` with ``date`` (a :class:`date`), ``phq9`` and
    ``gad7`` (lists of item scores); ``checkins`` with the same plus ``session`` (int or None),
    ``asq`` (the five answers, or None) and ``side_effects`` (every known side effect, an
    omitted one as ``"none"``).
    """
    problems: list[Problem] = []
    root = _Object(document, "", _ROOT_FIELDS, problems.append, date.max)
    if not root.ok:
        raise InvalidAnswers(problems)
    contract = root.raw("contract")
    if contract != CONTRACT:
        root.problem("contract", f'must be "{CONTRACT}"')
    baseline_obj = root.child("baseline", _BASELINE_FIELDS)
    baseline = _measures(baseline_obj)
    baseline_obj.finish()
    checkins = _checkins(root, baseline["date"])
    root.finish()
    if problems:
        raise InvalidAnswers(problems)
    return {"baseline": baseline, "checkins": checkins}


def _checkins(root: _Object, baseline_day: date | None) -> list[dict[str, Any]]:
    value = root.raw("checkins")
    if value is None or not isinstance(value, list):
        root.problem("checkins", "must be a list (empty when there are no check-ins yet)")
        return []
    if len(value) > MAX_CHECKINS:
        root.problem("checkins", f"must have at most {MAX_CHECKINS} entries")
        return []
    out = []
    previous = baseline_day
    for index, item in enumerate(value):
        obj = root.child("checkins", _CHECKIN_FIELDS, f"[{index}]", item)
        checkin = _measures(obj)
        day = checkin["date"]
        if day is not None and baseline_day is not None and day < baseline_day:
            obj.problem("date", "must not be before the baseline's date")
        elif day is not None and previous is not None and day < previous:
            obj.problem("date", "must not be before the check-in above it (date order)")
        if day is not None:
            previous = day
        checkin["session"] = _session(obj)
        checkin["asq"] = _asq_v2(obj) if obj.raw("asq") not in (None, _MISSING) else None
        checkin["side_effects"] = _side_effects(obj)
        obj.finish()
        out.append(checkin)
    return out


def _measures(obj: _Object) -> dict[str, Any]:
    """``date``, ``phq9`` and ``gad7``: what the baseline and every check-in carry."""
    return {
        "date": _day(obj),
        "phq9": _scores(obj, "phq9", PHQ9_ITEMS),
        "gad7": _scores(obj, "gad7", GAD7_ITEMS),
    }


def _day(obj: _Object) -> date | None:
    value = obj.raw("date")
    if value is None or value is _MISSING:
        obj.problem("date", "is required")
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    obj.problem("date", "must be a real date written YYYY-MM-DD")
    return None


def _scores(obj: _Object, key: str, count: int) -> list[int] | None:
    value = obj.raw(key)
    if value is None or value is _MISSING:
        obj.problem(key, "is required")
        return None
    if not isinstance(value, list):
        obj.problem(key, f"must be a list of {count} answers")
        return None
    if len(value) != count:
        obj.problem(key, f"must have exactly {count} answers, not {len(value)}")
    scores = [obj.integer(key, 0, ITEM_MAX, item, f"[{i}]") for i, item in enumerate(value)]
    if len(value) != count or None in scores:
        return None
    return [score for score in scores if score is not None]


def _session(obj: _Object) -> int | None:
    value = obj.raw("session")
    if value is None or value is _MISSING:
        return None
    return obj.integer("session", 1, SESSION_MAX)


def _side_effects(obj: _Object) -> dict[str, str]:
    out = dict.fromkeys(SIDE_EFFECTS, "none")
    value = obj.raw("side_effects")
    if value is None or value is _MISSING:
        return out
    effects = obj.child("side_effects", SIDE_EFFECTS)
    if effects.ok:
        for key in SIDE_EFFECTS:
            if key in value:
                out[key] = effects.choice(key, SEVERITIES) or "none"
    effects.finish()
    return out
