"""Property tests (issue 8): every valid answers document survives the wizard, by every path.

1. For any valid intake-answers/2 document, typing it into the wizard's pages as a browser
   would (rows added one at a time, an extra row added and removed, Back and forward again,
   "Save and finish later" then a resume in another browser) stores exactly that document.
2. Every combination of answers the wizard's forms accept is accepted by the contract, so a
   patient is never told their finished form cannot be sent.

The documents are drawn from the contract's own wording (docs: intake-contract-v1.md, the
deltas in docs/rules.md and ``../shared/docs/pathway-rules-v2.md`` for intake-answers/2: a
declined ASQ answer, question 5 answered whatever 1-4 say, ages 12 and over, a parent or legal
guardian under 18), written out below, not from the app's choice lists. The wizard by design
never asks what does not apply, so the strategy leaves those answers out: no payer for
self-pay, no subscriber for "self" (the contract would accept them; the wizard hides them).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from intake.answers import InvalidAnswers, parse_answers
from intake.extensions import db, limiter
from intake.models import Draft, Submission
from intake.services import drafts
from tests.patient.helpers import get_page, step_url
from tests.patient.screen import Screen

# The contract's choice lists, as the contract document writes them.
YN = ["yes", "no", "unsure"]
MED_OUTCOMES = [
    "no_improvement",
    "partial_improvement",
    "full_improvement",
    "stopped_side_effects",
    "too_early",
]
MODALITIES = [
    "cbt",
    "dbt",
    "act",
    "ipt",
    "mbct",
    "erp",
    "psychodynamic",
    "trauma_focused",
    "supportive",
    "other",
]
THERAPY_OUTCOMES = [
    "no_improvement",
    "partial_improvement",
    "full_improvement",
    "stopped",
    "ongoing",
]
NEUROMOD = ["none", "no_improvement", "partial_improvement", "full_improvement", "stopped"]
SAFETY = [
    "seizure_history",
    "family_epilepsy",
    "fainting",
    "head_injury_loss_of_consciousness",
    "brain_condition",
    "metal_in_head",
    "cochlear_implant",
    "implanted_neurostimulator",
    "cardiac_device",
    "medication_pump",
    "hearing_problems",
    "frequent_headaches",
    "alcohol_or_drug_concern",
    "prior_tms_problem",
]
ASQ4 = ["wished_dead", "family_better_off", "thoughts_of_killing_self", "ever_tried"]
#: intake-answers/2: every ASQ question may be answered yes, no or declined.
ASQ_ANSWERS = ["yes", "no", "declined"]
GUARDIAN_RELATIONSHIPS = ["parent", "legal_guardian"]
PREFERENCES = [
    "open_to_tms",
    "open_to_psychotherapy",
    "open_to_medication_changes",
    "can_attend_daily_sessions",
]
DIFFICULTY = ["not_difficult", "somewhat_difficult", "very_difficult", "extremely_difficult"]

# Text people type: letters (accented too), digits, spaces and punctuation, trimmed.
_CHARS = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZáéíñóúüçÁÉÑ0123456789 -'’.,&/()")
)


def words(max_size: int) -> st.SearchStrategy[str]:
    return (
        st.text(_CHARS, min_size=1, max_size=max_size)
        .map(str.strip)
        .filter(lambda s: bool(s) and any(c.isalnum() for c in s))
    )


def mbi() -> st.SearchStrategy[str]:
    """A Medicare Beneficiary Identifier by the contract's rule (no S, L, O, I, B, Z)."""
    letter = st.sampled_from("ACDEFGHJKMNPQRTUVWXY")
    digit = st.sampled_from("0123456789")
    either = st.one_of(letter, digit)
    parts = [st.sampled_from("123456789"), letter, either, digit, letter, either, digit]
    parts += [letter, letter, digit, digit]
    return st.tuples(*parts).map("".join)


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def birth_dates(today: date) -> st.SearchStrategy[date]:
    """Ages 12 to 120 (intake-answers/2), with the 12, 18 and 120 boundaries drawn often:
    minors (12-17) and adults (18-120) alike."""
    twelve, eighteen = years_before(today, 12), years_before(today, 18)
    oldest = years_before(today, 121) + timedelta(days=1)  # 120 today
    return st.one_of(
        st.sampled_from([twelve, eighteen + timedelta(days=1), eighteen, oldest]),
        st.dates(min_value=eighteen + timedelta(days=1), max_value=twelve),
        st.dates(min_value=oldest, max_value=eighteen),
    )


