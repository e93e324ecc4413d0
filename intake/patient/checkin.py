"""The patient's check-ins during a course of care (issue 16, docs/checkins.md).

| URL | what |
|---|---|
| ``GET /c/<token>`` | a check-in link: remembered in the session, then straight to ``/checkin`` |
| ``GET|POST /checkin/tablet`` | the clinic tablet: the code staff read out + date of birth |
| ``GET|POST /checkin`` | the questionnaire: PHQ-9, GAD-7, side effects, the ASQ when needed |
| ``GET /checkin/done`` | thank you; crisis support at once after a positive safety answer |

The link's token is random and names nobody; it is only in the address bar for the one
redirect (``Referrer-Policy: no-referrer`` on every response, so it is never sent on). The
session then holds the check-in's id, how it was opened and when this browser last used it,
nothing else: after ``PATIENT_IDLE_TIMEOUT`` without activity the browser forgets it, as the
wizard forgets a draft. Failed link and tablet attempts are rate-limited per address; a
successful one does not count, so a clinic's tablet serves every patient of the day.

The pages are in the check-in's language (:func:`checkin_language`): the patient's intake
language unless the language switch was pressed for this check-in; the instruments stay in
their published English (docs/checkins.md, "Language").
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from intake.answers import InvalidAnswers
from intake.extensions import db, limiter
from intake.forms.checkin import (
    ASQ_ALL_NAMES,
    ASQ_RIGHT_NOW_NAME,
    EFFECT_NAMES,
    GAD7_NAMES,
    ITEM9,
    ITEM9_POSITIVE,
    PHQ9_NAMES,
    CheckInForm,
    TabletForm,
)
from intake.forms.patient import ASQ_POSITIVE
from intake.forms.questionnaires import ASQ_ATTRIBUTION, GAD7_STEM, PHQ9_STEM, PHQ_ATTRIBUTION
from intake.i18n import gettext
from intake.models import CheckIn
from intake.models.types import utcnow
from intake.patient import bp
from intake.patient.language import LOCALES, SESSION_LANG, page_language
from intake.services import courses

#: A check-in opened at the clinic's tablet is forgotten after this long without a page.
TABLET_IDLE_SECONDS = 10 * 60
#: The idle clock's step (seconds), as the wizard's (``views.SEEN_STEP``).
SEEN_STEP = 60
OPEN_KEY = "checkin_id"
HOW_KEY = "checkin_how"
SEEN_KEY = "checkin_seen_at"
#: The check-in this browser just sent, for its thank-you page (``CONFIRMATION_GRACE``).
DONE_KEY = "checkin_done_id"
DONE_AT_KEY = "checkin_done_at"

#: The language switch's choice for one check-in: ``[checkin id, locale]`` (never in a URL).
LANG_KEY = "checkin_lang"
#: The pages whose language is the check-in's, not the draft's (``language.select_locale``).
ENDPOINTS = frozenset(
    {"patient.checkin_link", "patient.checkin_tablet", "patient.checkin", "patient.checkin_done"}
)
#: Where a request keeps the check-in's language once read (as ``language._CACHE``).
_CACHE = "intake.checkin_language"

#: Failed attempts per address: a link that opens nothing, a wrong tablet code or birth date.
LINK_LIMIT = "20 per hour"
TABLET_LIMIT = "10 per hour"


def _failed(response: Response) -> bool:
    """Only a refused attempt counts against the address's limit (a redirect is a success)."""
    return response.status_code != 302


def _forget_open() -> None:
    for key in (OPEN_KEY, HOW_KEY, SEEN_KEY):
        session.pop(key, None)


def _remember(checkin: CheckIn, how: str, *, lang: str | None = None) -> None:
    """Open ``checkin`` in this browser; ``lang``: the language the patient chose before it
    opened (the tablet page's switch), else the check-in follows the intake's."""
    _forget_open()
    session.pop(DONE_KEY, None)
    session.pop(DONE_AT_KEY, None)
    chosen = session.get(LANG_KEY)
    if not (isinstance(chosen, list) and chosen[:1] == [checkin.id]):
        session.pop(LANG_KEY, None)
    if lang is not None:
        session[LANG_KEY] = [checkin.id, lang]
    session[OPEN_KEY] = checkin.id
    session[HOW_KEY] = how
    session[SEEN_KEY] = int(time.time())


