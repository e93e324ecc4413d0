"""The patient side in Spanish (docs/wizard.md, "Spanish"), through real HTTP.

Two kinds of check:

- the catalogue: every text the patient side marks for translation (extracted now, with the
  project's ``babel.cfg``) is in the Spanish catalogue with a non-empty, non-fuzzy translation,
  and the committed ``.mo`` says what the ``.po`` says;
- the pages: every patient page, walked in Spanish like a browser would (the language switch,
  then the wizard with "Español" as the language answer, errors, support, saved, resume, the
  confirmation and its print view, expiry, 404 and 429), is ``<html lang="es">`` and none of the
  English words of the table below is left in its visible text. English that must stay English
  (the validated instruments until their published Spanish is verified, the education texts and
  the confirmation's follow-up sentences, not translated yet) is marked ``lang="en"``, and only
  the elements of ``ENGLISH_ALLOWED`` may be.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

import intake
from intake.extensions import db
from intake.models import Draft
from tests.patient.helpers import (
    POSITIVE_ASQ,
    VALID,
    WizardWalker,
    csrf_token,
    get_page,
    press_send,
    step_url,
)

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = Path(intake.__file__).parent / "translations" / "es" / "LC_MESSAGES"

#: English words and phrases of the patient pages that must not be left on a Spanish page
#: (whole words, case as written). Written from the English pages, not from the catalogue.
ENGLISH = (
    "Next",
    "Back",
    "Save",
    "Save and finish later",
    "Continue",
    "Please",
    "please",
    "Your",
    "your",
    "you",
    "Step",
    "Answer",
    "answer",
    "required",
    "Choose",
    "Thank",
    "What",
    "Print",
    "Finish",
    "Start",
    "Send",
    "Review",
    "Change",
    "Medicine",
    "medicine",
    "Therapy",
    "therapy",
    "Insurance",
    "insurance",
    "the",
    "and",
    "clinic",
    "form",
    "help",
    "Call",
    "call",
    "text",
    "Not answered",
    "Not sure",
    "Something else",
    "Help",
    "Skip to main content",
    "Need help right now?",
    "Welcome",
    "expired",
    "saved",
    "sent",
)
_ENGLISH = re.compile(r"\b(?:" + "|".join(re.escape(word) for word in ENGLISH) + r")\b")

#: The elements a Spanish page may mark ``lang="en"``: (tag, class or id).
#: Step 1 answered in Spanish (the draft's language).
IN_SPANISH = {"about": {**VALID["about"], "preferred_language": "es"}}

ENGLISH_ALLOWED = {
    ("div", "instrument"),  # PHQ-9, GAD-7, ASQ questions and answers, as published
    ("p", "stem"),
    ("p", "attribution"),
    ("dl", "answers"),  # the review page's instrument answers
    ("span", "english-only"),  # an instrument's item or answer label named in a note or summary
    ("button", "link"),  # the language switch's "English"
    ("span", "current-language"),
}


class VisibleText(HTMLParser):
    """The page's visible text outside ``lang="en"`` elements (but inside an element marked
    ``lang="es"`` again within one), and the ``lang="en"`` elements."""

    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.english: list[tuple[str, str]] = []
        #: (tag, its lang attribute or None, hidden)
        self._stack: list[tuple[str, str | None, bool]] = []

    def _skipping(self) -> bool:
        if any(hidden for _tag, _lang, hidden in self._stack):
            return True
        langs = [lang for _tag, lang, _hidden in self._stack if lang is not None]
        return bool(langs) and langs[-1] == "en"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        found = dict(attrs)
        lang = found.get("lang") if tag != "html" else None
        if lang == "en" and not self._skipping():
            marks = [*(found.get("class") or "").split(), found.get("id") or ""]
            self.english.append((tag, next((m for m in marks if (tag, m) in ENGLISH_ALLOWED), "")))
        hidden = tag in ("script", "style", "datalist")
        self._stack.append((tag, lang, hidden))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.parts.append(data)


def check_spanish(response: TestResponse, where: str) -> str:
    """Assert the page is Spanish: ``lang="es"``, no English word outside allowed English."""
    html = response.get_data(as_text=True)
    assert '<html lang="es">' in html, where
    parser = VisibleText()
    parser.feed(html)
    text = re.sub(r"\s+", " ", " ".join(parser.parts))
    left = sorted(set(_ENGLISH.findall(text)))
    assert not left, f"{where}: English left on the Spanish page: {left}\n{text}"
    unexpected = [tag for tag, allowed in parser.english if not allowed]
    assert not unexpected, f"{where}: unexpected lang=en elements {unexpected}"
    return text


def switch_to_spanish(client: FlaskClient, path: str = "/") -> TestResponse:
    token = csrf_token(get_page(client, path).get_data(as_text=True))
    return client.post("/intake/language", data={"csrf_token": token, "lang": "es", "next": path})


# The catalogue ------------------------------------------------------------------------------


def _spanish_catalogue() -> Catalog:
    with (CATALOGUE / "messages.po").open("rb") as po:
        return read_po(po, locale="es")


def test_every_message_has_a_spanish_translation() -> None:
    catalogue = _spanish_catalogue()
    untranslated = [m.id for m in catalogue if m.id and not m.string]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy
    assert len([m for m in catalogue if m.id]) > 300  # the whole patient side, not a stub


def test_the_catalogue_holds_every_text_marked_for_translation() -> None:
    """Extracted now with babel.cfg: a new text without a Spanish translation fails here (run
    ``make translations`` and translate it)."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None, "say": None}
    extracted = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
    }
    known = {m.id for m in _spanish_catalogue() if m.id}
    assert extracted - known == set()
    assert known - extracted == set()  # no translation kept for a text that is gone


