"""The incremental build: a rebuild after an edit keeps what did not change and gives, file for file,
the same site as a full build from nothing (`--no-cache`) of the same data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pickle
import re
import shutil
import time
from pathlib import Path

import pytest

from generator import cli
from generator.checking.load import load_tree
from generator.checking.validate import ASSEMBLED_FIELDS, assemble, check_source
from generator.publishing import build as pipeline
from generator.publishing import segments
from generator.publishing.build import Options, build, run_check
from tests.sitebuild import SAMPLE, TODAY

NEW_NOTICE = """kind: lost-document
published: 2024-03-05
holder: 谭新增
region: 衡阳市/衡东县/甘溪镇
document:
  type: 毕业证书
  number: "134561202006001234"
  issuer: 衡东县第一中学
"""


def run(notices: Path, site: Path, today: dt.date = TODAY, cache: bool = True):
    result = build(Options(notices=notices, site_dir=site, today=today, cache=cache))
    assert not result.failed, "\n".join(p.format() for p in result.problems)
    return result


def tree(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def outside_search(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files outside the search bundles and their manifest (an incremental build's index is a base and a
    delta, generator/publishing/segments.py; only a fold's is a full build's)."""
    return {name: data for name, data in files.items() if not name.startswith(segments.SEGMENT_FILES)}


def assert_same_site(incremental: Path, full: Path, whole: bool = False) -> None:
    a, b = tree(incremental), tree(full)
    if not whole:
        a, b = outside_search(a), outside_search(b)
    assert sorted(a) == sorted(b), (
        f"only in the rebuild: {sorted(set(a) - set(b))[:5]}, only in the full build: {sorted(set(b) - set(a))[:5]}"
    )
    differing = [name for name in a if a[name] != b[name]]
    assert differing == [], f"{len(differing)} files differ, e.g. {differing[:5]}"


def assert_equals_full_build(notices: Path, site: Path, today: dt.date = TODAY) -> None:
    """Build the same data from nothing (`--no-cache`) beside `site`, and compare the two, file for file."""
    full = site.with_name(site.name + "-full")
    run(notices, full, today=today, cache=False)
    assert_same_site(site, full)


@pytest.fixture()
def data(tmp_path) -> Path:
    notices = tmp_path / "notices"
    shutil.copytree(SAMPLE, notices)
    return notices


def edit_town(notices: Path) -> None:
    town = notices / "contacts" / "hengdong" / "ganxi.yaml"
    text = town.read_text(encoding="utf-8")
    phone = re.search(r"1[3-9]\d{9}", text).group(0)
    town.write_text(text.replace(phone, "13900001111", 1), encoding="utf-8")


def test_a_town_or_notice_differs_from_what_its_own_file_gave_only_in_the_fields_assemble_sets(data):
    """Page keys stand on a file's digest plus validate.ASSEMBLED_FIELDS (render.Renderer.made_from): a field
    that a cross-file step sets on a town or notice and that is not listed would leave its pages stale."""
    lost = data / "lost" / "2024"
    text = (lost / "2024-01-22-shenfenzheng.yaml").read_text(encoding="utf-8")
    for name in ("高源镇遗失.yaml", "高园镇遗失.yaml"):  # one address: assemble gives the second its own
        (lost / name).write_text(text, encoding="utf-8")
    loaded = load_tree(data)
    results = [check_source(source, TODAY) for source in loaded.files]
    before = pickle.loads(pickle.dumps(results))
    assemble(results, loaded.problems, str(data), TODAY, loaded.images)
    objects = [(result.town or result.notice, was.town or was.notice) for result, was in zip(results, before)]
    assert sum(item is not None for item, _ in objects) > 40
    changed = {
        f"{type(item).__name__}.{field.name}"
        for item, was in objects
        if item is not None
        for field in dataclasses.fields(item)
        if repr(getattr(item, field.name)) != repr(getattr(was, field.name))
    }
    assert {name.rpartition(".")[2] for name in changed} <= set(ASSEMBLED_FIELDS), changed
    assert changed >= {"LostDocumentNotice.url", "LostDocumentNotice.reference"}  # the data exercised both