def _current_id() -> int | None:
    """The check-in this browser has open, else the one it just sent (its thank-you page)."""
    for key in (OPEN_KEY, DONE_KEY):
        found = session.get(key)
        if isinstance(found, int):
            return found
    return None


def checkin_language() -> str | None:
    """The language of a check-in page: the switch's choice for the check-in open (or just
    sent) in this browser, else the patient's intake language; None on the tablet page and
    when no check-in is open (a link that opens nothing: the session's switch, else English)
    or the database cannot be read (an outage's page still renders)."""
    if _CACHE in request.environ:
        return request.environ[_CACHE]
    found: str | None = None
    # The tablet page is where the next person starts: never the last check-in's language.
    checkin_id = _current_id() if request.endpoint != "patient.checkin_tablet" else None
    chosen = session.get(LANG_KEY)
    if checkin_id is not None and isinstance(chosen, list) and chosen[:1] == [checkin_id]:
        found = str(chosen[1])
    elif checkin_id is not None:
        try:
            found = courses.checkin_language(checkin_id)
        except Exception:
            db.session.rollback()
            found = None
    request.environ[_CACHE] = found
    return found


def language_switched(choice: str) -> None:
    """The language switch was pressed: the check-in open (or just sent) in this browser is
    shown in ``choice`` from now on (kept in the session beside the check-in's id)."""
    checkin_id = _current_id()
    if checkin_id is not None:
        session[LANG_KEY] = [checkin_id, choice]


def _remembered() -> CheckIn | None:
    """The check-in this browser opened, unless it was idle too long (then forgotten)."""
    checkin_id = session.get(OPEN_KEY)
    if not isinstance(checkin_id, int):
        return None
    idle = int(time.time()) - int(session.get(SEEN_KEY, 0))
    limit = current_app.config["PATIENT_IDLE_TIMEOUT"].total_seconds()
    if session.get(HOW_KEY) == "tablet":
        # A shared tablet: the next person must not find the last one's check-in open.
        limit = min(limit, TABLET_IDLE_SECONDS)
    if idle > limit:
        _forget_open()
        return None
    checkin = courses.get_checkin(checkin_id)
    if checkin is None:
        _forget_open()
        return None
    if idle >= SEEN_STEP:
        # The idle clock moves at most once a minute (as the wizard's), so most views send no
        # cookie; it is never behind by more than that, so a check-in is forgotten no later.
        session[SEEN_KEY] = int(time.time())
    return checkin


def _no_link() -> ResponseReturnValue:
    """One page for every link that opens nothing (unknown, expired, used, superseded), with
    one status: it never says which, so a guessed token learns nothing, and it is a page for
    a person (what to do, the clinic's phone), not an error."""
    return render_template("patient/checkin_link.html", **_posted_crisis()), 200


def _posted_crisis() -> dict[str, bool]:
    """On a POST whose answers cannot be stored (the check-in was forgotten after a long
    pause, sent from another tab, no longer open): did they carry a positive safety answer?
    Then the page shows crisis support first, whatever else it says — help is never lost
    with the answers."""
    if request.method != "POST":
        return {"crisis_now": False, "acute": False}
    form = CheckInForm()
    positive = form.item9_positive() or form.asq_positive()
    return {
        "crisis_now": positive,
        "acute": positive and form[ASQ_RIGHT_NOW_NAME].data in ASQ_POSITIVE,
    }


@bp.get("/c/<token>")
@limiter.limit(LINK_LIMIT, deduct_when=_failed)
def checkin_link(token: str) -> ResponseReturnValue:
    """Open the check-in of a link, then take the token out of the address bar at once."""
    checkin = courses.checkin_for_token(token, utcnow())
    if checkin is None:
        db.session.rollback()
        return _no_link()
    _remember(checkin, "link")
    db.session.rollback()  # nothing was changed: a link is used up only by sending answers
    return redirect(url_for("patient.checkin"))


