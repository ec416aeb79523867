"""`portal serve`'s quick look (generator/publishing/preview.py): a saved town or notice file's own pages,
rendered from the model kept in memory before the rebuild, are the very pages the rebuild then writes."""

from __future__ import annotations

import datetime as dt
import gc
import re
import threading
from pathlib import Path

import pytest

from generator.publishing import serve as live
from generator.publishing.build import Options
from generator.publishing.preview import quick_look
from tests.browser import Browser, require_chromium
from tests.sitebuild import TODAY, build_site
from tests.test_incremental import NEW_NOTICE, data, edit_town  # noqa: F401  (data: a fixture)

GANXI = Path("contacts/hengdong/ganxi.yaml")
TIMEOUT = 60  # seconds: every wait is on a condition, never a sleep


def first_lost(notices: Path) -> Path:
    return sorted((notices / "lost").rglob("*.yaml"))[0]


def rename_holder(notices: Path) -> Path:
    notice = first_lost(notices)
    text = notice.read_text(encoding="utf-8")
    holder = re.search(r"^holder: (\S+)", text, re.M).group(1)
    notice.write_text(text.replace(f"holder: {holder}", "holder: 谭改名"), encoding="utf-8")
    return notice


def add_notice(notices: Path) -> Path:
    path = notices / "lost" / "2024" / "2024-03-05-biye-new.yaml"
    path.write_text(NEW_NOTICE, encoding="utf-8")
    return path


