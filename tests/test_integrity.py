"""Integrity of the published site and of what the build trusts: one build at a time (generator/publishing/lock.py),
an atomic swap, builds killed anywhere leave the old or the new site and never poison the next build, a
cache is trusted only if this user's builds wrote it (generator/publishing/cache.py), and "today" is China's date."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import cli
from generator.publishing import build as pipeline
from generator.publishing import cache, lock, serve
from tests.buildkill import (
    NOTICES,
    SITE,
    Base,
    command,
    copy_of,
    edit,
    environment,
    inside,
    killed_build,
    prepare,
    warm,
)
from tests.sitebuild import ROOT, SAMPLE, TODAY
from tests.test_incremental import NEW_NOTICE, assert_same_site, run, tree

PORTAL = str(Path(sys.executable).with_name("portal"))
SMALL = ROOT / "tests" / "fixtures" / "small" / "notices"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Base:
    return prepare(tmp_path_factory.mktemp("integrity"))


KILL_POINTS = [
    "generator.publishing.build:search_copy:5:after",  # slim copies half updated in place in the cache's search folder
    "generator.publishing.build:drop_copy:2:after",  # a removed notice's copy dropped
    "generator.publishing.build:update_groups:1:after",  # day groups rewritten, the index not yet made
    "generator.publishing.build:prune:1:after",  # the spare copy pruned to this build's files, its pages not yet written
    "generator.publishing.segments:run_pagefind:1:after",  # the new index made in the spare copy
    "generator.publishing.build:hold:1:after",  # the kept index moved aside for the scan
    "generator.publishing.build:exchange:1:before",  # just before the swap
    "generator.publishing.build:exchange:1:after",  # just after it: the old site is in the staging folder
    "os:replace:2:before",  # the new site published, its page record not yet written
]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_build_killed_anywhere_leaves_the_old_or_new_site_and_the_next_build_equals_a_clean_one(
    base, tmp_path, point
):
    work = copy_of(base, tmp_path / "work")
    site = work / "site"
    edit(work / "notices")
    killed = killed_build(work, point)
    assert killed.returncode == -9, killed.stderr
    staging = work / ".portal-cache" / "site.staging"
    assert any(staging.iterdir())  # what the killed build left behind
    after_kill = tree(site)
    assert after_kill == base.old or after_kill == tree(base.new), "the site is neither the old one nor the new one"
    with inside(work):
        run(NOTICES, SITE)
    assert_same_site(site, base.new)
    assert list(staging.iterdir()) == []  # the killed build's staging folder was removed by the next build
    assert list((work / ".portal-cache" / "site").glob("*.pickle.*")) == []  # and a record it was writing


def test_a_build_killed_while_it_links_the_kept_search_index_leaves_the_site_whole(base, tmp_path):
    """Nothing changed, and the spare copy holds an older search index (the copy's own, before `warm`
    indexed it anew): the live site's index is hard-linked into the spare copy, which the live site keeps
    until the swap."""
    work = copy_of(base, tmp_path / "work")
    warm(work)
    killed = killed_build(work, "generator.publishing.build:link_or_copy:40:after")
    assert killed.returncode == -9, killed.stderr
    assert tree(work / "site") == base.old
    with inside(work):
        run(NOTICES, SITE)
    assert tree(work / "site") == base.old


def test_a_build_killed_in_a_worker_process_leaves_no_worker_holding_the_lock(base, tmp_path, monkeypatch):
    """Pages written by two forked workers; one of them kills the build. Workers do not keep the lock
    (they close their copy when forked) nor outlive the build (PR_SET_PDEATHSIG): the next build gets
    the lock at once."""
    work = copy_of(base, tmp_path / "work")
    edit(work / "notices")
    killed = killed_build(work, "generator.publishing.build:search_copy:1:after", "--parallel")
    assert killed.returncode == -9, killed.stderr
    monkeypatch.setenv(lock.TIMEOUT_ENV, "0")
    with inside(work):
        run(NOTICES, SITE)
    assert_same_site(work / "site", base.new)


def test_a_search_index_that_is_not_the_one_the_record_made_is_not_kept(base, tmp_path):
    """The poisoned state two builds at once left: the site holds an index of a few pages while the
    records say nothing changed. Before, every later build kept that index (until --no-cache); now
    the record names the index it published, and a site holding another one gets a fresh index."""
    work = copy_of(base, tmp_path / "work")
    few = tmp_path / "few"
    shutil.copytree(SAMPLE, few / "notices")
    for notice in sorted((few / "notices" / "lost").rglob("*.yaml"))[1:]:
        notice.unlink()
    run(few / "notices", few / "site", cache=False)
    with inside(work):
        assert run(NOTICES, SITE).rendered == 0  # the records hold: nothing to render
        shutil.rmtree("site/pagefind")
        shutil.copytree(few / "site" / "pagefind", "site/pagefind")
        run(NOTICES, SITE)
    assert tree(work / "site") == base.old


def test_two_builds_at_once_take_turns(base, tmp_path):
    """A build paused while it updates the search folder holds the lock; a second `portal build` of the
    same site says it is waiting and starts only when the first has finished; both succeed and the
    site equals a clean build."""
    work = copy_of(base, tmp_path / "work")
    site = work / "site"
    edit(work / "notices")
    first = subprocess.Popen(
        command("generator.publishing.build:update_groups:1:before", "--pause"),
        cwd=work,
        env=environment(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    second = None
    try:
        assert first.stdout.readline() == "paused\n"
        second = subprocess.Popen(
            [PORTAL, "build", "--notices", "notices", "--site-dir", "site", "--today", TODAY.isoformat()],
            cwd=work,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for line in iter(second.stderr.readline, ""):  # ends at the message, or when the second build exits
            if lock.WAITING in line:
                break
        else:
            pytest.fail("the second build did not wait")
        assert second.poll() is None  # waiting for the first build, which is paused
        first.stdin.write("\n")
        first.stdin.close()
        assert first.wait(timeout=300) == 0
        out, err = second.communicate(timeout=300)
        assert second.returncode == 0, err
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
    assert_same_site(site, base.new)


def test_a_build_or_check_that_cannot_get_the_lock_in_time_refuses_with_exit_1(tmp_path):
    shutil.copytree(SMALL, tmp_path / "notices")
    site = tmp_path / "site"
    env = {**os.environ, lock.TIMEOUT_ENV: "0"}

    def portal(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PORTAL, *args, "--notices", "notices", "--today", TODAY.isoformat()],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    with pipeline.Workplace(site.resolve()).locked():
        built = portal("build", "--site-dir", "site")
        checked = portal("check", "--site-dir", "site")
        uncached = portal("check", "--no-cache", "--site-dir", "site")
    assert built.returncode == 1 and lock.WAITING in built.stderr and "another build still holds" in built.stderr
    assert not site.exists()
    assert checked.returncode == 1 and "another build still holds" in checked.stderr
    assert uncached.returncode == 0, uncached.stderr  # --no-cache touches nothing the lock guards
    assert portal("build", "--site-dir", "site").returncode == 0


def test_a_serve_rebuild_takes_the_lock(tmp_path, monkeypatch):
    shutil.copytree(SMALL, tmp_path / "notices")
    options = pipeline.Options(notices=tmp_path / "notices", site_dir=tmp_path / "site", today=TODAY)
    state = serve.State()
    monkeypatch.setenv(lock.TIMEOUT_ENV, "0")
    with pipeline.Workplace((tmp_path / "site").resolve()).locked():
        serve.rebuild(options, state, lambda problems: None)
    assert state.build == 0 and any("another build still holds" in p for p in state.problems)
    assert not (tmp_path / "site").exists()
    serve.rebuild(options, state, lambda problems: None)
    assert state.build == 1 and (tmp_path / "site" / "index.html").is_file()


def test_exchange_swaps_two_folders_in_one_step(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "from-a").touch()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "from-b").touch()
    assert pipeline.exchange(tmp_path / "a", tmp_path / "b")
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["from-b"]
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["from-a"]


def test_where_the_exchange_is_unsupported_publishing_falls_back_to_two_renames(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "exchange", lambda a, b: False)
    site = tmp_path / "site"
    run(SMALL, site)
    run(SMALL, site)
    full = tmp_path / "full"
    run(SMALL, full, cache=False)
    assert_same_site(site, full)


# ------------------------------------------------------------------ the cache trusts only what it wrote


class RunsCode:
    """Unpickling this creates the marker file: what a planted cache file could do instead."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def plant(site: Path, name: str, payload: bytes) -> Path:
    folder = cache.default_dir(site)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(payload)
    return folder / name


