"""Shared fixtures: write a `notices/` tree into a temporary folder and run the checker on it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.checking.rules import NotText
from generator.publishing.build import Options, run_check

#: The fixed "today" every checker test runs with, so date-future never depends on the calendar.
TODAY = dt.date(2026, 11, 23)


def write_tree(notices: Path, files: dict[str, str | bytes]) -> Path:
    """Write `{path below notices/: text, bytes or NotText}` into `notices` (text as UTF-8); return `notices`."""
    notices.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = notices / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, NotText) and content.link:
            target.symlink_to(content.link)
        elif isinstance(content, NotText):
            target.write_bytes(content.data)
        else:
            target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return notices


@pytest.fixture(autouse=True, scope="session")
def cache_key_home(tmp_path_factory):
    """The cache's signing key (generator/publishing/cache.py) is made in a folder of the test session, not in the
    home folder of whoever runs the tests; subprocesses inherit it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))
        patch.delenv("PORTAL_CACHE_KEY", raising=False)
        yield


@pytest.fixture
def write_notices(tmp_path):
    """`write_notices(files)` → the path of a fresh `notices/` folder holding exactly `files`."""
    counter = iter(range(1_000_000))

    def write(files: dict[str, str | bytes]) -> Path:
        return write_tree(tmp_path / f"data{next(counter)}" / "notices", files)

    return write


@pytest.fixture
def check_files(write_notices, monkeypatch):
    """`check_files(files)` → the checker's `Checked` result for a `notices/` folder holding `files`.

    The checker runs from the folder above `notices/`, as staff and CI run it from a repository,
    so problems name files as `notices/lost/2022/x.yaml`.
    """

    def check(files: dict[str, str | bytes], today: dt.date = TODAY):
        notices = write_notices(files)
        monkeypatch.chdir(notices.parent)
        return run_check(Options(notices=Path("notices"), today=today))

    return check
