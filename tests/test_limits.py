"""Bounded input: hostile files are refused by the real `portal` with `file:line` and exit 1, never a
crash, a traceback or a run that eats the machine.

Each run gets at most MEMORY bytes of address space (RLIMIT_AS): a `portal` that read or built
what it should refuse dies of MemoryError (or is killed) instead of finishing. No test measures time.
"""

from __future__ import annotations

import re
import resource
import subprocess
from pathlib import Path

import pytest
from conftest import TODAY, write_tree
from test_cli import PORTAL

from generator.checking import limits
from generator.checking.load import parse
from generator.checking.rules import BASE, BASE_TOWN, GOOD_ID, ID_NOTICE

MEMORY = 500 * 1024 * 1024
NOTICE = "kind: lost-document\n" + ID_NOTICE.format(number=GOOD_ID)
README = Path(__file__).resolve().parent.parent / "README.md"
PATH = "notices/lost/2022/x.yaml"


def bounded():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def portal_check(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PORTAL), "check", "--no-cache", "--today", TODAY.isoformat(), *args],
        cwd=root,
        capture_output=True,
        text=True,
        preexec_fn=bounded,
    )


def refused(root: Path, where: str) -> str:
    """Run `portal check`: exit 1, no traceback, and an input-limit error at `where` (path:line:column, or path:)."""
    run = portal_check(root)
    output = run.stdout + run.stderr
    assert run.returncode == 1, (run.returncode, output[-2000:])
    assert "Traceback" not in output and "内部错误" not in output, output[-2000:]
    position = r"\d+:\d+" if where.endswith(":") else ""  # "file:" for any line and column
    assert re.search(rf"^{re.escape(where)}{position}: error: .+ \(input-limit\)$", run.stderr, re.M), run.stderr[
        -2000:
    ]
    return run.stderr


def test_the_bounded_portal_checks_real_data(tmp_path):
    write_tree(tmp_path / "notices", {**BASE, "lost/2022/a.yaml": NOTICE})
    run = portal_check(tmp_path)
    assert run.returncode == 0, run.stderr  # so a refusal below is the limit's doing, not the memory bound's


def test_a_200_mb_file_is_refused_before_it_is_read(tmp_path):
    write_tree(tmp_path / "notices", BASE)
    huge = tmp_path / "notices/lost/2022/huge.yaml"
    huge.parent.mkdir(parents=True)
    with huge.open("wb") as handle:  # sparse: 200 MB long, no disk used
        handle.write(NOTICE.encode())
        handle.truncate(200 * 1024 * 1024)
    assert "200.0 MB" in refused(tmp_path, "notices/lost/2022/huge.yaml:1:1")