def test_a_rebuild_with_nothing_changed_renders_nothing_and_changes_nothing(data, tmp_path):
    site = tmp_path / "site"
    first = run(data, site)
    assert first.rendered == first.pages - 7  # every page but the MkDocs hub pages
    before = tree(site)
    entry = (site / "pagefind" / "pagefind-entry.json").stat().st_ino
    second = run(data, site)
    assert second.rendered == 0
    assert tree(site) == before
    assert (site / "pagefind" / "pagefind-entry.json").stat().st_ino == entry  # the index was kept, not rebuilt


def test_after_edits_only_touched_pages_are_rendered_and_the_site_equals_a_full_build(data, tmp_path):
    site = tmp_path / "site"
    first = run(data, site)
    (data / "lost" / "2024").mkdir(exist_ok=True)
    (data / "lost" / "2024" / "2024-03-05-biye-new.yaml").write_text(NEW_NOTICE, encoding="utf-8")
    edit_town(data)
    removed = sorted((data / "lost").rglob("*.yaml"))[0]
    removed.unlink()

    second = run(data, site)
    assert 0 < second.rendered < first.rendered / 2, second.rendered
    assert_equals_full_build(data, site)
    assert "13900001111" in (site / "towns" / "hengdong" / "ganxi" / "index.html").read_text(encoding="utf-8")
    assert "谭新增" in (site / "notices" / "lost" / "index.html").read_text(encoding="utf-8")


def test_a_new_day_that_closes_a_claim_period_rerenders_that_notice_and_its_lists(data, tmp_path):
    deregistrations = run_check(Options(notices=data, today=TODAY)).portal.deregistrations
    notice = max((n for n in deregistrations if not n.withdrawn), key=lambda n: n.claim_deadline)
    deadline = notice.claim_deadline
    assert deadline >= TODAY  # so that no date in the data is in the future on either day
    site = tmp_path / "site"
    run(data, site, today=deadline)
    assert "公告期内" in (site / notice.url / "index.html").read_text(encoding="utf-8")
    second = run(data, site, today=deadline + dt.timedelta(days=1))
    assert 0 < second.rendered
    assert "公告期内" not in (site / notice.url / "index.html").read_text(encoding="utf-8")
    assert_equals_full_build(data, site, today=deadline + dt.timedelta(days=1))


def test_a_page_changed_by_hand_in_the_site_is_rendered_again(data, tmp_path):
    site = tmp_path / "site"
    run(data, site)
    town = site / "towns" / "hengdong" / "ganxi" / "index.html"
    town.write_text("tampered", encoding="utf-8")
    second = run(data, site)
    assert second.rendered >= 1
    assert_equals_full_build(data, site)


def test_a_failed_build_leaves_site_and_cache_usable(data, tmp_path):
    site = tmp_path / "site"
    run(data, site)
    before = tree(site)
    bad = data / "lost" / "2024" / "bad.yaml"
    bad.parent.mkdir(exist_ok=True)
    bad.write_text(NEW_NOTICE.replace("published: 2024-03-05", "published: 2024-13-45"), encoding="utf-8")
    assert build(Options(notices=data, site_dir=site, today=TODAY)).failed
    assert tree(site) == before
    bad.unlink()
    edit_town(data)
    run(data, site)
    assert_equals_full_build(data, site)


