"""The patient side's language: which locale a request is shown in, and the language switch.

The patient pages are in English or Spanish (``LOCALES``); staff, clinician and admin pages
and the API are always English. A patient's language is, in order:

1. the draft's own answer to "Which language do you prefer?" (step 1, ``about``), when this
   browser has a draft: the choice is kept in the draft, never in a URL or a query string;
   on the check-in pages instead, the check-in's language (``checkin.checkin_language``: the
   switch's choice for that check-in, else the patient's intake language);
2. otherwise the language chosen with the switch on this browser (kept in the session, and
   copied into the draft's step 1 answer when a new draft starts);
3. otherwise English.

The switch (``POST /intake/language``) is a small form with a CSRF token on every patient page:
it works with JavaScript off and goes back to the page it was pressed on. docs/wizard.md,
"Spanish".
"""

from __future__ import annotations

import re
from datetime import date

from flask import Flask, has_request_context, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError

from intake.extensions import db
from intake.i18n import RequestDomain, gettext, install_jinja
from intake.patient import bp

#: The locales the patient side is written in (English is the source language): the
#: intake's language answers (``vocabulary.LANGUAGES``), which the check-in e-mails use too.
LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"
#: The session key of a language chosen before a draft exists.
SESSION_LANG = "lang"
#: Paths that are never the patient side: they stay English whatever the patient chose.
STAFF_PREFIXES = ("/staff", "/clinician", "/admin", "/api", "/healthz")
#: What the switch offers: the code and the language's name in itself (never translated).
SWITCH = (("en", "English"), ("es", "Español"))
#: The wizard's steps that are validated instruments, shown in their published English wording
#: (never machine-translated) until the publishers' Spanish versions are verified.
INSTRUMENT_STEPS = ("phq9", "gad7", "asq")
#: Where a request keeps its draft's language once read (the request's own environ: an app
#: context can outlive a request, as in the tests, and must not carry it to the next one).
_CACHE = "intake.draft_language"


def is_patient_side() -> bool:
    """Whether this request is a patient page (the wizard's blueprint, or an error page at a
    patient address such as an unknown URL or the resume page's 429)."""
    if not has_request_context():
        return False
    if request.blueprint == "patient":
        return True
    if request.blueprint is not None:
        return False
    return not request.path.startswith(STAFF_PREFIXES)


def draft_language() -> str | None:
    """The language answer of this browser's draft, or None (no draft, no answer yet, or the
    database cannot be read: an error page still renders, in the session's language)."""
    if _CACHE in request.environ:
        return request.environ[_CACHE]
    found: str | None = None
    try:
        from intake.patient.views import SESSION_KEY
        from intake.services import drafts

        draft = drafts.get_draft(session.get(SESSION_KEY))
        if draft is not None:
            found = drafts.language_of(draft)
    except Exception:
        db.session.rollback()
        found = None
    request.environ[_CACHE] = found
    return found


def select_locale() -> str:
    """Flask-Babel's locale selector: English off the patient side, else the patient's."""
    if not is_patient_side():
        return DEFAULT_LOCALE
    from intake.patient import checkin

    if request.endpoint in checkin.ENDPOINTS:
        first = checkin.checkin_language()
    else:
        first = draft_language()
    for choice in (first, session.get(SESSION_LANG)):
        if choice in LOCALES:
            return str(choice)
    return DEFAULT_LOCALE


def page_language() -> str:
    """The language of the page being rendered (``en`` outside a request)."""
    from flask_babel import get_locale

    locale = get_locale() if has_request_context() else None
    return str(locale.language) if locale is not None else DEFAULT_LOCALE