def is_minor(born: date, today: date) -> bool:
    """Under 18 on ``today`` (whole years, as the contract counts them)."""
    return born > years_before(today, 18)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    today = date.today()
    born = draw(birth_dates(today))
    contact = draw(st.sampled_from(["phone", "email", "text"]))
    email = draw(
        st.one_of(
            st.none(),
            words(20)
            .map(lambda w: "".join(c for c in w if c.isascii() and c.isalnum()) or "x")
            .map(lambda w: f"{w.lower()}@example.org"),
        )
    )
    phone = draw(
        st.one_of(
            st.none(),
            st.sampled_from(
                ["+1 503 555 0100", "(503) 555-0100", "503.555.0100", "+44 20 7946 0958", "5550100"]
            ),
        )
    )
    if contact == "email" and email is None:
        email = "ana@example.org"
    if contact in ("phone", "text") and phone is None:
        phone = "503-555-0100"
    primary = draw(st.sampled_from(["depression", "anxiety", "ocd", "bipolar", "ptsd", "other"]))
    phq9 = draw(st.lists(st.integers(0, 3), min_size=9, max_size=9))
    difficulty = draw(st.sampled_from(DIFFICULTY))
    if not any(phq9):
        difficulty = draw(st.one_of(st.none(), st.just(difficulty)))
    # A negative screen (four "no") half the time, else any answers.
    negative = draw(st.booleans())
    asq = {key: "no" if negative else draw(st.sampled_from(ASQ_ANSWERS)) for key in ASQ4}
    if {"yes", "declined"} & set(asq.values()):  # required after a yes or a declined answer
        asq["thoughts_right_now"] = draw(st.sampled_from(ASQ_ANSWERS))
    else:  # asked only then, but an answer given is never dropped (intake-answers/2)
        asq["thoughts_right_now"] = draw(st.sampled_from([None, *ASQ_ANSWERS]))
    minor = is_minor(born, today)
    coverage = draw(
        st.sampled_from(["commercial", "medicare", "medicaid", "tricare", "self_pay", "other"])
    )
    insurance: dict[str, Any] = dict.fromkeys(
        [
            "payer_name",
            "member_id",
            "group_number",
            "subscriber_relationship",
            "subscriber_name",
            "subscriber_date_of_birth",
        ]
    )
    insurance["coverage_type"] = coverage
    if coverage != "self_pay":
        relationship = draw(st.sampled_from(["self", "spouse", "parent", "other"]))
        insurance.update(
            payer_name=draw(words(100)),
            member_id=draw(mbi() if coverage == "medicare" else words(100)),
            group_number=draw(st.one_of(st.none(), words(50))),
            subscriber_relationship=relationship,
        )
        if relationship != "self":
            insurance["subscriber_name"] = draw(words(200))
            insurance["subscriber_date_of_birth"] = (
                today - timedelta(days=draw(st.integers(0, 119 * 365)))
            ).isoformat()
    return {
        "contract": "intake-answers/2",
        "patient": {
            "first_name": draw(words(100)),
            "last_name": draw(words(100)),
            "date_of_birth": born.isoformat(),
            "email": email,
            "phone": phone,
            "preferred_language": draw(st.sampled_from(["en", "es"])),
            "preferred_contact": contact,
        },
        "concerns": {
            "primary": primary,
            "other_description": draw(words(500)) if primary == "other" else None,
            "episode_months": draw(st.integers(0, 600)),
            "psychotic_symptoms": draw(st.sampled_from(YN)),
            "mania_history": draw(st.sampled_from(YN)),
            "bipolar_diagnosis": draw(st.sampled_from(YN)),
        },
        "phq9": {"items": phq9, "difficulty": difficulty},
        "gad7": {"items": draw(st.lists(st.integers(0, 3), min_size=7, max_size=7))},
        "asq": asq,
        "medication_trials": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "name": words(100),
                        "daily_dose_mg": st.one_of(
                            st.none(),
                            st.decimals(Decimal("0.01"), Decimal(3000), places=2).map(float),
                        ),
                        "weeks": st.integers(0, 2600),
                        "outcome": st.sampled_from(MED_OUTCOMES),
                        "current": st.booleans(),
                    }
                ),
                max_size=4,
            )
        ),
        "other_medications": draw(st.lists(words(100), max_size=4)),
        "psychotherapy_trials": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "modality": st.sampled_from(MODALITIES),
                        "sessions": st.integers(0, 1000),
                        "outcome": st.sampled_from(THERAPY_OUTCOMES),
                        "current": st.booleans(),
                    }
                ),
                max_size=3,
            )
        ),
        "neuromodulation": {k: draw(st.sampled_from(NEUROMOD)) for k in ("tms", "ect", "ketamine")},
        "preferences": {k: draw(st.sampled_from(YN)) for k in PREFERENCES},
        "safety_screen": {
            **{k: draw(st.sampled_from(YN)) for k in SAFETY},
            "pregnant": draw(st.sampled_from([*YN, "not_applicable"])),
        },
        "insurance": insurance,
        "consent": {
            "understands_educational_only": True,
            "agrees_to_contact": draw(st.booleans()),
            "signature": draw(words(200)),
            # Under 18 a parent or legal guardian is named; otherwise null.
            "guardian_name": draw(words(200)) if minor else None,
            "guardian_relationship": (
                draw(st.sampled_from(GUARDIAN_RELATIONSHIPS)) if minor else None
            ),
        },
    }