@bp.route("/checkin/tablet", methods=["GET", "POST"])
@limiter.limit(TABLET_LIMIT, methods=["POST"], deduct_when=_failed)
def checkin_tablet() -> ResponseReturnValue:
    """At the clinic: the code staff read out and the patient's date of birth."""
    form = TabletForm()
    failed = False
    if request.method == "POST" and form.validate_step(formdata=request.form):
        checkin = courses.checkin_for_tablet(
            form.code.data or "", form.date_of_birth.data, utcnow()
        )
        db.session.rollback()
        if checkin is not None:
            # The language this page was switched to goes on with the patient who typed the
            # code (it is forgotten once the check-in is sent: a shared tablet).
            chosen = session.get(SESSION_LANG)
            _remember(checkin, "tablet", lang=chosen if chosen in LOCALES else None)
            return redirect(url_for("patient.checkin"))
        failed = True
    status = 422 if request.method == "POST" else 200
    return render_template("patient/checkin_tablet.html", form=form, failed=failed), status


#: The questions of an unanswered check-in as drawn for a language: ``{(section, catalogue,
#: page language): markup}`` (``blank_once``).
_BLANK: dict[tuple[str, str, str], Markup] = {}


def blank_once(name: str, blank: bool, caller: Any) -> Markup:
    """A section's questions (``{% call blank_once(name, blank) %}…{% endcall %}``), drawn once
    per process for each language while nothing is answered (issue 13: the radio grids were
    two thirds of the page, and an unanswered form is the same for every patient: its fields'
    names, labels and choices, no answers, no errors, no token). A page with answers or
    errors (``blank`` false) is drawn as it is."""
    if not blank:
        return Markup(caller())  # noqa: S704 - a rendered template block
    key = (name, str(get_locale()), page_language())
    found = _BLANK.get(key)
    if found is None:
        found = _BLANK[key] = Markup(caller())  # noqa: S704 - a rendered template block
    return found


def _sections(form: CheckInForm) -> dict[str, Any]:
    return {
        "phq9_fields": [form[name] for name in PHQ9_NAMES],
        "gad7_fields": [form[name] for name in GAD7_NAMES],
        "asq_fields": [form[name] for name in ASQ_ALL_NAMES],
        "effect_fields": [form[name] for name in EFFECT_NAMES],
        "phq9_stem": PHQ9_STEM,
        "gad7_stem": GAD7_STEM,
        "phq_attribution": PHQ_ATTRIBUTION,
        "asq_attribution": ASQ_ATTRIBUTION,
        "item9": ITEM9,
        "item9_positive": " ".join(ITEM9_POSITIVE),
        "blank_once": blank_once,
    }


def _render(
    form: CheckInForm,
    checkin: CheckIn,
    *,
    asq_shown: bool,
    asq_prompt: bool,
    status: int,
    blank: bool = False,
) -> ResponseReturnValue:
    return (
        render_template(
            "patient/checkin.html",
            form=form,
            blank=blank,
            kind=checkin.kind,
            asq_shown=asq_shown,
            asq_prompt=asq_prompt,
            # A page sent back with a positive safety answer on it: the help first, as the
            # wizard does above a rejected page (patient/_crisis_now.html).
            crisis_now=request.method == "POST" and form.asq_positive(),
            acute=form[ASQ_RIGHT_NOW_NAME].data in ASQ_POSITIVE,
            **_sections(form),
        ),
        status,
    )


@bp.route("/checkin", methods=["GET", "POST"])
def checkin() -> ResponseReturnValue:
    """The check-in questionnaire. With JavaScript off the ASQ section comes back on its own
    after a PHQ-9 item 9 above 0 (answers kept, a message at it); with it on, it is revealed
    as soon as item 9 is chosen."""
    found = _remembered()
    if found is None:
        db.session.rollback()
        return _nothing_open()
    if found.completed:  # sent from another tab (it shares this session) or just now
        db.session.rollback()
        _forget_open()
        return _already_sent()
    if not courses.can_send(found):  # a later check-in was answered meanwhile
        db.session.rollback()
        _forget_open()
        return _no_link()
    if request.method == "GET":
        form = CheckInForm(formdata=None)
        html = _render(form, found, asq_shown=False, asq_prompt=False, status=200, blank=True)
        db.session.rollback()
        return html
    form = CheckInForm()
    valid = form.validate_step(formdata=request.form)
    skipped_asq = form.item9_positive() and not form.asq_started()
    if skipped_asq:
        for name in ASQ_ALL_NAMES:
            form[name].errors = []
        if request.form.get(CheckInForm.PROMPTED_KEY) != "1":
            # JavaScript off (or the section skipped): the ASQ, with a word at it, nothing lost.
            html = _render(form, found, asq_shown=True, asq_prompt=True, status=422)
            db.session.rollback()
            return html
        # Asked once and left blank again: the patient need not answer it. The check-in is
        # stored without an ASQ, and PHQ-9 item 9 above 0 makes it urgent on its own.
        valid = not form.form_errors and not any(field.errors for field in form)
    if not valid:
        html = _render(form, found, asq_shown=form.asq_asked(), asq_prompt=False, status=422)
        db.session.rollback()
        return html
    return _complete(found, form, without_asq=skipped_asq)