def withdraw_deregistration(notices: Path) -> Path:
    path = sorted((notices / "deregistration").rglob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    assert "status:" not in text
    path.write_text(text + "status: withdrawn\nwithdrawn_reason: 申请人撤回注销申请\n", encoding="utf-8")
    return path


def redate(notices: Path) -> Path:
    """A notice published a day later (the clerk corrects the date): a new 公告编号 too, and in a homophone's
    company it might take another's address (`test_what_other_files_decide_waits_for_the_rebuild`)."""
    notice = first_lost(notices)
    text = notice.read_text(encoding="utf-8")
    date = re.search(r"^published: (\S+)", text, re.M).group(1)
    later = dt.date.fromisoformat(date) + dt.timedelta(days=1)
    notice.write_text(text.replace(f"published: {date}", f"published: {later}"), encoding="utf-8")
    return notice


def town_edit(notices: Path) -> Path:
    edit_town(notices)
    return notices / GANXI


@pytest.mark.parametrize(
    "edit, shown",
    [
        (town_edit, "13900001111"),
        (rename_holder, "谭改名"),
        (add_notice, "谭新增"),
        (withdraw_deregistration, "申请人撤回注销申请"),
        (redate, "3月19日"),
    ],
)
def test_the_pages_shown_at_once_are_the_pages_the_rebuild_writes(data, tmp_path, edit, shown):
    site = tmp_path / "site"
    model = build_site(data, site).model
    path = edit(data)

    look = quick_look(model, [path], data)
    assert look.problems == [] and look.waiting == []
    assert len(look.pages) == 2, sorted(look.pages)  # the page and its 公示牌 or 刊登证明
    assert any(shown in html for html in look.pages.values())

    build_site(data, site)
    for name, html in look.pages.items():
        assert (site / name).read_text(encoding="utf-8") == html, name


def test_a_saved_file_with_errors_shows_its_problems_with_line_and_field_and_no_page(data, tmp_path):
    model = build_site(data, tmp_path / "site").model
    notice = first_lost(data)
    text = notice.read_text(encoding="utf-8")
    holder = re.search(r"^holder: (\S+)", text, re.M).group(1)
    notice.write_text(text.replace(f"holder: {holder}", "holder: 430421197001011234"), encoding="utf-8")

    look = quick_look(model, [notice], data)
    assert look.pages == {}
    [problem] = [p for p in look.problems if p.rule == "id-number-not-allowed"]
    line = text.splitlines().index(f"holder: {holder}") + 1
    assert (problem.path.endswith(notice.name), problem.line, problem.field) == (True, line, "holder")
    assert "430421197001011234" not in problem.format()  # the number is masked even in a message


def test_what_other_files_decide_waits_for_the_rebuild(data, tmp_path):
    """Homophones (高源镇遗失.yaml and 高园镇遗失.yaml read alike: one address, which `assemble` gives the
    earlier published) and anything that is not a town or notice are left to the rebuild."""
    lost = data / "lost" / "2024"
    owner, homophone = lost / "高源镇遗失.yaml", lost / "高园镇遗失.yaml"
    other = NEW_NOTICE.replace("001234", "001235").replace("谭新增", "谭另一")
    owner.write_text(NEW_NOTICE, encoding="utf-8")
    model = build_site(data, tmp_path / "site").model

    def waiting(*paths: Path) -> set[str]:
        look = quick_look(model, paths, data)
        assert look.pages == {} and look.problems == []
        return {Path(name).name for name in look.waiting}

    homophone.write_text(other, encoding="utf-8")  # its address is the owner's
    assert waiting(homophone) == {homophone.name}
    owner.write_text(NEW_NOTICE.replace("谭新增", "谭改名"), encoding="utf-8")  # saved with a homophone
    assert waiting(owner, homophone) == {owner.name, homophone.name}
    homophone.unlink()
    owner.write_text(NEW_NOTICE.replace("2024-03-05", "2024-03-06"), encoding="utf-8")  # alone: shown
    assert quick_look(model, [owner], data).pages
    removed = sorted((data / "deregistration").rglob("*.yaml"))[-1]
    removed.unlink()
    assert waiting(data / "regions.yaml", removed) == {"regions.yaml", removed.name}

    owner.write_text(NEW_NOTICE, encoding="utf-8")
    homophone.write_text(other, encoding="utf-8")
    model = build_site(data, tmp_path / "site").model  # the homophone has another address now
    owner.unlink()  # its address passes to the homophone
    homophone.write_text(other.replace("谭另一", "谭又改"), encoding="utf-8")
    assert waiting(owner, homophone) == {owner.name, homophone.name}
    homophone.write_text(other.replace("2024-03-05", "2024-03-04"), encoding="utf-8")  # now earlier than the owner
    assert waiting(homophone) == {homophone.name}


def test_files_that_are_not_data_are_left_to_the_rebuild(data, tmp_path):
    model = build_site(data, tmp_path / "site").model
    guide = sorted((data / "guides").glob("*.md"))[0]
    look = quick_look(model, [guide, tmp_path / "templates" / "town.html", data / "images" / "x.png"], data)
    assert (look.pages, look.problems, look.waiting) == ({}, [], [])


def test_serve_shows_a_saved_town_in_the_open_page_before_the_rebuild_ends(data, tmp_path, monkeypatch):
    """In Chromium: the town page open in the preview shows a saved phone number while the rebuild is still
    running (held here until the page has shown it), with a note that lists and search follow; then the
    rebuild publishes the same page and the note goes."""
    require_chromium("the preview's quick look")
    options = Options(notices=data, site_dir=tmp_path / "site", today=TODAY)
    state = live.State()
    live.rebuild(options, state, lambda problems: None)
    started, release = threading.Event(), threading.Event()
    real_build = live.pipeline.build

    def held_build(opts):
        started.set()
        assert release.wait(TIMEOUT)
        return real_build(opts)

    monkeypatch.setattr(live.pipeline, "build", held_build)
    ready, real_start = threading.Event(), live.start_watching
    monkeypatch.setattr(live, "start_watching", lambda changes: (real_start(changes), ready.set())[0])
    stop = threading.Event()
    watcher = threading.Thread(target=live.watch, args=(options, [data], state, lambda p: None, stop), daemon=True)
    server = live.server_for(state, options.site_dir, 0)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    watcher.start()
    town = "towns/hengdong/ganxi/"
    on_disk = options.site_dir / town / "index.html"
    try:
        assert ready.wait(TIMEOUT)
        with Browser(f"http://127.0.0.1:{server.server_address[1]}/") as browser:
            page = browser.open(town)
            assert "13900001111" not in page.inner_text("body")
            edit_town(data)
            page.wait_for_function("document.body.innerText.includes('13900001111')", timeout=TIMEOUT * 1000)
            assert started.is_set() and "13900001111" not in on_disk.read_text(encoding="utf-8")
            note = page.wait_for_selector("#portal-rebuilding")
            assert "列表和搜索稍后更新" in note.inner_text()
            links = [(link.get_attribute("href"), link.inner_text()) for link in note.query_selector_all("a")]
            assert links == [  # what the page can show before the rebuild
                ("/" + town, "甘溪镇网格员、驻镇法官联系方式"),
                ("/" + town + "boards/", "甘溪镇公示牌（打印用）"),
            ], links
            page.click(f"#portal-rebuilding a[href='/{town}boards/']")
            page.wait_for_url(f"**/{town}boards/")
            assert "13900001111" in page.content()  # the 公示牌 from memory too
            with page.expect_navigation(timeout=TIMEOUT * 1000):  # the page reloads once the rebuild is published
                release.set()
            assert not state.rebuilding and state.overlay == {} and state.shown == []
            assert "13900001111" in page.content() and "13900001111" in on_disk.read_text(encoding="utf-8")
            browser.assert_clean()
    finally:
        release.set()
        stop.set()
        watcher.join(TIMEOUT)
        server.shutdown()
        server.server_close()


def test_the_objects_a_preview_keeps_do_not_grow_with_each_rebuild(data, tmp_path):
    """A build freezes what it made (build.no_gc), so the reference cycles each build leaves were never collected
    in `portal serve`, which builds again on every save (about 6,000 objects and 2.5 MiB a rebuild of the sample):
    now collected after each rebuild, so the objects kept after a saved edit are as many as after the one before."""
    options = Options(notices=data, site_dir=tmp_path / "site", today=TODAY)
    state = live.State()
    town = data / GANXI
    kept = []
    for number in range(4):
        text = town.read_text(encoding="utf-8")
        town.write_text(re.sub(r"1[3-9]\d{9}", f"1390000{number:04d}", text, count=1), encoding="utf-8")
        live.quick(options, state, {town.resolve()})
        live.rebuild(options, state, lambda problems: None)
        assert state.model is not None and not state.problems
        kept.append(gc.get_freeze_count())
    assert kept[1] == kept[2] == kept[3], kept