# What a person types for each answer, step by step (field names from docs/wizard.md) -------


def typed_dose(dose: float | None, comma: bool, unit: bool) -> str:
    if dose is None:
        return ""
    text = format(Decimal(repr(dose)).normalize(), "f")
    if comma and "." in text:
        text = text.replace(".", ",")
    return f"{text} mg" if unit else text


def step_answers(
    doc: dict[str, Any], comma: bool = False, unit: bool = False
) -> dict[str, dict[str, Any]]:
    """``{step: {field name: typed value}}``; tick boxes as True/False, rows listed apart."""
    p, c, ins = doc["patient"], doc["concerns"], doc["insurance"]
    out: dict[str, dict[str, Any]] = {
        "about": {
            "first_name": p["first_name"],
            "last_name": p["last_name"],
            "date_of_birth": p["date_of_birth"],
            "email": p["email"] or "",
            "phone": p["phone"] or "",
            "preferred_language": p["preferred_language"],
            "preferred_contact": p["preferred_contact"],
        },
        "concerns": {
            "primary": c["primary"],
            "other_description": c["other_description"] or "",
            "episode_months": str(c["episode_months"]),
            "psychotic_symptoms": c["psychotic_symptoms"],
            "mania_history": c["mania_history"],
            "bipolar_diagnosis": c["bipolar_diagnosis"],
        },
        "phq9": {
            **{f"item_{n}": str(v) for n, v in enumerate(doc["phq9"]["items"], start=1)},
            **({"difficulty": doc["phq9"]["difficulty"]} if doc["phq9"]["difficulty"] else {}),
        },
        "gad7": {f"item_{n}": str(v) for n, v in enumerate(doc["gad7"]["items"], start=1)},
        "asq": {
            **{k: doc["asq"][k] for k in ASQ4},
            **(
                {"thoughts_right_now": doc["asq"]["thoughts_right_now"]}
                if doc["asq"]["thoughts_right_now"]
                else {}
            ),
        },
        "treatments": {
            **doc["neuromodulation"],
            "other_medications": "\n".join(doc["other_medications"]),
        },
        "safety": dict(doc["safety_screen"]),
        "preferences": dict(doc["preferences"]),
        "insurance": {
            "coverage_type": ins["coverage_type"],
            **{
                k: ins[k] or ""
                for k in (
                    "payer_name",
                    "member_id",
                    "group_number",
                    "subscriber_name",
                    "subscriber_date_of_birth",
                )
                if ins["coverage_type"] != "self_pay"
                and (not k.startswith("subscriber_") or ins["subscriber_relationship"] != "self")
            },
            **(
                {"subscriber_relationship": ins["subscriber_relationship"]}
                if ins["subscriber_relationship"]
                else {}
            ),
        },
        "review": {
            "understands_educational_only": True,
            "agrees_to_contact": doc["consent"]["agrees_to_contact"],
            "signature": doc["consent"]["signature"],
            **{
                key: doc["consent"][key]
                for key in ("guardian_name", "guardian_relationship")
                if doc["consent"][key] is not None
            },
        },
    }
    out["medications"] = {}
    return out