def signed(name: str, value) -> bytes:
    payload = pickle.dumps(value)
    return cache.SIGNED + cache.sign(cache.cache_key(), name, payload) + payload


def check(notices: Path, site: Path) -> int:
    return cli.main(["check", "--notices", str(notices), "--site-dir", str(site), "--today", TODAY.isoformat()])


@pytest.mark.parametrize("forged", ["unsigned", "wrong signature"])
def test_a_planted_check_record_is_never_unpickled(tmp_path, capsys, forged):
    marker = tmp_path / "ran"
    payload = pickle.dumps((cache.FORMAT, RunsCode(marker)))
    if forged == "wrong signature":
        payload = cache.SIGNED + bytes(32) + payload
    plant(tmp_path / "site", "checks.pickle", payload)
    assert check(SMALL, tmp_path / "site") == 0
    assert not marker.exists()
    assert "签名不符" in capsys.readouterr().err


@pytest.mark.parametrize("record", ["pages.pickle", "scan.pickle"])
def test_a_planted_page_record_is_never_unpickled_by_a_build(tmp_path, capsys, record):
    marker = tmp_path / "ran"
    plant(tmp_path / "site", record, pickle.dumps((cache.FORMAT, RunsCode(marker))))
    run(SMALL, tmp_path / "site")
    assert not marker.exists()
    assert "bad signature" in capsys.readouterr().err