def test_the_compiled_catalogue_matches_its_source() -> None:
    """The .mo files are committed (a fresh clone needs no compile step): they must say what
    the .po says."""
    with (CATALOGUE / "messages.mo").open("rb") as mo:
        compiled = Translations(mo)
    for message in _spanish_catalogue():
        if message.id:
            assert compiled.gettext(message.id) == message.string, message.id


def test_the_instruments_are_not_in_the_catalogue() -> None:
    """PHQ-9, GAD-7 and ASQ are never machine-translated: none of their items is a msgid
    (a table of published items, not the vocabulary's)."""
    published = (
        "Little interest or pleasure in doing things",
        "Feeling nervous, anxious or on edge",
        "In the past few weeks, have you wished you were dead?",
        "Are you having thoughts of killing yourself right now?",
        "Not at all",
        "More than half the days",
        "I'd rather not answer",
    )
    known = {m.id for m in _spanish_catalogue() if m.id}
    assert [item for item in published if item in known] == []


# The pages ----------------------------------------------------------------------------------


def test_the_switch_changes_the_language_without_javascript_or_a_query(
    client: FlaskClient,
) -> None:
    """Back to the page it was pressed on, its own query kept (the support page's ``next``)."""
    start = get_page(client, "/").get_data(as_text=True)
    assert '<html lang="en">' in start
    assert 'action="/intake/language"' in start and 'value="es"' in start
    response = switch_to_spanish(client, "/resume")
    assert response.status_code == 302
    assert response.location == "/resume"  # back to the same page, no language in the URL
    check_spanish(get_page(client, "/resume"), "resume")
    check_spanish(get_page(client, "/"), "start")
    token = csrf_token(get_page(client, "/").get_data(as_text=True))
    back = "/intake/support?next=medications"
    response = client.post(
        "/intake/language", data={"csrf_token": token, "lang": "en", "next": back}
    )
    assert response.location == back
    assert '<html lang="en">' in get_page(client, "/").get_data(as_text=True)


