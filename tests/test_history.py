"""Each notice and town page says when it was first published and last changed: from git, else from the file."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess

from generator.checking.history import git_history
from tests.sitebuild import ROOT, build_site, page

FIXTURE = ROOT / "tests" / "fixtures" / "small" / "notices"
NOTICE = "notices/lost/2022/zero/"


def git(repo, *args, date=None):
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+08:00"
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def committed_fixture(tmp_path):
    """A repository holding the small fixture's notices/, committed on 2024-01-15."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo / "notices")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "first", date="2024-01-15")
    return repo


def dates(soup):
    return [t["datetime"] for t in soup.select(".pt-history time")]


def test_dates_come_from_git(tmp_path):
    repo = committed_fixture(tmp_path)
    zero = repo / "notices" / "lost" / "2022" / "zero.yaml"
    zero.write_text(zero.read_text(encoding="utf-8").replace("王某某", "王某"), encoding="utf-8")
    git(repo, "commit", "-qam", "fix holder", date="2024-03-02")
    build_site(repo / "notices", tmp_path / "site")
    # a notice's first date is its 公告日期 (the data); git adds a change after the first commit, with no correction
    assert dates(page(tmp_path / "site", NOTICE)) == ["2022-07-01", "2024-03-02"]
    assert "页面最后修改" in page(tmp_path / "site", NOTICE).select_one(".pt-history").get_text()
    assert dates(page(tmp_path / "site", "notices/lost/2022/script/")) == ["2022-06-20"]  # committed once: no git date
    assert dates(page(tmp_path / "site", "towns/hengdong/ganxi/")) == ["2024-01-15", "2024-01-15"]


def test_uncommitted_change_counts_as_today(tmp_path):
    repo = committed_fixture(tmp_path)
    zero = repo / "notices" / "lost" / "2022" / "zero.yaml"
    zero.write_text(zero.read_text(encoding="utf-8") + "# 待提交\n", encoding="utf-8")
    history = git_history(repo / "notices", dt.date(2026, 11, 23))
    assert history[zero.resolve()].first == dt.date(2024, 1, 15)
    assert history[zero.resolve()].last == dt.date(2026, 11, 23)


def test_outside_a_repository_the_file_dates_are_used(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "notices")
    assert git_history(tmp_path / "notices", dt.date(2026, 11, 23)) == {}
    build_site(tmp_path / "notices", tmp_path / "site")
    soup = page(tmp_path / "site", NOTICE)
    assert dates(soup) == ["2022-07-01"]  # its `published` date
    assert "首次发布" in soup.select_one(".pt-history").get_text()
    assert dates(page(tmp_path / "site", "towns/hengdong/ganxi/")) == ["2023-10-23"]  # its `updated` date