def test_a_cache_file_git_tracks_is_never_loaded_even_when_signed(tmp_path, monkeypatch, capsys):
    """A fresh clone of a repository that committed its cache: `portal check` (the pull-request job, the
    pre-commit hook) does not load it, even when it carries a valid signature (say, the committer's own
    key on a shared machine). The same file, untracked, is loaded: the test's pickle is live."""
    repo = tmp_path / "repo"
    shutil.copytree(SMALL, repo / "notices")
    marker = tmp_path / "ran"
    planted = plant(repo / "site", "checks.pickle", signed("checks.pickle", (cache.FORMAT, RunsCode(marker))))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "add", "-f", str(planted)], check=True)
    monkeypatch.chdir(repo)
    assert check(Path("notices"), Path("site")) == 0
    assert not marker.exists()
    assert "git rm -r --cached" in capsys.readouterr().err
    subprocess.run(["git", "-C", str(repo), "rm", "-q", "--cached", str(planted)], check=True)
    check(Path("notices"), Path("site"))
    assert marker.exists()


def test_the_key_is_made_once_outside_the_repository_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    key = cache.cache_key()
    path = tmp_path / "state" / "portal" / "cache-key"
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    assert cache.cache_key() == key and len(key) == 64
    path.chmod(0o644)
    with pytest.raises(OSError):
        cache.cache_key()


def test_an_unusable_key_means_no_cache_not_a_failure(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(cache.KEY_ENV, "short")
    run(SMALL, tmp_path / "site")
    assert "PORTAL_CACHE_KEY" in capsys.readouterr().err
    assert not (tmp_path / ".portal-cache" / "site" / "checks.pickle").exists()
    monkeypatch.setenv(cache.KEY_ENV, "k" * 32)
    run(SMALL, tmp_path / "site")
    assert (tmp_path / ".portal-cache" / "site" / "checks.pickle").exists()


# ------------------------------------------------------------------ today in China


EVENING_UTC = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC).timestamp()  # 04:00 on 1 December in China


@pytest.fixture()
def utc_machine_at_evening(monkeypatch):
    """A machine whose time zone is UTC (as CI's), on 30 November at 20:00: already 1 December in China."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(pipeline, "wall_clock", lambda: EVENING_UTC)
    yield
    monkeypatch.undo()
    time.tzset()


def test_today_is_the_date_in_china_whatever_the_machines_time_zone(utc_machine_at_evening):
    assert dt.date.fromtimestamp(EVENING_UTC) == dt.date(2026, 11, 30)  # the machine's own date
    assert pipeline.today_in_china() == dt.date(2026, 12, 1)
    assert pipeline.Options().today == dt.date(2026, 12, 1)


def test_the_future_tolerance_counts_from_chinas_today(utc_machine_at_evening, tmp_path, capsys):
    """A date up to FUTURE_TOLERANCE_DAYS (7) after today in China is accepted, one day more is refused;
    `portal check` and `portal new` both count from China's date, not the machine's."""
    from generator.checking.schema import FUTURE_TOLERANCE_DAYS

    assert FUTURE_TOLERANCE_DAYS == 7
    notices = tmp_path / "notices"
    shutil.copytree(SMALL, notices)
    (notices / "lost" / "2026").mkdir()
    notice = notices / "lost" / "2026" / "future.yaml"
    text = NEW_NOTICE.replace("2024-03-05", "{date}")
    notice.write_text(text.format(date="2026-12-08"), encoding="utf-8")
    assert cli.main(["check", "--no-cache", "--notices", str(notices)]) == 0
    notice.write_text(text.format(date="2026-12-09"), encoding="utf-8")
    assert cli.main(["check", "--no-cache", "--notices", str(notices)]) == 1
    assert "date-future" in capsys.readouterr().err
    notice.unlink()
    made = cli.main(
        [
            "new",
            "lost-document",
            "--yes",
            "--notices",
            str(notices),
            "--field",
            "published=2026-12-08",
            "--field",
            "holder=张三",
            "--field",
            "document.type=毕业证书",
            "--field",
            "document.number=A1234567",
        ]
    )
    assert made == 0, capsys.readouterr().err
