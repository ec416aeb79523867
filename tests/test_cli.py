"""The `portal` console script, run as staff and CI run it: exit codes, output, no tracebacks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TODAY, write_tree

from generator.checking.rules import BASE, GOOD_ID

PORTAL = Path(sys.executable).parent / "portal"
PROBLEM_LINE = re.compile(r"^notices/\S+\.ya?ml:\d+:\d+: (error|warning): .+ \([a-z0-9-]+\)$")

GOOD_NOTICE = (
    f'kind: lost-document\npublished: 2022-06-20\nholder: 罗某某\ndocument: {{type: 身份证, number: "{GOOD_ID}"}}\n'
)
BAD_NOTICE = GOOD_NOTICE.replace(GOOD_ID, "430102199003075011")  # wrong check digit
WARNING_NOTICE = GOOD_NOTICE + "holdr: 罗某某\n"  # unknown key: a warning only


def portal(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    completed = subprocess.run([str(PORTAL), *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in completed.stdout + completed.stderr, completed.stdout + completed.stderr
    return completed


def data(tmp_path: Path, extra: dict[str, str | bytes]) -> Path:
    """A repository-like folder holding `notices/` with the base data set plus `extra`; returns the folder."""
    write_tree(tmp_path / "notices", {**BASE, **extra})
    return tmp_path


def check(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return portal(cwd, "check", "--today", TODAY.isoformat(), *args)


def test_console_script_is_installed():
    assert PORTAL.is_file()


def test_clean_data_exits_0_with_a_summary(tmp_path):
    result = check(data(tmp_path, {"lost/2022/a.yaml": GOOD_NOTICE}))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    summary = result.stdout.strip().splitlines()[-1]
    assert "检查通过" in summary and "check passed" in summary
    assert "1 个镇" in summary and "1 条遗失声明" in summary and "0 条注销公告" in summary


def test_problems_exit_1_with_one_line_each_on_stderr(tmp_path):
    root = data(
        tmp_path,
        {
            "lost/2022/a.yaml": BAD_NOTICE,
            "lost/2022/b.yaml": "kind: lost-document\nholder: [\n",
            "deregistration/2022/c.yaml": "kind: deregistration\npublished: 2022-02-30\n",
        },
    )
    result = check(root)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    problems = [line for line in lines if PROBLEM_LINE.match(line)]
    assert lines[:-1] == problems, result.stderr  # every line but the summary is a problem line
    assert "notices/lost/2022/a.yaml:4:" in result.stderr and "(id-check-digit)" in result.stderr
    assert "notices/lost/2022/b.yaml:" in result.stderr and "(yaml-syntax)" in result.stderr
    assert "notices/deregistration/2022/c.yaml:2:12: error: published:" in result.stderr
    assert re.search(r"\d+ 个错误，0 个警告", lines[-1])
    assert "检查通过" not in result.stdout


def test_problem_lines_are_sorted_by_file_and_line(tmp_path):
    root = data(
        tmp_path,
        {
            "lost/2022/b.yaml": BAD_NOTICE.replace("2022-06-20", "2022-13-01"),
            "lost/2022/a.yaml": BAD_NOTICE,
        },
    )
    lines = [line for line in check(root).stderr.splitlines() if PROBLEM_LINE.match(line)]
    keys = [(line.split(":")[0], int(line.split(":")[1])) for line in lines]
    assert keys == sorted(keys) and len(keys) == 3


@pytest.mark.parametrize(
    "files",
    [
        {"lost/2022/gbk.yaml": GOOD_NOTICE.encode("gbk")},
        {"lost/2022/latin.yaml": b"holder: caf\xe9\n"},
        {"lost/2022/bomb.yaml": 'a: &a ["x","x"]\nb: [*a,*a]\n'},
        {"lost/2022/deep.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n"},
        {"lost/2022/control.yaml": "holder: \x07\n"},
        {"lost/2022/list.yaml": "- a\n- b\n"},
        {"regions.yaml": "name: 衡阳市\n"},
        {"contacts/hengdong/ganxi.yaml": "town: 衡阳市/衡东县/甘溪镇\ngrids:\n  - wechat_group: {qr: a.png}\n"},
    ],
    ids=["gbk", "latin1", "alias", "deep", "control-char", "list-root", "regions-not-a-list", "grid-without-fields"],
)
def test_broken_input_is_a_problem_never_a_traceback(tmp_path, files):
    result = check(data(tmp_path, files))  # `portal` asserts there is no traceback
    assert result.returncode == 1
    assert any(PROBLEM_LINE.match(line) for line in result.stderr.splitlines()), result.stderr


def test_gbk_file_names_the_encoding(tmp_path):
    result = check(data(tmp_path, {"lost/2022/gbk.yaml": GOOD_NOTICE.encode("gbk")}))
    assert re.search(r"^notices/lost/2022/gbk\.yaml:1:1: error: .*GBK.*\(file-encoding\)$", result.stderr, re.M)


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["check", "--bogus"],
        ["build", "--bogus"],
        [],
        ["check", "--today", "not-a-date"],
    ],
)
def test_wrong_usage_exits_2(tmp_path, args):
    result = portal(tmp_path, *args)
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_help_exits_0(tmp_path):
    result = portal(tmp_path, "--help")
    assert result.returncode == 0
    assert "check" in result.stdout and "build" in result.stdout


def test_warnings_pass_unless_strict(tmp_path):
    root = data(tmp_path, {"lost/2022/a.yaml": WARNING_NOTICE})
    relaxed = check(root)
    assert relaxed.returncode == 0
    assert re.search(r"^notices/lost/2022/a\.yaml:5:1: warning: holdr: .*\(unknown-key\)$", relaxed.stderr, re.M)
    assert "检查通过" in relaxed.stdout
    strict = check(root, "--strict")
    assert strict.returncode == 1
    assert "(unknown-key)" in strict.stderr
    assert "检查通过" not in strict.stdout


def test_missing_notices_folder_exits_1_with_a_clear_message(tmp_path):
    result = check(tmp_path, "--notices", "/nonexistent")
    assert result.returncode == 1
    assert "/nonexistent" in result.stderr
    assert "找不到公告文件夹" in result.stderr and "not found" in result.stderr


def test_notices_option_names_another_folder(tmp_path):
    write_tree(tmp_path / "data" / "notices", {**BASE, "lost/2022/a.yaml": BAD_NOTICE})
    result = check(tmp_path, "--notices", "data/notices")
    assert result.returncode == 1
    assert "data/notices/lost/2022/a.yaml:4:" in result.stderr


def test_build_with_bad_data_leaves_the_published_site_alone(tmp_path):
    root = data(tmp_path, {"lost/2022/a.yaml": BAD_NOTICE})
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the good site", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = portal(root, "build", "--today", TODAY.isoformat(), "--site-dir", str(site))
    assert result.returncode == 1
    assert "(id-check-digit)" in result.stderr
    assert "网站没有更新" in result.stderr
    assert [p.name for p in site.iterdir()] == ["index.html"]
    assert (site / "index.html").read_text(encoding="utf-8") == "the good site"
    after = sorted(p.name for p in tmp_path.iterdir() if p.name != ".portal-cache")  # the check results are kept
    assert after == before  # no staging folder left behind


def test_build_strict_refuses_warnings_and_leaves_the_site_alone(tmp_path):
    root = data(tmp_path, {"lost/2022/a.yaml": WARNING_NOTICE})
    site = tmp_path / "site"
    site.mkdir()
    (site / "sentinel").write_text("keep", encoding="utf-8")
    result = portal(root, "build", "--strict", "--today", TODAY.isoformat(), "--site-dir", str(site))
    assert result.returncode == 1
    assert [p.name for p in site.iterdir()] == ["sentinel"]


# ------------------------------------------------------------------ nothing from outside notices/, no traceback


def test_a_linked_image_is_refused_and_nothing_is_published(tmp_path):
    town = BASE["contacts/hengdong/ganxi.yaml"] + "    wechat_group: {name: 新塘村网格群, qr: /images/env.png}\n"
    root = data(tmp_path, {"contacts/hengdong/ganxi.yaml": town})
    (root / "notices/images").mkdir()
    (root / "notices/images/env.png").symlink_to("/proc/self/environ")
    run = portal(root, "build", "--today", TODAY.isoformat())
    assert run.returncode == 1
    assert re.search(
        r"^notices/images/env\.png:1:1: error: .*/proc/self/environ.* \(file-symlink\)$", run.stderr, re.M
    ), run.stderr
    assert re.search(
        r"^notices/contacts/hengdong/ganxi\.yaml:15:38: error: .* \(image-reference\)$", run.stderr, re.M
    ), run.stderr
    assert not (root / "site").exists()


def test_an_unforeseen_failure_is_one_error_line_and_the_site_is_untouched(tmp_path):
    root = data(tmp_path, {"lost/2022/a.yaml": GOOD_NOTICE})
    assert portal(root, "build", "--today", TODAY.isoformat()).returncode == 0
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "home.html").write_text("{{ 1 // 0 }}\n", encoding="utf-8")  # a county's template override with a bug
    run = portal(root, "build", "--today", TODAY.isoformat(), "--templates", str(broken))
    assert run.returncode == 1
    [line] = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert re.match(r"error: 内部错误：ZeroDivisionError: .*home\.html:1.*PORTAL_DEBUG=1", line), run.stderr
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()} == before
    debug = subprocess.run(
        [str(PORTAL), "build", "--today", TODAY.isoformat(), "--templates", str(broken)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PORTAL_DEBUG": "1"},
    )
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "ZeroDivisionError" in debug.stderr


def test_the_notices_folder_named_on_the_command_line_may_itself_be_a_link(tmp_path):
    real = data(tmp_path / "real", {"lost/2022/a.yaml": GOOD_NOTICE})
    (tmp_path / "data").symlink_to(real / "notices", target_is_directory=True)
    result = check(tmp_path, "--notices", "data")
    assert result.returncode == 0, result.stderr
