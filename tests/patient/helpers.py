"""Helpers for wizard tests: valid answers per step and a ``WizardWalker`` for the test client.

CSRF stays on in tests, so every POST first GETs the page and reads its ``csrf_token``.
"""

from __future__ import annotations

import re
from typing import Any

from flask import g, has_app_context
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from intake.answers import SAFETY_ITEMS
from intake.forms.patient import STEP_NAMES
from tests.patient.screen import Screen

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

VALID: dict[str, dict[str, str]] = {
    "about": {
        "first_name": "Ana",
        "last_name": "Reyes",
        "date_of_birth": "1985-04-12",
        "email": "ana@example.org",
        "phone": "+1 503 555 0100",
        "preferred_language": "en",
        "preferred_contact": "email",
    },
    "concerns": {
        "primary": "depression",
        "episode_months": "14",
        "psychotic_symptoms": "no",
        "mania_history": "no",
        "bipolar_diagnosis": "no",
    },
    "phq9": {
        **{f"item_{n}": v for n, v in enumerate("232222220", start=1)},
        "difficulty": "very_difficult",
    },
    "gad7": {f"item_{n}": "1" for n in range(1, 8)},
    "asq": {
        "wished_dead": "no",
        "family_better_off": "no",
        "thoughts_of_killing_self": "no",
        "ever_tried": "no",
    },
    "medications": {
        "medication_trials-0-name": "sertraline",
        "medication_trials-0-daily_dose_mg": "150",
        "medication_trials-0-weeks": "10",
        "medication_trials-0-outcome": "no_improvement",
        "medication_trials-1-name": "Effexor XR",
        "medication_trials-1-daily_dose_mg": "",
        "medication_trials-1-weeks": "8",
        "medication_trials-1-outcome": "partial_improvement",
        "medication_trials-1-current": "y",
    },
    "treatments": {
        "psychotherapy_trials-0-modality": "cbt",
        "psychotherapy_trials-0-sessions": "12",
        "psychotherapy_trials-0-outcome": "partial_improvement",
        "tms": "none",
        "ect": "none",
        "ketamine": "none",
        "other_medications": "lisinopril\n\nmetformin\n",
    },
    "safety": {
        **dict.fromkeys(SAFETY_ITEMS, "no"),
        "pregnant": "not_applicable",
    },
    "preferences": {
        "open_to_tms": "yes",
        "open_to_psychotherapy": "yes",
        "open_to_medication_changes": "unsure",
        "can_attend_daily_sessions": "yes",
    },
    "insurance": {
        "coverage_type": "commercial",
        "payer_name": "Acme Health",
        "member_id": "XYZ123456",
        "group_number": "G-77",
        "subscriber_relationship": "self",
    },
    "review": {
        "understands_educational_only": "y",
        "agrees_to_contact": "y",
        "signature": "Ana Reyes",
    },
}


def step_url(step: str) -> str:
    return f"/intake/step/{step}"


def forget_cached_csrf() -> None:
    """The test app keeps one app context for the whole test, so Flask-WTF's per-request cache
    of the CSRF token in ``g`` would leak between requests (and between test clients)."""
    if has_app_context():
        g.pop("csrf_token", None)


def get_page(client: FlaskClient, url: str) -> TestResponse:
    forget_cached_csrf()
    return client.get(url)


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no csrf_token on the page"
    return match.group(1)


class WizardWalker:
    """Drives the wizard through the Flask test client like a browser would."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def start(self) -> TestResponse:
        token = csrf_token(get_page(self.client, "/").get_data(as_text=True))
        return self.client.post("/intake/start", data={"csrf_token": token})

    def post(
        self,
        step: str,
        data: dict[str, Any] | None = None,
        action: str = "next",
        *,
        with_csrf: bool = True,
    ) -> TestResponse:
        """GET the step (for its CSRF token), then POST ``data`` with the button ``action``."""
        page = get_page(self.client, step_url(step))
        assert page.status_code == 200, (step, page.status_code)
        body: dict[str, Any] = {**(VALID[step] if data is None else data)}
        if action:
            body["action"] = action
        if with_csrf:
            body["csrf_token"] = csrf_token(page.get_data(as_text=True))
        return self.client.post(step_url(step), data=body)

    def walk(
        self, overrides: dict[str, dict[str, str]] | None = None, *, until: str = "review"
    ) -> list[TestResponse]:
        """Answer every step up to (not including) ``until`` with valid answers."""
        overrides = overrides or {}
        responses = []
        for step in STEP_NAMES[: STEP_NAMES.index(until)]:
            response = self.post(step, overrides.get(step, VALID[step]))
            assert response.status_code == 302, (step, response.status_code, _errors(response))
            responses.append(response)
        return responses

    def submit(self, data: dict[str, str] | None = None) -> TestResponse:
        return self.post("review", VALID["review"] if data is None else data, action="submit")

    def complete(self, overrides: dict[str, dict[str, str]] | None = None) -> TestResponse:
        self.start()
        self.walk(overrides)
        return self.submit((overrides or {}).get("review"))


def _errors(response: TestResponse) -> list[str]:
    found = re.findall(r'class="field-error"[^>]*>(.*?)</p>', response.get_data(as_text=True))
    return [re.sub(r"<span[^>]*>.*?</span>", "", e) for e in found]


errors = _errors


# The support page's "send what I have answered so far" (docs/wizard.md) ---------------------

SEND_URL = "/intake/support/send"
POSITIVE_ASQ = {**VALID["asq"], "wished_dead": "yes", "thoughts_right_now": "no"}
ACUTE_ASQ = {**VALID["asq"], "ever_tried": "yes", "thoughts_right_now": "yes"}


def to_support(walker: WizardWalker, asq: dict[str, str] = POSITIVE_ASQ) -> TestResponse:
    walker.start()
    walker.walk(until="asq")
    response = walker.post("asq", asq)
    assert "/intake/support" in response.location
    return get_page(walker.client, response.location)


def press_send(client: FlaskClient, page: TestResponse, **typed: str) -> TestResponse:
    html = page.get_data(as_text=True)
    assert f'action="{SEND_URL}"' in html
    screen = Screen(html)
    for name, text in typed.items():
        screen.type(name, text)
    return client.post(SEND_URL, data=MultiDict(screen.post_body("send")))
