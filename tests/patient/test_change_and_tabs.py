"""Two defects a production browser walk found in the wizard, walked through the pages.

1. "Change" on the review page must bring the patient back to the review (as GOV.UK "check
   your answers" pages do), not on through the steps after the one changed; Back and "Save and
   finish later" keep their behaviour, and the way back survives a page with errors and an
   added row. The URL carries only the marker ``from=review``, never an answer.
2. "Nothing lost: two tabs … lose nothing": a step page drawn before that same step was saved
   in another tab is not stored over that change; it comes back (409) with what is stored now
   and a message at the top. Another tab on another step still saves.

Expectations come from the spec (the issue's wording and the steps as written here), not from
the code's tables.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from intake.extensions import db
from intake.models import CardPhoto, Draft
from tests.patient.helpers import VALID, WizardWalker, get_page, step_url
from tests.patient.screen import Screen

#: The message the issue asks for, written out here (English).
STALE_MESSAGE = (
    "These answers were changed in another tab or window. "
    "Please check this page and press Next again."
)
CHANGE_LINK = re.compile(r'<a href="([^"]+)" class="change-link">')


def stored(step: str) -> dict[str, list[str]]:
    db.session.expire_all()
    draft = db.session.scalars(select(Draft).order_by(Draft.id.desc())).first()
    assert draft is not None
    return dict((draft.data or {}).get(step) or {})


def change_link(client: FlaskClient, step: str) -> str:
    """The review page's "Change" link for ``step``, as the patient would follow it."""
    review = get_page(client, step_url("review"))
    assert review.status_code == 200
    links = [h for h in CHANGE_LINK.findall(review.get_data(as_text=True)) if step in h]
    assert len(links) == 1, links
    return links[0]


def press(client: FlaskClient, page: TestResponse, button: str = "next", **typed: str):
    """Type into ``page``'s form like a person, then press ``button`` (what a browser posts,
    hidden fields included)."""
    screen = Screen(page.get_data(as_text=True))
    screen.fill(typed)
    action = urlsplit(page.request.url).path
    return client.post(action, data=MultiDict(screen.post_body(button)))


def walked_to_review(walker: WizardWalker, **overrides: dict[str, str]) -> None:
    walker.start()
    walker.walk(overrides)


# 1. Change on the review ---------------------------------------------------------------------


def test_change_then_next_goes_back_to_the_review(walker: WizardWalker, client) -> None:
    walked_to_review(walker)
    href = change_link(client, "medications")
    # No patient data in the URL: the step, and only the marker.
    assert href == "/intake/step/medications?from=review"
    page = get_page(client, href)
    assert page.status_code == 200
    assert 'name="from" value="review"' in page.get_data(as_text=True)
    response = press(client, page, **{"medication_trials-0-weeks": "16"})
    assert response.status_code == 302
    assert response.location == "/intake/step/review"
    assert stored("medications")["medication_trials-0-weeks"] == ["16"]
    review = get_page(client, response.location)
    assert review.status_code == 200 and "Review and send" in review.get_data(as_text=True)


def test_back_and_save_from_a_changed_step_keep_their_behaviour(
    walker: WizardWalker, client
) -> None:
    walked_to_review(walker)
    href = change_link(client, "medications")
    back = press(client, get_page(client, href), "back")
    assert back.status_code == 302 and back.location == "/intake/step/asq"
    save = press(client, get_page(client, href), "save")
    assert save.status_code == 302 and save.location == "/intake/saved"
    # Opened by its own URL (not from the review), Next still goes on to the next step.
    plain = press(client, get_page(client, step_url("medications")))
    assert plain.status_code == 302 and plain.location == "/intake/step/treatments"


def test_the_way_back_survives_errors_and_an_added_row(walker: WizardWalker, client) -> None:
    walked_to_review(walker)
    page = get_page(client, change_link(client, "medications"))
    refused = press(client, page, **{"medication_trials-0-weeks": "abc"})
    assert refused.status_code == 422
    assert 'name="from" value="review"' in refused.get_data(as_text=True)
    added = client.post(
        step_url("medications"),
        data=MultiDict(
            Screen(refused.get_data(as_text=True))
            .fill({"medication_trials-0-weeks": "12"})
            .post_body("add_row")
        ),
    )
    assert added.status_code == 302
    assert added.location == "/intake/step/medications?from=review#medication_trials"
    again = get_page(client, added.location)
    done = press(client, again)
    assert done.status_code == 302 and done.location == "/intake/step/review"
    assert stored("medications")["medication_trials-0-weeks"] == ["12"]


