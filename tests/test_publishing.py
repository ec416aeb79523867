"""Publishing: the CI workflow is valid and pinned, problems become inline annotations, publish.sh works."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.sitebuild import ROOT, build_site

WORKFLOW = ROOT / ".github" / "workflows" / "portal.yml"
PORTAL = str(Path(sys.executable).with_name("portal"))
LOCK = ROOT / "requirements.lock"
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
    assert (
        "portal check --strict --format github --no-cache" in steps and ".ci/run" in steps
    )  # never a cache from the branch
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "check" and "refs/heads/main" in deploy["if"]


def test_workflow_keeps_no_credentials_and_never_cancels_a_deploy():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    checkouts = [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert len(checkouts) == 2 and all(step["with"]["persist-credentials"] is False for step in checkouts)
    assert "concurrency" not in workflow  # a workflow-wide group would cancel a running deploy with its run
    assert workflow["jobs"]["deploy"]["concurrency"]["cancel-in-progress"] is False
    assert "pull_request" in workflow["jobs"]["check"]["concurrency"]["cancel-in-progress"]  # only a PR's check


def locked() -> dict[str, tuple[str, list[str]]]:
    """requirements.lock: package name → (version, sha256 hashes)."""
    packages = {}
    for entry in re.split(r"\n(?=[a-z0-9])", LOCK.read_text(encoding="utf-8")):
        if match := re.match(r"([a-z0-9][a-z0-9._-]*)==(\S+)", entry):
            packages[canonicalize_name(match[1])] = (match[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", entry))
    return packages


def test_every_python_package_is_locked_with_its_hashes():
    """Every direct requirement (test extras and the installer's own tools included) is in the lock at a
    version it allows; every package there, transitive ones included, carries its hashes."""
    packages = locked()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    tools = [
        line
        for line in (ROOT / "requirements-tools.in").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    direct = [Requirement(r) for r in [*project["dependencies"], *project["optional-dependencies"]["test"], *tools]]
    assert {"pip", "setuptools", "uv"} <= {r.name for r in direct}
    for requirement in direct:
        name = canonicalize_name(requirement.name)
        assert name in packages, f"{name} is not in requirements.lock: run make lock"
        assert requirement.specifier.contains(packages[name][0]), f"{name}: run make lock"
    assert len(packages) > len(direct)  # the transitive ones too
    assert all(hashes for _, hashes in packages.values())


def test_this_environment_was_installed_from_the_lock():
    packages = locked()
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in importlib.metadata.distributions()}
    differ = {
        name: (version, packages[name][0])
        for name, version in installed.items()
        if name in packages and packages[name][0] != version
    }
    assert not differ, f"installed ≠ locked: {differ} (make venv)"


def test_installs_require_hashes_and_pin_pip():
    """Python packages are installed in one place, the Makefile (make site, make test, CI and the workflow
    go through it): from the lock with hashes required, then the project itself with nothing fetched."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = re.findall(r"pip install[^\n]*", makefile)
    assert installs == [
        "pip install --quiet --require-hashes --only-binary :all: -r $(LOCK)",
        "pip install --quiet --no-deps --no-build-isolation -e .",
    ]
    for other in [WORKFLOW, ROOT / ".ci" / "run"]:
        assert "pip install" not in other.read_text(encoding="utf-8"), other


def test_npm_packages_are_locked_with_their_hashes():
    """package.json names exact versions; package-lock.json (installed by npm ci) pins every package,
    transitive ones included, with its sha512 integrity hash."""
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", version) for version in manifest["devDependencies"].values())
    packages = {path: entry for path, entry in lock["packages"].items() if path}
    assert len(packages) > len(manifest["devDependencies"])
    assert all(entry["integrity"].startswith("sha512-") for entry in packages.values())
    for name, version in manifest["devDependencies"].items():
        assert packages[f"node_modules/{name}"]["version"] == version, name
    assert "npm ci" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_ci_installs_every_program_the_tests_call():
    """A fresh machine passes make test: .ci/run installs each program the tests run, when it is missing."""
    tests = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "tests").rglob("*.py"))
    called = set(re.findall(r'subprocess\.\w+\(\s*\[\s*"([\w.-]+)"', tests)) - {"bash"}
    called |= {"rsync", "chromium", "npm", "make"}  # publish.sh's dir mode; tests/browser.py; make test itself
    assert "git" in called and "node" in called
    declared = set(re.findall(r"\[([\w-]+)\]=[\w-]+", (ROOT / ".ci" / "run").read_text(encoding="utf-8")))
    assert called <= declared, called - declared


def test_github_format_annotates_the_offending_line(tmp_path):
    notices = tmp_path / "notices"
    shutil.copytree(ROOT / "tests" / "fixtures" / "small" / "notices", notices)
    bad = notices / "lost" / "2022" / "script.yaml"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("430424198506120034", "430424198506120035"), encoding="utf-8"
    )
    run = subprocess.run(
        [PORTAL, "check", "--strict", "--stale-months", "0", "--format", "github", "--notices", "notices"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )  # the fixture's town list is old on purpose
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
    run = subprocess.run(
        ["bash", str(ROOT / "scripts" / "publish.sh"), "dir", f"{target}/"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    published = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    built = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert published == built
    assert not (target / "stale").exists()


def test_publish_script_waits_for_a_build_of_the_site_to_finish(tmp_path):
    """publish.sh holds the site's lock (shared) while it copies: it never publishes half of a swap."""
    from generator.publishing.build import Workplace

    site = tmp_path / "site"
    build_site(ROOT / "tests" / "fixtures" / "small" / "notices", site)
    target = tmp_path / "www"
    command = ["bash", str(ROOT / "scripts" / "publish.sh"), "dir", f"{target}/"]
    with Workplace(site.resolve()).locked():
        busy = subprocess.run(
            command, cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PORTAL_LOCK_TIMEOUT": "0"}
        )
    assert busy.returncode == 1 and "another build" in busy.stderr, busy.stderr
    assert not target.exists()
    assert subprocess.run(command, cwd=tmp_path, capture_output=True).returncode == 0
    assert (target / "index.html").is_file()


def test_publish_script_refuses_an_unbuilt_site(tmp_path):
    run = subprocess.run(
        ["bash", str(ROOT / "scripts" / "publish.sh"), "dir", str(tmp_path / "www")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1 and "make site" in run.stderr


def test_the_deploy_restores_the_last_site_and_cache_keyed_by_the_code_so_a_commit_builds_incrementally():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = workflow["jobs"]["deploy"]["steps"]
    build = next(i for i, step in enumerate(steps) if step.get("run", "").startswith("make site"))
    caches = [step for step in steps[:build] if step.get("uses", "").startswith("actions/cache@")]
    assert len(caches) == 2
    codes, given = caches[0]["with"], caches[1]["with"]
    # The QR record (cache.QrCodes) outlives code changes: keyed by the locked packages (segno) only.
    assert codes["path"] == ".portal-cache/site/qr.pickle"
    assert "requirements.lock" in codes["key"] and "generator/" not in codes["key"]
    assert codes["key"].startswith(codes["restore-keys"]) and "github.run_id" in codes["key"]
    assert set(given["path"].split()) == {"site", ".portal-cache", "!.portal-cache/*.trash"}  # test_county: the trash
    for part in ("generator/**", "templates/**", "overrides/**", "requirements.lock"):  # new code: nothing restored
        assert part in given["key"] and part in given["restore-keys"]
    assert given["key"].startswith(given["restore-keys"]) and "github.run_id" in given["key"]
    assert "secrets.PORTAL_CACHE_KEY" in steps[build]["env"]["PORTAL_CACHE_KEY"]
