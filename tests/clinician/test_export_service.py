"""The CSV export service: columns, free-text switch, formula injection, streaming."""

from __future__ import annotations

import csv
import io

import pytest
from answer_documents import changed, sample_answers
from clinician_samples import store
from flask import Flask

from intake.services.export import COLUMNS, FREE_TEXT_COLUMNS, neutralise, stream_csv


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+x", "'+x"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
        (3, "3"),
    ],
)
def test_neutralise(cell: object, expected: str) -> None:
    assert neutralise(cell) == expected


def _parse(chunks: list[str]) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(chunks))))


def test_columns_without_and_with_free_text(app: Flask) -> None:
    submission = store()
    rows = _parse(list(stream_csv([submission], free_text=False)))
    assert tuple(rows[0]) == COLUMNS
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["reference"] == submission.reference
    assert record["last_name"] == "Reyes" and record["first_name"] == "Ana"
    assert record["date_of_birth"] == "1985-04-12"
    assert record["pathways"] == "tms_plus_cbt tms_plus_medication_review"
    assert record["urgent"] == "no" and record["status"] == "new"
    assert "Ana Reyes" not in rows[1]  # the signature is free text

    rows = _parse(list(stream_csv([submission], free_text=True)))
    assert tuple(rows[0]) == COLUMNS + FREE_TEXT_COLUMNS
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["signature"] == "Ana Reyes"
    assert record["medications_as_typed"] == "sertraline; venlafaxine"


def test_formula_cells_are_neutralised(app: Flask) -> None:
    document = changed(
        sample_answers(),
        {
            "patient.last_name": "=1+1",
            "patient.first_name": "+x",
            "concerns.primary": "other",
            "concerns.other_description": "-x",
            "consent.signature": "@x",
        },
    )
    rows = _parse(list(stream_csv([store(document)], free_text=True)))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["last_name"] == "'=1+1"
    assert record["first_name"] == "'+x"
    assert record["other_description"] == "'-x"
    assert record["signature"] == "'@x"


def test_large_exports_come_in_chunks(app: Flask) -> None:
    submission = store()
    chunks = list(stream_csv([submission] * 450, free_text=False))
    assert len(chunks) == 4  # header, 200, 200, 50
    assert len(_parse(chunks)) == 451