def _complete(found: CheckIn, form: CheckInForm, *, without_asq: bool) -> ResponseReturnValue:
    checkin_id = found.id
    how = session.get(HOW_KEY) if session.get(HOW_KEY) in ("link", "tablet") else "link"
    answers = form.answers()
    if without_asq:
        answers["asq"] = None

    def send(checkin: CheckIn) -> None:
        courses.complete_checkin(
            checkin,
            answers,
            opened_by=str(how),
            now=utcnow(),
            today=courses.clinic_today(),
            language=page_language(),
        )
        db.session.commit()

    try:
        try:
            send(found)
        except StaleDataError:
            # Staff changed the check-in row at that moment (a new tablet code): once more.
            db.session.rollback()
            again = courses.get_checkin(checkin_id)
            if again is None:
                raise courses.CourseError("gone") from None
            send(again)
    except InvalidAnswers:
        # The form checks what the contract checks; should they ever disagree, nothing is
        # stored and the patient is asked to look again rather than shown an error page.
        db.session.rollback()
        checkin = courses.get_checkin(checkin_id)
        assert checkin is not None
        form.form_errors.append(
            gettext("Some answers could not be read. Please check them and send again.")
        )
        return _render(form, checkin, asq_shown=form.asq_asked(), asq_prompt=False, status=422)
    except (courses.CourseError, StaleDataError):
        db.session.rollback()
        _forget_open()
        fresh = courses.get_checkin(checkin_id)
        if fresh is not None and fresh.completed:
            return _already_sent()
        return _no_link()
    _forget_open()
    if how == "tablet":
        session.pop(SESSION_LANG, None)  # the next person at the tablet starts afresh
    session[DONE_KEY] = checkin_id
    session[DONE_AT_KEY] = int(time.time())
    return redirect(url_for("patient.checkin_done"))


def _already_sent() -> ResponseReturnValue:
    return render_template("patient/checkin_sent.html", **_posted_crisis()), 409


def _nothing_open() -> ResponseReturnValue:
    """No check-in open in this browser: sent already (a second tab, a double click), or
    none was opened (or it was forgotten after a while)."""
    if request.method == "POST" and session.get(DONE_KEY) is not None:
        return _already_sent()
    return _no_link()


@bp.get("/checkin/done")
def checkin_done() -> ResponseReturnValue:
    """Thank you; after a positive safety answer, crisis support first (as the intake's
    confirmation). Shown for ``CONFIRMATION_GRACE`` to the browser that sent it, so the next
    person at a shared tablet does not find it."""
    checkin_id = session.get(DONE_KEY)
    shown_at = int(session.get(DONE_AT_KEY, 0))
    checkin = courses.get_checkin(checkin_id) if isinstance(checkin_id, int) else None
    grace = current_app.config["CONFIRMATION_GRACE"].total_seconds()
    if checkin is None or not checkin.completed or int(time.time()) - shown_at > grace:
        db.session.rollback()
        session.pop(DONE_KEY, None)
        session.pop(DONE_AT_KEY, None)
        return render_template("patient/checkin_done.html", checkin=None, acute=False)
    asq = (checkin.answers or {}).get("asq") or {}
    codes = {flag["code"] for flag in checkin.flags or []}
    html = render_template(
        "patient/checkin_done.html",
        checkin=checkin,
        suicide_risk=bool(codes & {"suicide_risk", "suicide_risk_acute"}),
        acute=checkin.acute,
        right_now=asq.get("thoughts_right_now"),
        seizure="seizure_reported" in codes,
    )
    db.session.rollback()
    return html