def test_the_switch_goes_nowhere_else(client: FlaskClient) -> None:
    refused = client.post("/intake/language", data={"lang": "es", "next": "/"})
    assert refused.status_code == 400  # no CSRF token: nothing changed
    assert '<html lang="en">' in get_page(client, "/").get_data(as_text=True)
    token = csrf_token(get_page(client, "/").get_data(as_text=True))
    unknown = client.post("/intake/language", data={"csrf_token": token, "lang": "fr"})
    assert unknown.location == "/"
    assert '<html lang="en">' in get_page(client, "/").get_data(as_text=True)
    for target in (
        "https://example.org/",
        "//example.org/",
        "/\\example.org/",
        "/\t/example.org/",
        "/ /example.org",
        "/staff/",
        "/admin/accounts",
        "/intake/language",
    ):
        response = client.post(
            "/intake/language", data={"csrf_token": token, "lang": "es", "next": target}
        )
        assert response.location == "/", target


def test_staff_pages_stay_english(client: FlaskClient) -> None:
    switch_to_spanish(client)
    login = get_page(client, "/staff/login").get_data(as_text=True)
    assert '<html lang="en">' in login
    assert 'action="/intake/language"' not in login


def test_the_whole_wizard_in_spanish(app: Flask, walker: WizardWalker) -> None:
    client = walker.client
    switch_to_spanish(client)
    check_spanish(get_page(client, "/"), "start")
    walker.start()
    for step in VALID:
        page = get_page(client, step_url(step))
        assert page.status_code == 200, step
        check_spanish(page, step)
        if step != "review":
            rejected = walker.post(step, {}, action="next")
            if rejected.status_code == 422:
                text = check_spanish(rejected, f"{step} with errors")
                assert "Revise" in text, step  # the error summary, in Spanish
        data = dict(VALID[step])
        if step == "about":
            data["preferred_language"] = "es"
        if step == "review":
            rejected = walker.post(step, {**data, "signature": ""}, action="submit")
            assert rejected.status_code == 422
            check_spanish(rejected, "review with errors")
            sent = walker.post(step, data, action="submit")
            assert sent.location.endswith("/intake/done")
        else:
            assert walker.post(step, data).status_code == 302, step
    done_page = get_page(client, "/intake/done")
    done = check_spanish(done_page, "done")
    assert "Gracias. Sus respuestas se enviaron." in done
    # The education texts are Spanish now, scanned like the rest (no lang="en" on them).
    assert "Esta es información general para ayudarle a hablar" in done
    assert 'class="pathway" lang="en"' not in done_page.get_data(as_text=True)
    check_spanish(get_page(client, "/intake/done/print"), "done, print view")
    token = csrf_token(get_page(client, "/intake/done").get_data(as_text=True))
    assert client.post("/intake/finish", data={"csrf_token": token}).status_code == 302
    # The thank-you after "Finish" is Spanish too, on a page in the device's language again:
    # English, which the next person on the device starts in (the switch is on the page).
    start = get_page(client, "/").get_data(as_text=True)
    assert '<html lang="en">' in start
    assert re.search(
        r'id="finished" lang="es">\s*<p>Gracias. Sus respuestas se enviaron a la clínica', start
    )
    assert 'id="finished"' not in get_page(client, "/").get_data(as_text=True)  # once


def test_the_language_answer_is_the_drafts_language(walker: WizardWalker) -> None:
    """Answering "Español" on step 1 (no switch pressed) turns the next pages Spanish; the
    switch then changes the draft's answer."""
    client = walker.client
    walker.start()
    walker.post("about", {**VALID["about"], "preferred_language": "es"})
    check_spanish(get_page(client, step_url("concerns")), "concerns")
    token = csrf_token(get_page(client, step_url("concerns")).get_data(as_text=True))
    client.post(
        "/intake/language",
        data={"csrf_token": token, "lang": "en", "next": step_url("about")},
    )
    about = get_page(client, step_url("about")).get_data(as_text=True)
    assert '<html lang="en">' in about
    assert re.search(r'value="en"[^>]*checked|checked[^>]*value="en"', about)


