"""The JSON Schemas editors use: generated from the checker's schema, committed, and true to the data."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from generator.staff import editor
from tests.sitebuild import ROOT


class _EditorLoader(yaml.SafeLoader):
    """Reads YAML roughly as an editor's YAML 1.2 language server does: dates stay strings."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(path):
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_EditorLoader)


def test_committed_schemas_are_up_to_date(tmp_path):
    written = editor.write_schemas(tmp_path)
    for path in written:
        committed = ROOT / "schemas" / path.name
        assert committed.is_file(), f"missing {committed}: run .venv/bin/portal schema"
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{committed} is stale: run .venv/bin/portal schema"
        )


@pytest.mark.parametrize("name", sorted(editor.SCHEMAS))
def test_sample_data_validates(name):
    _, _, pattern = editor.SCHEMAS[name]
    validator = jsonschema.Draft202012Validator(editor.document(name))
    files = sorted(ROOT.glob(pattern))
    assert files
    for path in files:
        errors = [e.message for e in validator.iter_errors(load(path))]
        assert not errors, (path, errors)


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("kind: lost-document\npublished: 2022-06-20\ndocument: {type: 身份证}\n", "'holder' is a required property"),
        ("kind: lost-document\npublished: 2022-06-20\nholder: 某\ndocument: {type: 身分证}\n", "is not one of"),
        ("kind: lost-document\npublished: 2022/6/20\nholder: 某\ndocument: {type: 公章}\n", "does not match"),
        (
            "kind: lost-document\npublished: 2022-06-20\nholdr: 某\nholder: 某\ndocument: {type: 公章}\n",
            "Additional properties",
        ),
        ("kind: deregistration\npublished: 2022-06-20\nholder: 某\ndocument: {type: 公章}\n", "was expected"),
    ],
)
def test_schema_flags_what_the_checker_flags(text, complaint):
    validator = jsonschema.Draft202012Validator(editor.document("lost-document"))
    messages = " | ".join(e.message for e in validator.iter_errors(yaml.load(text, Loader=_EditorLoader)))
    assert complaint in messages


def test_schemas_carry_chinese_titles():
    schema = editor.document("town")
    assert schema["properties"]["grids"]["title"] == "网格"
    assert schema["properties"]["grids"]["items"]["properties"]["leader"]["title"] == "网格长"


def test_phone_pattern_agrees_with_the_checker():
    import re

    from generator.checking.identifiers import check_phone

    for phone in (
        "13973400001",
        "139 7340 0001",
        "0734-5261234",
        "07345261234",
        "010-12345678",
        "12348",
        "1397340000",
        "0734-0261234",
        "23800001234",
        "+86 13973400001",
        "0086-139-7340-0001",
        "+86 734 5261234",
        "+86 (0)734-5261234",
        "+86 12348",
        "+1 2025550123",
    ):
        assert bool(re.match(editor.PHONE_PATTERN, phone)) == check_phone(phone).ok, phone