def test_the_review_still_lists_a_step_left_unfinished(walker: WizardWalker, client) -> None:
    """Back on the review after a change, a step saved half-done elsewhere is listed at the top
    with a link (which itself comes back to the review)."""
    walked_to_review(walker)
    walker.post("gad7", {"item_1": "1"}, action="save")
    page = get_page(client, change_link(client, "concerns"))
    response = press(client, page, episode_months="20")
    assert response.location == "/intake/step/review"
    html = get_page(client, response.location).get_data(as_text=True)
    summary = html[
        html.index('id="error-summary"') : html.index("</div>", html.index("error-summary"))
    ]
    assert "this section is not finished yet" in summary
    assert 'href="/intake/step/gad7?from=review"' in summary


# 2. Two tabs ---------------------------------------------------------------------------------

ANXIETY = {**VALID["concerns"], "primary": "anxiety"}


def test_a_second_tab_on_the_same_step_does_not_undo_the_first(
    walker: WizardWalker, client
) -> None:
    walked_to_review(walker, concerns=ANXIETY)
    # Tab 2 opens "What brings you here" while it still says Anxiety.
    tab2 = get_page(client, step_url("concerns"))
    assert Screen(tab2.get_data(as_text=True)).shown("primary") == "anxiety"
    # Tab 1, at the review, changes the concern to Depression.
    tab1 = get_page(client, change_link(client, "concerns"))
    assert press(client, tab1, primary="depression").location == "/intake/step/review"
    # Tab 2 edits the months and presses Next: refused, nothing of it stored.
    refused = press(client, tab2, episode_months="24")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert STALE_MESSAGE in html
    assert html.index(STALE_MESSAGE) < html.index('id="step-form"')  # at the top
    assert stored("concerns")["primary"] == ["depression"]
    assert stored("concerns")["episode_months"] == [ANXIETY["episode_months"]]
    # The page shows what is stored now; pressing Next again (months typed again) saves both.
    shown = Screen(html)
    assert shown.shown("primary") == "depression"
    assert shown.shown("episode_months") == ANXIETY["episode_months"]
    saved = press(client, refused, episode_months="24")
    assert saved.status_code == 302 and saved.location == "/intake/step/phq9"
    assert stored("concerns")["primary"] == ["depression"]
    assert stored("concerns")["episode_months"] == ["24"]


def test_a_second_tab_on_another_step_still_saves(walker: WizardWalker, client) -> None:
    walked_to_review(walker, concerns=ANXIETY)
    tab2 = get_page(client, step_url("gad7"))
    tab1 = get_page(client, change_link(client, "concerns"))
    assert press(client, tab1, primary="depression").location == "/intake/step/review"
    response = press(client, tab2, item_1="3")
    assert response.status_code == 302 and response.location == "/intake/step/asq"
    assert stored("gad7")["item_1"] == ["3"]
    assert stored("concerns")["primary"] == ["depression"]


def test_next_pressed_twice_goes_on_and_changes_nothing(walker: WizardWalker, client) -> None:
    """A double click on Next with JavaScript off posts the page twice; the browser shows the
    second answer. It carries the answers the first one stored: it goes on to the next step
    (and to the review when opened from it), never a "changed in another tab" page."""
    walked_to_review(walker, concerns=ANXIETY)
    page = get_page(client, step_url("concerns"))
    first = press(client, page, episode_months="30")
    second = press(client, page, episode_months="30")
    assert first.status_code == second.status_code == 302
    assert second.location == first.location == "/intake/step/phq9"
    assert stored("concerns")["episode_months"] == ["30"]
    opened = get_page(client, change_link(client, "concerns"))
    first = press(client, opened, primary="depression")
    second = press(client, opened, primary="depression")
    assert second.location == first.location == "/intake/step/review"
    # The same page with other answers is still a change from elsewhere.
    assert press(client, opened, primary="ocd").status_code == 409
    assert stored("concerns")["primary"] == ["depression"]


def test_rows_added_on_an_overtaken_page_are_refused_too(walker: WizardWalker, client) -> None:
    walked_to_review(walker)
    tab2 = get_page(client, step_url("medications"))
    tab1 = get_page(client, step_url("medications"))
    assert press(client, tab1, **{"medication_trials-0-weeks": "30"}).status_code == 302
    refused = press(client, tab2, "add_row", **{"medication_trials-0-name": "fluoxetine"})
    assert refused.status_code == 409 and STALE_MESSAGE in refused.get_data(as_text=True)
    assert stored("medications")["medication_trials-0-name"] == ["sertraline"]
    assert stored("medications")["medication_trials-0-weeks"] == ["30"]


