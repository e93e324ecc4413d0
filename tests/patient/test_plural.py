"""Plural texts in English and Spanish: the templates' ``{% trans count=… %}…{% pluralize %}``
and ``ngettext``, and ``intake.i18n.ngettext`` called as Flask-Babel documents it (``num=``).

The patient side has no plural text yet, so the Spanish catalogue here is one written below,
compiled into a folder of the test's own and read by the app before its real one
(``BABEL_TRANSLATION_DIRECTORIES``): what is checked is the path from a template or a call to
the plural form the language's rule picks, formatted with the count. The rule is the one in
the app's own Spanish catalogue (CLDR's, as ``pybabel`` writes it): three forms, one for 1, one
for whole millions ("1000000 de días") and one for every other number, 0 included. A Spanish
plural with two forms only would fall back to English for every number but 1.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, render_template_string
from flask_babel import force_locale

from config import TestingConfig
from intake import create_app, i18n
from intake.extensions import db

SPANISH_PO = r"""
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Language: es\n"
"Plural-Forms: nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);\n"

msgid "%(count)s day left"
msgid_plural "%(count)s days left"
msgstr[0] "Queda %(count)s día"
msgstr[1] "Quedan %(count)s de días"
msgstr[2] "Quedan %(count)s días"

msgid "%(num)d form"
msgid_plural "%(num)d forms"
msgstr[0] "%(num)d formulario"
msgstr[1] "%(num)d de formularios"
msgstr[2] "%(num)d formularios"
"""

TRANS_BLOCK = (
    "{% trans count=n %}{{ count }} day left{% pluralize %}{{ count }} days left{% endtrans %}"
)
NGETTEXT_CALL = '{{ ngettext("%(num)d form", "%(num)d forms", n) }}'

#: (language, count) -> what the ``{% trans %}`` block and the ``ngettext`` call read.
EXPECTED = {
    ("en", 1): ("1 day left", "1 form"),
    ("en", 0): ("0 days left", "0 forms"),
    ("en", 3): ("3 days left", "3 forms"),
    ("en", 1000000): ("1000000 days left", "1000000 forms"),
    ("es", 1): ("Queda 1 día", "1 formulario"),
    ("es", 0): ("Quedan 0 días", "0 formularios"),
    ("es", 3): ("Quedan 3 días", "3 formularios"),
    ("es", 1000000): ("Quedan 1000000 de días", "1000000 de formularios"),
}


@pytest.fixture
def plural_app(tmp_path: Path) -> Iterator[Flask]:
    """The app, with the catalogue above read before its own Spanish one."""
    folder = tmp_path / "translations" / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalogue = read_po(io.StringIO(SPANISH_PO), locale="es")
    with (folder / "messages.mo").open("wb") as mo:
        write_mo(mo, catalogue)
    config = type(
        "PluralConfig",
        (TestingConfig,),
        {"BABEL_TRANSLATION_DIRECTORIES": f"{tmp_path / 'translations'};translations"},
    )
    app = create_app(config)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(("language", "count"), sorted(EXPECTED))
def test_a_plural_in_a_template(plural_app: Flask, language: str, count: int) -> None:
    with plural_app.test_request_context("/"), force_locale(language):
        block = render_template_string(TRANS_BLOCK, n=count)
        call = render_template_string(NGETTEXT_CALL, n=count)
    assert (block, call) == EXPECTED[language, count]


@pytest.mark.parametrize(("language", "count"), sorted(EXPECTED))
def test_ngettext_called_as_flask_babel_documents_it(
    plural_app: Flask, language: str, count: int
) -> None:
    expected = EXPECTED[language, count][1]
    with plural_app.test_request_context("/"), force_locale(language):
        assert i18n.ngettext("%(num)d form", "%(num)d forms", num=count) == expected
        assert i18n.ngettext("%(num)d form", "%(num)d forms", count) == expected
        assert i18n.ngettext(singular="%(num)d form", plural="%(num)d forms", num=count) == expected


def test_the_real_spanish_catalogue_is_still_read_beside_it(plural_app: Flask) -> None:
    """The test's catalogue adds to the app's own, it does not stand in for it."""
    with plural_app.test_request_context("/"), force_locale("es"):
        assert render_template_string("{{ _('Next') }}") != "Next"
