"""Publishing: the CI workflow is valid and pinned, problems become inline annotations, publish.sh works."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.sitebuild import ROOT, build_site

WORKFLOW = ROOT / ".github" / "workflows" / "portal.yml"
PORTAL = str(Path(sys.executable).with_name("portal"))
VALIDATOR = ROOT / "node_modules" / ".bin" / "action-validator"


def test_workflow_passes_the_schema_validator(tmp_path):
    assert VALIDATOR.exists(), "run `npm ci` (make test does it)"
    ok = subprocess.run([str(VALIDATOR), str(WORKFLOW)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace("runs-on:", "runs_on:", 1), encoding="utf-8")
    assert subprocess.run([str(VALIDATOR), str(broken)], capture_output=True).returncode != 0


def test_every_action_is_pinned_by_commit():
    uses = re.findall(r"uses:\s*(\S+)", WORKFLOW.read_text(encoding="utf-8"))
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action


def test_workflow_checks_strictly_with_annotations_and_deploys_main():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = " ".join(step.get("run", "") for step in workflow["jobs"]["check"]["steps"])
    assert "portal check --strict --format github" in steps and ".ci/run" in steps
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "check" and "refs/heads/main" in deploy["if"]


def test_github_format_annotates_the_offending_line(tmp_path):
    notices = tmp_path / "notices"
    shutil.copytree(ROOT / "tests" / "fixtures" / "small" / "notices", notices)
    bad = notices / "lost" / "2022" / "script.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("430424198506120034", "430424198506120035"), encoding="utf-8")
    run = subprocess.run([PORTAL, "check", "--strict", "--format", "github", "--notices", "notices"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 1
    line_no = next(i for i, line in enumerate(bad.read_text(encoding="utf-8").splitlines(), 1) if "number:" in line)
    annotations = [line for line in run.stdout.splitlines() if line.startswith("::")]
    assert annotations == [
        f"::error file=notices/lost/2022/script.yaml,line={line_no},col=11,title=id-check-digit::"
        "document.number: 身份证号码校验位错误，应为 4 (wrong check digit, expected 4)"
    ], run.stdout
    print("\n".join(annotations))  # shown with `pytest -s`: what a pull request's reviewer sees


def test_publish_script_mirrors_the_site(tmp_path):
    site = tmp_path / "site"
    build_site(ROOT / "tests" / "fixtures" / "small" / "notices", site)
    target = tmp_path / "www"
    (target / "stale").mkdir(parents=True)
    (target / "stale" / "index.html").write_text("old", encoding="utf-8")
    run = subprocess.run(["bash", str(ROOT / "scripts" / "publish.sh"), "dir", f"{target}/"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    published = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    built = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert published == built
    assert not (target / "stale").exists()


def test_publish_script_waits_for_a_build_of_the_site_to_finish(tmp_path):
    """publish.sh holds the site's lock (shared) while it copies: it never publishes half of a swap."""
    from generator.build import Workplace  # noqa: PLC0415

    site = tmp_path / "site"
    build_site(ROOT / "tests" / "fixtures" / "small" / "notices", site)
    target = tmp_path / "www"
    command = ["bash", str(ROOT / "scripts" / "publish.sh"), "dir", f"{target}/"]
    with Workplace(site.resolve()).locked():
        busy = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PORTAL_LOCK_TIMEOUT": "0"})
    assert busy.returncode == 1 and "another build" in busy.stderr, busy.stderr
    assert not target.exists()
    assert subprocess.run(command, cwd=tmp_path, capture_output=True).returncode == 0
    assert (target / "index.html").is_file()


def test_publish_script_refuses_an_unbuilt_site(tmp_path):
    run = subprocess.run(["bash", str(ROOT / "scripts" / "publish.sh"), "dir", str(tmp_path / "www")],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 1 and "make site" in run.stderr
