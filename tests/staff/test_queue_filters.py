"""The queue's filter form: what it keeps, what it drops with a message, and the search rule."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import ImmutableMultiDict

from intake.services.queue import QueueFilters
from intake.staff.filters import QueueFilterForm, read_filters
from intake.text import FORM_MESSAGES, TextFault
from tests.factories import post


def test_usable_values_are_kept_as_typed(app: Flask) -> None:
    f = read_filters(
        {
            "q": "  Reyes ",
            "status": "in_review",
            "urgent": "no",
            "concern": " ocd ",
            "coverage": "medicare",
            "pathway": "tms_plus_erp",
            "date_from": "2024-01-31",
            "date_to": "02/29/2024",
            "sort": "oldest",
            "page": "3",
        }
    )
    assert f == QueueFilters(
        status="in_review",
        urgent="no",
        concern="ocd",
        coverage="medicare",
        pathway="tms_plus_erp",
        date_from="2024-01-31",
        date_to="02/29/2024",
        q="Reyes",
        sort="oldest",
        page=3,
        problems=[],
    )


def test_nothing_given_is_the_newest_first_first_page(app: Flask) -> None:
    assert read_filters({}) == QueueFilters()
    assert read_filters({"page": "x"}).page == 1
    assert read_filters({"page": "-4"}).page == 1


def test_bad_values_are_dropped_with_a_message_and_the_rest_apply(app: Flask) -> None:
    f = read_filters(
        {"status": "bogus", "concern": "ocd", "date_from": "31.01.2024", "sort": "loudest"}
    )
    assert (f.status, f.concern, f.date_from, f.sort) == ("", "ocd", "", "newest")
    assert f.problems == [
        "Unknown status ignored.",
        "Enter dates as YYYY-MM-DD.",
        "Unknown sort ignored.",
    ]


def test_the_search_is_read_only_when_allowed_and_checked(app: Flask) -> None:
    args = ImmutableMultiDict([("q", "smith"), ("concern", "ocd")])
    from_url = read_filters(args, allow_search=False)
    assert (from_url.q, from_url.concern, from_url.problems) == ("", "ocd", [])
    assert read_filters({"q": "x" * 150}).q == "x" * 100
    hidden = read_filters({"q": "smi\u202eth"})
    assert (hidden.q, hidden.problems) == ("", [FORM_MESSAGES[TextFault.BIDI]])


def test_a_search_in_the_url_is_not_shown_in_the_search_box(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    html = client.get("/staff/?q=smith").get_data(as_text=True)
    assert 'name="q" type="text" value=""' in html
    assert "smith" not in html


def test_the_fields_are_labelled_and_a_bad_one_is_marked(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    html = post(client, "/staff/", {"urgent": "maybe", "concern": "ocd"}).get_data(as_text=True)
    for name in ("q", *QueueFilterForm.FILTER_NAMES):
        assert f'<label for="{name}">' in html
    assert 'aria-describedby="q-hint"' in html
    assert 'aria-describedby="urgent-error-1" aria-invalid="true"' in html
    assert "Urgent: Unknown urgent ignored." in html
    assert '<option selected value="ocd">OCD</option>' in html
    assert '<details class="filters" open>' in html
