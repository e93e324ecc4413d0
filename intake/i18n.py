"""Translated texts, each request's catalogue found once (issue 13).

Flask-Babel looks the catalogue up afresh for every text: its ``gettext`` finds the request's
domain (``flask.g`` read three times through Werkzeug's proxies), then the domain finds the
catalogue (``g`` three times more, the locale, the catalogue cache). A questionnaire step
translates 40–60 texts (the forms' lazy labels and choices, the templates' ``_()``), so those
look-ups were a tenth of a step page's time.

:class:`RequestDomain` keeps the catalogue it found on Flask-Babel's own per-request namespace
beside the locale it was found for; :func:`translations` reads it back with one proxy access
and plain attribute reads, and falls back to Flask-Babel whenever the locale has changed since
(``refresh()`` on every request, ``force_locale`` for an e-mail in the patient's language), so
the next text finds its catalogue again. The texts are Flask-Babel's, unchanged:
:func:`lazy_text` (imported as ``_l``, the keyword ``make translations`` extracts) and the
Jinja callables :func:`install_jinja` puts in place of Flask-Babel's do what Flask-Babel's
``lazy_gettext``, ``gettext`` and ``ngettext`` do, with the same ``%`` formatting.
"""

from __future__ import annotations

from typing import Any

from babel.support import NullTranslations, Translations
from flask import Flask, g
from flask_babel import Domain, _get_current_context, get_translations
from flask_babel.speaklater import LazyString

#: Where :class:`RequestDomain` keeps ``(locale, catalogue)`` on Flask-Babel's namespace.
_KEPT = "intake_translations"
#: Flask-Babel's per-request namespace on ``g``, and the locale it keeps there.
_BABEL_NS = "_flask_babel"
_BABEL_LOCALE = "babel_locale"
_NULL = NullTranslations()


class RequestDomain(Domain):
    """Flask-Babel's message domain, keeping the request's catalogue once found."""

    def get_translations(self) -> Translations | NullTranslations:
        ctx = _get_current_context()
        if ctx is None:
            return _NULL
        locale = getattr(ctx, _BABEL_LOCALE, None)
        found = getattr(ctx, _KEPT, None)
        if locale is not None and found is not None and found[0] is locale:
            return found[1]
        translations = super().get_translations()
        setattr(ctx, _KEPT, (getattr(ctx, _BABEL_LOCALE), translations))
        return translations


def translations() -> Translations | NullTranslations:
    """This request's catalogue: the one kept for the current locale, else Flask-Babel's."""
    try:
        namespace = vars(g._get_current_object()).get(_BABEL_NS)
    except RuntimeError:  # no app context: Flask-Babel translates nothing there either
        return _NULL
    if namespace is not None:
        kept = vars(namespace)
        found = kept.get(_KEPT)
        if found is not None and found[0] is kept.get(_BABEL_LOCALE):
            return found[1]
    return get_translations()


def gettext(string: str, /, **variables: Any) -> str:
    """Flask-Babel's ``gettext``: the text in the request's language, ``%``-formatted."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """Flask-Babel's ``ngettext``: the plural form for ``num``, with ``num`` a variable.

    Its parameters are Flask-Babel's, keywords allowed: its documented call is
    ``ngettext("%(num)d Apple", "%(num)d Apples", num=len(apples))`` (``num`` once was
    positional-only here, and that call raised ``TypeError``). The templates' ``ngettext`` and
    ``{% trans count=… %}…{% pluralize %}`` do not come here: Jinja calls the callable
    :func:`install_jinja` gives it with ``(singular, plural, n)`` and formats the text itself
    with ``num`` and the block's variables."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def lazy_text(string: str, /, **variables: Any) -> LazyString:
    """Flask-Babel's ``lazy_gettext``: translated when it is shown, in that request's
    language (a form's label is made once, at import)."""
    return LazyString(gettext, string, **variables)


def install_jinja(app: Flask) -> None:
    """The templates' ``_()``, ``gettext``, ``ngettext`` and ``{% trans %}`` through
    :func:`translations` (Flask-Babel installs the same lambdas over its slower look-up)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