def test_a_50_mb_statement_is_refused(tmp_path):
    write_tree(
        tmp_path / "notices",
        {**BASE, "lost/2022/big.yaml": NOTICE + "statement: " + "声" * (50 * 1024 * 1024 // 3) + "\n"},
    )
    refused(tmp_path, "notices/lost/2022/big.yaml:1:1")


def test_a_million_item_covers_list_is_refused_at_the_item_past_the_limit(tmp_path):
    town = BASE_TOWN + "    covers: [" + "组," * 1_000_000 + "]\n"  # 2 MB: under the file limit
    write_tree(tmp_path / "notices", {**BASE, "contacts/hengdong/ganxi.yaml": town})
    line = town.count("\n")
    column = len("    covers: [") + 2 * limits.MAX_ITEMS + 1
    refused(tmp_path, f"notices/contacts/hengdong/ganxi.yaml:{line}:{column}")


@pytest.mark.parametrize(
    "text, column",
    [
        ("a: " + "[" * 30000 + "]" * 30000 + "\n", 3 + limits.MAX_DEPTH),
        ("a: " + "{a: " * 30000 + "}" * 30000 + "\n", 3 + 4 * (limits.MAX_DEPTH - 1) + 1),
        ("- " * 30000 + "a\n", 2 * limits.MAX_DEPTH + 1),
    ],
    ids=["flow-lists", "flow-mappings", "block-lists"],
)
def test_30000_levels_of_nesting_exit_1_not_a_segmentation_fault(tmp_path, text, column):
    write_tree(tmp_path / "notices", {**BASE, "lost/2022/deep.yaml": text})
    refused(tmp_path, f"notices/lost/2022/deep.yaml:1:{column}")  # exit 1, not -11 (SIGSEGV) or 139


def test_too_many_values_in_one_file_are_refused(tmp_path):
    rows = limits.MAX_VALUES // 5000 + 1
    text = NOTICE + "legal_basis:\n" + "".join(f"  - [{','.join(['a'] * 4999)}]\n" for _ in range(rows))
    assert len(text.encode()) < limits.MAX_FILE_BYTES
    write_tree(tmp_path / "notices", {**BASE, "lost/2022/many.yaml": text})
    assert "400,000" in refused(tmp_path, "notices/lost/2022/many.yaml:")


def test_a_folder_of_hostile_files_reports_every_one(tmp_path):
    write_tree(
        tmp_path / "notices",
        {
            **BASE,
            "lost/2022/deep.yaml": "a: " + "[" * 30000 + "]" * 30000 + "\n",
            "lost/2022/long.yaml": NOTICE + "statement: " + "x" * (limits.MAX_TEXT_CHARS + 1) + "\n",
            "lost/2022/good.yaml": NOTICE.replace("2022-06-20", "2022-06-21"),
        },
    )
    stderr = refused(tmp_path, "notices/lost/2022/deep.yaml:1:35")
    assert re.search(r"^notices/lost/2022/long\.yaml:5:12: error: .+ \(input-limit\)$", stderr, re.M)


# ------------------------------------------------------------------ each limit, at its edge


def nested(levels: int) -> str:
    return "[" * (levels - 1) + "]" * (levels - 1)  # inside the root mapping: `levels` in all


@pytest.mark.parametrize(
    "text, fits",
    [
        ("a: " + nested(limits.MAX_DEPTH) + "\n", True),
        ("a: " + nested(limits.MAX_DEPTH + 1) + "\n", False),
        ("a: [" + ",".join(["x"] * limits.MAX_ITEMS) + "]\n", True),
        ("a: [" + ",".join(["x"] * (limits.MAX_ITEMS + 1)) + "]\n", False),
        ("".join(f"k{i}: x\n" for i in range(limits.MAX_ITEMS)), True),
        ("".join(f"k{i}: x\n" for i in range(limits.MAX_ITEMS + 1)), False),
        ("a: " + "x" * limits.MAX_TEXT_CHARS + "\n", True),
        ("a: '" + "x" * (limits.MAX_TEXT_CHARS + 1) + "'\n", False),
        ("k" * (limits.MAX_TEXT_CHARS + 1) + ": x\n", False),  # a key is a value too
    ],
    ids=["depth", "depth+1", "items", "items+1", "keys", "keys+1", "text", "text+1", "key-text+1"],
)
def test_each_limit_lets_its_maximum_through_and_refuses_one_more(text, fits):
    root, problems = parse(text, PATH)
    if fits:
        assert root is not None and problems == [], problems
    else:
        assert root is None and [p.rule for p in problems] == ["input-limit"], problems


def test_the_values_limit_counts_every_value(monkeypatch):
    monkeypatch.setattr("generator.checking.load.MAX_VALUES", 7)
    assert parse("a: [1, 2]\nb: 3\n", PATH)[1] == []  # the mapping, a, the list, 1, 2, b, 3
    assert [p.rule for p in parse("a: [1, 2, 3]\nb: 4\n", PATH)[1]] == ["input-limit"]


def test_the_readme_states_every_limit():
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Limits") :]
    section = section[: section.find("\n## ", 1)]
    for number in (
        f"{limits.MAX_FILE_BYTES // 1024 // 1024} MB",
        str(limits.MAX_DEPTH),
        f"{limits.MAX_ITEMS:,}",
        f"{limits.MAX_VALUES:,}",
        f"{limits.MAX_TEXT_CHARS:,}",
    ):
        assert number in section, number
    for suffix in limits.IMAGE_SUFFIXES:
        assert suffix in section, suffix


def test_the_staff_guide_states_the_limits_staff_meet():
    text = (README.parent / "docs/guide/staff.md").read_text(encoding="utf-8")
    for number in (
        f"{limits.MAX_FILE_BYTES // 1024 // 1024} MB",
        f"{limits.MAX_TEXT_CHARS:,}",
        f"{limits.MAX_ITEMS:,}",
        f"{limits.MAX_DEPTH} 层",
    ):
        assert number in text, number
