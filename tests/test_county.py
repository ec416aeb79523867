"""`portal init`: a county's data repository. Its workflows are validated and pinned like the generator's own
(tests/test_publishing.py), its pre-commit configuration names the released hook, and nothing is overwritten.
tests/test_wheel.py runs its check and build with the installed wheel."""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from generator.cli import main
from generator.publishing import county
from tests.sitebuild import ROOT, TODAY
from tests.test_publishing import VALIDATOR, WORKFLOW

WORKFLOWS = [".github/workflows/portal.yml", ".gitea/workflows/portal.yml", ".forgejo/workflows/portal.yml"]


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("county") / "data"
    assert main(["init", str(folder), "--today", TODAY.isoformat()]) == 0
    return folder


@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflows_pass_the_schema_validator_and_a_broken_one_does_not(repo, name, tmp_path):
    assert VALIDATOR.exists(), "run `npm ci` (make test does it)"
    ok = subprocess.run([str(VALIDATOR), str(repo / name)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text((repo / name).read_text(encoding="utf-8").replace("runs-on:", "runs_on:", 1), encoding="utf-8")
    assert subprocess.run([str(VALIDATOR), str(broken)], capture_output=True).returncode != 0


@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflows_pin_the_actions_the_generators_own_workflow_pins(repo, name):
    own = set(re.findall(r"uses:\s*(\S+)", WORKFLOW.read_text(encoding="utf-8")))
    uses = set(re.findall(r"uses:\s*(\S+)", (repo / name).read_text(encoding="utf-8")))
    assert uses and uses <= own, uses - own


@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflows_check_strictly_build_and_publish_main_without_credentials(repo, name):
    workflow = yaml.safe_load((repo / name).read_text(encoding="utf-8"))
    jobs = workflow["jobs"]
    runs = {job: " ".join(step.get("run", "") for step in spec["steps"]) for job, spec in jobs.items()}
    assert "pip install --quiet -r requirements.txt" in runs["check"] and "portal check --strict" in runs["check"]
    publishing = [job for job in jobs if job != "check"]
    assert publishing == (["publish", "pages"] if name.startswith(".github") else ["publish"])
    for job in publishing:
        assert jobs[job]["needs"] == "check" and "refs/heads/main" in jobs[job]["if"]
        assert "portal build --strict --config mkdocs.yml" in runs[job]
        assert jobs[job]["concurrency"]["cancel-in-progress"] is False
    assert "portal publish rsync" in runs["publish"] and "portal publish s3" in runs["publish"]
    checkouts = [
        step for spec in jobs.values() for step in spec["steps"] if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert len(checkouts) == len(jobs) and all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_gitea_and_forgejo_get_the_same_workflow(repo):
    assert (repo / WORKFLOWS[1]).read_bytes() == (repo / WORKFLOWS[2]).read_bytes()


def test_pre_commit_and_requirements_pin_the_released_generator(repo):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (entry,) = config["repos"]
    assert entry["rev"] == f"v{version(county.PACKAGE)}" and [h["id"] for h in entry["hooks"]] == [hooks[0]["id"]]
    validated = subprocess.run(
        [str(Path(sys.executable).with_name("pre-commit")), "validate-config", str(repo / ".pre-commit-config.yaml")],
        capture_output=True,
        text=True,
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert f"{county.PACKAGE} @ git+{entry['repo']}@{entry['rev']}" in (repo / "requirements.txt").read_text(
        encoding="utf-8"
    )


def test_the_examples_pass_the_strict_check_and_the_site_keeps_the_theme_frame(repo, monkeypatch):
    monkeypatch.chdir(repo)
    assert main(["check", "--strict", "--no-cache", "--today", TODAY.isoformat()]) == 0
    config = yaml.load((repo / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert config["site_name"].startswith("某某县") and "custom_dir" not in config["theme"]


def test_init_never_replaces_a_file(repo, capsys):
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    (repo / "notices" / "regions.yaml").write_text("# 本县已改过\n", encoding="utf-8")
    assert main(["init", str(repo), "--today", TODAY.isoformat()]) == 1
    assert "regions.yaml:1:1: error:" in capsys.readouterr().err
    after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    assert after.keys() == before.keys() and after[repo / "notices" / "regions.yaml"] == "# 本县已改过\n".encode()
    (repo / "notices" / "regions.yaml").write_bytes(before[repo / "notices" / "regions.yaml"])


@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflows_rebuild_daily_just_after_midnight_in_china(repo, name):
    """A schedule (cron, read in UTC) rebuilds main at 00:05 Asia/Shanghai, as the generator's own workflow does;
    the publishing jobs run for it (their condition is main and not a pull request)."""
    for workflow in (
        yaml.safe_load((repo / name).read_text(encoding="utf-8")),
        yaml.safe_load(WORKFLOW.read_text(encoding="utf-8")),
    ):
        on = workflow[True]  # YAML 1.1 reads the key `on` as True
        assert on["schedule"] == [{"cron": county.REBUILD_CRON}]
    minute, hour, *rest = county.REBUILD_CRON.split()
    assert rest == ["*", "*", "*"]
    utc = dt.datetime(2026, 12, 1, int(hour), int(minute), tzinfo=dt.UTC)
    china = utc.astimezone(ZoneInfo("Asia/Shanghai"))
    assert (china.date(), china.hour, china.minute) == (dt.date(2026, 12, 2), 0, 5)


def test_a_repository_made_years_later_is_not_stale_on_its_first_check(tmp_path, monkeypatch):
    later = dt.date(2030, 3, 1)
    assert main(["init", str(tmp_path / "data"), "--today", later.isoformat()]) == 0
    monkeypatch.chdir(tmp_path / "data")
    assert main(["check", "--strict", "--no-cache", "--today", later.isoformat()]) == 0


@pytest.mark.parametrize("name", WORKFLOWS)
def test_the_daily_scheduled_build_folds_the_search_index(repo, name):
    """The scheduled run (and only it) builds with --fold: a full Pagefind run once a day (dev/search.md, Segments)."""
    for workflow in (
        yaml.safe_load((repo / name).read_text(encoding="utf-8")),
        yaml.safe_load(WORKFLOW.read_text(encoding="utf-8")),
    ):
        builds = [
            step["run"]
            for job in workflow["jobs"].values()
            for step in job["steps"]
            if step.get("name", "").startswith("Build")
        ]
        assert builds and all("github.event_name == 'schedule' && '--fold' || ''" in run for run in builds), builds


@pytest.mark.parametrize("name", WORKFLOWS)
def test_every_build_restores_the_last_builds_cache_without_the_trash(repo, name, tmp_path):
    """A county's commit builds incrementally in CI, as the generator's own does: the site and .portal-cache are
    restored before each Build (keyed by the pinned generator and the site's configuration, signed with the
    PORTAL_CACHE_KEY secret), and the trash folder a build leaves to a background removal is not saved (archiving
    it raced with the removal: bench/README.md, the CI path)."""
    from generator.publishing.build import Workplace

    trash = Workplace(tmp_path / "site").trash.relative_to(tmp_path).as_posix()
    for workflow in (yaml.safe_load((repo / name).read_text(encoding="utf-8")), yaml.safe_load(WORKFLOW.read_text())):
        for job in workflow["jobs"].values():
            steps = job["steps"]
            for i, step in enumerate(steps):
                if not step.get("name", "").startswith("Build"):
                    continue
                cache = steps[i - 1]
                assert cache.get("uses", "").startswith("actions/cache@"), steps
                paths = cache["with"]["path"].split()
                excluded = [p[1:] for p in paths if p.startswith("!")]
                assert {"site", ".portal-cache"} <= set(paths) and any(fnmatch.fnmatch(trash, p) for p in excluded)
                assert cache["with"]["restore-keys"] in cache["with"]["key"]
                assert step["env"]["PORTAL_CACHE_KEY"] == "${{ secrets.PORTAL_CACHE_KEY }}"
    county_key = yaml.safe_load((repo / name).read_text(encoding="utf-8"))["jobs"]["publish"]["steps"]
    assert any("requirements.txt" in str(step.get("with", {}).get("key", "")) for step in county_key)