def test_saved_support_and_resume_pages_in_spanish(walker: WizardWalker) -> None:
    client = walker.client
    switch_to_spanish(client)
    walker.start()
    saved = walker.post("about", {**VALID["about"], "preferred_language": "es"}, action="save")
    check_spanish(get_page(client, saved.location), "saved")
    check_spanish(get_page(client, "/intake/saved/hidden"), "saved, code hidden")
    walker.walk(IN_SPANISH, until="asq")
    support = walker.post("asq", POSITIVE_ASQ)
    page = get_page(client, support.location)
    check_spanish(page, "support")
    sent = press_send(client, page)
    check_spanish(get_page(client, sent.location), "support, sent")
    check_spanish(get_page(client, "/intake/support"), "support after sending")
    token = csrf_token(get_page(client, "/resume").get_data(as_text=True))
    failed = client.post(
        "/resume",
        data={"csrf_token": token, "code": "AAAA-BBBB-CCCC", "date_of_birth": "1985-04-12"},
    )
    assert failed.status_code == 422
    check_spanish(failed, "resume, no match")


def test_acute_support_and_crisis_lines_in_spanish(walker: WizardWalker) -> None:
    client = walker.client
    switch_to_spanish(client)
    walker.start()
    walker.walk(IN_SPANISH, until="asq")
    acute = {**VALID["asq"], "ever_tried": "yes", "thoughts_right_now": "yes"}
    page = get_page(client, walker.post("asq", acute).location)
    text = check_spanish(page, "acute support")
    # clinical-facts.md, "Crisis line facts": 988, press 2 for Spanish.
    assert "llame al 988 y marque 2" in text
    assert "911" in text


def test_expired_missing_and_rate_limited_pages_in_spanish(
    app: Flask, walker: WizardWalker
) -> None:
    client = walker.client
    switch_to_spanish(client)
    walker.start()
    draft = db.session.scalars(db.select(Draft)).one()
    draft.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    expired = get_page(client, step_url("about"))
    assert expired.status_code == 410
    check_spanish(expired, "expired")
    missing = get_page(client, "/no-such-page")
    assert missing.status_code == 404
    check_spanish(missing, "404")
    token = csrf_token(get_page(client, "/resume").get_data(as_text=True))
    body = {"csrf_token": token, "code": "AAAA-BBBB-CCCC", "date_of_birth": "1985-04-12"}
    statuses = [client.post("/resume", data=body).status_code for _ in range(11)]
    assert statuses[-1] == 429
    check_spanish(client.post("/resume", data=body), "429")


@pytest.mark.parametrize("step", ["phq9", "gad7", "asq"])
def test_instruments_stay_as_published_with_a_spanish_note(walker: WizardWalker, step: str) -> None:
    """No verified Spanish version yet (docs/wizard.md): the published English wording, marked
    lang="en", with a note in Spanish."""
    client = walker.client
    switch_to_spanish(client)
    walker.start()
    html = get_page(client, step_url(step)).get_data(as_text=True)
    assert 'id="instrument-language-note"' in html
    assert "versión oficial en español" in html
    published = {
        "phq9": "Little interest or pleasure in doing things",
        "gad7": "Feeling nervous, anxious or on edge",
        "asq": "In the past few weeks, have you wished you were dead?",
    }[step]
    assert published in html


