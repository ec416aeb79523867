"""Folder-driven cases: tests/cases/valid/<case>/notices/ must pass the checker without a single
problem; tests/cases/invalid/<case>/notices/ must give exactly the problems in expected.txt.

See tests/cases/README.md for the expected.txt format and how to add or refresh a case.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import TODAY

from generator.publishing.build import Options, run_check

CASES = Path(__file__).resolve().parent / "cases"
VALID = sorted(p for p in (CASES / "valid").iterdir() if p.is_dir())
INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())
#: `path:line:column: rule` — the short form, which leaves the message free to change.
SHORT = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<column>\d+): (?P<rule>[a-z0-9-]+)$")
REFRESH = os.environ.get("REFRESH_CASES") == "1"


def run(case: Path, monkeypatch):
    monkeypatch.chdir(case)  # problems then name files as notices/...
    return run_check(Options(notices=Path("notices"), today=TODAY)).problems


def short(problem) -> str:
    return f"{problem.path}:{problem.line}:{problem.column}: {problem.rule}"


def read_expected(case: Path) -> list[str]:
    lines = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    return [line.rstrip() for line in lines if line.strip() and not line.startswith("#")]


def unmatched(expected: list[str], problems) -> tuple[list[str], list[str]]:
    """Pair every expected line with one problem (full lines first, then short ones); return the rest of each."""
    left = sorted(problems, key=lambda p: (p.path, p.line, p.column, p.rule))
    missing = []
    for line in sorted(expected, key=lambda line: bool(SHORT.match(line))):
        form = short if SHORT.match(line) else (lambda p: p.format())
        match = next((p for p in left if form(p) == line), None)
        if match is None:
            missing.append(line)
        else:
            left.remove(match)
    return missing, [p.format() for p in left]


def test_there_are_enough_cases():
    assert len(VALID) >= 2
    assert len(INVALID) >= 10


@pytest.mark.parametrize("case", VALID, ids=[p.name for p in VALID])
def test_valid_case_passes(case, monkeypatch):
    assert (case / "notices").is_dir()
    assert not (case / "expected.txt").exists(), "a valid case expects no problems: remove expected.txt"
    problems = run(case, monkeypatch)
    assert problems == [], "\n".join(p.format() for p in problems)


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case_reports_exactly_the_expected_problems(case, monkeypatch):
    problems = run(case, monkeypatch)
    if REFRESH:
        target = case / "expected.txt"
        old = target.read_text(encoding="utf-8").splitlines() if target.exists() else []
        lines = [line for line in old if line.startswith("#")] + sorted(short(p) for p in problems)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = read_expected(case)
    assert expected, f"{case.name}/expected.txt lists no problems"
    missing, unexpected = unmatched(expected, problems)
    assert (missing, unexpected) == ([], []), (
        "expected but not reported:\n  "
        + "\n  ".join(missing)
        + "\nreported but not expected:\n  "
        + "\n  ".join(unexpected)
    )


def test_matching_needs_each_problem_once():
    """The comparison itself: a line cannot be used for two problems, and extras are caught."""
    from generator.checking.problems import Problem

    a = Problem("notices/x.yaml", 1, 1, "f", "m", "rule-a")
    b = Problem("notices/x.yaml", 2, 1, "f", "m", "rule-b")
    assert unmatched(["notices/x.yaml:1:1: rule-a", a.format().replace("rule-a", "rule-b")], [a]) == (
        [a.format().replace("rule-a", "rule-b")],
        [],
    )
    assert unmatched(["notices/x.yaml:1:1: rule-a"], [a, b]) == ([], [b.format()])
    assert unmatched([a.format(), "notices/x.yaml:1:1: rule-a"], [a]) == (["notices/x.yaml:1:1: rule-a"], [])