def test_a_photo_sent_from_an_overtaken_page_is_not_kept(walker: WizardWalker, client) -> None:
    walked_to_review(walker)
    tab2 = get_page(client, step_url("insurance"))
    tab1 = get_page(client, step_url("insurance"))
    assert press(client, tab1, member_id="NEW999").status_code == 302
    image = io.BytesIO()
    Image.new("RGB", (800, 500)).save(image, "PNG")
    image.seek(0)
    fields = MultiDict(Screen(tab2.get_data(as_text=True)).post_body("next"))
    fields["card_front"] = FileStorage(image, filename="front.png", content_type="image/png")
    boundary, body = encode_multipart(fields)
    refused = client.post(
        step_url("insurance"),
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert refused.status_code == 409
    assert stored("insurance")["member_id"] == ["NEW999"]
    assert db.session.scalars(select(CardPhoto)).all() == []


def test_a_page_from_before_the_fingerprint_is_accepted_as_before(
    walker: WizardWalker, client
) -> None:
    """An old page (drawn before the deploy) posts no fingerprint: saved as it always was."""
    walked_to_review(walker, concerns=ANXIETY)
    tab1 = get_page(client, change_link(client, "concerns"))
    assert press(client, tab1, primary="depression").status_code == 302
    old = walker.post("concerns", {**ANXIETY, "episode_months": "24"})
    assert old.status_code == 302
    assert stored("concerns")["episode_months"] == ["24"]


def test_an_overtaken_page_with_errors_shows_what_is_stored(walker: WizardWalker, client) -> None:
    """Tab 2's page, overtaken by tab 1 on the same step, is sent with a mistake: it comes back
    as overtaken (409, what is stored now), not with its error over the old answers."""
    walked_to_review(walker, concerns=ANXIETY)
    tab2 = get_page(client, step_url("concerns"))
    tab1 = get_page(client, change_link(client, "concerns"))
    assert press(client, tab1, primary="depression").status_code == 302
    refused = press(client, tab2, episode_months="many")
    assert refused.status_code == 409 and STALE_MESSAGE in refused.get_data(as_text=True)
    assert Screen(refused.get_data(as_text=True)).shown("primary") == "depression"
    assert stored("concerns")["primary"] == ["depression"]
    assert stored("concerns")["episode_months"] == [ANXIETY["episode_months"]]


REVIEW_CHANGED = (
    "Your answers were changed in another tab or window after this page was shown. Nothing was "
    "sent. Please check them below and press “Send my answers” again."
)


def test_a_review_drawn_before_another_tab_changed_a_step_sends_nothing(
    walker: WizardWalker, client
) -> None:
    """The review is what the patient reads before sending: a step changed in another tab
    after it was drawn is shown first, with nothing sent; the ticks and the signature typed
    stay; sending again sends the answers now shown."""
    from intake.models import Submission

    walked_to_review(walker, concerns=ANXIETY)
    review = get_page(client, step_url("review"))
    other_tab = get_page(client, step_url("concerns"))
    assert press(client, other_tab, primary="depression").status_code == 302
    refused = press(client, review, "submit", **VALID["review"])
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert REVIEW_CHANGED in html
    assert db.session.scalars(select(Submission)).first() is None
    shown = Screen(html)
    assert shown.shown("signature") == VALID["review"]["signature"]
    assert "Depression" in html  # the section as stored now
    sent = press(client, refused, "submit")
    assert sent.status_code == 302 and sent.location == "/intake/done"
    db.session.expire_all()
    [submission] = db.session.scalars(select(Submission)).all()
    assert submission.answers["concerns"]["primary"] == "depression"


def test_the_reviews_back_and_send_twice_are_as_before(walker: WizardWalker, client) -> None:
    walked_to_review(walker)
    review = get_page(client, step_url("review"))
    other_tab = get_page(client, step_url("concerns"))
    assert press(client, other_tab, primary="depression").status_code == 302
    back = press(client, review, "back")
    assert back.status_code == 302 and back.location == "/intake/step/insurance"
    review = get_page(client, step_url("review"))
    first = press(client, review, "submit", **VALID["review"])
    second = press(client, review, "submit", **VALID["review"])
    assert first.location == "/intake/done"
    assert second.status_code == 302 and second.location.endswith("/intake/done")