def med_rows(doc: dict[str, Any], comma: bool, unit: bool) -> list[dict[str, Any]]:
    return [
        {
            "name": m["name"],
            "daily_dose_mg": typed_dose(m["daily_dose_mg"], comma, unit),
            "weeks": str(m["weeks"]),
            "duration_unit": "weeks",
            "outcome": m["outcome"],
            "current": m["current"],
        }
        for m in doc["medication_trials"]
    ]


def therapy_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "modality": t["modality"],
            "sessions": str(t["sessions"]),
            "outcome": t["outcome"],
            "current": t["current"],
        }
        for t in doc["psychotherapy_trials"]
    ]


# Driving the wizard through the test client as a browser would -------------------------------


class Patient:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = app.test_client()

    def page(self, step: str) -> Screen:
        response = get_page(self.client, step_url(step))
        assert response.status_code == 200, (step, response.status_code)
        return Screen(response.get_data(as_text=True))

    def press(self, step: str, shown: Screen, button: str) -> Any:
        response = self.client.post(step_url(step), data=MultiDict(shown.post_body(button)))
        assert response.status_code == 302, (step, button, _errors(response))
        return response

    def start(self) -> None:
        token = Screen(get_page(self.client, "/").get_data(as_text=True)).shown("csrf_token")
        self.client.post("/intake/start", data={"csrf_token": token})

    def rows_step(
        self,
        step: str,
        plain: dict[str, Any],
        list_name: str,
        rows: list[dict[str, Any]],
        add_one_by_one: bool,
        add_and_remove: bool,
        tick_late: bool,
    ) -> Screen:
        """Type the rows; with ``add_one_by_one`` press "Add another" after each row; with
        ``tick_late`` tick the boxes only after the page has been redrawn."""
        shown = self.page(step).fill(plain)
        ticks = {}
        if tick_late:
            ticks = {f"{list_name}-{i}-current": row["current"] for i, row in enumerate(rows)}
            rows = [{**row, "current": False} for row in rows]
        for i, row in enumerate(rows):
            if i > 0 and f"{list_name}-{i}-{next(iter(row))}" not in shown.names():
                self.press(step, shown, "add_row")
                shown = self.page(step)
            shown.fill({f"{list_name}-{i}-{k}": v for k, v in row.items()})
            if add_one_by_one and i < len(rows) - 1:
                self.press(step, shown, "add_row")
                shown = self.page(step)
        if add_and_remove:
            self.press(step, shown, "add_row")
            shown = self.page(step)
            last = max(int(n.split("-")[1]) for n in shown.names() if n.startswith(list_name + "-"))
            self.press(step, shown, f"remove_row-{last}")
            shown = self.page(step)
        if ticks:
            self.press(step, shown, "add_row")  # a redraw, then the ticks
            shown = self.page(step)
            last = max(int(n.split("-")[1]) for n in shown.names() if n.startswith(list_name + "-"))
            self.press(step, shown, f"remove_row-{last}")
            shown = self.page(step).fill(ticks)
        return shown


def _errors(response: Any) -> str:
    from tests.patient.helpers import errors

    return f"{response.status_code} {errors(response)}"


STEPS = [
    "about",
    "concerns",
    "phq9",
    "gad7",
    "asq",
    "medications",
    "treatments",
    "safety",
    "preferences",
    "insurance",
]


def walk(app: Flask, doc: dict[str, Any], paths: dict[str, Any]) -> dict[str, Any]:
    """Type ``doc`` into the wizard along ``paths`` and return the stored answers document."""
    answers = step_answers(doc)
    patient = Patient(app)
    patient.start()
    for step in STEPS:
        if step == "medications":
            shown = patient.rows_step(
                step,
                {},
                "medication_trials",
                med_rows(doc, paths["comma"], paths["unit"]),
                paths["one_by_one"],
                paths["add_and_remove"],
                paths["tick_late"],
            )
        elif step == "treatments":
            shown = patient.rows_step(
                step,
                answers[step],
                "psychotherapy_trials",
                therapy_rows(doc),
                paths["one_by_one"],
                paths["add_and_remove"],
                paths["tick_late"],
            )
        else:
            shown = patient.page(step).fill(answers[step])
        if step == paths["resume_at"]:
            patient.press(step, shown, "save")
            patient = resumed(app, doc["patient"]["date_of_birth"])
            shown = patient.page(step)
        patient.press(step, shown, "next")
        if step == paths["back_from"]:
            following = STEPS[STEPS.index(step) + 1] if step != STEPS[-1] else "review"
            patient.press(following, patient.page(following), "back")
            patient.press(step, patient.page(step), "next")
    review = patient.page("review").fill(answers["review"])
    response = patient.client.post(step_url("review"), data=MultiDict(review.post_body("submit")))
    assert response.status_code == 302, _errors(response)
    submission = db.session.scalars(select(Submission).order_by(Submission.id.desc())).first()
    assert submission is not None
    return submission.answers


