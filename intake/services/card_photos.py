"""Insurance card photos: one small storage interface (a local folder or an S3-compatible
store) and the rows that tie each stored photo to its draft and submission.

Files are always cleaned first (``intake.images.clean_photo``). Keys are random
(``secrets.token_hex``), never the patient's name or reference. Deleting a photo deletes its
file: drafts purged, a photo replaced or removed, a submission deleted
(``delete_for_submission``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import select

from intake.extensions import db
from intake.images import CleanPhoto
from intake.models import CardPhoto, Draft

SIDES = ("front", "back")


class PhotoStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...


class LocalStore:
    """A folder outside the web root, created (and kept) 0700; files written 0600."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError("bad key")
        return self.root / f"{key}.jpg"

    def put(self, key: str, data: bytes) -> None:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        fd = os.open(self._path(key), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()


class S3Store:
    """An S3-compatible bucket through boto3 (credentials: the standard AWS environment)."""

    def __init__(self, bucket: str, endpoint_url: str | None = None) -> None:
        import boto3  # type: ignore[import-untyped]

        self.bucket = bucket
        self.client: Any = boto3.client("s3", endpoint_url=endpoint_url or None)

    def _name(self, key: str) -> str:
        return f"card-photos/{key}.jpg"

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self._name(key), Body=data, ContentType="image/jpeg"
        )

    def get(self, key: str) -> bytes:
        response = self.client.get_object(Bucket=self.bucket, Key=self._name(key))
        return bytes(response["Body"].read())

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError  # type: ignore[import-untyped]

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError:
            return False
        return True


def store() -> PhotoStore:
    """The configured store (one per app, made on first use)."""
    existing = current_app.extensions.get("card_photo_store")
    if existing is not None:
        return existing  # type: ignore[no-any-return,unused-ignore]
    config = current_app.config
    made: PhotoStore
    if config.get("INTAKE_S3_BUCKET"):
        made = S3Store(config["INTAKE_S3_BUCKET"], config.get("INTAKE_S3_ENDPOINT_URL") or None)
    else:
        made = LocalStore(config["INTAKE_UPLOAD_DIR"])
    current_app.extensions["card_photo_store"] = made
    return made


def photos_of_draft(draft: Draft) -> dict[str, CardPhoto]:
    rows = db.session.scalars(select(CardPhoto).where(CardPhoto.draft_id == draft.id))
    return {row.side: row for row in rows}


def photos_of_submission(submission_id: int) -> dict[str, CardPhoto]:
    rows = db.session.scalars(select(CardPhoto).where(CardPhoto.submission_id == submission_id))
    return {row.side: row for row in rows}


def put_file(photo: CleanPhoto) -> str:
    """Store a cleaned photo's bytes under a new random key (before the rows change)."""
    key = secrets.token_hex(16)
    store().put(key, photo.data)
    return key


def attach_to_draft(draft: Draft, side: str, key: str, photo: CleanPhoto) -> str | None:
    """Point the draft's ``side`` at the stored ``key``; returns the key it replaces (its file
    is deleted by the caller after the commit, see ``delete_files``)."""
    old = photos_of_draft(draft).get(side)
    replaced = old.storage_key if old is not None else None
    if old is not None:
        db.session.delete(old)
    db.session.add(
        CardPhoto(
            draft_id=draft.id, side=side, storage_key=key, width=photo.width, height=photo.height
        )
    )
    return replaced


def remove_from_draft(draft: Draft, side: str) -> str | None:
    """Forget the draft's ``side`` photo; returns the key whose file is to be deleted."""
    old = photos_of_draft(draft).get(side)
    if old is None:
        return None
    db.session.delete(old)
    return old.storage_key


def attach_to_submission(draft: Draft, submission_id: int) -> None:
    """The draft's photos go with the submission it becomes (same transaction)."""
    for photo in photos_of_draft(draft).values():
        photo.submission_id = submission_id


def delete_files(keys: list[str | None]) -> None:
    for key in keys:
        if key:
            store().delete(key)


def purge_for_drafts(draft_ids: list[int]) -> list[str]:
    """Delete these drafts' unsent photos, rows and files; returns the keys."""
    if not draft_ids:
        return []
    rows = list(
        db.session.scalars(
            select(CardPhoto).where(
                CardPhoto.draft_id.in_(draft_ids), CardPhoto.submission_id.is_(None)
            )
        )
    )
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    keys = [row.storage_key for row in rows]
    delete_files(list(keys))
    return keys


def delete_for_submission(submission_id: int) -> list[str]:
    """Delete a submission's photos, rows and files (call before deleting the submission;
    the app has no deletion route yet: retention tooling calls this); returns the keys."""
    rows = list(photos_of_submission(submission_id).values())
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    keys = [row.storage_key for row in rows]
    delete_files(list(keys))
    return keys
