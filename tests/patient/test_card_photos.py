"""Insurance card photos (issue 14, item 4), through the pages as a patient and the front desk
use them, on both databases; the S3 store against a real S3-compatible server over HTTP
(moto's standalone server, started here: an implementation of the S3 API, not AWS itself)."""

from __future__ import annotations

import io
import os
import socket
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from PIL import Image
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict

from intake.extensions import db
from intake.models import AuditEvent, CardPhoto, Draft, Submission
from intake.services import card_photos, drafts
from tests.patient.helpers import VALID, WizardWalker, get_page
from tests.patient.helpers import csrf_token as page_token

#: What the page says (the spec's wording, written here, not read from the code).
NOT_AN_IMAGE = "Please send a JPEG or PNG photo"
TOO_MANY_PIXELS = "too large to process"
TOO_LARGE = "larger than 10 MB"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(size: tuple[int, int] = (2400, 1200)) -> bytes:
    """A real JPEG carrying EXIF GPS coordinates and orientation 6 (rotate 90° to view)."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (45.0, 31.0, 12.5)
    gps[3] = "W"
    gps[4] = (122.0, 40.0, 6.0)
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size: tuple[int, int] = (800, 500), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def draft_photos() -> dict[str, CardPhoto]:
    draft = db.session.scalars(select(Draft).order_by(Draft.id.desc())).first()
    assert draft is not None
    db.session.refresh(draft)
    return card_photos.photos_of_draft(draft)


def insurance(walker: WizardWalker, action: str = "next", **files: Any) -> Any:
    """POST the insurance step as a browser does (multipart), files included. The body is
    encoded here in memory: the test client would spool a large one to a temporary file it
    never closes (a ResourceWarning)."""
    from werkzeug.test import encode_multipart

    page = get_page(walker.client, "/intake/step/insurance")
    assert page.status_code == 200
    fields: dict[str, Any] = {**VALID["insurance"], "action": action}
    fields["csrf_token"] = page_token(page.get_data(as_text=True))
    for name, (stream, filename) in files.items():
        fields[name] = FileStorage(stream, filename=filename, content_type="image/jpeg")
    boundary, body = encode_multipart(MultiDict(fields))
    return walker.client.post(
        "/intake/step/insurance",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def stored_bytes(photo: CardPhoto) -> bytes:
    return card_photos.store().get(photo.storage_key)


def test_upload_is_cleaned_kept_with_the_draft_and_sent(walker: WizardWalker, app: Flask) -> None:
    walker.start()
    walker.walk(until="insurance")
    page = walker.client.get("/intake/step/insurance").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" name="card_front" id="card_front" accept="image/*"' in page
    assert "10 MB" in page
    response = insurance(
        walker,
        card_front=upload(jpeg_with_gps(), "IMG_0001.JPG"),
        card_back=upload(png(), "back.png"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    photos = draft_photos()
    assert set(photos) == {"front", "back"}
    front = Image.open(io.BytesIO(stored_bytes(photos["front"])))
    assert front.format == "JPEG"
    assert dict(front.getexif()) == {}  # no EXIF at all: no GPS, no maker, no orientation
    assert "exif" not in front.info and "icc_profile" not in front.info
    assert front.size == (1000, 2000)  # turned upright first, then at most 2000 px long side
    assert Image.open(io.BytesIO(stored_bytes(photos["back"]))).format == "JPEG"
    folder = Path(app.config["INTAKE_UPLOAD_DIR"])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    names = [path.name for path in folder.iterdir()]
    assert all("Reyes" not in name and "Acme" not in name for name in names)
    # Back and forward, without re-uploading: the photos stay.
    assert walker.post("preferences", action="back").status_code == 302
    page = walker.client.get("/intake/step/insurance").get_data(as_text=True)
    assert "Front photo received" in page and "Back photo received" in page
    assert insurance(walker, action="back").status_code == 302
    assert insurance(walker).status_code == 302
    assert set(draft_photos()) == {"front", "back"}
    keys = {side: photo.storage_key for side, photo in draft_photos().items()}
    assert walker.submit().status_code == 302
    submission = db.session.scalars(select(Submission)).one()
    sent = card_photos.photos_of_submission(submission.id)
    assert {side: photo.storage_key for side, photo in sent.items()} == keys


def test_replace_and_remove(walker: WizardWalker) -> None:
    walker.start()
    walker.walk(until="insurance")
    insurance(walker, card_front=upload(png(), "a.png"))
    first = draft_photos()["front"].storage_key
    insurance(walker, card_front=upload(png((300, 200)), "b.png"))
    second = draft_photos()["front"].storage_key
    assert second != first
    assert not card_photos.store().exists(first)  # the replaced file is gone
    response = insurance(walker, action="remove_photo-front")
    assert response.status_code == 302
    assert draft_photos() == {}
    assert not card_photos.store().exists(second)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"Dear insurer, this is text, not a picture.\n", "card.jpg", NOT_AN_IMAGE),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 50, "card.png", NOT_AN_IMAGE),
        (png((12000, 12000), mode="1"), "huge.png", TOO_MANY_PIXELS),
        (os.urandom(10 * 1024 * 1024 + 1), "big.jpg", TOO_LARGE),
    ],
    ids=["text-named-jpg", "truncated-png", "huge-dimensions", "over-10-mb"],
)
def test_a_bad_file_is_refused_at_its_field_and_nothing_changes(
    walker: WizardWalker, data: bytes, name: str, message: str
) -> None:
    walker.start()
    walker.walk(until="insurance")
    before = db.session.scalars(select(Draft)).one().data.get("insurance")
    response = insurance(walker, card_front=upload(data, name))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert 'id="card_front-error-1"' in page
    assert 'href="#card_front"' in page  # the error summary links to the field
    assert draft_photos() == {}
    draft = db.session.scalars(select(Draft)).one()
    db.session.refresh(draft)
    assert draft.data.get("insurance") == before  # the typed answers were not stored either


def _submit_with_photos(walker: WizardWalker) -> Submission:
    walker.start()
    walker.walk(until="insurance")
    insurance(
        walker,
        card_front=upload(jpeg_with_gps((640, 400)), "f.jpg"),
        card_back=upload(png(), "b.png"),
    )
    for step in ("preferences",):
        assert walker.post(step).status_code == 302
    assert walker.submit().status_code == 302
    return db.session.scalars(select(Submission)).one()


def test_front_desk_sees_the_photos_audited_and_never_cached(
    walker: WizardWalker, app: Flask, login_as: Any
) -> None:
    submission = _submit_with_photos(walker)
    staff = app.test_client()
    login_as("front_desk", on=staff)
    panel = staff.get(f"/staff/submissions/{submission.id}/insurance").get_data(as_text=True)
    front_url = f"/staff/submissions/{submission.id}/insurance/photo/front"
    assert f'src="{front_url}"' in panel
    assert "/static/" not in front_url
    for side in ("front", "back"):
        response = staff.get(f"/staff/submissions/{submission.id}/insurance/photo/{side}")
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["Cache-Control"] == "no-store"
        assert Image.open(io.BytesIO(response.data)).format == "JPEG"
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "card_photo_viewed")
    ).all()
    assert [(e.submission_id, e.detail["side"]) for e in events] == [
        (submission.id, "front"),
        (submission.id, "back"),
    ]
    for role in ("clinician", "admin"):
        other = app.test_client()
        login_as(role, on=other)
        assert other.get(front_url).status_code == 403
    assert app.test_client().get(front_url).status_code == 302  # to sign-in


def test_purging_drafts_and_deleting_a_submission_delete_the_files(
    walker: WizardWalker, app: Flask, runner: FlaskCliRunner
) -> None:
    submission = _submit_with_photos(walker)
    sent_keys = [p.storage_key for p in card_photos.photos_of_submission(submission.id).values()]
    other = WizardWalker(app.test_client())
    other.start()
    other.walk(until="insurance")
    insurance(other, card_front=upload(png(), "x.png"))
    unsent = draft_photos()["front"].storage_key
    draft = db.session.scalars(select(Draft).order_by(Draft.id.desc())).first()
    assert draft is not None
    draft.expires_at = drafts.now() - timedelta(days=1)
    db.session.commit()
    result = runner.invoke(args=["purge-drafts"])
    assert "Deleted 1 expired draft." in result.output
    assert not card_photos.store().exists(unsent)
    assert all(card_photos.store().exists(key) for key in sent_keys)  # sent: kept
    # The app has no submission deletion yet (its audit events keep it): the deletion step
    # that retention tooling runs before deleting the row.
    card_photos.delete_for_submission(submission.id)
    db.session.commit()
    assert not any(card_photos.store().exists(key) for key in sent_keys)
    assert db.session.scalars(select(CardPhoto)).all() == []


# --- the S3 store, against a real S3-compatible server over HTTP ------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def s3_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto's standalone S3-compatible server on a free port (fails, never skips, if it
    cannot start)."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    url = f"http://127.0.0.1:{port}"
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    yield url
    server.stop()


@pytest.fixture
def s3_app(app: Flask, s3_server: str) -> Flask:
    import boto3

    boto3.client("s3", endpoint_url=s3_server).create_bucket(Bucket="card-photos-test")
    app.config["INTAKE_S3_BUCKET"] = "card-photos-test"
    app.config["INTAKE_S3_ENDPOINT_URL"] = s3_server
    app.extensions.pop("card_photo_store", None)
    return app


def test_s3_store_upload_view_and_delete(
    s3_app: Flask, walker: WizardWalker, login_as: Any, s3_server: str
) -> None:
    import boto3

    assert isinstance(card_photos.store(), card_photos.S3Store)
    submission = _submit_with_photos(walker)
    bucket = boto3.client("s3", endpoint_url=s3_server)
    listed = bucket.list_objects_v2(Bucket="card-photos-test").get("Contents", [])
    assert len(listed) == 2
    body = bucket.get_object(Bucket="card-photos-test", Key=listed[0]["Key"])["Body"].read()
    assert dict(Image.open(io.BytesIO(body)).getexif()) == {}
    assert not Path(s3_app.config["INTAKE_UPLOAD_DIR"]).exists()  # nothing written locally
    staff = s3_app.test_client()
    login_as("front_desk", on=staff)
    response = staff.get(f"/staff/submissions/{submission.id}/insurance/photo/front")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    card_photos.delete_for_submission(submission.id)
    db.session.commit()
    assert bucket.list_objects_v2(Bucket="card-photos-test").get("KeyCount") == 0


def test_s3_store_purge_deletes_objects(
    s3_app: Flask, walker: WizardWalker, runner: FlaskCliRunner, s3_server: str
) -> None:
    import boto3

    walker.start()
    walker.walk(until="insurance")
    insurance(walker, card_front=upload(png(), "x.png"))
    bucket = boto3.client("s3", endpoint_url=s3_server)
    assert bucket.list_objects_v2(Bucket="card-photos-test")["KeyCount"] == 1
    draft = db.session.scalars(select(Draft)).one()
    draft.expires_at = drafts.now() - timedelta(days=1)
    db.session.commit()
    runner.invoke(args=["purge-drafts"])
    assert bucket.list_objects_v2(Bucket="card-photos-test")["KeyCount"] == 0


def test_save_and_resume_keeps_the_photo(walker: WizardWalker, app: Flask) -> None:
    walker.start()
    walker.walk(until="insurance")
    assert insurance(walker, action="save", card_front=upload(png(), "f.png")).status_code == 302
    draft = db.session.scalars(select(Draft)).one()
    other = app.test_client()  # another browser, with the resume code and date of birth
    page = get_page(other, "/resume").get_data(as_text=True)
    response = other.post(
        "/resume",
        data={
            "code": draft.resume_code,
            "date_of_birth": VALID["about"]["date_of_birth"],
            "csrf_token": page_token(page),
        },
    )
    assert response.status_code == 302
    step = other.get("/intake/step/insurance").get_data(as_text=True)
    assert "Front photo received" in step
    assert "Back photo received" not in step
