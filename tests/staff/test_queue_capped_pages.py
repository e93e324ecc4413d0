"""The pager's words when the list's count is capped (docs/staff.md, "Counts" and "Pages").

A tester's list: Commercial + Depression, 946 rows, 50 a page; with two filters the count stops
at 500. The last page said "Page 19 of 19: submissions 901–946 of more than 500" under the
heading "Submissions (more than 500)", and Previous from it said "Page 18 of more than 18".
Here the same list, at the same size with the app's own page size and caps, is paged through
as a browser does, and every page's heading, position line and table caption are compared
with the table written below.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from intake.models.types import utcnow
from tests.factories import post
from tests.staff.bulk import copies

FORM = {"coverage": "commercial", "concern": "depression"}
MATCHING = 946

#: page, the heading's figure, the position line. Written out from docs/staff.md: the count of
#: two filters is exact to 500; past page 1, a page adds the rows after it counted up to 500
#: (so from page 9, 450 + 496, the total is known); the last page ends the list.
EXPECTED = [
    (1, "more than 500", "Page 1 of more than 10: submissions 1–50 of more than 500"),
    (2, "more than 600", "Page 2 of more than 12: submissions 51–100 of more than 600"),
    (3, "more than 650", "Page 3 of more than 13: submissions 101–150 of more than 650"),
    (4, "more than 700", "Page 4 of more than 14: submissions 151–200 of more than 700"),
    (5, "more than 750", "Page 5 of more than 15: submissions 201–250 of more than 750"),
    (6, "more than 800", "Page 6 of more than 16: submissions 251–300 of more than 800"),
    (7, "more than 850", "Page 7 of more than 17: submissions 301–350 of more than 850"),
    (8, "more than 900", "Page 8 of more than 18: submissions 351–400 of more than 900"),
    (9, "946", "Page 9 of 19: submissions 401–450 of 946"),
    (10, "946", "Page 10 of 19: submissions 451–500 of 946"),
    (11, "946", "Page 11 of 19: submissions 501–550 of 946"),
    (12, "946", "Page 12 of 19: submissions 551–600 of 946"),
    (13, "946", "Page 13 of 19: submissions 601–650 of 946"),
    (14, "946", "Page 14 of 19: submissions 651–700 of 946"),
    (15, "946", "Page 15 of 19: submissions 701–750 of 946"),
    (16, "946", "Page 16 of 19: submissions 751–800 of 946"),
    (17, "946", "Page 17 of 19: submissions 801–850 of 946"),
    (18, "946", "Page 18 of 19: submissions 851–900 of 946"),
    (19, "946", "Page 19 of 19: submissions 901–946 of 946"),
]


@pytest.fixture
def listed(app: Flask) -> list[str]:
    """946 Commercial + Depression submissions, a minute apart (their references newest
    first), and 60 that match one filter only."""
    now = utcnow().replace(microsecond=0)
    references = [f"C{i:05d}" for i in range(MATCHING)]
    copies(references, [now - timedelta(minutes=i) for i in range(MATCHING)])
    others = [now - timedelta(minutes=i, seconds=30) for i in range(30)]
    copies([f"A{i:05d}" for i in range(30)], others, primary_concern="anxiety")
    copies([f"S{i:05d}" for i in range(30)], others, coverage_type="self_pay")
    return references


def _said(html: str) -> tuple[str, str, str, list[str]]:
    """The heading's figure, the position line, the caption's page words, the references."""
    heading = re.search(r'<h2 id="list-heading">Submissions \(([^)]*)\)</h2>', html)
    line = re.search(r'<span aria-current="page">([^<]*)</span>', html)
    caption = re.search(r"<caption>[^<]*?\. (Page [^<]*)\.</caption>", html)
    assert heading and line and caption
    start = html.index('id="list-heading"')
    refs = re.findall(r"<td>([A-Z]\d{5})</td>", html[start : html.index("</section>", start)])
    return heading[1], html_lib.unescape(line[1]), caption[1], refs


def _press(client: FlaskClient, html: str, label: str) -> str:
    start = html.index('<nav class="pagination"')
    nav = html[start : html.index("</nav>", start)]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', nav))
    pages = {
        label: value
        for value, label in re.findall(
            r'<button type="submit" name="page" value="(\d+)"[^>]*>([^<]+)</button>', nav
        )
    }
    form = {k: html_lib.unescape(v) for k, v in hidden.items()}
    return post(client, "/staff/", {**form, "page": pages[label]}).get_data(as_text=True)


def test_each_page_of_a_capped_list_says_what_it_knows(
    client: FlaskClient, login_as: Any, listed: list[str]
) -> None:
    login_as("front_desk")
    html = post(client, "/staff/", FORM).get_data(as_text=True)
    seen, refs = [], []
    while True:
        heading, line, caption, page_refs = _said(html)
        seen.append((len(seen) + 1, heading, line))
        assert line.startswith(caption + ":")  # the caption and the line agree
        refs += page_refs
        if "Next page</button>" not in html:
            break
        assert "Last page</button>" not in html  # a capped count offers no Last page
        html = _press(client, html, "Next page")
    assert seen == EXPECTED
    assert refs == listed  # every row once, newest first

    # Previous from the last page knows the end as Next did (the rows after each page are
    # counted again), down to page 1, which has the count alone.
    back = []
    while "Previous page</button>" in html:
        html = _press(client, html, "Previous page")
        heading, line, _caption, _refs = _said(html)
        back.append((EXPECTED[-1][0] - len(back) - 1, heading, line))
    assert back == EXPECTED[-2::-1]
