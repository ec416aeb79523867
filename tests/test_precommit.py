"""pre-commit: the hook definitions, and `portal check FILES...` reporting only what concerns those files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TODAY, write_tree

from generator.checking import changed
from generator.checking.problems import Problem
from generator.checking.rules import BASE, GOOD_ID

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORTAL = BIN / "portal"
PRE_COMMIT = BIN / "pre-commit"

GOOD = f'kind: lost-document\npublished: 2022-06-20\nholder: 罗某某\ndocument: {{type: 身份证, number: "{GOOD_ID}"}}\n'
OTHER_GOOD = GOOD.replace(GOOD_ID, "11010519491231002X")
BAD = GOOD.replace(GOOD_ID, "430102199003075011")  # wrong check digit
WARNING = OTHER_GOOD + "holdr: 罗某某\n"  # unknown key: a warning, an error with --strict


def check(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        [str(PORTAL), "check", "--strict", "--today", TODAY.isoformat(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in completed.stdout + completed.stderr, completed.stderr
    return completed


@pytest.fixture
def repo(tmp_path) -> Path:
    write_tree(
        tmp_path / "notices",
        {**BASE, "lost/2022/good.yaml": GOOD, "lost/2022/bad.yaml": BAD, "lost/2022/warn.yaml": WARNING},
    )
    return tmp_path


def problem_files(stderr: str) -> set[str]:
    return {line.split(":", 1)[0] for line in stderr.splitlines() if ": error: " in line or ": warning: " in line}


# ------------------------------------------------------------------ the hook definitions


def test_hook_manifest_defines_portal_check():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "portal-check"]
    assert hook["entry"] == "portal check --strict"
    assert hook["language"] == "python"  # pre-commit installs this package; its console script is the entry
    assert hook["files"] == "^notices/" and hook["pass_filenames"] is True and hook["require_serial"] is True


def test_repository_config_runs_the_projects_own_venv():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    (hook,) = repo["hooks"]
    assert hook["id"] == "portal-check" and hook["language"] == "system"
    assert hook["entry"] == ".venv/bin/portal check --strict"
    assert hook["files"] == "^notices/" and hook["pass_filenames"] is True


@pytest.mark.skipif(not PRE_COMMIT.is_file(), reason="pre-commit is not installed (pip install -e '.[test]')")
@pytest.mark.parametrize(
    "command, file", [("validate-config", ".pre-commit-config.yaml"), ("validate-manifest", ".pre-commit-hooks.yaml")]
)
def test_pre_commit_accepts_the_files(command, file):
    completed = subprocess.run([str(PRE_COMMIT), command, file], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stdout + completed.stderr


# ------------------------------------------------------------------ portal check FILES...


def test_without_files_everything_is_reported(repo):
    result = check(repo)
    assert result.returncode == 1
    assert problem_files(result.stderr) == {"notices/lost/2022/bad.yaml", "notices/lost/2022/warn.yaml"}


def test_one_bad_file_reports_only_its_problems(repo):
    result = check(repo, "notices/lost/2022/bad.yaml")
    assert result.returncode == 1
    assert problem_files(result.stderr) == {"notices/lost/2022/bad.yaml"}
    assert "(id-check-digit)" in result.stderr and "1 个错误，0 个警告" in result.stderr


def test_one_good_file_passes_while_another_file_is_bad(repo):
    result = check(repo, "notices/lost/2022/good.yaml")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_warnings_of_the_given_file_fail_with_strict(repo):
    result = check(repo, "notices/lost/2022/warn.yaml", "notices/lost/2022/good.yaml")
    assert result.returncode == 1
    assert problem_files(result.stderr) == {"notices/lost/2022/warn.yaml"}


def test_a_duplicate_is_reported_when_either_file_is_given(repo):
    """The checker reports a duplicate on the later file and names the earlier one: both count."""
    write_tree(repo / "notices", {"lost/2022/aaa-copy.yaml": GOOD})  # sorts before good.yaml
    result = check(repo, "notices/lost/2022/aaa-copy.yaml")
    assert result.returncode == 1 and "(notice-duplicate)" in result.stderr
    assert problem_files(result.stderr) == {"notices/lost/2022/good.yaml"}


def test_regions_yaml_given_reports_everything(repo):
    result = check(repo, "notices/regions.yaml")
    assert result.returncode == 1
    assert problem_files(result.stderr) == {"notices/lost/2022/bad.yaml", "notices/lost/2022/warn.yaml"}


def test_missing_or_outside_files_are_problems_and_other_files_are_ignored(repo):
    (repo / "notices/images").mkdir()
    (repo / "notices/images/qr.png").write_bytes(b"\x89PNG")
    assert check(repo, "notices/images/qr.png").returncode == 0
    result = check(repo, "notices/lost/2022/gone.yaml", "README.md")
    assert result.returncode == 1
    assert "notices/lost/2022/gone.yaml:1:1: error: 找不到文件" in result.stderr
    assert "README.md:1:1: error: 文件不在公告文件夹" in result.stderr


def test_select_keeps_problems_in_or_naming_the_given_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path / "notices", {"a.yaml": "x", "b.yaml": "x", "c.yaml": "x"})
    problems = [
        Problem("notices/a.yaml", 1, 1, "", "x", "r"),
        Problem("notices/b.yaml", 1, 1, "", "与 notices/a.yaml 重复", "r"),
        Problem("notices/c.yaml", 1, 1, "", "与 notices/a.yaml2 重复", "r"),
        Problem("notices/c.yaml", 2, 1, "", "与 x/notices/a.yaml 重复", "r"),
    ]
    assert changed.select(problems, [], Path("notices")) == problems
    assert changed.select(problems, [Path("notices/a.yaml")], Path("notices")) == problems[:2]
    assert changed.select(problems, [Path("notices/c.yaml")], Path("notices")) == problems[2:]


def test_the_check_cache_stays_out_of_the_data_repository(repo):
    """The hook keeps its check results in .portal-cache/ (shared with `portal build`), which tells git
    to ignore it: a data repository that never listed it is not offered 100 MB of pickles to commit."""
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    check(repo, "notices/lost/2022/good.yaml")
    assert (repo / ".portal-cache" / "site" / "checks.pickle").is_file()
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    assert status and ".portal-cache" not in status, status