def test_staff_see_the_patients_language_beside_english_answers(
    walker: WizardWalker, login_as: Any
) -> None:
    """The staff submission page and the clinician summary stay English and say the patient
    answered in Spanish; an English intake has no such note."""
    from intake.models import Submission

    client = walker.client
    walker.start()
    walker.walk(IN_SPANISH)
    walker.submit()
    walker.start()
    walker.walk()
    walker.submit()
    spanish, english = db.session.scalars(db.select(Submission).order_by(Submission.id)).all()
    assert spanish.answers["patient"]["preferred_language"] == "es"
    login_as("clinician")
    note = "The patient answered in Spanish; items are shown in English."
    for url in ("/staff/submissions/{}", "/clinician/submissions/{}"):
        page = get_page(client, url.format(spanish.id)).get_data(as_text=True)
        assert '<html lang="en">' in page, url
        assert note in page, url
        assert 'action="/intake/language"' not in page
        other = get_page(client, url.format(english.id)).get_data(as_text=True)
        assert "The patient answered in" not in other, url


def test_a_refused_card_photo_is_explained_in_spanish(walker: WizardWalker) -> None:
    import io

    client = walker.client
    walker.start()
    walker.walk(IN_SPANISH, until="insurance")
    token = csrf_token(get_page(client, step_url("insurance")).get_data(as_text=True))
    response = client.post(
        step_url("insurance"),
        data={
            **VALID["insurance"],
            "csrf_token": token,
            "action": "next",
            "card_front": (io.BytesIO(b"this is not a photo"), "card.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    text = check_spanish(response, "insurance, photo refused")
    assert "Este archivo no es una foto que podamos leer." in text


def test_the_spanish_support_pages_read_fairly_easily(walker: WizardWalker) -> None:
    """The Spanish counterpart of grade 8 or below (test_wizard_v2): a Fernández-Huerta score
    of 70 or more ("fairly easy", about a 7th-grade reader) for the main text of the support
    pages and the start page, in Spanish."""
    from readability import fernandez_huerta

    client = walker.client
    switch_to_spanish(client)

    def main_text(response: TestResponse) -> str:
        html = response.get_data(as_text=True)
        main = html[html.index('<main id="main"') : html.index("</main>")]
        parser = VisibleText()
        parser.feed(main)
        return re.sub(r"\s+", " ", " ".join(parser.parts))

    texts = {"start": main_text(get_page(client, "/"))}
    walker.start()
    walker.walk(IN_SPANISH, until="asq")
    calm = walker.post("asq", POSITIVE_ASQ)
    texts["calm support"] = main_text(get_page(client, calm.location))
    acute = {**VALID["asq"], "ever_tried": "yes", "thoughts_right_now": "yes"}
    texts["acute support"] = main_text(get_page(client, walker.post("asq", acute).location))
    scores = {name: round(fernandez_huerta(text), 1) for name, text in texts.items()}
    assert all(score >= 70 for score in scores.values()), scores


# Check-ins of a course of care (docs/checkins.md, "Language") -------------------------------

#: A check-in's form as the page posts it (every item by its field name; side effects "none").
CHECKIN_NAMES = {
    "phq9": [f"phq9_{n}" for n in range(1, 10)],
    "gad7": [f"gad7_{n}" for n in range(1, 8)],
}
EFFECTS = (
    "headache",
    "scalp_discomfort",
    "twitching",
    "light_headedness",
    "hearing_change",
    "seizure",
    "elevated_mood",
    "other",
)
NO_ASQ = {
    "wished_dead": "no",
    "family_better_off": "no",
    "thoughts_of_killing_self": "no",
    "ever_tried": "no",
}


def checkin_body(
    token: str,
    phq9: list[int],
    *,
    asq: dict[str, str] | None = None,
    effects: dict[str, str] | None = None,
) -> dict[str, str]:
    out = {"csrf_token": token}
    out |= {name: str(value) for name, value in zip(CHECKIN_NAMES["phq9"], phq9, strict=True)}
    out |= {name: "1" for name in CHECKIN_NAMES["gad7"]}
    out |= dict(asq or {})
    out |= {f"effect_{code}": (effects or {}).get(code, "none") for code in EFFECTS}
    return out


def spanish_course(*, weeks_ago: int = 1) -> Any:
    """A course whose intake was answered in Spanish, and its open check-in."""
    from answer_documents import changed, sample_answers
    from checkin_samples import open_course

    _course, checkin = open_course(
        weeks_ago=weeks_ago,
        answers=changed(sample_answers(), {"patient.preferred_language": "es"}),
    )
    return checkin


def open_link(client: FlaskClient, checkin: Any) -> TestResponse:
    from checkin_samples import link_for

    opened = client.get(f"/c/{link_for(checkin)}")
    assert opened.status_code == 302 and opened.location == "/checkin"
    return get_page(client, "/checkin")


def test_a_check_in_is_in_the_patients_intake_language(app: Flask, client: FlaskClient) -> None:
    """A Spanish intake: the check-in is Spanish from the link on, no switch pressed; the
    instruments stay as published (lang="en") with the Spanish note; errors at an instrument's
    question are Spanish, marked so inside the English; the ASQ asked for after item 9 (the
    server's page, JavaScript off), and the acute thank-you page with 988 in Spanish."""
    checkin = spanish_course()
    page = open_link(client, checkin)
    text = check_spanish(page, "check-in")
    html = page.get_data(as_text=True)
    assert "Su seguimiento" in text
    assert 'id="instrument-language-note"' in html and "versión oficial en español" in html
    assert html.count('class="instrument" lang="en"') == 3  # PHQ-9, ASQ, GAD-7
    assert "Little interest or pleasure in doing things" in html  # as published
    assert "Feeling nervous, anxious or on edge" in html
    assert "Dolor de cabeza" in text and "Leve" in text and "Grave" in text  # side effects
    token = csrf_token(html)
    empty = client.post("/checkin", data={"csrf_token": token})
    assert empty.status_code == 422
    text = check_spanish(empty, "check-in with errors")
    assert "Revise" in text and "Responda esta pregunta." in text
    assert re.search(r'class="field-error"[^>]*lang="es"', empty.get_data(as_text=True))
    asked = client.post("/checkin", data=checkin_body(token, [1] * 9))
    assert asked.status_code == 422
    text = check_spanish(asked, "check-in, the ASQ asked for")
    assert "Por su respuesta a la pregunta 9, responda también estas preguntas." in text
    acute = {**NO_ASQ, "wished_dead": "yes", "thoughts_right_now": "yes", "asq_prompted": "1"}
    sent = client.post("/checkin", data=checkin_body(token, [1] * 9, asq=acute))
    assert sent.status_code == 302 and sent.location == "/checkin/done"
    done = check_spanish(get_page(client, "/checkin/done"), "check-in, acute")
    assert done.index("Busque apoyo ahora") < done.index("Gracias por responder con sinceridad")
    assert "llame al 988 y marque 2" in done and "911" in done
    again = client.post("/checkin", data=checkin_body(token, [1] * 9, asq=acute))
    assert again.status_code == 409
    text = check_spanish(again, "check-in already sent")
    assert "Su seguimiento ya se envió" in text
    assert "Hay apoyo disponible ahora mismo" in text  # a positive ASQ in them: help first


def test_the_calm_and_seizure_thank_you_pages_in_spanish(app: Flask, client: FlaskClient) -> None:
    checkin = spanish_course()
    token = csrf_token(open_link(client, checkin).get_data(as_text=True))
    calm = checkin_body(token, [1] * 9, asq=NO_ASQ, effects={"seizure": "mild"})
    assert client.post("/checkin", data=calm).status_code == 302
    done = check_spanish(get_page(client, "/checkin/done"), "check-in, calm and seizure")
    assert "Usted nos dijo que tuvo una convulsión." in done
    assert "un profesional clínico querrá hablar con usted" in done


def test_the_switch_changes_a_check_ins_language_not_the_url(
    app: Flask, client: FlaskClient
) -> None:
    """An English intake: the check-in is English; the switch turns it (and its thank-you page)
    Spanish without a language in any URL, and back."""
    from checkin_samples import open_course

    _course, checkin = open_course(weeks_ago=1)
    page = open_link(client, checkin)
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html and "Your check-in" in html
    assert 'name="next" value="/checkin"' in html
    switched = client.post(
        "/intake/language", data={"csrf_token": csrf_token(html), "lang": "es", "next": "/checkin"}
    )
    assert switched.location == "/checkin"
    page = get_page(client, "/checkin")
    check_spanish(page, "check-in, switched")
    token = csrf_token(page.get_data(as_text=True))
    assert client.post("/checkin", data=checkin_body(token, [0] * 9)).status_code == 302
    done = check_spanish(get_page(client, "/checkin/done"), "check-in sent, switched")
    assert "Gracias: su seguimiento se envió" in done
    back = client.post(
        "/intake/language", data={"csrf_token": token, "lang": "en", "next": "/checkin/done"}
    )
    assert back.location == "/checkin/done"
    assert '<html lang="en">' in get_page(client, "/checkin/done").get_data(as_text=True)


def test_a_link_that_opens_nothing_in_spanish_keeps_its_token_out_of_the_switch(
    app: Flask, client: FlaskClient
) -> None:
    """The one page for every link that opens nothing: in the switch's language (it never says
    whose link it was), and its switch goes to /checkin, which shows the same page."""
    token_path = "/c/no-such-token-at-all"
    html = client.get(token_path).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "no-such-token" not in html
    assert 'name="next" value="/checkin"' in html
    switched = client.post(
        "/intake/language", data={"csrf_token": csrf_token(html), "lang": "es", "next": token_path}
    )
    assert switched.location == "/"  # a link's address is never a place to go back to
    page = client.get(token_path)
    text = check_spanish(page, "link opens nothing")
    assert "Este enlace venció o ya se usó." in text
    check_spanish(get_page(client, "/checkin"), "check-in, nothing open")


def test_the_tablet_in_spanish_and_the_choice_goes_on_with_the_patient(
    app: Flask, client: FlaskClient
) -> None:
    """The tablet page switched to Spanish: its errors are Spanish, and the check-in the code
    opens (an English intake's) stays Spanish; once it is sent the tablet forgets the choice
    for the next person."""
    from checkin_samples import BORN, open_course, tablet_code_for

    _course, checkin = open_course(weeks_ago=1)
    code = tablet_code_for(checkin)
    token = csrf_token(get_page(client, "/checkin/tablet").get_data(as_text=True))
    client.post(
        "/intake/language", data={"csrf_token": token, "lang": "es", "next": "/checkin/tablet"}
    )
    check_spanish(get_page(client, "/checkin/tablet"), "tablet")
    blank = client.post("/checkin/tablet", data={"csrf_token": token})
    assert blank.status_code == 422
    check_spanish(blank, "tablet, blank")
    wrong = client.post(
        "/checkin/tablet",
        data={"csrf_token": token, "code": "ZZZZ-ZZZZ", "date_of_birth": BORN.isoformat()},
    )
    assert wrong.status_code == 422
    assert "no coinciden" in check_spanish(wrong, "tablet, no match")
    opened = client.post(
        "/checkin/tablet",
        data={"csrf_token": token, "code": code, "date_of_birth": BORN.isoformat()},
    )
    assert opened.location == "/checkin"
    page = get_page(client, "/checkin")
    check_spanish(page, "check-in from the tablet")
    body = checkin_body(csrf_token(page.get_data(as_text=True)), [0] * 9)
    assert client.post("/checkin", data=body).status_code == 302
    check_spanish(get_page(client, "/checkin/done"), "tablet check-in sent")
    assert '<html lang="en">' in get_page(client, "/checkin/tablet").get_data(as_text=True)


def test_the_check_in_and_the_intake_offer_the_same_languages() -> None:
    from intake.patient.language import LOCALES
    from intake.services.courses import PATIENT_LANGUAGES

    assert tuple(PATIENT_LANGUAGES) == LOCALES == ("en", "es")
