"""Answers documents and stored submissions for the clinician, insurance and export tests.

``rich_answers()`` exercises every section of the pathway summary at once: a non-acute positive
suicide screen, a yes and an unsure on the TMS safety screen, a seizure-threshold medicine, and
medication trials that count and that do not (too short, too low, repeated, add-on, unknown).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from answer_documents import AS_OF_ISO, changed, sample_answers

from intake.extensions import db
from intake.models import Submission
from intake.services.submissions import submit_document

AS_OF = date.fromisoformat(AS_OF_ISO)


def rich_answers() -> dict[str, Any]:
    """A document that fills every section of the summary."""
    return changed(
        sample_answers(),
        {
            "patient.first_name": "Marisol",
            "patient.last_name": "Okafor-Lind",
            "phq9.items": [3, 3, 2, 2, 2, 2, 2, 2, 1],
            "asq.wished_dead": "yes",
            "asq.thoughts_right_now": "no",
            "safety_screen.fainting": "yes",
            "safety_screen.seizure_history": "unsure",
            "safety_screen.hearing_problems": "yes",
            "other_medications": ["tramadol"],
            "medication_trials": [
                {
                    "name": "Zoloft",
                    "daily_dose_mg": 150,
                    "weeks": 10,
                    "outcome": "no_improvement",
                    "current": False,
                },
                {
                    "name": "sertraline",
                    "daily_dose_mg": 200,
                    "weeks": 8,
                    "outcome": "partial_improvement",
                    "current": False,
                },
                {
                    "name": "Effexor XR",
                    "daily_dose_mg": 150,
                    "weeks": 8,
                    "outcome": "partial_improvement",
                    "current": True,
                },
                {
                    "name": "escitalopram",
                    "daily_dose_mg": 5,
                    "weeks": 12,
                    "outcome": "no_improvement",
                    "current": False,
                },
                {
                    "name": "fluoxetine",
                    "daily_dose_mg": 20,
                    "weeks": 3,
                    "outcome": "no_improvement",
                    "current": False,
                },
                {
                    "name": "bupropion",
                    "daily_dose_mg": None,
                    "weeks": 2,
                    "outcome": "stopped_side_effects",
                    "current": False,
                },
                {
                    "name": "aripiprazole",
                    "daily_dose_mg": 5,
                    "weeks": 8,
                    "outcome": "partial_improvement",
                    "current": True,
                },
                {
                    "name": "Moonleaf tincture",
                    "daily_dose_mg": None,
                    "weeks": 4,
                    "outcome": "no_improvement",
                    "current": False,
                },
            ],
            "psychotherapy_trials": [
                {
                    "modality": "cbt",
                    "sessions": 12,
                    "outcome": "partial_improvement",
                    "current": False,
                },
                {
                    "modality": "supportive",
                    "sessions": 20,
                    "outcome": "no_improvement",
                    "current": True,
                },
            ],
        },
    )


def store(answers: dict[str, Any] | None = None, **changes: Any) -> Submission:
    """Submit ``answers`` (the plain sample by default) as on the test date; returns it stored."""
    document = answers if answers is not None else sample_answers()
    submission = submit_document(document, source="api", as_of=AS_OF)
    for name, value in changes.items():
        setattr(submission, name, value)
    db.session.commit()  # the service leaves the commit to its caller
    return submission