def test_a_build_that_fails_after_rendering_leaves_the_site_and_a_cache_that_cannot_mislead(
    data, tmp_path, monkeypatch
):
    """Pagefind fails after the slim copies were updated in place: the site stays as it was, and the
    next build (with the edit undone) still equals a full build."""
    import generator.publishing.build as pipeline

    site = tmp_path / "site"
    run(data, site)
    before = tree(site)
    town = data / "contacts" / "hengdong" / "ganxi.yaml"
    original = town.read_text(encoding="utf-8")
    edit_town(data)

    def broken(*args):
        raise pipeline.BuildError("Pagefind failed")

    monkeypatch.setattr(segments, "run_pagefind", broken)
    with pytest.raises(pipeline.BuildError):
        build(Options(notices=data, site_dir=site, today=TODAY))
    monkeypatch.undo()
    assert tree(site) == before
    town.write_text(original, encoding="utf-8")
    run(data, site)
    assert_equals_full_build(data, site)


def page_inodes(site: Path) -> dict[str, int]:
    return {path.relative_to(site).as_posix(): path.stat().st_ino for path in site.rglob("index.html")}


def test_the_replaced_site_is_the_spare_copy_and_a_rebuild_with_nothing_changed_writes_no_page(
    data, tmp_path, monkeypatch
):
    """The site published before is kept as the spare copy (pipeline.Workplace.spare), and the next build
    brings it up to date in place and publishes it: with nothing changed it writes, links and copies no page;
    the site it publishes is the spare copy's own files."""
    site = tmp_path / "site"
    spare = pipeline.Workplace(site.resolve()).spare
    run(data, site)
    first = tree(site)
    run(data, site)
    assert tree(spare) == first
    assert tree(site) == first
    held = page_inodes(spare)
    links, urls = [], []
    link_or_copy, jobs = pipeline.link_or_copy, pipeline.Renderer.jobs
    monkeypatch.setattr(
        pipeline, "link_or_copy", lambda source, target: links.append(target) or link_or_copy(source, target)
    )
    monkeypatch.setattr(
        pipeline.Renderer,
        "jobs",
        lambda self: (lambda every: urls.extend(j.target.url for j in every) or every)(jobs(self)),
    )
    result = run(data, site)
    assert result.rendered == 0
    assert [path for path in links if path.name == "index.html"] == []
    shell = {
        url + "index.html" for url in urls
    }  # the pages written straight into the theme's frame (MkDocs makes the hub pages anew)
    assert len(shell) > 100
    assert {name: page_inodes(site)[name] for name in shell} == {
        name: held[name] for name in shell
    }  # the spare copy's files
    assert tree(site) == first


