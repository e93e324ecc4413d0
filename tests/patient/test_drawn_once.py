"""What the patient pages keep between requests (issue 13) still follows what they depend on.

- The page footer (crisis numbers, the clinic's contact line) is drawn once per process for
  each language and clinic profile: a profile saved in the settings shows on the next page,
  and each language keeps its own footer.
- Each request finds its catalogue once (``language.RequestDomain``): a text asked for in
  another language inside ``force_locale`` (the check-in e-mails) is in that language, and the
  request's own language comes back after it.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext

from intake.extensions import db
from intake.services import settings
from tests.patient.helpers import csrf_token, get_page

CONTACT = 'id="clinic-contact"'
SPANISH_CRISIS = 'id="crisis-spanish"'


def _save_clinic(name: str, phone: str, address: str) -> None:
    settings.set_setting(settings.CLINIC_NAME, name, user_id=None)
    settings.set_setting(settings.CLINIC_PHONE, phone, user_id=None)
    settings.set_setting(settings.CLINIC_ADDRESS, address, user_id=None)
    db.session.commit()


def _start_page(client: FlaskClient) -> str:
    return get_page(client, "/").get_data(as_text=True)


def test_a_saved_clinic_profile_shows_on_the_next_page(client: FlaskClient) -> None:
    assert CONTACT not in _start_page(client)  # no phone set: no contact line
    _save_clinic("Rose & Co Clinic", "+1 503-555-0100", "1 Main St\nSuite 2")
    page = _start_page(client)
    assert (
        "call Rose &amp; Co Clinic at "
        '<a href="tel:+15035550100"><strong>+1 503-555-0100</strong></a> (1 Main St, Suite 2).'
    ) in page
    _save_clinic("Other Clinic", "503 555 0199", "")
    page = _start_page(client)
    assert "call Other Clinic at" in page and "503 555 0199" in page
    assert "Rose" not in page and "Main St" not in page


def test_each_language_keeps_its_own_footer(client: FlaskClient) -> None:
    _save_clinic("Rose Clinic", "503 555 0199", "")
    english = _start_page(client)
    assert SPANISH_CRISIS not in english and "For questions about this form" in english
    token = csrf_token(english)
    client.post("/intake/language", data={"lang": "es", "next": "/", "csrf_token": token})
    spanish = _start_page(client)
    assert SPANISH_CRISIS in spanish and "Si tiene preguntas sobre este formulario" in spanish
    assert "For questions about this form" not in spanish
    token = csrf_token(spanish)
    client.post("/intake/language", data={"lang": "en", "next": "/", "csrf_token": token})
    assert _start_page(client) == english.replace(
        csrf_token(english), csrf_token(_start_page(client))
    )


def test_a_forced_locale_gets_its_own_catalogue(app: Flask) -> None:
    with app.test_request_context("/"):
        assert gettext("Next") == "Next"
        with force_locale("es"):
            assert gettext("Next") == "Siguiente"
        assert gettext("Next") == "Next"
    with app.test_request_context("/staff/"):
        with force_locale("es"):
            assert gettext("Next") == "Siguiente"
        assert gettext("Next") == "Next"


def test_a_footer_drawn_in_a_forced_locale_is_kept_apart(app: Flask) -> None:
    """Outside a request a page says "en" whatever ``force_locale`` chose for its texts: the
    footer drawn there in Spanish must not be the English pages' footer afterwards."""
    from flask import render_template_string

    with app.app_context(), force_locale("es"):
        forced = render_template_string("{{ site_footer() }}")
    with app.test_request_context("/"):
        english = render_template_string("{{ site_footer() }}")
    assert "¿Necesita ayuda ahora mismo?" in forced
    assert "Need help right now?" in english and "Necesita" not in english