def template_context() -> dict[str, object]:
    """``page_lang`` (base.html's ``<html lang>``), ``patient_side`` (shows the switch) and
    the switch's choices."""
    from intake.formats import current_locale

    lang = page_language()
    return {
        "page_lang": lang,
        # The page's locale, for numbers and times (intake.formats): "8:00" on a Spanish page.
        "page_locale": current_locale(),
        "patient_side": is_patient_side(),
        "language_switch": SWITCH,
        "lang_en": lambda: Markup(' lang="en"') if lang != "en" else "",
        # The page's own language again, inside English (an error message at an instrument).
        "lang_page": lambda: Markup(' lang="%s"') % lang if lang != "en" else "",
        "switch_back": switch_back(),
        "english": lambda text: english(text, lang),
        "instrument_steps": INSTRUMENT_STEPS,
        "say": gettext,
    }


def english(text: object, lang: str) -> object:
    """``text`` that is English whatever the page's language (the validated instruments' items
    named in an error summary), marked ``lang="en"`` on a page in another language so that
    screen readers say it right."""
    if lang == "en" or not text:
        return text
    return Markup('<span class="english-only" lang="en">%s</span>') % (text,)


def patient_date(day: date) -> str:
    """A day as the patient's language writes it: "December 3, 2026", "3 de diciembre de 2026"."""
    from flask_babel import format_date

    return str(format_date(day, format="long"))


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with this selector; the catalogues are ``intake/translations``."""
    from flask_babel import refresh

    from intake.extensions import babel

    babel.init_app(app, locale_selector=select_locale, default_locale=DEFAULT_LOCALE)
    # The domain Flask-Babel would make on first use, finding each request's catalogue once.
    babel.domain_instance = RequestDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    # The templates' texts through the same kept catalogue (in place of Flask-Babel's).
    install_jinja(app)
    # Flask-Babel keeps the chosen locale on ``g``: choose it afresh for every request.
    app.before_request(refresh)
    # {% trans %} blocks ignore the template's line breaks and indentation: one msgid per text.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.context_processor(template_context)
    app.add_template_filter(patient_date, "patient_date")


def switch_back() -> str:
    """Where the switch on this page goes back to: this page, except a check-in link's page
    (``/c/<token>``: the token must not go into a form or an address again), which goes to
    ``/checkin``: with no check-in open that shows the same page."""
    if not has_request_context():
        return "/"
    if request.endpoint == "patient.checkin_link":
        return url_for("patient.checkin")
    return request.full_path if request.query_string else request.path


#: What a "back to this page" path may hold: a path and query of this site, nothing that a
#: browser could read as another host (no "//", backslash, whitespace or control character).
_BACK = re.compile(r"/(?![/\\])[A-Za-z0-9/_.~%?=&+-]*")


def _safe_back(target: str | None) -> str:
    """Where the switch goes back to: a patient page of this site, else the start page (no
    other site, no staff page)."""
    if (
        not target
        or not _BACK.fullmatch(target)
        or target.startswith(STAFF_PREFIXES)
        or target.startswith("/intake/language")
        or target.startswith("/c/")
    ):
        return url_for("patient.start")
    return target


@bp.post("/intake/language")
def switch_language() -> ResponseReturnValue:
    """Show the patient pages in the chosen language from now on, and go back.

    With a draft, the choice is the draft's step 1 answer (so the answers say which language
    the patient used); a draft changed meanwhile in another tab keeps its answer (the page
    comes back unchanged, nothing lost). Without one, the session keeps it until a draft starts.
    """
    from intake.patient.views import SESSION_KEY
    from intake.services import drafts

    back = _safe_back(request.form.get("next"))
    choice = request.form.get("lang", "")
    if choice not in LOCALES:
        return redirect(back)
    session[SESSION_LANG] = choice
    from intake.patient import checkin

    checkin.language_switched(choice)
    draft = drafts.get_draft(session.get(SESSION_KEY))
    if draft is not None and draft.submission_id is None and not drafts.is_expired(draft):
        try:
            drafts.set_language(draft, choice)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
    return redirect(back)


def skip_draft_lookup() -> None:
    """For a database outage's page: choose the language without reading the draft."""
    if has_request_context():
        request.environ[_CACHE] = None
