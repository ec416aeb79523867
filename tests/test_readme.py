"""The README is for clerks and county engineers: at most 150 lines, and every command it shows is run by a test.

Each command the README shows (a line of a ```sh block, or inline code that starts with `make`, `portal` or
`.venv/bin/portal`) must be listed in RUNS, with the test that runs it. The cheap ones run here, as a clerk
would type them; the ones that need a whole machine (a fresh virtual environment, the web server, the
test suite itself) are run by the named tests, which this file checks exist. A command added to the README
without a test fails `test_every_command_the_readme_shows_is_run_by_a_test`.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TODAY

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PORTAL = [sys.executable, "-m", "generator.cli"]
MAX_LINES = 150

HERE = "tests/test_readme.py"
#: command as the README shows it (placeholders included) → the test that runs it ("file::function").
RUNS = {
    "make site": ".ci/run",  # CI's fresh clone: `make test` builds the sample first (tests/test_site.py builds it too)
    "make test": ".ci/run",
    "make serve": "tests/test_serve.py::test_rebuilds_on_save_and_reports_problems",
    "make check": f"{HERE}::test_make_check_passes_on_the_sample",
    ".venv/bin/portal check": f"{HERE}::test_the_clerks_first_notice_and_the_check_output",
    "portal check": f"{HERE}::test_the_clerks_first_notice_and_the_check_output",
    "portal check --strict": f"{HERE}::test_make_check_passes_on_the_sample",
    "portal build": "tests/test_site.py::site",
    ".venv/bin/portal new lost-document": "tests/test_new.py::test_interactive_dialogue_re_asks_a_wrong_answer",
    "portal new": "tests/test_new.py::test_lost_document_from_options_passes_the_strict_check",
    "portal init DIR --name 衡东县 --generator <URL of this repository>": "tests/test_wheel.py::test_a_county_starts_its_own_repository_with_portal_init",
    "portal build --config mkdocs.yml": "tests/test_wheel.py::test_a_county_starts_its_own_repository_with_portal_init",
    'python3 -m venv .venv && .venv/bin/pip install "hunan-notice-portal @ git+<生成器仓库地址>@v<版本>"': "tests/test_wheel.py::test_the_installed_package_builds_a_site_outside_the_repository",
    ".venv/bin/portal init 衡东县公告 --name 衡东县 --generator <生成器仓库地址>": "tests/test_wheel.py::test_a_county_starts_its_own_repository_with_portal_init",
    "portal publish [--site-dir DIR] rsync|dir|s3 TARGET": f"{HERE}::test_portal_publish_copies_a_built_site",
    "portal verify": "tests/test_proof.py::test_verify_recomputes_every_sample_notice_from_its_data",
}


def readme() -> str:
    return README.read_text(encoding="utf-8")


def shown_commands(text: str) -> list[str]:
    """Every command the README shows, in order: shell block lines (comments cut) and command-like inline code."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line:
                commands.append(line)
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for code in re.findall(r"`([^`\n]+)`", prose):
        if re.match(r"(make |portal |\.venv/bin/portal )", code):
            commands.append(code)
    return commands


def test_the_readme_is_at_most_150_lines():
    assert len(readme().splitlines()) <= MAX_LINES


def test_every_command_the_readme_shows_is_run_by_a_test():
    missing = [command for command in shown_commands(readme()) if command not in RUNS]
    assert not missing, f"README commands no test runs (add them to RUNS): {missing}"


def test_the_command_finder_reads_blocks_and_inline_code():
    text = (
        "x `make site` and `portal build --x`, not `notices/`\n```sh\nmake a   # why\n\n```\n```yaml\nportal: x\n```\n"
    )
    assert shown_commands(text) == ["make a", "make site", "portal build --x"]


@pytest.mark.parametrize("command", sorted(set(RUNS.values())))
def test_each_named_test_exists(command):
    if command == ".ci/run":
        assert re.search(r"^make test$", (ROOT / ".ci/run").read_text(encoding="utf-8"), re.M)
        assert "site" in (ROOT / "Makefile").read_text(encoding="utf-8")
        return
    file, _, name = command.partition("::")
    tree = ast.parse((ROOT / file).read_text(encoding="utf-8"))
    names = {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}
    assert name in names, f"{file} has no function {name}"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)


def test_make_check_passes_on_the_sample():
    if not shutil.which("make"):
        pytest.fail("make is needed (CI installs it)")
    done = run("make", "-s", "check")
    assert done.returncode == 0, done.stderr


def example_notice(text: str) -> tuple[str, str]:
    """The first notice the README walks through: its path and its YAML."""
    path = re.search(r"e\.g\. `(notices/lost/[^`]+\.yaml)`", text)[1]
    yaml_text = re.search(r"```yaml\n(.*?)```", text, re.S)[1]
    return path, "\n".join(line[3:] if line.startswith("   ") else line for line in yaml_text.splitlines()) + "\n"


def test_the_clerks_first_notice_and_the_check_output(tmp_path):
    """The example notice passes `portal check`; with a wrong check digit the output is the one the README shows."""
    text = readme()
    path, yaml_text = example_notice(text)
    notices = tmp_path / "notices"
    shutil.copytree(ROOT / "notices", notices)
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml_text, encoding="utf-8")
    done = run(*PORTAL, "check", "--notices", str(notices), "--today", TODAY.isoformat(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    shown = re.search(r"```\n\s*(notices/lost/\S+: error: .*?)\n\s*(.*?)\n", text)
    number = re.search(r'number: "(\d{17})(\d)"', yaml_text)
    wrong = str((int(number[2]) + 1) % 10)
    target.write_text(yaml_text.replace(number[0], f'number: "{number[1]}{wrong}"'), encoding="utf-8")
    done = run(*PORTAL, "check", "--notices", str(notices), "--today", TODAY.isoformat(), cwd=tmp_path)
    assert done.returncode == 1
    expected = re.sub(r"^notices/lost/\S+?:", f"{path}:", shown[1])
    assert expected in done.stderr
    assert shown[2] in done.stderr


def test_portal_publish_copies_a_built_site(tmp_path):
    site = tmp_path / "site"
    done = run(*PORTAL, "build", "--notices", str(ROOT / "notices"), "--site-dir", str(site))
    assert done.returncode == 0, done.stderr
    target = tmp_path / "www"
    done = run(*PORTAL, "publish", "--site-dir", str(site), "dir", str(target) + "/")
    assert done.returncode == 0, done.stderr
    assert (target / "index.html").read_bytes() == (site / "index.html").read_bytes()
