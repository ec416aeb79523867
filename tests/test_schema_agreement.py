"""One schema, one answer: every file of tests/cases/ gets the same verdict from `portal check` and from the
JSON Schema editors use (schemas/, `portal schema`), wherever the schema can express the rule.

The editor reads YAML as an editor's language server does (YAML 1.2 core: `yes`, `NO` and dates are
text; digits are numbers). A file's verdict is whether anything is flagged in it: for the checker,
problems of the rules in EXPRESSED; for the schema, any validation error (formats asserted, as editors
that check `format: date` do). What the schema cannot express is listed in NOT_EXPRESSED, with why; the
README's editor section says the same."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import TODAY

from generator.publishing.build import Options, run_check
from generator.staff import editor
from tests.sitebuild import ROOT

CASES = sorted(p for kind in ("valid", "invalid") for p in (ROOT / "tests" / "cases" / kind).iterdir() if p.is_dir())
#: Rules the editor schema expresses: what a field is, its type, its choices, its format, unknown keys.
EXPRESSED = {
    "field-required",
    "field-type",
    "field-choice",
    "unknown-key",
    "date-format",
    "kind-unknown",
    "phone-format",
    "site-identity-format",
}
#: Rules the schema cannot express, and why (see editor.py).
NOT_EXPRESSED = {
    "reference-format": "the kind letter must match the file's kind (the pattern alone would pass Y on a deregistration)",
    "reference-duplicate": "compares files",
    "newspaper-date": "compares two fields' dates",
    "correction-date": "compares a date with published and today",
    "provenance-missing": "depends on published's date",
    "id-check-digit": "a check digit (GB 11643) is arithmetic",
    "credit-code-org": "a check character (GB 32100) is arithmetic",
    "credit-code": "a check character (GB 32100) is arithmetic",
    "date-future": "depends on today",
    "date-order": "compares two fields' dates",
    "withdrawn-reason": "a field required by another's value (kept out of the schema for editors' sake)",
    "village-unknown": "needs regions.yaml",
    "region-unknown": "needs regions.yaml",
    "town-unknown": "needs regions.yaml",
    "grid-id-duplicate": "compares list items' values",
    "notice-duplicate": "compares files",
    "town-duplicate": "compares files",
    "id-number-not-allowed": "a check digit (GB 11643) over any text, after NFKC and separators are taken out",
    "control-character": "every text of every field: the editor schema gives free text no pattern",
    "digits-ascii": "in a document number, which has no pattern (in a phone it is expressed: see expressed())",
    "input-limit": "sizes of the file itself (bytes, nesting, values), counted before it is parsed",
    "notice-year-folder": "compares a field with the file's folder",
    "image-reference": "needs the pictures in notices/images/",
    "file-symlink": "a property of the file, not of its content",
    "legal-service-fields": "fields required by another's value (the service's kind)",
    "site-identity-required": "fields required by another's value (sample), and only as a warning",
}
#: Problems of reading the file itself: the editor cannot read such a file either (no schema verdict).
UNREADABLE = {
    "file-encoding",
    "yaml-syntax",
    "yaml-alias",
    "yaml-empty",
    "yaml-key",
    "yaml-duplicate-key",
    "input-limit",
}  # a file past a limit is refused whole, before its content is judged


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2's core schema, as editors' language servers read it."""


Yaml12Loader.yaml_implicit_resolvers = {}
for tag, pattern, first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
]:
    Yaml12Loader.add_implicit_resolver(tag, re.compile(pattern), list(first))


def yaml12_int(loader: Yaml12Loader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    return int(text, 0) if text[:2] in ("0o", "0x") else int(text)  # 05015202540 is decimal in YAML 1.2


Yaml12Loader.add_constructor("tag:yaml.org,2002:int", yaml12_int)


def schema_for(path: Path) -> str | None:
    """The editor schema of a file below notices/ (editor.SCHEMAS: lost/, deregistration/, contacts/)."""
    if path.parts[1:] == ("site.yaml",):
        return "site"
    folder = path.parts[1] if len(path.parts) > 2 else ""
    return {"lost": "lost-document", "deregistration": "deregistration", "contacts": "town"}.get(folder)


def expressed(problem) -> bool:
    """Whether the editor schema can say what this problem says: its rule is expressed, or it is a phone's
    digits of another script, which the phone pattern (0-9 and full-width digits only) refuses too."""
    return problem.rule in EXPRESSED or (problem.rule == "digits-ascii" and problem.field.endswith("phone"))


def verdicts(case: Path, monkeypatch) -> list[tuple[str, bool, bool, list[str], list[str]]]:
    monkeypatch.chdir(case)
    problems = run_check(Options(notices=Path("notices"), today=TODAY)).problems
    rows = []
    for path in sorted(Path("notices").rglob("*.yaml")):
        name = schema_for(path)
        mine = [p for p in problems if p.path == path.as_posix()]
        if name is None or any(p.rule in UNREADABLE for p in mine):
            continue
        unknown = {p.rule for p in mine} - EXPRESSED - set(NOT_EXPRESSED)
        assert not unknown, f"{path}: say whether the editor schema expresses {unknown} (EXPRESSED or NOT_EXPRESSED)"
        checker = [p.format() for p in mine if expressed(p)]
        validator = jsonschema.Draft202012Validator(editor.document(name), format_checker=jsonschema.FormatChecker())
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12Loader)
        schema = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]
        rows.append((path.as_posix(), bool(checker), bool(schema), checker, schema))
    return rows


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.name}" for p in CASES])
def test_checker_and_editor_schema_give_the_same_verdict(case, monkeypatch):
    for path, by_checker, by_schema, checker, schema in verdicts(case, monkeypatch):
        assert by_checker == by_schema, (path, checker, schema)


def test_every_case_folder_has_files_the_schema_judges(monkeypatch):
    judged = sum(len(verdicts(case, monkeypatch)) for case in CASES)
    assert judged >= len(CASES)
