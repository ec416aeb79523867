"""A notice's published fields come from one table (generator/checking/published.py): the content fingerprint
and the open data both read them there, and neither changed when they moved there.

tests/fixtures/published.json pins, for the sample notices (notices/) and the fixture site's, every notice's
fingerprint (by page address) and the sha256 of data/notices.json and .csv. Published pages carry those
fingerprints and dev/proof.md tells anyone how to recompute them: a change of code must leave them alone. When a
sample notice's data is changed on purpose, refresh the pins (and look at the diff: only that notice may move):
`REFRESH_PUBLISHED=1 .venv/bin/python -m pytest -q tests/test_published.py`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os

import pytest

from generator.checking import fingerprint, privacy, published
from generator.checking.model import Deregistration, LostDocumentNotice
from generator.publishing.build import Options, check
from generator.site import opendata
from tests.sitebuild import ROOT, TODAY

PINS = ROOT / "tests" / "fixtures" / "published.json"
FOLDERS = ("notices", "tests/fixtures/small/notices")
#: The open data's notice columns, in order: the data contract of data/notices.* (data/index.json explains them).
COLUMNS = [
    "kind",
    "title",
    "url",
    "published",
    "region",
    "status",
    "withdrawn_reason",
    "holder",
    "document_type",
    "document_name",
    "document_number",
    "document_issuer",
    "lost_on",
    "reissued",
    "statement",
    "organization",
    "credit_code",
    "decided_on",
    "decided_by",
    "claim_days",
    "claim_deadline",
    "contact_name",
    "contact_phone",
]


@pytest.fixture(scope="module")
def portals():
    found = {}
    for folder in FOLDERS:
        result = check(Options(notices=ROOT / folder, today=TODAY, cache=False))
        assert not any(p.level == "error" for p in result.problems), folder
        found[folder] = result.portal
    return found


@pytest.fixture(scope="module")
def current(portals):
    """What the code computes now, in the form of the pins file (written when REFRESH_PUBLISHED is set)."""
    prints, data = {}, {}
    for folder, portal in portals.items():
        prints[folder] = {n.url: fingerprint.fingerprint(n) for n in sorted(portal.notices, key=lambda n: n.url)}
        rows = [opendata.notice_row(n) for n in portal.notices]  # newest first, as write_data writes them
        data[folder] = {
            "notices.json": hashlib.sha256(opendata.json_bytes(rows)).hexdigest(),
            "notices.csv": hashlib.sha256(opendata.csv_bytes(rows, opendata.NOTICE_COLUMNS)).hexdigest(),
        }
    now = {"fingerprints": prints, "open data": data}
    if os.environ.get("REFRESH_PUBLISHED"):
        PINS.write_text(json.dumps(now, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return now


def all_notices(portals) -> list[LostDocumentNotice | Deregistration]:
    return [notice for portal in portals.values() for notice in portal.notices]


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_fingerprint_of_every_sample_notice_is_the_pinned_one(current, folder):
    pinned = json.loads(PINS.read_text(encoding="utf-8"))["fingerprints"][folder]
    now = current["fingerprints"][folder]
    assert sorted(now) == sorted(pinned), "a sample notice was added or removed: refresh the pins (module docstring)"
    changed = [url for url in pinned if now[url] != pinned[url]]
    assert not changed, f"fingerprints changed (published pages carry them): {changed}"


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_open_data_of_the_sample_notices_is_the_pinned_one(current, folder):
    pinned = json.loads(PINS.read_text(encoding="utf-8"))["open data"][folder]
    assert current["open data"][folder] == pinned, "data/notices.json or .csv changed: rows or values differ"


def test_the_open_data_columns_are_the_contract_s():
    assert list(opendata.NOTICE_COLUMNS) == COLUMNS
    assert all(opendata.NOTICE_COLUMNS.values()), "every column has its meaning for data/index.json"


def test_the_fingerprint_s_fields_and_the_open_data_s_columns_are_the_one_table_s():
    names = [field.name for field in published.ALL]
    columns = [field.column for field in published.ALL if field.column]
    assert len(names) == len(set(names)) and len(columns) == len(set(columns))
    for kind, fields in published.FIELDS.items():
        assert fingerprint.FIELDS[kind] == tuple(field.name for field in fields if field.hashed)
    assert list(opendata.NOTICE_COLUMNS) == columns
    assert fingerprint.LIST_FIELDS is published.LIST_FIELDS
    # What the open data lists but the fingerprint does not hash follows from the record, or is the page itself.
    assert {field.name for field in published.ALL if not field.hashed} == {*fingerprint.DERIVED_FIELDS, "url"}


def test_a_field_in_both_uses_has_the_same_value_in_both_written_each_use_s_way(portals):
    both = [field for field in published.ALL if field.column and field.hashed]
    for notice in all_notices(portals):
        record, row = fingerprint.record(notice), opendata.notice_row(notice)
        for field in both:
            assert (fingerprint.value(row[field.column]) or None) == record.get(field.name), (notice.url, field.name)


def test_the_two_uses_write_a_value_differently_only_as_their_contracts_say(portals):
    """The fingerprint folds white space (a browser shows it so: dev/proof.md); the open data keeps the text as
    written (dev/open-data.md). The number is masked the same, once, in both."""
    lost = next(n for n in all_notices(portals) if isinstance(n, LostDocumentNotice) and privacy.is_masked(n.document))
    notice = dataclasses.replace(lost, statement="本人遗失身份证，\n特此声明作废。")
    record, row = fingerprint.record(notice), opendata.notice_row(notice)
    assert row["statement"] == "本人遗失身份证，\n特此声明作废。"
    assert record["statement"] == "本人遗失身份证， 特此声明作废。"
    number = privacy.public_number(notice.document)
    assert record["document.number"] == row["document_number"] == number != notice.document.number
    assert "url" not in record and row["url"] == notice.url
