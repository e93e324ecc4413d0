"""The check-in page's questions drawn once per language while unanswered
(``checkin.blank_once``) and the check-in's language read in one statement
(``courses.checkin_language``): the same pages as drawing them on every view."""

from __future__ import annotations

import re

import pytest
from answer_documents import changed, sample_answers
from checkin_samples import link_for, open_course
from flask import Flask
from flask.testing import FlaskClient

from intake.patient import checkin as checkin_views
from intake.services import courses
from tests.patient.helpers import csrf_token, get_page


def normalised(html: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "TOKEN", html)


def opened(client: FlaskClient, lang: str) -> str:
    answers = changed(sample_answers(), {"patient.preferred_language": lang})
    _course, checkin = open_course(weeks_ago=1, answers=answers)
    response = client.get(f"/c/{link_for(checkin)}")
    assert response.status_code == 302
    page = get_page(client, "/checkin")
    assert page.status_code == 200
    return page.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_an_unanswered_check_in_is_the_page_drawn_afresh(
    app: Flask, client: FlaskClient, lang: str
) -> None:
    checkin_views._BLANK.clear()
    first = opened(client, lang)  # drawn, and its questions kept
    assert f'<html lang="{lang}"' in first
    again = get_page(client, "/checkin").get_data(as_text=True)  # the kept questions
    assert normalised(again) == normalised(first)
    assert csrf_token(again)  # the page's own token, not a kept one
    checkin_views._BLANK.clear()
    afresh = get_page(client, "/checkin").get_data(as_text=True)
    assert normalised(afresh) == normalised(again)


def test_a_page_with_answers_or_errors_is_not_the_kept_one(app: Flask, client: FlaskClient) -> None:
    page = opened(client, "en")
    assert "checked" not in page.split('id="phq9-heading"', 1)[1].split("</section>", 1)[0]
    # item 9 answered above 0, everything else missing: errors, the answer kept, the ASQ shown
    response = client.post("/checkin", data={"csrf_token": csrf_token(page), "phq9_9": "2"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="phq9_9"[^>]*value="2"', html) or re.search(
        r'<input[^>]*name="phq9_9"[^>]*value="2"[^>]*checked', html
    )
    assert 'class="field-error"' in html
    assert 'id="asq-section" aria-labelledby="asq-heading" hidden' not in html
    # and the next unanswered view is the blank page again
    blank = get_page(client, "/checkin").get_data(as_text=True)
    assert normalised(blank) == normalised(page)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_check_in_language_is_the_intakes(app: Flask, lang: str) -> None:
    answers = changed(sample_answers(), {"patient.preferred_language": lang})
    _course, checkin = open_course(weeks_ago=1, answers=answers)
    assert courses.checkin_language(checkin.id) == lang
    assert courses.checkin_language(checkin.id + 1000) is None