def resumed(app: Flask, born: str) -> Patient:
    """Open the newest draft in a new browser with its resume code and date of birth."""
    draft = db.session.scalars(select(Draft).order_by(Draft.id.desc())).first()
    assert draft is not None
    limiter.reset()  # the resume limit (10 an hour per address) is for people, not examples
    other = Patient(app)
    token = Screen(get_page(other.client, "/resume").get_data(as_text=True)).shown("csrf_token")
    response = other.client.post(
        "/resume",
        data={
            "csrf_token": token,
            "code": drafts.display_code(draft.resume_code),
            "date_of_birth": born,
        },
    )
    assert response.status_code == 302
    return other


walk_paths = st.fixed_dictionaries(
    {
        "comma": st.booleans(),
        "unit": st.booleans(),
        "one_by_one": st.booleans(),
        "add_and_remove": st.booleans(),
        "tick_late": st.booleans(),
        "resume_at": st.sampled_from([None, *STEPS]),
        "back_from": st.sampled_from([None, *STEPS]),
    }
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=documents(), paths=walk_paths)
def test_every_valid_document_survives_the_wizard(
    app: Flask, doc: dict[str, Any], paths: dict[str, Any]
) -> None:
    expected = parse_answers(doc, date.today())
    stored = walk(app, doc, paths)
    assert stored == expected


# 2. Form-valid is contract-valid ------------------------------------------------------------

ODD_TEXT = st.one_of(
    st.text(max_size=120),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e3",
            "37,5",
            "1,000",
            "∞",
            "nan",
            "\x00",
            "\u202e",
            "\u200b",
            "a" * 101,
            "a" * 501,
            "1985-02-30",
            "12/31/1999",
            "٣",
        ]
    ),
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=documents(), data=st.data())
def test_whatever_the_forms_accept_the_contract_accepts(
    app: Flask, doc: dict[str, Any], data: st.DataObject
) -> None:
    from intake.answers import age_in_years
    from intake.forms.patient import STEP_FORMS, consent_form

    answers = step_answers(doc)
    for i, row in enumerate(med_rows(doc, False, False)):
        answers["medications"].update({f"medication_trials-{i}-{k}": v for k, v in row.items()})
    for i, row in enumerate(therapy_rows(doc)):
        answers["treatments"].update({f"psychotherapy_trials-{i}-{k}": v for k, v in row.items()})
    step = data.draw(st.sampled_from(sorted(answers)))
    posted = {s: _as_post(a) for s, a in answers.items()}
    if posted[step]:
        field = data.draw(st.sampled_from(sorted(posted[step])))
        posted[step][field] = data.draw(ODD_TEXT)
    document: dict[str, Any] = {"contract": "intake-answers/2"}
    born: date | None = None
    with app.test_request_context():
        for name, form_data in posted.items():
            form_class = STEP_FORMS[name]
            if name == "review":  # the wizard asks a guardian by the date of birth given
                form_class = consent_form(age_in_years(born, date.today()) if born else None)
            form = form_class(formdata=MultiDict(form_data), meta={"csrf": False})
            if not form.validate_step(partial=False, formdata=MultiDict(form_data)):
                return  # the patient is told at the field; nothing to send
            if name == "about":
                born = form.date_of_birth.data
            document.update(form.answers())
    try:
        parse_answers(document, date.today())
    except InvalidAnswers as exc:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"the forms accepted answers the contract refuses: {exc}")


def _as_post(answers: dict[str, Any]) -> dict[str, str]:
    """Form data as a browser posts it: a ticked box as ``y``, an unticked one left out."""
    out = {}
    for key, value in answers.items():
        if value is True:
            out[key] = "y"
        elif value is False:
            continue
        else:
            out[key] = value
    return out
