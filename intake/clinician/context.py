"""What the pathway summary shows, for its page and its PDF (one place, so both agree)."""

from __future__ import annotations

from intake.fhir import LOINC_GAD7_ITEMS, LOINC_PHQ9_ITEMS
from intake.models import Submission
from intake.pages import evaluation_of, user_names
from intake.rules import RULESET, Ruleset
from intake.services.patients import earlier_intakes
from intake.services.reviews import pathway_choices, reviews_of
from intake.services.summary import build_partial_summary, build_summary, reevaluate


def current_ruleset() -> Ruleset:
    """The ruleset new evaluations use; re-evaluations compare against it."""
    return RULESET


def summary_context(submission: Submission) -> dict[str, object]:
    ruleset = current_ruleset()
    reviews = reviews_of(submission)
    names = user_names({r.clinician_id for r in reviews})
    review = reviews[0] if reviews else None
    if submission.partial:
        # Sent from the support page before the form was finished: its own summary (what was
        # answered, the screening flags); no pathways to re-evaluate (docs/staff.md).
        summary: object = build_partial_summary(submission.answers, evaluation_of(submission))
        reevaluation = None
    else:
        summary = build_summary(submission.answers, evaluation_of(submission), ruleset)
        reevaluation = reevaluate(submission.answers, evaluation_of(submission), ruleset)
    return {
        "submission": submission,
        "summary": summary,
        "reevaluation": reevaluation,
        "review": review,
        "reviewer": names.get(review.clinician_id) if review else None,
        "reviews": reviews,
        "reviewers": names,
        "titles": dict(pathway_choices(ruleset)),
        "earlier": earlier_intakes(submission),
        # Each item's LOINC code, shown on the page (not the PDF) for EHR mapping (docs/fhir.md).
        "loinc_items": {"PHQ-9": LOINC_PHQ9_ITEMS, "GAD-7": LOINC_GAD7_ITEMS},
    }