def test_changes_made_by_hand_to_the_spare_copy_never_reach_the_site(data, tmp_path):
    """The spare copy is trusted only as far as the live site is (a page's recorded size and time): a page
    changed, one removed, a file added, a folder where a page goes, and a file of the search index changed
    or added in the spare copy, and the next build still equals a full build."""
    site = tmp_path / "site"
    spare = pipeline.Workplace(site.resolve()).spare
    run(data, site)
    run(data, site)
    pages = sorted(spare.rglob("index.html"))
    town = next(path for path in pages if "towns" in path.parts and "boards" not in path.parts and len(path.parts) > 6)
    notice = next(path for path in pages if "notices" in path.parts and len(path.parts) > 6)
    town.unlink()
    town.write_text("<p>改过的页面</p>", encoding="utf-8")  # a new file (the live site's, linked, is not touched)
    notice.unlink()
    (spare / "stray.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    board = next(path for path in pages if "boards" in path.parts)
    board.unlink()
    board.mkdir()
    index = spare / segments.BASE / "pagefind-entry.json"
    index.unlink()
    index.write_text("{}", encoding="utf-8")
    (spare / segments.BASE / "extra.pf_index").write_bytes(b"x")
    edit_town(data)
    run(data, site)
    assert_equals_full_build(data, site)
    assert not (site / "stray.html").exists()
    assert (site / segments.BASE / "pagefind-entry.json").read_bytes() != b"{}"
    assert not (site / segments.BASE / "extra.pf_index").exists()


def test_a_spare_copy_no_record_vouches_for_goes_to_the_trash_whole(data, tmp_path):
    """Without a page record (deleted here, as a killed build leaves none), the spare copy's pages cannot be
    kept: it is moved to the trash in one rename and the new site made in an empty folder, not its files
    removed one by one."""
    site = tmp_path / "site"
    spare = pipeline.Workplace(site.resolve()).spare
    run(data, site)
    run(data, site)
    untrusted = spare.stat().st_ino
    (tmp_path / ".portal-cache" / "site" / "pages.pickle").unlink()
    edit_town(data)
    run(data, site)
    assert site.stat().st_ino != untrusted and spare.stat().st_ino != untrusted
    assert_equals_full_build(data, site)


def test_the_replaced_site_is_removed_in_the_background(data, tmp_path):
    site = tmp_path / "site"
    run(data, site)
    run(data, site)
    trash = tmp_path / ".portal-cache" / "site.trash"  # each build's staging folder (its docs tree, MkDocs' output)
    assert trash.is_dir()
    deadline = time.monotonic() + 60
    while any(trash.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(trash.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == [".portal-cache", "notices", "site"]
    assert (site / "index.html").is_file()


def test_a_day_group_of_notices_follows_its_notices(data, tmp_path):
    """Notices of one kind and day are one search document (generator/site/searchindex.py). A notice added to
    a day and one removed from it rewrite that day's document, and the site equals a full build."""
    site = tmp_path / "site"
    run(data, site)
    group = (
        tmp_path / ".portal-cache" / "site" / "search" / "search-groups" / "lost-document" / "2022-06-20" / "index.html"
    )
    assert "2022-06-20-budongchan/" in group.read_text(encoding="utf-8")
    (data / "lost" / "2022" / "2022-06-20-biye-new.yaml").write_text(
        NEW_NOTICE.replace("2024-03-05", "2022-06-20"), encoding="utf-8"
    )
    (data / "lost" / "2022" / "2022-06-20-budongchan.yaml").unlink()
    run(data, site)
    text = group.read_text(encoding="utf-8")
    assert "2022-06-20-biye-new/" in text and "2022-06-20-shenfenzheng/" in text
    assert "2022-06-20-budongchan/" not in text
    assert_equals_full_build(data, site)
    (data / "lost" / "2022" / "2022-06-20-biye-new.yaml").unlink()
    (data / "lost" / "2022" / "2022-06-20-shenfenzheng.yaml").unlink()
    run(data, site)
    assert not group.exists()  # the day has no notice left
    assert_equals_full_build(data, site)


def age(files: list[Path]) -> None:
    """Files last modified an hour ago: old enough for the check cache to trust their size and time."""
    hour_ago = time.time_ns() - 3600 * 10**9
    for path in files:
        os.utime(path, ns=(hour_ago, hour_ago))


@pytest.fixture()
def reads(monkeypatch) -> list[Path]:
    """Every data file read from here on, in order (load.read_input reads them all, for the build's use)."""
    read: list[Path] = []
    read_input = pipeline.read_input
    monkeypatch.setattr(pipeline, "read_input", lambda path: read.append(path) or read_input(path))
    return read


def test_a_data_file_whose_size_and_time_are_unchanged_is_not_read_again(data, tmp_path, reads, monkeypatch):
    """A rebuild hashes only the data files whose size or modification time changed (as make and git
    do), and any file modified less than two seconds before the last check began, whose time cannot
    tell a second change within one clock tick apart."""
    now = time.time_ns()
    monkeypatch.setattr(time, "time_ns", lambda: now)  # every check begins at this instant, however long a build takes
    files = sorted(data.rglob("*.yaml"))
    age(files)
    recent = files[-1]
    os.utime(recent, ns=(now - 10**9, now - 10**9))  # modified a second before each check began
    site = tmp_path / "site"
    run(data, site)
    reads.clear()
    run(data, site)
    assert [path for path in reads if path.suffix == ".yaml"] == [recent.resolve()]
    edited = files[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("\n", "\n# 注释\n", 1), encoding="utf-8")
    reads.clear()
    run(data, site)
    assert {path for path in reads if path.suffix == ".yaml"} == {
        recent.resolve(),
        edited.resolve(),
    }  # hashed; the edited one checked too
    assert_equals_full_build(data, site)


def test_portal_check_reuses_the_check_results_the_last_build_kept(data, tmp_path, reads, capsys):
    """`portal check` (the pre-commit hook) shares the build's cache: after a build it reads only the
    files changed since, and still reports their problems; `--no-cache` checks every file again."""
    files = sorted(data.rglob("*.yaml"))
    age(files)
    site = tmp_path / "site"
    run(data, site)

    def check(*options: str) -> int:
        reads.clear()
        return cli.main(
            ["check", "--notices", str(data), "--site-dir", str(site), "--today", TODAY.isoformat(), *options]
        )

    assert check() == 0
    assert [path for path in reads if path.suffix == ".yaml"] == []
    notice = next(path for path in files if "lost" in path.parts)
    notice.write_text(
        notice.read_text(encoding="utf-8").replace("published: ", "published: 2022-13-40 #", 1), encoding="utf-8"
    )
    capsys.readouterr()
    assert check() == 1
    assert {path for path in reads if path.suffix == ".yaml"} == {notice.resolve()}  # hashed, then checked
    assert f"{notice.resolve()}:2:12: error: published:" in capsys.readouterr().err
    assert check("--no-cache") == 1
    assert sorted(path for path in reads if path.suffix == ".yaml") == sorted(path.resolve() for path in files)


def test_deregistrations_share_a_search_document_by_week(tmp_path):
    """Deregistrations are rarer than lost-document notices (about 2 a day at province scale), so each
    search document holds one ISO week of them: every sample deregistration's section is in the group
    named after its week, and each group holds only notices of that week."""
    site = tmp_path / "site"
    run(SAMPLE, site)
    groups = tmp_path / ".portal-cache" / "site" / "search" / "search-groups" / "deregistration"
    portal = run_check(Options(notices=SAMPLE, today=TODAY)).portal
    assert len(portal.deregistrations) > 1

    def week(notice) -> str:
        year, number, _ = notice.published.isocalendar()
        return f"{year}-W{number:02d}"

    for notice in portal.deregistrations:
        text = (groups / week(notice) / "index.html").read_text(encoding="utf-8")
        assert f'<h1 id="{notice.url}"' in text
    assert sorted(p.name for p in groups.iterdir()) == sorted({week(n) for n in portal.deregistrations})


@pytest.mark.parametrize("warm", [False, True], ids=["rendered", "kept"])
def test_two_pages_at_one_address_stop_the_build_whether_rendered_or_kept(data, tmp_path, monkeypatch, warm):
    site = tmp_path / "site"
    if warm:
        run(data, site)
    jobs = pipeline.Renderer.jobs
    monkeypatch.setattr(pipeline.Renderer, "jobs", lambda self: (lambda every: every + every[:1])(jobs(self)))
    with pytest.raises(pipeline.BuildError, match="两|重复"):
        build(Options(notices=data, site_dir=site, today=TODAY, workers=1))


def test_a_kept_file_never_replaces_one_already_there(tmp_path, monkeypatch):
    source, target = tmp_path / "old.html", tmp_path / "new.html"
    source.write_text("old", encoding="utf-8")
    target.write_text("there", encoding="utf-8")
    with pytest.raises(FileExistsError):
        pipeline.link_or_copy(source, target)

    def no_links(*args):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(pipeline.os, "link", no_links)  # copied where a link is refused: still never replaced
    with pytest.raises(FileExistsError):
        pipeline.link_or_copy(source, target)
    assert target.read_text(encoding="utf-8") == "there"
    fresh = tmp_path / "fresh.html"
    pipeline.link_or_copy(source, fresh)
    assert fresh.read_text(encoding="utf-8") == "old"
