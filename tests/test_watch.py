"""`portal serve` learns of a save from the system's file events (watchdog), not by comparing every file's time
each second: a save is seen even when it leaves the file's time as it was, and a build reading the files is
not a change. Every wait is on a condition with a generous timeout, never a sleep."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from generator.publishing import serve as live

TIMEOUT = 60


def watching(*watched: Path) -> tuple[live.Changes, object]:
    changes = live.Changes([path.resolve() for path in watched])
    return changes, live.start_watching(changes)


def test_a_save_is_seen_even_when_the_files_time_is_unchanged(tmp_path):
    notices = tmp_path / "notices"
    (notices / "lost").mkdir(parents=True)
    notice = notices / "lost" / "a.yaml"
    notice.write_text("holder: 甲\n", encoding="utf-8")
    before = notice.stat()
    changes, observer = watching(notices)
    try:
        notice.write_text("holder: 乙\n", encoding="utf-8")  # same size; then its time is put back, as a copy -p does
        os.utime(notice, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert changes.seen.wait(TIMEOUT)
        assert notice.resolve() in changes.paths
    finally:
        observer.stop()


def test_reading_the_files_is_not_a_change_and_only_the_watched_file_of_a_folder_counts(tmp_path):
    notices = tmp_path / "notices"
    notices.mkdir()
    notice = notices / "a.yaml"
    notice.write_text("holder: 甲\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: 甲\n", encoding="utf-8")
    changes, observer = watching(notices, config)
    try:
        notice.read_text(encoding="utf-8")  # what a build does to the data
        (tmp_path / "site").mkdir()  # the build's output beside the configuration
        (tmp_path / "site" / "index.html").write_text("<p>", encoding="utf-8")
        (tmp_path / "other.txt").write_text("x", encoding="utf-8")
        config.write_text("site_name: 乙\n", encoding="utf-8")
        assert changes.seen.wait(TIMEOUT)
        # The folder's events come in order: by the time the configuration's arrived, the others had.
        assert changes.paths == {config.resolve()}
    finally:
        observer.stop()


def test_watch_rebuilds_once_the_save_has_settled(tmp_path, monkeypatch):
    notices = tmp_path / "notices"
    notices.mkdir()
    rebuilt = threading.Event()
    monkeypatch.setattr(live, "rebuild", lambda options, state, report: rebuilt.set())
    ready = threading.Event()
    real_start = live.start_watching
    monkeypatch.setattr(live, "start_watching", lambda changes: (real_start(changes), ready.set())[0])
    stop = threading.Event()
    thread = threading.Thread(target=live.watch, args=(None, [notices], live.State(), None, stop), daemon=True)
    thread.start()
    try:
        assert ready.wait(TIMEOUT)
        (notices / "new.yaml").write_text("holder: 丙\n", encoding="utf-8")
        assert rebuilt.wait(TIMEOUT)
    finally:
        stop.set()
        thread.join(TIMEOUT)
    assert not thread.is_alive()


def test_a_save_made_during_the_first_build_is_built_right_after_it(tmp_path, monkeypatch):
    """`portal serve` watches before its first build (minutes at province scale) and acts on what was saved
    meanwhile once it ends (`go`), instead of missing it until the next save."""
    notices = tmp_path / "notices"
    notices.mkdir()
    rebuilt = threading.Event()
    monkeypatch.setattr(live, "rebuild", lambda options, state, report: rebuilt.set())
    stop, ready, go = threading.Event(), threading.Event(), threading.Event()
    args = (None, [notices], live.State(), None, stop, ready, go)
    thread = threading.Thread(target=live.watch, args=args, daemon=True)
    thread.start()
    try:
        assert ready.wait(TIMEOUT)
        (notices / "new.yaml").write_text("holder: 丁\n", encoding="utf-8")  # while the first build runs
        assert not rebuilt.is_set()
        go.set()  # the first build ended
        assert rebuilt.wait(TIMEOUT)
    finally:
        stop.set()
        go.set()
        thread.join(TIMEOUT)
    assert not thread.is_alive()
