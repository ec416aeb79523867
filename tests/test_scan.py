"""The output scan (generator/publishing/scan.py): a leak planted past the masking layer or the templates stops the build.

Each test builds a real site in a temporary folder over an existing one, plants one kind of leak (a masking
rule that publishes whole numbers, a county's template override that adds a script, an event attribute, a
link elsewhere, a broken link, a missing page) and sees `portal build` refuse with `error:` lines that name
the built file, exit 1, and leave the published site as it was.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import os
import re
import shutil
from pathlib import Path

import material
import pytest

from generator import cli
from generator.checking import identifiers, privacy
from generator.checking.problems import BuildError
from generator.publishing import scan
from generator.publishing.build import Options, Result, build
from generator.site import render
from tests.sitebuild import ROOT, SAMPLE, TODAY, build_site

SMALL = ROOT / "tests" / "fixtures" / "small" / "notices"
WHOLE_ID = "430424198506120034"  # the fixture's 身份证 number (tests/fixtures/small/notices/lost/2022/script.yaml)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A clean build of the small fixture: the site every test's failing build must leave alone."""
    site = tmp_path_factory.mktemp("published") / "site"
    build_site(SMALL, site)
    return site


def snapshot(site: Path) -> dict[str, str]:
    return {
        path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def build_over(published: Path, tmp_path: Path, stderr, *options: str) -> tuple[int, list[str], Path]:
    """`portal build` of the small fixture into a copy of the published site: (exit code, error lines, site).
    `stderr`: pytest's capsys, or a StringIO that stderr is redirected to."""
    site = tmp_path / "site"
    shutil.copytree(published, site)
    before = snapshot(site)
    code = cli.main(
        [
            "build",
            "--notices",
            str(SMALL),
            "--site-dir",
            str(site),
            "--today",
            TODAY.isoformat(),
            "--no-cache",
            *options,
        ]
    )
    err = stderr.readouterr().err if hasattr(stderr, "readouterr") else stderr.getvalue()
    if code != 0:
        assert snapshot(site) == before, "a refused build changed the published site"
    return code, [line for line in err.splitlines() if line.startswith("error: ")], site


def override(tmp_path: Path, template: str, plant: str, after: str) -> Path:
    """A --templates folder whose `template` is ours with `plant` written after the line `after`."""
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    text = (render.DEFAULT_TEMPLATES / template).read_text(encoding="utf-8")
    assert after in text
    (folder / template).write_text(text.replace(after, after + "\n" + plant, 1), encoding="utf-8")
    return folder


def test_the_sample_site_passes_and_the_counts_are_printed(tmp_path, capsys):
    code = cli.main(
        [
            "build",
            "--notices",
            str(SAMPLE),
            "--site-dir",
            str(tmp_path / "site"),
            "--today",
            TODAY.isoformat(),
            "--no-cache",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    lost = len(list((SAMPLE / "lost").rglob("*.yaml")))
    deregistrations = len(list((SAMPLE / "deregistration").rglob("*.yaml")))
    towns = len(list((SAMPLE / "contacts").rglob("*.yaml")))
    assert f"遗失声明 {lost} 页，注销公告 {deregistrations} 页，镇 {towns} 页，公示牌 {towns} 页" in out.out


def test_a_whole_id_number_past_the_masking_layer_is_refused(published, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(privacy, "public_number", lambda document: document.number)
    code, errors, _ = build_over(published, tmp_path, capsys)
    assert code == 1
    ids = [line for line in errors if "完整的身份证号码" in line]
    files = {line.removeprefix("error: ").split(" ", 1)[0].split(":", 1)[0] for line in ids}
    assert "notices/lost/2022/script/index.html" in files, errors  # the page
    assert any(file.endswith(".pf_fragment") for file in files), errors  # the search index, decompressed
    assert any(file.endswith(".pf_index") for file in files), errors  # its words (CBOR)
    assert "(/notices/lost/2022/script/)" in "\n".join(ids)  # the page address is named
    assert WHOLE_ID not in "\n".join(errors), "the message must not print the number it refuses"
    assert "43************0034" in "\n".join(ids)


def id_number(first17: str) -> str:
    return first17 + identifiers._id_check_digit(first17)


#: One ID number per way of hiding it, so that each finding names its plant (by the last four characters).
PLANTED = {way: id_number(f"4304241985061{n:04d}") for n, way in enumerate(("url", "references", "full-width"), 1001)}
FULL_WIDTH = {ord(d): ord(d) + 0xFEE0 for d in "0123456789"}

#: Material's first inline script, with a value in place of its base URL that a base URL never is.
THEME_SCRIPT = re.sub(
    r"\{\{.*?\}\}",
    "javascript:alert(1)//",
    re.search(
        r"<script>.*?</script>",
        (Path(material.__file__).parent / "templates/partials/javascripts/base.html").read_text(),
    ).group(),
)

#: Leak → (markup planted into a template, what the error line says).
LEAKS = {
    "event attribute": (
        '<img src="{{ link(\'assets/images/favicon.png\') }}" alt="" onerror="alert(1)">',
        "事件属性 onerror",
    ),
    "inline script": ("<script>alert(1)</script>", "不是主题带来的脚本"),
    "theme's script, another base": (THEME_SCRIPT, "不是主题带来的脚本"),
    "script file not shipped": ("<script src=\"{{ link('robots.txt') }}\"></script>", "脚本文件不是本项目带来的文件"),
    "javascript: link": ('<a href="javascript:alert(1)">x</a>', "javascript: 地址"),
    "javascript: link, obfuscated": (
        '<a href=" jav&#x09;ascript:alert(2)">x</a>',
        'javascript: 地址 (javascript: URL): <a href=" jav',
    ),
    "data: URL": ('<a href="data:text/html,hi">x</a>', "data: 地址"),
    "link to another host": ('<a href="https://example.com/">x</a>', "其他网站 example.com"),
    "allowed record link, as an asset": (
        '<img src="https://beian.mps.gov.cn/#/query/webSearch?code=43042402000123" alt="">',
        "其他网站 beian.mps.gov.cn",
    ),
    "allowed record host, another address": (
        '<a href="https://beian.miit.gov.cn/x?u=https://example.com/">x</a>',
        "其他网站 beian.miit.gov.cn",
    ),
    "protocol-relative asset": ('<img src="//cdn.example.com/x.png" alt="">', "其他网站 cdn.example.com"),
    "iframe": ("<iframe src=\"{{ link('') }}\"></iframe>", "不允许的元素 <iframe>"),
    "broken internal link": ("<a href=\"{{ link('notices/nowhere/') }}\">x</a>", "链接指向的文件不存在"),
    "broken anchor on the page": ('<a href="#nowhere">x</a>', "页内锚点 #nowhere 不存在"),
    "broken anchor on another page": (
        "<a href=\"{{ link('towns/') }}#nowhere\">x</a>",
        "锚点 #nowhere 在 towns/index.html 中不存在",
    ),
    "ID number percent-encoded in a URL": (
        "<a href=\"{{ link('search/') }}?q=" + "".join(f"%{ord(c):02X}" for c in PLANTED["url"]) + '">x</a>',
        f"完整的身份证号码 (whole ID number): ../../../../search/?q=43************{PLANTED['url'][-4:]}",
    ),
    "ID number as character references": (
        "<p>" + "".join(f"&#{ord(c)};" for c in PLANTED["references"]) + "</p>",
        f"完整的身份证号码 (whole ID number): 43************{PLANTED['references'][-4:]}",
    ),
    "ID number in full-width digits, split by spaces": (
        '<p title="{}">x</p>'.format(
            " ".join(PLANTED["full-width"][i : i + 6].translate(FULL_WIDTH) for i in (0, 6, 12))
        ),
        f"完整的身份证号码 (whole ID number): 43************{PLANTED['full-width'][-4:]}",
    ),
}
#: The same leaks in a hub page (made by MkDocs whole, not in the shared frame of the shell pages).
HUB_LEAKS = ("inline script", "event attribute", "link to another host", "javascript: link")


@pytest.fixture(scope="module")
def planted(published, tmp_path_factory) -> list[str]:
    """One build with every leak planted through a --templates folder: into the notice page of the fixture's
    ID card (a shell page: the body is read on its own, the frame once) and into the home page."""
    folder = tmp_path_factory.mktemp("planted")
    override(folder, "lost-document.html", "\n".join(plant for plant, _ in LEAKS.values()), "{% block body %}")
    home = (render.DEFAULT_TEMPLATES / "home.html").read_text(encoding="utf-8").splitlines()[0]
    override(folder, "home.html", "\n".join(LEAKS[leak][0] for leak in HUB_LEAKS), home)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code, errors, _ = build_over(published, folder, stderr, "--templates", str(folder / "templates"))
    assert code == 1
    return errors


@pytest.mark.parametrize("leak", LEAKS, ids=list(LEAKS))
def test_a_template_override_that_plants_a_leak_in_a_notice_page_is_refused(planted, leak):
    message = LEAKS[leak][1]
    page = "notices/lost/2022/script/index.html (/notices/lost/2022/script/)"
    assert any(line.startswith(f"error: {page}: ") and message in line for line in planted), "\n".join(planted)


@pytest.mark.parametrize("leak", HUB_LEAKS)
def test_a_leak_in_a_hub_page_is_refused(planted, leak):
    message = LEAKS[leak][1]
    assert any(line.startswith("error: index.html (/): ") and message in line for line in planted), "\n".join(planted)


def test_every_finding_is_one_planted(planted):
    """Nothing but the plants: the clean parts of the pages pass (the favicon image was planted too)."""
    messages = [message for _, message in LEAKS.values()]
    indexed = [
        f"43************{number[-4:]}" for number in PLANTED.values()
    ]  # the planted numbers, in the search index
    unexplained = [
        line
        for line in planted[:-1]
        if not any(m in line for m in messages)
        and not ("pagefind/" in line and any(number in line for number in indexed))
    ]
    assert unexplained == []
    assert "生成的网站未通过发布前检查" in planted[-1]


def test_a_missing_page_is_refused(published, tmp_path, capsys, monkeypatch):
    jobs = render.Renderer.jobs

    def without_the_id_card_notice(self):
        return [job for job in jobs(self) if getattr(job.target, "url", "") != "notices/lost/2022/script/"]

    monkeypatch.setattr(render.Renderer, "jobs", without_the_id_card_notice)
    code, errors, _ = build_over(published, tmp_path, capsys)
    assert code == 1
    assert any(
        line.startswith("error: ")
        and "small/notices/lost/2022/script.yaml: 遗失声明没有生成页面 /notices/lost/2022/script/" in line
        for line in errors
    ), errors
    assert any("链接指向的文件不存在" in line for line in errors), errors  # the lists still link to it


def test_a_clean_rebuild_over_the_published_site_passes(published, tmp_path, capsys):
    code, errors, site = build_over(published, tmp_path, capsys)
    assert code == 0 and not errors
    assert (site / "notices" / "lost" / "2022" / "script" / "index.html").is_file()


def test_a_data_file_no_entry_came_from_is_named():
    expected = scan.expected_pages(
        type("P", (), {"lost": [], "deregistrations": [], "towns": []})(),
        {"lost/notices/regions.yaml": "regions.yaml", "lost/notices/lost/2022/a.yaml": "lost"},
    )
    assert expected.unclaimed == ["lost/notices/lost/2022/a.yaml"]


def test_the_sieve_keeps_every_character_an_id_number_can_hold():
    """scan.run_breakers() lets the scan skip most text; it may skip only what find_id_numbers ends a run at."""
    wrong = [
        hex(code)
        for start, end in scan.run_breakers()
        for code in range(start, end + 1)
        if identifiers._id_character(chr(code)) is not None
    ]
    assert wrong == []
    text = "身份证 430102 1990 0307 5016；" + "号 ４３０１０２１９９００３０７５０１６" + "，4301021990\u200b03075016"
    assert scan.id_numbers(text) == identifiers.find_id_numbers(text)


def test_pagefind_index_strings_are_read_from_cbor():
    # {"w": ["430102199003075016", h'00']} with a definite and an indefinite-length text
    data = bytes([0xA1, 0x61]) + b"w" + bytes([0x82, 0x72]) + b"430102199003075016" + bytes([0x41, 0x00])
    assert scan.cbor_strings(data) == ["w", "430102199003075016", "\x00"]
    assert scan.cbor_strings(bytes([0x7F, 0x62]) + b"ab" + bytes([0xFF])) == ["ab"]


def test_a_built_file_the_scan_cannot_read_is_a_finding_not_a_traceback(tmp_path):
    (tmp_path / "pagefind").mkdir()
    (tmp_path / "pagefind" / "x.pf_fragment").write_bytes(b"\x1f\x8b\x08\x00" + b"not gzip")
    (tmp_path / "deep.json").write_text("[" * 100_000 + f'"{WHOLE_ID}"' + "]" * 100_000, encoding="utf-8")
    found = [finding.format() for finding in scan.scan(tmp_path, scan.Expected({}), scan.default_trusted())]
    assert found[0].startswith("deep.json: 完整的身份证号码") and WHOLE_ID not in found[0]
    assert found[1].startswith("pagefind/x.pf_fragment: 无法读取生成的文件")


def test_redirect_pages_are_checked_like_any_page(tmp_path):
    """A redirect page (generator/site/moved.py) carries no script, and its refresh, canonical link and
    visible link are internal links the scan resolves: one that points nowhere is a finding each."""
    from generator.site import moved

    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "index.html").write_text("<!doctype html><title>新</title><p>新</p>", encoding="utf-8")
    for old, new in (("old", "new"), ("gone", "nowhere")):
        (tmp_path / old).mkdir()
        (tmp_path / old / "index.html").write_text(moved.page(old, new), encoding="utf-8")
    found = [finding.format() for finding in scan.scan(tmp_path, scan.Expected({}), scan.default_trusted())]
    assert all("gone/index.html" in line for line in found), found
    assert len([line for line in found if "链接指向的文件不存在" in line]) == 3, found  # canonical, refresh, link


def test_a_fingerprint_whose_digits_pass_as_an_id_number_is_not_a_finding():
    """A notice's SHA-256 fingerprint can hold 18 digits that pass an ID's check digit (one did in the 0.07
    province); the fingerprints the build made are not read for ID numbers. Any other hex text is: the same
    digits in an unknown 64-hex token, in a 65-character token, or standing alone."""
    from generator.checking.rules import GOOD_ID
    from generator.publishing.scan import id_findings

    digest = ("ab" * 7 + GOOD_ID.replace("X", "0") + "0" * 64)[:64]
    known = frozenset({digest})
    assert id_findings("a/index.html", f"内容指纹 {digest} 完", known) == []
    assert id_findings("a/index.html", f"内容指纹 {digest} 完")  # not a fingerprint of this build
    assert len(id_findings("a/index.html", f"号码 {GOOD_ID} 完", known)) == 1
    assert len(id_findings("a/index.html", f"{digest}9 {GOOD_ID}", known)) >= 2  # 65 characters: not the digest


# --------------------------------------------------------------------------- the scan record (incremental scan)
# A rebuild reuses a file's own result when its bytes are the ones the last successful scan read; what depends on
# other files is worked out anew. Each test compares the reusing scan with a full scan of the same staged site.

NOTICE_PAGE = "notices/lost/2022/script/index.html"
PROOF_PAGE = "notices/lost/2022/script/proof/index.html"
READING_PAGE = "guide/reading/index.html"


@dataclasses.dataclass
class Staged:
    site: Path  # a copy of the staged site the build scanned
    expected: scan.Expected
    trusted: scan.Trusted
    frames: dict[int, tuple[str, str]]
    record: scan.ScanRecord


@pytest.fixture(scope="module")
def staged(tmp_path_factory) -> Staged:
    """A build of the small fixture, with a copy of the staged site as it was scanned, and the scan's record."""
    folder = tmp_path_factory.mktemp("staged")
    seen: list[Staged] = []
    real = scan.scan_site

    def keep_a_copy(site, expected, trusted, frames=None, workers=1, before=None):
        scanned = real(site, expected, trusted, frames, workers, before)
        shutil.copytree(site, folder / "site")
        seen.append(Staged(folder / "site", expected, trusted, frames or {}, scanned.record))
        return scanned

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scan, "scan_site", keep_a_copy)
        build_site(SMALL, folder / "published")
    return seen[0]


def both_ways(staged: Staged, site: Path) -> tuple[scan.Scanned, list[str]]:
    """Scan `site` reusing the record, and in full: the reusing scan, after checking its findings are the full scan's."""
    reusing = scan.scan_site(site, staged.expected, staged.trusted, staged.frames, 1, staged.record)
    full = scan.scan_site(site, staged.expected, staged.trusted, staged.frames, 1)
    assert [f.format() for f in reusing.findings] == [f.format() for f in full.findings]
    assert full.read == frozenset(scan.site_files(site))
    return reusing, [f.format() for f in reusing.findings]


def changed_copy(staged: Staged, tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(staged.site, site)
    return site


def test_an_unchanged_site_is_not_read_again_but_its_links_are_checked(staged, tmp_path):
    site = changed_copy(staged, tmp_path)
    reusing, found = both_ways(staged, site)
    assert found == []
    assert NOTICE_PAGE in staged.record.files and READING_PAGE in staged.record.files
    assert reusing.read == frozenset(scan.site_files(site)) - staged.record.files.keys()  # files shipped as they are


def test_a_page_whose_bytes_changed_is_read_again(staged, tmp_path):
    """(a) A page rendered anew (here: its bytes changed): its own findings come from reading it."""
    site = changed_copy(staged, tmp_path)
    page = site / NOTICE_PAGE
    page.write_text(page.read_text(encoding="utf-8").replace("</article>", f"<p>{WHOLE_ID}</p></article>", 1), "utf-8")
    reusing, found = both_ways(staged, site)
    assert NOTICE_PAGE in reusing.read
    assert any(line.startswith(NOTICE_PAGE) and "完整的身份证号码" in line for line in found), found


def test_a_kept_page_linking_to_a_removed_page_is_a_finding(staged, tmp_path):
    """(b) The notice page is kept (same bytes, not read again), but the proof page it links to is gone."""
    site = changed_copy(staged, tmp_path)
    assert 'href="proof/"' in (site / NOTICE_PAGE).read_text(encoding="utf-8")
    (site / PROOF_PAGE).unlink()
    reusing, found = both_ways(staged, site)
    assert NOTICE_PAGE not in reusing.read and NOTICE_PAGE in reusing.again
    assert any(line.startswith(NOTICE_PAGE) and "链接指向的文件不存在" in line for line in found), found


def test_a_kept_page_whose_anchor_lost_its_id_is_a_finding(staged, tmp_path):
    """(c) The notice page links to guide/reading/#state-declared; the guide page, read again, lost that id."""
    site = changed_copy(staged, tmp_path)
    assert "guide/reading/#state-declared" in (site / NOTICE_PAGE).read_text(encoding="utf-8")
    reading = site / READING_PAGE
    reading.write_text(reading.read_text(encoding="utf-8").replace('id="state-declared"', 'id="x"'), "utf-8")
    reusing, found = both_ways(staged, site)
    assert READING_PAGE in reusing.read and NOTICE_PAGE not in reusing.read
    assert any(
        line.startswith(NOTICE_PAGE) and f"锚点 #state-declared 在 {READING_PAGE} 中不存在" in line for line in found
    ), found


NUMERIC_CODE = "914301001000000752"  # a valid credit code of digits only that also passes the ID check


@pytest.mark.parametrize("exempt", ["digests", "public_ids"])
def test_a_reused_result_needs_every_fingerprint_and_credit_code_it_relied_on(exempt, staged, tmp_path):
    """A page holding a fingerprint, or a credit code the build publishes whole, whose digits pass as an ID number
    was clean only while it was one of the build's; without it the page is read again and the number is a finding."""
    from generator.checking.rules import GOOD_ID

    token = ("ab" * 7 + GOOD_ID.replace("X", "0") + "0" * 64)[:64] if exempt == "digests" else NUMERIC_CODE
    site = changed_copy(staged, tmp_path)
    page = site / NOTICE_PAGE
    page.write_text(page.read_text(encoding="utf-8").replace("</article>", f"<p>{token}</p></article>", 1), "utf-8")
    trusted = dataclasses.replace(staged.trusted, **{exempt: frozenset({token})})
    with_token = dataclasses.replace(staged, trusted=trusted)
    first = scan.scan_site(site, with_token.expected, with_token.trusted, with_token.frames, 1, staged.record)
    assert first.findings == [] and NOTICE_PAGE in first.read
    assert first.record.files[NOTICE_PAGE][5] == (token,)
    later = dataclasses.replace(staged, record=first.record)
    reusing, found = both_ways(later, site)  # no longer one of the build's
    assert NOTICE_PAGE in reusing.read
    assert any(line.startswith(NOTICE_PAGE) and "完整的身份证号码" in line for line in found), found
    again = scan.scan_site(site, with_token.expected, with_token.trusted, with_token.frames, 1, first.record)
    assert again.findings == [] and NOTICE_PAGE not in again.read


def test_a_credit_code_published_whole_passes_the_scan_and_only_it(tmp_path):
    """The privacy rule's one exception reaches the output scan: a deregistration's and a business licence's valid
    credit code whose digits pass the ID check are published whole and the build passes; a diploma number of the
    same shape (the scale-1 benchmark had one) is masked everywhere; the code anywhere else is a finding."""
    from generator.checking.rules import BASE, dereg, lost
    from tests.conftest import write_tree

    diploma = "141276200206719878"
    files = {
        **BASE,
        **dereg(
            f'published: 2022-06-06\norganization: 某协会\ncredit_code: "{NUMERIC_CODE}"\ndecided_on: 2022-06-05\n'
            'decided_by: 会员代表大会\ncontact: {name: 刘某, phone: "0734-5261234"}\n'
        ),
        **lost(f'published: 2022-06-07\nholder: 某公司\ndocument: {{type: 营业执照, number: "{NUMERIC_CODE}"}}\n'),
        **lost(
            f'published: 2022-06-08\nholder: 黄某\ndocument: {{type: 毕业证书, number: "{diploma}"}}\n',
            "lost/2022/diploma.yaml",
        ),
    }
    notices = write_tree(tmp_path / "notices", files)
    result = cached_build(notices, tmp_path / "site", site_url="https://gonggao.example.gov.cn/")
    assert not result.failed, [p.format() for p in result.problems]
    site = tmp_path / "site"
    texts = {path: path.read_bytes().decode("utf-8", "replace") for path in site.rglob("*") if path.is_file()}
    assert any(NUMERIC_CODE in text for path, text in texts.items() if "deregistration" in str(path))
    assert any(NUMERIC_CODE in text for path, text in texts.items() if "/lost/" in str(path))
    assert not [path for path, text in texts.items() if diploma in text]
    assert any("14************9878" in text for text in texts.values())
    known = frozenset({NUMERIC_CODE})
    assert scan.id_findings("a/index.html", f"代码 {NUMERIC_CODE}", known) == []
    assert scan.id_findings("a/index.html", f"代码 {NUMERIC_CODE}")  # not one the build publishes
    assert scan.id_findings("a/index.html", f"号码 {diploma}", known)


def cached_build(notices: Path, site: Path, **options) -> Result:
    return build(Options(notices=notices, site_dir=site, today=TODAY, **options))


@pytest.fixture
def twice(monkeypatch) -> list[scan.Scanned]:
    """Every scan a build makes is made a second time in full, and must find the same; the reusing scans."""
    runs: list[scan.Scanned] = []
    real = scan.scan_site

    def both(site, expected, trusted, frames=None, workers=1, before=None):
        reusing = real(site, expected, trusted, frames, workers, before)
        full = real(site, expected, trusted, frames, workers)
        assert [f.format() for f in reusing.findings] == [f.format() for f in full.findings]
        runs.append(reusing)
        return reusing

    monkeypatch.setattr(scan, "scan_site", both)
    return runs


def test_a_kept_page_tampered_with_in_the_published_site_is_read_again(tmp_path, twice):
    """(d) Bytes changed behind the build's back, with the file's size and time put back: the build keeps the
    page (its size and time say it is the one written), and the scan, which trusts bytes only, reads it."""
    site = tmp_path / "site"
    first = cached_build(SMALL, site)
    assert not first.failed and first.scanned == len(scan.site_files(site))  # the first build reads every file
    page = site / NOTICE_PAGE
    text, info = page.read_text(encoding="utf-8"), page.stat()
    reference = "430424-2022-Y6ZC8WH"  # the notice's reference number: 19 characters, as many as below
    assert reference in text
    page.write_text(text.replace(reference, WHOLE_ID + " ", 1), encoding="utf-8")
    os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert page.stat().st_size == info.st_size
    with pytest.raises(BuildError) as refused:
        cached_build(SMALL, site)
    reusing = twice[-1]
    assert NOTICE_PAGE in reusing.read and READING_PAGE not in reusing.read  # a hub page MkDocs wrote the same again
    assert f"{NOTICE_PAGE} (/notices/lost/2022/script/): 完整的身份证号码" in str(refused.value)


def test_a_change_of_scope_reads_every_file(tmp_path, monkeypatch, twice):
    """(e) The theme no longer brings its scripts (the scan's scope changed): nothing recorded is reused, and
    the pages holding them are findings, as in a full scan."""
    site = tmp_path / "site"
    assert not cached_build(SMALL, site).failed
    assert len(twice[-1].read) == twice[-1].files
    assert not cached_build(SMALL, site).failed
    assert NOTICE_PAGE not in twice[-1].read and READING_PAGE not in twice[-1].read  # the same scope: reused
    default = scan.default_trusted
    monkeypatch.setattr(
        scan, "default_trusted", lambda docs_dir=None: dataclasses.replace(default(docs_dir), scripts=())
    )
    with pytest.raises(BuildError) as refused:
        cached_build(SMALL, site)
    assert len(twice[-1].read) == twice[-1].files
    assert "不是主题带来的脚本 (inline script the theme did not bring)（页框" in str(refused.value)
    assert "error: index.html (/): 不是主题带来的脚本" in str(refused.value)  # a hub page, bytes unchanged


def test_a_fold_and_no_cache_read_every_file(tmp_path):
    site = tmp_path / "site"
    first = cached_build(SMALL, site)
    assert first.scanned == len(scan.site_files(site))
    assert cached_build(SMALL, site, fold=True).scanned == first.scanned
    assert cached_build(SMALL, site, cache=False).scanned == first.scanned
    assert cached_build(SMALL, site).scanned < first.scanned - 20
