"""The staff password policy: length, the common-password list, the email address, and
zxcvbn's estimate of how quickly a password would be guessed (keyboard runs included).

Expectations are written here, password by password, not derived from the policy's own lists.
"""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from intake.passwords import policy_problems
from tests.factories import DEFAULT_PASSWORD, make_user, post

EMAIL = "desk@example.org"

#: password → words its one problem must contain (None: accepted).
CASES: list[tuple[str, str | None]] = [
    # keyboard runs, however long: refused with a message that says so
    ("qwertyuiopasdf", "rows of neighbouring keys"),
    ("zxcvbnmasdfghj", "rows of neighbouring keys"),
    ("asdfghjkl;lkjh", "rows of neighbouring keys"),
    ("poiuytrewqlkjhg", "rows of neighbouring keys"),
    # repeats and sequences: the old hand rule ("more different characters") let the second by
    ("aaaaaaaaaaaaaa", "would be guessed quickly"),
    ("abcdefghijklmn", "would be guessed quickly"),
    ("abababababababab", "would be guessed quickly"),
    # the common-password list still comes first
    ("password1234", "too common"),
    ("qwertyuiop12", "too common"),
    # too short, whatever else
    ("Tr0mb0ne!", "at least 12"),
    # built from the email address
    ("desk-clinic-2024", "from your email address"),
    # good passphrases
    ("correct-horse-staple-42", None),
    ("trombone lantern 17 cobalt", None),
    ("a fresh long passphrase 42", None),
]


@pytest.mark.parametrize(("password", "words"), CASES)
def test_policy(password: str, words: str | None) -> None:
    problems = policy_problems(password, EMAIL)
    if words is None:
        assert problems == []
    else:
        assert len(problems) == 1, problems
        assert words in problems[0]


def test_a_very_long_password_is_estimated_quickly() -> None:
    # zxcvbn refuses input over 72 characters and slows down on long input: only the start is
    # estimated, so a 1,000-character field answers at once.
    assert policy_problems("a" * 1000, EMAIL) != []
    assert policy_problems("trombone lantern 17 cobalt " * 30, EMAIL) == []


def _field_errors(html: str, field: str) -> list[str]:
    """The messages shown at ``field`` (``macros/forms.html``: numbered ids, "Error: " for
    screen readers before each)."""
    pattern = rf'<p class="field-error" id="{field}-error-\d+"><span[^>]*>Error: </span>([^<]*)</p>'
    return re.findall(pattern, html)


def test_keyboard_run_refused_at_the_field(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("front_desk")
    response = post(
        client,
        "/staff/account/password",
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password": "qwertyuiopasdf",
            "confirm_password": "qwertyuiopasdf",
        },
    )
    assert response.status_code == 200
    errors = _field_errors(response.get_data(as_text=True), "new_password")
    assert any("rows of neighbouring keys" in e for e in errors), errors


def test_admin_pages_show_it_at_the_field(client: FlaskClient, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    created = post(
        client,
        "/admin/users",
        {"email": "new@example.org", "roles": ["clinician"], "password": "qwertyuiopasdf"},
    )
    assert created.status_code == 400
    errors = _field_errors(created.get_data(as_text=True), "password")
    assert any("rows of neighbouring keys" in e for e in errors), errors
    target = make_user("clinician")
    reset = post(client, f"/admin/users/{target.id}/password", {"password": "zxcvbnmasdfghj"})
    assert reset.status_code == 400
    errors = _field_errors(reset.get_data(as_text=True), "password")
    assert any("rows of neighbouring keys" in e for e in errors), errors
